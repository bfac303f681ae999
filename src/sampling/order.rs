//! Sort order of a frame for systematic sampling (implicit stratification).

use crate::data::Factor;
use crate::error::{Error, Result};
use crate::sampling::strata::rows_phrase;
use crate::sampling::validate::same_length;

/// One sort key, a frame column.
#[derive(Debug, Clone, Copy)]
pub enum SortKey<'a> {
    /// Integer codes (factor codes, ages...): sorted by a counting sort, linear in N.
    Codes {
        /// Column name, for messages.
        name: &'a str,
        /// One code per frame row.
        codes: &'a [u32],
    },
    /// Numbers: sorted by a stable comparison sort, O(N log N).
    Values {
        /// Column name, for messages.
        name: &'a str,
        /// One value per frame row.
        values: &'a [f64],
    },
}

/// Permutation of the frame rows ordering them by `keys` (first key first), ties in frame
/// order. Row `order[j]` is the j-th in the sort.
///
/// # Formula
/// Least-significant-key-first stable sorts: by the last key, then the one before... (LSD
/// radix sort over whole keys). A counting sort of a code key costs two passes over N and
/// one counter per code.
///
/// # Errors
/// A missing code ([`Factor::MISSING`]) or a NaN value, naming the column and rows; more rows than
/// `u32::MAX`.
pub fn sort_order(n_rows: usize, keys: &[SortKey<'_>]) -> Result<Vec<u32>> {
    if n_rows > u32::MAX as usize {
        return Err(Error::method(
            "sampling",
            format!("frame of {n_rows} rows is too large for a sort order (max {})", u32::MAX),
        ));
    }
    if let Some(order) = composite_order(n_rows, keys)? {
        return Ok(order);
    }
    let mut order: Vec<u32> = (0..n_rows as u32).collect();
    let mut scratch = vec![0u32; n_rows];
    for key in keys.iter().rev() {
        match *key {
            SortKey::Codes { name, codes } => {
                same_length(codes.len(), n_rows, name)?;
                counting_sort(&order, codes, name, &mut scratch)?;
                std::mem::swap(&mut order, &mut scratch);
            }
            SortKey::Values { name, values } => {
                same_length(values.len(), n_rows, name)?;
                let bad: Vec<usize> = (0..n_rows).filter(|&i| values[i].is_nan()).collect();
                if !bad.is_empty() {
                    return Err(missing(name, &bad));
                }
                // `sort_by` is stable: ties keep the order of the previous keys.
                order.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
            }
        }
    }
    Ok(order)
}

/// Largest number of distinct composite codes for the one-pass sort.
const MAX_COMPOSITE: u64 = 1 << 24;

/// When every key is a code column and the product of their ranges is small (region ×
/// department × age: 18 × 101 × 105 ≈ 191,000), the keys are combined into one code
/// c = ((c_1 K_2 + c_2) K_3 + c_3)… and sorted by a single counting sort: one scatter pass
/// instead of one per key. Same result as the key-by-key sort.
fn composite_order(n_rows: usize, keys: &[SortKey<'_>]) -> Result<Option<Vec<u32>>> {
    let mut ranges = Vec::with_capacity(keys.len());
    let mut product: u64 = 1;
    for key in keys {
        let SortKey::Codes { name, codes } = *key else {
            return Ok(None);
        };
        same_length(codes.len(), n_rows, name)?;
        let bad: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] == Factor::MISSING).collect();
        if !bad.is_empty() {
            return Err(missing(name, &bad));
        }
        let k = codes.iter().copied().max().map_or(1, |m| u64::from(m) + 1);
        product = product.saturating_mul(k);
        if product > MAX_COMPOSITE {
            return Ok(None);
        }
        ranges.push((codes, k as u32));
    }
    if ranges.len() < 2 {
        return Ok(None);
    }
    let mut composite = vec![0u32; n_rows];
    for (codes, k) in &ranges {
        for (c, &v) in composite.iter_mut().zip(codes.iter()) {
            *c = *c * k + v;
        }
    }
    let identity: Vec<u32> = (0..n_rows as u32).collect();
    let mut order = vec![0u32; n_rows];
    counting_sort(&identity, &composite, "sort keys", &mut order)?;
    Ok(Some(order))
}

fn missing(name: &str, rows: &[usize]) -> Error {
    Error::method(
        "sampling",
        format!(
            "sort column `{name}` is missing at {}: fill it or leave the column out of `sort`",
            rows_phrase(rows)
        ),
    )
}

fn counting_sort(order: &[u32], codes: &[u32], name: &str, out: &mut [u32]) -> Result<()> {
    let bad: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] == Factor::MISSING).collect();
    if !bad.is_empty() {
        return Err(missing(name, &bad));
    }
    let k = codes.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut start = vec![0usize; k + 1];
    for &c in codes {
        start[c as usize + 1] += 1;
    }
    for j in 1..=k {
        start[j] += start[j - 1];
    }
    for &r in order {
        let c = codes[r as usize] as usize;
        out[start[c]] = r;
        start[c] += 1;
    }
    Ok(())
}
