//! `p2psim run`: run one scenario, show a summary, write `summary.json` and CSVs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

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
    /// Output directory (default: the scenario's output.dir, else results/NAME-SEED/).
    #[arg(long)]
    pub out: Option<PathBuf>,
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
    let out_dir = args
        .out
        .clone()
        .or_else(|| scenario.output.dir.clone())
        .unwrap_or_else(|| PathBuf::from(format!("results/{}-{}", scenario.name, scenario.seed)));
    if let (Some(path), Some(summary)) = (&args.trace, summary_of(&result)) {
        write_trace(path, summary);
    }
    match result {
        Ok(out) => {
            if !args.quiet {
                out!("{}", output::table(&out.summary, out.headline.as_deref()));
            }
            finish(&out_dir, &out.summary, &out.series, scenario.output.csv, 0)
        }
        Err(RunFailure::Setup(msg)) => {
            errln!("error: {}: {msg}", args.scenario.display());
            super::EXIT_BAD_INPUT
        }
        Err(RunFailure::Simulation { error, mut summary }) => {
            errln!("p2psim: simulation failed\n{error}");
            if let Some(help) = crate::sim::limits::help(&error) {
                errln!("  help: {help}");
            }
            summary.failure = Some(error.to_string());
            finish(&out_dir, &summary, &[], false, super::EXIT_SIM_FAILED)
        }
        Err(RunFailure::Invariant {
            message,
            mut summary,
        }) => {
            errln!("p2psim: simulation failed: invariant violated: {message}");
            summary.failure = Some(message);
            finish(&out_dir, &summary, &[], false, super::EXIT_SIM_FAILED)
        }
    }
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

/// Writes the run's trace, or says why it could not.
fn write_trace(path: &Path, summary: &Summary) {
    let Some(text) = &summary.trace else { return };
    match std::fs::write(path, text.as_bytes()) {
        Ok(()) => errln!(
            "  trace      {} (open it in ui.perfetto.dev)",
            path.display()
        ),
        Err(e) => errln!("warning: cannot write the trace to {}: {e}", path.display()),
    }
}

fn finish(
    dir: &Path,
    summary: &Summary,
    series: &[crate::sim::observe::Series],
    csv: bool,
    status: i32,
) -> i32 {
    match output::write(dir, summary, series, csv) {
        Ok(()) => status,
        Err(e) => {
            errln!("error: cannot write results to {}: {e}\n  help: choose another directory with --out", dir.display());
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
