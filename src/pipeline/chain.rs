//! The weighting chain of a pipeline, in memory: sample (or input) → collection →
//! nonresponse → calibration → replicates redoing nonresponse and calibration.
//!
//! [`World`] holds what does not change between runs (the frame and, when synthetic, the
//! survey population); [`weigh`] runs the chain once for a seed. `ponder run` calls it
//! once, `ponder simulate` K times on one world.

use super::Progress;
use super::steps::{
    DrawnSample, SampleReport, add_nonresponse_columns, adjust_nonresponse, draw_sample,
    frame_label,
};
use crate::bind::calibration::{self as bind_calibration, Replicates};
use crate::calibration::Calibration;
use crate::config::calibrate::CalibrationConfig;
use crate::config::nonresponse::NonresponseConfig;
use crate::config::pipeline::CalibrationStep;
use crate::config::pipeline::{PipelineConfig, ReplicateStep, Start, TotalSource};
use crate::config::sample::FrameSource;
use crate::data::{ColumnData, Table};
use crate::design::{Design, DesignSpec, Numeric, WeightSource};
use crate::error::{Error, Result};
use crate::nonresponse::{Adjustment, ReplicateAdjustment};
use crate::simulate::survey::Population;
use crate::simulate::{
    Disputes, PersonFrame, collection, generate_disputes, generate_frame, survey,
};
use crate::variance::replicates::{ReplicateKind, generate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::time::Instant;

/// The frame (and synthetic population) a pipeline draws from.
pub struct World {
    /// The frame as a table (empty for an `input` pipeline).
    pub table: Table,
    /// The synthetic register, when the frame is synthetic.
    pub frame: Option<PersonFrame>,
    /// Survey answers and behaviour of every register person (synthetic frame only).
    pub population: Option<Population>,
    /// Every register person's civil disputes (synthetic collection with a `disputes:` or
    /// `dispute_models:` file only).
    pub disputes: Option<Disputes>,
    /// How the frame was obtained.
    pub label: String,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "World({}, {} rows)", self.label, self.table.n_rows())
    }
}

impl World {
    /// Builds the frame of the pipeline's sample design (or `frame`, replacing it), and the
    /// synthetic survey population when the frame is synthetic and the pipeline collects.
    ///
    /// # Errors
    /// An unreadable frame; a synthetic collection on a frame file.
    pub fn load(cfg: &PipelineConfig, frame: Option<&PathBuf>) -> Result<World> {
        let sample = match &cfg.start {
            Start::Sample(sample) => sample,
            Start::Input(path) => {
                return Ok(World {
                    table: Table::read(path)?,
                    frame: None,
                    population: None,
                    disputes: None,
                    label: path.display().to_string(),
                });
            }
        };
        let source = match (frame, &sample.frame) {
            (Some(f), _) => FrameSource::File(f.clone()),
            (None, Some(s)) => s.clone(),
            (None, None) => {
                return Err(Error::data(
                    &sample.file,
                    "no frame: give `frame:` in the design or --frame",
                ));
            }
        };
        let label = frame_label(&source);
        match source {
            FrameSource::File(f) => {
                if cfg.collection.is_some() {
                    return Err(Error::data(
                        &cfg.file,
                        format!(
                            "the synthetic `collection` step needs the synthetic register; the frame is the file {}",
                            f.display()
                        ),
                    ));
                }
                let table = Table::read(&f)?;
                Ok(World { table, frame: None, population: None, disputes: None, label })
            }
            FrameSource::Synthetic { rows, seed } => {
                let frame = generate_frame(rows, seed)?;
                // Independent: the table (mostly one thread) and the survey population.
                let (table, population) = rayon::join(
                    || super::frame_table(&frame),
                    || cfg.collection.as_ref().map(|_| survey::generate_population(&frame, seed)),
                );
                let disputes = population
                    .as_ref()
                    .filter(|_| super::disputes::wanted(cfg))
                    .map(|p| generate_disputes(&frame, p, seed));
                Ok(World { table: table?, frame: Some(frame), population, disputes, label })
            }
        }
    }
}

/// What one pass of the chain produced.
#[derive(Debug)]
pub struct Weighted {
    /// The sample with every added column (collection, weights, final replicate weights).
    pub table: Table,
    /// The sample as field work returns it (design and collection columns, no correction
    /// yet): what an `input` step reads. Synthetic collections only.
    pub collected: Option<Table>,
    /// The frame rows of the sample, in the table's order (empty for an `input` pipeline).
    pub rows: Vec<usize>,
    /// The draw (None for an `input` pipeline).
    pub sample: Option<SampleReport>,
    /// In-scope frame units (drawn samples).
    pub n_in_scope: Option<usize>,
    /// Nonresponse adjustment.
    pub nonresponse: Option<Adjustment>,
    /// Calibration, its problem's input weights and the population total used.
    pub calibration: Option<(Calibration, Vec<f64>)>,
    /// Population total the calibration used (after any `population_total` replacement).
    pub population_total: Option<f64>,
    /// Replicate weights of every step (design, nonresponse, calibration), by step.
    pub replicates: Vec<(&'static str, Vec<Vec<f64>>)>,
    /// Seconds per step.
    pub timings: Vec<(&'static str, f64)>,
    /// What a reader should know.
    pub notes: Vec<String>,
}

/// Options of one pass.
#[derive(Debug, Clone, Default)]
pub struct PassOptions {
    /// Master seed (sample: the seed itself; collection and replicates: their own streams).
    pub seed: u64,
    /// Replaces the replicate count of the pipeline.
    pub replicates: Option<usize>,
    /// Keep the replicate columns of every step in the table (simulation), not only the last.
    pub all_replicate_columns: bool,
    /// Replaces the calibration margins (simulation: the synthetic population's own totals).
    pub calibration: Option<CalibrationConfig>,
}

/// A generator on its own stream of the master seed (0 = sample, as `ponder sample`).
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Runs the chain once.
///
/// # Errors
/// Any step's error, prefixed by nothing: messages already name file, column and fix.
pub fn weigh(
    cfg: &PipelineConfig,
    world: &World,
    opts: &PassOptions,
    ui: &dyn Progress,
) -> Result<Weighted> {
    let (mut pass, rows) = Pass::start(cfg, world, opts, ui)?;
    pass.collect(cfg, world, opts, &rows)?;
    pass.replicates(cfg, opts)?;
    if let Some(nr) = &cfg.nonresponse {
        pass.nonresponse(nr)?;
    }
    if let Some(step) = &cfg.calibration {
        pass.calibrate(step, opts)?;
    }
    pass.finish(cfg, opts)
}

/// The state of one pass between steps: what the steps produced so far, and the current
/// weights (column name, full-sample values, replicate values) the next step starts from.
struct Pass<'a> {
    out: Weighted,
    current: (String, Vec<f64>, Vec<Vec<f64>>),
    clock: Instant,
    ui: &'a dyn Progress,
}

impl<'a> Pass<'a> {
    /// The sample step (drawn, or the input file as is); also returns the frame rows drawn.
    fn start(
        cfg: &PipelineConfig,
        world: &World,
        opts: &PassOptions,
        ui: &'a dyn Progress,
    ) -> Result<(Pass<'a>, Vec<usize>)> {
        let clock = Instant::now();
        let mut notes = Vec::new();
        let (table, sample, n_in_scope, rows) = match &cfg.start {
            Start::Sample(s) => {
                let mut rng = stream(opts.seed, 0);
                let DrawnSample { table, rows, n_in_scope, report, .. } =
                    draw_sample(s, &world.table, world.label.clone(), opts.seed, &mut rng, None)?;
                notes.extend(report.draw.notes.iter().cloned());
                (table, Some(report), Some(n_in_scope), rows)
            }
            Start::Input(_) => (world.table.clone(), None, None, Vec::new()),
        };
        let out = Weighted {
            table,
            collected: None,
            rows: rows.clone(),
            sample,
            n_in_scope,
            nonresponse: None,
            calibration: None,
            population_total: None,
            replicates: Vec::new(),
            timings: Vec::new(),
            notes,
        };
        let mut pass = Pass { out, current: Default::default(), clock, ui };
        pass.lap("sample");
        Ok((pass, rows))
    }

    /// Records the time of the step just done (and says it).
    fn lap(&mut self, name: &'static str) {
        let secs = self.clock.elapsed().as_secs_f64();
        self.ui.say(&format!("{name}: {secs:.2} s"));
        self.out.timings.push((name, secs));
        self.clock = Instant::now();
    }

    /// The synthetic field work (synthetic frames only), then the collected file's copy.
    fn collect(
        &mut self,
        cfg: &PipelineConfig,
        world: &World,
        opts: &PassOptions,
        rows: &[usize],
    ) -> Result<()> {
        if let (Some(model), Some(frame), Some(pop)) =
            (&cfg.collection, &world.frame, &world.population)
        {
            let mut rng = stream(opts.seed, 1);
            let got = collection::collect(pop, frame, rows, &model.into(), &mut rng);
            for (name, col) in collection::survey_columns(pop, rows, &got) {
                self.out.table.add_column(&name, col)?;
            }
            self.lap("collection");
        }
        self.out.collected = cfg.collection.as_ref().map(|_| self.out.table.clone());
        Ok(())
    }

    /// The design weights and their replicates, which every later step redoes.
    fn replicates(&mut self, cfg: &PipelineConfig, opts: &PassOptions) -> Result<()> {
        let design_col = cfg.design_weight().to_string();
        let d = self.out.table.numeric(&design_col)?;
        let reps = match &cfg.replicates {
            Some(r) => design_replicates(r, &self.out.table, &d, opts, cfg)?,
            None => Vec::new(),
        };
        self.current = (design_col, d, reps);
        self.lap("replicates");
        Ok(())
    }

    /// The name of the step whose weights are current.
    fn current_step(&self) -> &'static str {
        if self.out.calibration.is_some() {
            "calibration"
        } else if self.out.nonresponse.is_some() {
            "nonresponse"
        } else {
            "design"
        }
    }

    /// Makes `next` the current weights; the previous step's replicates are kept.
    fn advance(&mut self, next: (String, Vec<f64>, Vec<Vec<f64>>)) {
        let step = self.current_step();
        let prev = std::mem::replace(&mut self.current, next);
        self.out.replicates.push((step, prev.2));
    }

    /// The nonresponse correction of the current weights and of each replicate.
    fn nonresponse(&mut self, nr: &NonresponseConfig) -> Result<()> {
        let named: Vec<(String, Vec<f64>)> = (1..=self.current.2.len())
            .map(|k| format!("rep_{k}"))
            .zip(self.current.2.iter().cloned())
            .collect();
        let (adj, rep_adj) = adjust_nonresponse(nr, &self.out.table, &self.current.1, &named)?;
        add_nonresponse_columns(&mut self.out.table, &nr.output, &adj, None)?;
        let rep_w = rep_adj.map(|r: ReplicateAdjustment| {
            self.out.notes.extend(r.notes);
            r.weights
        });
        let next = (nr.output.clone(), adj.weights.clone(), rep_w.unwrap_or_default());
        self.advance(next);
        self.out.nonresponse = Some(adj);
        self.lap("nonresponse");
        Ok(())
    }

    /// The calibration of the current weights and of each replicate.
    fn calibrate(&mut self, step: &CalibrationStep, opts: &PassOptions) -> Result<()> {
        let (c, total) = calibration_spec(step, opts, self.out.n_in_scope);
        let given = Replicates::Given(&self.current.2);
        let out = bind_calibration::run(c, &self.out.table, self.current.1.clone(), given, total)?;
        self.out.population_total = out.population_total;
        let cal = out.calibration;
        let rep_w = out.replicates.into_iter().map(|r| r.weights).collect();
        self.out.table.add_column(&c.output, ColumnData::from_f64(&cal.weights))?;
        self.advance((c.output.clone(), cal.weights.clone(), rep_w));
        self.out.calibration = Some((cal, out.problem.weights().to_vec()));
        self.lap("calibration");
        Ok(())
    }

    /// The last step's replicates, the replicate columns, and the pass's result.
    fn finish(mut self, cfg: &PipelineConfig, opts: &PassOptions) -> Result<Weighted> {
        let step = self.current_step();
        let last = std::mem::take(&mut self.current.2);
        self.out.replicates.push((step, last));
        add_replicate_columns(
            &mut self.out.table,
            cfg,
            &self.out.replicates,
            opts.all_replicate_columns,
        )?;
        self.lap("replicate columns");
        Ok(self.out)
    }
}

/// The calibration spec of a pass (the pass's own margins, or the step's) and the
/// population total replacing the spec's (`population_total: N | frame` of the step; never
/// with the pass's own margins).
fn calibration_spec<'a>(
    step: &'a CalibrationStep,
    opts: &'a PassOptions,
    n_in_scope: Option<usize>,
) -> (&'a CalibrationConfig, Option<f64>) {
    if let Some(c) = &opts.calibration {
        return (c, None);
    }
    let total = match step.population_total {
        TotalSource::Config => None,
        TotalSource::Value(v) => Some(v),
        TotalSource::Frame => n_in_scope.map(|n| n as f64),
    };
    (&step.config, total)
}

/// Bootstrap (Rao–Wu) replicates of the design weights, strata from the sample step.
fn design_replicates(
    r: &ReplicateStep,
    table: &Table,
    d: &[f64],
    opts: &PassOptions,
    cfg: &PipelineConfig,
) -> Result<Vec<Vec<f64>>> {
    let strata = crate::bind::design::categorical(table, &r.strata).map_err(|e| {
        Error::data(&cfg.file, format!("replicates: strata column `{}`: {e}", r.strata))
    })?;
    let spec = DesignSpec {
        weights: WeightSource::Weights(Numeric::new(&r.weight, d.to_vec())),
        strata: Some(strata),
        clusters: Vec::new(),
        fpc: Vec::new(),
        nest: false,
        lonely_psu: crate::design::LonelyPsu::Fail,
        pps_variance: crate::design::PpsVariance::default(),
        certainty: None,
    };
    let design = Design::new(spec)?;
    let mut rng = match r.seed {
        Some(s) => ChaCha8Rng::seed_from_u64(s),
        None => stream(opts.seed, 2),
    };
    let count = opts.replicates.unwrap_or(r.count);
    let generated = generate(&design, ReplicateKind::Bootstrap, Some(count), false, &mut rng)?;
    Ok(generated.design.replicate_weights().to_vec())
}

/// Appends `<weight>_rep_k` columns: of the last step only, or of every step.
fn add_replicate_columns(
    table: &mut Table,
    cfg: &PipelineConfig,
    replicates: &[(&'static str, Vec<Vec<f64>>)],
    all: bool,
) -> Result<()> {
    let n = replicates.len();
    for (i, (step, reps)) in replicates.iter().enumerate() {
        if !all && i + 1 < n {
            continue;
        }
        let base = step_weight(cfg, step);
        for (k, w) in reps.iter().enumerate() {
            table.add_column(&format!("{base}_rep_{}", k + 1), ColumnData::from_f64(w))?;
        }
    }
    Ok(())
}

/// The weight column written by a step (`design`, `nonresponse`, `calibration`).
pub fn step_weight<'a>(cfg: &'a PipelineConfig, step: &str) -> &'a str {
    match step {
        "nonresponse" => cfg.nonresponse.as_ref().map_or("", |n| n.output.as_str()),
        "calibration" => cfg.calibration.as_ref().map_or("", |c| c.config.output.as_str()),
        _ => cfg.design_weight(),
    }
}
