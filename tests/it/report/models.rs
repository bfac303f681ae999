//! The models section of the run report, from synthetic model rows: a logit model (odds
//! ratios on a log scale), an identity-link model (coefficients, reference 0), term tests,
//! Rao–Scott tests and differences; checked for the forest plots, tables, sentences for
//! readers in both languages, absence without rows, well-formed SVG and determinism.

use approx::abs_diff_eq;
use ponder::estimate::{EstimateRow, Flags};
use ponder::model::ModelRow;
use ponder::report::run::{Lang, RunReport, WeightStep, render};

/// A row of `kind` with the given numbers.
fn row(name: &str, kind: &'static str, term: &str, v: [f64; 7]) -> ModelRow {
    let mut r = ModelRow::new(name, kind, term.to_string());
    [r.estimate, r.se, r.statistic, r.df, r.df2, r.p_value, r.ci_low] =
        [v[0], v[1], v[2], v[3], v[4], v[5], v[6]];
    r
}

/// A coefficient of a logit model: β, its CI, p; the odds ratios are exp of those.
fn logit(term: &str, b: f64, lo: f64, hi: f64, p: f64) -> ModelRow {
    let mut r =
        row("recours", "coefficient", term, [b, (hi - lo) / 3.92, 0.0, 483.0, f64::NAN, p, lo]);
    r.ci_high = hi;
    r.exp = Some([b.exp(), lo.exp(), hi.exp()]);
    r.n = Some(2902);
    r
}

/// A coefficient of an identity-link model.
fn linear(term: &str, b: f64, lo: f64, hi: f64, p: f64) -> ModelRow {
    let mut r =
        row("score", "coefficient", term, [b, (hi - lo) / 3.92, 0.0, 120.0, f64::NAN, p, lo]);
    r.ci_high = hi;
    r.n = Some(500);
    r
}

/// Two models, their term tests, two Rao–Scott tests, two differences.
pub(super) fn model_rows() -> Vec<ModelRow> {
    let nan = f64::NAN;
    let mut chisq = row(
        "confiance_x_region",
        "chisq",
        "confiance:region",
        [nan, nan, 2.9247, 13.848926, 6910.614085, 0.0002, nan],
    );
    chisq.n = Some(12784);
    let mut party = row(
        "ecart_statut",
        "difference",
        "statut=partie - statut=aucun",
        [-0.161728, 0.011025, -14.67, nan, nan, 1e-48, -0.183338],
    );
    party.ci_high = -0.140119;
    let mut sex = row(
        "ecart_sexe",
        "difference",
        "sexe=F - sexe=M",
        [0.012036, 0.009133, 1.32, nan, nan, 0.187538, -0.005864],
    );
    sex.ci_high = 0.029935;
    vec![
        logit("(Intercept)", 0.008, -0.3, 0.32, 0.958),
        logit("sexe=F", -0.084, -0.374, 0.206, 0.5696),
        logit("diplome=aucun", 0.47653, 0.1736, 0.7795, 0.0021),
        logit("diplome=sup", -0.1768, -0.3968, 0.0432, 0.115),
        logit("statut=partie", -0.6786, -0.862, -0.4951, 1.47e-12),
        logit("taille_menage", -0.0029, -0.0594, 0.0535, 0.9186),
        logit("sexe=F:age=18-29", 0.2603, -0.3196, 0.8402, 0.378),
        row("recours", "term_test", "diplome", [nan, nan, 5.524077, 2.0, 483.0, 0.000235, nan]),
        row("recours", "term_test", "sexe:age", [nan, nan, 0.369606, 1.0, 483.0, 0.830316, nan]),
        linear("(Intercept)", 50.0, 45.0, 55.0, 1e-20),
        linear("diplome=aucun", -2.5, -4.0, -1.0, 0.001),
        linear("taille_menage", 0.3, -0.2, 0.8, 0.24),
        chisq,
        row("confiance_x_sexe", "chisq", "confiance:sexe", [nan, nan, 0.5, 1.0, 480.0, 0.48, nan]),
        party,
        sex,
    ]
}

/// Proportion estimates by `statut` (whose difference the row `ecart_statut` is) and by
/// `diplome` (levels aucun, bac, sup).
pub(super) fn estimate_rows() -> Vec<EstimateRow> {
    let est = |name: &str, var: &str, level: &str, p: f64| EstimateRow {
        name: name.into(),
        stat: "proportion",
        variable: "confiance".into(),
        category: Some("oui".into()),
        domain: vec![(var.into(), level.into())],
        estimate: p,
        se: 0.01,
        ci_low: p - 0.02,
        ci_high: p + 0.02,
        cv: 0.01 / p,
        deff: None,
        n: 1000,
        n_weighted: 1e5,
        df: None,
        flags: Flags::default(),
        item: None,
    };
    vec![
        est("confiance_par_statut", "statut", "aucun", 0.525224),
        est("confiance_par_statut", "statut", "partie", 0.363496),
        est("confiance_par_diplome", "diplome", "aucun", 0.43),
        est("confiance_par_diplome", "diplome", "bac", 0.51),
        est("confiance_par_diplome", "diplome", "sup", 0.57),
    ]
}

const WEIGHTS: [f64; 4] = [1.0, 2.0, 3.0, 4.0];

pub(super) fn report<'a>(
    lang: Lang,
    models: &'a [ModelRow],
    estimates: &'a [EstimateRow],
) -> RunReport<'a> {
    RunReport {
        lang,
        title: "Modèles".into(),
        facts: vec![],
        steps: vec![WeightStep { key: "design", weights: &WEIGHTS }],
        g: &[],
        calibration: None,
        nonresponse: None,
        estimates,
        models,
        labels: &super::NO_LABELS,
        map: None,
        map_category: None,
        significance: None,
    }
}

/// The first `<svg>…</svg>` after `after`.
fn svg_after<'a>(html: &'a str, after: &str) -> &'a str {
    let i = html.find(after).unwrap_or_else(|| panic!("{after} missing"));
    let start = i + html[i..].find("<svg").unwrap();
    let end = start + html[start..].find("</svg>").unwrap() + 6;
    &html[start..end]
}

/// The abscissa of the tick labelled `t`.
fn tick_x(svg: &str, t: &str) -> f64 {
    let end = svg
        .find(&format!("text-anchor=\"middle\">{t}</text>"))
        .unwrap_or_else(|| panic!("tick {t}"));
    let start = svg[..end].rfind("<text x=\"").unwrap() + 9;
    svg[start..].split('"').next().unwrap().parse().unwrap()
}

/// The abscissa of the reference line (the only element of class `ref`).
fn ref_x(svg: &str) -> f64 {
    assert_eq!(svg.matches("class=\"ref\"").count(), 1);
    let i = svg.find("class=\"ref\"").unwrap();
    let line = &svg[svg[..i].rfind("<line").unwrap()..i];
    let x1: f64 = line.split("x1=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let x2: f64 = line.split("x2=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!(abs_diff_eq!(x1, x2, epsilon = 1e-9), "vertical");
    x1
}

/// Markers of the coefficients: (filled, hollow).
fn markers(svg: &str) -> (usize, usize) {
    let circles: Vec<&str> = svg.split("<circle class=\"coef\"").skip(1).collect();
    let filled = circles.iter().filter(|c| c.contains("fill=\"#4c78a8\"")).count();
    let hollow = circles.iter().filter(|c| c.contains("fill=\"#fff\"")).count();
    assert_eq!(filled + hollow, circles.len());
    (filled, hollow)
}

/// Well-formed XML: balanced tags, quoted attributes, entities only (`&amp;` …) in text.
pub(super) fn well_formed(svg: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        check_text(&rest[..i])?;
        let end = rest[i..].find('>').ok_or("unclosed tag")? + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> without opening tag"))?;
            if open != name.trim() {
                return Err(format!("<{open}> closed by </{name}>"));
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().ok_or("empty tag")?);
        }
    }
    check_text(rest)?;
    if stack.is_empty() { Ok(()) } else { Err(format!("unclosed {stack:?}")) }
}

fn check_text(t: &str) -> Result<(), String> {
    for (i, _) in t.match_indices('&') {
        let entity = t[i + 1..].split(';').next().unwrap_or("");
        if !["amp", "lt", "gt", "quot"].contains(&entity) {
            return Err(format!("raw & in {t:?}"));
        }
    }
    Ok(())
}

/// Every `<svg>…</svg>` of a page.
pub(super) fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg")
        .map(|(i, _)| &html[i..i + html[i..].find("</svg>").unwrap() + 6])
        .collect()
}

#[test]
fn forest_plots_mark_every_coefficient_on_the_right_scale() {
    let (models, estimates) = (model_rows(), estimate_rows());
    for lang in [Lang::Fr, Lang::En] {
        let html = render(&report(lang, &models, &estimates)).unwrap();
        // The logit model: 6 coefficients besides the intercept, 2 with p < 0.05.
        let svg = svg_after(&html, "<h3>recours</h3>");
        assert_eq!(svg.matches("class=\"coef\"").count(), 6, "{lang:?}");
        assert_eq!(markers(svg), (2, 4));
        assert!(!svg.contains("(Intercept)"));
        // Log scale: the dashed reference line is at the tick 1, 0.5 lies left of it at the
        // same distance as 2 lies right of it.
        let (x1, x_half, x2) = (
            tick_x(svg, "1"),
            tick_x(svg, if lang == Lang::Fr { "0,5" } else { "0.5" }),
            tick_x(svg, "2"),
        );
        approx::assert_abs_diff_eq!(ref_x(svg), x1, epsilon = 1e-9);
        approx::assert_abs_diff_eq!(x1 - x_half, x2 - x1, epsilon = 0.15);
        // Grouped by term: titles of the factors, levels as labels.
        for t in ["diplome", "sexe × age", "aucun", "sup", "F × 18-29", "taille_menage"] {
            assert!(svg.contains(&format!(">{t}</text>")), "{lang:?}: {t}");
        }
        // The identity-link model: coefficients on a linear scale, reference at 0.
        let svg = svg_after(&html, "<h3>score</h3>");
        assert_eq!(markers(svg), (1, 1));
        approx::assert_abs_diff_eq!(ref_x(svg), tick_x(svg, "0"), epsilon = 1e-9);
        let axis = if lang == Lang::Fr {
            "Coefficient (lien identité)"
        } else {
            "Coefficient (identity link)"
        };
        assert!(svg.contains(axis));
        for s in svgs(&html) {
            well_formed(s).unwrap_or_else(|e| panic!("{lang:?}: {e}"));
        }
    }
}

/// Phrases of the section in French and English.
const FR: [&str; 12] = [
    "<h2>Modèles et tests</h2>",
    "<a href=\"#models\">Modèles et tests</a>",
    "Modalités de référence : sexe = M ; diplome = bac ; statut = aucun. age : par rapport à la modalité de référence (non indiquée dans les résultats).",
    "diplome : par rapport à la modalité de référence",
    "<tr class=\"sig\"><td class=\"l\">diplome</td><td>5,52</td><td>2</td><td>483</td><td>&lt; 0,001</td></tr>",
    "Termes significatifs au seuil de 5 % : diplome. Termes non significatifs : sexe × age.",
    "<td class=\"l\">diplome : aucun</td><td>0,477</td><td>0,155</td><td>1,61</td><td>[1,19 ; 2,18]</td><td>0,002</td>",
    "<td>F = 2,92</td><td>13,8</td><td>6910,6</td><td>&lt; 0,001</td><td>12\u{202f}784</td>",
    "confiance_x_region : les variables confiance et region sont significativement liées (F = 2,92, p &lt; 0,001).",
    "confiance_x_sexe : pas de lien significatif entre les variables confiance et sexe (F = 0,50, p = 0,480).",
    "ecart_statut : statut : partie et statut : aucun diffèrent significativement (-16,2 points, p &lt; 0,001).",
    "ecart_sexe : pas de différence significative entre sexe : F et sexe : M (0,0120, p = 0,188).",
];
const EN: [&str; 12] = [
    "<h2>Models and tests</h2>",
    "<a href=\"#models\">Models and tests</a>",
    "Reference levels: sexe = M; diplome = bac; statut = aucun. age: relative to the reference level (not given in the results).",
    "diplome: relative to the reference level",
    "<tr class=\"sig\"><td class=\"l\">diplome</td><td>5.52</td><td>2</td><td>483</td><td>&lt; 0.001</td></tr>",
    "Terms significant at the 5% level: diplome. Terms not significant: sexe × age.",
    "<td class=\"l\">diplome: aucun</td><td>0.477</td><td>0.155</td><td>1.61</td><td>[1.19 ; 2.18]</td><td>0.002</td>",
    "<td>F = 2.92</td><td>13.8</td><td>6910.6</td><td>&lt; 0.001</td><td>12,784</td>",
    "confiance_x_region: confiance and region are significantly associated (F = 2.92, p &lt; 0.001).",
    "confiance_x_sexe: no significant association between confiance and sexe (F = 0.50, p = 0.480).",
    "ecart_statut: statut: partie and statut: aucun differ significantly (-16.2 points, p &lt; 0.001).",
    "ecart_sexe: no significant difference between sexe: F and sexe: M (0.0120, p = 0.188).",
];

#[test]
fn tables_and_sentences_read_in_both_languages() {
    let (models, estimates) = (model_rows(), estimate_rows());
    for (lang, phrases, other) in [(Lang::Fr, FR, EN), (Lang::En, EN, FR)] {
        let html = render(&report(lang, &models, &estimates)).unwrap();
        for p in phrases {
            assert!(html.contains(p), "{lang:?}: missing {p}");
        }
        for p in other.iter().filter(|p| !phrases.contains(p)) {
            assert!(!html.contains(p), "{lang:?}: foreign {p}");
        }
        // The difference of proportions in points (table), the other as is.
        let pts = if lang == Lang::Fr {
            "<td>-16,2 pts</td><td>1,1 pts</td><td>[-18,3 ; -14,0] pts</td>"
        } else {
            "<td>-16.2 pts</td><td>1.1 pts</td><td>[-18.3 ; -14.0] pts</td>"
        };
        assert!(html.contains(pts), "{lang:?}");
        // The coefficients tables are collapsible, the intercept in them.
        assert_eq!(html.matches("<details>").count(), 2);
        let intercept = if lang == Lang::Fr { "Constante" } else { "Intercept" };
        assert!(html.contains(&format!("<td class=\"l\">{intercept}</td>")));
        // The models section comes after the estimates.
        assert!(html.find("id=\"models\"").unwrap() > html.find("id=\"estimates\"").unwrap());
    }
}

#[test]
fn without_model_rows_there_is_no_section_and_tests_alone_draw_no_plot() {
    let estimates = estimate_rows();
    for lang in [Lang::Fr, Lang::En] {
        let html = render(&report(lang, &[], &estimates)).unwrap();
        assert!(!html.contains("id=\"models\"") && !html.contains("#models"), "{lang:?}");
        assert!(!html.contains("Models and tests") && !html.contains("Modèles et tests"));
    }
    let tests: Vec<ModelRow> = model_rows().into_iter().filter(|r| r.kind == "chisq").collect();
    let html = render(&report(Lang::En, &tests, &estimates)).unwrap();
    assert!(html.contains("<h2>Models and tests</h2>") && html.contains("Tests of independence"));
    assert!(!html.contains("class=\"coef\"") && !html.contains("Differences between groups"));
}

#[test]
fn names_are_escaped_and_undefined_numbers_read_na() {
    let mut models = model_rows();
    models[1].name = "a<b>&c".into();
    models[2].p_value = f64::NAN;
    models[2].exp = Some([f64::NAN; 3]);
    let html = render(&report(Lang::En, &models, &[])).unwrap();
    assert!(html.contains("a&lt;b&gt;&amp;c") && !html.contains("a<b>"));
    assert!(!html.contains("NaN") && html.contains("n/a"));
    for s in svgs(&html) {
        well_formed(s).unwrap();
    }
    // Without the estimates the difference of proportions is shown as is.
    assert!(html.contains("(-0.162, p &lt; 0.001)"));
}

#[test]
fn the_section_is_deterministic() {
    let (models, estimates) = (model_rows(), estimate_rows());
    let a = render(&report(Lang::Fr, &models, &estimates)).unwrap();
    let b = render(&report(Lang::Fr, &models, &estimates)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, render(&report(Lang::En, &models, &estimates)).unwrap());
}

#[test]
fn the_well_formedness_check_can_fail() {
    assert!(well_formed("<svg><g></svg>").is_err());
    assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
    assert!(well_formed("<svg><text x=\"1>a</text></svg>").is_err());
    assert!(well_formed("<svg><g/><text>a &amp; b</text></svg>").is_ok());
}

/// The report with models opens in headless Chromium without console messages, and every
/// SVG of it parses as a standalone SVG file. Skips without a `chromium` binary.
#[test]
fn models_section_opens_in_headless_chromium() {
    let Some(chromium) = crate::common::chromium() else { return };
    let (models, estimates) = (model_rows(), estimate_rows());
    let html = render(&report(Lang::Fr, &models, &estimates)).unwrap();
    let s = crate::common::Scratch::new();
    let dump =
        |name: &str, text: &str| crate::common::headless_dom(&chromium, &s.write(name, text), &[]);
    let (dom, log) = dump("report.html", &html);
    assert_eq!(dom.matches("class=\"coef\"").count(), 8, "markers missing from the DOM");
    assert!(!log.contains("CONSOLE") && !log.contains("Uncaught"), "{log}");
    for (k, svg) in svgs(&html).into_iter().enumerate() {
        let (dom, _) = dump(&format!("plot{k}.svg"), svg);
        assert!(!dom.contains("parsererror"), "plot {k}: {dom}");
        assert!(dom.contains("<svg"));
    }
}
