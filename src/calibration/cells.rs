//! Cell-collapsed solve: when every margin is categorical (or the population total), x_k
//! depends on the row only through its cell of the cross-classification of all margins, so
//! g_k = F(x_kᵀλ) is constant within a cell and every sum over rows is a sum over cells
//! weighted by the cell's Σd. The problem is solved on the (few) cells and g mapped back to
//! the rows once.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::columns::{CHUNK, CellStats, Columns};
use crate::data::Factor;

/// Cell (or key) of a row in no cell: weight 0, or a missing code. The same missing code
/// as a [`Factor`]'s, a row's cell being a category of the cross-classification.
pub(crate) const NO_CELL: u32 = Factor::MISSING;

/// Largest cross-classification for which cells are indexed by a dense key array.
const DENSE_KEYS: u64 = 1 << 24;
/// Fixed number of row blocks whose per-cell sums are added in block order (deterministic
/// whatever the thread count), used when the cells are few enough.
const ACC_BLOCKS: usize = 16;
/// Largest n_cells × [`ACC_BLOCKS`] for the parallel accumulation.
const ACC_MAX: usize = 1 << 22;

/// Row → cell assignment of a collapsed problem.
#[derive(Debug, Clone)]
pub(crate) enum CellMap {
    /// Mixed-radix key of each row ([`NO_CELL`] for rows of weight 0) and key → cell.
    Dense { keys: Vec<u32>, slot: Vec<u32> },
    /// Cell of each row ([`NO_CELL`] for rows of weight 0).
    Rows { row_cell: Vec<u32> },
}

impl CellMap {
    /// Cell of row k ([`NO_CELL`] for rows of weight 0).
    #[inline]
    pub(crate) fn cell(&self, k: usize) -> u32 {
        match self {
            CellMap::Dense { keys, slot } => match keys[k] {
                NO_CELL => NO_CELL,
                key => slot[key as usize],
            },
            CellMap::Rows { row_cell } => row_cell[k],
        }
    }

    /// Row weights d_k g_{cell(k)}.
    pub fn weights(&self, d: &[f64], g_cell: &[f64]) -> Vec<f64> {
        let mut w = vec![0.0; d.len()];
        w.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
            for (i, wk) in out.iter_mut().enumerate() {
                let k = c * CHUNK + i;
                let cell = self.cell(k);
                if cell != NO_CELL {
                    *wk = d[k] * g_cell[cell as usize];
                }
            }
        });
        w
    }

    /// (Σd, Σd², rows) per cell, summed over fixed row blocks in block order.
    fn cell_sums(&self, d: &[f64], n_cells: usize) -> Vec<[f64; 3]> {
        blocked_sums(
            d.len(),
            n_cells,
            |k| {
                let c = self.cell(k);
                (c != NO_CELL).then_some(c as usize)
            },
            d,
        )
    }
}

/// Σd, Σd², rows per bin (`bin(k)` = None for rows of weight 0). Rows are cut into
/// [`ACC_BLOCKS`] fixed blocks summed in parallel and added in block order when the bins are
/// few enough; one interleaved [f64; 3] per bin keeps each update to one cache line.
pub(crate) fn blocked_sums(
    n: usize,
    n_bins: usize,
    bin: impl Fn(usize) -> Option<usize> + Sync,
    d: &[f64],
) -> Vec<[f64; 3]> {
    let sums = |lo: usize, hi: usize| {
        let mut s = vec![[0.0; 3]; n_bins];
        for (k, &w) in d.iter().enumerate().take(hi).skip(lo) {
            if let Some(b) = bin(k) {
                let e = &mut s[b];
                e[0] += w;
                e[1] += w * w;
                e[2] += 1.0;
            }
        }
        s
    };
    if n_bins * ACC_BLOCKS > ACC_MAX || n < ACC_BLOCKS * CHUNK {
        return sums(0, n);
    }
    let block = n.div_ceil(ACC_BLOCKS);
    let parts: Vec<Vec<[f64; 3]>> = (0..ACC_BLOCKS)
        .into_par_iter()
        .map(|b| sums(b * block, ((b + 1) * block).min(n)))
        .collect();
    let mut parts = parts.into_iter();
    let mut acc = parts.next().unwrap_or_default();
    for part in parts {
        for (a, p) in acc.iter_mut().zip(&part) {
            a[0] += p[0];
            a[1] += p[1];
            a[2] += p[2];
        }
    }
    acc
}

/// Collapses row-level columns (categorical margins and total only) into cells. `None` when
/// a numeric margin is present or the cross-classification has more than 2⁶⁴ combinations.
pub(crate) fn collapse(rows: &Columns<'_>) -> Option<(Columns<'static>, CellMap)> {
    if !rows.nums.is_empty() || rows.stats.is_some() {
        return None;
    }
    let sizes: Vec<u64> = level_counts(rows);
    let mut strides = Vec::with_capacity(sizes.len());
    let mut space: u64 = 1;
    for &s in &sizes {
        strides.push(space);
        space = space.checked_mul(s.max(1))?;
    }
    let (cell_keys, map, sums) = if space <= DENSE_KEYS {
        dense_cells(rows, &strides, space)
    } else {
        let (cell_keys, map) = hashed_cells(rows, &strides);
        let sums = map.cell_sums(&rows.d, cell_keys.len());
        (cell_keys, map, sums)
    };
    let d = sums.iter().map(|s| s[0]).collect();
    let d2 = sums.iter().map(|s| s[1]).collect();
    let count = sums.iter().map(|s| s[2]).collect();
    let cats = rows
        .cats
        .iter()
        .enumerate()
        .map(|(m, (off, _))| {
            let codes: Vec<u32> =
                cell_keys.iter().map(|key| ((key / strides[m]) % sizes[m]) as u32).collect();
            (*off, Cow::Owned(codes))
        })
        .collect();
    let cells = Columns {
        d: Cow::Owned(d),
        cats,
        nums: Vec::new(),
        intercept: rows.intercept,
        p: rows.p,
        stats: Some(CellStats { count, d2 }),
    };
    Some((cells, map))
}

/// Number of levels of each categorical margin (from the parameter offsets).
fn level_counts(rows: &Columns<'_>) -> Vec<u64> {
    let mut ends: Vec<usize> = rows.cats.iter().map(|(o, _)| *o).skip(1).collect();
    ends.push(rows.intercept.unwrap_or(rows.p).min(rows.p));
    rows.cats.iter().zip(ends).map(|((o, _), e)| (e - o) as u64).collect()
}

/// Mixed-radix key of row k.
#[inline]
fn key(rows: &Columns<'_>, strides: &[u64], k: usize) -> u64 {
    rows.cats.iter().zip(strides).map(|((_, codes), s)| codes[k] as u64 * s).sum()
}

/// Cells numbered in increasing key order (deterministic whatever the row order), keys
/// indexing a dense array; returns the per-cell sums too. Sums are accumulated straight by
/// key (no cell lookup) when the key space is small, else after numbering the cells.
fn dense_cells(
    rows: &Columns<'_>,
    strides: &[u64],
    space: u64,
) -> (Vec<u64>, CellMap, Vec<[f64; 3]>) {
    let space = space as usize;
    let (keys, by_key) = keys_and_sums(rows, strides, space);
    let mut slot = vec![NO_CELL; space];
    match &by_key {
        Some(s) => {
            s.iter().zip(slot.iter_mut()).filter(|(s, _)| s[2] > 0.0).for_each(|(_, x)| *x = 0)
        }
        None => keys.iter().filter(|&&k| k != NO_CELL).for_each(|&k| slot[k as usize] = 0),
    }
    let mut cell_keys = Vec::new();
    for (k, s) in slot.iter_mut().enumerate() {
        if *s == 0 {
            *s = cell_keys.len() as u32;
            cell_keys.push(k as u64);
        }
    }
    let map = CellMap::Dense { keys, slot };
    let sums = match by_key {
        Some(s) => cell_keys.iter().map(|&k| s[k as usize]).collect(),
        None => map.cell_sums(&rows.d, cell_keys.len()),
    };
    (cell_keys, map, sums)
}

/// Key of every row ([`NO_CELL`] for weight 0) and, when the key space is small enough,
/// Σd, Σd², rows per key in the same pass (fixed row blocks added in block order).
fn keys_and_sums(
    rows: &Columns<'_>,
    strides: &[u64],
    space: usize,
) -> (Vec<u32>, Option<Vec<[f64; 3]>>) {
    let n = rows.len();
    let mut keys = vec![NO_CELL; n];
    let fill = |lo: usize, out: &mut [u32], sums: Option<&mut Vec<[f64; 3]>>| {
        let mut sums = sums;
        for (i, kv) in out.iter_mut().enumerate() {
            let k = lo + i;
            let w = rows.d[k];
            if w > 0.0 {
                let key = key(rows, strides, k) as u32;
                *kv = key;
                if let Some(s) = sums.as_deref_mut() {
                    let e = &mut s[key as usize];
                    e[0] += w;
                    e[1] += w * w;
                    e[2] += 1.0;
                }
            }
        }
    };
    if space * ACC_BLOCKS > ACC_MAX {
        keys.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| fill(c * CHUNK, out, None));
        return (keys, None);
    }
    let block = if n < ACC_BLOCKS * CHUNK { n.max(1) } else { n.div_ceil(ACC_BLOCKS) };
    let parts: Vec<Vec<[f64; 3]>> = keys
        .par_chunks_mut(block)
        .enumerate()
        .map(|(b, out)| {
            let mut s = vec![[0.0; 3]; space];
            fill(b * block, out, Some(&mut s));
            s
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut acc = parts.next().unwrap_or_else(|| vec![[0.0; 3]; space]);
    for part in parts {
        for (a, p) in acc.iter_mut().zip(&part) {
            a[0] += p[0];
            a[1] += p[1];
            a[2] += p[2];
        }
    }
    (keys, Some(acc))
}

/// Same for cross-classifications too large for a dense key array.
fn hashed_cells(rows: &Columns<'_>, strides: &[u64]) -> (Vec<u64>, CellMap) {
    let keys: Vec<u64> = (0..rows.len())
        .into_par_iter()
        .map(|k| if rows.d[k] > 0.0 { key(rows, strides, k) } else { u64::MAX })
        .collect();
    let mut cell_keys: Vec<u64> = keys.iter().copied().filter(|&k| k != u64::MAX).collect();
    cell_keys.par_sort_unstable();
    cell_keys.dedup();
    let index: HashMap<u64, u32> =
        cell_keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    let row_cell = keys.par_iter().map(|k| index.get(k).copied().unwrap_or(NO_CELL)).collect();
    (cell_keys, CellMap::Rows { row_cell })
}
