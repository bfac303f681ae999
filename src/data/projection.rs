//! Reading only the columns a step needs from a Parquet file (`ponder estimate` on a file
//! of 400 replicate weights uses half of them): Parquet stores each column apart, so the
//! columns left out are neither read nor decoded. A CSV/TSV file is read whole (its rows
//! must be split anyway).

use super::{Table, io};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

impl Table {
    /// Reads the columns of a Parquet file that `keep` accepts (by name); any other file
    /// whole, as [`Table::read`]. The table knows every column name of the file (messages,
    /// [`Table::has_column`], [`Table::columns_matching`], the did-you-mean of an unknown
    /// column), answers like [`Table::read`]'s on the columns read, and refuses to be
    /// written or joined; asking for a column of the file that was not read is an internal
    /// error, so `keep` must accept every column the step may use.
    ///
    /// # Errors
    /// As [`Table::read`].
    pub fn read_projected(path: &Path, keep: &dyn Fn(&str) -> bool) -> Result<Table> {
        if io::data_file(path)? != io::FileFormat::Parquet {
            return Table::read(path);
        }
        let names = io::column_names_of(path)?;
        let mut picked: Vec<String> = names.iter().filter(|n| keep(n)).cloned().collect();
        if picked.len() == names.len() {
            return Table::read(path);
        }
        if picked.is_empty() {
            // one column gives the row count (and the "no data rows" check)
            picked.push(names[0].clone());
        }
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        let df = ParquetReader::new(f)
            .with_columns(Some(picked))
            .finish()
            .map_err(|e| Error::io(path, format!("not a readable Parquet file: {e}")))?;
        io::check_frame(path, &df)?;
        Ok(Table {
            path: path.to_path_buf(),
            df,
            file_lines: None,
            partial: None,
            projected: Some(Arc::from(names)),
        })
    }
}
