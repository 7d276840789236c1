//! Charts, drawn with plotters to SVG and PNG: a sweep's figures against a swept
//! parameter with 95% confidence intervals, and one run's time series.
//!
//! ```no_run
//! use std::path::Path;
//! use p2psim::plot::{chart::XScale, from_sweep};
//! use p2psim::sweep::table::SweepTable;
//!
//! let table = SweepTable::from_csv(&std::fs::read_to_string("out/sweep.csv").unwrap()).unwrap();
//! let chart = from_sweep::chart(&table, "pool.capacity", "requests.lost", XScale::Auto).unwrap();
//! chart.render(Path::new("out/requests.lost")).unwrap(); // .svg and .png
//! ```

pub mod chart;
pub mod from_series;
pub mod from_sweep;

/// A file-name stem for a chart of `y` against `x`: `requests.lost-vs-pool.capacity`.
pub fn stem(y: &str, x: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    format!("{}-vs-{}", clean(y), clean(x))
}
