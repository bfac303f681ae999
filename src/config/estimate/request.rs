//! Validation of one `estimates:` entry into a [`Request`].

use super::{RawEstimate, Request, StatKind};
use crate::config::codebook::heading_text;
use crate::config::{Problems, check_names, scalar_label, show, suggest};
use crate::estimate::{CiMethod, DfRule, MissingPolicy, QuantileRule};

const STATS: [&str; 5] = ["total", "mean", "proportion", "ratio", "quantile"];

pub(super) fn validate_request(
    i: usize,
    e: &RawEstimate,
    has_codes: bool,
    p: &mut Problems,
) -> Option<Request> {
    let key = format!("estimates[{i}]");
    let stat = parse_stat(&key, e, p)?;
    check_request_keys(&key, e, &stat, p);
    let ci = parse_ci(&key, e, p);
    let level = e.level.unwrap_or(0.95);
    if !(level > 0.0 && level < 1.0) {
        p.push(
            &format!("{key}.level"),
            format!("must be in (0, 1), got {level}"),
            Some("e.g. 0.95".into()),
        );
    }
    Some(Request {
        name: e.name.clone(),
        stat,
        variable: e.variable.clone(),
        by: e.by.clone(),
        ci,
        level,
        df: parse_df(&key, e, p),
        missing: parse_missing(&key, e, p),
        item: super::missing::validate_choice(&key, e.item_nonresponse.as_ref(), has_codes, p),
        keep_empty_domains: e.keep_empty_domains,
        title: heading_text(&format!("{key}.title"), e.title.as_ref(), false, p),
        theme: heading_text(&format!("{key}.theme"), e.theme.as_ref(), true, p),
        key,
    })
}

fn parse_stat(key: &str, e: &RawEstimate, p: &mut Problems) -> Option<StatKind> {
    Some(match e.stat.as_str() {
        "total" => StatKind::Total,
        "mean" => StatKind::Mean,
        "proportion" => StatKind::Proportion(e.category.as_ref().and_then(scalar_label)),
        "ratio" => match &e.denominator {
            Some(d) => StatKind::Ratio(d.clone()),
            None => {
                p.push(&format!("{key}.stat"), "a ratio needs `denominator`", None);
                return None;
            }
        },
        "quantile" => parse_quantile(key, e, p),
        other => {
            let hint = suggest(other, STATS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| STATS.join(", "));
            p.push(&format!("{key}.stat"), format!("unknown statistic `{other}`"), Some(hint));
            return None;
        }
    })
}

fn parse_quantile(key: &str, e: &RawEstimate, p: &mut Problems) -> StatKind {
    let q = e.quantile.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&q) {
        p.push(&format!("{key}.quantile"), format!("must be in [0, 1], got {q}"), None);
    }
    let rule = match e.quantile_rule.as_deref() {
        None => QuantileRule::Math,
        Some(s) => QuantileRule::parse(s).unwrap_or_else(|| {
            p.push(
                &format!("{key}.quantile_rule"),
                format!("unknown rule `{s}`"),
                Some("math (hf1), school (hf2) or hf7".into()),
            );
            QuantileRule::Math
        }),
    };
    StatKind::Quantile(q, rule)
}

/// Keys that apply to another statistic, a category that is not one value, `by` names.
fn check_request_keys(key: &str, e: &RawEstimate, stat: &StatKind, p: &mut Problems) {
    if let Some(c) = &e.category
        && !c.is_null()
        && scalar_label(c).is_none()
    {
        p.push(
            &format!("{key}.category"),
            format!("`{}` is not one category", show(c)),
            Some("give one category, or omit `category` for every category (one row each)".into()),
        );
    }
    for (field, given) in
        [("quantile", e.quantile.is_some()), ("quantile_rule", e.quantile_rule.is_some())]
    {
        if given && !matches!(stat, StatKind::Quantile(..)) {
            p.push(
                &format!("{key}.{field}"),
                format!("`{field}` applies to `stat: quantile` only"),
                Some(format!("remove `{field}` or set `stat: quantile`")),
            );
        }
    }
    check_names(&format!("{key}.by"), e.by.iter().map(String::as_str), p);
    if e.category.is_some() && !matches!(stat, StatKind::Proportion(_)) {
        p.push(&format!("{key}.category"), "`category` applies to `stat: proportion` only", None);
    }
    if e.denominator.is_some() && !matches!(stat, StatKind::Ratio(_)) {
        p.push(&format!("{key}.denominator"), "`denominator` applies to `stat: ratio` only", None);
    }
}

fn parse_ci(key: &str, e: &RawEstimate, p: &mut Problems) -> CiMethod {
    let Some(s) = e.ci.as_deref() else { return CiMethod::Wald };
    CiMethod::parse(s).unwrap_or_else(|| {
        p.push(
            &format!("{key}.ci"),
            format!("unknown interval `{s}`"),
            Some("wald, logit, beta or xlogit".into()),
        );
        CiMethod::Wald
    })
}

fn parse_df(key: &str, e: &RawEstimate, p: &mut Problems) -> DfRule {
    match &e.df {
        None => DfRule::Infinite,
        Some(serde_yaml::Value::String(s)) => match s.as_str() {
            "infinite" | "normal" => DfRule::Infinite,
            "design" => DfRule::Design,
            "domain" => DfRule::Domain,
            other => {
                p.push(
                    &format!("{key}.df"),
                    format!("unknown df rule `{other}`"),
                    Some("infinite, design, domain or a number".into()),
                );
                DfRule::Infinite
            }
        },
        Some(v) => match v.as_f64() {
            Some(x) if x > 0.0 => DfRule::Fixed(x),
            _ => {
                p.push(
                    &format!("{key}.df"),
                    "must be infinite, design, domain or a positive number",
                    None,
                );
                DfRule::Infinite
            }
        },
    }
}

fn parse_missing(key: &str, e: &RawEstimate, p: &mut Problems) -> MissingPolicy {
    match e.missing.as_deref() {
        None | Some("fail") => MissingPolicy::Fail,
        Some("drop") => MissingPolicy::Drop,
        Some(s) => {
            p.push(
                &format!("{key}.missing"),
                format!("unknown policy `{s}`"),
                Some("`fail` or `drop`".into()),
            );
            MissingPolicy::Fail
        }
    }
}
