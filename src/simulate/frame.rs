//! Seeded generator of a synthetic register of persons living in France, as contiguous
//! columns: fast enough for a 68-million-row frame (one pass, parallel over fixed chunks, each
//! with its own ChaCha8 stream, so the result does not depend on the thread count).
//!
//! Model (every figure in [`super::margins`]):
//! - region and department: exact proportional counts (largest remainder) of the regional
//!   legal populations 2021, rows sorted by region then department, as a register sorted by
//!   geography; departments split a region equally (ASSUMPTION, no department figures);
//! - sex × 5-year age group: census RP2018 structure, single years uniform within a group
//!   (100+ → 100–104); the same structure in every region (SIMPLIFICATION: overseas regions
//!   are in fact younger);
//! - dwelling: collective (institutions, student halls, care homes…) for
//!   1 − 66.33 M / 67.71 M = 2.0 % of persons overall (RP2022 household population over the
//!   regional populations), with age relative risks 0.3 (<18), 3 (18–24), 0.6 (25–64),
//!   0.8 (65–79), 4 (80–89), 12 (90+) (ASSUMPTION: care homes and student halls);
//! - household type (persons in ordinary households, RP2022): minors only in couple-with-child
//!   or single-parent households, in proportion to the children of those types (persons − 2 or
//!   − 1 adults per household); adults in the remaining shares (SIMPLIFICATION: no age pattern
//!   among adults); household size within type from a household-level distribution matching
//!   the RP2022 mean size of the type (ASSUMPTION, below), turned into the person-level
//!   distribution (∝ size × share);
//! - highest diploma by sex × age: Enquête Emploi 2023 shares for 25–64; 18–24 = 25–34 with
//!   half of "above bac+2" and a third of "bac+2" still at "bac"; 65+ = 55–64 with 15 points
//!   moved to "no diploma" (ASSUMPTIONS: older cohorts); 15–17 "aucun_brevet"; under 15
//!   "non_concerne";
//! - socio-professional group (PCS, 8 groups) by age group: census RP2022; under 15 "0"
//!   (not applicable); independent of diploma given age (SIMPLIFICATION).

use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::margins::{
    DEPARTMENTS, DIPLOMA_PCT_EEC2023, HOUSEHOLD_POP_RP2022, HOUSEHOLD_POP_TOTAL_RP2022,
    HOUSEHOLDS_RP2022, MEN_AGE5_RP2018, PCS8_AGE_LOWER, PCS8_BY_AGE_RP2022, REGIONS,
    WOMEN_AGE5_RP2018,
};
use crate::error::{Error, Result};
use crate::sampling::{Strata, round_largest_remainder};

/// Sex codes (Insee order: men first).
pub const SEX_LEVELS: [&str; 2] = ["M", "F"];
/// Age groups (those of the RP2018 grouped table `sex_x_age_grouped_rp2018`).
pub const AGE_GROUP_LEVELS: [&str; 6] = ["0-17", "18-29", "30-44", "45-59", "60-74", "75+"];
/// Highest diploma.
pub const DIPLOMA_LEVELS: [&str; 6] =
    ["non_concerne", "aucun_brevet", "cap_bep", "bac", "bac+2", "sup_bac+2"];
/// Socio-professional group (PCS 2020 level 1; "0" = under 15, not applicable).
pub const PCS_LEVELS: [&str; 9] = ["0", "1", "2", "3", "4", "5", "6", "7", "8"];
/// Dwelling type.
pub const DWELLING_LEVELS: [&str; 2] = ["ordinary", "collective"];

/// **ASSUMPTION** household-level size distributions (sizes 1..=6) of the household types
/// of [`HOUSEHOLD_POP_RP2022`], chosen so that their means match persons / households of
/// RP2022: 1, 2.04, 3.87 (3.89), 2.66 (2.64), 2.22.
const HOUSEHOLD_SIZE_DIST: [[f64; 6]; 5] = [
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.96, 0.04, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.38, 0.42, 0.15, 0.05],
    [0.0, 0.52, 0.33, 0.12, 0.03, 0.0],
    [0.0, 0.80, 0.18, 0.02, 0.0, 0.0],
];

/// Rows generated with one random stream.
const CHUNK: usize = 1 << 16;

/// A synthetic register: one entry per person in every column. Categorical columns hold
/// indices into the `*_LEVELS` constants ([`REGIONS`] for `region`, [`department_codes`] for
/// `department`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonFrame {
    /// 1..=N.
    pub person_id: Vec<u32>,
    /// Index into [`SEX_LEVELS`].
    pub sex: Vec<u8>,
    /// Age in completed years (0–104).
    pub age: Vec<u8>,
    /// Index into [`AGE_GROUP_LEVELS`].
    pub age_group: Vec<u8>,
    /// Index into [`REGIONS`].
    pub region: Vec<u8>,
    /// Index into [`department_codes`].
    pub department: Vec<u8>,
    /// Persons in the ordinary household (1–6); 0 for collective dwellings.
    pub household_size: Vec<u8>,
    /// Index into [`DIPLOMA_LEVELS`].
    pub diploma: Vec<u8>,
    /// Index into [`PCS_LEVELS`].
    pub pcs: Vec<u8>,
    /// Index into [`DWELLING_LEVELS`].
    pub dwelling: Vec<u8>,
}

/// Department codes, in the order of [`DEPARTMENTS`] flattened.
pub fn department_codes() -> Vec<&'static str> {
    DEPARTMENTS.iter().flat_map(|d| d.iter().copied()).collect()
}

/// Generates `n` persons with `seed`.
///
/// # Errors
/// `n` larger than `u32::MAX` (person ids are `u32`).
pub fn generate_frame(n: usize, seed: u64) -> Result<PersonFrame> {
    if n > u32::MAX as usize {
        return Err(Error::method("simulate", format!("{n} persons is more than {}", u32::MAX)));
    }
    let tables = Tables::new();
    let blocks = geography_blocks(n)?;
    let mut f = PersonFrame {
        person_id: (1..=n as u32).collect(),
        sex: vec![0; n],
        age: vec![0; n],
        age_group: vec![0; n],
        region: vec![0; n],
        department: vec![0; n],
        household_size: vec![0; n],
        diploma: vec![0; n],
        pcs: vec![0; n],
        dwelling: vec![0; n],
    };
    let jobs = chunk_jobs(&mut f);
    jobs.into_par_iter().for_each(|job| fill_chunk(job, &tables, &blocks, seed));
    Ok(f)
}

impl PersonFrame {
    /// Number of persons.
    pub fn len(&self) -> usize {
        self.person_id.len()
    }

    /// True for an empty frame.
    pub fn is_empty(&self) -> bool {
        self.person_id.is_empty()
    }

    /// A `u8` code column as `u32` factor codes.
    pub fn codes_u32(column: &[u8]) -> Vec<u32> {
        column.iter().map(|&c| u32::from(c)).collect()
    }

    /// Region labels (codes "11" … "976"), indexed by the `region` column.
    pub fn region_labels() -> Vec<String> {
        REGIONS.iter().map(|r| r.0.to_string()).collect()
    }

    /// Sex × age group codes and labels (`M_18-29`…), the interaction used for balancing.
    pub fn sex_age(&self) -> (Vec<u32>, Vec<String>) {
        let k = AGE_GROUP_LEVELS.len() as u32;
        let codes = self
            .sex
            .iter()
            .zip(&self.age_group)
            .map(|(&s, &a)| u32::from(s) * k + u32::from(a))
            .collect();
        let labels = SEX_LEVELS
            .iter()
            .flat_map(|s| AGE_GROUP_LEVELS.iter().map(move |a| format!("{s}_{a}")))
            .collect();
        (codes, labels)
    }

    /// Household size as numbers (0 in collective dwellings).
    pub fn household_size_f64(&self) -> Vec<f64> {
        self.household_size.iter().map(|&v| f64::from(v)).collect()
    }

    /// Scope of the « Français et la justice » survey: aged 18 or more, living in an ordinary
    /// dwelling, outside Mayotte.
    pub fn fej_scope(&self) -> Vec<bool> {
        let mayotte = REGIONS.iter().position(|r| r.0 == "976").unwrap_or(usize::MAX) as u8;
        (0..self.len())
            .map(|i| self.age[i] >= 18 && self.dwelling[i] == 0 && self.region[i] != mayotte)
            .collect()
    }

    /// Strata by region (every row in scope; apply a scope with [`Strata::restrict`]).
    ///
    /// # Errors
    /// None in practice (codes are valid by construction).
    pub fn region_strata(&self) -> Result<Strata> {
        Strata::from_codes("region", Self::codes_u32(&self.region), Self::region_labels())
    }

    /// Writes the frame as CSV (header; text categories; `sex_age` and `region_name` added).
    ///
    /// # Errors
    /// I/O errors of `w`.
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let mut w = io::BufWriter::new(w);
        let depts = department_codes();
        writeln!(
            w,
            "person_id,sex,age,age_group,sex_age,region,region_name,department,household_size,\
             diploma,pcs,dwelling"
        )?;
        for i in 0..self.len() {
            let sex = SEX_LEVELS[self.sex[i] as usize];
            let ag = AGE_GROUP_LEVELS[self.age_group[i] as usize];
            let region = REGIONS[self.region[i] as usize];
            writeln!(
                w,
                "{},{sex},{},{ag},{sex}_{ag},{},{},{},{},{},{},{}",
                self.person_id[i],
                self.age[i],
                region.0,
                region.1,
                depts[self.department[i] as usize],
                self.household_size[i],
                DIPLOMA_LEVELS[self.diploma[i] as usize],
                PCS_LEVELS[self.pcs[i] as usize],
                DWELLING_LEVELS[self.dwelling[i] as usize],
            )?;
        }
        w.flush()
    }
}

/// Cumulative thresholds on 2^32 for drawing an index with a `u32`.
pub(crate) struct Cdf(Vec<u64>);

impl Cdf {
    fn new(weights: &[f64]) -> Cdf {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let mut cum: Vec<u64> = weights
            .iter()
            .map(|w| {
                acc += w;
                ((acc / total) * 4_294_967_296.0).round() as u64
            })
            .collect();
        if let Some(last) = cum.last_mut() {
            *last = 1 << 32;
        }
        Cdf(cum)
    }

    /// Probability of each index as drawn by [`Cdf::pick`] from a uniform `u32`: the
    /// differences of the thresholds over 2^32 (the weights' shares up to 2^-32).
    pub(crate) fn probabilities(&self) -> Vec<f64> {
        let mut prev = 0u64;
        self.0
            .iter()
            .map(|&c| {
                let p = c.saturating_sub(prev) as f64 / 4_294_967_296.0;
                prev = prev.max(c);
                p
            })
            .collect()
    }

    #[inline]
    fn pick(&self, r: u32) -> usize {
        let r = u64::from(r);
        self.0.iter().position(|&c| r < c).unwrap_or(self.0.len() - 1)
    }
}

/// Every distribution of the model, precomputed. Shared with [`super::census`], which sums
/// these probabilities to get the expected margins of the generated register.
pub(crate) struct Tables {
    /// Sex × 5-year age cell (men 0–4 … 100+, then women), 42 cells.
    pub(crate) sex_age5: Cdf,
    /// Collective dwelling when the high half of a draw is below this, by age.
    pub(crate) collective: [u32; 105],
    minor_type: Cdf,
    /// Household type of an adult in an ordinary dwelling (types of [`HOUSEHOLD_POP_RP2022`]).
    pub(crate) adult_type: Cdf,
    /// Household size (1..=6 as 0..=5) within each household type.
    pub(crate) size_in_type: Vec<Cdf>,
    /// Diploma ([`DIPLOMA_LEVELS`]) by `sex * 8 + diploma_band(age)`.
    pub(crate) diploma: Vec<Cdf>,
    /// PCS 1..=8 (as 0..=7) by `pcs_band(age)` (persons aged 15+).
    pub(crate) pcs: Vec<Cdf>,
}

impl Tables {
    /// Probability that a person of this age lives in a collective dwelling.
    pub(crate) fn collective_probability(&self, age: usize) -> f64 {
        f64::from(self.collective[age.min(104)]) / 4_294_967_296.0
    }

    /// Probability of the single-year offset `k` (0..5) within a 5-year age group: the
    /// generator takes the low 32 bits of a draw modulo 5, and 2^32 = 5 × 858,993,459 + 1,
    /// so offset 0 is 2^-32 more likely than the others.
    pub(crate) fn age_offset_probability(k: usize) -> f64 {
        let base = (1u64 << 32) / 5;
        (base + u64::from(k == 0)) as f64 / 4_294_967_296.0
    }

    pub(crate) fn new() -> Tables {
        let cells: Vec<f64> =
            MEN_AGE5_RP2018.iter().chain(&WOMEN_AGE5_RP2018).map(|&v| v as f64).collect();
        let total: f64 = cells.iter().sum();
        let age_share = |a: usize| (cells[a / 5] + cells[21 + a / 5]) / 5.0 / total;
        let minors: f64 = (0..18).map(age_share).sum();

        // Collective dwellings: share = 1 − household population / regional populations.
        let population: u64 = REGIONS.iter().map(|r| r.2).sum();
        let share = 1.0 - HOUSEHOLD_POP_TOTAL_RP2022 as f64 / population as f64;
        let rr = |a: usize| match a {
            0..=17 => 0.3,
            18..=24 => 3.0,
            25..=64 => 0.6,
            65..=79 => 0.8,
            80..=89 => 4.0,
            _ => 12.0,
        };
        let mean_rr: f64 = (0..105).map(|a| age_share(a.min(104)) * rr(a)).sum();
        let mut collective = [0u32; 105];
        for (a, c) in collective.iter_mut().enumerate() {
            *c = ((share / mean_rr * rr(a)).min(1.0) * u32::MAX as f64) as u32;
        }

        // Household types: children = persons − adults (2 in couples, 1 in single parents).
        let pop = HOUSEHOLD_POP_RP2022.map(|v| v as f64);
        let hh = HOUSEHOLDS_RP2022.map(|v| v as f64);
        let child_cc = pop[2] - 2.0 * hh[2];
        let child_sp = pop[3] - hh[3];
        let minors_hh = minors * HOUSEHOLD_POP_TOTAL_RP2022 as f64;
        let minors_cc = minors_hh * child_cc / (child_cc + child_sp);
        let minors_sp = minors_hh - minors_cc;
        let minor_type = Cdf::new(&[0.0, 0.0, minors_cc, minors_sp, 0.0]);
        let adult_type =
            Cdf::new(&[pop[0], pop[1], pop[2] - minors_cc, pop[3] - minors_sp, pop[4]]);
        let size_in_type = HOUSEHOLD_SIZE_DIST
            .iter()
            .map(|d| {
                Cdf::new(&d.iter().enumerate().map(|(s, p)| (s + 1) as f64 * p).collect::<Vec<_>>())
            })
            .collect();

        let mut diploma = Vec::new();
        for sex in 0..2 {
            for band in 0..8 {
                diploma.push(Cdf::new(&diploma_shares(sex, band)));
            }
        }
        let pcs = PCS8_BY_AGE_RP2022.iter().map(|row| Cdf::new(&row.map(|v| v as f64))).collect();
        Tables {
            sex_age5: Cdf::new(&cells),
            collective,
            minor_type,
            adult_type,
            size_in_type,
            diploma,
            pcs,
        }
    }
}

/// Diploma shares over [`DIPLOMA_LEVELS`] for a sex and an age band (<15, 15–17, 18–24,
/// 25–34, 35–44, 45–54, 55–64, 65+); see the module docs for the assumptions.
fn diploma_shares(sex: usize, band: usize) -> [f64; 6] {
    let eec = |b: usize| DIPLOMA_PCT_EEC2023[sex][b];
    let with_na = |s: [f64; 5]| [0.0, s[0], s[1], s[2], s[3], s[4]];
    match band {
        0 => [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        1 => [0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        2 => {
            let [none, cap, bac, b2, sup] = eec(0);
            with_na([none, cap, bac + sup / 2.0 + b2 / 3.0, b2 * 2.0 / 3.0, sup / 2.0])
        }
        3..=6 => with_na(eec(band - 3)),
        _ => {
            let s = eec(3);
            let others: f64 = s[1..].iter().sum();
            let k = (others - 15.0) / others;
            with_na([s[0] + 15.0, s[1] * k, s[2] * k, s[3] * k, s[4] * k])
        }
    }
}

pub(crate) fn diploma_band(age: u8) -> usize {
    match age {
        0..=14 => 0,
        15..=17 => 1,
        18..=24 => 2,
        25..=34 => 3,
        35..=44 => 4,
        45..=54 => 5,
        55..=64 => 6,
        _ => 7,
    }
}

pub(crate) fn age_group(age: u8) -> u8 {
    match age {
        0..=17 => 0,
        18..=29 => 1,
        30..=44 => 2,
        45..=59 => 3,
        60..=74 => 4,
        _ => 5,
    }
}

/// Age band of [`PCS8_AGE_LOWER`] (ages 15+; 0 below).
pub(crate) fn pcs_band(age: u8) -> usize {
    PCS8_AGE_LOWER.iter().rposition(|&l| age >= l).unwrap_or(0)
}

/// (first row after the block, region index, department index), rows sorted by region then
/// department.
fn geography_blocks(n: usize) -> Result<Vec<(usize, u8, u8)>> {
    let pops: Vec<f64> = REGIONS.iter().map(|r| r.2 as f64).collect();
    let total: f64 = pops.iter().sum();
    let x: Vec<f64> = pops.iter().map(|p| n as f64 * p / total).collect();
    let per_region = round_largest_remainder(&x, n as u64, &vec![n as u64; x.len()])?;
    let mut blocks = Vec::new();
    let (mut end, mut dept) = (0usize, 0u8);
    for (r, (&count, depts)) in per_region.iter().zip(DEPARTMENTS.iter()).enumerate() {
        let k = depts.len();
        let share = vec![count as f64 / k as f64; k];
        let per_dept = round_largest_remainder(&share, count, &vec![count; k])?;
        for c in per_dept {
            end += c as usize;
            blocks.push((end, r as u8, dept));
            dept += 1;
        }
    }
    Ok(blocks)
}

/// Mutable slices of one chunk of every column.
struct Job<'a> {
    chunk: usize,
    sex: &'a mut [u8],
    age: &'a mut [u8],
    age_group: &'a mut [u8],
    region: &'a mut [u8],
    department: &'a mut [u8],
    household_size: &'a mut [u8],
    diploma: &'a mut [u8],
    pcs: &'a mut [u8],
    dwelling: &'a mut [u8],
}

fn chunk_jobs(f: &mut PersonFrame) -> Vec<Job<'_>> {
    let mut cols: Vec<std::slice::ChunksMut<'_, u8>> = [
        &mut f.sex,
        &mut f.age,
        &mut f.age_group,
        &mut f.region,
        &mut f.department,
        &mut f.household_size,
        &mut f.diploma,
        &mut f.pcs,
        &mut f.dwelling,
    ]
    .into_iter()
    .map(|c| c.chunks_mut(CHUNK))
    .collect();
    let mut jobs = Vec::new();
    let mut chunk = 0;
    loop {
        let mut parts: Vec<&mut [u8]> = Vec::with_capacity(9);
        for c in cols.iter_mut() {
            match c.next() {
                Some(s) => parts.push(s),
                None => return jobs,
            }
        }
        let mut it = parts.into_iter();
        let mut next = || it.next().unwrap_or_default();
        jobs.push(Job {
            chunk,
            sex: next(),
            age: next(),
            age_group: next(),
            region: next(),
            department: next(),
            household_size: next(),
            diploma: next(),
            pcs: next(),
            dwelling: next(),
        });
        chunk += 1;
    }
}

fn fill_chunk(job: Job<'_>, t: &Tables, blocks: &[(usize, u8, u8)], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(job.chunk as u64);
    let first = job.chunk * CHUNK;
    let mut b = blocks.partition_point(|blk| blk.0 <= first);
    for i in 0..job.sex.len() {
        while blocks[b].0 <= first + i {
            b += 1;
        }
        job.region[i] = blocks[b].1;
        job.department[i] = blocks[b].2;

        let r1 = rng.next_u64();
        let cell = t.sex_age5.pick((r1 >> 32) as u32);
        let sex = (cell / 21) as u8;
        let age = ((cell % 21) * 5 + ((r1 & 0xffff_ffff) % 5) as usize) as u8;
        job.sex[i] = sex;
        job.age[i] = age;
        job.age_group[i] = age_group(age);

        let r2 = rng.next_u64();
        let collective = ((r2 >> 32) as u32) < t.collective[age as usize];
        job.dwelling[i] = u8::from(collective);
        let r3 = rng.next_u64();
        job.household_size[i] = if collective {
            0
        } else {
            let types = if age < 18 { &t.minor_type } else { &t.adult_type };
            let ty = types.pick(r2 as u32);
            t.size_in_type[ty].pick((r3 >> 32) as u32) as u8 + 1
        };
        job.diploma[i] = t.diploma[sex as usize * 8 + diploma_band(age)].pick(r3 as u32) as u8;
        let r4 = rng.next_u64() as u32;
        job.pcs[i] = if age < 15 { 0 } else { t.pcs[pcs_band(age)].pick(r4) as u8 + 1 };
    }
}
