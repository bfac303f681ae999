//! Hadamard matrices for BRR, Fay and SDR replicates.
//!
//! Orders built: Sylvester 2^k, Paley I (q + 1 for a prime q ≡ 3 mod 4), and Sylvester
//! doublings of Paley matrices (2^k (q + 1)). Every matrix is normalized so that its first
//! column is all +1: the other columns are then balanced (half +1, half −1), which is what
//! BRR needs.

/// A ±1 Hadamard matrix stored row-major (`h[r][c]`), first column all +1.
#[derive(Debug, Clone, PartialEq)]
pub struct Hadamard {
    /// Rows of ±1 entries.
    pub rows: Vec<Vec<i8>>,
}

impl Hadamard {
    /// Order (number of rows = columns).
    pub fn order(&self) -> usize {
        self.rows.len()
    }

    /// The smallest constructible Hadamard matrix of order ≥ `min_order`.
    pub fn at_least(min_order: usize) -> Hadamard {
        let mut k = min_order.max(1);
        loop {
            if let Some(h) = Hadamard::of_order(k) {
                return h;
            }
            k += 1;
        }
    }

    /// A Hadamard matrix of exactly this order, when one of our constructions gives it.
    pub fn of_order(order: usize) -> Option<Hadamard> {
        if order == 0 {
            return None;
        }
        if order == 1 || order == 2 {
            return Some(normalize(sylvester_from(vec![vec![1]], order)));
        }
        if !order.is_multiple_of(4) {
            return None;
        }
        // order = 2^a * base, base = 1 or q + 1 with q prime ≡ 3 mod 4
        let mut base = order;
        let mut doublings = 0;
        loop {
            if base == 1 {
                return Some(normalize(sylvester_from(vec![vec![1]], order)));
            }
            if base >= 4 && is_prime(base - 1) && (base - 1) % 4 == 3 {
                let mut h = paley(base - 1);
                for _ in 0..doublings {
                    h = double(&h);
                }
                return Some(normalize(h));
            }
            if !base.is_multiple_of(2) {
                return None;
            }
            base /= 2;
            doublings += 1;
        }
    }
}

fn sylvester_from(mut h: Vec<Vec<i8>>, order: usize) -> Vec<Vec<i8>> {
    while h.len() < order {
        h = double(&h);
    }
    h
}

/// [[H, H], [H, −H]].
fn double(h: &[Vec<i8>]) -> Vec<Vec<i8>> {
    let n = h.len();
    let mut out = Vec::with_capacity(2 * n);
    for r in h {
        let mut row = r.clone();
        row.extend_from_slice(r);
        out.push(row);
    }
    for r in h {
        let mut row = r.clone();
        row.extend(r.iter().map(|v| -v));
        out.push(row);
    }
    out
}

fn is_prime(q: usize) -> bool {
    q >= 2 && (2..).take_while(|d| d * d <= q).all(|d| !q.is_multiple_of(d))
}

/// Paley construction I: H = I + S, S = [[0, 1ᵀ], [−1, Q]], Q the Jacobsthal matrix of the
/// quadratic character mod q.
fn paley(q: usize) -> Vec<Vec<i8>> {
    let mut residue = vec![false; q];
    for x in 1..q {
        residue[(x * x) % q] = true;
    }
    let chi = |a: usize| -> i8 {
        if a == 0 {
            0
        } else if residue[a] {
            1
        } else {
            -1
        }
    };
    let n = q + 1;
    let mut h = vec![vec![1i8; n]; n];
    for (i, row) in h.iter_mut().enumerate().skip(1) {
        row[0] = -1;
        for (j, v) in row.iter_mut().enumerate().skip(1) {
            *v = chi((j + q - i) % q) + if i == j { 1 } else { 0 };
        }
    }
    h
}

/// Multiplies rows by the sign of their first entry (first column all +1).
fn normalize(mut h: Vec<Vec<i8>>) -> Hadamard {
    for row in &mut h {
        if row[0] < 0 {
            row.iter_mut().for_each(|v| *v = -*v);
        }
    }
    Hadamard { rows: h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_hadamard() {
        for order in [1, 2, 4, 8, 12, 16, 20, 24, 32, 40, 44, 48, 60, 64, 80] {
            let h = Hadamard::of_order(order).unwrap_or_else(|| panic!("order {order}"));
            for a in 0..order {
                assert_eq!(h.rows[a][0], 1);
                for b in 0..order {
                    let dot: i64 = (0..order).map(|c| (h.rows[a][c] * h.rows[b][c]) as i64).sum();
                    assert_eq!(dot, if a == b { order as i64 } else { 0 }, "order {order}");
                }
            }
        }
        assert!(Hadamard::of_order(28).is_none());
        assert_eq!(Hadamard::at_least(25).order(), 32);
    }
}
