//! `missing_codes:` (what codes of the answer columns mean) and each estimate's
//! `item_nonresponse:` choice (see `crate::estimate` module `item`).
//!
//! ```yaml
//! missing_codes:
//!   not_asked: [not_asked]              # filter: outside the question's domain
//!   item_nonresponse: [dont_know, refused, 8, 9]
//!   break_off: [break_off]
//! estimates:
//!   - {name: x, ..., item_nonresponse: exclude}                 # the default with codes
//!   - {name: y, ..., item_nonresponse: {reweight: [sex, age_group]}}
//! ```

use crate::config::{Problems, scalar_labels, show};
use crate::estimate::{MissingCodes, Role, same_code};
use serde::Deserialize;

/// The raw `missing_codes:` block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMissingCodes {
    #[serde(default)]
    not_asked: Vec<serde_yaml::Value>,
    #[serde(default)]
    item_nonresponse: Vec<serde_yaml::Value>,
    #[serde(default)]
    break_off: Vec<serde_yaml::Value>,
}

/// How an estimate treats item nonrespondents and break-offs.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemChoice {
    /// They leave the denominator (flagged in the rows and the footnote).
    Exclude,
    /// Respondents reweighted to the persons asked within the classes of these columns.
    Reweight(Vec<String>),
}

/// Validates `missing_codes:`: codes are scalars (text or numbers), none empty, none in two
/// roles (`8` and `"8"` are one code).
pub(crate) fn validate_codes(
    raw: Option<&RawMissingCodes>,
    p: &mut Problems,
) -> Option<MissingCodes> {
    let raw = raw?;
    let codes = MissingCodes {
        not_asked: scalar_labels("missing_codes.not_asked", &raw.not_asked, p),
        item_nonresponse: scalar_labels("missing_codes.item_nonresponse", &raw.item_nonresponse, p),
        break_off: scalar_labels("missing_codes.break_off", &raw.break_off, p),
    };
    let pairs: Vec<(Role, String)> = codes.pairs().map(|(r, c)| (r, c.to_string())).collect();
    if pairs.is_empty() {
        p.push(
            "missing_codes",
            "no code declared",
            Some("e.g. `missing_codes: {not_asked: [not_asked], item_nonresponse: [dont_know, refused]}`".into()),
        );
    }
    for (i, (role, code)) in pairs.iter().enumerate() {
        if code.is_empty() {
            p.push(
                &format!("missing_codes.{}", role.key()),
                "an empty code",
                Some("blank values are missing values already: list only codes".into()),
            );
        } else if let Some((other, _)) = pairs[..i].iter().find(|(_, c)| same_code(c, code)) {
            let what = if other == role {
                "twice".to_string()
            } else {
                format!("in `{}` too", other.key())
            };
            p.push(
                &format!("missing_codes.{}", role.key()),
                format!("code `{code}` is declared {what}: a code has one meaning"),
                Some("keep it under one role".into()),
            );
        }
    }
    Some(codes)
}

/// Validates an estimate's `item_nonresponse:`: `exclude` or `{reweight: [columns]}`; it
/// needs `missing_codes:`.
pub(crate) fn validate_choice(
    key: &str,
    v: Option<&serde_yaml::Value>,
    has_codes: bool,
    p: &mut Problems,
) -> Option<ItemChoice> {
    let v = v?;
    let key = format!("{key}.item_nonresponse");
    if !has_codes {
        p.push(
            &key,
            "`item_nonresponse` needs the codes of missing answers: there is no `missing_codes:`",
            Some("declare e.g. `missing_codes: {item_nonresponse: [dont_know, refused]}` at the top of the file".into()),
        );
    }
    let hint = Some(
        "`exclude` or `{reweight: [class columns]}`, e.g. `{reweight: [sex, age_group]}`".into(),
    );
    match v {
        serde_yaml::Value::String(s) if s == "exclude" => Some(ItemChoice::Exclude),
        serde_yaml::Value::Mapping(m) if m.len() == 1 => {
            let (k, classes) = m.iter().next()?;
            if k.as_str() != Some("reweight") {
                p.push(&key, format!("unknown choice `{}`", show(k)), hint);
                return None;
            }
            let Some(list) = classes.as_sequence().filter(|l| !l.is_empty()) else {
                p.push(
                    &format!("{key}.reweight"),
                    "give a non-empty list of class columns",
                    Some("e.g. `{reweight: [sex, age_group]}`".into()),
                );
                return None;
            };
            let names = scalar_labels(&format!("{key}.reweight"), list, p);
            crate::config::check_names(
                &format!("{key}.reweight"),
                names.iter().map(String::as_str),
                p,
            );
            Some(ItemChoice::Reweight(names))
        }
        other => {
            p.push(&key, format!("unknown choice `{}`", show(other)), hint);
            None
        }
    }
}
