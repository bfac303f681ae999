//! The quote-free reader and writer against polars' (property tests).

use super::*;
use crate::data::io::{FileFormat, read_with_polars};
use proptest::prelude::*;

/// Fields covering every branch of the typing rule, text and missing values.
const FIELDS: &[&str] = &[
    "",
    "0",
    "-0",
    "1",
    "22",
    "-3",
    "01",
    "1.5",
    "-0.0",
    "2.50",
    "1e5",
    "1E400",
    ".5",
    "5.",
    "abc",
    " 7",
    "é",
    "9223372036854775808",
    "-9223372036854775808",
    "1-2",
    "NaN",
    "inf",
    "+3",
    "x y",
    "0.1",
    "35.123456789",
    "9007199254740993",
    // quoted fields: whole-field quotes (read here), other quotes (read by polars)
    "\"a\"",
    "\"1\"",
    "\"\"",
    "\"x y\"",
    "\"1.5\"",
    "\"01\"",
    "\"a,b\"",
    "\"a\"\"b\"",
    "x\"y",
];

/// A field read here: no quote, or quotes around a value holding no quote nor separator.
fn whole_field_quotes(f: &str, sep: char) -> bool {
    match f.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => !inner.contains(['"', sep]),
        None => !f.contains('"'),
    }
}

/// Same names, types, missing values and value bits.
fn assert_same(a: &DataFrame, b: &DataFrame, what: &str) {
    assert_eq!(a.get_column_names(), b.get_column_names(), "{what}");
    for (x, y) in a.columns().iter().zip(b.columns()) {
        assert_eq!(x.dtype(), y.dtype(), "{what}: column {}", x.name());
        if x.dtype() == &DataType::Float64 {
            let bits = |c: &Column| -> Vec<Option<u64>> {
                c.f64().unwrap().iter().map(|v| v.map(f64::to_bits)).collect()
            };
            assert_eq!(bits(x), bits(y), "{what}: column {}", x.name());
        } else {
            let (x, y) = (x.as_materialized_series(), y.as_materialized_series());
            assert!(x.equals_missing(y), "{what}: column {}", x.name());
        }
    }
}

fn csv_text(header: &[String], rows: &[Vec<usize>], final_newline: bool, sep: &str) -> String {
    let mut text = header.join(sep);
    for row in rows {
        text.push('\n');
        text.push_str(&row.iter().map(|&f| FIELDS[f]).collect::<Vec<_>>().join(sep));
    }
    if final_newline {
        text.push('\n');
    }
    text
}

fn table() -> impl Strategy<Value = (Vec<String>, Vec<Vec<usize>>, bool)> {
    (1usize..5, 1usize..14).prop_flat_map(|(width, n)| {
        let names = proptest::collection::vec(prop_oneof!["c", " c", "c ", "é", "\""], width)
            .prop_map(|v| {
                let name = |(j, p): (usize, &String)| match p.as_str() {
                    "\"" => format!("\"q{j}\""),
                    p => format!("{p}{j}"),
                };
                v.iter().enumerate().map(name).collect()
            });
        let rows = proptest::collection::vec(proptest::collection::vec(0..FIELDS.len(), width), n);
        (names, rows, any::<bool>())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// On files whose quotes (if any) wrap whole fields, splitting and typing here gives
    /// polars' table typed by the same rule — whatever the runs of rows and blocks of
    /// bytes the work is split into; any other file is left to polars.
    #[test]
    fn plain_parse_is_polars_read(
        (header, rows, newline) in table(),
        tsv in any::<bool>(),
        run in 1usize..5,
        block in 1usize..64,
    ) {
        let (format, sep) = if tsv { (FileFormat::Tsv, b'\t') } else { (FileFormat::Csv, b',') };
        let text = csv_text(&header, &rows, newline, if tsv { "\t" } else { "," });
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let blank = body.split('\n').any(str::is_empty);
        // one empty field in a one-column table's last row, unterminated, leaves a header-only
        // file: outside the plain grammar (polars reads it)
        let header_only = !body.contains('\n');
        let path = Path::new(if tsv { "t.tsv" } else { "t.csv" });
        let simple = rows.iter().flatten().all(|&f| whole_field_quotes(FIELDS[f], char::from(sep)));
        let plain = PlainText::split_in_blocks(text.clone().into_bytes(), block);
        prop_assert_eq!(plain.first_blank_line().is_some(), blank, "{}", text);
        let polars = read_with_polars(path, text.as_bytes(), format);
        if blank || header_only || !simple {
            prop_assert!(plain.parse(sep).is_none(), "{}", text);
        } else {
            let polars = polars.expect("polars reads a file of whole-field quotes");
            let whole = plain.parse_in_runs(sep, rows.len()).expect("a plain file");
            assert_same(&whole, &polars, &text);
            let in_runs = plain.parse_in_runs(sep, run).expect("a plain file");
            assert_same(&in_runs, &polars, &text);
        }
    }

    /// Numbers appended by ponder are the text polars' CSV writer gives them.
    #[test]
    fn appended_numbers_are_rendered_as_polars_renders_them(
        floats in proptest::collection::vec(any::<f64>().prop_filter("finite", |x| x.is_finite()), 1..30),
        ints in proptest::collection::vec(any::<i64>(), 30),
        run in 1usize..5,
    ) {
        let n = floats.len();
        let text: String = std::iter::once("id".to_string()).chain((0..n).map(|i| i.to_string())).collect::<Vec<_>>().join("\n");
        let plain = PlainText::split_in_blocks(text.into_bytes(), 8);
        let mut df = plain.parse(b',').unwrap();
        df.with_column(Float64Chunked::from_vec("w".into(), floats).into_column()).unwrap();
        df.with_column(Int64Chunked::from_vec("k".into(), ints[..n].to_vec()).into_column()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        let numbers = Added::of(&df, 1, b',', &ours).unwrap().unwrap();
        let is_numbers = matches!(numbers, Added::Numbers { .. });
        prop_assert!(is_numbers);
        plain.write_in_runs(&numbers, b',', &ours, run).unwrap();
        let rendered = Added::rendered(&df, 1, b',', &theirs).unwrap().unwrap();
        plain.write_in_runs(&rendered, b',', &theirs, run).unwrap();
        prop_assert_eq!(std::fs::read(&ours).unwrap(), std::fs::read(&theirs).unwrap());
    }
}

/// Runs typed apart agree when merged: integers then floats, a missing value, and `-0`
/// (an integer 0 but a float -0.0) in an integer run of a float column.
#[test]
fn runs_of_different_kinds_merge_like_the_whole_column() {
    for column in ["1\n\n2.5\n-4", "-0\n3\n1.5\n2", "7\n-0\n2\n0.25", "1.5\n2\n-0\n3"] {
        let text = format!("x\n{column}\n");
        let polars =
            read_with_polars(Path::new("t.csv"), text.as_bytes(), FileFormat::Csv).unwrap();
        let plain = PlainText::split_in_blocks(text.clone().into_bytes(), 4);
        if plain.first_blank_line().is_some() {
            assert!(text.contains("\n\n"), "{text}");
            continue;
        }
        for run in 1..4 {
            assert_same(&plain.parse_in_runs(b',', run).unwrap(), &polars, &text);
        }
    }
    let minus_zero = PlainText::split_in_blocks(b"x\n-0\n1.5\n".to_vec(), 4);
    let x = minus_zero.parse_in_runs(b',', 1).unwrap();
    let first = x.column("x").unwrap().f64().unwrap().get(0).unwrap();
    assert!(first == 0.0 && first.is_sign_negative(), "-0 read as {first}");
}

/// Whole-field quotes, as R's `write.csv` writes them: stripped, a quoted number is a
/// number, `""` is an empty text (not a missing value), as polars reads them.
#[test]
fn whole_field_quotes_are_read_like_polars_reads_them() {
    let text = "\"id\",\"g\",\"x\"\n1,\"a\",\"1.5\"\n2,\"\",2\n3,\"b c\",\n";
    let polars = read_with_polars(Path::new("q.csv"), text.as_bytes(), FileFormat::Csv).unwrap();
    let plain = PlainText::split_in_blocks(text.as_bytes().to_vec(), 4);
    let ours = plain.parse(b',').expect("whole-field quotes are read here");
    assert_same(&ours, &polars, text);
    let g: Vec<Option<&str>> = ours.column("g").unwrap().str().unwrap().iter().collect();
    assert_eq!(g, [Some("a"), Some(""), Some("b c")]);
    let x: Vec<Option<f64>> = ours.column("x").unwrap().f64().unwrap().iter().collect();
    assert_eq!(x, [Some(1.5), Some(2.0), None]);
}

/// Every CSV file of the project (reference cases, bundled data) that ponder splits
/// itself reads the same here and through polars (one file, whose values hold commas
/// between quotes, is polars').
#[test]
fn bundled_files_read_as_polars_reads_them() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut compared = 0;
    for pattern in ["tests/fixtures/**/*.csv", "notebooks-data/*.csv"] {
        for path in glob::glob(&format!("{root}/{pattern}")).unwrap().flatten() {
            let bytes = std::fs::read(&path).unwrap();
            let theirs = read_with_polars(&path, &bytes, FileFormat::Csv).unwrap();
            let Some(ours) = PlainText::split(bytes).parse(b',') else { continue };
            assert_same(&ours, &theirs, &path.display().to_string());
            compared += 1;
        }
    }
    assert!(compared >= 25, "{compared} files");
}

/// Files outside the plain grammar are left to polars.
#[test]
fn other_files_are_left_to_polars() {
    let parse = |text: &str| PlainText::split_in_blocks(text.as_bytes().to_vec(), 4).parse(b',');
    assert!(parse("a,b\n1,2\n3,4\n").is_some());
    assert!(parse("\"a\",b\n\"1\",\"\"\n").is_some(), "whole-field quotes");
    assert!(parse("a,b\n\"1,5\",2\n").is_none(), "a quoted separator");
    assert!(parse("a,b\n\"x\ny\",2\n").is_none(), "a quoted line break");
    assert!(parse("a,b\n\"x\"\"y\",2\n").is_none(), "an escaped quote");
    assert!(parse("a,b\r\n1,2\r\n").is_none(), "a carriage return");
    assert!(parse("\u{feff}a,b\n1,2\n").is_none(), "a byte-order mark");
    assert!(parse("a,b\n1,2\n\n3,4\n").is_none(), "a blank line");
    assert!(parse("a,b\n1,2\n3\n").is_none(), "too few fields");
    assert!(parse("a,b\n1,2\n3,4,5\n").is_none(), "too many fields");
    assert!(parse("a,b\n").is_none(), "no data row");
    let latin1 = PlainText::split_in_blocks(b"a,b\n1,caf\xe9\n".to_vec(), 4);
    assert!(latin1.parse(b',').is_none(), "text that is not UTF-8");
}

#[test]
fn lines_are_found_in_any_blocks() {
    let text = b"h\nab\n\ncd\r\nlast".to_vec();
    for block in [1, 2, 3, 5, 100] {
        assert_eq!(line_starts(&text, block), [0, 2, 5, 6, 10, 14], "block {block}");
    }
    assert_eq!(line_starts(b"h\nx\n", 1), [0, 2, 4]);
}

/// The shrunk case the property once found: `c0` then one empty field, unterminated, is a
/// header-only file (no data line), left to polars.
#[test]
fn header_only_file_is_left_to_polars() {
    let plain = PlainText::split_in_blocks(b"c0\n".to_vec(), 1);
    assert!(plain.parse(b',').is_none());
}
