//! Files read by chunks (`Table::read_columns`, what `ponder calibrate` uses) against the
//! whole-file reader: the same columns, factors, errors and written bytes, whatever the
//! chunk size (a few bytes: every line its own chunk; chunks cutting lines anywhere).

use ponder::data::{ColumnUse, Table};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Columns whose name starts with `c` are read as categories, the others as values.
fn by_name(name: &str) -> Option<ColumnUse> {
    if name.starts_with('c') { Some(ColumnUse::Categories) } else { Some(ColumnUse::Values) }
}

/// The chunked table has the whole table's names, rows, factors and values; both write
/// the same bytes with a new column appended, to the file's format and to Parquet.
///
/// Also checks that the file was read by chunks (`Some(true)`: a column left out cannot be
/// read) or whole (`Some(false)`).
fn same_as_whole_read(path: &Path, chunk: usize, by_chunks: Option<bool>) {
    if let Some(expected) = by_chunks {
        let first = Table::read(path).unwrap().column_names()[0].clone();
        let pick = |n: &str| if n == first { None } else { by_name(n) };
        let t = Table::read_columns_in_chunks(path, &pick, chunk).unwrap();
        let err = t.numeric_opt(&first).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err.contains("was not read"), expected, "{}: {err}", path.display());
    }
    let whole = Table::read(path).unwrap();
    let part = Table::read_columns_in_chunks(path, &by_name, chunk).unwrap();
    let what = format!("{} in chunks of {chunk} bytes", path.display());
    assert_eq!(part.column_names(), whole.column_names(), "{what}");
    assert_eq!(part.n_rows(), whole.n_rows(), "{what}");
    for name in whole.column_names() {
        assert_eq!(part.factor(&name).unwrap(), whole.factor(&name).unwrap(), "{what}: {name}");
        if by_name(&name) == Some(ColumnUse::Values) {
            let bits = |t: &Table| match t.numeric_opt(&name) {
                Ok(v) => Ok(v.iter().map(|x| x.map(f64::to_bits)).collect::<Vec<_>>()),
                Err(e) => Err(e.to_string()),
            };
            assert_eq!(bits(&part), bits(&whole), "{what}: {name}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let ext = path.extension().unwrap().to_str().unwrap().to_string();
    let new: Vec<f64> = (0..whole.n_rows()).map(|i| 1.0 / (i as f64 + 3.0)).collect();
    for out_ext in [ext.as_str(), "parquet"] {
        let mut outs = Vec::new();
        for (label, t) in [("whole", &whole), ("part", &part)] {
            let mut t = t.clone();
            t.add_f64("w_new", &new).unwrap();
            let out = dir.path().join(format!("{label}.{out_ext}"));
            t.write(&out).unwrap();
            outs.push(std::fs::read(&out).unwrap());
        }
        if out_ext != "parquet" {
            assert!(outs[0] == outs[1], "{what}: written bytes differ");
        } else {
            // Parquet bytes may hold a writer's metadata: compare the tables read back
            let back = Table::read(&dir.path().join("part.parquet")).unwrap();
            assert_eq!(back.column_names().last().map(String::as_str), Some("w_new"), "{what}");
            assert_eq!(back.numeric("w_new").unwrap(), new, "{what}");
        }
    }
}

#[test]
fn chunked_reads_match_the_whole_file_at_every_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,cnum,ctext,clead,cfloat,cwide,cmiss,d,x\n");
    for i in 0..700u64 {
        let text =
            ["a", "bb", "é", "a long label of more than fifteen bytes", "x y"][i as usize % 5];
        let wide = if i % 3 == 0 { (i * 1_000_003).to_string() } else { i.to_string() };
        let miss = if i % 4 == 0 { String::new() } else { (i % 6).to_string() };
        let float = if i == 650 { "2.5".to_string() } else { (i % 7).to_string() };
        csv.push_str(&format!(
            "{i},{},{text},0{},{float},{wide},{miss},{}.{:03},{}\n",
            i % 5 + 1,
            i % 3,
            10 + i % 50,
            i % 997,
            if i == 600 { "1e3".to_string() } else { (i % 11).to_string() }
        ));
    }
    let csv_path = write(dir.path(), "a.csv", &csv);
    let tsv_path = write(dir.path(), "a.tsv", &csv.replace(',', "\t"));
    // R's write.csv: text values and names quoted
    let quoted = csv
        .lines()
        .map(|l| {
            l.split(',')
                .map(|f| {
                    if f.parse::<f64>().is_ok() || f.is_empty() {
                        f.to_string()
                    } else {
                        format!("\"{f}\"")
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n\n\n";
    let quoted_path = write(dir.path(), "q.csv", &quoted);
    for chunk in [1, 7, 50, 333, 4096, 1 << 20] {
        same_as_whole_read(&csv_path, chunk, Some(true));
        same_as_whole_read(&tsv_path, chunk, Some(true));
        same_as_whole_read(&quoted_path, chunk, Some(true));
    }
    // the categories of more than 255 and 65,535 distinct values widen the codes
    let mut many = String::from("cbig,d\n");
    for i in 0..70_000u32 {
        many.push_str(&format!("k{},1\n", (i * 7919) % 66_000));
    }
    same_as_whole_read(&write(dir.path(), "many.csv", &many), 100_000, Some(true));
}

#[test]
fn files_outside_the_chunk_grammar_are_read_whole() {
    // (the first two are inside it)
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("no_final_break.csv", "id,c,d\n1,a,2\n2,b,3", true),
        ("trailing_blank_lines.csv", "id,c,d\n1,a,2\n2,b,3\n\n\n", true),
        ("crlf.csv", "id,c,d\r\n1,a,2\r\n2,b,3\r\n3,a,4\r\n", false),
        ("quoted.csv", "id,c,d\n1,\"a,b\",2\n2,\"line\nbreak\",3\n3,\"say \"\"hi\"\"\",4\n", false),
        ("bom.csv", "\u{feff}id,c,d\n1,a,2\n2,b,3\n", false),
        ("text_weight.csv", "id,c,d\n1,a, 2\n2,b,3\n", false),
        ("unsure.csv", "id,c,d\n1,a,.5\n2,b,3\n", false),
        ("all_missing.csv", "id,c,d\n1,,\n2,,\n", true),
    ];
    for (name, text, by_chunks) in cases {
        let p = write(dir.path(), name, text);
        for chunk in [1, 5, 1 << 20] {
            same_as_whole_read(&p, chunk, Some(by_chunks));
        }
    }
}

/// The error of the whole-file reader, and the one reading by chunks.
fn errors(path: &Path, chunk: usize, column: &str) -> (String, String) {
    let whole = Table::read(path).and_then(|t| t.numeric(column).map(|_| ()));
    let part = Table::read_columns_in_chunks(path, &by_name, chunk)
        .and_then(|t| t.numeric(column).map(|_| ()));
    (whole.unwrap_err().to_string(), part.unwrap_err().to_string())
}

#[test]
fn errors_in_a_later_chunk_name_their_row_or_line() {
    let dir = tempfile::tempdir().unwrap();
    let rows = |bad: usize, value: &str| {
        let mut s = String::from("id,c,d\n");
        for i in 1..=400 {
            s.push_str(&format!("{i},{},{}\n", i % 3, if i == bad { value } else { "1.5" }));
        }
        s
    };
    let cases: [(String, &str); 5] = [
        (rows(321, ""), "row 321"),
        (rows(250, "abc"), "row 250 holds `abc`"),
        (rows(300, "1,2"), "ragged"),
        (rows(123, "NA"), "row 123 holds `NA`"),
        (rows(400, "1.5\n\n7,1,2"), "line 402 is blank"),
    ];
    for (text, expected) in cases {
        let p = write(dir.path(), "bad.csv", &text);
        for chunk in [16, 100, 1 << 20] {
            let (whole, part) = errors(&p, chunk, "d");
            assert_eq!(part, whole, "chunks of {chunk}");
            assert!(part.contains(expected), "{part} (expected {expected})");
        }
    }
    // header errors come first, as when the file is read whole
    let p = write(dir.path(), "semi.csv", "id;c;d\n1;2;3\n");
    let err = Table::read_columns(&p, &by_name).unwrap_err().to_string();
    assert!(err.contains("semicolon"), "{err}");
    let p = write(dir.path(), "empty.csv", "id,c,d\n\n\n");
    let (whole, part) = (Table::read(&p), Table::read_columns(&p, &by_name));
    assert_eq!(part.unwrap_err().to_string(), whole.unwrap_err().to_string());
}

#[test]
fn unpicked_columns_are_not_read_but_known() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "id,c,d,other\n1,a,2,x\n2,b,3,y\n");
    let pick = |n: &str| (n == "d").then_some(ColumnUse::Values);
    let mut t = Table::read_columns_in_chunks(&p, &pick, 4).unwrap();
    assert!(t.has_column("other"));
    assert_eq!(t.columns_matching("o*").unwrap(), ["other"]);
    let err = t.numeric("other").unwrap_err().to_string();
    assert!(err.contains("was not read"), "{err}");
    let err = t.numeric("d2").unwrap_err().to_string();
    assert!(err.contains("did you mean `d`"), "{err}");
    let err = t.add_f64("other", &[1.0, 2.0]).unwrap_err().to_string();
    assert!(err.contains("already exists"), "{err}");
    t.add_f64("w", &[0.5, 0.25]).unwrap();
    assert_eq!(t.column_names(), ["id", "c", "d", "other", "w"]);
    let out = dir.path().join("out.csv");
    t.write(&out).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,c,d,other,w\n1,a,2,x,0.5\n2,b,3,y,0.25\n"
    );
    // the input changed since it was read: refused, nothing written
    std::fs::write(&p, "id,c,d,other\n1,a,2,x\n2,b,3,y\n3,c,4,z\n").unwrap();
    let out2 = dir.path().join("out2.csv");
    let err = t.write(&out2).unwrap_err().to_string();
    assert!(err.contains("changed since it was read"), "{err}");
    assert!(!out2.exists());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Random files of codes, labels, numbers and missing values: the chunked table and
    /// its written bytes are the whole file's, for any chunk size.
    #[test]
    fn chunked_reads_are_whole_reads(
        rows in proptest::collection::vec(proptest::collection::vec(0usize..12, 4), 1..60),
        chunk in 1usize..200,
        tsv in any::<bool>(),
    ) {
        const FIELDS: [&str; 12] = ["", "0", "-0", "1", "22", "01", "1.5", "1e5", "abc", "\"q\"", "é", "7"];
        let sep = if tsv { "\t" } else { "," };
        let mut text = ["ca", "cb", "x", "y"].join(sep) + "\n";
        for r in &rows {
            text.push_str(&r.iter().map(|&i| FIELDS[i]).collect::<Vec<_>>().join(sep));
            text.push('\n');
        }
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), if tsv { "p.tsv" } else { "p.csv" }, &text);
        // value columns x, y of plain numbers are read by chunks (text needs the whole file)
        let plain_numbers = rows.iter().all(|r| r[2..].iter().all(|i| [0, 1, 3, 4, 6, 7, 11].contains(i)));
        same_as_whole_read(&p, chunk, plain_numbers.then_some(true));
    }
}
