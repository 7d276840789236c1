//! `p2psim check`: many schedules of a scenario across cores; the first
//! failure shrunk, reported and written to a file that `p2psim replay` runs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::sim::check::{Check, Failure, FailureKind, Strategy, MAX_JOBS};
use crate::sim::scenario::{parse_duration, CheckSpec, Scenario, MAX_SCHEDULES};
use crate::sim::schedule::MAX_PCT_DEPTH;
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
                "  check      {} schedules of {} ({what}) passed in {:.2} s: {}",
                stats.schedules,
                scenario.name,
                stats.wall.as_secs_f64(),
                rate(stats.schedules_per_s())
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
            if failure.kind == FailureKind::Limit {
                errln!(
                    "p2psim: check stopped in schedule {}: {}",
                    failure.index,
                    failure.report.trim_end()
                );
                return super::EXIT_SIM_FAILED;
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

/// The check the arguments ask for over the scenario's `[check]` (read as
/// `check::explore` reads it: `Check::configure`).
fn settings(args: &CheckArgs, scenario: &Scenario) -> Result<Check, String> {
    let jitter = match &args.jitter {
        Some(text) => Some(parse_duration(text).map_err(|e| {
            format!("--jitter {text}: {e}; write it like 5ms, 200us or 0.01 (seconds)")
        })?),
        None => None,
    };
    if args.depth == Some(0) {
        return Err("--depth 0: PCT's depth is at least 1".to_string());
    }
    let asked = CheckSpec {
        strategy: args.strategy.map(|s| match s {
            StrategyArg::Pct => "pct".to_string(),
            StrategyArg::Random => "random".to_string(),
            StrategyArg::Jitter => "jitter".to_string(),
        }),
        depth: args.depth,
        jitter: jitter.map(|j| j.as_secs_f64()),
        schedules: args.schedules,
    };
    let mut check = Check::configure(&scenario.check, &asked)?;
    if let Some(j) = args.jobs {
        check.jobs = j as usize;
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

/// How fast schedules ran, in the unit that shows it: per second, or seconds
/// each when a schedule takes longer than a second.
fn rate(per_s: f64) -> String {
    match per_s {
        r if r >= 10.0 => format!("{r:.0} schedules/s"),
        r if r >= 1.0 => format!("{r:.1} schedules/s"),
        r if r > 0.0 => format!("{:.1} s per schedule", 1.0 / r),
        _ => "no schedule run".to_string(),
    }
}

/// The strategy in words, for the closing line.
fn describe(check: &Check) -> String {
    let mut s = match check.strategy {
        Strategy::Pct { depth } => format!("pct, depth {depth}"),
        other => other.name().to_string(),
    };
    if let Some(j) = check.message_jitter() {
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

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn a_slow_check_says_seconds_per_schedule_not_zero_per_second() {
        assert_eq!(rate(14_912.3), "14912 schedules/s");
        assert_eq!(rate(2.46), "2.5 schedules/s");
        assert_eq!(rate(0.25), "4.0 s per schedule");
        assert_eq!(rate(0.0), "no schedule run");
    }
}
