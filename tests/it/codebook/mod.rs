//! Codebooks (issue 13): reading and validation, the check against the data, label columns
//! in the estimate tables (French and English), unchanged output without a codebook, and
//! the FEJ codebook against the bundled pipeline's data.

mod check;
mod fej;
mod read;

use crate::cli::stderr;
use crate::common::Scratch;

/// A small data file: weight, sex (text codes), region (number codes), an answer with
/// missing values.
pub const DATA: &str = "w,sex,region,answer
10,F,11,yes
12,M,11,no
8,F,24,yes
9,M,24,
11,F,94,no
10,M,94,yes
7,F,11,no
13,M,24,yes
";

/// A codebook for [`DATA`].
pub const CODEBOOK: &str = "variables:
  sex:
    label: {fr: Sexe, en: Sex}
    values:
      F: {fr: Femmes, en: Women}
      M: {fr: Hommes, en: Men}
  region:
    label: {fr: Région, en: Region}
    values:
      11: {fr: Île-de-France, en: Île-de-France}
      \"24\": {fr: Centre-Val de Loire, en: Centre-Val de Loire}
      94: {fr: Corse, en: Corsica}
  answer:
    label: {fr: Réponse, en: Answer}
    values:
      \"yes\": {fr: Oui, en: \"Yes\"}
      \"no\": {fr: Non, en: \"No\"}
";

/// An estimation config on [`DATA`], with `extra` lines at the top (e.g. `codebook:`).
pub fn config(extra: &str) -> String {
    format!(
        "{extra}design:
  weight: w
estimates:
  - {{name: yes_by_region, stat: proportion, variable: answer, category: \"yes\",
     by: [region], missing: drop, title: {{fr: Oui par région, en: Yes by region}}}}
  - {{name: answer_by_sex, stat: proportion, variable: answer, by: [sex], missing: drop,
     theme: Opinions}}
  - {{name: total_w, stat: total, variable: w}}
"
    )
}

/// A scratch folder with `data.csv`, `cb.yaml` (`codebook`) and `e.yaml` (`config`).
pub fn folder(codebook: &str, config: &str) -> Scratch {
    let s = Scratch::new();
    s.write("data.csv", DATA);
    s.write("cb.yaml", codebook);
    s.write("e.yaml", config);
    s
}

/// Runs `ponder estimate` in `s` (extra arguments `args`), expecting success; returns
/// the output CSV's text and the standard error.
pub fn estimate(s: &Scratch, out: &str, args: &[&str]) -> (String, String) {
    let mut a = vec!["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", out];
    a.extend_from_slice(args);
    let o = s.run(&a);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (std::fs::read_to_string(s.path(out)).unwrap(), stderr(&o))
}
