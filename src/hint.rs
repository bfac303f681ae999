//! Did-you-mean hints shared by every layer (data, config, bind): the closest name among
//! candidates. A leaf module: it imports nothing of the crate.

/// The closest candidate to `name` (Jaro–Winkler ≥ 0.8 or a case-insensitive match), for
/// did-you-mean hints.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = if c.to_lowercase() == lower {
            2.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        let c = ["weight", "margins", "method"];
        assert_eq!(suggest("wieght", c.iter().copied()), Some("weight".into()));
        assert_eq!(suggest("WEIGHT", c.iter().copied()), Some("weight".into()));
        assert_eq!(suggest("zzz", c.iter().copied()), None);
    }
}
