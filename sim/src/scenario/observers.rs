//! `[observers]` and `[output]`: what is measured and where results go.

use std::path::PathBuf;

use super::convert::{self, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;

/// Measurement settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ObserverSpec {
    /// Time-series sampling period in virtual seconds.
    pub sample_interval: f64,
    /// Latency quantiles to report, each in (0, 1).
    pub latency_quantiles: Vec<f64>,
    /// Most rows a time series keeps: past it the sampling interval doubles
    /// and every other row goes, so memory follows the work, not the clock.
    pub max_rows: usize,
}

/// The default of `observers.max_rows`.
pub const DEFAULT_MAX_ROWS: usize = 100_000;

/// Where results are written.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// Output directory, if results should be written to disk.
    pub dir: Option<PathBuf>,
    /// Whether CSV files are written.
    pub csv: bool,
}

/// Reads `[observers]`.
pub(crate) fn read_observers(o: &Params) -> Result<ObserverSpec, ScenarioError> {
    o.check_known(&["sample_interval", "latency_quantiles", "max_rows"])?;
    // The clock counts whole nanoseconds: a shorter interval would never advance.
    let sample_interval = o
        .opt_float("sample_interval", FRange::PERIOD)?
        .unwrap_or(1.0);
    let max_rows = o
        .opt_int("max_rows", IRange::new(2, 100_000_000))?
        .map_or(DEFAULT_MAX_ROWS, |n| n as usize);
    let latency_quantiles = o
        .list("latency_quantiles", |n| {
            convert::float(n, FRange::open(0.0, 1.0))
        })?
        .unwrap_or_else(|| vec![0.5, 0.9, 0.99]);
    Ok(ObserverSpec {
        sample_interval,
        latency_quantiles,
        max_rows,
    })
}

/// Reads `[output]`.
pub(crate) fn read_output(o: &Params) -> Result<OutputSpec, ScenarioError> {
    o.check_known(&["dir", "csv"])?;
    Ok(OutputSpec {
        dir: o
            .convert("dir", |n| convert::string(n, true))?
            .map(PathBuf::from),
        csv: o.bool("csv", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(body: &str, prefix: &str) -> Params {
        Params::from_toml_str(body, "t.toml", prefix).unwrap()
    }

    #[test]
    fn observer_defaults_and_checks() {
        let o = read_observers(&p("", "observers")).unwrap();
        assert_eq!(
            o,
            ObserverSpec {
                sample_interval: 1.0,
                latency_quantiles: vec![0.5, 0.9, 0.99],
                max_rows: DEFAULT_MAX_ROWS,
            }
        );
        let e = read_observers(&p("latency_quantiles = [0.5, 1.0]", "observers")).unwrap_err();
        assert!(e.message.contains("(0, 1)"), "{e}");
        assert_eq!(e.column, 27);
        assert!(read_observers(&p("sample_interval = 0", "observers")).is_err());
        let e = read_observers(&p("sample_interval = 1e-12", "observers")).unwrap_err();
        assert!(
            e.message.contains("1e-9") || e.message.contains("0.000000001"),
            "{e}"
        );
        assert!(read_observers(&p("max_rows = 1", "observers")).is_err());
        assert_eq!(
            read_observers(&p("max_rows = 64", "observers"))
                .unwrap()
                .max_rows,
            64
        );
    }

    #[test]
    fn output_defaults_and_checks() {
        assert_eq!(
            read_output(&p("", "output")).unwrap(),
            OutputSpec {
                dir: None,
                csv: true
            }
        );
        let o = read_output(&p("dir = \"r/x\"\ncsv = false", "output")).unwrap();
        assert_eq!(o.dir, Some(PathBuf::from("r/x")));
        assert!(read_output(&p("csv = \"yes\"", "output")).is_err());
    }
}
