//! Writing the package folder atomically: every file goes into a temporary folder beside
//! the destination, which is renamed into place only when all are written. An earlier
//! package at the destination (recognised by the first line of its README) is replaced; any
//! other non-empty folder, or a folder holding an input, is refused.

use super::columns::Built;
use super::{Plan, Summary, codebook, readme, scripts};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// First line of every package README: marks a folder the next export may replace.
pub(super) const MARKER: &str =
    "<!-- ponder researcher package: the next `ponder export` to this folder replaces it -->";

/// Checks the destination folder before any work: its parent exists; it holds no input
/// (the package replaces the folder); it is missing, empty or an earlier package.
///
/// # Errors
/// [`Error::Io`] naming the folder and what to do.
pub fn check_destination(out: &Path, inputs: &[&Path]) -> Result<()> {
    let parent = parent_of(out);
    if !parent.is_dir() {
        return Err(Error::io(
            out,
            format!("the folder {} does not exist: create it first", parent.display()),
        ));
    }
    let target = absolute(out);
    for input in inputs {
        let input = absolute(input);
        if input.starts_with(&target) {
            return Err(Error::io(
                out,
                format!(
                    "the package folder holds an input ({}): the package replaces the whole \
                     folder; choose another output folder",
                    input.display()
                ),
            ));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::io(out, "is a file: give a folder for the package"));
        }
        let empty = std::fs::read_dir(out).map_err(|e| Error::io(out, e))?.next().is_none();
        if !empty && !is_package(out) {
            return Err(Error::io(
                out,
                "is a folder that is not a ponder researcher package: choose a new or empty \
                 folder (an earlier package is replaced, any other folder is kept)",
            ));
        }
    }
    Ok(())
}

fn is_package(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("README.md")).is_ok_and(|t| t.lines().next() == Some(MARKER))
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path with its existing part resolved (symbolic links, `..`).
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let parent = parent_of(p).canonicalize().unwrap_or_else(|_| parent_of(p));
    parent.join(p.file_name().unwrap_or_default())
}

/// The text files of the package, by name (data files are written from the table).
pub(super) fn files(plan: &Plan, built: &Built) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let codebook = codebook::subset(plan, built)?;
    let has_codebook = codebook.is_some();
    if let Some(c) = codebook {
        out.push(("codebook.yaml".to_string(), c));
    }
    for (name, text) in scripts::all(plan, built) {
        out.push((name.to_string(), text));
    }
    out.push(("README.md".to_string(), readme::render(plan, built, has_codebook)));
    Ok(out)
}

/// Writes the data files and `files` into a temporary folder, then puts it in place of
/// `out`.
pub(super) fn write(
    out: &Path,
    built: &Built,
    plan: &Plan,
    files: Vec<(String, String)>,
) -> Result<Summary> {
    let parent = parent_of(out);
    let tmp = tempfile::Builder::new()
        .prefix(".ponder-export-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(out, format!("cannot create a temporary folder: {e}")))?;
    let mut names = Vec::new();
    for f in &plan.formats {
        let name = format!("data.{f}");
        built.table.write_with(&tmp.path().join(&name), &plan.written)?;
        names.push(name);
    }
    for (name, text) in &files {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        names.push(name.clone());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(out, e))?;
    }
    replace(out, tmp)?;
    let shape = (built.table.n_rows(), built.columns.len());
    Ok(Summary { folder: out.to_path_buf(), files: names, shape })
}

/// Moves the finished folder into place; an earlier package is moved aside first and
/// removed after.
fn replace(out: &Path, tmp: tempfile::TempDir) -> Result<()> {
    let old = if out.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".ponder-export-old-")
            .tempdir_in(parent_of(out))
            .map_err(|e| Error::io(out, e))?
            .keep();
        std::fs::remove_dir(&aside).map_err(|e| Error::io(&aside, e))?;
        std::fs::rename(out, &aside)
            .map_err(|e| Error::io(out, format!("cannot move the earlier package aside: {e}")))?;
        Some(aside)
    } else {
        None
    };
    let path = tmp.keep();
    if let Err(e) = std::fs::rename(&path, out) {
        if let Some(o) = &old {
            let _ = std::fs::rename(o, out);
        }
        let _ = std::fs::remove_dir_all(&path);
        return Err(Error::io(out, format!("cannot move the package in place: {e}")));
    }
    if let Some(o) = old {
        std::fs::remove_dir_all(&o).map_err(|e| Error::io(&o, e))?;
    }
    Ok(())
}
