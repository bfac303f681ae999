//! The codebook against the data (unlabelled values are errors, labels of absent values
//! warnings) and the label columns of the estimate tables.

use super::{CODEBOOK, config, estimate, folder};
use crate::cli::assert_refused;

const ARGS: [&str; 7] = ["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "est.csv"];

#[test]
fn a_data_value_without_label_is_refused_by_name() {
    let codebook = CODEBOOK.replace("      94: {fr: Corse, en: Corsica}\n", "");
    let s = folder(&codebook, &config("codebook: cb.yaml\n"));
    assert_refused(
        &s,
        &ARGS,
        &[
            "cb.yaml",
            "line 9, key `variables.region.values`",
            "value `94` of `region`",
            "estimates[0].by in",
            "e.yaml",
            "has no label",
        ],
    );
}

#[test]
fn a_codebook_variable_that_is_not_a_column_is_refused_with_did_you_mean() {
    let codebook = CODEBOOK.replace("  region:\n", "  regoin:\n");
    let s = folder(&codebook, &config("codebook: cb.yaml\n"));
    assert_refused(
        &s,
        &ARGS,
        &["line 7, key `variables.regoin`", "no column `regoin`", "did you mean `region`?"],
    );
}

#[test]
fn a_label_for_a_value_that_never_occurs_is_a_warning() {
    let codebook = CODEBOOK.replace(
        "      94: {fr: Corse, en: Corsica}\n",
        "      94: {fr: Corse, en: Corsica}\n      \"976\": {fr: Mayotte, en: Mayotte}\n",
    );
    let s = folder(&codebook, &config("codebook: cb.yaml\n"));
    let (csv, err) = estimate(&s, "est.csv", &["-q"]);
    assert!(
        err.contains("warning: ")
            && err.contains("line 13, key `variables.region.values.976`")
            && err.contains("value `976` of `region` is labelled but never occurs"),
        "{err}"
    );
    assert!(!csv.contains("Mayotte"));
    // A published variable the codebook lacks is refused (see
    // a_published_variable_without_labels_is_refused_naming_the_estimate).
}

/// A label of a declared missing-answer code that never occurs is no warning: a question
/// need not have every kind of missing answer.
#[test]
fn a_label_of_a_declared_missing_code_that_never_occurs_is_no_warning() {
    let codebook = CODEBOOK.replace(
        "      94: {fr: Corse, en: Corsica}\n",
        "      94: {fr: Corse, en: Corsica}\n      \"976\": {fr: Mayotte, en: Mayotte}\n",
    );
    let cfg = config("codebook: cb.yaml\nmissing_codes: {item_nonresponse: [976]}\n");
    let s = folder(&codebook, &cfg);
    let (_, err) = estimate(&s, "est.csv", &["-q"]);
    assert!(!err.contains("976"), "{err}");
}

/// The cells of a CSV line (no quoted commas in these tests).
fn cells(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

#[test]
fn label_columns_follow_the_codes_in_french_and_english() {
    let s = folder(CODEBOOK, &config("codebook: cb.yaml\n"));
    let (fr, _) = estimate(&s, "fr.csv", &[]);
    let (en, _) = estimate(&s, "en.csv", &["--lang", "en"]);
    let header = "name,stat,variable,category,category_label,region,region_label,sex,sex_label,\
                  estimate,se,ci_low,ci_high,cv,deff,n,n_weighted,df,flags";
    for t in [&fr, &en] {
        assert_eq!(t.lines().next().unwrap(), header);
    }
    let row = |t: &str, name: &str, dom: &str| -> Vec<String> {
        t.lines()
            .find(|l| l.starts_with(name) && l.contains(dom))
            .map(|l| cells(l).into_iter().map(String::from).collect())
            .unwrap_or_else(|| panic!("no row {name} {dom} in\n{t}"))
    };
    assert_eq!(row(&fr, "yes_by_region", ",94,")[4..7], ["Oui", "94", "Corse"]);
    assert_eq!(row(&en, "yes_by_region", ",94,")[4..7], ["Yes", "94", "Corsica"]);
    assert_eq!(row(&fr, "answer_by_sex,proportion,answer,no", ",F,")[7..9], ["F", "Femmes"]);
    assert_eq!(row(&en, "answer_by_sex,proportion,answer,no", ",F,")[7..9], ["F", "Women"]);
    assert_eq!(row(&en, "answer_by_sex,proportion,answer,no", ",F,")[4], "No");
    // The numbers are the same in both languages.
    assert_eq!(row(&fr, "yes_by_region", ",94,")[9..], row(&en, "yes_by_region", ",94,")[9..]);
    // A total has no category: its label cell is empty too.
    assert_eq!(row(&fr, "total_w", "total")[3..5], ["", ""]);
    // Markdown and JSON carry the same columns.
    let (md, _) = estimate(&s, "en.md", &["--lang", "en"]);
    assert!(md.contains("region_label") && md.contains("Corsica"), "{md}");
    let (json, _) = estimate(&s, "en.json", &["--lang", "en"]);
    assert!(json.contains("\"sex_label\"") && json.contains("Women"), "{json}");
}

#[test]
fn without_codebook_the_output_is_the_unlabelled_table_byte_for_byte() {
    let plain = folder(CODEBOOK, &config(""));
    let (without, _) = estimate(&plain, "est.csv", &[]);
    let (without_en, _) = estimate(&plain, "est_en.csv", &["--lang", "en"]);
    assert_eq!(without, without_en, "--lang changes nothing without a codebook");
    assert_eq!(
        without.lines().next().unwrap(),
        "name,stat,variable,category,region,sex,estimate,se,ci_low,ci_high,cv,deff,n,\
         n_weighted,df,flags"
    );
    // The labelled table minus its label columns is the same text.
    let labelled = folder(CODEBOOK, &config("codebook: cb.yaml\n"));
    let (with, _) = estimate(&labelled, "est.csv", &[]);
    let header = cells(with.lines().next().unwrap());
    let keep: Vec<usize> = (0..header.len()).filter(|i| !header[*i].ends_with("_label")).collect();
    let stripped: String = with
        .lines()
        .map(|l| {
            let c = cells(l);
            keep.iter().map(|i| c[*i]).collect::<Vec<_>>().join(",") + "\n"
        })
        .collect();
    assert_eq!(stripped, without);
}

#[test]
fn ponder_model_checks_its_codebook_against_the_data() {
    let codebook = CODEBOOK.replace("      94: {fr: Corse, en: Corsica}\n", "");
    let s = folder(&codebook, &config(""));
    s.write(
        "m.yaml",
        "codebook: cb.yaml\ndesign:\n  weight: w\ntests:\n  - {name: t, type: chisq, variables: [sex, region]}\n",
    );
    let args = ["model", "-c", "m.yaml", "-i", "data.csv", "-o", "m.csv"];
    assert_refused(&s, &args, &["cb.yaml", "value `94` of `region`", "has no label"]);
}

/// A published variable (`by:`, or the variable of a proportion) absent from the codebook,
/// or listed without `values:`, would show codes to readers: refused, naming the variable,
/// the estimate, the codebook file and the fix; nothing written.
#[test]
fn a_published_variable_without_labels_is_refused_naming_the_estimate() {
    let no_sex = CODEBOOK.replace(
        "  sex:\n    label: {fr: Sexe, en: Sex}\n    values:\n      F: {fr: Femmes, en: Women}\n      M: {fr: Hommes, en: Men}\n",
        "",
    );
    assert_ne!(no_sex, CODEBOOK);
    let s = folder(&no_sex, &config("codebook: cb.yaml\n"));
    assert_refused(
        &s,
        &ARGS,
        &[
            "e.yaml",
            "estimates[1].by",
            "`sex` (by of estimate `answer_by_sex`) is not in the codebook cb.yaml",
            "add `sex: {label:",
        ],
    );
    let bare = CODEBOOK.replace(
        "    values:\n      \"yes\": {fr: Oui, en: \"Yes\"}\n      \"no\": {fr: Non, en: \"No\"}\n",
        "",
    );
    assert_ne!(bare, CODEBOOK);
    let s = folder(&bare, &config("codebook: cb.yaml\n"));
    assert_refused(
        &s,
        &ARGS,
        &[
            "estimates[0].variable",
            "`answer` (variable of estimate `yes_by_region`) has no `values:`",
        ],
    );
}
