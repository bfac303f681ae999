//! The synthetic register as an in-memory [`Table`], typed exactly as reading its CSV form
//! ([`PersonFrame::write_csv`]) would type it — without the round trip through a file.

use crate::data::{ColumnData, Table};
use crate::error::Result;
use crate::simulate::margins::REGIONS;
use crate::simulate::{
    AGE_GROUP_LEVELS, DIPLOMA_LEVELS, DWELLING_LEVELS, PCS_LEVELS, PersonFrame, SEX_LEVELS,
    department_codes,
};

fn text(codes: &[u8], levels: &[&str]) -> ColumnData {
    ColumnData::Coded {
        codes: codes.iter().map(|&c| u32::from(c)).collect(),
        levels: levels.iter().map(|l| (*l).to_string()).collect(),
    }
}

fn int<T: Copy + Into<i64>>(values: &[T]) -> ColumnData {
    ColumnData::I64(values.iter().map(|&v| Some(v.into())).collect())
}

/// The register as a table with the columns of [`PersonFrame::write_csv`]: `person_id`,
/// `age`, `region` (Insee codes as integers), `household_size`, `pcs` as integers; `sex`,
/// `age_group`, `sex_age`, `region_name`, `department` (codes such as `01`, `2A`),
/// `diploma`, `dwelling` as text.
///
/// # Errors
/// Internal only (columns of different lengths cannot happen).
pub fn frame_table(f: &PersonFrame) -> Result<Table> {
    let regions: Vec<i64> = REGIONS.iter().map(|r| r.0.parse().unwrap_or(-1)).collect();
    let depts = department_codes();
    let (sex_age, sex_age_labels) = f.sex_age();
    let pcs: Vec<i64> = PCS_LEVELS.iter().map(|p| p.parse().unwrap_or(-1)).collect();
    Table::from_columns(vec![
        ("person_id".into(), int(&f.person_id)),
        ("sex".into(), text(&f.sex, &SEX_LEVELS)),
        ("age".into(), int(&f.age)),
        ("age_group".into(), text(&f.age_group, &AGE_GROUP_LEVELS)),
        (
            "sex_age".into(),
            ColumnData::Str(
                sex_age.iter().map(|&c| Some(sex_age_labels[c as usize].clone())).collect(),
            ),
        ),
        (
            "region".into(),
            ColumnData::I64(f.region.iter().map(|&r| Some(regions[r as usize])).collect()),
        ),
        (
            "region_name".into(),
            ColumnData::Str(
                f.region.iter().map(|&r| Some(REGIONS[r as usize].1.to_string())).collect(),
            ),
        ),
        ("department".into(), text(&f.department, &depts)),
        ("household_size".into(), int(&f.household_size)),
        ("diploma".into(), text(&f.diploma, &DIPLOMA_LEVELS)),
        ("pcs".into(), ColumnData::I64(f.pcs.iter().map(|&p| Some(pcs[p as usize])).collect())),
        ("dwelling".into(), text(&f.dwelling, &DWELLING_LEVELS)),
    ])
}
