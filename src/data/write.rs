//! Writing a table: CSV/TSV (the input's lines copied when they can be) or Parquet (the
//! codec of [`WriteOptions`]), atomically; appending owned float columns without a copy.

use super::{ColumnData, Table, WriteOptions, io, stream};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::Path;

impl Table {
    /// Writes the table atomically (temporary file in the destination folder, then rename);
    /// a Parquet file with the default codec ([`ParquetCodec::Lz4`](super::ParquetCodec::Lz4)).
    ///
    /// # Errors
    /// Unknown extension, missing destination folder, or a write failure; no partial file is
    /// left behind.
    ///
    /// A CSV/TSV table read from a file of the same format, rows untouched, is written as
    /// the file's own lines (every input field byte for byte) followed by the new columns;
    /// otherwise every column is rendered anew.
    pub fn write(&self, path: &Path) -> Result<()> {
        self.write_with(path, &WriteOptions::default())
    }

    /// [`Table::write`] with options: the codec of a Parquet output (a CSV/TSV output is
    /// written the same whatever the options).
    ///
    /// # Errors
    /// As [`Table::write`].
    pub fn write_with(&self, path: &Path, opts: &WriteOptions) -> Result<()> {
        let format = io::FileFormat::of(path)?;
        if self.projected.is_some() {
            return Err(Error::Internal(format!("writing {}, read in part", self.source())));
        }
        if let Some(p) = &self.partial {
            if p.format == format && stream::write_appended(p, &self.path, &self.df, path)? {
                return Ok(());
            }
            // another format: the whole file, with the new columns
            let mut whole = Table::read(&self.path)?;
            for col in self.df.columns().iter().skip(p.k) {
                whole
                    .df
                    .with_column(col.clone())
                    .map_err(|e| Error::Internal(format!("adding `{}`: {e}", col.name())))?;
            }
            return whole.write_with(path, opts);
        }
        if let Some((k, plain)) = &self.file_lines
            && io::FileFormat::of(&self.path)? == format
            && plain.write_appended(&self.df, *k, format.separator(), path)?
        {
            return Ok(());
        }
        let mut df = self.df.clone();
        io::write_frame(&mut df, path, opts)
    }

    /// The bytes of the Parquet file [`Table::write_with`] writes, in memory (benchmarks
    /// compare the writer without the disk, its fsync and rename).
    ///
    /// # Errors
    /// A table read in part (chunks or columns), a failed encoding.
    pub fn to_parquet_bytes(&self, opts: &WriteOptions) -> Result<Vec<u8>> {
        if self.partial.is_some() || self.projected.is_some() {
            return Err(Error::Internal(format!("writing {}, read in part", self.source())));
        }
        let (mut df, mut bytes) = (self.df.clone(), Vec::new());
        super::parquet::write(&mut df, &mut bytes, opts.parquet)
            .map_err(|e| Error::Internal(format!("writing Parquet: {e}")))?;
        Ok(bytes)
    }

    /// Appends a float column taking its values (no copy, unlike [`Table::add_f64`], whose
    /// checks and errors it shares): `ponder replicates`' 200 columns of 25,000 weights are
    /// 40 MB that a copy would write to fresh pages once more.
    ///
    /// # Errors
    /// As [`Table::add_column`].
    pub fn add_f64_vec(&mut self, name: &str, values: Vec<f64>) -> Result<()> {
        if self.has_column(name)
            || values.len() != self.n_rows()
            || values.iter().any(|v| v.is_nan())
        {
            return self.add_column(name, ColumnData::from_f64(&values)); // errors, missing values
        }
        let col = Float64Chunked::from_vec(PlSmallStr::from(name), values).into_column();
        self.df
            .with_column(col)
            .map_err(|e| Error::Internal(format!("adding column `{name}`: {e}")))?;
        Ok(())
    }
}
