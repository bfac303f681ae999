//! The run report: built from genuine nonresponse, calibration and estimation results on a
//! small synthetic mixed-mode survey, then checked for sections, plots, map shapes,
//! escaping, missing values and determinism; `models`: the models section.

mod codebook;
mod models;
mod visible;

use ponder::calibration::{self, Bounds, Margin, Problem};
use ponder::data::Factor;
use ponder::design::{Categorical as DCat, Design, DesignSpec, Numeric};
use ponder::estimate::{
    EstimateRow, EstimateSpec, Flags, Labels, Publication, Statistic, VarianceSource, estimate,
};
use ponder::nonresponse::{
    FitOptions, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases, Predictor,
    ResponseModel, ScoreGroups, StatusCodes, Variable,
};
use ponder::report::run::{Lang, RunReport, WeightStep, render};
use ponder::variance::Linearization;
use rand::{RngExt, SeedableRng};

/// No codebook, no titles: codes and names shown as they are.
pub(super) static NO_LABELS: Labels = Labels {
    codebook: None,
    variables: std::collections::BTreeMap::new(),
    estimates: Vec::new(),
    models: Vec::new(),
};

/// Regions drawn in the sample (Mayotte left out: drawn as an absent region).
const REGIONS: [&str; 17] = [
    "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "971", "972",
    "973", "974",
];

/// Everything the report borrows.
struct Run {
    d: Vec<f64>,
    w_nr: Vec<f64>,
    w_cal: Vec<f64>,
    g: Vec<f64>,
    nr: ponder::nonresponse::Report,
    cal: calibration::Report,
    rows: Vec<EstimateRow>,
}

fn levels(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn run() -> Run {
    let n = 4000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let mut region = Vec::with_capacity(n);
    let (mut age, mut sex, mut status, mut d) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let r = rng.random_range(0..REGIONS.len());
        let a: u32 = rng.random_range(0..3);
        let s: u32 = rng.random_range(0..2);
        let p_web = 0.15 + 0.15 * f64::from(a);
        let u: f64 = rng.random();
        let st: u32 = if u < 0.03 {
            3 // out of scope
        } else if u < 0.03 + p_web {
            0 // web
        } else if rng.random::<f64>() < 0.25 + 0.05 * f64::from(s) {
            1 // phone
        } else {
            2 // nonrespondent
        };
        region.push(r);
        age.push(a);
        sex.push(s);
        status.push(st);
        d.push(1000.0 + 250.0 * (r % 3) as f64);
    }
    let age_l = levels(&["18-34", "35-59", "60+"]);
    let sex_l = levels(&["homme", "femme"]);
    let st_l = levels(&["web", "tel", "nr", "hc"]);
    let age_f = Factor { codes: age.clone(), levels: age_l.clone() };
    let sex_f = Factor { codes: sex.clone(), levels: sex_l.clone() };
    let status_f = Factor { codes: status.clone(), levels: st_l };
    let predictors = || {
        vec![
            Predictor::new(Variable::categorical("age", &age_f)),
            Predictor::new(Variable::categorical("sexe", &sex_f)),
        ]
    };
    let spec = NonresponseSpec {
        status_name: "statut",
        status: &status_f,
        codes: StatusCodes {
            web: levels(&["web"]),
            phone: levels(&["tel"]),
            nonrespondent: levels(&["nr"]),
            ineligible: levels(&["hc"]),
            ..Default::default()
        },
        eligibility_classes: vec![],
        method: Method::Score {
            model: ResponseModel {
                predictors: predictors(),
                weighting: ModelWeighting::Design,
                phases: Phases::Global,
                options: FitOptions::default(),
            },
            groups: ScoreGroups::default(),
        },
        profile: vec![Variable::categorical("age", &age_f), Variable::categorical("sexe", &sex_f)],
    };
    let adj = Nonresponse::new(spec).unwrap().adjust(&d).unwrap();
    let resp: Vec<usize> = (0..n).filter(|&i| adj.weights[i] > 0.0).collect();
    let w_nr: Vec<f64> = resp.iter().map(|&i| adj.weights[i]).collect();
    let total: f64 = (0..n).filter(|&i| status[i] != 3).map(|i| d[i]).sum();
    let margins = vec![
        Margin::Categorical {
            name: "sexe".into(),
            factor: Factor { codes: resp.iter().map(|&i| sex[i]).collect(), levels: sex_l.clone() },
            targets: vec![0.48 * total, 0.52 * total],
        },
        Margin::Categorical {
            name: "age".into(),
            factor: Factor { codes: resp.iter().map(|&i| age[i]).collect(), levels: age_l.clone() },
            targets: vec![0.28 * total, 0.40 * total, 0.32 * total],
        },
    ];
    let problem = Problem::new(w_nr.clone(), margins).unwrap();
    let options = calibration::Options::new(
        calibration::Method::Raking,
        Some(Bounds::new(0.4, 2.5).unwrap()),
    );
    let cal = calibration::calibrate(&problem, &options).unwrap();
    let w_cal = cal.weights.clone();
    let g: Vec<f64> = w_cal.iter().zip(&w_nr).map(|(a, b)| a / b).collect();

    // Estimates on the respondents with the calibrated weights.
    let design = Design::new(DesignSpec::with_weights("poids", w_cal.clone())).unwrap();
    let reg = DCat::from_strings(
        "region",
        &resp.iter().map(|&i| Some(REGIONS[region[i]])).collect::<Vec<_>>(),
    );
    let sexe = DCat::from_strings(
        "sexe",
        &resp.iter().map(|&i| Some(sex_l[sex[i] as usize].as_str())).collect::<Vec<_>>(),
    );
    // Opinion depends on the region, so the map has a gradient.
    let opinion: Vec<Option<&str>> = resp
        .iter()
        .map(|&i| {
            let p = 0.3 + 0.4 * region[i] as f64 / REGIONS.len() as f64;
            Some(if rng.random::<f64>() < p { "confiance" } else { "défiance" })
        })
        .collect();
    let opinion = DCat::from_strings("opinion", &opinion);
    let age_num =
        Numeric::new("age_num", resp.iter().map(|&i| 25.0 + 20.0 * f64::from(age[i])).collect());
    let lin = Linearization::new(design.clone());
    let source = VarianceSource::Linearization(&lin);
    let publication = Publication { min_n: Some(60), max_cv: Some(0.2), suppress: false };
    let mut rows = Vec::new();
    let mut by_region = EstimateSpec::new(
        "confiance_justice",
        Statistic::Proportion { variable: &opinion, category: Some("confiance") },
    );
    by_region.by = vec![&reg];
    rows.extend(estimate(&source, &by_region, &publication).unwrap());
    let mut by_sex = EstimateSpec::new(
        "opinion & sexe",
        Statistic::Proportion { variable: &opinion, category: None },
    );
    by_sex.by = vec![&sexe];
    rows.extend(estimate(&source, &by_sex, &publication).unwrap());
    rows.extend(
        estimate(&source, &EstimateSpec::new("<b>", Statistic::Mean(&age_num)), &publication)
            .unwrap(),
    );
    // An empty domain: undefined estimate, must read "n.d." / "n/a".
    rows.push(EstimateRow {
        name: "opinion & sexe".into(),
        stat: "proportion",
        variable: "opinion".into(),
        category: Some("confiance".into()),
        domain: vec![("sexe".into(), "autre".into())],
        estimate: f64::NAN,
        se: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        cv: f64::NAN,
        deff: None,
        n: 0,
        n_weighted: 0.0,
        df: None,
        flags: Flags { empty: true, low_n: true, high_cv: true, ..Default::default() },
        item: None,
    });
    let d_all: Vec<f64> = d.clone();
    Run { d: d_all, w_nr, w_cal, g, nr: adj.report, cal: cal.report, rows }
}

fn report<'a>(r: &'a Run, lang: Lang, map: Option<&'a str>) -> RunReport<'a> {
    RunReport {
        lang,
        title: "Les Français et la justice — test".into(),
        facts: vec![
            ("Graine".into(), "2024".into()),
            ("Échantillon".into(), r.d.len().to_string()),
            ("Répliques".into(), "0".into()),
        ],
        steps: vec![
            WeightStep { key: "design", weights: &r.d },
            WeightStep { key: "nonresponse", weights: &r.w_nr },
            WeightStep { key: "calibration", weights: &r.w_cal },
        ],
        g: &r.g,
        calibration: Some(&r.cal),
        nonresponse: Some(&r.nr),
        estimates: &r.rows,
        models: &[],
        labels: &NO_LABELS,
        map,
        map_category: None,
        significance: None,
    }
}

const HEADINGS_FR: [&str; 6] = [
    "Chiffres clés",
    "Collecte et non-réponse",
    "Distribution des poids",
    "Calage sur marges",
    "Estimations",
    "Carte par région",
];
const HEADINGS_EN: [&str; 6] = [
    "Key figures",
    "Collection and nonresponse",
    "Weight distributions",
    "Calibration",
    "Estimates",
    "Map by region",
];

/// Words of the text made of letters only.
fn words(html: &str) -> Vec<&str> {
    html.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

#[test]
fn report_has_every_section_plot_and_region_in_both_languages() {
    let r = run();
    for (lang, headings, other) in
        [(Lang::Fr, HEADINGS_FR, HEADINGS_EN), (Lang::En, HEADINGS_EN, HEADINGS_FR)]
    {
        let html = render(&report(&r, lang, Some("confiance_justice"))).unwrap();
        if let Some(dir) = std::env::var_os("PONDER_REPORT_DIR") {
            let path = std::path::Path::new(&dir).join(format!("report-{}.html", lang.code()));
            std::fs::write(path, &html).unwrap();
        }
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
        for h in headings {
            assert!(html.contains(&format!("<h2>{h}</h2>")), "{lang:?}: heading {h}");
        }
        for h in other.iter().filter(|h| !headings.contains(h)) {
            assert!(!html.contains(&format!("<h2>{h}</h2>")), "{lang:?}: foreign heading {h}");
        }
        // Plots: rates by phase, rates by group, weights, g, one per estimate name (3), map.
        assert_eq!(html.matches("<svg").count(), 8, "{lang:?}");
        assert_eq!(html.matches("</svg>").count(), 8);
        for svg in models::svgs(&html) {
            models::well_formed(svg).unwrap_or_else(|e| panic!("{lang:?}: {e}"));
        }
        // One shape per region present; Mayotte drawn as absent.
        assert_eq!(html.matches("class=\"region\"").count(), REGIONS.len());
        assert_eq!(html.matches("class=\"region-absent\"").count(), 1);
        // The map's tooltips carry the values, in percent.
        let pct = if lang == Lang::Fr { " %</title>" } else { "%</title>" };
        assert!(html.matches(pct).count() >= REGIONS.len());
        // No raw non-finite number anywhere; the empty domain reads n.d. / n/a.
        for w in words(&html) {
            assert!(!["NaN", "nan", "inf", "Infinity"].contains(&w), "{lang:?}: {w}");
        }
        let na = if lang == Lang::Fr { "n.d." } else { "n/a" };
        assert!(html.contains(na));
        // Escaping: the estimate named <b> and the & of a name.
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"));
        assert!(html.contains("opinion &amp; sexe") && !html.contains("opinion & sexe"));
        // Flagged rows are marked.
        assert!(html.contains("<tr class=\"flag\">"));
        // Accents in UTF-8, not entities.
        if lang == Lang::Fr {
            assert!(html.contains("Écart-type") && html.contains("Île-de-Fr."));
        }
    }
}

#[test]
fn output_is_deterministic_and_languages_differ() {
    let r = run();
    let a = render(&report(&r, Lang::Fr, Some("confiance_justice"))).unwrap();
    let b = render(&report(&r, Lang::Fr, Some("confiance_justice"))).unwrap();
    assert_eq!(a, b);
    let en = render(&report(&r, Lang::En, Some("confiance_justice"))).unwrap();
    assert_ne!(a, en);
    // Without a map: one plot fewer and no map section.
    let no_map = render(&report(&r, Lang::En, None)).unwrap();
    assert_eq!(no_map.matches("<svg").count(), 7);
    assert!(!no_map.contains("Map by region"));
}

#[test]
fn a_map_of_an_unknown_or_non_regional_estimate_is_an_error() {
    let r = run();
    let e = render(&report(&r, Lang::En, Some("nope"))).unwrap_err().to_string();
    assert!(e.contains("nope") && e.contains("confiance_justice"), "{e}");
    let e = render(&report(&r, Lang::En, Some("<b>"))).unwrap_err().to_string();
    assert!(e.contains("no row by region"), "{e}");
}

#[test]
fn lang_parses_and_serializes_in_lowercase() {
    assert_eq!(Lang::parse("fr"), Some(Lang::Fr));
    assert_eq!(Lang::parse("EN"), Some(Lang::En));
    assert_eq!(Lang::parse("de"), None);
    assert_eq!(Lang::default(), Lang::Fr);
    assert_eq!(serde_json::to_string(&Lang::En).unwrap(), "\"en\"");
    assert_eq!(serde_json::from_str::<Lang>("\"fr\"").unwrap(), Lang::Fr);
}
