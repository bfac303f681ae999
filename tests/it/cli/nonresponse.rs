//! `ponder nonresponse` against R (P11a weighting classes, P11b inverse propensity), then
//! `ponder estimate` on the respondents as R computed the SEs; bad inputs refused.

use super::{Scratch, assert_refused, expected, fixture, stderr};
use ponder::config::nonresponse::NonresponseConfig;
use ponder::data::{ColumnData, Table};
use serde_json::Value;

use approx::{assert_relative_eq, relative_eq};

/// Our column against R's JSON array, row by row (same lengths), relative `tol` with an
/// absolute floor `tol` (for the zero weights of nonrespondents).
fn close(ours: &[f64], theirs: &Value, tol: f64, what: &str) {
    let theirs = theirs.as_array().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for (i, (x, y)) in ours.iter().zip(theirs).enumerate() {
        let y = y.as_f64().unwrap();
        // |x − y| ≤ tol · max(|x|, |y|, 1)
        assert!(
            relative_eq!(*x, y, epsilon = tol, max_relative = tol),
            "{what} row {}: {x} vs {y}",
            i + 1
        );
    }
}

/// Keeps the rows with a positive adjusted weight (R computed the SEs on the respondent
/// design) and runs `ponder estimate`; compares mean_api00.
fn respondent_estimate(s: &Scratch, case: &str, design_extra: &str) {
    let t = Table::read(&s.path("adj.csv")).unwrap();
    let w = t.numeric("w_nr").unwrap();
    let rows: Vec<usize> = (0..w.len()).filter(|&i| w[i] > 0.0).collect();
    t.take_rows(&rows).unwrap().write(&s.path("resp.csv")).unwrap();
    s.write(
        "e.yaml",
        &format!("design:\n  weight: w_nr\n  clusters: [dnum]\n  fpc: [fpc]\n{design_extra}estimates:\n  - {{name: mean_api00, stat: mean, variable: api00}}\n"),
    );
    let o = s.run(&["estimate", "-c", "e.yaml", "-i", "resp.csv", "-o", "est.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let est = Table::read(&s.path("est.csv")).unwrap();
    let e = &expected(case)["estimates"][0];
    assert_relative_eq!(
        est.numeric("estimate").unwrap()[0],
        e["estimate"].as_f64().unwrap(),
        epsilon = 0.0,
        max_relative = 1e-8
    );
    assert!(
        relative_eq!(
            est.numeric("se").unwrap()[0],
            e["se"].as_f64().unwrap(),
            epsilon = 0.0,
            max_relative = 1e-6
        ),
        "{case} se"
    );
}

#[test]
fn p11a_weighting_classes() {
    let s = Scratch::new();
    s.write("n.yaml", "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [stype]\n");
    let data = fixture("P11a_nonresponse_rhg", "data.csv");
    let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "adj.csv", "-r", "r.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("adj.csv")).unwrap();
    close(
        &t.numeric("w_nr").unwrap(),
        &expected("P11a_nonresponse_rhg")["final_weights"],
        1e-8,
        "weight",
    );
    let r = s.json("r.json");
    assert!(r.is_object());
    // SE: respondents post-stratified on stype to the full-sample weighted class counts
    let full = Table::read(std::path::Path::new(&data)).unwrap();
    let (pw, stype) = (full.numeric("pw").unwrap(), full.factor("stype").unwrap());
    let mut totals = vec![0.0; stype.levels.len()];
    for (c, w) in stype.codes.iter().zip(&pw) {
        totals[*c as usize] += w;
    }
    let margin: Vec<String> =
        stype.levels.iter().zip(&totals).map(|(l, t)| format!("{l}: {t:?}")).collect();
    s.write(
        "cal.yaml",
        &format!(
            "weight: w_nr\nmethod: linear\nmargins:\n  - variable: stype\n    totals: {{{}}}\n",
            margin.join(", ")
        ),
    );
    respondent_estimate(&s, "P11a_nonresponse_rhg", "  calibration: cal.yaml\n");
}

#[test]
fn p11b_inverse_propensity() {
    let s = Scratch::new();
    s.write("n.yaml", "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: propensity\nmodel: [stype, api99]\nmodel_weights: design\n");
    let data = fixture("P11b_nonresponse_propensity", "data.csv");
    let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "adj.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = Table::read(&s.path("adj.csv")).unwrap();
    let exp = expected("P11b_nonresponse_propensity");
    close(&t.numeric("w_nr").unwrap(), &exp["final_weights"], 1e-8, "weight");
    close(&t.numeric("w_nr_propensity").unwrap(), &exp["propensities"], 1e-8, "propensity");
    respondent_estimate(&s, "P11b_nonresponse_propensity", "");
}

#[test]
fn bad_nonresponse_inputs_are_refused() {
    let data = fixture("P11b_nonresponse_propensity", "data.csv");
    let base = "weight: pw\noutput: w_nr\nstatus: resp\n";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("{base}codes: {{respondent: [1]}}\nmethod: classes\nclasses: [stype]\n"),
            vec!["`0`"],
        ),
        (
            format!(
                "{base}codes: {{respondent: [1], nonrespondent: [0]}}\nmethod: propensity\nmodel: [stype, api98]\n"
            ),
            vec!["api98", "did you mean `api99`"],
        ),
        (
            format!(
                "{base}codes: {{respondent: [1], nonrespondent: [0]}}\nmethod: scor\nmodel: [stype]\n"
            ),
            vec!["scor", "did you mean `score`"],
        ),
        (
            format!(
                "{base}codes: {{respondent: [1], nonrespondent: [0]}}\nmethod: propensity\nmodel: [resp]\n"
            ),
            vec!["separation"],
        ),
    ];
    for (cfg, needles) in cases {
        let s = Scratch::new();
        s.write("n.yaml", &cfg);
        assert_refused(
            &s,
            &["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "out.csv"],
            &needles,
        );
    }
    // a predictor missing for some sampled units
    let s = Scratch::new();
    let mut t = Table::read(std::path::Path::new(&data)).unwrap();
    let api = t.numeric("api99").unwrap();
    t.add_column(
        "x",
        ColumnData::F64(api.iter().enumerate().map(|(i, v)| (i != 4).then_some(*v)).collect()),
    )
    .unwrap();
    t.write(&s.path("d.csv")).unwrap();
    s.write("n.yaml", &format!("{base}codes: {{respondent: [1], nonrespondent: [0]}}\nmethod: propensity\nmodel: [stype, x]\n"));
    assert_refused(
        &s,
        &["nonresponse", "-c", "n.yaml", "-i", "d.csv", "-o", "out.csv"],
        &["`x`", "5"],
    );
    // a bad design weight: refused with the column and the rows named
    s.write("d3.csv", "id,g,resp,pw\n1,a,1,10\n2,a,0,-1\n3,a,0,-5\n4,a,1,10\n");
    s.write("n3.yaml", "weight: pw\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [g]\n");
    assert_refused(
        &s,
        &["nonresponse", "-c", "n3.yaml", "-i", "d3.csv", "-o", "out.csv"],
        &["weight column `pw`", "rows 2, 3"],
    );
    let cfg = NonresponseConfig::load(&s.path("n3.yaml")).unwrap();
    let t = Table::read(&s.path("d3.csv")).unwrap();
    let e = ponder::bind::nonresponse::design_weights(&cfg, &t).unwrap_err();
    assert!(
        matches!(&e, ponder::Error::Cell { column, row: Some(2), .. } if column == "pw"),
        "{e:?}"
    );
    // a group without respondents
    s.write("d2.csv", "id,g,resp,pw\n1,a,1,10\n2,a,0,10\n3,b,0,10\n4,b,0,10\n");
    s.write("n2.yaml", "weight: pw\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [g]\n");
    assert_refused(
        &s,
        &["nonresponse", "-c", "n2.yaml", "-i", "d2.csv", "-o", "out.csv"],
        &["`b`"],
    );
}

/// Class variables are categories whatever their type: `stype` coded 1/2/3 gives the
/// weights of `stype` coded E/H/M, bit for bit (integer codes were refused as numeric);
/// `type: numeric` on a class variable is refused by key.
#[test]
fn integer_coded_classes_are_classes() {
    let s = Scratch::new();
    let text = std::fs::read_to_string(fixture("P11a_nonresponse_rhg", "data.csv")).unwrap();
    let stype = text.lines().next().unwrap().split(',').position(|c| c == "stype").unwrap();
    let coded: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<&str> = line.split(',').collect();
            if i > 0 {
                f[stype] = match f[stype] {
                    "E" => "1",
                    "H" => "2",
                    "M" => "3",
                    other => panic!("stype {other}"),
                };
            }
            f.join(",")
        })
        .collect();
    s.write("text.csv", &text);
    s.write("coded.csv", &(coded.join("\n") + "\n"));
    let cfg = "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\n";
    s.write("n.yaml", &format!("{cfg}classes: [stype]\n"));
    let weights = |input: &str| {
        let o = s.run(&["nonresponse", "-q", "-c", "n.yaml", "-i", input, "-o", "out.csv"]);
        assert_eq!(o.status.code(), Some(0), "{input}: {}", stderr(&o));
        let w = Table::read(&s.path("out.csv")).unwrap().numeric("w_nr").unwrap();
        std::fs::remove_file(s.path("out.csv")).unwrap();
        w.into_iter().map(f64::to_bits).collect::<Vec<u64>>()
    };
    let by_text = weights("text.csv");
    assert!(by_text.iter().any(|&b| f64::from_bits(b) > 0.0));
    assert_eq!(weights("coded.csv"), by_text);
    s.write("num.yaml", &format!("{cfg}classes: [{{column: stype, type: numeric}}]\n"));
    assert_refused(
        &s,
        &["nonresponse", "-c", "num.yaml", "-i", "coded.csv", "-o", "out.csv"],
        &["classes[0]", "`stype` is a class variable", "remove `type: numeric`"],
    );
    // an unknown class column: the file named once, the columns listed
    s.write("nope.yaml", &format!("{cfg}classes: [stypo]\n"));
    let o = s.run(&["nonresponse", "-c", "nope.yaml", "-i", "coded.csv", "-o", "out.csv"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("no column `stypo` (did you mean `stype`?)"), "{e}");
    assert_eq!(e.matches("coded.csv").count(), 1, "{e}");
}

/// `replicates:` redoes the adjustment on every replicate column: a replicate equal to the
/// design weights reproduces the full-sample weights; a rescaled one is rescaled.
#[test]
fn replicates_are_adjusted_too() {
    let s = Scratch::new();
    let data = fixture("P11a_nonresponse_rhg", "data.csv");
    let mut t = Table::read(std::path::Path::new(&data)).unwrap();
    let pw = t.numeric("pw").unwrap();
    t.add_column("rep_1", ColumnData::from_f64(&pw)).unwrap();
    t.add_column("rep_2", ColumnData::from_f64(&pw.iter().map(|w| 2.0 * w).collect::<Vec<_>>()))
        .unwrap();
    t.write(&s.path("d.csv")).unwrap();
    s.write("n.yaml", "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: classes\nclasses: [stype]\nreplicates: \"rep_*\"\n");
    let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", "d.csv", "-o", "adj.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = Table::read(&s.path("adj.csv")).unwrap();
    let (w, r1, r2) = (
        a.numeric("w_nr").unwrap(),
        a.numeric("w_nr_rep_1").unwrap(),
        a.numeric("w_nr_rep_2").unwrap(),
    );
    for k in 0..w.len() {
        // |Δ| ≤ 1e-12 · max(|w|, 1)
        assert!(relative_eq!(r1[k], w[k], epsilon = 1e-12, max_relative = 1e-12), "row {k}");
        assert!(
            relative_eq!(r2[k], 2.0 * w[k], epsilon = 1e-12, max_relative = 5e-13),
            "row {k}: {} vs 2 × {}",
            r2[k],
            w[k]
        );
    }
}

/// `design: nonresponse: N.yaml` adds the nonresponse-phase term (methods.md §4): checked
/// against the library's `two_phase_variance` for a total, and against the plain
/// linearization when everyone responds.
mod two_phase {
    use super::super::{Scratch, assert_refused, stderr};
    use super::fixture;
    use approx::assert_relative_eq;
    use ponder::data::{ColumnData, Table};
    use ponder::design::{Categorical, Design, DesignSpec, Numeric};
    use ponder::variance::two_phase_variance;

    const NR: &str = "weight: pw\noutput: w_nr\nstatus: resp\ncodes: {respondent: [1], nonrespondent: [0]}\nmethod: propensity\nmodel: [stype, api99]\n";

    /// The P11 design (clusters dnum, fpc) with design weights `pw`.
    fn p11_design(t: &Table, pw: &[f64]) -> Design {
        let f = t.factor("dnum").unwrap();
        let mut spec = DesignSpec::with_weights("pw", pw.to_vec());
        spec.clusters = vec![Categorical::new("dnum", f)];
        spec.fpc = vec![Numeric::new("fpc", t.numeric("fpc").unwrap())];
        Design::new(spec).unwrap()
    }

    /// `all.csv` (everyone responds) and `n2.yaml` (weighting classes on it).
    fn everyone_responds(s: &Scratch, data: &str) {
        let mut all = Table::read(std::path::Path::new(data)).unwrap();
        all.add_column("resp_all", ColumnData::I64(vec![Some(1); all.n_rows()])).unwrap();
        all.write(&s.path("all.csv")).unwrap();
        s.write(
            "n2.yaml",
            &NR.replace("status: resp", "status: resp_all")
                .replace(
                    "method: propensity\nmodel: [stype, api99]",
                    "method: classes\nclasses: [stype]",
                )
                .replace("nonrespondent: [0]", "nonrespondent: []"),
        );
    }

    fn se(s: &Scratch, data: &str, design: &str, variable: &str) -> f64 {
        s.write(
            "e.yaml",
            &format!(
                "design:\n{design}estimates:\n  - {{name: t, stat: total, variable: {variable}}}\n"
            ),
        );
        let o = s.run(&["estimate", "-c", "e.yaml", "-i", data, "-o", "est.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        Table::read(&s.path("est.csv")).unwrap().numeric("se").unwrap()[0]
    }

    #[test]
    fn matches_the_library_formula_and_reduces_to_linearization() {
        let s = Scratch::new();
        s.write("n.yaml", NR);
        let data = fixture("P11b_nonresponse_propensity", "data.csv");
        let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "adj.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ours = se(
            &s,
            "adj.csv",
            "  weight: w_nr\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n.yaml\n",
            "api00",
        );

        let t = Table::read(&s.path("adj.csv")).unwrap();
        let (pw, w) = (t.numeric("pw").unwrap(), t.numeric("w_nr").unwrap());
        // api00 is missing for non-respondents: they do not contribute
        let y: Vec<f64> =
            t.numeric_opt("api00").unwrap().into_iter().map(|v| v.unwrap_or(0.0)).collect();
        let design = p11_design(&t, &pw);
        // an adjusted weight below its design weight (p̂ > 1) is refused, not clamped
        let halved: Vec<f64> = pw.iter().map(|d| d / 2.0).collect();
        let err = ponder::estimate::TwoPhase::new(design.clone(), halved).unwrap_err().to_string();
        assert!(err.contains("row 1") && err.contains("p = d/w <= 1"), "{err}");
        let resp: Vec<bool> = w.iter().map(|w| *w > 0.0).collect();
        let p: Vec<f64> =
            pw.iter().zip(&w).map(|(d, w)| if *w > 0.0 { d / w } else { 1.0 }).collect();
        let v = two_phase_variance(&design, &resp, &p, &y).unwrap();
        assert!(v.nonresponse > 0.0);
        assert_relative_eq!(ours, v.total().sqrt(), epsilon = 0.0, max_relative = 1e-9);

        // everyone responds: p̂ = 1, the term vanishes and the plain linearization remains
        everyone_responds(&s, &data);
        let two = se(
            &s,
            "all.csv",
            "  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n2.yaml\n",
            "api99",
        );
        let plain = se(&s, "all.csv", "  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n", "api99");
        assert_relative_eq!(two, plain, epsilon = 0.0, max_relative = 1e-9);

        // a weight column that is not the adjustment's output is refused
        assert_refused(
            &s,
            &["estimate", "-c", "bad.yaml", "-i", "adj.csv", "-o", "x.csv"],
            &["bad.yaml"],
        );
        s.write("bad.yaml", "design:\n  weight: pw\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n.yaml\nestimates:\n  - {name: t, stat: total, variable: api00}\n");
        assert_refused(
            &s,
            &["estimate", "-c", "bad.yaml", "-i", "adj.csv", "-o", "x.csv"],
            &["`pw`", "ponder nonresponse"],
        );
    }

    /// Post-stratification of the adjusted weights on `stype` (linear calibration): the
    /// two-phase term uses the calibration residuals, e_k = g_k (y_k − ȳ_h), checked against
    /// the library formula; when everyone responds it is the calibrated linearization.
    #[test]
    fn calibrated_after_adjustment() {
        let s = Scratch::new();
        s.write("n.yaml", NR);
        let data = fixture("P11b_nonresponse_propensity", "data.csv");
        let o = s.run(&["nonresponse", "-c", "n.yaml", "-i", &data, "-o", "adj.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let t = Table::read(&s.path("adj.csv")).unwrap();
        let (pw, w) = (t.numeric("pw").unwrap(), t.numeric("w_nr").unwrap());
        let st = t.factor("stype").unwrap();
        // population counts of the strata: the design-weighted counts, 3 % higher
        let mut totals = vec![0.0; st.levels.len()];
        for (k, &c) in st.codes.iter().enumerate() {
            totals[c as usize] += 1.03 * pw[k];
        }
        let margin: Vec<String> =
            st.levels.iter().zip(&totals).map(|(l, t)| format!("{l}: {t}")).collect();
        let cal = format!(
            "weight: w_nr\noutput: w_cal\nmethod: linear\nmargins:\n  - variable: stype\n    totals: {{{}}}\n",
            margin.join(", ")
        );
        s.write("c.yaml", &cal);
        let o = s.run(&["calibrate", "-c", "c.yaml", "-i", "adj.csv", "-o", "cal.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ours = se(
            &s,
            "cal.csv",
            "  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n.yaml\n  calibration: c.yaml\n",
            "api00",
        );
        // the library formula on e = g (y − ȳ_h), ȳ_h the calibrated mean of the stratum
        let t = Table::read(&s.path("cal.csv")).unwrap();
        let wc = t.numeric("w_cal").unwrap();
        let y: Vec<f64> =
            t.numeric_opt("api00").unwrap().into_iter().map(|v| v.unwrap_or(0.0)).collect();
        let (mut sy, mut sw) = (vec![0.0; totals.len()], vec![0.0; totals.len()]);
        for (k, &c) in st.codes.iter().enumerate() {
            sy[c as usize] += wc[k] * y[k];
            sw[c as usize] += wc[k];
        }
        let e: Vec<f64> = (0..y.len())
            .map(|k| {
                let h = st.codes[k] as usize;
                if w[k] > 0.0 { wc[k] / w[k] * (y[k] - sy[h] / sw[h]) } else { 0.0 }
            })
            .collect();
        let design = p11_design(&t, &pw);
        let resp: Vec<bool> = w.iter().map(|w| *w > 0.0).collect();
        let p: Vec<f64> =
            pw.iter().zip(&w).map(|(d, w)| if *w > 0.0 { d / w } else { 1.0 }).collect();
        let v = two_phase_variance(&design, &resp, &p, &e).unwrap();
        assert_relative_eq!(ours, v.total().sqrt(), epsilon = 0.0, max_relative = 1e-8);
        // calibration on stype removes the between-stratum part: smaller than without it
        let uncalibrated = se(
            &s,
            "cal.csv",
            "  weight: w_nr\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n.yaml\n",
            "api00",
        );
        assert!(ours < uncalibrated, "{ours} vs {uncalibrated}");

        // everyone responds: the calibrated linearization
        everyone_responds(&s, &data);
        let o = s.run(&["nonresponse", "-c", "n2.yaml", "-i", "all.csv", "-o", "adj_all.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = s.run(&["calibrate", "-c", "c.yaml", "-i", "adj_all.csv", "-o", "cal_all.csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let two = se(
            &s,
            "cal_all.csv",
            "  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  nonresponse: n2.yaml\n  calibration: c.yaml\n",
            "api99",
        );
        let plain = se(
            &s,
            "cal_all.csv",
            "  weight: w_cal\n  clusters: [dnum]\n  fpc: [fpc]\n  calibration: c.yaml\n",
            "api99",
        );
        assert_relative_eq!(two, plain, epsilon = 0.0, max_relative = 1e-9);
    }
}
