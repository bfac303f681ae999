//! Parquet outputs: the codec ([`ParquetCodec`], chosen by the user, LZ4 by default) and a
//! writer that compresses the column chunks in parallel.

use crate::error::{Error, Result};
use polars::prelude::*;
use polars_parquet::write::{
    CompressedPage, StatisticsOptions, Version, WriteOptions as PageOptions, array_to_columns,
    compress,
};
use rayon::prelude::*;
use std::fs::File;
use std::path::Path;

/// The compression codec of Parquet outputs (`--parquet-compression`, `outputs:
/// parquet_compression:` in a pipeline). It changes the file's bytes and size, never the
/// values read back. CSV/TSV outputs are not compressed: the codec applies to `.parquet`
/// files only.
///
/// Measured on a 25,000-row file of 409 columns, 400 of them replicate weights
/// (`cargo bench --bench wide_files`, quiet machine, 2 cores): polars' writer 96 ms
/// uncompressed, 199 ms LZ4, 199 ms Snappy, 451 ms Zstd; ponder's (pages compressed in
/// parallel) 90 / 134 / – / 240 ms; reading 17 / 36 / 48 / 76 ms; 80.8 / 56.9 / 56.3 /
/// 51.3 MB. Replicate weights are continuous values that compress poorly, so LZ4 is the
/// default: about half of Zstd's write and read time for 11 % more bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParquetCodec {
    /// No compression (named `none`); see [`ParquetCodec::about`] for each codec.
    #[serde(rename = "none")]
    Uncompressed,
    /// LZ4 (the Parquet `LZ4_RAW` codec), the default.
    #[default]
    Lz4,
    /// Snappy.
    Snappy,
    /// Zstd at its default level.
    Zstd,
}

impl ParquetCodec {
    /// Every codec, in the order the help lists them.
    pub const ALL: [ParquetCodec; 4] =
        [ParquetCodec::Uncompressed, ParquetCodec::Lz4, ParquetCodec::Snappy, ParquetCodec::Zstd];

    /// The name used on the command line and in YAML.
    pub fn name(self) -> &'static str {
        match self {
            ParquetCodec::Uncompressed => "none",
            ParquetCodec::Lz4 => "lz4",
            ParquetCodec::Snappy => "snappy",
            ParquetCodec::Zstd => "zstd",
        }
    }

    /// What the codec is for (speed, size, which readers take it), as `--help` lists it.
    pub fn about(self) -> &'static str {
        match self {
            ParquetCodec::Uncompressed => {
                "No compression: the fastest to write and read, the largest file"
            }
            ParquetCodec::Lz4 => {
                "LZ4 (the Parquet `LZ4_RAW` codec), the default: fast, read by Arrow ≥ 9 \
                 (pyarrow, R arrow), DuckDB, polars and pandas"
            }
            ParquetCodec::Snappy => {
                "Snappy: as fast as LZ4 here, read by every Parquet reader, including old ones"
            }
            ParquetCodec::Zstd => {
                "Zstd at its default level: the smallest file, about twice LZ4's time"
            }
        }
    }

    fn polars(self) -> ParquetCompression {
        match self {
            ParquetCodec::Uncompressed => ParquetCompression::Uncompressed,
            ParquetCodec::Lz4 => ParquetCompression::Lz4Raw,
            ParquetCodec::Snappy => ParquetCompression::Snappy,
            ParquetCodec::Zstd => ParquetCompression::Zstd(None),
        }
    }
}

impl std::str::FromStr for ParquetCodec {
    type Err = String;

    /// A codec by its [`ParquetCodec::name`].
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|c| c.name()).collect();
            format!("unknown Parquet codec `{s}`: use one of {}", names.join(", "))
        })
    }
}

/// How [`super::Table::write_with`] writes a file; the defaults are [`super::Table::write`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    /// Codec of a `.parquet` output (ignored for `.csv`/`.tsv`).
    pub parquet: ParquetCodec,
}

impl WriteOptions {
    /// Options with this Parquet codec.
    pub fn parquet(codec: ParquetCodec) -> WriteOptions {
        WriteOptions { parquet: codec }
    }
}

/// The codecs of the column chunks of a Parquet file, read from its footer, in first-seen
/// order, as the footer names them (`uncompressed`, `lz4raw`, `snappy`, `zstd` …): tests
/// and users checking which codec a file was written with.
///
/// # Errors
/// A missing or unreadable file.
pub fn parquet_codecs_of(path: &Path) -> Result<Vec<String>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = ParquetReader::new(f);
    let meta = reader
        .get_metadata()
        .map_err(|e| Error::io(path, format!("not a readable Parquet file: {e}")))?
        .clone();
    let mut out: Vec<String> = Vec::new();
    for rg in &meta.row_groups {
        for col in rg.parquet_columns() {
            let name = format!("{:?}", col.compression()).to_ascii_lowercase();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// Rows of a Parquet row group, as polars' writer (`ParquetWriter::finish`) splits them.
const ROW_GROUP_ROWS: usize = 512 * 512;

/// Writes `df` as Parquet, the pages of every column encoded and compressed in parallel
/// (one task per column), then written in column order: the bytes of polars'
/// `ParquetWriter::finish` (same row groups, encodings, statistics, pages), which encodes in
/// parallel but compresses every page on the writing thread — 60–80 % of a 400-column
/// write.
///
/// The compressed pages of one row group (at most 262,144 rows) are held in memory until
/// they are written.
pub(super) fn write<W: std::io::Write>(
    df: &mut DataFrame,
    f: W,
    codec: ParquetCodec,
) -> PolarsResult<()> {
    let codec = codec.polars();
    let chunked = polars::frame::chunk_df_for_writing(df, ROW_GROUP_ROWS)?;
    let mut writer = ParquetWriter::new(f).with_compression(codec).batched(chunked.schema())?;
    let encodings = get_encodings(&chunked.schema().to_arrow(CompatLevel::newest()));
    let fields = writer.parquet_schema().fields().to_vec();
    let options = PageOptions {
        statistics: StatisticsOptions::default(),
        compression: codec.into(),
        version: Version::V1,
        data_page_size: None,
    };
    for batch in chunked.iter_chunks(CompatLevel::newest(), false) {
        let rows = batch.len();
        if rows == 0 {
            continue;
        }
        let per_column: Vec<Vec<Vec<CompressedPage>>> = batch
            .columns()
            .par_iter()
            .zip(fields.par_iter())
            .zip(encodings.par_iter())
            .map(|((array, field), encoding)| {
                let leaves = array_to_columns(array, field.clone(), options, encoding)?;
                leaves
                    .into_iter()
                    .map(|pages| {
                        pages
                            .map(|page| {
                                compress(page?, Vec::new(), options.compression)
                                    .map_err(PolarsError::from)
                            })
                            .collect::<PolarsResult<Vec<_>>>()
                    })
                    .collect::<PolarsResult<Vec<_>>>()
            })
            .collect::<PolarsResult<_>>()?;
        let columns: Vec<Vec<CompressedPage>> = per_column.into_iter().flatten().collect();
        writer.write_row_group(rows as u64, &columns)?;
    }
    writer.finish().map(|_| ())
}
