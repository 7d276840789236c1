//! `p2psim run`: run one scenario, show a summary, write `summary.json` and CSVs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::results::dir::{ResultDir, Reuse};
use crate::results::file;
use crate::sim::engine::{RunFailure, RunOptions};
use crate::sim::scenario::{self, Scenario};
use crate::sim::{Mechanisms, Summary};

use super::output;

/// Arguments of `p2psim run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override the scenario's seed.
    #[arg(long, value_parser = super::seed_arg())]
    pub seed: Option<u64>,
    /// Output directory (default: the scenario's output.dir, else results/NAME-SEED/,
    /// or results/NAME-SEED-2/, -3/, ... when that holds an earlier result).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the results in a directory that holds earlier ones (what the
    /// earlier result wrote is removed first, so nothing is mixed).
    #[arg(long)]
    pub force: bool,
    /// Override any scenario key: --set pool.capacity=32 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar and no summary table (files are still written).
    #[arg(long)]
    pub quiet: bool,
    /// Write the run's Perfetto trace (Chrome trace-event JSON) here; open it in ui.perfetto.dev.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// Most events the trace records; past it, the file says it stopped.
    #[arg(long, default_value_t = crate::sim::perfetto::DEFAULT_LIMIT)]
    pub trace_limit: usize,
}

/// Loads a scenario with the command line's overrides and checks it for
/// `mechanisms`; prints the error.
pub fn load(
    path: &Path,
    set: &[String],
    seed: Option<u64>,
    mechanisms: &Mechanisms,
) -> Option<Scenario> {
    let mut overrides = set.to_vec();
    if let Some(s) = seed {
        overrides.push(format!("seed={s}"));
    }
    let checked = scenario::load_file(path, &overrides).and_then(|s| {
        mechanisms.check(&s)?;
        Ok(s)
    });
    match checked {
        Ok(s) => Some(s),
        Err(e) => {
            errln!("{e}");
            None
        }
    }
}

/// Runs the command; returns the exit status.
pub fn run(args: RunArgs, mechanisms: &Mechanisms) -> i32 {
    let Some(scenario) = load(&args.scenario, &args.set, args.seed, mechanisms) else {
        return super::EXIT_BAD_INPUT;
    };
    // Where the results go is settled before the run: a refused directory or
    // an unwritable trace costs no simulation.
    let claimed = out_dir(&args, &scenario).and_then(|dir| {
        if let Some(t) = &args.trace {
            file::writable(t, "--trace")?;
        }
        Ok(dir)
    });
    let mut dir = match claimed {
        Ok(d) => d,
        Err(msg) => {
            errln!("error: {msg}");
            return super::EXIT_BAD_INPUT;
        }
    };
    let bar = progress_bar(args.quiet, scenario.duration_s);
    let mut progress = |now: crate::runtime::SimTime, end: Option<crate::runtime::SimTime>| {
        if let Some(b) = &bar {
            match end {
                Some(_) => b.set_position((now.as_secs_f64() * 1000.0) as u64),
                None => b.set_message(format!("virtual time {:.3} s", now.as_secs_f64())),
            }
        }
    };
    let options = RunOptions {
        progress: Some(&mut progress),
        trace: args.trace.as_ref().map(|_| args.trace_limit),
        ..RunOptions::default()
    };
    let result = match mechanisms.run(&scenario, options) {
        Ok(result) => result,
        Err(e) => {
            errln!("{e}");
            return super::EXIT_BAD_INPUT;
        }
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let trace = match (&args.trace, summary_of(&result)) {
        (Some(path), Some(summary)) => write_trace(&mut dir, path, summary),
        _ => Ok(()),
    };
    let status = match result {
        Ok(out) => {
            if !args.quiet {
                out!("{}", output::table(&out.summary, out.headline.as_deref()));
                outln!("  results    {}", dir.path().display());
            }
            finish(&mut dir, &out.summary, &out.series, scenario.output.csv, 0)
        }
        Err(RunFailure::Setup(msg)) => {
            errln!("error: {}: {msg}", args.scenario.display());
            return super::EXIT_BAD_INPUT;
        }
        Err(RunFailure::Simulation { error, mut summary }) => {
            errln!("p2psim: simulation failed\n{error}");
            if let Some(help) = crate::sim::limits::help(&error) {
                errln!("  help: {help}");
            }
            summary.failure = Some(error.to_string());
            errln!("  summary    {}", dir.path().join("summary.json").display());
            finish(&mut dir, &summary, &[], false, super::EXIT_SIM_FAILED)
        }
        Err(RunFailure::Invariant {
            message,
            mut summary,
        }) => {
            errln!("p2psim: simulation failed: invariant violated: {message}");
            summary.failure = Some(message);
            errln!("  summary    {}", dir.path().join("summary.json").display());
            finish(&mut dir, &summary, &[], false, super::EXIT_SIM_FAILED)
        }
    };
    match trace {
        Err(msg) if status == 0 => {
            errln!("error: {msg}");
            super::EXIT_BAD_INPUT
        }
        Err(msg) => {
            errln!("error: {msg}");
            status
        }
        Ok(()) => status,
    }
}

/// The run's results directory, claimed: `--out` or the scenario's
/// `output.dir` as named (refused when it holds earlier results, unless
/// `--force`), else the first free `results/NAME-SEED[-N]/`.
fn out_dir(args: &RunArgs, scenario: &Scenario) -> Result<ResultDir, String> {
    match args.out.as_ref().or(scenario.output.dir.as_ref()) {
        Some(d) => ResultDir::claim(d, Reuse::force_if(args.force), "--out"),
        None => ResultDir::fresh(&results_path(&format!(
            "{}-{}",
            scenario.name, scenario.seed
        ))),
    }
}

/// `results/NAME`: where a command's results go by default.
pub fn results_path(name: &str) -> PathBuf {
    Path::new("results").join(name)
}

/// The summary of a run that got far enough to have one.
fn summary_of(
    result: &Result<crate::sim::engine::RunOutput<serde_json::Value>, RunFailure>,
) -> Option<&Summary> {
    match result {
        Ok(out) => Some(&out.summary),
        Err(e) => e.summary(),
    }
}

/// Writes the run's trace (recorded in the results' manifest when it lies
/// inside their directory).
fn write_trace(dir: &mut ResultDir, path: &Path, summary: &Summary) -> Result<(), String> {
    let Some(text) = &summary.trace else {
        return Ok(());
    };
    if let Some(name) = inside(dir.path(), path) {
        dir.record(&[name])?;
    }
    std::fs::write(path, text.as_bytes())
        .map_err(|e| format!("cannot write the trace to {}: {e}", path.display()))?;
    errln!(
        "  trace      {} (open it in ui.perfetto.dev)",
        path.display()
    );
    Ok(())
}

/// The name of `path` when it is a file directly inside `dir`.
fn inside(dir: &Path, path: &Path) -> Option<String> {
    let parent = path.parent()?.canonicalize().ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    (parent == dir.canonicalize().ok()?).then_some(name)
}

fn finish(
    dir: &mut ResultDir,
    summary: &Summary,
    series: &[crate::sim::observe::Series],
    csv: bool,
    status: i32,
) -> i32 {
    let written = output::entries(series, csv);
    match dir
        .record(&written)
        .and_then(|()| output::write(dir.path(), summary, series, csv).map_err(|e| e.to_string()))
    {
        Ok(()) => status,
        Err(e) => {
            errln!(
                "error: cannot write results to {}: {e}\n  help: choose another directory with --out",
                dir.path().display()
            );
            super::EXIT_BAD_INPUT
        }
    }
}

fn progress_bar(quiet: bool, duration: Option<f64>) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match duration {
        Some(d) => {
            let b = ProgressBar::new((d * 1000.0) as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} virtual {pos:>8}/{len} ms [{bar:40}] {percent}% ({elapsed})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        }
        None => {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b
        }
    };
    Some(bar)
}
