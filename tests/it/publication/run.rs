//! `ponder run` on the bundled pipeline writes the publication tables (`tables.xlsx`,
//! `tables.md`, `tables.html`); the spreadsheet is read back by Python `openpyxl` (a reader
//! that is not ponder; skipped with a message when absent) and its value cells are numbers.

/// Per sheet: `name|numbers|texts` where texts are the data cells (from the first
/// percentage column on, on the rows with values) that are not numbers.
const SCRIPT: &str = "import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets[:-1]:
    heads = [c.value for c in ws[3]]
    lead = next(i for i, h in enumerate(heads) if str(h).endswith('(%)'))
    nums, texts = 0, []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if sum(v is not None for v in row) < 2:
            break
        for v in row[lead:]:
            if isinstance(v, (int, float)):
                nums += 1
            elif v is not None:
                texts.append(str(v))
    print(ws.title + '|' + str(nums) + '|' + ';'.join(texts))
print('last|' + wb.sheetnames[-1])
";

#[test]
fn the_bundled_run_writes_publication_tables_read_back_as_numbers() {
    let (_, out, _) = crate::common::bundled_run();
    let md = std::fs::read_to_string(out.join("tables.md")).unwrap();
    assert!(md.contains("### Confiance dans la justice selon la région"), "{md}");
    assert!(md.contains("| Région |") && md.contains("Provence-Alpes-Côte d'Azur"), "{md}");
    let html = std::fs::read_to_string(out.join("tables.html")).unwrap();
    assert!(html.contains("<caption>Non-recours selon le diplôme</caption>"));
    let xlsx = out.join("tables.xlsx");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "a zip file");
    let py = std::process::Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !py.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: Python openpyxl is not importable (pip install openpyxl)");
        return;
    }
    let o = std::process::Command::new("python3")
        .args(["-c", SCRIPT, xlsx.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let lines: Vec<&str> = text.lines().collect();
    // 23 estimates in fej2024_estimates.yaml, then the methodology sheet.
    assert_eq!(lines.len(), 24, "{text}");
    assert_eq!(lines[23], "last|Méthodologie", "{text}");
    assert!(lines.iter().any(|l| l.starts_with("Confiance dans la justice selon")), "{text}");
    for l in &lines[..23] {
        let parts: Vec<&str> = l.split('|').collect();
        let numbers: usize = parts[1].parse().unwrap();
        assert!(numbers >= 4, "sheet {}: {numbers} numbers", parts[0]);
        // A value cell is a number; only an empty or suppressed value is a dash with its mark.
        for t in parts[2].split(';').filter(|t| !t.is_empty()) {
            assert!(t.starts_with('–') && t.contains('('), "sheet {}: text cell `{t}`", parts[0]);
        }
    }
}
