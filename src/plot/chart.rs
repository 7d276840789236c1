//! A line chart with optional error bars and a legend, drawn to SVG and PNG.
//!
//! What it draws is laid out to stay readable: a title too wide for the chart
//! wraps onto more lines; the legend sits outside the plot (on the right, or
//! below when its labels are long), so it never covers a point, and a single
//! line named like its y axis needs none; the y axis fits the data with a
//! margin (it starts at 0 only when the data come near 0, so 0.94 against 1.0
//! shows); an x axis of names (a swept `true`/`false` or policy) is categorical.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Embedded font (DejaVu Sans, ASCII subset; see `assets/README.md`): the PNG
/// backend draws text itself and must not depend on the machine's fonts.
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");

/// Chart size in pixels.
const SIZE: (u32, u32) = (900, 560);

// Text sizes, in pixels. All even: plotters' glyph placement adds half the
// size to each glyph's top and truncates toward zero, so at an odd size a
// glyph above the middle (a '.') and one reaching above it (a letter) round
// opposite ways and the '.' floats a pixel up, like a '·'.
/// The title's size.
const TITLE_SIZE: u32 = 24;
/// The axis descriptions' size.
const AXIS_SIZE: u32 = 18;
/// Tick labels' size.
const TICK_SIZE: u32 = 16;
/// Legend entries' size.
const LEGEND_SIZE: u32 = 16;

/// Space around the chart, in pixels.
const MARGIN: u32 = 16;
/// A legend swatch's length, and the gap to its label.
const SWATCH: i32 = 24;
const SWATCH_GAP: i32 = 8;
/// A legend row's height.
const LEGEND_ROW: i32 = 24;
/// The widest legend beside the plot; a wider one goes below it.
const SIDE_LEGEND_MAX: u32 = SIZE.0 * 3 / 10;

/// Line colours (Tableau 10), one per series in order.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// How the x axis is scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XScale {
    /// Logarithmic when every x is positive and they span a factor of 8 or more.
    Auto,
    /// Linear.
    Linear,
    /// Logarithmic.
    Log,
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Its legend entry.
    pub label: String,
    /// `(x, y, half-width of the error bar)`, sorted by x; a `NaN` half-width draws no bar.
    pub points: Vec<(f64, f64, f64)>,
}

/// A line chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Title, above the plot.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
    /// X axis scale (ignored with categories).
    pub x_scale: XScale,
    /// The x axis's categories, when it names things rather than measures
    /// them: a point's x is then the index of its category.
    pub x_categories: Option<Vec<String>>,
}

impl Chart {
    /// Writes `<stem>.svg` and `<stem>.png`; returns their paths.
    pub fn render(&self, stem: &Path) -> Result<Vec<PathBuf>, String> {
        register_font();
        let with_ext = |ext: &str| {
            let mut s = stem.as_os_str().to_owned();
            s.push(ext);
            PathBuf::from(s)
        };
        let (svg, png) = (with_ext(".svg"), with_ext(".png"));
        {
            let root = SVGBackend::new(&svg, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        {
            let root = BitMapBackend::new(&png, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(vec![svg, png])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let pts = || self.lines.iter().flat_map(|l| l.points.iter());
        if pts().next().is_none() {
            return Err(format!("chart `{}`: nothing to plot", self.title));
        }
        let mut area = root.margin(MARGIN, MARGIN, MARGIN, MARGIN);
        let title = ("sans-serif", TITLE_SIZE).into_font();
        for line in wrap(&area, &self.title, TITLE_SIZE, area.dim_in_pixel().0)? {
            area = area.titled(&line, title.clone()).map_err(err)?;
        }
        let area = self.legend(&area)?;
        let y = self.y_range();
        if let Some(names) = &self.x_categories {
            let n = names.len().max(1);
            let x = -0.5..n as f64 - 0.5;
            let name = |v: &f64| {
                let i = v.round();
                let near = (v - i).abs() < 1e-6 && i >= 0.0;
                near.then(|| names.get(i as usize).cloned())
                    .flatten()
                    .unwrap_or_default()
            };
            return self.draw_on(&area, x, y, &name, n);
        }
        let (x0, x1) = min_max(pts().map(|p| p.0));
        let log = match self.x_scale {
            XScale::Linear => false,
            XScale::Log => x0 > 0.0,
            XScale::Auto => x0 > 0.0 && x1 / x0 >= 8.0,
        };
        let decimals = decimals_for(x1 - x0);
        let number = |v: &f64| tick(*v, decimals);
        if log {
            self.draw_on(&area, (x0 / 1.12..x1 * 1.12).log_scale(), y, &number, 10)
        } else {
            let pad = if x1 > x0 { (x1 - x0) * 0.04 } else { 1.0 };
            self.draw_on(&area, x0 - pad..x1 + pad, y, &number, 10)
        }
    }

    /// The y axis: the data and their error bars with a margin; from 0 when
    /// figures that are never negative come near it (a bar below 0 is clipped).
    fn y_range(&self) -> Range<f64> {
        let pts = || self.lines.iter().flat_map(|l| l.points.iter());
        let bar = |p: &(f64, f64, f64)| if p.2.is_nan() { 0.0 } else { p.2 };
        let (lo, _) = min_max(pts().map(|p| p.1 - bar(p)));
        let (_, hi) = min_max(pts().map(|p| p.1 + bar(p)));
        let span = hi - lo;
        let pad = match span {
            s if s > 0.0 => s * 0.06,
            _ if hi != 0.0 => hi.abs() * 0.05,
            _ => 1.0,
        };
        let mut y0 = lo - pad;
        if pts().all(|p| p.1 >= 0.0) {
            let (lowest, _) = min_max(pts().map(|p| p.1));
            if lowest <= span * 0.25 || y0 < 0.0 {
                y0 = 0.0;
            }
        }
        y0..hi + pad
    }

    /// Draws the legend outside the plot and returns what is left for the
    /// plot: beside it when the labels are short, else below it. A single line
    /// named as the y axis gets none.
    fn legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<DrawingArea<DB, Shift>, String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        if self.lines.len() == 1 && self.lines[0].label == self.y_label {
            return Ok(area.clone());
        }
        let font = ("sans-serif", LEGEND_SIZE).into_font();
        let widths: Vec<i32> = self
            .lines
            .iter()
            .map(|l| text_width(area, &l.label, LEGEND_SIZE))
            .collect::<Result<_, _>>()?;
        let entry = |w: i32| SWATCH + SWATCH_GAP + w;
        let widest = widths.iter().copied().map(entry).max().unwrap_or(0) as u32 + 2 * MARGIN;
        let (w, h) = area.dim_in_pixel();
        // Each entry's top-left corner, and the area left for the plot.
        let (plot, legend, places): (_, _, Vec<(i32, i32)>) = if widest <= SIDE_LEGEND_MAX {
            let (plot, legend) = area.split_horizontally(w - widest);
            let places = (0..self.lines.len())
                .map(|i| (MARGIN as i32, MARGIN as i32 + i as i32 * LEGEND_ROW))
                .collect();
            (plot, legend, places)
        } else {
            let mut places = Vec::new();
            let (mut x, mut y) = (0, 0);
            for &wi in &widths {
                if x > 0 && x + entry(wi) > w as i32 {
                    (x, y) = (0, y + LEGEND_ROW);
                }
                places.push((x, y));
                x += entry(wi) + 2 * SWATCH;
            }
            let rows = (y / LEGEND_ROW + 1) as u32;
            let (plot, legend) = area.split_vertically(h - rows * LEGEND_ROW as u32 - MARGIN);
            let below = legend.margin(MARGIN, 0, MARGIN, 0);
            (plot, below, places)
        };
        for (i, (line, &(x, y))) in self.lines.iter().zip(&places).enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let mid = y + LEGEND_ROW / 2;
            legend
                .draw(&PathElement::new(
                    vec![(x, mid), (x + SWATCH, mid)],
                    colour.stroke_width(2),
                ))
                .map_err(err)?;
            let at = (x + SWATCH + SWATCH_GAP, mid - LEGEND_SIZE as i32 / 2);
            legend
                .draw(&Text::new(line.label.as_str(), at, font.clone()))
                .map_err(err)?;
        }
        Ok(plot)
    }

    fn draw_on<DB, X>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: X,
        y: Range<f64>,
        x_tick: &dyn Fn(&f64) -> String,
        x_ticks: usize,
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let y_decimals = decimals_for(y.end - y.start);
        let mut chart = ChartBuilder::on(area)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x, y)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(x_ticks)
            .label_style(("sans-serif", TICK_SIZE))
            .axis_desc_style(("sans-serif", AXIS_SIZE))
            .x_label_formatter(x_tick)
            .y_label_formatter(&|v| tick(*v, y_decimals))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        for (i, line) in self.lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let style = ShapeStyle::from(&colour).stroke_width(2);
            chart
                .draw_series(LineSeries::new(
                    line.points.iter().map(|p| (p.0, p.1)),
                    style,
                ))
                .map_err(err)?;
            chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), 3, colour.filled())),
                )
                .map_err(err)?;
            chart
                .draw_series(line.points.iter().filter(|p| !p.2.is_nan()).map(|p| {
                    ErrorBar::new_vertical(
                        p.0,
                        p.1 - p.2,
                        p.1,
                        p.1 + p.2,
                        colour.stroke_width(1),
                        8,
                    )
                }))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// `text` in lines no wider than `width` pixels at `size` (a word wider than
/// that gets a line of its own).
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
    width: u32,
) -> Result<Vec<String>, String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = match current.is_empty() {
            true => word.to_string(),
            false => format!("{current} {word}"),
        };
        if !current.is_empty() && text_width(area, &candidate, size)? > width as i32 {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    lines.push(current);
    Ok(lines)
}

/// How wide `text` is at `size`, in pixels.
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
) -> Result<i32, String> {
    area.estimate_text_size(text, &TextStyle::from(("sans-serif", size).into_font()))
        .map(|(w, _)| w as i32)
        .map_err(|e| e.to_string())
}

/// Decimals that tell apart the ticks of an axis spanning `span`.
fn decimals_for(span: f64) -> usize {
    if !(span.is_finite() && span > 0.0) {
        return 3;
    }
    // About ten ticks: a step near span / 10, one more decimal than it needs.
    (1.0 - (span / 10.0).log10().floor()).clamp(0.0, 9.0) as usize
}

/// A tick label with `decimals` at most: no trailing zeros, no negative zero.
fn tick(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let s = format!("{v:.decimals$}");
    match s.contains('.') {
        true => s.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => s,
    }
}

fn min_max(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    xs.filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded and known good; a failure would only lose text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(points: Vec<(f64, f64, f64)>) -> Chart {
        Chart {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            lines: vec![Line {
                label: "y".into(),
                points,
            }],
            x_scale: XScale::Linear,
            x_categories: None,
        }
    }

    #[test]
    fn the_y_axis_fits_the_data_and_starts_at_0_only_near_it() {
        let near_one = chart(vec![(1.0, 0.94, f64::NAN), (2.0, 1.0, f64::NAN)]).y_range();
        assert!(
            near_one.start > 0.9 && near_one.start < 0.94,
            "{near_one:?}"
        );
        assert!(near_one.end > 1.0 && near_one.end < 1.01, "{near_one:?}");
        let from_zero = chart(vec![(1.0, 3.0, f64::NAN), (2.0, 47.0, 1.0)]).y_range();
        assert_eq!(from_zero.start, 0.0);
        let flat = chart(vec![(1.0, 2.0, f64::NAN), (2.0, 2.0, f64::NAN)]).y_range();
        assert!(flat.start < 2.0 && flat.end > 2.0, "{flat:?}");
        let negative = chart(vec![(1.0, -3.0, f64::NAN), (2.0, 5.0, f64::NAN)]).y_range();
        assert!(negative.start < -3.0, "{negative:?}");
    }

    #[test]
    fn ticks_have_the_decimals_their_axis_needs() {
        assert_eq!(tick(0.945, decimals_for(0.07)), "0.945");
        assert_eq!(tick(20.0, decimals_for(100.0)), "20");
        assert_eq!(tick(-0.0, 3), "0");
        assert_eq!(tick(0.999_95, decimals_for(0.0002)), "0.99995");
    }

    /// Runs `f` on a drawing area the size of a chart.
    fn on_area<T>(f: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> T) -> T {
        register_font();
        let mut buf = vec![255u8; 3 * (SIZE.0 * SIZE.1) as usize];
        let root = BitMapBackend::with_buffer(&mut buf, SIZE).into_drawing_area();
        f(&root)
    }

    #[test]
    fn a_long_title_wraps_to_the_chart_s_width() {
        let title = "fada.nodes_per_propagation.async against mechanism.a_long_swept_key \
                     (mean, 95% CI, 10 seeds per point)";
        let width = SIZE.0 - 2 * MARGIN;
        let lines = on_area(|a| {
            let lines = wrap(a, title, TITLE_SIZE, width).unwrap();
            for l in &lines {
                assert!(text_width(a, l, TITLE_SIZE).unwrap() <= width as i32, "{l}");
            }
            lines
        });
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(
            lines.join(" "),
            title.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn the_legend_takes_its_own_room_beside_or_below_the_plot() {
        let line = |label: &str| Line {
            label: label.into(),
            points: vec![(1.0, 1.0, f64::NAN)],
        };
        let with = |labels: &[&str]| Chart {
            lines: labels.iter().map(|l| line(l)).collect(),
            ..chart(vec![])
        };
        let plot = |c: Chart| on_area(|a| c.legend(a).unwrap().dim_in_pixel());
        assert_eq!(
            plot(with(&["y"])),
            SIZE,
            "one line named as the axis: no legend"
        );
        let (w, h) = plot(with(&["load.rate=5", "load.rate=40"]));
        assert!(w < SIZE.0 && h == SIZE.1, "beside: {w} x {h}");
        let long = "mechanism.a_rather_long_parameter_name=0.1, mechanism.another=x";
        let (w, h) = plot(with(&[long, long]));
        assert!(w == SIZE.0 && h < SIZE.1, "below: {w} x {h}");
    }

    /// The lowest inked row in `columns` of a `w` x `h` RGB buffer.
    fn bottom(buf: &[u8], w: usize, columns: Range<usize>) -> Option<usize> {
        (0..buf.len() / (3 * w))
            .rev()
            .find(|&row| columns.clone().any(|x| buf[3 * (row * w + x)] < 128))
    }

    #[test]
    fn a_period_sits_on_the_baseline_at_every_text_size() {
        register_font();
        for size in [TITLE_SIZE, AXIS_SIZE, TICK_SIZE, LEGEND_SIZE] {
            let (w, h) = (120usize, 60usize);
            let mut buf = vec![255u8; 3 * w * h];
            {
                let root =
                    BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
                let font = ("sans-serif", size).into_font();
                root.draw(&Text::new("l", (10, 10), font.clone())).unwrap();
                root.draw(&Text::new(".", (60, 10), font)).unwrap();
                root.present().unwrap();
            }
            let letter = bottom(&buf, w, 0..w / 2);
            let period = bottom(&buf, w, w / 2..w);
            assert!(letter.is_some(), "size {size}: no 'l' drawn");
            assert_eq!(
                letter, period,
                "size {size}: the '.' floats off the baseline"
            );
        }
    }
}
