//! The files of a finished sweep (`sweep.csv`, `aggregate.csv`, `failures.txt`,
//! the charts) and its closing lines: what `sweep` writes at its end and
//! `merge` writes from shards.

use std::fs;
use std::path::{Path, PathBuf};

use crate::plot::chart::XScale;
use crate::plot::{self, from_sweep};
use crate::sweep::aggregate;
use crate::sweep::row::{Outcome, Row, DEADLOCK};
use crate::sweep::table::SweepTable;

/// Figures charted at the end of a sweep when present (`--plot` chooses others).
pub const DEFAULT_FIGURES: &[&str] = &[
    "requests.lost",
    "requests.success_rate",
    "latency_s.p50",
    "latency_s.p99",
    "pool.peak_in_use",
    DEADLOCK,
];

/// Every entry a sweep's directory may get, for its manifest.
pub const ENTRIES: &[&str] = &[
    crate::sweep::spec::NAME,
    crate::sweep::journal::NAME,
    "sweep.csv",
    "aggregate.csv",
    "failures.txt",
    "charts/",
];

/// Which charts a sweep draws.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ChartArgs {
    /// Figures to chart against the first swept key (default: requests.lost,
    /// requests.success_rate, latency_s.p50, latency_s.p99, pool.peak_in_use, run.deadlock);
    /// `X:Y` charts figure Y against X, a swept key or a figure (performance against
    /// cost: `bytes.sent_per_node_s.mean:requests.success_rate`).
    #[arg(long, value_delimiter = ',', value_name = "[X:]Y")]
    pub plot: Vec<String>,
    /// Write no charts.
    #[arg(long)]
    pub no_plot: bool,
}

/// What was written.
pub struct Written {
    /// The rows as a table.
    pub table: SweepTable,
    /// `failures.txt`, when a run failed.
    pub failures: Option<PathBuf>,
    /// The charts drawn.
    pub charts: Vec<PathBuf>,
}

/// Writes the sweep of `rows` (in their final order) over the swept `keys`
/// into `dir`, and the charts asked for.
pub fn write(
    dir: &Path,
    keys: Vec<String>,
    rows: Vec<Row>,
    chart: &ChartArgs,
) -> Result<Written, String> {
    let failures = failures_text(&keys, &rows);
    let table = SweepTable::new(keys, rows);
    let stats = aggregate::aggregate(&table);
    let write = |name: &str, text: &str| {
        fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write("sweep.csv", &table.to_csv())?;
    write("aggregate.csv", &aggregate::to_csv(&table.params, &stats))?;
    let failures_path = dir.join("failures.txt");
    let failures = if failures.is_empty() {
        let _ = fs::remove_file(&failures_path);
        None
    } else {
        write("failures.txt", &failures)?;
        Some(failures_path)
    };
    let charts = if chart.no_plot {
        Vec::new()
    } else {
        charts(&table, &chart.plot, &dir.join("charts"))
    };
    Ok(Written {
        table,
        failures,
        charts,
    })
}

/// The closing lines after `head` (the sweep's shape): outcomes and files.
pub fn summary(head: &str, wall_s: Option<f64>, dir: &Path, w: &Written) {
    let mut counts: Vec<(Outcome, usize)> = Vec::new();
    for r in &w.table.rows {
        match counts.iter_mut().find(|(o, _)| *o == r.outcome) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.outcome, 1)),
        }
    }
    counts.sort();
    let counts: Vec<String> = counts
        .iter()
        .map(|(o, n)| format!("{n} {}", o.as_str()))
        .collect();
    outln!("  sweep      {head}");
    outln!("  outcomes   {}", counts.join(", "));
    if let Some(w) = wall_s {
        outln!("  wall       {w:.1} s");
    }
    outln!("  results    {}", dir.join("sweep.csv").display());
    outln!("             {}", dir.join("aggregate.csv").display());
    if let Some(f) = &w.failures {
        outln!("             {}", f.display());
    }
    for c in &w.charts {
        outln!("  chart      {}", c.display());
    }
}

/// Says on stderr how many runs could not be set up (outcome `error`: bad
/// input at some points); `true` when there were any.
pub fn report_errors(rows: &[Row], keys: &[String]) -> bool {
    let errors: Vec<&Row> = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Error)
        .collect();
    let Some(first) = errors.first() else {
        return false;
    };
    errln!(
        "error: {} of {} runs could not be set up (outcome `error`; every report is in failures.txt); the first, {} seed {}:\n  {}",
        errors.len(),
        rows.len(),
        at(keys, first),
        first.seed,
        first.detail
    );
    true
}

/// `point N (k=v, ...)`.
fn at(keys: &[String], r: &Row) -> String {
    let at: Vec<String> = keys
        .iter()
        .zip(&r.params)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("point {} ({})", r.point, at.join(", "))
}

/// `failures.txt`: every failed run's full report, in the rows' order.
fn failures_text(keys: &[String], rows: &[Row]) -> String {
    rows.iter()
        .filter(|r| r.outcome != Outcome::Ok)
        .map(|r| {
            format!(
                "== {} seed {}: {}\n{}\n",
                at(keys, r),
                r.seed,
                r.outcome.as_str(),
                r.report.trim_end()
            )
        })
        .collect()
}

/// Charts the chosen (or default) figures into `dir`: each against the first
/// swept key, or `X:Y`, Y against X.
fn charts(table: &SweepTable, chosen: &[String], dir: &Path) -> Vec<PathBuf> {
    let Some(first) = table.params.first() else {
        return Vec::new();
    };
    let figures: Vec<String> = if chosen.is_empty() {
        DEFAULT_FIGURES
            .iter()
            .filter(|f| table.metrics.iter().any(|m| m == *f))
            .filter(|f| {
                **f != DEADLOCK || table.rows.iter().any(|r| r.outcome == Outcome::Deadlock)
            })
            .map(|f| f.to_string())
            .collect()
    } else {
        chosen.to_vec()
    };
    if let Err(e) = fs::create_dir_all(dir) {
        errln!("warning: no charts: cannot create {}: {e}", dir.display());
        return Vec::new();
    }
    let mut out = Vec::new();
    for chosen in &figures {
        let (x, y) = chosen.split_once(':').unwrap_or((first, chosen));
        match from_sweep::chart(table, x, y, XScale::Auto)
            .and_then(|c| c.render(&dir.join(plot::stem(y, x))))
        {
            Ok(paths) => out.extend(paths),
            Err(e) => errln!("warning: no chart of {y}: {e}"),
        }
    }
    out
}
