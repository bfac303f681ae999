//! Reading a codebook and the `codebook:`, `title:` and `theme:` keys of configurations:
//! every problem at once, with key, line and hint.

use super::{CODEBOOK, DATA, config, folder};
use crate::cli::assert_refused;
use ponder::config::codebook::Codebook;
use ponder::config::estimate::EstimateConfig;
use ponder::error::{ConfigProblem, Error};

fn problems(r: ponder::error::Result<impl std::fmt::Debug>) -> (String, Vec<ConfigProblem>) {
    match r {
        Err(Error::Config { file, problems }) => (file, problems),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

fn find<'a>(p: &'a [ConfigProblem], key: &str) -> &'a ConfigProblem {
    p.iter().find(|x| x.key == key).unwrap_or_else(|| panic!("no problem at `{key}` in {p:#?}"))
}

#[test]
fn a_valid_codebook_keeps_file_order_and_normalizes_codes() {
    let s = folder(CODEBOOK, "");
    let cb = Codebook::load(&s.path("cb.yaml")).unwrap();
    let names: Vec<&str> = cb.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["sex", "region", "answer"]);
    let region = cb.variable("region").unwrap();
    let codes: Vec<&str> = region.values.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["11", "24", "94"], "11 and \"24\" are both plain codes");
    assert_eq!(region.values[2].1.en, "Corsica");
    assert_eq!(region.label.fr, "Région");
}

#[test]
fn every_problem_of_a_codebook_is_reported_at_once_with_key_and_line() {
    let text = "variables:
  sex:
    lable: {fr: Sexe, en: Sex}
    values:
      F: {fr: Femmes}
      M: {fr: \"\", en: Men}
  region:
    label: {fr: Région, en: Region, de: Region}
    values:
      11: {fr: Île-de-France, en: Île-de-France}
      \"11\": {fr: IDF, en: IDF}
    valeurs: {}
";
    let s = folder(text, "");
    let (file, p) = problems(Codebook::load(&s.path("cb.yaml")));
    assert!(file.ends_with("cb.yaml"));
    let lable = find(&p, "variables.sex.lable");
    assert_eq!(lable.line, Some(3));
    assert_eq!(lable.hint.as_deref(), Some("did you mean `label`?"));
    let no_label = find(&p, "variables.sex");
    assert!(no_label.message.contains("no `label:`"), "{no_label:?}");
    let f = find(&p, "variables.sex.values.F");
    assert_eq!((f.line, f.message.as_str()), (Some(5), "no `en` text"));
    let m = find(&p, "variables.sex.values.M");
    assert_eq!((m.line, m.message.as_str()), (Some(6), "the `fr` text is empty"));
    let de = find(&p, "variables.region.label");
    assert_eq!((de.line, de.message.as_str()), (Some(8), "unknown key `de`"));
    let twice = find(&p, "variables.region.values.11");
    assert!(twice.message.contains("labelled twice"), "{twice:?}");
    let valeurs = find(&p, "variables.region.valeurs");
    assert_eq!(valeurs.line, Some(12));
    assert_eq!(valeurs.hint.as_deref(), Some("did you mean `values`?"));
    assert_eq!(p.len(), 7, "{p:#?}");
}

#[test]
fn a_codebook_that_is_not_yaml_or_lists_nothing_is_refused() {
    let s = folder("variables: [unclosed\n", "");
    let (_, p) = problems(Codebook::load(&s.path("cb.yaml")));
    assert!(p[0].line.is_some(), "{p:?}");
    let s = folder("variables: {}\n", "");
    let (_, p) = problems(Codebook::load(&s.path("cb.yaml")));
    assert_eq!(p[0].key, "variables");
    let s = folder("variable: {}\n", "");
    let (_, p) = problems(Codebook::load(&s.path("cb.yaml")));
    assert_eq!(p[0].hint.as_deref(), Some("did you mean `variables`?"), "{p:?}");
}

#[test]
fn titles_and_themes_are_read_with_or_without_codebook() {
    let s = folder(CODEBOOK, &config(""));
    let cfg = EstimateConfig::load(&s.path("e.yaml")).unwrap();
    assert!(cfg.codebook.is_none());
    let t = cfg.requests[0].title.as_ref().unwrap();
    assert_eq!((t.fr.as_str(), t.en.as_str()), ("Oui par région", "Yes by region"));
    let theme = cfg.requests[1].theme.as_ref().unwrap();
    assert_eq!((theme.fr.as_str(), theme.en.as_str()), ("Opinions", "Opinions"));
    assert!(cfg.requests[2].title.is_none());
    let s = folder(CODEBOOK, &config("codebook: cb.yaml\n"));
    let cfg = EstimateConfig::load(&s.path("e.yaml")).unwrap();
    assert_eq!(cfg.codebook.unwrap().variables.len(), 3);
}

#[test]
fn a_bad_title_or_a_missing_codebook_is_named_in_the_config() {
    let text = config("codebook: nowhere.yaml\n").replace("en: Yes by region", "de: Ja");
    let s = folder(CODEBOOK, &text);
    let (file, p) = problems(EstimateConfig::load(&s.path("e.yaml")));
    assert!(file.ends_with("e.yaml"));
    let cb = find(&p, "codebook");
    assert_eq!(cb.line, Some(1));
    assert!(cb.message.contains("nowhere.yaml"), "{cb:?}");
    let title = p.iter().find(|x| x.message == "no `en` text").unwrap();
    assert_eq!(title.key, "estimates[0].title");
    let de = p.iter().find(|x| x.message == "unknown key `de`").unwrap();
    assert_eq!(de.key, "estimates[0].title");
    assert_eq!(de.hint.as_deref(), Some("the keys here are: fr, en"));
}

#[test]
fn a_model_config_takes_a_codebook_and_titles() {
    let models = "codebook: cb.yaml
design: {weight: w}
models:
  - {name: m, family: quasibinomial, response: answer, category: \"yes\", terms: [sex],
     missing: drop, title: {fr: Modèle, en: Model}, theme: {fr: Thème, en: Theme}}
tests:
  - {name: t, type: chisq, variables: [answer, sex], title: {fr: Test, en: Test}}
";
    let s = folder(CODEBOOK, models);
    let cfg = ponder::config::model::ModelConfig::load(&s.path("e.yaml")).unwrap();
    assert!(cfg.codebook.is_some());
    assert_eq!(cfg.models[0].title.as_ref().unwrap().en, "Model");
    assert_eq!(cfg.models[0].theme.as_ref().unwrap().fr, "Thème");
    assert_eq!(cfg.tests[0].title.as_ref().unwrap().fr, "Test");
    let s = folder(CODEBOOK, &models.replace("title: {fr: Test", "titel: {fr: Test"));
    let (_, p) = problems(ponder::config::model::ModelConfig::load(&s.path("e.yaml")));
    assert_eq!(p[0].hint.as_deref(), Some("did you mean `title`?"), "{p:?}");
}

#[test]
fn the_cli_refuses_a_bad_codebook_naming_file_key_and_line_and_writes_nothing() {
    let s = folder("variables:\n  sex:\n    label: {fr: Sexe}\n", &config("codebook: cb.yaml\n"));
    assert!(DATA.contains("sex"));
    assert_refused(
        &s,
        &["estimate", "-c", "e.yaml", "-i", "data.csv", "-o", "est.csv"],
        &["cb.yaml", "line 3, key `variables.sex.label`", "no `en` text"],
    );
}
