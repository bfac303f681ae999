//! The data layer: reading, typing, writing, refusing bad files.

use ponder::data::{ColumnData, Factor, Table};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read_err(text: &str, name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, text);
    Table::read(&p).unwrap_err().to_string()
}

#[test]
fn types_columns_and_keeps_codes_with_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "a,b,c,d\n1,01,x,1.5\n2,02,\"y,z\",\n3,,w,2\n");
    let t = Table::read(&p).unwrap();
    assert_eq!(t.n_rows(), 3);
    assert_eq!(t.numeric("a").unwrap(), vec![1.0, 2.0, 3.0]);
    let b = t.factor("b").unwrap();
    assert_eq!(b.levels, vec!["01", "02"]);
    assert_eq!(b.codes, vec![0, 1, Factor::MISSING]);
    assert_eq!(t.factor("c").unwrap().levels, vec!["w", "x", "y,z"]);
    assert_eq!(t.numeric_opt("d").unwrap(), vec![Some(1.5), None, Some(2.0)]);
    let err = t.numeric("d").unwrap_err().to_string();
    assert!(err.contains("`d`") && err.contains("row 2"), "{err}");
    let err = t.numeric("c").unwrap_err().to_string();
    assert!(err.contains("row 1") && err.contains("`x`"), "{err}");
    assert!(!err.contains("missing value is an empty field"), "{err}");
    let na = write(dir.path(), "na.csv", "a,d\n1,2.5\n2,NA\n");
    let err = Table::read(&na).unwrap().numeric("d").unwrap_err().to_string();
    assert!(err.contains("row 2 holds `NA`") && err.contains("na = \"\""), "{err}");
    let err = t.numeric("aa").unwrap_err().to_string();
    assert!(err.contains("did you mean `a`"), "{err}");
    // round trip keeps "01" and appends the new column
    let mut t2 = t.clone();
    t2.add_column("w", ColumnData::from_f64(&[0.1, 0.2, 1.0 / 3.0])).unwrap();
    assert!(t2.add_column("a", ColumnData::from_f64(&[1.0, 2.0, 3.0])).is_err());
    let out = dir.path().join("out.csv");
    t2.write(&out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("a,b,c,d,w\n1,01,x,1.5,0.1\n"), "{text}");
    let back = Table::read(&out).unwrap();
    assert_eq!(back.numeric("w").unwrap()[2], 1.0 / 3.0);
    let pq = dir.path().join("out.parquet");
    t2.write(&pq).unwrap();
    let back = Table::read(&pq).unwrap();
    assert_eq!(back.factor("b").unwrap().levels, vec!["01", "02"]);
    assert_eq!(back.numeric("w").unwrap()[2], 1.0 / 3.0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "outputs are readable by others, like any file");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn numeric_factor_levels_sort_numerically_and_match_text_form() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "x,y\n10,1.0\n2,2.5\n1,1\n");
    let t = Table::read(&p).unwrap();
    assert_eq!(t.factor("x").unwrap().levels, vec!["1", "2", "10"]);
    assert_eq!(t.factor("y").unwrap().levels, vec!["1", "2.5"]);
}

#[test]
fn tsv_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.tsv", "a\tb\n1.5\tq\n");
    let t = Table::read(&p).unwrap();
    assert_eq!(t.numeric("a").unwrap(), vec![1.5]);
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    assert!(read_err("", "e.csv").contains("empty"));
    assert!(read_err("a,b\n", "h.csv").contains("no data rows"));
    let e = read_err("a,b\n1,2\n3\n", "r.csv");
    assert!(e.contains("line 3") && e.contains("ragged"), "{e}");
    // a row with more fields than the header: named by its line, quotes counted
    let e = read_err("a,b\n1,2\n\"x,y\",2\n3,4,5\n", "r2.csv");
    assert!(e.contains("line 4 has 3 field(s) but the header has 2 (ragged CSV)"), "{e}");
    let e = read_err("a,a\n1,2\n", "d.csv");
    assert!(e.contains("`a` appears twice"), "{e}");
    let e = read_err("a\n1\n", "x.xlsx");
    assert!(e.contains("unknown file extension `.xlsx`"), "{e}");
    let e = Table::read(Path::new("/nonexistent/file.csv")).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/file.csv"), "{e}");
}

#[test]
fn blank_lines_wrong_separators_and_other_encodings_are_named() {
    // blank lines between rows: refused, quoted file or not, line named
    for text in ["a,b\n1,2\n\n3,4\n", "a,b\n\"x\",2\n\r\n3,4\n", "a,b\r\n1,2\r\n\r\n3,4\r\n"] {
        let e = read_err(text, "b.csv");
        assert!(e.contains("line 3 is blank") && e.contains("b.csv"), "{text:?}: {e}");
    }
    // a semicolon- or tab-separated .csv, a comma-separated .tsv
    let e = read_err("a;b\n1;2\n", "s.csv");
    assert!(e.contains("semicolon-separated") && e.contains("`a;b`"), "{e}");
    let e = read_err("a\tb\n1\t2\n", "t.csv");
    assert!(e.contains("tab-separated") && e.contains("`a\\tb`"), "{e}");
    let e = read_err("a,b\n1,2\n\"x,3\n4,5\n", "q.csv");
    assert!(e.contains("line 3 opens a quoted value that is never closed"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let t = Table::read(&write(dir.path(), "z.csv", "a,d\0\n1,2\n")).unwrap();
    let e = t.numeric("d").unwrap_err().to_string();
    assert!(e.contains("did you mean `d\\0`?"), "a control character is shown: {e}");
    let e = read_err("a,b\r1,2\r3,4\r", "m.csv");
    assert!(e.contains("carriage return alone"), "{e}");
    let e = read_err("a,b\n1,2\n", "c.tsv");
    assert!(e.contains("comma-separated") && e.contains(".tsv file is read as tab"), "{e}");
    // Latin-1 text: the line is named
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("l.csv");
    std::fs::write(&p, b"a,b\n1,x\n2,caf\xe9\n").unwrap();
    let e = Table::read(&p).unwrap_err().to_string();
    assert!(e.contains("line 3 is not UTF-8"), "{e}");
    std::fs::write(&p, b"a,\xe9\n1,x\n").unwrap();
    let e = Table::read(&p).unwrap_err().to_string();
    assert!(e.contains("header line is not UTF-8"), "{e}");
}

/// Blank lines after the last row are not rows: the table has the file's rows, the same
/// whether the file is read by ponder (no quote) or by polars (a quote), and the rows
/// written back are the file's.
#[test]
fn blank_lines_at_the_end_are_not_rows() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("p.csv", "a,b\n1,x\n2,y\n\n\n"),
        ("q.csv", "a,b\n1,\"x\"\n2,y\n\n"),
        ("r.csv", "a,b\r\n1,x\r\n2,y\r\n\r\n"),
    ] {
        let p = write(dir.path(), name, text);
        let mut t = Table::read(&p).unwrap();
        assert_eq!(t.n_rows(), 2, "{text:?}");
        assert_eq!(t.numeric("a").unwrap(), vec![1.0, 2.0], "{text:?}");
        t.add_f64("w", &[0.5, 1.5]).unwrap();
        let out = dir.path().join(format!("out_{name}"));
        t.write(&out).unwrap();
        let back = std::fs::read_to_string(&out).unwrap();
        assert_eq!(back.lines().count(), 3, "{back:?}");
        assert!(back.ends_with(",1.5\n"), "{back:?}");
    }
}

/// A file long enough to be typed in several parallel runs of rows gives the same table as
/// the same rows with CRLF line ends (read by polars), and is written back byte for byte.
#[test]
fn large_plain_files_are_read_like_polars_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let n = 150_000;
    let mut plain = String::from("id,code,x,label\n");
    for i in 0..n {
        // code: integers, then a float in the last run; label: text from row 100,000
        let x = if i == n - 1 { "0.5".to_string() } else { (i % 7).to_string() };
        let label = if i >= 100_000 { format!("l{}", i % 3) } else { (i % 3).to_string() };
        plain.push_str(&format!("{i},{:02},{x},{label}\n", i % 5));
    }
    let crlf = plain.replace('\n', "\r\n");
    let a = Table::read(&write(dir.path(), "plain.csv", &plain)).unwrap();
    let b = Table::read(&write(dir.path(), "crlf.csv", &crlf)).unwrap();
    assert_eq!(a.n_rows(), n);
    for col in ["code", "label"] {
        assert_eq!(a.factor(col).unwrap(), b.factor(col).unwrap(), "{col}");
    }
    assert_eq!(a.factor("code").unwrap().levels, vec!["00", "01", "02", "03", "04"]);
    assert_eq!(a.numeric("x").unwrap(), b.numeric("x").unwrap());
    assert_eq!(a.numeric("x").unwrap()[n - 1], 0.5);
    let out = dir.path().join("out.csv");
    a.write(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), plain);
}

/// The runs of rows and the shares of text columns depend on the number of threads; the
/// table and the written file must not.
#[test]
fn reading_and_writing_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,g,x,t1,t2,t3\n");
    for i in 0..20_000 {
        let x = if i % 997 == 0 { format!("{}.25", i % 13) } else { (i % 13).to_string() };
        text.push_str(&format!("{i},{:02},{x},a{},b{},{}\n", i % 4, i % 5, i % 6, i % 7));
    }
    let input = write(dir.path(), "in.csv", &text);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut t = Table::read(&input).unwrap();
            let w: Vec<f64> = (0..t.n_rows()).map(|i| 1.0 / (i + 3) as f64).collect();
            t.add_f64("w", &w).unwrap();
            let (csv, pq) = (
                dir.path().join(format!("o{threads}.csv")),
                dir.path().join(format!("o{threads}.parquet")),
            );
            t.write(&csv).unwrap();
            t.write(&pq).unwrap();
            (std::fs::read(&csv).unwrap(), std::fs::read(&pq).unwrap(), t.factor("t1").unwrap())
        })
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        let other = run(threads);
        assert!(one.0 == other.0, "CSV differs with {threads} threads");
        assert!(one.1 == other.1, "Parquet differs with {threads} threads");
        assert_eq!(one.2, other.2);
    }
    assert!(
        std::str::from_utf8(&one.0)
            .unwrap()
            .starts_with("id,g,x,t1,t2,t3,w\n0,00,0.25,a0,b0,0,0.3333333333333333\n")
    );
}

#[test]
fn output_checks_refuse_inputs_and_missing_folders() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", "a\n1\n");
    let e = ponder::data::check_output_path(&input, &[&input]).unwrap_err().to_string();
    assert!(e.contains("overwrite an input"), "{e}");
    let e = ponder::data::check_output_path(&dir.path().join("no/out.csv"), &[&input])
        .unwrap_err()
        .to_string();
    assert!(e.contains("does not exist"), "{e}");
    let e = ponder::data::check_output_path(dir.path(), &[&input]).unwrap_err().to_string();
    assert!(e.contains("is a folder") && e.contains("output file's name"), "{e}");
}

#[test]
fn crossed_factors_join_labels() {
    let a = Factor { codes: vec![0, 1, 0, Factor::MISSING], levels: vec!["1".into(), "2".into()] };
    let b = Factor { codes: vec![1, 0, 1, 0], levels: vec!["x".into(), "y".into()] };
    let c = Factor::cross(&[&a, &b]);
    assert_eq!(c.levels, vec!["1,y", "2,x"]);
    assert_eq!(c.codes, vec![0, 1, 0, Factor::MISSING]);
}

#[test]
fn numeric_looking_text_and_huge_integers_are_typed_safely() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "a,b,c\n1-2,99999999999999999999,1e3\n3,1,2\n");
    let t = Table::read(&p).unwrap();
    assert_eq!(t.factor("a").unwrap().levels, vec!["1-2", "3"]);
    assert_eq!(t.numeric("b").unwrap(), vec![1e20, 1.0]);
    assert_eq!(t.numeric("c").unwrap(), vec![1000.0, 2.0]);
}

#[test]
fn integer_factors_with_and_without_missing_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "x,y\n3,1\n,2\n-1,2\n3,1\n");
    let t = Table::read(&p).unwrap();
    let x = t.factor("x").unwrap();
    assert_eq!(x.levels, vec!["-1", "3"]);
    assert_eq!(x.codes, vec![1, Factor::MISSING, 0, 1]);
    let y = t.factor("y").unwrap();
    assert_eq!(
        (y.levels.clone(), y.codes.clone()),
        (vec!["1".to_string(), "2".to_string()], vec![0, 1, 1, 0])
    );
}

/// A CSV read as is and written with new columns keeps every input field byte for byte
/// (`35.10` stays `35.10`, `01` stays `01`); quotes, TSV, selected rows and other formats
/// go through the general writer, with the same values.
#[test]
fn appended_columns_keep_the_input_fields_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "in.csv", "id,x,code,note\r\n1,35.10,01,\r\n2,2.500,007,b c\r\n");
    let mut t = Table::read(&src).unwrap();
    t.add_f64("w", &[1.5, 2.0]).unwrap();
    t.add_column("g", ColumnData::Str(vec![Some("a".into()), None])).unwrap();
    let out = dir.path().join("out.csv");
    t.write(&out).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,x,code,note,w,g\n1,35.10,01,,1.5,a\n2,2.500,007,b c,2.0,\n"
    );
    // TSV to TSV
    let src = write(dir.path(), "in.tsv", "id\tx\n1\t3.50\n");
    let mut t = Table::read(&src).unwrap();
    t.add_f64("w", &[4.0]).unwrap();
    t.write(&dir.path().join("out.tsv")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.tsv")).unwrap(),
        "id\tx\tw\n1\t3.50\t4.0\n"
    );
    // quoted fields (a field may hold a comma or a line break): the general writer
    let src = write(dir.path(), "q.csv", "id,name\n1,\"a,b\"\n2,\"c\nd\"\n");
    let mut t = Table::read(&src).unwrap();
    t.add_f64("w", &[1.0, 2.0]).unwrap();
    let out = dir.path().join("q_out.csv");
    t.write(&out).unwrap();
    let back = Table::read(&out).unwrap();
    assert_eq!(back.factor("name").unwrap().levels, ["a,b", "c\nd"]);
    assert_eq!(back.numeric("w").unwrap(), [1.0, 2.0]);
    // rows selected: rendered anew, in the new order
    let t = Table::read(&dir.path().join("in.csv")).unwrap().take_rows(&[1]).unwrap();
    let out = dir.path().join("sel.csv");
    t.write(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id,x,code,note\n2,2.5,007,b c\n");
    // CSV to Parquet and back
    let mut t = Table::read(&dir.path().join("in.csv")).unwrap();
    t.add_f64("w", &[1.5, 2.0]).unwrap();
    let pq = dir.path().join("out.parquet");
    t.write(&pq).unwrap();
    assert_eq!(Table::read(&pq).unwrap().numeric("x").unwrap(), [35.1, 2.5]);
}
