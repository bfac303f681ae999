//! A schematic map of France by region (2016 regions, codes of the official geographic code),
//! coloured by an estimate, with the five overseas departments as insets.
//!
//! **The outlines are schematic**: hand-simplified polygons (a few to fifteen points per
//! border, longitude/latitude in degrees, read off a paper map) so that the report needs no
//! geodata file. Neighbouring regions share their border arcs exactly (each arc is written
//! once and used forwards by one region and backwards by the other), so the mosaic has no
//! gaps or overlaps. Good enough to read a regional gradient; not for any measurement.

use super::Lang;
use super::labels::{label, na, number, percent};
use super::svg::text;
use crate::report::html::escape;
use std::fmt::Write;

mod outlines;

use outlines::ring_points;
pub(crate) use outlines::{MAINLAND, OVERSEAS};

/// Value of a region: code, estimate (NaN: not available), flagged.
pub struct RegionValue {
    /// Region code ("11" … "94", "971" … "976").
    pub code: String,
    /// Name for readers (a codebook label; `None`: the built-in name).
    pub name: Option<String>,
    /// Estimate.
    pub value: f64,
    /// Publication flag.
    pub flagged: bool,
}

// Layout (pixels).
const K: f64 = 62.0; // pixels per degree of latitude
const LON0: f64 = -5.2;
const LAT1: f64 = 51.3;
const COS_LAT: f64 = 0.688; // cos 46.5°: equirectangular projection centred on France
const MAP_W: f64 = 640.0;
const MAP_TOP: f64 = 40.0;
const INSET: f64 = 110.0;

fn project((lon, lat): (f64, f64)) -> (f64, f64) {
    ((lon - LON0) * COS_LAT * K + 10.0, (LAT1 - lat) * K + MAP_TOP)
}

/// YlGnBu-like sequential scale on t ∈ [0, 1].
pub(crate) fn colour(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 3] =
        [(255.0, 255.0, 204.0), (65.0, 182.0, 196.0), (12.0, 44.0, 132.0)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    let (a, b, u) =
        if t < 0.5 { (STOPS[0], STOPS[1], t * 2.0) } else { (STOPS[1], STOPS[2], t * 2.0 - 1.0) };
    let mix = |x: f64, y: f64| (x + (y - x) * u).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

const GREY: &str = "#d9d9d9";

/// The map as one SVG. Regions present in `values` are `class="region"` shapes (grey when
/// their value is not finite), the others `class="region-absent"`; codes outside the
/// 18 regions are not drawn (the caller lists them).
pub fn render(lang: Lang, title: &str, values: &[RegionValue], percent_scale: bool) -> String {
    let finite: Vec<f64> = values.iter().map(|v| v.value).filter(|v| v.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let m = Painter { lang, values, lo, hi, percent_scale };
    let w = MAP_W + 230.0;
    let h = MAP_TOP + (LAT1 - 41.2) * K + 30.0 + INSET + 30.0;
    let mut s = super::svg::open(w, h, title);
    for (code, name, _, ring, _) in MAINLAND {
        let pts = ring_points(ring);
        let mut d = String::new();
        for (i, p) in pts.iter().enumerate() {
            let (x, y) = project(*p);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
        }
        d.push('Z');
        m.shape(&mut s, code, name, &d);
    }
    for (code, _, short, _, at) in MAINLAND {
        let (x, y) = project(at);
        m.caption(&mut s, code, short, (x, y), true);
    }
    overseas(&mut s, &m);
    legend(&mut s, lang, MAP_W + 20.0, 70.0, lo, hi, &|v| m.show(v));
    s.push_str("</svg>\n");
    s
}

/// Overseas insets in a row under the mainland.
fn overseas(s: &mut String, m: &Painter) {
    let y0 = MAP_TOP + (LAT1 - 41.2) * K + 20.0;
    for (i, (code, name, parts)) in OVERSEAS.iter().enumerate() {
        let x0 = 10.0 + i as f64 * (INSET + 14.0);
        let _ = writeln!(
            s,
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{INSET}\" height=\"{INSET}\" fill=\"none\" stroke=\"#bbb\"/>"
        );
        let mut d = String::new();
        for part in parts.iter() {
            for (j, (u, v)) in part.iter().enumerate() {
                let (x, y) = (x0 + 15.0 + u * (INSET - 30.0), y0 + 8.0 + v * (INSET - 45.0));
                let _ = write!(d, "{}{x:.1},{y:.1}", if j == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        m.shape(s, code, name, &d);
        m.caption(s, code, name, (x0 + INSET / 2.0, y0 + INSET - 20.0), false);
    }
}

/// Draws regions and their captions from the values of the map.
struct Painter<'a> {
    lang: Lang,
    values: &'a [RegionValue],
    /// Smallest and largest finite value (infinite when none).
    lo: f64,
    hi: f64,
    percent_scale: bool,
}

impl Painter<'_> {
    /// Position of a value on the colour scale.
    fn scale(&self, v: f64) -> f64 {
        if self.hi > self.lo { (v - self.lo) / (self.hi - self.lo) } else { 0.5 }
    }

    fn show(&self, v: f64) -> String {
        if self.percent_scale { percent(self.lang, v) } else { number(self.lang, v) }
    }

    fn find(&self, code: &str) -> Option<&RegionValue> {
        self.values.iter().find(|v| v.code == code)
    }

    /// A region's path `d`, filled by its value, with its value as tooltip.
    fn shape(&self, s: &mut String, code: &str, name: &str, d: &str) {
        let name = self.find(code).and_then(|v| v.name.as_deref()).unwrap_or(name);
        let absent = || format!("{name}{}{}", colon(self.lang), na(self.lang));
        let (class, fill, tip) = match self.find(code) {
            Some(v) if v.value.is_finite() => (
                "region",
                colour(self.scale(v.value)),
                format!("{name}{}{}", colon(self.lang), self.show(v.value)),
            ),
            Some(_) => ("region", GREY.to_string(), absent()),
            None => ("region-absent", "#f4f4f4".to_string(), absent()),
        };
        let stroke = if class == "region" { "#fff" } else { "#aaa" };
        let _ = writeln!(
            s,
            "<path class=\"{class}\" d=\"{d}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\" \
             stroke-linejoin=\"round\"><title>{}</title></path>",
            escape(&tip)
        );
    }

    /// A region's short name and value (` *` when flagged) at (x, y); white on a dark fill.
    fn caption(&self, s: &mut String, code: &str, short: &str, (x, y): (f64, f64), on_shape: bool) {
        let v = self.find(code).map(|v| (v.value, v.flagged));
        let dark = on_shape && v.is_some_and(|(x, _)| x.is_finite() && self.scale(x) > 0.55);
        let fill = if dark { " fill=\"#fff\"" } else { " fill=\"#111\"" };
        text(s, x, y - 2.0, "middle", &format!(" font-size=\"10.5\"{fill}"), short);
        let val = match v {
            Some((x, f)) if x.is_finite() => {
                format!("{}{}", self.show(x), if f { " *" } else { "" })
            }
            _ => na(self.lang),
        };
        let style = format!(" font-size=\"10.5\" font-weight=\"bold\"{fill}");
        text(s, x, y + 11.0, "middle", &style, &val);
    }
}

/// " : " in French, ": " in English.
fn colon(lang: Lang) -> &'static str {
    if lang == Lang::Fr { " : " } else { ": " }
}

fn legend(
    s: &mut String,
    lang: Lang,
    x: f64,
    y: f64,
    lo: f64,
    hi: f64,
    show: &dyn Fn(f64) -> String,
) {
    let (bw, bh) = (24.0, 240.0);
    if lo.is_finite() {
        let steps = 40;
        for k in 0..steps {
            let t = 1.0 - (k as f64 + 0.5) / steps as f64;
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw}\" height=\"{:.2}\" fill=\"{}\"/>",
                y + bh * k as f64 / steps as f64,
                bh / steps as f64 + 0.3,
                colour(t)
            );
        }
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw}\" height=\"{bh}\" fill=\"none\" stroke=\"#666\"/>"
        );
        for k in 0..=4 {
            let t = k as f64 / 4.0;
            let v = if hi > lo { lo + t * (hi - lo) } else { lo };
            let ty = y + bh * (1.0 - t);
            let _ = writeln!(
                s,
                "<line x1=\"{:.1}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#333\"/>",
                x + bw,
                x + bw + 5.0
            );
            text(s, x + bw + 8.0, ty + 4.0, "start", "", &show(v));
        }
    }
    let gy = y + bh + 25.0;
    let _ = writeln!(
        s,
        "<rect x=\"{x:.1}\" y=\"{gy:.1}\" width=\"{bw}\" height=\"14\" fill=\"{GREY}\" stroke=\"#666\"/>"
    );
    text(s, x + bw + 8.0, gy + 11.0, "start", "", &na(lang));
    text(
        s,
        x,
        gy + 38.0,
        "start",
        " font-size=\"11\"",
        &format!("* {}", label(lang, "flags").to_lowercase()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_closed_chains_of_shared_arcs() {
        for (code, _, _, ring, _) in MAINLAND {
            for k in 0..ring.len() {
                let (a, ba) = ring[k];
                let (b, bb) = ring[(k + 1) % ring.len()];
                let end = if ba { a[0] } else { a[a.len() - 1] };
                let start = if bb { b[b.len() - 1] } else { b[0] };
                assert_eq!(end, start, "region {code}, arc {k}");
            }
            assert!(ring_points(ring).len() >= 8, "region {code}");
        }
    }

    #[test]
    fn colour_scale_runs_light_to_dark() {
        assert_eq!(colour(0.0), "#ffffcc");
        assert_eq!(colour(1.0), "#0c2c84");
        assert_eq!(colour(f64::NAN), colour(0.5));
    }
}
