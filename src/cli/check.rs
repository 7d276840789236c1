//! `p2psim check`: many schedules of a scenario across cores; the first
//! failure shrunk, reported and written to a file that `p2psim replay` runs.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::runtime::duration_from_secs;
use crate::sim::check::{Check, FailureKind, Strategy, MAX_JOBS};
use crate::sim::scenario::{parse_duration, Scenario, MAX_SCHEDULES};
use crate::sim::schedule::MAX_PCT_DEPTH;
use crate::sim::Mechanisms;

/// The strategies on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// PCT: random task priorities, `--depth` - 1 priority changes per run.
    Pct,
    /// A seeded uniform pick among the tasks ready at the same instant.
    Random,
    /// FIFO order, every message delayed by up to `--jitter`.
    Jitter,
}

/// What else counts as a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A wait-for cycle that only a timeout broke.
    TimeoutCycle,
}

/// Arguments of `p2psim check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// How many schedules to run, 1 or more (default: `[check] schedules`, else 1000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_SCHEDULES))]
    pub schedules: Option<u64>,
    /// What explores the schedules (default: `[check] strategy`, else pct).
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// PCT's bug depth, 1 to 64: how many orderings must line up (default: `[check] depth`, else 3).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PCT_DEPTH)))]
    pub depth: Option<u32>,
    /// Extra delay per message, within this bound: "5ms", "200us", "0.01"
    /// (default: `[check] jitter`; required by --strategy jitter).
    #[arg(long)]
    pub jitter: Option<String>,
    /// OS threads running schedules, 1 to 1024 (default: every core).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_JOBS as u64))]
    pub jobs: Option<u64>,
    /// Also fail on: timeout-cycle.
    #[arg(long = "fail-on", value_enum)]
    pub fail_on: Vec<FailOn>,
    /// Override any scenario key: --set pool.capacity=32 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long, value_parser = super::seed_arg())]
    pub seed: Option<u64>,
    /// Where to write the failing schedule.
    #[arg(long, default_value = "failure.json")]
    pub failure: PathBuf,
    /// Report a failure as found, without shrinking it.
    #[arg(long)]
    pub no_shrink: bool,
    /// Write the failing run's Perfetto trace (Chrome trace-event JSON) here.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the command; returns the exit status.
pub fn run(args: CheckArgs, mechanisms: &Mechanisms) -> i32 {
    let Some(scenario) = super::run::load(&args.scenario, &args.set, args.seed, mechanisms) else {
        return super::EXIT_BAD_INPUT;
    };
    let check = match settings(&args, &scenario) {
        Ok(c) => c,
        Err(msg) => {
            errln!("error: {msg}");
            return super::EXIT_BAD_INPUT;
        }
    };
    let bar = progress_bar(args.quiet, check.schedules);
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = check.run(mechanisms, &scenario, &progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let what = describe(&check);
    match result {
        Ok(stats) => {
            outln!(
                "  check      {} schedules of {} ({what}) passed in {:.2} s: {:.0} schedules/s",
                stats.schedules,
                scenario.name,
                stats.wall.as_secs_f64(),
                stats.schedules_per_s()
            );
            if stats.timeout_cycles > 0 {
                outln!(
                    "  waits      {} wait-for cycles closed that only a timeout broke (--fail-on timeout-cycle makes them failures)",
                    stats.timeout_cycles
                );
            }
            0
        }
        Err(mut failure) => {
            if failure.kind == FailureKind::Invalid {
                errln!("error: {}", failure.report);
                return super::EXIT_BAD_INPUT;
            }
            if failure.kind == FailureKind::Limit {
                errln!(
                    "p2psim: check stopped in schedule {}: {}",
                    failure.index,
                    failure.report.trim_end()
                );
                return super::EXIT_SIM_FAILED;
            }
            if let Err(e) = failure.save(&args.failure) {
                errln!(
                    "warning: cannot write {}: {e}; the failure is not saved",
                    args.failure.display()
                );
            }
            errln!("p2psim: check failed: {failure}");
            if let Some(path) = &args.trace {
                super::replay::write_trace(mechanisms, &failure, path);
            }
            super::EXIT_SIM_FAILED
        }
    }
}

/// The check the arguments and the scenario's `[check]` ask for.
fn settings(args: &CheckArgs, scenario: &Scenario) -> Result<Check, String> {
    let spec = &scenario.check;
    let strategy = match args.strategy {
        Some(s) => s,
        None => match spec.strategy.as_deref() {
            Some("random") => StrategyArg::Random,
            Some("jitter") => StrategyArg::Jitter,
            _ => StrategyArg::Pct,
        },
    };
    let jitter = match &args.jitter {
        Some(text) => Some(parse_duration(text).map_err(|e| {
            format!("--jitter {text}: {e}; write it like 5ms, 200us or 0.01 (seconds)")
        })?),
        None => spec
            .jitter
            .map(|s| duration_from_secs(s).map_err(|e| format!("[check] jitter: {e}")))
            .transpose()?,
    };
    if strategy == StrategyArg::Jitter && !jitter.is_some_and(|j| !j.is_zero()) {
        return Err(
            "--strategy jitter needs a bound: add --jitter 5ms (or `jitter = \"5ms\"` in [check])"
                .to_string(),
        );
    }
    let depth = args.depth.or(spec.depth).unwrap_or(3);
    let mut check = Check::new(
        match strategy {
            StrategyArg::Pct => Strategy::Pct { depth },
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Jitter => Strategy::Jitter,
        },
        args.schedules.or(spec.schedules).unwrap_or(1000),
    );
    check.jitter = jitter;
    if let Some(j) = args.jobs {
        check.jobs = j as usize;
    }
    check.fail_on_timeout_cycle = args.fail_on.contains(&FailOn::TimeoutCycle);
    if args.no_shrink {
        check.shrink_budget = 0;
    }
    Ok(check)
}

/// The strategy in words, for the closing line.
fn describe(check: &Check) -> String {
    let mut s = match check.strategy {
        Strategy::Pct { depth } => format!("pct, depth {depth}"),
        other => other.name().to_string(),
    };
    if let Some(j) = check.jitter {
        s.push_str(&format!(", jitter {j:?}"));
    }
    s
}

fn progress_bar(quiet: bool, total: u64) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::new(total);
    b.set_style(
        ProgressStyle::with_template(
            "{spinner} schedules {pos:>6}/{len} [{bar:40}] {percent}% ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    Some(b)
}
