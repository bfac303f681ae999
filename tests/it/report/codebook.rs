//! The run report with a codebook: titles, themes, variable and value labels in place of
//! names and codes (estimates, map, models), codebook order, the map's category, number
//! formats of each language, and the page in headless Chromium (no console message, every
//! chart and the map in the DOM, no horizontal overflow at 1280 px).

use super::models::{estimate_rows, model_rows};
use super::{REGIONS, report, run};
use ponder::estimate::{Heading, Labels, Text};
use ponder::report::run::{Lang, render};

fn t(fr: &str, en: &str) -> Text {
    Text::new(fr, en)
}

fn values(v: &[(&str, &str, &str)]) -> Vec<(String, Text)> {
    v.iter().map(|(c, fr, en)| (c.to_string(), t(fr, en))).collect()
}

fn heading(title: (&str, &str), theme: (&str, &str)) -> Heading {
    Heading { title: Some(t(title.0, title.1)), theme: Some(t(theme.0, theme.1)) }
}

/// A codebook of the synthetic survey (estimates of `run()`, models of `model_rows()`):
/// no label repeats a code or a name (case-sensitive), `femme` before `homme`.
fn labels() -> Labels {
    let mut l = Labels { codebook: Some("codebook.yaml".into()), ..Default::default() };
    let opinion = [
        ("confiance", "Plutôt favorable", "Rather favourable"),
        ("défiance", "Plutôt défavorable", "Rather unfavourable"),
    ];
    l.add_variable("opinion", t("Avis sur la justice", "Views of justice"), values(&opinion));
    let sexe =
        [("femme", "Femmes", "Women"), ("homme", "Hommes", "Men"), ("autre", "Autre", "Other")];
    l.add_variable("sexe", t("Genre", "Gender"), values(&sexe));
    let regions: Vec<(String, Text)> = REGIONS
        .iter()
        .map(|c| (c.to_string(), t(&format!("Zone-{c}"), &format!("Area-{c}"))))
        .collect();
    l.add_variable("region", t("Région", "Region"), regions);
    l.add_variable("age_num", t("Âge (années)", "Age (years)"), vec![]);
    let justice = ("Justice", "Justice");
    l.estimates = vec![
        ("confiance_justice".into(), heading(("Avis selon la zone", "Views by area"), justice)),
        ("<b>".into(), heading(("Âge moyen", "Mean age"), ("Profil", "Profile"))),
        ("opinion & sexe".into(), heading(("Avis selon le genre", "Views by gender"), justice)),
    ];
    l
}

/// Codes and names of the synthetic estimates that a reader must not see (`confiance`
/// left out: a French word of the captions, « intervalle de confiance »).
const CODES: [&str; 9] = [
    "confiance_justice",
    "opinion",
    "sexe",
    "homme",
    "femme",
    "autre",
    "défiance",
    "age_num",
    "region",
];

/// The texts readers see from `from` on: headings, table cells, SVG texts and tooltips,
/// paragraphs and list items (inner tags removed).
fn shown(html: &str, from: &str) -> Vec<String> {
    let html = &html[html.find(from).unwrap_or_else(|| panic!("{from} missing"))..];
    let mut out = Vec::new();
    for tag in ["h3", "h4", "th", "td", "text", "title", "p", "li", "summary"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut rest = html;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i + open.len()..];
            if !after.starts_with(['>', ' ']) {
                rest = after;
                continue;
            }
            let Some(gt) = after.find('>') else { break };
            let Some(end) = after.find(&close) else { break };
            let inner = &after[gt + 1..end.max(gt + 1)];
            let mut plain = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ if !in_tag => plain.push(c),
                    _ => {}
                }
            }
            out.push(plain);
            rest = &after[gt + 1..];
        }
    }
    out
}

/// Words of a text (letters, digits and `_`).
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

#[test]
fn estimates_and_map_show_titles_themes_and_labels_not_codes() {
    let (r, labels) = (run(), labels());
    for lang in [Lang::Fr, Lang::En] {
        let mut rep = report(&r, lang, Some("confiance_justice"));
        rep.labels = &labels;
        let html = render(&rep).unwrap();
        let texts = shown(&html, "id=\"estimates\"");
        assert!(texts.len() > 100, "{}", texts.len());
        for text in &texts {
            for w in words(text) {
                assert!(!CODES.contains(&w), "{lang:?}: code or name `{w}` shown in: {text}");
            }
            assert!(!text.contains("<b>") && !text.contains("&lt;b&gt;"), "{lang:?}: {text}");
        }
        let en = lang == Lang::En;
        let pick = |fr: &'static str, e: &'static str| if en { e } else { fr };
        // Themes once each, in order, with the titles of their estimates under them.
        let justice = html.matches("<h3 class=\"theme\">Justice</h3>").count();
        assert_eq!(justice, 1, "{lang:?}");
        let profile = format!("<h3 class=\"theme\">{}</h3>", pick("Profil", "Profile"));
        let order = [
            "<h3 class=\"theme\">Justice</h3>",
            pick("<h4>Avis selon la zone</h4>", "<h4>Views by area</h4>"),
            pick("<h4>Avis selon le genre</h4>", "<h4>Views by gender</h4>"),
            &profile,
            pick("<h4>Âge moyen</h4>", "<h4>Mean age</h4>"),
        ];
        let at: Vec<usize> =
            order.iter().map(|h| html.find(h).unwrap_or_else(|| panic!("{lang:?}: {h}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{lang:?}: {at:?}");
        // Axis from the variable label; categories in codebook order (Women before Men).
        assert!(html.contains(pick(
            "Estimation (%) — Avis sur la justice",
            "Estimate (%) — Views of justice"
        )));
        let chart = &html[at[2]..at[3]];
        let (women, men) = (pick("· Femmes<", "· Women<"), pick("· Hommes<", "· Men<"));
        assert!(chart.find(women).unwrap() < chart.find(men).unwrap(), "{lang:?}");
        // The map: region names in the tooltips, the category shown by its label.
        let map = &html[html.find("id=\"map\"").unwrap()..];
        let area = pick("<title>Zone-11 : ", "<title>Area-11: ");
        assert!(map.contains(area), "{lang:?}");
        let category = pick(
            "Modalité représentée : Avis sur la justice : Plutôt favorable",
            "Category shown: Views of justice: Rather favourable",
        );
        assert!(map.contains(category), "{lang:?}");
    }
}

#[test]
fn numbers_follow_the_language_everywhere() {
    let (r, labels) = (run(), labels());
    for lang in [Lang::Fr, Lang::En] {
        let mut rep = report(&r, lang, Some("confiance_justice"));
        rep.labels = &labels;
        let html = render(&rep).unwrap();
        let all = shown(&html, "<body>");
        let svg_texts: Vec<&String> = all.iter().filter(|s| !s.is_empty()).collect();
        for s in &svg_texts {
            let b = s.as_bytes();
            for i in 1..b.len().saturating_sub(1) {
                let digits = b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
                if lang == Lang::Fr && digits {
                    assert_ne!(b[i], b'.', "French text with a decimal point: {s}");
                }
                if lang == Lang::En && digits && b[i] == b'.' {
                    // No "12000.0": a decimal part of zeros only is not written.
                    // (Percentages keep their one decimal: 28.0%; errors: 0.00e0; checked on
                    // numbers of 4 digits or more: no tick like 12000.0.)
                    let frac: String =
                        s[i + 1..].chars().take_while(|c| c.is_ascii_digit()).collect();
                    let pct = s[i + 1 + frac.len()..].starts_with(['%', 'e']);
                    let int = b[..i].iter().rev().take_while(|c| c.is_ascii_digit()).count();
                    let big = int >= 4;
                    assert!(pct || !big || frac.chars().any(|c| c != '0'), "trailing zeros: {s}");
                }
            }
        }
        let pct = if lang == Lang::Fr { " %</td>" } else { "%</td>" };
        assert!(html.contains(pct), "{lang:?}");
        if lang == Lang::En {
            assert!(!html.contains(" %</td>"));
        }
        // The g histogram is drawn in the report's palette (no plotters default colours).
        let cal =
            &html[html.find("id=\"calibration\"").unwrap()..html.find("id=\"estimates\"").unwrap()];
        assert!(cal.contains("fill=\"#4c78a8\"") && !cal.contains("#0000FF"), "{lang:?}");
    }
    // Grouped thousands in the estimates table: 12 345 / 12,345.
    let mut rows = r.rows.clone();
    rows[0].n = 12_345;
    let mut rep = report(&r, Lang::Fr, None);
    rep.estimates = &rows;
    assert!(render(&rep).unwrap().contains("<td>12\u{202f}345</td>"));
    rep.lang = Lang::En;
    assert!(render(&rep).unwrap().contains("<td>12,345</td>"));
}

#[test]
fn the_map_shows_the_category_asked_for_or_says_which_exist() {
    let r = run();
    let labels = labels();
    let mut rows = r.rows.clone();
    // A second category of the regional estimate, with other values.
    let extra: Vec<_> = rows
        .iter()
        .filter(|e| e.name == "confiance_justice")
        .map(|e| {
            let mut e = e.clone();
            e.category = Some("défiance".into());
            e.estimate = 1.0 - e.estimate;
            e
        })
        .collect();
    rows.extend(extra);
    let mut rep = report(&r, Lang::En, Some("confiance_justice"));
    rep.labels = &labels;
    rep.estimates = &rows;
    rep.map_category = Some("défiance");
    let html = render(&rep).unwrap();
    assert!(html.contains("Category shown: Views of justice: Rather unfavourable"));
    rep.map_category = Some("nope");
    let e = render(&rep).unwrap_err().to_string();
    assert!(
        e.contains("nope") && e.contains("confiance, défiance") && e.contains("category"),
        "{e}"
    );
}

#[test]
fn models_show_titles_and_labels_of_terms_and_levels() {
    let (models, estimates) = (model_rows(), estimate_rows());
    let mut l = Labels { codebook: Some("codebook.yaml".into()), ..Default::default() };
    let add = |l: &mut Labels, v: &str, fr: &str, en: &str, vals: &[(&str, &str, &str)]| {
        l.add_variable(v, t(fr, en), values(vals));
    };
    add(&mut l, "sexe", "Genre", "Gender", &[("F", "Femmes", "Women"), ("M", "Hommes", "Men")]);
    let dipl = [
        ("aucun", "Sans diplôme", "No degree"),
        ("bac", "Bac", "A-level"),
        ("sup", "Supérieur", "Higher"),
    ];
    add(&mut l, "diplome", "Diplôme", "Degree", &dipl);
    let statut = [("aucun", "Aucune", "None"), ("partie", "Partie civile", "Civil party")];
    add(&mut l, "statut", "Statut dans l'affaire", "Status in the case", &statut);
    add(&mut l, "age", "Âge", "Age", &[("18-29", "18 à 29 ans", "18 to 29")]);
    add(&mut l, "taille_menage", "Taille du ménage", "Household size", &[]);
    add(&mut l, "confiance", "Confiance", "Trust", &[("oui", "Oui", "Yes")]);
    add(&mut l, "region", "Région", "Region", &[]);
    for (name, fr, en) in [
        ("recours", "Recours à la justice", "Recourse to justice"),
        ("score", "Indice de confiance", "Trust index"),
        ("confiance_x_region", "Confiance et zone", "Trust by area"),
        ("confiance_x_sexe", "Confiance et genre", "Trust and gender"),
        ("ecart_statut", "Écart selon la position", "Gap by position"),
        ("ecart_sexe", "Écart selon le genre", "Gap by gender"),
    ] {
        l.models.push((name.into(), Heading { title: Some(t(fr, en)), theme: None }));
    }
    let codes = [
        "recours",
        "score",
        "confiance_x_region",
        "confiance_x_sexe",
        "ecart_statut",
        "ecart_sexe",
        "sexe",
        "diplome",
        "statut",
        "taille_menage",
        "aucun",
        "partie",
        "sup",
        "region",
        "age",
        "Intercept",
    ];
    for lang in [Lang::Fr, Lang::En] {
        let rep = ponder::report::run::RunReport {
            labels: &l,
            ..super::models::report(lang, &models, &estimates)
        };
        let html = render(&rep).unwrap();
        for text in shown(&html, "id=\"models\"") {
            for w in words(&text) {
                // `Intercept` is the English label of the constant, `aucun` a French word
                // (« aucun écart avec la référence »).
                if (w == "Intercept" && lang == Lang::En) || (w == "aucun" && lang == Lang::Fr) {
                    continue;
                }
                assert!(!codes.contains(&w), "{lang:?}: `{w}` shown in: {text}");
            }
        }
        let want = if lang == Lang::Fr {
            [
                "<h3>Recours à la justice</h3>",
                "Genre : Femmes × Âge : 18 à 29 ans",
                "Modalités de référence : Genre = Hommes ; Diplôme = Bac ; Statut dans l'affaire = Aucune.",
                "Termes non significatifs : Genre × Âge.",
                "Confiance et zone : les variables Confiance et Région sont significativement liées",
                "Écart selon la position : Statut dans l'affaire : Partie civile et Statut dans l'affaire : Aucune diffèrent",
            ]
        } else {
            [
                "<h3>Recourse to justice</h3>",
                "Gender: Women × Age: 18 to 29",
                "Reference levels: Gender = Men; Degree = A-level; Status in the case = None.",
                "Terms not significant: Gender × Age.",
                "Trust by area: Trust and Region are significantly associated",
                "Gap by position: Status in the case: Civil party and Status in the case: None differ",
            ]
        };
        for p in want {
            assert!(html.contains(p), "{lang:?}: {p}");
        }
    }
}

/// The whole report (estimates, map, models) with a codebook in headless Chromium at
/// 1280 px: no console message, every chart and map region in the DOM, no horizontal
/// overflow. Skips without a `chromium` binary.
#[test]
fn the_labelled_report_fits_1280_px_in_headless_chromium() {
    let Some(chromium) = crate::common::chromium() else { return };
    let (r, labels) = (run(), labels());
    let models = model_rows();
    let s = crate::common::Scratch::new();
    for lang in [Lang::Fr, Lang::En] {
        let mut rep = report(&r, lang, Some("confiance_justice"));
        rep.labels = &labels;
        rep.models = &models;
        let html = render(&rep).unwrap();
        let svgs = html.matches("<svg").count();
        // The width is written into the DOM by a probe added to this copy only (the report
        // itself has no script).
        let probe = "<script>document.body.setAttribute('data-width', \
                     document.documentElement.scrollWidth)</script></body>";
        let path =
            s.write(&format!("report-{}.html", lang.code()), &html.replace("</body>", probe));
        let (dom, log) = crate::common::headless_dom(&chromium, &path, &["--window-size=1280,900"]);
        assert!(!log.contains("CONSOLE") && !log.contains("Uncaught"), "{lang:?}: {log}");
        assert_eq!(dom.matches("<svg").count(), svgs, "{lang:?}: charts missing from the DOM");
        assert!(svgs >= 10, "{svgs}");
        assert_eq!(dom.matches("class=\"region\"").count(), REGIONS.len());
        let w = dom.split("data-width=\"").nth(1).and_then(|x| x.split('"').next());
        let w: u32 =
            w.and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("no width: {dom:.300}"));
        println!("{lang:?}: {w} px wide at 1280 px");
        assert!(w <= 1280, "{lang:?}: the page is {w} px wide at 1280 px");
    }
}

/// `report: map:` takes an estimate name or `{estimate, category}`; other keys are refused.
#[test]
fn the_map_is_chosen_by_name_or_by_estimate_and_category() {
    use crate::common::{Scratch, repo};
    use ponder::config::pipeline::PipelineConfig;
    let s = Scratch::new();
    let sample = repo("designs/fej2024_sample.yaml");
    let load = |report: &str| {
        let text = format!("seed: 1\nsteps:\n  - sample: {sample}\nreport: {report}\n");
        PipelineConfig::load(&s.write("p.yaml", &text))
    };
    let c = load("{map: trust_by_region}").unwrap();
    assert_eq!((c.report.map.as_deref(), c.report.map_category), (Some("trust_by_region"), None));
    let c = load("{map: {estimate: trust_by_region, category: \"yes\"}}").unwrap();
    assert_eq!(c.report.map.as_deref(), Some("trust_by_region"));
    assert_eq!(c.report.map_category.as_deref(), Some("yes"));
    let e = load("{map: {estimate: trust_by_region, colour: red}}").unwrap_err().to_string();
    assert!(e.contains("report"), "{e}");
}

/// A bad `report: map:` form names the accepted forms.
#[test]
fn a_bad_map_form_names_the_accepted_forms() {
    use crate::common::{Scratch, repo};
    use ponder::config::pipeline::PipelineConfig;
    let s = Scratch::new();
    let sample = repo("designs/fej2024_sample.yaml");
    for bad in ["{map: {estimate: trust_by_region, colour: red}}", "{map: [trust_by_region]}"] {
        let text = format!("seed: 1\nsteps:\n  - sample: {sample}\nreport: {bad}\n");
        let e = PipelineConfig::load(&s.write("p.yaml", &text)).unwrap_err().to_string();
        assert!(e.contains("accepted forms of `report: map:`"), "{e}");
        assert!(e.contains("`map: trust_by_region`") && e.contains("category: \"yes\""), "{e}");
    }
}
