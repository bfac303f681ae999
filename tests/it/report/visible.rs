//! Done-when of issue 13: the report of the bundled pipeline (`ponder run`, French and
//! English) shows no codebook code and no internal name to readers. The visible text
//! (scripts and styles removed, tags stripped) is searched for the codebook's codes that
//! are not plain words (`sup_bac+2`, `aucun_brevet`, `18-29`, `75+`), the variable names
//! and the estimate, model and test names written with `_` (`trust_by_experience`,
//! `court_experience`); table headers are searched for any code (`94`, `F`, `yes`).

use crate::common::{ponder, repo, stderr};
use std::path::Path;

/// The visible text of an HTML page: without `<script>`/`<style>` blocks, tags replaced
/// by spaces, the few entities the report uses decoded.
fn visible(html: &str) -> String {
    let mut rest = html.to_string();
    for tag in ["script", "style"] {
        while let Some(i) = rest.find(&format!("<{tag}")) {
            let close = format!("</{tag}>");
            let j = rest[i..].find(&close).map_or(rest.len(), |j| i + j + close.len());
            rest.replace_range(i..j, " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<")
}

/// The texts of the `<th>` cells.
fn headers(html: &str) -> Vec<String> {
    html.split("<th")
        .skip(1)
        .filter_map(|p| Some(visible(&p[p.find('>')? + 1..p.find("</th>")?]).trim().to_string()))
        .collect()
}

/// Tokens: runs of letters, digits, `_`, `+`, `-`.
fn tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_alphanumeric() || "_+-".contains(c)))
        .filter(|t| !t.is_empty())
        .collect()
}

/// (codes of every codebook variable, the codes and names that must never be shown).
fn forbidden() -> (Vec<String>, Vec<String>) {
    let yaml = |f: &str| -> serde_yaml::Value {
        serde_yaml::from_str(&std::fs::read_to_string(repo(f)).unwrap()).unwrap()
    };
    let text = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap().trim().to_string(),
    };
    let cb = yaml("designs/fej2024_codebook.yaml");
    let mut codes = Vec::new();
    let mut never = Vec::new();
    for (var, entry) in cb["variables"].as_mapping().unwrap() {
        never.push(text(var));
        for code in entry["values"].as_mapping().into_iter().flat_map(|m| m.keys()) {
            codes.push(text(code));
        }
    }
    never.extend(codes.iter().filter(|c| c.contains(['_', '+', '-'])).cloned());
    let est = yaml("designs/fej2024_estimates.yaml");
    let models = yaml("designs/fej2024_models.yaml");
    let entries = est["estimates"]
        .as_sequence()
        .unwrap()
        .iter()
        .chain(models["models"].as_sequence().unwrap())
        .chain(models["tests"].as_sequence().unwrap());
    never.extend(entries.map(|e| text(&e["name"])));
    // Plain words (`sex`, `region`, `trust`) occur in sentences: only names with `_`.
    never.retain(|n| n.contains(['_', '+', '-']));
    (codes, never)
}

fn check(page: &Path, lang: &str) {
    let html = std::fs::read_to_string(page).unwrap();
    assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{lang}");
    let (codes, never) = forbidden();
    assert!(
        never.contains(&"sup_bac+2".to_string())
            && never.contains(&"trust_by_experience".to_string())
    );
    assert!(
        never.contains(&"court_experience".to_string()) && never.contains(&"18-29".to_string())
    );
    let text = visible(&html);
    let toks = tokens(&text);
    for n in &never {
        if let Some(i) = text.find(n.as_str()).filter(|_| toks.contains(&n.as_str())) {
            let from = text[..i].char_indices().rev().nth(80).map_or(0, |(j, _)| j);
            panic!("{lang}: `{n}` shown to readers: …{}…", &text[from..(i + 40).min(text.len())]);
        }
    }
    let heads = headers(&html);
    assert!(heads.len() > 50, "{lang}: {} headers", heads.len());
    // `F` is also the header of the F statistics of the tests (not the code of women).
    for h in heads.iter().filter(|h| *h != "F") {
        assert!(!codes.contains(h), "{lang}: a table header is the code `{h}`");
    }
    // The labels are there instead.
    let (corse, diploma) = if lang == "fr" {
        ("Corse", "Supérieur à bac + 2")
    } else {
        ("Corsica", "More than two years of higher education")
    };
    assert!(text.contains(corse) && text.contains(diploma), "{lang}");
    // The estimates table marks the domains that differ from the whole, with a caption.
    let caption =
        if lang == "fr" { "* : différence significative" } else { "*: significantly different" };
    assert!(text.contains(caption), "{lang}");
    assert!(html.matches("%*</td>").count() >= 10, "{lang}: few significance marks");
}

#[test]
fn the_bundled_report_shows_labels_not_codes_or_names_in_french_and_english() {
    let (scratch, out, _) = crate::common::bundled_run();
    check(&out.join("report.html"), "fr");
    let en = scratch.path("en");
    let o = ponder()
        .args(["run", "-q", "--replicates", "40", "--lang", "en", "--out", en.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    check(&en.join("report.html"), "en");
}
