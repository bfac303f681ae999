//! Parquet outputs (issue 14): every codec writes a file that reads back to the same values,
//! bit for bit; ponder's parallel writer writes the bytes of polars' own writer; the codec is
//! chosen with `--parquet-compression` (LZ4 by default) and recorded in the file's footer;
//! `ponder estimate` and `ponder model` reading only the named columns of a Parquet file
//! give the bytes they give from the same data as CSV (read whole).

use crate::common::{Scratch, fixture, stderr};
use polars::prelude::*;
use ponder::data::{ColumnData, ParquetCodec, Table, WriteOptions, parquet_codecs_of};
use std::path::Path;

const CODECS: [(ParquetCodec, &str); 4] = [
    (ParquetCodec::Uncompressed, "uncompressed"),
    (ParquetCodec::Lz4, "lz4raw"),
    (ParquetCodec::Snappy, "snappy"),
    (ParquetCodec::Zstd, "zstd"),
];

/// Floats at the edges (−0, subnormal, the largest, missing), integers, text with missing
/// values and non-ASCII, flags, coded text; `rows` rows.
fn awkward_table(rows: usize) -> Table {
    let edge = [0.0, -0.0, 5e-324, f64::MAX, -1.5e-300, 0.1 + 0.2, 1.0 / 3.0];
    let f: Vec<Option<f64>> = (0..rows)
        .map(|i| {
            let x = edge[i % edge.len()];
            (i % 11 != 5).then_some(if x.abs() > 1e300 { x } else { x * (i as f64 + 1.0) })
        })
        .collect();
    let int: Vec<Option<i64>> =
        (0..rows).map(|i| (i % 13 != 3).then_some(i as i64 * 7_919 - 1_000_000)).collect();
    let text: Vec<Option<String>> =
        (0..rows).map(|i| (i % 7 != 0).then(|| format!("é{}", i % 17))).collect();
    let flags: Vec<Option<bool>> = (0..rows).map(|i| Some(i % 3 == 0)).collect();
    let codes: Vec<u32> = (0..rows).map(|i| (i % 4) as u32).collect();
    let levels = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    Table::from_columns(vec![
        ("f".into(), ColumnData::F64(f)),
        ("i".into(), ColumnData::I64(int)),
        ("s".into(), ColumnData::Str(text)),
        ("b".into(), ColumnData::Bool(flags)),
        ("c".into(), ColumnData::Coded { codes, levels }),
    ])
    .unwrap()
}

fn bits(t: &Table, name: &str) -> Vec<Option<u64>> {
    t.numeric_opt(name).unwrap().into_iter().map(|v| v.map(f64::to_bits)).collect()
}

fn assert_same_values(a: &Table, b: &Table) {
    assert_eq!(a.column_names(), b.column_names());
    for name in ["f", "i"] {
        assert_eq!(bits(a, name), bits(b, name), "column {name}");
    }
    for name in ["s", "b", "c"] {
        let (x, y) = (a.factor(name).unwrap(), b.factor(name).unwrap());
        assert_eq!((x.codes, x.levels), (y.codes, y.levels), "column {name}");
    }
}

/// The file polars' `ParquetWriter::finish` writes for the frame of `file`.
fn polars_bytes(file: &Path, codec: ParquetCompression) -> Vec<u8> {
    let mut df = ParquetReader::new(std::fs::File::open(file).unwrap()).finish().unwrap();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).with_compression(codec).finish(&mut df).unwrap();
    buf
}

#[test]
fn every_codec_reads_back_the_same_values_as_polars_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    // 300,000 rows: two row groups (polars splits at 262,144)
    for rows in [1, 300_000] {
        let table = awkward_table(rows);
        let csv = dir.path().join("t.csv");
        table.write(&csv).unwrap();
        let reference = Table::read(&csv).unwrap();
        for (codec, footer) in CODECS {
            let path = dir.path().join(format!("t_{}.parquet", codec.name()));
            table.write_with(&path, &WriteOptions::parquet(codec)).unwrap();
            assert_eq!(parquet_codecs_of(&path).unwrap(), [footer], "{rows} rows");
            let back = Table::read(&path).unwrap();
            assert_eq!(back.n_rows(), rows);
            assert_same_values(&table_read_back(&table, dir.path()), &back);
            assert_same_values(&reference, &back);
            let polars_codec = match codec {
                ParquetCodec::Uncompressed => ParquetCompression::Uncompressed,
                ParquetCodec::Lz4 => ParquetCompression::Lz4Raw,
                ParquetCodec::Snappy => ParquetCompression::Snappy,
                ParquetCodec::Zstd => ParquetCompression::Zstd(None),
            };
            let ours = std::fs::read(&path).unwrap();
            assert!(ours == polars_bytes(&path, polars_codec), "{} {rows} rows", codec.name());
        }
    }
    // the default is LZ4
    let path = dir.path().join("default.parquet");
    awkward_table(10).write(&path).unwrap();
    assert_eq!(parquet_codecs_of(&path).unwrap(), ["lz4raw"]);
}

/// The table as read back from a Parquet file of today's codec (zstd): the values any
/// codec must give.
fn table_read_back(table: &Table, dir: &Path) -> Table {
    let path = dir.join("zstd_reference.parquet");
    table.write_with(&path, &WriteOptions::parquet(ParquetCodec::Zstd)).unwrap();
    Table::read(&path).unwrap()
}

fn replicates(s: &Scratch, out: &str, flags: &[&str]) {
    s.write("d.yaml", "design:\n  weight: pw\n  strata: stype\n");
    let data = fixture("P08b_jkn_strat", "data.csv");
    let mut args = vec!["replicates", "-q", "-d", "d.yaml", "-i", &data, "-o", out];
    args.extend(["-t", "bootstrap", "-R", "20", "--seed", "3"]);
    args.extend(flags);
    let o = s.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn the_flag_chooses_the_codec_of_parquet_outputs_only() {
    let s = Scratch::new();
    replicates(&s, "default.parquet", &[]);
    replicates(&s, "zstd.parquet", &["--parquet-compression", "zstd"]);
    // a global option: also before the subcommand
    let data = fixture("P08b_jkn_strat", "data.csv");
    let o = s.run(&[
        "--parquet-compression",
        "none",
        "replicates",
        "-q",
        "-d",
        "d.yaml",
        "-i",
        &data,
        "-o",
        "none.parquet",
        "-t",
        "bootstrap",
        "-R",
        "20",
        "--seed",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let codec = |f: &str| parquet_codecs_of(&s.path(f)).unwrap();
    assert_eq!(codec("default.parquet"), ["lz4raw"]);
    assert_eq!(codec("zstd.parquet"), ["zstd"]);
    assert_eq!(codec("none.parquet"), ["uncompressed"]);
    let (a, b) = (
        Table::read(&s.path("default.parquet")).unwrap(),
        Table::read(&s.path("zstd.parquet")).unwrap(),
    );
    for name in a.column_names().iter().filter(|n| n.starts_with("rep_") || *n == "pw") {
        let to_bits = |t: &Table| -> Vec<u64> {
            t.numeric(name).unwrap().into_iter().map(f64::to_bits).collect()
        };
        assert_eq!(to_bits(&a), to_bits(&b), "{name}");
    }
    // a CSV output ignores the codec: the same bytes
    replicates(&s, "plain.csv", &[]);
    replicates(&s, "flagged.csv", &["--parquet-compression", "zstd"]);
    assert!(
        std::fs::read(s.path("plain.csv")).unwrap()
            == std::fs::read(s.path("flagged.csv")).unwrap()
    );
}

#[test]
fn an_unknown_codec_is_a_usage_error_listing_the_codecs() {
    let s = Scratch::new();
    let o = s.run(&[
        "--parquet-compression",
        "gzip",
        "replicates",
        "-d",
        "d.yaml",
        "-i",
        "in.csv",
        "-o",
        "out.parquet",
        "-t",
        "bootstrap",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for needle in ["gzip", "none", "lz4", "snappy", "zstd"] {
        assert!(err.contains(needle), "{err}");
    }
    let help = s.run(&["calibrate", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--parquet-compression"));
    // each codec listed with what it is for
    for codec in ParquetCodec::ALL {
        assert!(help.contains(codec.about()), "{} not described: {help}", codec.name());
    }
}

#[test]
fn codecs_are_named_as_on_the_command_line() {
    for codec in ParquetCodec::ALL {
        assert_eq!(codec.name().parse::<ParquetCodec>(), Ok(codec));
    }
    let e = "gzip".parse::<ParquetCodec>().unwrap_err();
    assert_eq!(e, "unknown Parquet codec `gzip`: use one of none, lz4, snappy, zstd");
    assert_eq!(ParquetCodec::default(), ParquetCodec::Lz4);
}

/// Every command writing a data file honours the flag: calibrate, nonresponse, sample,
/// export, and estimate and model with a `.parquet` output (replicates and run above);
/// simulate writes CSV, Markdown and JSON only.
#[test]
fn every_command_writing_parquet_honours_the_flag() {
    let s = Scratch::new();
    let snappy = |f: &str| {
        assert_eq!(parquet_codecs_of(&s.path(f)).unwrap(), ["snappy"], "{f}");
    };
    let ok = |args: &[&str]| {
        let flagged = [&["-q", "--parquet-compression", "snappy"][..], args].concat();
        let o = s.run(&flagged);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    };
    s.write("in.csv", "id,sex,d\n1,1,10\n2,1,10\n3,2,10\n4,2,10\n");
    s.write(
        "c.yaml",
        "weight: d\noutput: w\nmargins:\n  - variable: sex\n    totals: {1: 24, 2: 16}\n",
    );
    ok(&["calibrate", "-c", "c.yaml", "-i", "in.csv", "-o", "cal.parquet"]);
    snappy("cal.parquet");
    s.write(
        "e.yaml",
        "design:\n  weight: w\nestimates:\n  - {name: n, stat: total, variable: d}\n",
    );
    ok(&["estimate", "-c", "e.yaml", "-i", "cal.parquet", "-o", "est.parquet"]);
    snappy("est.parquet");
    s.write("m.yaml", "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\nmodels:\n  - {name: m, family: gaussian, response: api00, terms: [ell]}\n");
    let glm = fixture("P14b_glm_logistic_clus1", "data.csv");
    ok(&["model", "-c", "m.yaml", "-i", &glm, "-o", "models.parquet"]);
    snappy("models.parquet");
    s.write("n.yaml", "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [stype]\n");
    let data = fixture("P11a_nonresponse_rhg", "data.csv");
    ok(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "nr.parquet"]);
    snappy("nr.parquet");
    s.write("frame.csv", "id,h\n1,a\n2,a\n3,a\n4,b\n5,b\n6,b\n");
    s.write("d.yaml", "strata: [h]\nn: 4\nallocation: {method: proportional, min: 1}\nselection: {method: srswor}\nseed: 3\n");
    ok(&["sample", "-d", "d.yaml", "-f", "frame.csv", "-o", "s.parquet"]);
    snappy("s.parquet");
    let export = fixture("export", "export.yaml");
    let weighted = fixture("export", "weighted.csv");
    ok(&["export", "-c", &export, "-i", &weighted, "--out", "pkg"]);
    snappy("pkg/data.parquet");
}

const ESTIMATES: &str = "design:
  weight: pw
  strata: stype
  replicates: {columns: \"rep_*\", type: bootstrap}
estimates:
  - {name: m, stat: mean, variable: api00, by: [stype]}
  - {name: p, stat: proportion, variable: sch.wide, by: [stype]}
  - {name: r, stat: ratio, variable: api.stu, denominator: enroll, by: [sch.wide]}
  - {name: q, stat: quantile, variable: api99, quantile: 0.5}
  - {name: t, stat: total, variable: enroll}
";

#[test]
fn estimate_reads_the_named_columns_of_a_parquet_file_with_the_same_results() {
    let s = Scratch::new();
    replicates(&s, "rep.csv", &[]);
    replicates(&s, "rep.parquet", &[]);
    s.write("e.yaml", ESTIMATES);
    for (input, out) in [("rep.csv", "from_csv.csv"), ("rep.parquet", "from_parquet.csv")] {
        let o = s.run(&["estimate", "-q", "-c", "e.yaml", "-i", input, "-o", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let (a, b) = (s.path("from_csv.csv"), s.path("from_parquet.csv"));
    assert!(std::fs::read(a).unwrap() == std::fs::read(b).unwrap());
    // a column not read is still known: the same message, with its did-you-mean
    s.write(
        "bad.yaml",
        &ESTIMATES.replace("by: [stype]}\n  - {name: p", "by: [sch_wide]}\n  - {name: p"),
    );
    let message = |input: &str| {
        let o = s.run(&["estimate", "-q", "-c", "bad.yaml", "-i", input, "-o", "x.csv"]);
        assert_eq!(o.status.code(), Some(1));
        stderr(&o).replace(input, "INPUT")
    };
    let from_csv = message("rep.csv");
    assert!(from_csv.contains("did you mean `sch.wide`?"), "{from_csv}");
    assert_eq!(from_csv, message("rep.parquet"));
}

const MODELS: &str = "design:
  weight: pw
  strata: stype
  replicates: {columns: \"rep_*\", type: bootstrap}
models:
  - name: logit
    family: quasibinomial
    response: sch.wide
    category: \"Yes\"
    terms: [api00, stype]
    tests: [stype]
  - {name: linear, family: gaussian, response: api99, terms: [enroll], domain: {dnum: 401}}
tests:
  - {name: chi, type: chisq, variables: [sch.wide, stype], statistic: F}
  - {name: diff, type: difference, stat: mean, variable: api.stu, by: stype, levels: [E, H]}
";

#[test]
fn model_reads_the_named_columns_of_a_parquet_file_with_the_same_results() {
    let s = Scratch::new();
    replicates(&s, "rep.csv", &[]);
    replicates(&s, "rep.parquet", &[]);
    s.write("m.yaml", MODELS);
    for (input, out) in [("rep.csv", "from_csv.csv"), ("rep.parquet", "from_parquet.csv")] {
        let o = s.run(&["model", "-q", "-c", "m.yaml", "-i", input, "-o", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let (a, b) = (s.path("from_csv.csv"), s.path("from_parquet.csv"));
    assert!(std::fs::read(a).unwrap() == std::fs::read(b).unwrap());
}

/// By hand, on real files (issue 14's check that a codec change leaves the values):
/// `PONDER_CMP_A=old.parquet PONDER_CMP_B=new.parquet cargo test --test it
/// same_values_in_two_parquet_files -- --ignored --nocapture`. Same column names and types,
/// every float the same bits, every other value equal.
#[test]
#[ignore = "compares two files named by PONDER_CMP_A and PONDER_CMP_B"]
fn same_values_in_two_parquet_files() {
    let read = |var: &str| {
        let path = std::env::var(var).unwrap_or_else(|_| panic!("set {var}"));
        ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap()
    };
    let (a, b) = (read("PONDER_CMP_A"), read("PONDER_CMP_B"));
    assert_eq!(a.schema(), b.schema());
    assert_eq!(a.height(), b.height());
    for (x, y) in a.columns().iter().zip(b.columns()) {
        if x.dtype() == &DataType::Float64 {
            let to_bits = |c: &Column| -> Vec<Option<u64>> {
                c.f64().unwrap().iter().map(|v| v.map(f64::to_bits)).collect()
            };
            assert!(to_bits(x) == to_bits(y), "column {}", x.name());
        } else {
            assert!(x.as_materialized_series().equals_missing(y.as_materialized_series()));
        }
    }
    println!("{} columns × {} rows: the same values", a.width(), a.height());
}

/// A pipeline chooses the codec of its Parquet outputs with `outputs: parquet_compression:`
/// (LZ4 when absent); an unknown codec is refused with the list.
#[test]
fn a_pipeline_names_its_parquet_codec_in_outputs() {
    use crate::common::repo;
    use ponder::config::pipeline::PipelineConfig;
    let s = Scratch::new();
    let sample = repo("designs/fej2024_sample.yaml");
    let load = |outputs: &str| {
        let text = format!("seed: 1\nsteps:\n  - sample: {sample}\n{outputs}");
        PipelineConfig::load(&s.write("p.yaml", &text))
    };
    assert_eq!(load("").unwrap().parquet_compression, ParquetCodec::Lz4);
    let c = load("outputs: {weighted: [parquet], parquet_compression: snappy}\n").unwrap();
    assert_eq!(c.parquet_compression, ParquetCodec::Snappy);
    let c = load("outputs: {weighted: [csv], parquet_compression: none}\n").unwrap();
    assert_eq!(c.parquet_compression, ParquetCodec::Uncompressed);
    let e = load("outputs: {weighted: [parquet], parquet_compression: gzip}\n").unwrap_err();
    let e = e.to_string();
    for needle in ["gzip", "none", "lz4", "snappy", "zstd"] {
        assert!(e.contains(needle), "{e}");
    }
}

/// `ponder run` writes its weighted Parquet file with the pipeline's codec, or the flag's.
#[test]
fn run_writes_the_weighted_file_with_the_chosen_codec() {
    use crate::common::repo;
    let s = Scratch::new();
    let sample = std::fs::read_to_string(repo("designs/fej2024_sample.yaml")).unwrap();
    let sample = sample
        .replace("synthetic: {rows: 2000000, seed: 2024}", "synthetic: {rows: 20000, seed: 2024}")
        .replace("\nn: 25000", "\nn: 1000");
    assert!(sample.contains("rows: 20000") && sample.contains("\nn: 1000"));
    s.write("sample.yaml", &sample);
    s.write(
        "p.yaml",
        "seed: 5\nsteps:\n  - sample: sample.yaml\n  - collection: {synthetic: {mode_effect: 0.0}}\n\
         outputs: {weighted: [parquet, csv], parquet_compression: snappy}\n",
    );
    let o = s.run(&["run", "-q", "p.yaml", "--out", "yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = s.run(&["run", "-q", "p.yaml", "--out", "flag", "--parquet-compression", "none"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let codec = |f: &str| parquet_codecs_of(&s.path(f)).unwrap();
    assert_eq!(codec("yaml/weighted.parquet"), ["snappy"]);
    assert_eq!(codec("flag/weighted.parquet"), ["uncompressed"]);
    let csv = |d: &str| std::fs::read(s.path(&format!("{d}/weighted.csv"))).unwrap();
    assert!(csv("yaml") == csv("flag"));
}
