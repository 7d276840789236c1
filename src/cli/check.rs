//! `p2psim check`: many schedules of a scenario across cores; the first
//! failure shrunk, reported and written to a file that `p2psim replay` runs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::sim::check::{Check, Failure, FailureKind, Strategy};
use crate::sim::scenario::{parse_duration, Scenario};
use crate::sim::shard::Shard;
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
    /// How many schedules to run (default: `[check] schedules`, else 1000).
    #[arg(long)]
    pub schedules: Option<u64>,
    /// What explores the schedules (default: `[check] strategy`, else pct).
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// PCT's bug depth: how many orderings must line up (default: `[check] depth`, else 3).
    #[arg(long)]
    pub depth: Option<u32>,
    /// Extra delay per message, within this bound: "5ms", "200us", "0.01"
    /// (default: `[check] jitter`; required by --strategy jitter).
    #[arg(long)]
    pub jitter: Option<String>,
    /// OS threads running schedules (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Also fail on: timeout-cycle.
    #[arg(long = "fail-on", value_enum)]
    pub fail_on: Vec<FailOn>,
    /// Override any scenario key: --set pool.capacity=32 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where to write the failing schedule (default: failure.json, or
    /// failure-2.json, -3, ... beside an earlier one; with --shard,
    /// failure-shardIofN.json).
    #[arg(long)]
    pub failure: Option<PathBuf>,
    /// Replace the --failure file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Run only schedules i+1, i+1+n, i+1+2n, ... of --schedules (0 <= i < n),
    /// to split a check across machines: the n shards together run the
    /// unsharded check's schedules.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
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
    let check = match settings(&args, &scenario).and_then(|c| {
        outputs_writable(&args)?;
        Ok(c)
    }) {
        Ok(c) => c,
        Err(msg) => {
            errln!("error: {msg}");
            return super::EXIT_BAD_INPUT;
        }
    };
    let bar = progress_bar(args.quiet, check.owned());
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
            if let Some(s) = check.shard {
                outln!(
                    "  shard      {s}: schedules {}, {}, ... of {} (the other shards run the rest)",
                    s.index + 1,
                    s.index + 1 + s.count,
                    check.schedules
                );
            }
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
            if let Err(e) = save(&mut failure, &args, check.shard) {
                errln!("error: {e}; the failure is not saved");
            }
            errln!("p2psim: check failed: {failure}");
            if let Some(path) = &args.trace {
                super::replay::write_trace(mechanisms, &failure, path);
            }
            super::EXIT_SIM_FAILED
        }
    }
}

/// Checks before the run that the failure file and the trace can be written
/// (an explicit --failure that exists is refused unless --force).
fn outputs_writable(args: &CheckArgs) -> Result<(), String> {
    if let Some(f) = &args.failure {
        crate::results::file::unclaimed(f, "--failure", args.force)?;
    }
    if let Some(t) = &args.trace {
        crate::results::file::writable(t, "--trace")?;
    }
    Ok(())
}

/// Saves the failure to --failure, else to a fresh default name, with the
/// command that replays it.
fn save(failure: &mut Failure, args: &CheckArgs, shard: Option<Shard>) -> Result<(), String> {
    let path = match &args.failure {
        Some(p) => p.clone(),
        None => {
            let base = match shard {
                Some(s) => format!("failure-shard{}of{}.json", s.index, s.count),
                None => "failure.json".to_string(),
            };
            crate::results::file::fresh(Path::new(&base))
                .map_err(|e| format!("cannot write {base}: {e}"))?
                .0
        }
    };
    failure
        .save_as(&path, &super::program::command())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
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
        Some(text) => Some(parse_duration(text).ok_or_else(|| {
            format!("--jitter {text}: not a duration; write it like 5ms, 200us or 0.01 (seconds)")
        })?),
        None => spec.jitter,
    }
    .map(Duration::from_secs_f64);
    if strategy == StrategyArg::Jitter && !jitter.is_some_and(|j| !j.is_zero()) {
        return Err(
            "--strategy jitter needs a bound: add --jitter 5ms (or `jitter = \"5ms\"` in [check])"
                .to_string(),
        );
    }
    let depth = args.depth.or(spec.depth).unwrap_or(3);
    if depth == 0 {
        return Err("--depth 0: PCT's depth is at least 1".to_string());
    }
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
        check.jobs = j.max(1);
    }
    check.fail_on_timeout_cycle = args.fail_on.contains(&FailOn::TimeoutCycle);
    if args.no_shrink {
        check.shrink_budget = 0;
    }
    check.shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s).map_err(|e| format!("--shard {e}")))
        .transpose()?;
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
