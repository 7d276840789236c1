//! `p2psim plot`: charts (SVG and PNG) from a `sweep.csv` or from one run's time
//! series CSV (`pool_occupancy.csv`, `requests.csv`, `messages.csv`).

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::plot::chart::XScale;
use crate::plot::{self, from_series, from_sweep};
use crate::sweep::table::SweepTable;

/// X axis scale on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Scale {
    /// Logarithmic when the x values are positive and span a factor of 8 or more.
    Auto,
    /// Linear.
    Linear,
    /// Logarithmic.
    Log,
}

/// Arguments of `p2psim plot`.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A sweep.csv, or a run's time-series CSV (first column `time_s`).
    pub csv: PathBuf,
    /// The swept key on the x axis, or a figure (sweeps; default: the first swept key).
    #[arg(long)]
    pub x: Option<String>,
    /// A figure to chart, one chart each (repeatable; for a time series, the columns
    /// to draw, all when none is given).
    #[arg(long)]
    pub y: Vec<String>,
    /// Output directory (default: beside the CSV).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// X axis scale.
    #[arg(long, value_enum, default_value_t = Scale::Auto)]
    pub x_scale: Scale,
}

/// Runs the command; returns the exit status.
pub fn run(args: PlotArgs) -> i32 {
    match plot_file(&args) {
        Ok(paths) => {
            for p in paths {
                outln!("{}", p.display());
            }
            0
        }
        Err(e) => {
            errln!("error: {}: {e}", args.csv.display());
            super::EXIT_BAD_INPUT
        }
    }
}

fn plot_file(args: &PlotArgs) -> Result<Vec<PathBuf>, String> {
    let text = fs::read_to_string(&args.csv).map_err(|e| format!("cannot read: {e}"))?;
    let dir = args.out.clone().unwrap_or_else(|| {
        args.csv
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    });
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = args
        .csv
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "series".into());
    if text.starts_with("time_s") {
        let chart = from_series::chart(&text, &name, &args.y)?;
        let stem = if args.y.is_empty() {
            name
        } else {
            format!("{name}-{}", args.y.join("+"))
        };
        return chart.render(&dir.join(stem));
    }
    let table = SweepTable::from_csv(&text)?;
    let x = match &args.x {
        Some(x) => x.clone(),
        None => table
            .params
            .first()
            .cloned()
            .ok_or("the sweep has no swept key")?,
    };
    if args.y.is_empty() {
        return Err("say which figure to chart with --y (e.g. --y requests.lost)".into());
    }
    let scale = match args.x_scale {
        Scale::Auto => XScale::Auto,
        Scale::Linear => XScale::Linear,
        Scale::Log => XScale::Log,
    };
    let mut out = Vec::new();
    for y in &args.y {
        let chart = from_sweep::chart(&table, &x, y, scale)?;
        out.extend(chart.render(&dir.join(plot::stem(y, &x)))?);
    }
    Ok(out)
}
