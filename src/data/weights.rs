//! The one check of a weight column: every value finite and ≥ 0 (0 for units that do not
//! count). Each step wraps the finding in its own error, naming its column.

/// Formats 0-based row indices as 1-based row numbers, at most 10 of them.
pub fn row_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(10).map(|r| (r + 1).to_string()).collect();
    if rows.len() > 10 {
        format!("{} (and {} more)", shown.join(", "), rows.len() - 10)
    } else {
        shown.join(", ")
    }
}

/// Weights that are missing (`NaN`), infinite or negative.
#[derive(Debug, Clone, PartialEq)]
pub struct BadWeights {
    /// 0-based rows at fault, in order.
    pub rows: Vec<usize>,
    /// The value of the first of them.
    pub first_value: f64,
}

impl BadWeights {
    /// `"{what}: 2 weight(s) missing, negative or not finite (rows 3, 9; first: -1); …"`:
    /// the message every step gives, with the fix.
    pub fn describe(&self, what: &str) -> String {
        format!(
            "{what}: {} weight(s) missing, negative or not finite (rows {}; first: {}); give \
             every row a finite weight >= 0 (0 for units that must not count)",
            self.rows.len(),
            row_list(&self.rows),
            self.first_value
        )
    }
}

/// `None` when every weight is finite and ≥ 0; else the rows at fault.
pub fn check_weights(w: &[f64]) -> Option<BadWeights> {
    let first = w.iter().position(|v| !(v.is_finite() && *v >= 0.0))?;
    let rows = (first..w.len()).filter(|&k| !(w[k].is_finite() && w[k] >= 0.0)).collect();
    Some(BadWeights { rows, first_value: w[first] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_bad_weight() {
        assert_eq!(check_weights(&[0.0, 1.5, 3.0]), None);
        let bad = check_weights(&[1.0, -1.0, f64::NAN, 2.0, f64::INFINITY]).unwrap();
        assert_eq!(bad.rows, [1, 2, 4]);
        assert_eq!(bad.first_value, -1.0);
        let m = bad.describe("weight `d`");
        assert!(m.starts_with("weight `d`: 3 weight(s)") && m.contains("rows 2, 3, 5"), "{m}");
    }

    #[test]
    fn lists_ten_rows_at_most() {
        let rows: Vec<usize> = (0..12).collect();
        assert_eq!(row_list(&rows), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 (and 2 more)");
    }
}
