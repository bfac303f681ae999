//! Every piece of text of the run report, in French and English (one table), and the number
//! formats of each language (decimal comma and `n.d.` in French).

use super::Lang;

/// (key, français, English).
const LABELS: &[(&str, &str, &str)] = &[
    ("doc_subtitle", "Rapport d'exécution de ponder", "ponder run report"),
    ("facts", "Chiffres clés", "Key figures"),
    ("item", "Élément", "Item"),
    ("value", "Valeur", "Value"),
    ("contents", "Sommaire", "Contents"),
    // Nonresponse.
    ("nonresponse", "Collecte et non-réponse", "Collection and nonresponse"),
    ("nr_method", "Méthode de correction", "Adjustment method"),
    ("nr_phases", "Phases du modèle", "Model phases"),
    ("n_sampled", "Unités échantillonnées", "Sampled units"),
    ("outcomes", "Issues de la collecte", "Collection outcomes"),
    ("outcome", "Issue", "Outcome"),
    ("units", "Unités", "Units"),
    ("design_weight_sum", "Somme des poids de sondage", "Sum of design weights"),
    ("web", "Internet", "Web"),
    ("phone", "Téléphone", "Phone"),
    ("respondent", "Répondant", "Respondent"),
    ("nonrespondent", "Non-répondant", "Nonrespondent"),
    ("ineligible", "Hors champ", "Ineligible"),
    ("unknown", "Éligibilité inconnue", "Unknown eligibility"),
    ("rates_by_phase", "Taux de réponse par phase", "Response rates by phase"),
    ("phase", "Phase", "Phase"),
    ("overall", "Ensemble", "Overall"),
    ("base", "Base", "Base"),
    ("respondents", "Répondants", "Respondents"),
    ("rate", "Taux", "Rate"),
    ("weighted_rate", "Taux pondéré", "Weighted rate"),
    ("response_rate_pct", "Taux de réponse (%)", "Response rate (%)"),
    ("not_relaunched", "Non relancés (sans numéro)", "Not relaunched (no number)"),
    ("rates_by_group", "Taux de réponse par groupe", "Response rates by group"),
    ("group", "Groupe", "Group"),
    ("p_range", "p̂ min – max", "p̂ min – max"),
    ("mean_p", "p̂ moyen", "Mean p̂"),
    ("eligible", "Éligibles", "Eligible"),
    ("factor", "Facteur", "Factor"),
    ("initial_groups", "Groupes initiaux (avant fusion)", "Initial groups (before merging)"),
    ("r_indicator", "Indicateur R", "R-indicator"),
    ("r_value", "R = 1 − 2 S(p̂)", "R = 1 − 2 S(p̂)"),
    ("sd_p", "S(p̂)", "S(p̂)"),
    (
        "partial_r",
        "Indicateurs R partiels (inconditionnels)",
        "Partial R-indicators (unconditional)",
    ),
    ("variable", "Variable", "Variable"),
    ("category", "Modalité", "Category"),
    ("weight_share", "Part pondérée", "Weight share"),
    ("partial", "Partiel", "Partial"),
    ("profiles", "Profils des répondants", "Respondent profiles"),
    ("std_diff", "Diff. standardisée", "Std. difference"),
    ("mean_value", "moyenne", "mean"),
    ("kish_nr", "Effet de plan de Kish des répondants", "Kish design effects of respondents"),
    ("kish_design", "Poids de sondage", "Design weights"),
    ("kish_adjusted", "Poids corrigés", "Adjusted weights"),
    ("kish_factors", "Facteurs de correction", "Adjustment factors"),
    ("notes", "Remarques", "Notes"),
    // Weights.
    ("weights", "Distribution des poids", "Weight distributions"),
    ("step", "Étape", "Step"),
    ("design", "Poids de sondage", "Design"),
    ("calibration_step", "Calage", "Calibration"),
    ("nonresponse_step", "Non-réponse", "Nonresponse"),
    ("n_positive", "n > 0", "n > 0"),
    ("sum", "Somme", "Sum"),
    ("min", "Min", "Min"),
    ("median", "Médiane", "Median"),
    ("max", "Max", "Max"),
    ("cv", "CV", "CV"),
    ("kish_deff", "Effet de plan 1 + CV²", "Design effect 1 + CV²"),
    ("weight_log", "Poids (échelle log)", "Weight (log scale)"),
    (
        "box_caption",
        "Boîtes : quartiles et médiane ; moustaches : 5e et 95e centiles ; points : min et max.",
        "Boxes: quartiles and median; whiskers: 5th and 95th percentiles; dots: min and max.",
    ),
    // Calibration.
    ("calibration", "Calage sur marges", "Calibration"),
    ("cal_method", "Méthode", "Method"),
    ("bounds", "Bornes de g", "Bounds on g"),
    ("none", "aucune", "none"),
    ("algorithm", "Algorithme", "Algorithm"),
    ("iterations", "Itérations", "Iterations"),
    ("converged", "Convergence", "Converged"),
    ("yes", "oui", "yes"),
    ("no", "non", "no"),
    ("max_misfit", "Écart relatif maximal", "Max relative error"),
    ("rows_positive", "Lignes (poids > 0)", "Rows (weight > 0)"),
    ("at_bounds", "g à la borne basse / haute", "g at lower / upper bound"),
    ("cal_deff", "Effet de plan 1 + CV²(w)", "Design effect 1 + CV²(w)"),
    ("margins", "Marges avant et après calage", "Margins before and after calibration"),
    ("margin", "Marge", "Margin"),
    ("before", "Avant", "Before"),
    ("target", "Cible", "Target"),
    ("after", "Après", "After"),
    ("error", "Écart", "Error"),
    ("rescaled", "Marge remise à l'échelle", "Margin rescaled"),
    ("g_dist", "Rapports de calage g = w_cal / w_nr", "Calibration ratios g = w_cal / w_nr"),
    ("g_axis", "g", "g"),
    ("respondents_count", "répondants", "respondents"),
    // Estimates.
    ("estimates", "Estimations", "Estimates"),
    ("estimate_title", "Indicateur", "Indicator"),
    ("estimates_table", "Tableau des estimations", "Table of estimates"),
    ("stat", "Statistique", "Statistic"),
    ("domain", "Domaine", "Domain"),
    ("estimate", "Estimation", "Estimate"),
    ("se", "Écart-type", "SE"),
    ("ci_low", "IC bas", "CI low"),
    ("ci_high", "IC haut", "CI high"),
    ("n", "n", "n"),
    ("flags", "Signalements", "Flags"),
    ("flag_empty", "domaine vide", "empty domain"),
    ("flag_low_n", "n faible", "low n"),
    ("flag_high_cv", "CV élevé", "high CV"),
    ("flag_suppressed", "masqué", "suppressed"),
    ("flag_dropped", "répliques écartées", "dropped replicates"),
    ("all", "Ensemble", "All"),
    (
        "dot_caption",
        "Point : estimation ; trait : intervalle de confiance.",
        "Dot: estimate; line: confidence interval.",
    ),
    ("flag_legend", "Lignes signalées sur fond orange.", "Flagged rows have an orange background."),
    ("percent", "%", "%"),
    ("stat_total", "total", "total"),
    ("stat_mean", "moyenne", "mean"),
    ("stat_proportion", "proportion", "proportion"),
    ("stat_ratio", "ratio", "ratio"),
    ("stat_quantile", "quantile", "quantile"),
    // Models and tests.
    ("models", "Modèles et tests", "Models and tests"),
    (
        "models_caption",
        "Modèles de régression sur le plan de sondage : chaque point compare une modalité à la \
         modalité de référence de sa variable (pour une variable numérique : une unité de plus), \
         les autres termes étant fixés ; trait : \
         intervalle de confiance ; point plein : significatif au seuil de 5 % (p < 0,05), \
         point creux : non significatif.",
        "Design-based regression models: each dot compares a level with the reference level \
         of its variable (for a numeric variable: one unit more), the other terms held fixed; \
         line: confidence interval; filled dot: \
         significant at the 5% level (p < 0.05), hollow dot: not significant.",
    ),
    (
        "ratio_axis",
        "Rapport de cotes (lien logit) ou de taux (lien log), échelle log",
        "Odds ratio (logit link) or rate ratio (log link), log scale",
    ),
    ("coef_axis", "Coefficient (lien identité)", "Coefficient (identity link)"),
    ("legend_sig", "p < 0,05", "p < 0.05"),
    ("legend_ns", "p ≥ 0,05", "p ≥ 0.05"),
    ("legend_ref", "aucun écart avec la référence", "no difference from the reference"),
    ("reference_levels", "Modalités de référence", "Reference levels"),
    (
        "reference_unknown",
        "par rapport à la modalité de référence (non indiquée dans les résultats)",
        "relative to the reference level (not given in the results)",
    ),
    ("term_tests", "Tests de Wald des termes", "Wald tests of terms"),
    ("term", "Terme", "Term"),
    ("df", "ddl", "df"),
    ("df2", "ddl dénominateur", "denominator df"),
    ("no_term", "aucun", "none"),
    (
        "terms_reading",
        "Termes significatifs au seuil de 5 % : {sig}. Termes non significatifs : {ns}.",
        "Terms significant at the 5% level: {sig}. Terms not significant: {ns}.",
    ),
    ("coefficients", "Tableau des coefficients", "Table of coefficients"),
    ("coefficient", "Coefficient", "Coefficient"),
    ("ratio", "Rapport (OR/RR)", "Ratio (OR/RR)"),
    ("ratio_ci", "IC du rapport", "CI of the ratio"),
    ("chisq_tests", "Tests d'indépendance (Rao–Scott)", "Tests of independence (Rao–Scott)"),
    ("test", "Test", "Test"),
    ("variables", "Variables", "Variables"),
    ("statistic", "Statistique", "Statistic"),
    ("and", "et", "and"),
    (
        "chisq_sig",
        "{name} : les variables {vars} sont significativement liées ({stat}, p {p}).",
        "{name}: {vars} are significantly associated ({stat}, p {p}).",
    ),
    (
        "chisq_ns",
        "{name} : pas de lien significatif entre les variables {vars} ({stat}, p {p}).",
        "{name}: no significant association between {vars} ({stat}, p {p}).",
    ),
    ("differences", "Différences entre groupes", "Differences between groups"),
    ("comparison", "Comparaison", "Comparison"),
    ("difference", "Différence", "Difference"),
    ("ci", "IC", "CI"),
    ("points", "points", "points"),
    (
        "points_caption",
        "pts : points de pourcentage (différence de deux proportions).",
        "pts: percentage points (difference of two proportions).",
    ),
    (
        "diff_sig",
        "{name} : {a} et {b} diffèrent significativement ({d}, p {p}).",
        "{name}: {a} and {b} differ significantly ({d}, p {p}).",
    ),
    (
        "diff_ns",
        "{name} : pas de différence significative entre {a} et {b} ({d}, p {p}).",
        "{name}: no significant difference between {a} and {b} ({d}, p {p}).",
    ),
    ("test_na", "{name} : test non disponible.", "{name}: test not available."),
    // Map.
    ("map", "Carte par région", "Map by region"),
    (
        "map_caption",
        "Carte schématique (contours simplifiés) ; gris : non disponible.",
        "Schematic map (simplified outlines); grey: not available.",
    ),
    ("map_category", "Modalité représentée", "Category shown"),
    (
        "map_no_region",
        "Aucune ligne par région pour cette estimation.",
        "No row by region for this estimate.",
    ),
    ("map_not_drawn", "Lignes non représentées sur la carte", "Rows not drawn on the map"),
    ("na", "n.d.", "n/a"),
];

/// The text of `key` in `lang` (the key itself when unknown, caught by the tests).
pub fn label(lang: Lang, key: &'static str) -> &'static str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, fr, en)| if lang == Lang::Fr { fr } else { en })
}

/// Whether `key` is in the table.
#[cfg(test)]
fn has_label(key: &str) -> bool {
    LABELS.iter().any(|(k, _, _)| *k == key)
}

/// "n.d." / "n/a" for a missing value.
pub fn na(lang: Lang) -> String {
    label(lang, "na").to_string()
}

/// A number with up to 6 significant digits ([`crate::report::html::num`]) without trailing
/// zeros, thousands grouped from 10 000 (narrow no-break space in French, comma in
/// English), decimal comma in French, `n.d.`/`n/a` when not finite.
pub fn number(lang: Lang, v: f64) -> String {
    if !v.is_finite() {
        return na(lang);
    }
    let mut s = crate::report::html::num(v);
    if s.contains('e') {
        return localize(lang, s);
    }
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    let (sign, rest) = s.split_at(usize::from(s.starts_with('-')));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let int = if int.len() >= 5 {
        crate::report::html::group_digits(int, if lang == Lang::Fr { "\u{202f}" } else { "," })
    } else {
        int.to_string()
    };
    let dec = if lang == Lang::Fr { "," } else { "." };
    match frac {
        Some(f) => format!("{sign}{int}{dec}{f}"),
        None => format!("{sign}{int}"),
    }
}

/// A number with `digits` decimals.
pub fn fixed(lang: Lang, v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return na(lang);
    }
    let s = format!("{v:.digits$}");
    // No "-0.000" for a tiny negative value.
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    localize(lang, s)
}

/// A proportion in percent with one decimal: `42,3 %` / `42.3%`.
pub fn percent(lang: Lang, p: f64) -> String {
    if !p.is_finite() {
        return na(lang);
    }
    match lang {
        Lang::Fr => format!("{} %", fixed(lang, 100.0 * p, 1)),
        Lang::En => format!("{:.1}%", 100.0 * p),
    }
}

/// A small number in scientific notation (errors, misfits).
pub fn sci(lang: Lang, v: f64) -> String {
    if !v.is_finite() {
        return na(lang);
    }
    localize(lang, format!("{v:.2e}"))
}

fn localize(lang: Lang, s: String) -> String {
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_languages_differ_somewhere() {
        for (i, (k, _, _)) in LABELS.iter().enumerate() {
            assert!(!LABELS[..i].iter().any(|(j, _, _)| j == k), "duplicate key {k}");
        }
        assert_ne!(label(Lang::Fr, "estimates"), label(Lang::En, "estimates"));
    }

    /// Every literal key passed to `l(..)` / `label(lang, ..)` in the report sources exists.
    #[test]
    fn every_key_used_in_the_sources_is_in_the_table() {
        let sources = [
            include_str!("../run.rs"),
            include_str!("svg.rs"),
            include_str!("map.rs"),
            include_str!("nonresponse.rs"),
            include_str!("weights.rs"),
            include_str!("calibration.rs"),
            include_str!("estimates.rs"),
            include_str!("forest.rs"),
            include_str!("models.rs"),
            include_str!("readings.rs"),
            include_str!("names.rs"),
        ];
        let mut checked = 0;
        for src in sources {
            for pat in ["l(\"", "label(lang, \""] {
                for (i, _) in src.match_indices(pat) {
                    let rest = &src[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    assert!(has_label(key), "missing label key {key}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn french_numbers_use_a_decimal_comma() {
        assert_eq!(percent(Lang::Fr, 0.4234), "42,3 %");
        assert_eq!(percent(Lang::En, 0.4234), "42.3%");
        assert_eq!(number(Lang::Fr, f64::NAN), "n.d.");
        assert_eq!(number(Lang::Fr, 4947000.0), "4\u{202f}947\u{202f}000");
        assert_eq!(number(Lang::En, -12345.5), "-12,345.5");
        assert_eq!(number(Lang::Fr, 1000.0), "1000");
        assert_eq!(number(Lang::Fr, 0.4), "0,4");
        assert_eq!(number(Lang::En, 45.8), "45.8");
        assert_eq!(number(Lang::En, f64::INFINITY), "n/a");
    }
}
