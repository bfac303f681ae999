//! The package's data table: the input's columns in order, minus the dropped ones, the
//! identifier replaced by its key, coarsened columns grouped, rows in key order.
//!
//! A kept column is rewritten with the type ponder's own CSV rule gives its text form
//! (integer when every value is an integer written without a leading zero, number when
//! every value is a number, text otherwise), so the package's CSV and Parquet files read
//! back as the input did; weights are copied as exact doubles.

use super::{Plan, coarsen, identifiers};
use crate::data::{ColumnData, Factor, Table, factor_label};
use crate::error::Result;

/// Type of a package column (for the loader scripts: text columns are read as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers.
    Integer,
    /// Numbers.
    Number,
    /// Text (codes such as `01` stay text).
    Text,
}

impl Kind {
    /// `integer`, `number`, `text`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Text => "text",
        }
    }
}

/// The data table of the package and the kind of each column.
pub(super) struct Built {
    pub table: Table,
    pub columns: Vec<(String, Kind)>,
}

/// Builds the package's table.
///
/// # Errors
/// A value the coarsening cannot group; a weight with a missing value.
pub(super) fn build(table: &Table, plan: &Plan) -> Result<Built> {
    let n = table.n_rows();
    let keys = plan.id.as_ref().map(|_| identifiers::random_keys(n, plan.seed));
    let order: Vec<usize> = match &keys {
        Some(k) => identifiers::order_by(k),
        None => (0..n).collect(),
    };
    let mut out: Vec<(String, ColumnData, Kind)> = Vec::new();
    for name in table.column_names() {
        if plan.drop.contains(&name) {
            continue;
        }
        if let (Some((id, key)), Some(k)) = (&plan.id, &keys)
            && *id == name
        {
            let values = order.iter().map(|&i| Some(k[i].clone())).collect();
            out.push((key.clone(), ColumnData::Str(values), Kind::Text));
            continue;
        }
        if let Some(c) = plan.coarsen.iter().find(|c| c.variable == name) {
            let f = coarsen::apply(table, &name, &c.grouping)?;
            out.push((c.into.clone(), coded(&f, &order), Kind::Text));
            continue;
        }
        let (data, kind) = if name == plan.weight || plan.replicates.contains(&name) {
            let v = table.numeric(&name)?;
            (ColumnData::F64(order.iter().map(|&i| Some(v[i])).collect()), Kind::Number)
        } else {
            column(table, &name, &order)?
        };
        out.push((name, data, kind));
    }
    let columns = out.iter().map(|(n, _, k)| (n.clone(), *k)).collect();
    let table = Table::from_columns(out.into_iter().map(|(n, d, _)| (n, d)).collect())?;
    Ok(Built { table, columns })
}

fn coded(f: &Factor, order: &[usize]) -> ColumnData {
    ColumnData::Coded {
        codes: order.iter().map(|&i| f.codes[i]).collect(),
        levels: f.levels.clone(),
    }
}

/// The kind of a column from the text forms of its values.
fn kind_of(levels: &[String]) -> Kind {
    let integer = |l: &String| l.parse::<i64>().is_ok_and(|x| x.to_string() == *l);
    let number =
        |l: &String| l.parse::<f64>().is_ok_and(|x| x.is_finite() && factor_label(x) == *l);
    if levels.iter().all(integer) {
        Kind::Integer
    } else if levels.iter().all(|l| integer(l) || number(l)) {
        Kind::Number
    } else {
        Kind::Text
    }
}

fn column(table: &Table, name: &str, order: &[usize]) -> Result<(ColumnData, Kind)> {
    let f = table.factor(name)?;
    let kind = if f.levels.is_empty() { Kind::Text } else { kind_of(&f.levels) };
    let data = match kind {
        Kind::Text => coded(&f, order),
        Kind::Integer => {
            let v = table.numeric_or_nan(name)?;
            ColumnData::I64(order.iter().map(|&i| (!v[i].is_nan()).then(|| v[i] as i64)).collect())
        }
        Kind::Number => {
            let v = table.numeric_or_nan(name)?;
            ColumnData::F64(order.iter().map(|&i| (!v[i].is_nan()).then_some(v[i])).collect())
        }
    };
    Ok((data, kind))
}
