//! The package's content: no identifier, determinism, atomic replacement, refusals.

use super::{export_fixture, export_with, files, fixture};
use crate::common::{Scratch, ponder, stderr};
use ponder::Error;
use ponder::data::Table;

/// True when `needle` occurs in `hay` as a whole token (not inside a longer name).
fn has_token(hay: &[u8], needle: &[u8]) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    hay.windows(needle.len()).enumerate().any(|(i, w)| {
        w == needle
            && (i == 0 || !word(hay[i - 1]))
            && hay.get(i + needle.len()).is_none_or(|&b| !word(b))
    })
}

/// No dropped column name, no identifier column name and no identifier value appears in
/// any file of the package (data, codebook, scripts, README, Parquet bytes included).
#[test]
fn no_identifier_leaves_in_the_package() {
    let s = Scratch::new();
    let out = s.path("pkg");
    export_fixture(&out, None).unwrap();
    let input = Table::read(&fixture("weighted.csv")).unwrap();
    let ids = input.factor("person_id").unwrap().levels;
    let phones = input.factor("phone_number").unwrap().levels;
    assert_eq!(ids.len(), 240);
    let package = files(&out);
    let names: Vec<&str> = package.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "codebook.yaml",
            "data.csv",
            "data.parquet",
            "load.R",
            "load.do",
            "load.py",
            "load.sas"
        ]
    );
    for (name, bytes) in &package {
        for dropped in ["phone_number", "design_weight", "stratum", "person_id"] {
            assert!(!has_token(bytes, dropped.as_bytes()), "{name} names `{dropped}`");
        }
        for v in ids.iter().chain(&phones) {
            assert!(!has_token(bytes, v.as_bytes()), "{name} holds the identifier value {v}");
        }
    }
    // the scan does find what is there: the key, the weight, a kept answer
    let data = &package.iter().find(|(n, _)| n == "data.csv").unwrap().1;
    assert!(has_token(data, b"research_id") && has_token(data, b"w_cal"));
    let t = Table::read(&out.join("data.csv")).unwrap();
    assert_eq!(t.n_rows(), 240);
    assert_eq!(t.factor("age").unwrap().levels, ["18-29", "30-44", "45-59", "60-74", "75+"]);
    assert_eq!(t.factor("zone").unwrap().levels, ["overseas", "paris", "south_east", "west"]);
    assert!(!t.has_column("department"));
    // the codebook keeps sex and trusts, not the exact age nor the dropped stratum
    let cb = std::fs::read_to_string(out.join("codebook.yaml")).unwrap();
    assert!(
        cb.contains("\"sex\"") && cb.contains("\"trusts\"") && !cb.contains("Âge exact"),
        "{cb}"
    );
}

/// The key and row order follow the seed: the same seed gives byte-identical packages,
/// another seed other keys; weights are copied exactly (sums over rows unchanged).
#[test]
fn package_is_deterministic_for_a_seed() {
    let s = Scratch::new();
    export_fixture(&s.path("a"), None).unwrap();
    export_fixture(&s.path("b"), None).unwrap();
    export_fixture(&s.path("c"), Some(12)).unwrap();
    assert_eq!(files(&s.path("a")), files(&s.path("b")));
    let keys = |d: &str| {
        Table::read(&s.path(d).join("data.csv")).unwrap().factor("research_id").unwrap().levels
    };
    let (a, c) = (keys("a"), keys("c"));
    assert_eq!(a.len(), 240, "keys must be distinct");
    assert!(a.iter().all(|k| k.len() == 16 && k.chars().all(|c| c.is_ascii_hexdigit())));
    assert!(a.iter().all(|k| !c.contains(k)), "another seed, other keys");
    let input = Table::read(&fixture("weighted.csv")).unwrap();
    let out = Table::read(&s.path("a").join("data.csv")).unwrap();
    for col in ["w_cal", "w_cal_rep_7"] {
        let mut x = input.numeric(col).unwrap();
        let mut y = out.numeric(col).unwrap();
        x.sort_by(f64::total_cmp);
        y.sort_by(f64::total_cmp);
        assert_eq!(x, y, "{col} copied exactly");
    }
    let parquet = Table::read(&s.path("a").join("data.parquet")).unwrap();
    assert_eq!(parquet.numeric("w_cal").unwrap(), out.numeric("w_cal").unwrap());
}

/// A second export to the same folder replaces the earlier package; a folder that is not
/// a package, or one holding the input, is refused and left untouched.
#[test]
fn destination_rules() {
    let s = Scratch::new();
    let out = s.path("pkg");
    export_fixture(&out, None).unwrap();
    export_fixture(&out, Some(12)).unwrap();
    let leftovers: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(leftovers, ["pkg"], "no temporary folder left");
    s.write("other/notes.txt", "mine");
    let e = export_fixture(&s.path("other"), None).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("not a ponder researcher package"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(s.path("other/notes.txt")).unwrap(), "mine");
    // the folder holding the input
    std::fs::create_dir_all(s.path("data")).unwrap();
    std::fs::copy(fixture("weighted.csv"), s.path("data/weighted.csv")).unwrap();
    let cfg = s.write("x.yaml", &config(""));
    let o = s.run(&[
        "export",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        "data/weighted.csv",
        "--out",
        "data",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds an input"), "{}", stderr(&o));
    assert!(s.path("data/weighted.csv").is_file());
}

/// The fixture's export configuration with `extra` appended and absolute paths.
fn config(extra: &str) -> String {
    format!(
        "estimates: {}\nseed: 3\nid: {{column: person_id, key: research_id}}\n{extra}",
        fixture("estimates.yaml").display()
    )
}

fn refused(extra: &str) -> Error {
    let s = Scratch::new();
    let cfg = s.write("x.yaml", &config(extra));
    let e = export_with(&cfg, &s.path("pkg"), None).unwrap_err();
    assert!(!s.path("pkg").exists(), "nothing written for {extra}");
    e
}

/// Unknown names (with a did-you-mean), bad breaks and labels, a dropped weight, a value
/// outside the breaks or the map: each refused with the key, the name and the fix.
#[test]
fn bad_export_configs_are_refused_by_name() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("drop: [phone_numbr]\n", vec!["drop[0]", "phone_numbr", "did you mean `phone_number`"]),
        ("drop: [\"zz*\"]\n", vec!["drop[0]", "no column `zz*`"]),
        ("drop: [w_cal]\n", vec!["drop[0]", "a weight the package needs"]),
        (
            "coarsen: [{variable: agee, breaks: [18, 30]}]\n",
            vec!["coarsen[0].variable", "agee", "did you mean `age`"],
        ),
        (
            "coarsen: [{variable: age, breaks: [30, 18]}]\n",
            vec!["coarsen[0].breaks", "increase strictly"],
        ),
        ("coarsen: [{variable: age, breaks: []}]\n", vec!["coarsen[0].breaks", "no break"]),
        (
            "coarsen: [{variable: age, breaks: [18, 30], labels: [a]}]\n",
            vec!["coarsen[0].labels", "1 labels for 2 groups"],
        ),
        ("coarsen: [{variable: age}]\n", vec!["coarsen[0]", "exactly one of"]),
        (
            "coarsen: [{variable: sex, map: {F: w}, into: region}]\n",
            vec!["coarsen[0].into", "`region` is already a column"],
        ),
        (
            "drop: [age]\ncoarsen: [{variable: age, breaks: [18]}]\n",
            vec!["coarsen[0]", "both coarsened and dropped"],
        ),
        ("drop: [person_id]\n", vec!["id", "also dropped"]),
        ("formats: [xlsx]\n", vec!["formats", "unknown format `xlsx`"]),
        ("colums: []\n", vec!["colums"]),
    ];
    for (extra, needles) in cases {
        let e = refused(extra);
        assert!(matches!(e, Error::Config { .. }), "{extra}: {e:?}");
        let msg = e.to_string();
        for n in needles {
            assert!(msg.contains(n), "{extra}: `{n}` not in {msg}");
        }
    }
    // values no group takes: a named cell
    for (extra, needle) in [
        ("coarsen: [{variable: age, breaks: [20, 30]}]\n", "below the first break 20"),
        (
            "coarsen: [{variable: department, map: {\"01\": a}, into: zone}]\n",
            "has no group in the map",
        ),
    ] {
        let e = refused(extra);
        assert!(matches!(e, Error::Cell { row: Some(_), .. }), "{extra}: {e:?}");
        assert!(e.to_string().contains(needle), "{e}");
    }
}

/// `ponder export` on the command line: exit 0 and a package; a missing seed or a bad
/// config exit 1 with the key named.
#[test]
fn export_command_line() {
    let s = Scratch::new();
    let input = fixture("weighted.csv");
    let cfg = fixture("export.yaml");
    let args = |out: &str, seed: &str| -> std::process::Output {
        let mut c = ponder();
        c.args([
            "export",
            "--config",
            cfg.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--out",
            out,
        ]);
        if !seed.is_empty() {
            c.args(["--seed", seed]);
        }
        c.current_dir(s.dir.path()).output().unwrap()
    };
    let o = args("pkg", "5");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.path("pkg/README.md").is_file() && s.path("pkg/load.R").is_file());
    let no_seed = s.write("n.yaml", &config("").replace("seed: 3\n", ""));
    let o = ponder()
        .args([
            "export",
            "--config",
            no_seed.to_str().unwrap(),
            "--input",
            input.to_str().unwrap(),
            "--out",
            "q",
        ])
        .current_dir(s.dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no seed"), "{}", stderr(&o));
}

/// A pipeline's `export:` names a file that must exist and be a valid export
/// configuration; `ponder::pipeline::load` reads it with the rest of the chain.
#[test]
fn pipeline_export_key_is_checked_with_the_chain() {
    let s = Scratch::new();
    let input = fixture("weighted.csv");
    let pipeline = |export: &str| format!("steps:\n  - input: {}\n{export}", input.display());
    let p = s.write("p.yaml", &pipeline("export: none.yaml\n"));
    let e = ponder::pipeline::load(&p).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, Error::Config { .. })
            && msg.contains("key `export`")
            && msg.contains("none.yaml"),
        "{msg}"
    );
    s.write("x.yaml", &config("dropp: [a]\n"));
    let p = s.write("q.yaml", &pipeline("export: x.yaml\n"));
    let msg = ponder::pipeline::load(&p).unwrap_err().to_string();
    assert!(
        msg.contains("x.yaml") && msg.contains("dropp") && msg.contains("did you mean `drop`"),
        "{msg}"
    );
    s.write("y.yaml", &config("drop: [phone_number]\n"));
    let p = s.write("r.yaml", &pipeline("export: y.yaml\n"));
    let cfg = ponder::pipeline::load(&p).unwrap();
    let x = cfg.export.as_ref().expect("export read");
    assert_eq!(x.folder, "researcher");
    assert_eq!(x.drop, [("drop[0]".to_string(), "phone_number".to_string())]);
}
