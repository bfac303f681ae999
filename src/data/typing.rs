//! ponder's typing rule for the fields of a CSV/TSV column, not polars' inference on the
//! first rows: a column becomes integer when every value is an integer written without a
//! leading zero, float when every value is a number, text otherwise. Codes such as
//! department `01` therefore stay text and are written back as `01` (never silently recoded
//! to `1`), and a late non-numeric value cannot make the read fail after the first thousand
//! rows.
//!
//! [`Typer`] applies the rule in one pass, parsing values on the way, to a polars text column
//! ([`type_column`]) or to runs of rows split straight from a file's bytes
//! ([`super::plain`]); values outside its strict grammar (`1-2`, `.5`, `1e400`, an integer
//! overflowing i64 …) send the column to the reference rule, [`type_column_general`].

use polars::prelude::*;
use std::ops::Range;

/// What the values of a column seen so far allow it to be, in widening order: merging the
/// runs of a column keeps the widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// Every value is an integer of the strict grammar (buffer holds i64 bits).
    Int,
    /// Every value is a number of the strict grammar (buffer holds f64 bits).
    Float,
    /// A value looks numeric but is outside the strict grammar: the reference rule decides.
    Unsure,
    /// A value is not a number: the column is text.
    Text,
}

/// One-pass typing of a column, or of a run of its rows starting at row `offset`: each value
/// is parsed into a `u64` buffer (i64 bits while every value is an integer, f64 bits from
/// the first other number on, earlier integers converted in place); missing values leave
/// their slot at 0 and are listed.
#[derive(Debug, Clone)]
pub(super) struct Typer {
    /// The kind of the values seen so far.
    pub(super) kind: Kind,
    /// An integer written `-0` was seen: it is 0 as an integer but -0.0 as a float, so a
    /// conversion in place would lose its sign (the reference rule then decides).
    minus_zero: bool,
    /// Row of the run's first value in the column.
    offset: usize,
    /// Rows (in the column) of the missing values.
    pub(super) nulls: Vec<usize>,
}

/// A typed column, or the verdict that it needs its text.
pub(super) enum Typed {
    /// Integer or float column.
    Column(Column),
    /// The column stays text (`general: false`: text or entirely missing) or goes to the
    /// reference rule (`general: true`).
    Strings { general: bool },
}

impl Typer {
    /// A typer for the run of rows starting at row `offset` of the column.
    pub(super) fn new(offset: usize) -> Typer {
        Typer { kind: Kind::Int, minus_zero: false, offset, nulls: Vec::new() }
    }

    /// Types the value at row `row` of the run (`None`: missing), writing its bits into
    /// `out[row]` (`out` is the run's buffer, zeroed).
    #[inline(always)]
    pub(super) fn push(&mut self, row: usize, value: Option<&[u8]>, out: &mut [u64]) {
        let Some(v) = value else {
            self.nulls.push(self.offset + row);
            return;
        };
        match self.kind {
            Kind::Int => match int_value(v) {
                Some(x) => {
                    self.minus_zero |= x == 0 && v[0] == b'-';
                    out[row] = x as u64;
                }
                None => self.leave_int(row, v, out),
            },
            Kind::Float => match strict_decimal(v) {
                Some(x) => out[row] = x.to_bits(),
                None => self.float_slow(row, v, out),
            },
            Kind::Unsure | Kind::Text => {}
        }
    }

    /// A float value outside Clinger's fast path (exponent, many digits), or the end of
    /// the column's being numeric; kept out of line so that `push` stays small.
    #[inline(never)]
    fn float_slow(&mut self, row: usize, v: &[u8], out: &mut [u64]) {
        match float_value(v) {
            Ok(x) => out[row] = x.to_bits(),
            Err(kind) => self.kind = kind,
        }
    }

    /// True while the values still matter (integer or float so far).
    #[inline]
    pub(super) fn numeric(&self) -> bool {
        self.kind <= Kind::Float
    }

    #[cold]
    #[inline(never)]
    fn leave_int(&mut self, row: usize, v: &[u8], out: &mut [u64]) {
        match float_value(v) {
            Ok(_) if self.minus_zero => self.kind = Kind::Unsure,
            Ok(x) => {
                ints_to_floats(&mut out[..row]);
                out[row] = x.to_bits();
                self.kind = Kind::Float;
            }
            Err(kind) => self.kind = kind,
        }
    }

    /// Merges the typers of consecutive runs of `run_len` rows covering `values`, converting
    /// integer runs in place when another run holds floats.
    pub(super) fn merge(runs: Vec<Typer>, values: &mut [u64], run_len: usize) -> Typer {
        let run_len = run_len.max(1);
        let ranges = runs
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                (t, (i * run_len).min(values.len())..((i + 1) * run_len).min(values.len()))
            })
            .collect();
        Self::merge_ranges(ranges, values)
    }

    /// [`Typer::merge`] for runs of any lengths: each typer with the rows of `values` it
    /// typed, in row order.
    pub(super) fn merge_ranges(runs: Vec<(Typer, Range<usize>)>, values: &mut [u64]) -> Typer {
        let mut kind = runs.iter().map(|t| t.0.kind).max().unwrap_or(Kind::Int);
        if kind == Kind::Float && runs.iter().any(|(t, _)| t.kind == Kind::Int && t.minus_zero) {
            kind = Kind::Unsure;
        }
        if kind == Kind::Float {
            for (t, rows) in &runs {
                if t.kind == Kind::Int {
                    ints_to_floats(&mut values[rows.clone()]);
                }
            }
        }
        let minus_zero = runs.iter().any(|(t, _)| t.minus_zero);
        let nulls = runs.into_iter().flat_map(|(t, _)| t.nulls).collect();
        Typer { kind, minus_zero, offset: 0, nulls }
    }

    /// The column named `name` from the buffer of all its `values`.
    pub(super) fn finish(self, name: PlSmallStr, values: Vec<u64>) -> Typed {
        let n = values.len();
        if self.nulls.len() == n || self.kind >= Kind::Unsure {
            return Typed::Strings { general: self.kind == Kind::Unsure && self.nulls.len() < n };
        }
        let valid = (!self.nulls.is_empty()).then(|| {
            let mut valid = vec![true; n];
            self.nulls.iter().for_each(|&r| valid[r] = false);
            valid
        });
        let column = match self.kind {
            Kind::Int => {
                let v: Vec<i64> = values.into_iter().map(|x| x as i64).collect();
                match valid {
                    None => Int64Chunked::from_vec(name, v).into_column(),
                    Some(ok) => Int64Chunked::from_iter_options(
                        name,
                        v.into_iter().zip(ok).map(|(x, ok)| ok.then_some(x)),
                    )
                    .into_column(),
                }
            }
            _ => {
                let v: Vec<f64> = values.into_iter().map(f64::from_bits).collect();
                match valid {
                    None => Float64Chunked::from_vec(name, v).into_column(),
                    Some(ok) => Float64Chunked::from_iter_options(
                        name,
                        v.into_iter().zip(ok).map(|(x, ok)| ok.then_some(x)),
                    )
                    .into_column(),
                }
            }
        };
        Typed::Column(column)
    }
}

fn ints_to_floats(run: &mut [u64]) {
    for slot in run {
        *slot = (*slot as i64 as f64).to_bits();
    }
}

/// Types a polars text column (see the module docs).
///
/// # Errors
/// Not a text column, or a polars cast error in the reference rule.
pub(super) fn type_column(col: &Column) -> PolarsResult<Column> {
    let ca = col.str()?;
    let mut values = vec![0u64; ca.len()];
    let mut typer = Typer::new(0);
    for_each_str(ca, |row, v| {
        typer.push(row, v.map(str::as_bytes), &mut values);
        typer.numeric()
    });
    match typer.finish(ca.name().clone(), values) {
        Typed::Column(c) => Ok(c),
        Typed::Strings { general: false } => Ok(col.clone()),
        Typed::Strings { general: true } => type_column_general(col, ca),
    }
}

/// The reference typing rule (see the module docs), used when [`Typer`] meets a value
/// outside its strict grammar.
pub(super) fn type_column_general(col: &Column, ca: &StringChunked) -> PolarsResult<Column> {
    // one scan decides text / integer-looking / float-looking; then a single parse
    let mut integral = true;
    for s in ca.iter().flatten() {
        if !looks_numeric(s.as_bytes()) {
            return Ok(col.clone());
        }
        integral &= !s.contains(['.', 'e', 'E']);
    }
    if integral {
        let as_i64 = col.cast(&DataType::Int64)?;
        if as_i64.null_count() == ca.null_count() {
            return Ok(as_i64);
        }
    }
    let as_f64 = col.cast(&DataType::Float64)?;
    if as_f64.null_count() != ca.null_count() {
        return Ok(col.clone()); // e.g. `1-2`: looks numeric, is not a number
    }
    Ok(as_f64)
}

/// Every value of a text column with its row, `None` for a missing one (straight over the
/// views when there is no missing value), until `f` returns false.
fn for_each_str(ca: &StringChunked, mut f: impl FnMut(usize, Option<&str>) -> bool) {
    let mut row = 0;
    if ca.null_count() == 0 {
        for arr in ca.downcast_iter() {
            for s in arr.values_iter() {
                if !f(row, Some(s)) {
                    return;
                }
                row += 1;
            }
        }
    } else {
        for v in ca.iter() {
            if !f(row, v) {
                return;
            }
            row += 1;
        }
    }
}

/// One value under the strict grammar: `-?(0|[1-9][0-9]*)` fitting in i64 is an integer;
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` with a finite value is a float. On that
/// grammar `str::parse::<f64>` and polars' cast (fast-float) are both correctly rounded,
/// so the values are the same bits as the reference rule's.
enum Value {
    Int,
    Float,
    NotNumeric,
    Unsure,
}

fn classify(b: &[u8]) -> Value {
    if int_value(b).is_some() {
        return Value::Int;
    }
    if !looks_numeric(b) {
        return Value::NotNumeric;
    }
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if strict_float(digits) { Value::Float } else { Value::Unsure }
}

/// The value of a number of the strict grammar, as a float; otherwise the kind the value
/// makes its column.
fn float_value(b: &[u8]) -> Result<f64, Kind> {
    match classify(b) {
        Value::Int | Value::Float => strict_decimal(b)
            .or_else(|| {
                let s = std::str::from_utf8(b).ok()?;
                s.parse::<f64>().ok().filter(|x| x.is_finite())
            })
            .ok_or(Kind::Unsure),
        Value::NotNumeric => Err(Kind::Text),
        Value::Unsure => Err(Kind::Unsure),
    }
}

/// `-?(0|[1-9][0-9]*)` without overflow.
#[inline]
fn int_value(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (&first, rest) = digits.split_first()?;
    if !first.is_ascii_digit() || first == b'0' && !rest.is_empty() || digits.len() > 19 {
        return None;
    }
    // accumulate negatively: i64::MIN has no positive counterpart
    let mut v: i64 = -i64::from(first - b'0');
    for &c in rest {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(c - b'0'))?;
    }
    if neg { Some(v) } else { v.checked_neg() }
}

/// `(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` (sign already stripped).
fn strict_float(b: &[u8]) -> bool {
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len == 0 || int_len > 1 && b[0] == b'0' {
        return false;
    }
    let mut rest = &b[int_len..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exp = exp.strip_prefix(b"+").or_else(|| exp.strip_prefix(b"-")).unwrap_or(exp);
        return !exp.is_empty() && exp.iter().all(u8::is_ascii_digit);
    }
    rest.is_empty()
}

/// A plain decimal of the strict grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, whose digits m
/// (without the point) are at most 2^53 with at most 22 decimals: m and 10^k are exact
/// doubles, so the one correctly rounded division m / 10^k is the correctly rounded value of
/// the decimal (Clinger's fast path, the first step of every correct parser), the same bits
/// as `str::parse` without its general machinery. `None` otherwise (outside that grammar,
/// an exponent, too many digits).
#[inline]
fn strict_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if b.is_empty() || b.len() > 19 || !b[0].is_ascii_digit() {
        return None;
    }
    if b[0] == b'0' && b.len() > 1 && b[1] != b'.' {
        return None; // a leading zero: `01` is a code
    }
    let (mut m, mut decimals, mut point) = (0u64, 0usize, None);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0'); // at most 19 digits: no overflow
                decimals += usize::from(point.is_some());
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if point == Some(b.len() - 1) || m > 1 << 53 || decimals > 22 {
        return None; // `5.` is outside the grammar
    }
    let v = m as f64 / POW10[decimals];
    Some(if neg { -v } else { v })
}

/// A number in plain decimal/scientific notation, without a leading zero before other
/// digits (`01` is a code, `0.5` and `0` are numbers) and without surrounding spaces.
fn looks_numeric(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if digits.is_empty() || !digits[0].is_ascii_digit() && digits[0] != b'.' {
        return false;
    }
    if digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit() {
        return false;
    }
    b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass typing gives the reference rule's column, type and bits.
    fn same_as_reference(values: &[Option<&str>]) {
        let col = Column::new("c".into(), values.to_vec());
        let fast = type_column(&col).unwrap();
        let ca = col.str().unwrap();
        let reference = if ca.null_count() == ca.len() {
            col.clone() // an all-missing column stays as read, before either rule
        } else {
            type_column_general(&col, ca).unwrap()
        };
        assert_eq!(fast.dtype(), reference.dtype(), "{values:?}");
        match fast.dtype() {
            DataType::Float64 => {
                let (a, b) = (fast.f64().unwrap(), reference.f64().unwrap());
                let bits = |c: &Float64Chunked| -> Vec<Option<u64>> {
                    c.iter().map(|v| v.map(f64::to_bits)).collect()
                };
                assert_eq!(bits(a), bits(b), "{values:?}");
            }
            _ => assert!(
                fast.as_materialized_series().equals_missing(reference.as_materialized_series())
            ),
        }
    }

    #[test]
    fn fast_typing_matches_the_reference_rule() {
        let cases: &[&[Option<&str>]] = &[
            &[Some("1"), Some("22"), None, Some("-3"), Some("0"), Some("-0")],
            &[Some("9223372036854775807"), Some("-9223372036854775808")],
            &[Some("9223372036854775808"), Some("1")],
            &[Some("01"), Some("2")],
            &[Some("1"), Some("1-2")],
            &[Some("1.5"), Some("2"), None, Some("-0.0"), Some("1e5"), Some("2.5E-3")],
            &[Some("2"), None, Some("-7"), Some("1.5")],
            &[Some("-0"), Some("1.5")],
            &[Some("1.5"), Some("-0")],
            &[Some("35.123456789"), Some("20.931898740"), Some("0.1"), Some("0.30000000000000004")],
            &[Some("123456789012345678.5"), Some("9007199254740993.0"), Some("1e400")],
            &[Some("9007199254740993"), Some("0.5")],
            &[Some(".5"), Some("5."), Some("1.e3")],
            &[Some("1.5"), Some("5.")],
            &[Some("1.5"), Some("01.5")],
            &[Some("1.5"), Some("00")],
            &[Some("1e-400"), Some("4.9e-324"), Some("1.7976931348623157e308")],
            &[Some("12"), Some("abc")],
            &[Some("1.5"), Some("x")],
            &[Some("+5"), Some("5")],
            &[Some(""), Some("5")],
            &[Some("00.5")],
            &[Some("0.0000000000000000000001"), Some("0.00000000000000000000001")],
            &[None, None],
        ];
        for values in cases {
            same_as_reference(values);
        }
    }

    #[test]
    fn strict_decimal_matches_str_parse() {
        for s in ["0", "-0", "35.123456789", "0.1", "9007199254740992", "123.4567890123456"] {
            let fast = strict_decimal(s.as_bytes()).unwrap();
            assert_eq!(fast.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        for s in ["9007199254740993", "1e5", "5.", ".5", "01", "00.5", "1.2.3", "", "-", "1-2"] {
            assert_eq!(strict_decimal(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn runs_merge_into_the_column_typing() {
        // run 1 integers (with a missing value), run 2 a float: run 1 becomes floats
        let fields: [Option<&[u8]>; 4] = [Some(b"3"), None, Some(b"2.5"), Some(b"-1")];
        let mut values = vec![0u64; 4];
        let (head, tail) = values.split_at_mut(2);
        let mut a = Typer::new(0);
        let mut b = Typer::new(2);
        for (r, f) in fields[..2].iter().enumerate() {
            a.push(r, *f, head);
        }
        for (r, f) in fields[2..].iter().enumerate() {
            b.push(r, *f, tail);
        }
        assert_eq!((a.kind, b.kind), (Kind::Int, Kind::Float));
        let merged = Typer::merge(vec![a, b], &mut values, 2);
        let Typed::Column(col) = merged.finish("x".into(), values) else { panic!("not typed") };
        let got: Vec<Option<f64>> = col.f64().unwrap().iter().collect();
        assert_eq!(got, [Some(3.0), None, Some(2.5), Some(-1.0)]);
    }
}
