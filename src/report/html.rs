//! Small building blocks of the self-contained HTML reports: page, tables, histogram.

use plotters::prelude::*;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Digits in groups of three from the right, joined by `sep` (`1234567` → `1 234 567`).
pub fn group_digits(digits: &str, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// The base stylesheet of the reports.
pub const BASE_CSS: &str = "body{font-family:sans-serif;max-width:70em;margin:2em auto;color:#222}\
     table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;\
     text-align:right}th{background:#eee}td.l,th.l{text-align:left}";

/// A complete HTML page with a minimal stylesheet.
pub fn page(title: &str, body: &str) -> String {
    page_with("en", title, "", body)
}

/// A complete HTML page in language `lang` (`fr`, `en`) with [`BASE_CSS`] plus `css`;
/// `body` is inserted as is (already escaped HTML).
pub fn page_with(lang: &str, title: &str, css: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>{BASE_CSS}{css}</style>\n</head>\n<body>\n<h1>{}</h1>\n{}\n</body>\n</html>\n",
        escape(lang),
        escape(title),
        escape(title),
        body
    )
}

/// An HTML table; the first `left` columns are left-aligned (labels).
pub fn table(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    table_with_classes(header, rows, left, &[])
}

/// An HTML table whose row `i` gets the CSS class `classes[i]` (when given and `Some`);
/// cells are escaped.
pub fn table_with_classes(
    header: &[&str],
    rows: &[Vec<String>],
    left: usize,
    classes: &[Option<&str>],
) -> String {
    let mut s = String::from("<table>\n<tr>");
    for (i, h) in header.iter().enumerate() {
        let class = if i < left { " class=\"l\"" } else { "" };
        s.push_str(&format!("<th{class}>{}</th>", escape(h)));
    }
    s.push_str("</tr>\n");
    for (k, r) in rows.iter().enumerate() {
        match classes.get(k).copied().flatten() {
            Some(c) => s.push_str(&format!("<tr class=\"{}\">", escape(c))),
            None => s.push_str("<tr>"),
        }
        for (i, c) in r.iter().enumerate() {
            let class = if i < left { " class=\"l\"" } else { "" };
            s.push_str(&format!("<td{class}>{}</td>", escape(c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// A number for a report table: up to 6 significant digits, plain notation.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v != 0.0 && (v.abs() >= 1e9 || v.abs() < 1e-4) {
        return format!("{v:.4e}");
    }
    let digits = (6 - (v.abs().max(1e-300).log10().floor() as i32 + 1)).clamp(0, 8) as usize;
    format!("{v:.digits$}")
}

/// Bars and marks of the histograms: the first two colours of the run report's palette.
const BAR: RGBColor = RGBColor(0x4c, 0x78, 0xa8);
const MARK: RGBColor = RGBColor(0xf5, 0x85, 0x18);

/// An SVG histogram of `values` (weighted counts `weights`, or counts) with `bins` bins,
/// optional vertical marks (e.g. calibration bounds).
pub fn histogram_svg(
    values: &[f64],
    bins: usize,
    title: &str,
    x_label: &str,
    marks: &[f64],
) -> String {
    histogram_svg_labelled(values, bins, title, x_label, "rows", marks)
}

/// [`histogram_svg`] with the y-axis label given (non-finite values skipped; empty string
/// when no value is finite).
pub fn histogram_svg_labelled(
    values: &[f64],
    bins: usize,
    title: &str,
    x_label: &str,
    y_label: &str,
    marks: &[f64],
) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return String::new();
    }
    let mut lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for m in marks {
        lo = lo.min(*m);
        hi = hi.max(*m);
    }
    if hi - lo < 1e-12 {
        lo -= 0.5;
        hi += 0.5;
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.05;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 15))
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(50)
                .build_cartesian_2d(lo..hi, 0.0..top)?;
            let tick = |v: &f64| num(*v).trim_end_matches('0').trim_end_matches('.').to_string();
            let (font, style) = (("sans-serif", 12), ("sans-serif", 12));
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style(font)
                .axis_desc_style(style)
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
                .draw()?;
            chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, *c as f64)], BAR.filled())
            }))?;
            for m in marks {
                chart.draw_series(LineSeries::new(
                    vec![(*m, 0.0), (*m, top)],
                    MARK.stroke_width(2),
                ))?;
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    svg
}
