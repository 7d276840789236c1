//! `p2psim sweep`: the Cartesian product of swept scenario keys times seeds, on N OS
//! threads; writes `sweep.csv`, `aggregate.csv`, `failures.txt` and charts.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::plot::chart::XScale;
use crate::plot::{self, from_sweep};
use crate::sim::scenario;
use crate::sim::Mechanisms;
use crate::sweep::grid::{self, Param, Shard};
use crate::sweep::row::{Base, Outcome, DEADLOCK};
use crate::sweep::table::SweepTable;
use crate::sweep::{aggregate, runner};

/// Figures charted at the end of a sweep when present (`--plot` chooses others).
pub const DEFAULT_FIGURES: &[&str] = &[
    "requests.lost",
    "requests.success_rate",
    "latency_s.p50",
    "latency_s.p99",
    "pool.peak_in_use",
    DEADLOCK,
];

/// Arguments of `p2psim sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A swept key and its values: --param pool.capacity=8,16,32 (repeatable; the
    /// grid is their Cartesian product; `load.KEY` sets KEY in every `[[load]]`).
    #[arg(long = "param", value_name = "KEY=V1,V2,...", required = true)]
    pub params: Vec<String>,
    /// Seeds per point: an inclusive range `1..10` or a list `1,2,7` (default: the
    /// scenario's seed).
    #[arg(long)]
    pub seeds: Option<String>,
    /// OS threads running simulations (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Output directory (default: results/sweep-NAME/, with the shard appended).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only the points whose index is i modulo n (0 <= i < n), to split a sweep
    /// across machines; concatenate the shards' sweep.csv files afterwards.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Override a scenario key in every run: --set topology.nodes=500 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Figures to chart against the first swept key (default: requests.lost,
    /// requests.success_rate, latency_s.p50, latency_s.p99, pool.peak_in_use, run.deadlock);
    /// `X:Y` charts figure Y against X, a swept key or a figure (performance against
    /// cost: `bytes.sent_per_node_s.mean:requests.success_rate`).
    #[arg(long, value_delimiter = ',', value_name = "[X:]Y")]
    pub plot: Vec<String>,
    /// Write no charts.
    #[arg(long)]
    pub no_plot: bool,
    /// No progress bar and no closing summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the command; returns the exit status.
pub fn run(args: SweepArgs, mechanisms: &Mechanisms) -> i32 {
    match sweep(args, mechanisms) {
        Ok(status) => status,
        Err(msg) => {
            errln!("error: {msg}");
            super::EXIT_BAD_INPUT
        }
    }
}

fn sweep(args: SweepArgs, mechanisms: &Mechanisms) -> Result<i32, String> {
    let params: Vec<Param> = args
        .params
        .iter()
        .map(|p| Param::parse(p))
        .collect::<Result<_, _>>()?;
    let seeds: Vec<Option<u64>> = match &args.seeds {
        Some(s) => grid::parse_seeds(s)?.into_iter().map(Some).collect(),
        None => vec![None],
    };
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let first = scenario::load_file(&args.scenario, &args.set).map_err(|e| e.to_string())?;
    let base = Base {
        path: args.scenario.clone(),
        fixed: args.set.clone(),
        loads: first.loads.len(),
    };
    let points: Vec<_> = grid::points(&params)
        .into_iter()
        .filter(|p| shard.map_or(true, |s| s.owns(p.index)))
        .collect();
    // Every point is checked before anything runs: a typo is exit 2, not N error rows.
    for p in &points {
        let s =
            scenario::load_file(&base.path, &base.overrides(p, None)).map_err(|e| e.to_string())?;
        mechanisms.check(&s).map_err(|e| e.to_string())?;
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let mut d = format!("results/sweep-{}", first.name);
        if let Some(s) = shard {
            d.push_str(&format!("-shard{}of{}", s.index, s.count));
        }
        PathBuf::from(d)
    });
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let total = points.len() * seeds.len();
    let jobs = args.jobs.unwrap_or_else(runner::default_jobs).max(1);
    let bar = progress_bar(args.quiet, total as u64);
    let wall = Instant::now();
    let rows = runner::run_all(mechanisms, &base, &points, &seeds, jobs, |row| {
        if let Some(b) = &bar {
            if row.outcome != Outcome::Ok {
                b.println(format!(
                    "point {} seed {}: {}",
                    row.point,
                    row.seed,
                    row.outcome.as_str()
                ));
            }
            b.inc(1);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let wall = wall.elapsed();

    let keys: Vec<String> = params.iter().map(|p| p.key.clone()).collect();
    let failures: String = rows
        .iter()
        .filter(|r| r.outcome != Outcome::Ok)
        .map(|r| {
            let at: Vec<String> = keys
                .iter()
                .zip(&r.params)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(
                "== point {} ({}) seed {}: {}\n{}\n",
                r.point,
                at.join(", "),
                r.seed,
                r.outcome.as_str(),
                r.report.trim_end()
            )
        })
        .collect();
    let table = SweepTable::new(keys, rows);
    let stats = aggregate::aggregate(&table);
    let write = |name: &str, text: &str| {
        fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write("sweep.csv", &table.to_csv())?;
    write("aggregate.csv", &aggregate::to_csv(&table.params, &stats))?;
    let failures_path = out.join("failures.txt");
    if failures.is_empty() {
        let _ = fs::remove_file(&failures_path);
    } else {
        write("failures.txt", &failures)?;
    }
    let charts = if args.no_plot {
        Vec::new()
    } else {
        charts(&table, &args.plot, &out.join("charts"))
    };

    if !args.quiet {
        let mut counts: Vec<(Outcome, usize)> = Vec::new();
        for r in &table.rows {
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
        outln!(
            "  sweep      {} points x {} seeds = {} runs on {} threads{}",
            points.len(),
            seeds.len(),
            total,
            jobs.min(total.max(1)),
            shard.map(|s| format!(" (shard {s})")).unwrap_or_default()
        );
        outln!("  outcomes   {}", counts.join(", "));
        outln!("  wall       {:.1} s", wall.as_secs_f64());
        outln!("  results    {}", out.join("sweep.csv").display());
        outln!("             {}", out.join("aggregate.csv").display());
        if !failures.is_empty() {
            outln!("             {}", failures_path.display());
        }
        for c in &charts {
            outln!("  chart      {}", c.display());
        }
    }
    Ok(0)
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

fn progress_bar(quiet: bool, total: u64) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::new(total);
    b.set_style(
        ProgressStyle::with_template(
            "{spinner} runs {pos:>5}/{len} [{bar:40}] {percent}% ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    Some(b)
}
