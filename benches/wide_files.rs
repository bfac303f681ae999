//! Wide files (issue 14): writing and reading a 25,000-row file with 400 replicate weight
//! columns as Parquet with each codec polars offers (uncompressed, LZ4, Snappy, Zstd
//! at its default level), into memory by polars' writer (no disk, no fsync); the Parquet
//! file ponder writes (`Table::write`: LZ4 by default, pages compressed in parallel; and
//! `Table::write_with` each codec) to a temporary file; reading it whole or only the
//! weight and replicate columns (`Table::read_projected`, as `ponder estimate`). Prints
//! each file's size. Results: docs/performance.md.

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use polars::prelude::*;
use ponder::data::{ParquetCodec, WriteOptions};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROWS: usize = 25_000;
const REPLICATES: usize = 400;

/// `id`, six coded categories, a design weight `d`, its calibrated weight `w`, and 400
/// replicate weights `w_rep_r` = d × bootstrap multiplier (0–3, Poisson-like) × a
/// calibration factor in [0.9, 1.1]: the shape of `ponder calibrate`'s output with
/// `replicates: "rep_*"`.
fn wide_frame() -> DataFrame {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let d: Vec<f64> = (0..ROWS).map(|_| rng.random_range(50.0..150.0)).collect();
    let mut cols: Vec<Column> =
        vec![Column::new("id".into(), (1..=ROWS as i64).collect::<Vec<_>>())];
    for (m, k) in [2i64, 6, 13, 5, 8, 6].into_iter().enumerate() {
        let v: Vec<i64> = (0..ROWS).map(|_| rng.random_range(1..=k)).collect();
        cols.push(Column::new(format!("v{m}").into(), v));
    }
    let w: Vec<f64> = d.iter().map(|x| x * rng.random_range(0.9..1.1)).collect();
    cols.push(Column::new("d".into(), d.clone()));
    cols.push(Column::new("w".into(), w));
    for r in 1..=REPLICATES {
        let v: Vec<f64> = d
            .iter()
            .map(|x| {
                let u: f64 = rng.random();
                let m = if u < 0.37 {
                    0.0
                } else if u < 0.74 {
                    1.0
                } else if u < 0.92 {
                    2.0
                } else {
                    3.0
                };
                x * m * rng.random_range(0.9..1.1)
            })
            .collect();
        cols.push(Column::new(format!("w_rep_{r}").into(), v));
    }
    DataFrame::new_infer_height(cols).expect("frame")
}

fn codecs() -> Vec<(&'static str, ParquetCompression)> {
    vec![
        ("uncompressed", ParquetCompression::Uncompressed),
        ("lz4", ParquetCompression::Lz4Raw),
        ("snappy", ParquetCompression::Snappy),
        ("zstd3_default", ParquetCompression::Zstd(None)),
    ]
}

fn write(df: &mut DataFrame, codec: ParquetCompression) -> Vec<u8> {
    write_with(df, codec, StatisticsOptions::default())
}

fn write_with(df: &mut DataFrame, codec: ParquetCompression, stats: StatisticsOptions) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::with_capacity(100 << 20));
    ParquetWriter::new(&mut buf)
        .with_compression(codec)
        .with_statistics(stats)
        .finish(df)
        .expect("write");
    buf.into_inner()
}

fn parquet_codecs(c: &mut Criterion) {
    let mut df = wide_frame();
    let mut group = c.benchmark_group("wide_parquet_25000x409");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, codec) in codecs() {
        let bytes = write(&mut df, codec);
        println!("wide_parquet/{name}: {:.1} MB", bytes.len() as f64 / 1e6);
        group.bench_function(BenchmarkId::new("write", name), |b| {
            b.iter(|| black_box(write(&mut df, codec)))
        });
        group.bench_function(BenchmarkId::new("read", name), |b| {
            b.iter(|| black_box(ParquetReader::new(Cursor::new(&bytes)).finish().expect("read")))
        });
    }
    // the cost of the min/max statistics polars writes by default
    for (name, codec) in [
        ("uncompressed", ParquetCompression::Uncompressed),
        ("zstd3_default", ParquetCompression::Zstd(None)),
    ] {
        group.bench_function(BenchmarkId::new("write_no_statistics", name), |b| {
            b.iter(|| black_box(write_with(&mut df, codec, StatisticsOptions::empty())))
        });
    }
    // ponder's own write path (pages compressed in parallel, temporary file + fsync +
    // rename): `table_write_today` with the default codec (LZ4), then each codec
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("in.parquet");
    std::fs::write(&input, write(&mut df, ParquetCompression::Zstd(None))).expect("input");
    let table = ponder::data::Table::read(&input).expect("read");
    let out = dir.path().join("wide.parquet");
    group.bench_function("table_write_today", |b| b.iter(|| table.write(&out).expect("write")));
    for codec in
        [ParquetCodec::Uncompressed, ParquetCodec::Lz4, ParquetCodec::Snappy, ParquetCodec::Zstd]
    {
        let opts = WriteOptions::parquet(codec);
        group.bench_function(BenchmarkId::new("table_write", codec.name()), |b| {
            b.iter(|| table.write_with(&out, &opts).expect("write"))
        });
    }
    // the same writer in memory: against `write/<codec>` above (polars' writer), the gain
    // of compressing the columns' pages in parallel, without the disk
    for codec in [ParquetCodec::Uncompressed, ParquetCodec::Lz4, ParquetCodec::Zstd] {
        let opts = WriteOptions::parquet(codec);
        group.bench_function(BenchmarkId::new("table_to_bytes", codec.name()), |b| {
            b.iter(|| black_box(table.to_parquet_bytes(&opts).expect("write")))
        });
    }
    // `ponder estimate`'s read of the chain's calibrated file, which holds the input's 200
    // replicates and their 200 calibrated ones: the weight and 200 replicate columns
    table.write(&out).expect("write");
    let keep = |name: &str| {
        name == "w"
            || name
                .strip_prefix("w_rep_")
                .and_then(|r| r.parse::<usize>().ok())
                .is_some_and(|r| r <= REPLICATES / 2)
    };
    group.bench_function("table_read_all", |b| {
        b.iter(|| black_box(ponder::data::Table::read(&out).expect("read")))
    });
    group.bench_function("table_read_projected", |b| {
        b.iter(|| black_box(ponder::data::Table::read_projected(&out, &keep).expect("read")))
    });
    group.finish();
}

criterion_group!(benches, parquet_codecs);
criterion_main!(benches);
