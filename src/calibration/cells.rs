//! Cell-collapsed solve: when every margin is categorical (or the population total), x_k
//! depends on the row only through its cell of the cross-classification of all margins, so
//! g_k = F(x_kᵀλ) is constant within a cell and every sum over rows is a sum over cells
//! weighted by the cell's Σd. The problem is solved on the (few) cells and g mapped back to
//! the rows once.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::columns::{CHUNK, CellStats, Columns};

/// Largest cross-classification for which cells are indexed by a dense key array.
const DENSE_KEYS: u64 = 1 << 24;

/// Row → cell assignment of a collapsed problem.
#[derive(Debug, Clone)]
pub(crate) struct CellMap {
    /// Cell of each row (`u32::MAX` for rows of weight 0).
    pub row_cell: Vec<u32>,
}

impl CellMap {
    /// Row weights d_k g_{cell(k)}.
    pub fn weights(&self, d: &[f64], g_cell: &[f64]) -> Vec<f64> {
        let mut w = vec![0.0; d.len()];
        w.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
            for (i, wk) in out.iter_mut().enumerate() {
                let k = c * CHUNK + i;
                let cell = self.row_cell[k];
                if cell != u32::MAX {
                    *wk = d[k] * g_cell[cell as usize];
                }
            }
        });
        w
    }
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
    let keys = row_keys(rows, &strides);
    let (cell_keys, row_cell) = number_cells(&keys, space);
    drop(keys);
    let n_cells = cell_keys.len();
    let mut d = vec![0.0; n_cells];
    let mut count = vec![0.0; n_cells];
    let mut d2 = vec![0.0; n_cells];
    for (k, &c) in row_cell.iter().enumerate() {
        if c != u32::MAX {
            let (c, w) = (c as usize, rows.d[k]);
            d[c] += w;
            d2[c] += w * w;
            count[c] += 1.0;
        }
    }
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
    Some((cells, CellMap { row_cell }))
}

/// Number of levels of each categorical margin (from the parameter offsets).
fn level_counts(rows: &Columns<'_>) -> Vec<u64> {
    let mut ends: Vec<usize> = rows.cats.iter().map(|(o, _)| *o).skip(1).collect();
    ends.push(rows.intercept.unwrap_or(rows.p).min(rows.p));
    rows.cats.iter().zip(ends).map(|((o, _), e)| (e - o) as u64).collect()
}

/// Mixed-radix key of each row's cell (`u64::MAX` for rows of weight 0).
fn row_keys(rows: &Columns<'_>, strides: &[u64]) -> Vec<u64> {
    let mut keys = vec![u64::MAX; rows.len()];
    keys.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
        for (i, key) in out.iter_mut().enumerate() {
            let k = c * CHUNK + i;
            if rows.d[k] > 0.0 {
                *key =
                    rows.cats.iter().zip(strides).map(|((_, codes), s)| codes[k] as u64 * s).sum();
            }
        }
    });
    keys
}

/// Cell numbers in increasing key order (deterministic whatever the row order): returns
/// the key of each cell and the cell of each row.
fn number_cells(keys: &[u64], space: u64) -> (Vec<u64>, Vec<u32>) {
    if space <= DENSE_KEYS {
        let mut slot = vec![u32::MAX; space as usize];
        for &k in keys {
            if k != u64::MAX {
                slot[k as usize] = 0;
            }
        }
        let mut cell_keys = Vec::new();
        for (k, s) in slot.iter_mut().enumerate() {
            if *s == 0 {
                *s = cell_keys.len() as u32;
                cell_keys.push(k as u64);
            }
        }
        let row_cell =
            keys.par_iter().map(|&k| if k == u64::MAX { u32::MAX } else { slot[k as usize] });
        (cell_keys, row_cell.collect())
    } else {
        let mut cell_keys: Vec<u64> = keys.iter().copied().filter(|&k| k != u64::MAX).collect();
        cell_keys.par_sort_unstable();
        cell_keys.dedup();
        let index: HashMap<u64, u32> =
            cell_keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
        let row_cell = keys.par_iter().map(|k| index.get(k).copied().unwrap_or(u32::MAX)).collect();
        (cell_keys, row_cell)
    }
}
