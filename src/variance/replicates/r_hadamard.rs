//! The Hadamard matrices R `survey` uses for BRR and Fay replicates (`survey::hadamard(n)`),
//! so that `ponder replicates --type brr|fay` gives R's replicate weights exactly.
//!
//! Any Hadamard matrix gives a valid BRR design, and the same variance for a total, but the
//! variance of a mean or a ratio depends on the matrix: to reproduce R's numbers the matrix,
//! its orientation and the order of the strata must all be R's.
//!
//! # Construction (survey 4.1, `hadamard()` and `paley()`)
//! For n strata, with m = n − n mod 4 and the precomputed matrices of orders 4, 16, 28 and
//! 36 shipped with survey (`hadamard.list`):
//! 1. the first precomputed order s with m < s ≤ m + 4, if any;
//! 2. otherwise, for each precomputed order s, its doubling s·2^max(0, ⌈log₂((n+1)/s)⌉);
//!    take the smallest (first on ties); if it exceeds n by more than 4, try `paley(n, size)`;
//!    else (or if Paley fails) double the precomputed matrix [[H, H], [H, 1 − H]].
//!
//! `paley(n, nmax)` uses the quadratic residues of a prime p ≡ 3 mod 4 (p ≤ 7919):
//! entry (i, j), 0-based, is 0 when (i + j) mod p is 0 or a residue, 1 otherwise, bordered
//! by a first row and column of 1 (order p + 1), possibly doubled; see [`paley`].
//!
//! Entries are 0/1 as in R (1 ↦ +1). R reads the matrix as `H[1 + j, i]`: row 1 + j for
//! stratum j (1-based, strata in sorted label order), column i for replicate i.

/// Precomputed matrices of survey's `hadamard.list` (orders 4, 16, 28, 36), rows of 0/1.
const PRECOOKED: [&str; 4] = [
    "1111 1010 1100 1001",
    "1111111111111111 1010101010101010 1100110011001100 1001100110011001 \
     1111000011110000 1010010110100101 1100001111000011 1001011010010110 \
     1111111100000000 1010101001010101 1100110000110011 1001100101100110 \
     1111000000001111 1010010101011010 1100001100111100 1001011001101001",
    "1111111111111111111111111111 1001110001110001110001111000 1000001111001101001101111000 \
     1000001110110010111001100110 1001101000001111100011010110 1001010100101100010110101110 \
     1000110011010010001110011110 0101100010101010011111110000 0100010110110101100111010100 \
     0100011011001011110010101100 0101011000010111011101001010 0100101101100100111010011010 \
     0101100101011001101100100110 0010110100011110101011101000 0011011001100110101100110100 \
     0010101100111011010100011100 0011000111010111010010110010 0011001011111000100111001010 \
     0010110011101101011001000110 1110101001010100010111100100 1111000101100011001011001100 \
     1111000010011100111000011100 1110010101001010110101010010 1110011000111001001010110010 \
     1110100010100111100100101010 1101111111111110000000000000 1011111110000001111110000000 \
     0111111110000000000001111110",
    "111111111111111111111111111111111111 010111000111110111001000010101100100 \
     101110001111101110010000101011001000 011100011111011100100001010110010010 \
     111000111110111001000010101100100100 110001111101110010000101011001001010 \
     100011111011100100001010110010010110 000111110111001000010101100100101110 \
     001111101110010000101011001001011100 011111011100100001010110010010111000 \
     111110111001000010101100100101110000 111101110010000101011001001011100010 \
     111011100100001010110010010111000110 110111001000010101100100101110001110 \
     101110010000101011001001011100011110 011100100001010110010010111000111110 \
     111001000010101100100101110001111100 110010000101011001001011100011111010 \
     100100001010110010010111000111110110 001000010101100100101110001111101110 \
     010000101011001001011100011111011100 100001010110010010111000111110111000 \
     000010101100100101110001111101110010 000101011001001011100011111011100100 \
     001010110010010111000111110111001000 010101100100101110001111101110010000 \
     101011001001011100011111011100100000 010110010010111000111110111001000010 \
     101100100101110001111101110010000100 011001001011100011111011100100001010 \
     110010010111000111110111001000010100 100100101110001111101110010000101010 \
     001001011100011111011100100001010110 010010111000111110111001000010101100 \
     100101110001111101110010000101011000 001011100011111011100100001010110010",
];
const PRECOOKED_SIZES: [usize; 4] = [4, 16, 28, 36];
/// Largest prime survey's `paley()` knows (its list holds every prime ≡ 3 mod 4 up to it).
const MAX_PRIME: usize = 7919;

/// A 0/1 matrix, row-major.
pub type Matrix01 = Vec<Vec<u8>>;

/// R `survey`'s `hadamard(n)`: a 0/1 Hadamard matrix with at least n + 1 rows.
pub fn r_hadamard(n: usize) -> Matrix01 {
    let m = n - n % 4;
    if let Some(i) = PRECOOKED_SIZES.iter().position(|&s| m < s && m + 4 >= s) {
        return precooked(i);
    }
    // doublings of each precomputed matrix that reach n + 1 rows
    let doublings: Vec<u32> = PRECOOKED_SIZES
        .iter()
        .map(|&s| ((n + 1) as f64 / s as f64).log2().ceil().max(0.0) as u32)
        .collect();
    let sizes: Vec<usize> = PRECOOKED_SIZES.iter().zip(&doublings).map(|(&s, &d)| s << d).collect();
    let best = (0..sizes.len()).min_by_key(|&i| (sizes[i], i)).unwrap_or(0);
    if sizes[best] - n > 4
        && let Some(h) = paley(n, sizes[best])
    {
        return h;
    }
    let mut h = precooked(best);
    for _ in 0..doublings[best] {
        h = double(&h);
    }
    h
}

fn precooked(i: usize) -> Matrix01 {
    PRECOOKED[i].split_whitespace().map(|row| row.bytes().map(|b| b - b'0').collect()).collect()
}

/// [[H, H], [H, 1 − H]] (survey's `hadamard.doubler`).
fn double(h: &[Vec<u8>]) -> Matrix01 {
    let top = h.iter().map(|r| r.iter().chain(r.iter()).copied().collect());
    let bottom = h.iter().map(|r| r.iter().copied().chain(r.iter().map(|v| 1 - v)).collect());
    top.chain(bottom).collect()
}

fn is_prime(q: usize) -> bool {
    q >= 2 && (2..).take_while(|d| d * d <= q).all(|d| !q.is_multiple_of(d))
}

/// A prime of survey's list (p ≡ 3 mod 4, p ≤ 7919).
fn listed_prime(p: usize) -> bool {
    p <= MAX_PRIME && p % 4 == 3 && is_prime(p)
}

/// survey's `paley(n, nmax)`: a Paley matrix of order ≥ n + 1 (or `None`).
fn paley(n: usize, nmax: usize) -> Option<Matrix01> {
    let nceil = n + 4 - n % 4;
    if n % 4 + 4 == n % 8 {
        let mut nn = nceil;
        while nn.is_multiple_of(8) {
            nn /= 2;
        }
        if nn >= 1 && listed_prime(nn - 1) {
            let mut m = paley_prime(nn - 1);
            while nn < nceil {
                m = double(&m);
                nn *= 2;
            }
            return Some(m);
        }
    }
    if n > MAX_PRIME {
        return None;
    }
    let p = (n.max(3)..=MAX_PRIME).find(|&p| listed_prime(p))?;
    if p + 1 > nceil + 4 && nceil + 4 < nmax {
        return paley(nceil + 3, 2 * (nceil + 3));
    }
    if p > nmax {
        return None;
    }
    Some(paley_prime(p))
}

/// Order p + 1: border of 1, inside 0 where (i + j) mod p is 0 or a quadratic residue.
fn paley_prime(p: usize) -> Matrix01 {
    let mut residue = vec![false; p];
    residue[0] = true;
    for x in 1..p {
        residue[(x * x) % p] = true;
    }
    let mut h = vec![vec![1u8; p + 1]];
    for i in 0..p {
        let mut row = Vec::with_capacity(p + 1);
        row.push(1);
        row.extend((0..p).map(|j| u8::from(!residue[(i + j) % p])));
        h.push(row);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_hadamard(h: &Matrix01) -> bool {
        let k = h.len();
        let s = |v: u8| if v == 1 { 1i64 } else { -1 };
        (0..k).all(|a| {
            (0..k).all(|b| {
                let dot: i64 = (0..k).map(|c| s(h[a][c]) * s(h[b][c])).sum();
                dot == if a == b { k as i64 } else { 0 }
            })
        })
    }

    #[test]
    fn orders_follow_r_and_are_hadamard() {
        // survey::hadamard(n) orders, n = 1..=31 (R 4.2, survey 4.1.1)
        let orders = [
            4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 16, 16, 16, 16, 20, 20, 20, 20, 24, 24, 24, 24,
            28, 28, 28, 28, 32, 32, 32, 32,
        ];
        for (i, &o) in orders.iter().enumerate() {
            let h = r_hadamard(i + 1);
            assert_eq!(h.len(), o, "n = {}", i + 1);
            assert!(is_hadamard(&h), "n = {}", i + 1);
        }
    }
}
