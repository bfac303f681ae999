//! `load.py`: Python with numpy only (the CSV read by the standard library): the estimate
//! with each weight column, then ponder's replicate variance written out. `python3 load.py
//! out.csv` also writes the table.

use super::super::columns::Built;
use super::super::{Plan, ScriptEstimate};
use super::{constant, formula, num, numbered, quoted};

const BODY: &str = r#"

def numbers(name):
    return np.array([float(v) if v != "" else np.nan for v in COLUMNS[name]])


W = numbers(WEIGHT)
ALL = np.column_stack([W] + [numbers(c) for c in REPLICATES])


def variance(thetas, theta):
    """scale * sum_r rscale_r (theta_r - c)^2 over the finite replicate estimates."""
    ok = np.isfinite(thetas)
    if not ok.any():
        return np.nan
    centre = theta if MSE else thetas[ok].mean()
    return SCALE * np.sum(RSCALES[ok] * (thetas[ok] - centre) ** 2)


def statistic(stat, y, d):
    """Total, or ratio of weighted sums (mean, proportion), for every weight column."""
    num = (d * y) @ ALL
    if stat == "total":
        return num
    den = d @ ALL
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


def estimate(name, stat, variable, category=None, by=()):
    """Rows of ponder's table for one estimate (missing values leave the domain)."""
    x = COLUMNS[variable]
    present = np.array([v != "" for v in x])
    if stat == "proportion":
        cats = [category] if category is not None else sorted(
            {v for v, p, w in zip(x, present, W) if p and w > 0})
    else:
        cats = [None]
    keys = list(zip(*[COLUMNS[b] for b in by])) if by else [()] * len(x)
    domains = sorted({k for k, p in zip(keys, present) if p and all(v != "" for v in k)})
    rows = []
    for cat in cats:
        if stat == "proportion":
            y = np.array([1.0 if v == cat else 0.0 for v in x])
        else:
            y = np.where(present, np.nan_to_num(numbers(variable)), 0.0)
        for dom in domains:
            d = np.array([p and k == dom for k, p in zip(keys, present)], dtype=float)
            both = statistic(stat, y, d)
            theta, thetas = both[0], both[1:]
            if not np.isfinite(theta):
                continue
            label = ";".join(f"{b}={v}" for b, v in zip(by, dom))
            se = np.sqrt(variance(thetas, theta))
            rows.append([name, stat, variable, cat or "", label, theta, se])
    return rows


ESTIMATES = []
"#;

/// Reading the Parquet file (pyarrow) into the text forms the CSV would hold.
const PARQUET: &str = r#"import pyarrow.parquet as pq


def _text(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return v if isinstance(v, str) else repr(v)


COLUMNS = {k: [_text(v) for v in vs] for k, vs in pq.read_table("data.parquet").to_pydict().items()}

"#;

const TAIL: &str = r#"
print("name,stat,variable,category,domain,estimate,se")
for row in ESTIMATES:
    print(",".join(str(v) for v in row[:5]) + f",{row[5]!r},{row[6]!r}")
if len(sys.argv) > 1:
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["name", "stat", "variable", "category", "domain", "estimate", "se"])
        for row in ESTIMATES:
            out.writerow(row[:5] + [repr(float(row[5])), repr(float(row[6]))])
"#;

/// The Python script of the package.
pub(super) fn script(plan: &Plan, _built: &Built) -> String {
    let c = &plan.convention;
    let mut s = format!("# {} — researcher file, Python (numpy).\n", plan.title);
    s.push_str("# Run from this folder: python3 load.py [estimates.csv]\n#\n");
    for l in formula(plan) {
        s.push_str(&format!("# {l}\n"));
    }
    s.push_str("import csv\nimport sys\n\nimport numpy as np\n\n");
    if super::data_file(plan) == "data.csv" {
        s.push_str("with open(\"data.csv\", newline=\"\", encoding=\"utf-8\") as f:\n");
        s.push_str("    _rows = list(csv.reader(f))\n");
        s.push_str(
            "COLUMNS = {name: [r[i] for r in _rows[1:]] for i, name in enumerate(_rows[0])}\n\n",
        );
    } else {
        s.push_str(PARQUET);
    }
    if !plan.missing_codes.is_empty() {
        s.push_str(
            "# Missing-answer codes (not asked, item nonresponse, break-off) are missing values.\n",
        );
    }
    for (v, codes) in &plan.missing_codes {
        let list: Vec<String> = codes.iter().map(|c| quoted(c)).collect();
        s.push_str(&format!(
            "COLUMNS[{v}] = [\"\" if x in ({},) else x for x in COLUMNS[{v}]]\n",
            list.join(", "),
            v = quoted(v)
        ));
    }
    s.push_str(&format!("WEIGHT = {}\n", quoted(&plan.weight)));
    let reps = match numbered(&plan.replicates) {
        Some((p, r)) => format!("[f\"{p}{{i}}\" for i in range(1, {})]", r + 1),
        None => format!(
            "[{}]",
            plan.replicates.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ")
        ),
    };
    s.push_str(&format!("REPLICATES = {reps}\n"));
    s.push_str(&format!("SCALE = {}\n", num(c.scale)));
    let rscales = match constant(&c.rscales) {
        Some(x) => format!("np.full(len(REPLICATES), {})", num(x)),
        None => format!(
            "np.array([{}])",
            c.rscales.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
        ),
    };
    s.push_str(&format!("RSCALES = {rscales}\n"));
    s.push_str(&format!("MSE = {}\n", if c.mse { "True" } else { "False" }));
    s.push_str(BODY);
    for e in &plan.estimates {
        s.push_str(&call(e));
    }
    s.push_str(TAIL);
    s
}

fn call(e: &ScriptEstimate) -> String {
    let cat = e.category.as_deref().map_or_else(|| "None".to_string(), quoted);
    let by: Vec<String> = e.by.iter().map(|b| quoted(b)).collect();
    let by = if by.len() == 1 { format!("({},)", by[0]) } else { format!("({})", by.join(", ")) };
    format!(
        "ESTIMATES += estimate({}, \"{}\", {}, {cat}, {by})\n",
        quoted(&e.name),
        e.stat.name(),
        quoted(&e.variable)
    )
}
