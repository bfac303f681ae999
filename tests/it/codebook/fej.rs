//! The FEJ codebook covers the data of the bundled pipeline: every value of every variable
//! the FEJ estimates and models use has a French and an English label, no label is for a
//! value that never occurs, and every estimate, model and test has a title.

use crate::common::repo;
use ponder::config::estimate::EstimateConfig;
use ponder::config::model::ModelConfig;
use ponder::data::Table;
use std::path::Path;

#[test]
fn the_fej_codebook_covers_the_bundled_pipeline_data() {
    let (_, out, err) = crate::common::bundled_run();
    assert!(!err.contains("warning"), "{err}");
    let table = Table::read(&out.join("weighted.parquet")).unwrap();
    // `ponder run` writes the label columns in the report's language (fr here).
    let csv = std::fs::read_to_string(out.join("estimates.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",region,region_label,"), "{csv}");
    assert!(csv.contains(",94,Corse,") && csv.contains(",Oui,"), "{csv}");
    let md = std::fs::read_to_string(out.join("estimates.md")).unwrap();
    assert!(md.contains("Provence-Alpes-Côte d'Azur"), "{md}");

    let est = EstimateConfig::load(Path::new(&repo("designs/fej2024_estimates.yaml"))).unwrap();
    let cb = est.codebook.as_ref().expect("the FEJ estimates name a codebook");
    assert!(cb.file.ends_with("fej2024_codebook.yaml"));
    let checked = ponder::bind::codebook::estimate_labels(&est, &table).unwrap();
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
    let labels = &checked.labels;
    for r in &est.requests {
        let h = labels.estimate(&r.name).unwrap();
        let title = h.title.as_ref().unwrap_or_else(|| panic!("{} has no title", r.name));
        assert!(!title.fr.is_empty() && !title.en.is_empty() && title.fr != title.en, "{title:?}");
        assert!(h.theme.is_some(), "{} has no theme", r.name);
        for v in r.by.iter().chain([&r.variable]) {
            let level_labels = &labels.variables[v.as_str()];
            assert!(!level_labels.values.is_empty(), "`{v}` has no value labels");
            for code in table.factor(v).unwrap().levels {
                assert!(labels.value(v, &code).is_some(), "`{v}` = `{code}` unlabelled");
            }
        }
    }
    // Accents and names as published.
    assert_eq!(labels.value("region", "11").unwrap().fr, "Île-de-France");
    assert_eq!(labels.value("region", "93").unwrap().fr, "Provence-Alpes-Côte d'Azur");
    assert_eq!(labels.value("region", "974").unwrap().fr, "La Réunion");
    assert_eq!(labels.variable("diploma").unwrap().fr, "Diplôme le plus élevé");

    let models = ModelConfig::load(Path::new(&repo("designs/fej2024_models.yaml"))).unwrap();
    let checked = ponder::bind::codebook::model_labels(&models, &table).unwrap();
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
    let names = models.models.iter().map(|m| &m.name).chain(models.tests.iter().map(|t| &t.name));
    for n in names {
        let h = checked.labels.model(n).unwrap();
        assert!(h.title.is_some() && h.theme.is_some(), "model or test {n}: {h:?}");
    }
}
