//! The shape of `src/` (issue 11): module layering without import cycles, file and function
//! sizes. Read from the source text: every `crate::<module>` path outside comments is an
//! edge from the file's top-level module to `<module>`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `(top-level module, file text)` for every file of `src/` but `lib.rs` and `main.rs`.
fn modules() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(src()).unwrap();
            let first = rel.components().next()?.as_os_str().to_str()?.trim_end_matches(".rs");
            (first != "lib" && first != "main")
                .then(|| (first.to_string(), std::fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

/// Code without comments: lines starting with `//` (doc comments included) are dropped, and
/// the tail of a line after ` // `.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in modules() {
        let deps = g.entry(module.clone()).or_default();
        let code = code(&text);
        for (i, _) in code.match_indices("crate::") {
            let name: String =
                code[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && name != module {
                deps.insert(name);
            }
        }
    }
    g
}

/// A cycle through `node`, if any (depth-first search).
fn cycle_from(
    g: &BTreeMap<String, BTreeSet<String>>,
    node: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| p == node) {
        return Some(path[i..].to_vec());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for next in g.get(node).into_iter().flatten() {
        if let Some(c) = cycle_from(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(node.to_string());
    None
}

#[test]
fn no_import_cycle_between_modules() {
    let g = graph();
    assert!(g.len() > 10, "modules not found: {g:?}");
    let mut done = BTreeSet::new();
    for m in g.keys() {
        let c = cycle_from(&g, m, &mut Vec::new(), &mut done);
        assert!(c.is_none(), "import cycle: {}", c.unwrap().join(" → "));
    }
}

#[test]
fn layers_import_only_downwards() {
    let g = graph();
    let upper = ["config", "bind", "pipeline", "report", "simulate", "cli"];
    for (module, deps) in &g {
        let allowed: &[&str] = match module.as_str() {
            "cli" => &upper[..5],
            "pipeline" => &upper[..5],
            "bind" => &["config"],
            "report" | "simulate" | "config" => &[],
            _ => &[],
        };
        for d in deps.iter().filter(|d| upper.contains(&d.as_str())) {
            assert!(allowed.contains(&d.as_str()), "`{module}` imports `{d}`");
        }
    }
    // The leaves.
    for leaf in ["error", "hint"] {
        assert!(g[leaf].is_empty(), "`{leaf}` imports {:?}", g[leaf]);
    }
    assert!(g["design"].iter().all(|d| d != "variance"), "design imports variance");
}

#[test]
fn config_builds_no_data_object() {
    let mut files = Vec::new();
    rust_files(&src().join("config"), &mut files);
    assert!(!files.is_empty());
    for p in files {
        let code = code(&std::fs::read_to_string(&p).unwrap());
        for word in ["Table", "Design::", "polars"] {
            assert!(!code.contains(word), "{} mentions `{word}`", p.display());
        }
        // The YAML file itself is read by `config::load_yaml` (config/mod.rs), nothing else.
        if !p.ends_with("config/mod.rs") {
            assert!(!code.contains("read_to_string"), "{} reads a file", p.display());
        }
    }
}

/// The command line is the CLI layer's business: the library below it (data, methods,
/// configs, reports) never names clap.
#[test]
fn only_the_cli_knows_the_command_line_parser() {
    let offenders: Vec<String> = modules()
        .into_iter()
        .filter(|(module, text)| module != "cli" && code(text).contains("clap"))
        .map(|(module, _)| module)
        .collect();
    assert!(offenders.is_empty(), "modules naming clap outside src/cli: {offenders:?}");
}

#[test]
fn files_stay_under_600_lines_and_functions_under_80() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() <= 600, "{} has {} lines", p.display(), lines.len());
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let indent = &l[..l.len() - t.len()];
            let is_fn = t.starts_with("fn ")
                || t.starts_with("pub fn ")
                || t.starts_with("pub(crate) fn ")
                || t.starts_with("pub(super) fn ");
            if !is_fn || t.ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(end) = lines[i + 1..].iter().position(|x| *x == close) {
                assert!(end + 2 <= 80, "{}:{} `{}` has {} lines", p.display(), i + 1, t, end + 2);
            }
        }
    }
}
