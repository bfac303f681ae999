//! Reports and tables: JSON for machines, self-contained HTML (inline SVG plots) for people.

pub mod calibration;
pub mod html;
pub mod publication;
pub mod run;
pub mod significance;
pub mod table;

use crate::error::{Error, Result};
use std::path::Path;

/// Checks that a report path has a known extension (`.json`, `.html`), an existing folder,
/// and is not one of the inputs.
///
/// # Errors
/// Each of the above, naming the path.
pub fn check_report_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    ReportFormat::of(path)?;
    crate::data::check_writable_path(path, inputs)
}

/// Report formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// `.json`
    Json,
    /// `.html`
    Html,
}

impl ReportFormat {
    /// The format of a path.
    ///
    /// # Errors
    /// An extension other than `.json` or `.html`.
    pub fn of(path: &Path) -> Result<ReportFormat> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Ok(ReportFormat::Json),
            Some("html") | Some("htm") => Ok(ReportFormat::Html),
            _ => Err(Error::io(path, "unknown report extension: use .json or .html")),
        }
    }
}

/// Writes text atomically.
///
/// # Errors
/// I/O failures, naming the path.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    crate::data::write_atomic(path, |f| std::io::Write::write_all(f, text.as_bytes()))
}

/// Serializes to pretty JSON and writes it atomically.
///
/// # Errors
/// I/O failures; serialization failures are internal errors.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("serializing the report: {e}")))?;
    write_text(path, &text)
}
