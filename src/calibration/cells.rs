//! Cell-collapsed solve: when every margin is categorical (or the population total), x_k
//! depends on the row only through its cell of the cross-classification of all margins, so
//! g_k = F(x_kᵀλ) is constant within a cell and every sum over rows is a sum over cells
//! weighted by the cell's Σd. The problem is solved on the (few) cells and g mapped back to
//! the rows once.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::columns::{CHUNK, CellStats, Columns};
use crate::data::Factor;

/// Cell (or key) of a row in no cell: weight 0, or a missing code. The same missing code
/// as a [`Factor`]'s, a row's cell being a category of the cross-classification.
pub(crate) const NO_CELL: u32 = Factor::MISSING;

/// Largest cross-classification for which cells are indexed by a dense key array.
const DENSE_KEYS: u64 = 1 << 24;
/// Fixed number of row blocks whose per-cell sums are added in block order (deterministic
/// whatever the thread count), used when the cells are few enough.
const ACC_BLOCKS: usize = 16;
/// Largest n_cells × [`ACC_BLOCKS`] for the parallel accumulation.
const ACC_MAX: usize = 1 << 22;

/// Row → cell assignment of a collapsed problem.
#[derive(Debug, Clone)]
pub(crate) enum CellMap {
    /// Mixed-radix key of each row ([`NO_CELL`] for rows of weight 0) and key → cell.
    Dense { keys: Vec<u32>, slot: Vec<u32> },
    /// Cell of each row ([`NO_CELL`] for rows of weight 0).
    Rows { row_cell: Vec<u32> },
}

impl CellMap {
    /// Cell of row k ([`NO_CELL`] for rows of weight 0).
    #[inline]
    pub(crate) fn cell(&self, k: usize) -> u32 {
        match self {
            CellMap::Dense { keys, slot } => match keys[k] {
                NO_CELL => NO_CELL,
                key => slot[key as usize],
            },
            CellMap::Rows { row_cell } => row_cell[k],
        }
    }

    /// Row weights d_k g_{cell(k)}.
    pub fn weights(&self, d: &[f64], g_cell: &[f64]) -> Vec<f64> {
        let mut w = vec![0.0; d.len()];
        w.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
            for (i, wk) in out.iter_mut().enumerate() {
                let k = c * CHUNK + i;
                let cell = self.cell(k);
                if cell != NO_CELL {
                    *wk = d[k] * g_cell[cell as usize];
                }
            }
        });
        w
    }

    /// (Σd, Σd², rows) per cell, summed over fixed row blocks in block order.
    fn cell_sums(&self, d: &[f64], n_cells: usize) -> Vec<[f64; 3]> {
        blocked_sums(
            d.len(),
            n_cells,
            |k| {
                let c = self.cell(k);
                (c != NO_CELL).then_some(c as usize)
            },
            d,
        )
    }
}

/// Σd, Σd², rows per bin (`bin(k)` = None for rows of weight 0). Rows are cut into
/// [`ACC_BLOCKS`] fixed blocks summed in parallel and added in block order when the bins are
/// few enough ([`wave_sums`]); one interleaved [f64; 3] per bin keeps each update to one
/// cache line.
pub(crate) fn blocked_sums(
    n: usize,
    n_bins: usize,
    bin: impl Fn(usize) -> Option<usize> + Sync,
    d: &[f64],
) -> Vec<[f64; 3]> {
    let sums = |lo: usize, hi: usize, s: &mut [[f64; 3]]| {
        for (k, &w) in d.iter().enumerate().take(hi).skip(lo) {
            if let Some(b) = bin(k) {
                add_row(&mut s[b], w);
            }
        }
    };
    if n_bins * ACC_BLOCKS > ACC_MAX || n < ACC_BLOCKS * CHUNK {
        let mut s = vec![[0.0; 3]; n_bins];
        sums(0, n, &mut s);
        return s;
    }
    let block = n.div_ceil(ACC_BLOCKS);
    let ranges = (0..n.div_ceil(block)).map(|b| (b * block, ((b + 1) * block).min(n))).collect();
    wave_sums(ranges, n_bins, |(lo, hi), s| sums(lo, hi, s))
}

/// Adds a row of weight `w` to a bin's (Σd, Σd², rows).
#[inline]
fn add_row(e: &mut [f64; 3], w: f64) {
    e[0] += w;
    e[1] += w * w;
    e[2] += 1.0;
}

/// Per-bin sums of fixed row blocks (`blocks`, in order), added in block order: the first
/// block's table, then + the second's, + the third's …, the same floating-point operations
/// as summing every block into its own table and adding the tables in order, so the result
/// does not depend on the thread count. Blocks run in waves of the pool's thread count, each
/// into a table of its own that is reused (zeroed) by the next wave: (threads + 1) tables of
/// fresh memory instead of one per block (a fresh page costs a fault of ≈ 2.5 µs, 24 MB of
/// them for 16 blocks of the 62,400 cells of six margins).
fn wave_sums<B: Send>(
    blocks: Vec<B>,
    n_bins: usize,
    fill: impl Fn(B, &mut [[f64; 3]]) + Sync,
) -> Vec<[f64; 3]> {
    let threads = rayon::current_num_threads().max(1);
    let mut acc = vec![[0.0; 3]; n_bins];
    let mut spare: Vec<Vec<[f64; 3]>> = Vec::new();
    let mut blocks = blocks.into_iter();
    let (mut first, mut used) = (true, 0);
    loop {
        let wave: Vec<B> = blocks.by_ref().take(threads).collect();
        if wave.is_empty() {
            break;
        }
        // the first block of all sums straight into the accumulator (as its own table is
        // where the block-order additions start)
        let n_spare = wave.len() - usize::from(first);
        while spare.len() < n_spare {
            spare.push(vec![[0.0; 3]; n_bins]);
        }
        // tables added by an earlier wave start again from 0
        spare[..n_spare.min(used)].par_iter_mut().for_each(|s| s.fill([0.0; 3]));
        used = used.max(n_spare);
        {
            let mut tables: Vec<&mut Vec<[f64; 3]>> = Vec::with_capacity(wave.len());
            if first {
                tables.push(&mut acc);
            }
            tables.extend(spare.iter_mut().take(n_spare));
            wave.into_par_iter().zip(tables).for_each(|(b, s)| fill(b, s));
        }
        add_in_order(&mut acc, &spare[..n_spare]);
        first = false;
    }
    acc
}

/// acc += t for each table t in order, element by element (in parallel over bins: each
/// bin's additions keep their order).
fn add_in_order(acc: &mut [[f64; 3]], tables: &[Vec<[f64; 3]>]) {
    if tables.is_empty() {
        return;
    }
    const BINS: usize = 1 << 12;
    acc.par_chunks_mut(BINS).enumerate().for_each(|(c, a)| {
        for t in tables {
            for (a, p) in a.iter_mut().zip(&t[c * BINS..]) {
                a[0] += p[0];
                a[1] += p[1];
                a[2] += p[2];
            }
        }
    });
}

/// Collapses row-level columns (categorical margins and total only) into cells. `None` when
/// a numeric margin is present or the cross-classification has more than 2⁶⁴ combinations.
pub(crate) fn collapse(rows: &Columns<'_>) -> Option<(Columns<'static>, CellMap)> {
    if !rows.nums.is_empty() || rows.stats.is_some() {
        return None;
    }
    let sizes: Vec<u64> = level_counts(rows);
    let mut strides = Vec::with_capacity(sizes.len());
    let mut space: u64 = 1;
    for &s in &sizes {
        strides.push(space);
        space = space.checked_mul(s.max(1))?;
    }
    let (cell_keys, map, sums) = if space <= DENSE_KEYS {
        dense_cells(rows, &strides, space)
    } else {
        let (cell_keys, map) = hashed_cells(rows, &strides);
        let sums = map.cell_sums(&rows.d, cell_keys.len());
        (cell_keys, map, sums)
    };
    let d = sums.iter().map(|s| s[0]).collect();
    let d2 = sums.iter().map(|s| s[1]).collect();
    let count = sums.iter().map(|s| s[2]).collect();
    let cats = rows
        .cats
        .iter()
        .enumerate()
        .map(|(m, (off, _))| {
            let codes: Vec<u32> =
                cell_keys.iter().map(|key| ((key / strides[m]) % sizes[m]) as u32).collect();
            (*off, Cow::Owned(codes))
        })
        .collect();
    let cells = Columns {
        d: Cow::Owned(d),
        cats,
        nums: Vec::new(),
        intercept: rows.intercept,
        p: rows.p,
        stats: Some(CellStats { count, d2 }),
    };
    Some((cells, map))
}

/// Number of levels of each categorical margin (from the parameter offsets).
fn level_counts(rows: &Columns<'_>) -> Vec<u64> {
    let mut ends: Vec<usize> = rows.cats.iter().map(|(o, _)| *o).skip(1).collect();
    ends.push(rows.intercept.unwrap_or(rows.p).min(rows.p));
    rows.cats.iter().zip(ends).map(|((o, _), e)| (e - o) as u64).collect()
}

/// Mixed-radix key of row k.
#[inline]
fn key(rows: &Columns<'_>, strides: &[u64], k: usize) -> u64 {
    rows.cats.iter().zip(strides).map(|((_, codes), s)| codes[k] as u64 * s).sum()
}

/// Rows whose keys are computed together, margin by margin (a run of each code column).
const KEY_RUN: usize = 1 << 11;

/// Keys of rows `lo..lo + out.len()` into `out` ([`NO_CELL`] for weight 0), computed a run
/// of rows at a time, column by column; `sums` (Σd, Σd², rows per key) updated in row
/// order. The key space fits `u32` ([`DENSE_KEYS`]), so a wrapping `u32` key equals the
/// exact one for rows with codes in range (those of positive weight, as checked); the
/// others (a missing code) get [`NO_CELL`].
fn fill_keys(
    rows: &Columns<'_>,
    strides: &[u32],
    lo: usize,
    out: &mut [u32],
    mut sums: Option<&mut [[f64; 3]]>,
) {
    for (r, run) in out.chunks_mut(KEY_RUN).enumerate() {
        let start = lo + r * KEY_RUN;
        let d = &rows.d[start..start + run.len()];
        run.fill(0);
        for ((_, codes), &s) in rows.cats.iter().zip(strides) {
            let codes = &codes[start..start + run.len()];
            run.iter_mut().zip(codes).for_each(|(k, &c)| *k = k.wrapping_add(c.wrapping_mul(s)));
        }
        for (k, &w) in run.iter_mut().zip(d) {
            if w > 0.0 {
                if let Some(s) = sums.as_deref_mut() {
                    add_row(&mut s[*k as usize], w);
                }
            } else {
                *k = NO_CELL;
            }
        }
    }
}

/// Cells numbered in increasing key order (deterministic whatever the row order), keys
/// indexing a dense array; returns the per-cell sums too. Sums are accumulated straight by
/// key (no cell lookup) when the key space is small, else after numbering the cells.
fn dense_cells(
    rows: &Columns<'_>,
    strides: &[u64],
    space: u64,
) -> (Vec<u64>, CellMap, Vec<[f64; 3]>) {
    let space = space as usize;
    let (keys, by_key) = keys_and_sums(rows, strides, space);
    let mut slot = vec![NO_CELL; space];
    match &by_key {
        Some(s) => {
            s.iter().zip(slot.iter_mut()).filter(|(s, _)| s[2] > 0.0).for_each(|(_, x)| *x = 0)
        }
        None => keys.iter().filter(|&&k| k != NO_CELL).for_each(|&k| slot[k as usize] = 0),
    }
    let mut cell_keys = Vec::new();
    for (k, s) in slot.iter_mut().enumerate() {
        if *s == 0 {
            *s = cell_keys.len() as u32;
            cell_keys.push(k as u64);
        }
    }
    let map = CellMap::Dense { keys, slot };
    let sums = match by_key {
        Some(s) => cell_keys.iter().map(|&k| s[k as usize]).collect(),
        None => map.cell_sums(&rows.d, cell_keys.len()),
    };
    (cell_keys, map, sums)
}

/// Key of every row ([`NO_CELL`] for weight 0) and, when the key space is small enough,
/// Σd, Σd², rows per key in the same pass (fixed row blocks added in block order).
fn keys_and_sums(
    rows: &Columns<'_>,
    strides: &[u64],
    space: usize,
) -> (Vec<u32>, Option<Vec<[f64; 3]>>) {
    let n = rows.len();
    let strides: Vec<u32> = strides.iter().map(|&s| s as u32).collect();
    // zeroed memory: its pages are first touched by the threads that fill them
    let mut keys = vec![0; n];
    if space * ACC_BLOCKS > ACC_MAX {
        keys.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, out)| fill_keys(rows, &strides, c * CHUNK, out, None));
        return (keys, None);
    }
    let block = if n < ACC_BLOCKS * CHUNK { n.max(1) } else { n.div_ceil(ACC_BLOCKS) };
    let blocks: Vec<(usize, &mut [u32])> = keys.chunks_mut(block).enumerate().collect();
    let sums =
        wave_sums(blocks, space, |(b, out), s| fill_keys(rows, &strides, b * block, out, Some(s)));
    (keys, Some(sums))
}

/// Same for cross-classifications too large for a dense key array.
fn hashed_cells(rows: &Columns<'_>, strides: &[u64]) -> (Vec<u64>, CellMap) {
    let keys: Vec<u64> = (0..rows.len())
        .into_par_iter()
        .map(|k| if rows.d[k] > 0.0 { key(rows, strides, k) } else { u64::MAX })
        .collect();
    let mut cell_keys: Vec<u64> = keys.iter().copied().filter(|&k| k != u64::MAX).collect();
    cell_keys.par_sort_unstable();
    cell_keys.dedup();
    let index: HashMap<u64, u32> =
        cell_keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    let row_cell = keys.par_iter().map(|k| index.get(k).copied().unwrap_or(NO_CELL)).collect();
    (cell_keys, CellMap::Rows { row_cell })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// 600,000 rows (more than [`ACC_BLOCKS`] × [`CHUNK`], so the rows are cut into 16
    /// blocks) on margins of 7, 11 and 13 levels; weights spread over 12 orders of magnitude
    /// (so the order of the additions shows in the last bits), a tenth of them 0 with a
    /// missing code on some.
    fn rows() -> Columns<'static> {
        let n = 600_000;
        let mut rng = ChaCha8Rng::seed_from_u64(14);
        let d: Vec<f64> = (0..n)
            .map(|_| {
                if rng.random_range(0..10) == 0 {
                    0.0
                } else {
                    10f64.powf(rng.random_range(-6.0..6.0))
                }
            })
            .collect();
        let (cats, off) =
            crate::calibration::columns::random_codes(&mut rng, &d, &[7, 11, 13], |rng, k| {
                d[k] == 0.0 && rng.random_range(0..2) == 0
            });
        Columns { d: Cow::Owned(d), cats, nums: Vec::new(), intercept: None, p: off, stats: None }
    }

    /// The former accumulation: one table per fixed row block, the tables added in block
    /// order.
    fn per_block_tables(rows: &Columns<'_>, strides: &[u64], space: usize) -> Vec<[f64; 3]> {
        let n = rows.len();
        let block = n.div_ceil(ACC_BLOCKS);
        let mut parts = Vec::new();
        for b in 0..ACC_BLOCKS {
            let mut s = vec![[0.0; 3]; space];
            for k in b * block..((b + 1) * block).min(n) {
                let w = rows.d[k];
                if w > 0.0 {
                    let e = &mut s[key(rows, strides, k) as usize];
                    e[0] += w;
                    e[1] += w * w;
                    e[2] += 1.0;
                }
            }
            parts.push(s);
        }
        let mut acc = parts[0].clone();
        for part in &parts[1..] {
            for (a, p) in acc.iter_mut().zip(part) {
                a[0] += p[0];
                a[1] += p[1];
                a[2] += p[2];
            }
        }
        acc
    }

    fn bits(s: &[[f64; 3]]) -> Vec<[u64; 3]> {
        s.iter().map(|e| e.map(f64::to_bits)).collect()
    }

    #[test]
    fn wave_accumulation_equals_the_per_block_tables_whatever_the_threads() {
        let rows = rows();
        let strides = [1u64, 7, 77];
        let space = 7 * 11 * 13;
        let expected = bits(&per_block_tables(&rows, &strides, space));
        let expected_keys: Vec<u32> = (0..rows.len())
            .map(|k| if rows.d[k] > 0.0 { key(&rows, &strides, k) as u32 } else { NO_CELL })
            .collect();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (keys, sums) = pool.install(|| keys_and_sums(&rows, &strides, space));
            assert!(keys == expected_keys, "keys with {threads} thread(s)");
            assert!(bits(&sums.unwrap()) == expected, "sums with {threads} thread(s)");
            let d = &rows.d;
            let by_bin = pool.install(|| {
                blocked_sums(
                    rows.len(),
                    space,
                    |k| (d[k] > 0.0).then_some(expected_keys[k] as usize),
                    d,
                )
            });
            assert!(bits(&by_bin) == expected, "blocked_sums with {threads} thread(s)");
        }
    }

    #[test]
    fn wave_accumulation_of_few_rows_is_one_block() {
        let rows = rows();
        let few = Columns {
            d: Cow::Owned(rows.d[..1000].to_vec()),
            cats: rows.cats.iter().map(|(o, c)| (*o, Cow::Owned(c[..1000].to_vec()))).collect(),
            ..rows.clone()
        };
        let strides = [1u64, 7, 77];
        let (keys, sums) = keys_and_sums(&few, &strides, 1001);
        let sums = sums.unwrap();
        let mut expected = vec![[0.0; 3]; 1001];
        for k in 0..1000 {
            if few.d[k] > 0.0 {
                assert_eq!(keys[k] as u64, key(&few, &strides, k));
                add_row(&mut expected[keys[k] as usize], few.d[k]);
            } else {
                assert_eq!(keys[k], NO_CELL);
            }
        }
        assert!(bits(&sums) == bits(&expected));
    }
}
