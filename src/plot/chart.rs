//! A line chart with optional error bars and a legend, drawn to SVG and PNG.

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
    /// X axis scale.
    pub x_scale: XScale,
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
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let pts = || self.lines.iter().flat_map(|l| l.points.iter());
        if pts().next().is_none() {
            return Err(format!("chart `{}`: nothing to plot", self.title));
        }
        let (x0, x1) = min_max(pts().map(|p| p.0));
        let lo = pts().map(|p| if p.2.is_nan() { p.1 } else { p.1 - p.2 });
        let hi = pts().map(|p| if p.2.is_nan() { p.1 } else { p.1 + p.2 });
        let (y0, _) = min_max(lo);
        let (_, y1) = min_max(hi);
        // Figures that are never negative keep their axis at 0, clipping error bars.
        let y0 = if pts().all(|p| p.1 >= 0.0) { 0.0 } else { y0 };
        let pad = if y1 > y0 { (y1 - y0) * 0.06 } else { 1.0 };
        let y = y0..y1 + pad;
        let log = match self.x_scale {
            XScale::Linear => false,
            XScale::Log => x0 > 0.0,
            XScale::Auto => x0 > 0.0 && x1 / x0 >= 8.0,
        };
        if log {
            self.draw_on(root, (x0 / 1.12..x1 * 1.12).log_scale(), y)
        } else {
            let pad = if x1 > x0 { (x1 - x0) * 0.04 } else { 1.0 };
            self.draw_on(root, x0 - pad..x1 + pad, y)
        }
    }

    fn draw_on<DB, X>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x: X,
        y: Range<f64>,
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(x, y)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
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
                .map_err(err)?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(2))
                });
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
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// A tick label: no trailing zeros, no negative zero.
fn tick(v: f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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
