//! Property tests for deadlock freedom: many schedules of one scenario, the
//! first failure shrunk and written to a file that replays it.
//!
//! A schedule is a strategy ([`Strategy`]) with a seed: schedule `i` of a
//! check has seed `i`. Each runs the whole scenario; a run fails when it
//! deadlocks (all tasks, or a wait-for cycle that closes while others run),
//! a task panics, the mechanism's `check()` is violated, or, when asked, a
//! wait-for cycle closes that only a timeout breaks. The first failing
//! schedule (the lowest seed, whatever the threads' timing) is shrunk (see
//! [`shrink`](self)) and reported with the command that replays it.
//!
//! ```no_run
//! use std::time::Duration;
//! use p2psim_sim::check::{self, Strategy};
//! # fn demo<M: p2psim_sim::Mechanism>(scenario: &p2psim_sim::scenario::Scenario) {
//! match check::explore::<M>(scenario, Strategy::Pct { depth: 3 }, 1_000) {
//!     Ok(stats) => println!("{} schedules passed", stats.schedules),
//!     Err(failure) => panic!("{failure}"),
//! }
//! // The jitter strategy carries its bound: there is no jitter check without one.
//! let jitter = Strategy::Jitter { bound: Duration::from_millis(5) };
//! if let Err(failure) = check::explore::<M>(scenario, jitter, 1_000) {
//!     panic!("{failure}");
//! }
//! # }
//! ```

mod ddmin;
mod failure;
mod file;
mod settings;
#[cfg(test)]
mod sharding_test;
mod shrink;
mod signature;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use p2psim_runtime::{DecisionLog, SimError};

use crate::engine::{RunFailure, RunOptions};
use crate::mechanism::Mechanism;
use crate::registry::Mechanisms;
use crate::scenario::{CheckSpec, Scenario};
use crate::shard::Shard;
use crate::summary::Summary;
use signature::Signature;

pub use crate::schedule::{Schedule, Strategy};
pub use failure::{replay, trace, Failure, FailureKind, Replayed, Saved, Size};

/// Explores `schedules` schedules of `scenario` with mechanism `M` under
/// `strategy`, on this thread, reading the scenario's `[check]` as `p2psim
/// check --strategy ... --schedules ...` does (its `jitter` also jitters pct
/// and random; see [`Check::configure`]). A strategy that explores nothing
/// (FIFO, a zero jitter bound) is an error of kind
/// [`FailureKind::Invalid`], never a pass.
pub fn explore<M: Mechanism>(
    scenario: &Scenario,
    strategy: Strategy,
    schedules: u64,
) -> Result<Stats, Box<Failure>> {
    let asked = CheckSpec {
        strategy: Some(strategy.name().to_string()),
        depth: match strategy {
            Strategy::Pct { depth } => Some(depth),
            _ => None,
        },
        jitter: strategy.bound().map(|b| b.as_secs_f64()),
        schedules: Some(schedules),
    };
    let mut check = match Check::configure(&scenario.check, &asked) {
        Ok(check) => check,
        Err(report) => return Err(Box::new(Failure::invalid(scenario, report))),
    };
    // The bound as given, not through seconds as a float.
    check.strategy = strategy;
    check.jobs = 1;
    check.run(&Mechanisms::new().with::<M>(), scenario, &|_| {})
}

/// The most OS threads a check runs schedules on (`--jobs`): past the cores,
/// more only share them, and each costs a thread stack and a runtime.
pub const MAX_JOBS: usize = 1024;

/// The settings of a check.
#[derive(Clone, Debug)]
pub struct Check {
    /// What explores the choices.
    pub strategy: Strategy,
    /// How many schedules to run.
    pub schedules: u64,
    /// The most extra delay a message gets under an order strategy (pct,
    /// random); `Strategy::Jitter` carries its own bound (leave this `None`,
    /// or the same). See [`Check::message_jitter`].
    pub jitter: Option<Duration>,
    /// OS threads running schedules (at most [`MAX_JOBS`]).
    pub jobs: usize,
    /// Whether a wait-for cycle that a timeout broke is a failure.
    pub fail_on_timeout_cycle: bool,
    /// Most runs spent shrinking a failure (0: report it unshrunk).
    pub shrink_budget: usize,
    /// Record a Perfetto trace (at most this many events) of every run.
    pub trace: Option<usize>,
    /// Run only this shard's schedules (schedule `s`, from 1, is shard
    /// `(s - 1) mod n`'s); `None`: all of them.
    pub shard: Option<Shard>,
}

impl Check {
    /// A check of `schedules` schedules under `strategy`, on every core.
    pub fn new(strategy: Strategy, schedules: u64) -> Self {
        Check {
            strategy,
            schedules,
            jitter: None,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            fail_on_timeout_cycle: false,
            shrink_budget: 2_000,
            trace: None,
            shard: None,
        }
    }

    /// How many schedules this check runs (its shard's share).
    pub fn owned(&self) -> u64 {
        match self.shard {
            None => self.schedules,
            Some(s) => s.owned(usize::try_from(self.schedules).unwrap_or(usize::MAX)) as u64,
        }
    }

    /// The seed of the `k`-th (from 0) schedule this check runs.
    pub fn nth_schedule(&self, k: u64) -> Option<u64> {
        (k < self.owned()).then(|| match self.shard {
            None => k + 1,
            Some(s) => s.nth(k as usize) as u64 + 1,
        })
    }

    /// Runs the check; `progress(done)` is called as schedules finish. A
    /// check that cannot run as set ([`Check::validate`]) fails at once, as
    /// [`FailureKind::Invalid`].
    pub fn run(
        &self,
        mechanisms: &Mechanisms,
        scenario: &Scenario,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Stats, Box<Failure>> {
        if let Err(report) = self.validate() {
            return Err(Box::new(Failure::invalid(scenario, report)));
        }
        let wall = Instant::now();
        // The FIFO run first: it must pass too, and it says how many choices a
        // run makes (PCT places its priority changes among them).
        let fifo = Schedule {
            replay: Some(Arc::new(DecisionLog::default())),
            jitter: self.message_jitter(),
            ..Schedule::fifo()
        };
        let baseline = match attempt(mechanisms, scenario, &fifo, None, self) {
            Attempt::Failed(f) => return Err(self.finish(mechanisms, scenario, fifo, 0, *f)),
            Attempt::Passed(s) => s,
        };
        let steps = baseline.schedule.choice_points.max(1);
        let first_failure = AtomicU64::new(u64::MAX);
        let failures: Mutex<Vec<(u64, Schedule, Box<Failed>)>> = Mutex::new(Vec::new());
        let next = AtomicU64::new(0);
        let done = AtomicU64::new(0);
        let timeout_cycles = AtomicU64::new(baseline.waits.timeout_cycles);
        let owned = usize::try_from(self.owned().max(1)).unwrap_or(usize::MAX);
        let threads = self.jobs.clamp(1, MAX_JOBS).min(owned);
        let (next, done, first, failed_runs) = (&next, &done, &first_failure, &failures);
        let timeout_cycles = &timeout_cycles;
        // One worker: schedules in turn until none is left (or one past the first failure).
        let work = |scenario: Scenario| loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let next_seed = self.nth_schedule(k);
            let Some(seed) = next_seed.filter(|&s| s <= first.load(Ordering::Relaxed)) else {
                break;
            };
            let schedule = Schedule {
                strategy: self.strategy,
                seed,
                jitter: self.message_jitter(),
                steps,
                replay: None,
            };
            match attempt(mechanisms, &scenario, &schedule, None, self) {
                Attempt::Passed(s) => {
                    timeout_cycles.fetch_add(s.waits.timeout_cycles, Ordering::Relaxed);
                }
                Attempt::Failed(f) => {
                    first.fetch_min(seed, Ordering::Relaxed);
                    failed_runs
                        .lock()
                        .expect("no thread panics holding it")
                        .push((seed, schedule, f));
                }
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        };
        crossbeam::scope(|scope| {
            for _ in 1..threads {
                let scenario = scenario.clone();
                // A machine that gives no more threads runs the check on fewer.
                if scope.builder().spawn(move |_| work(scenario)).is_err() {
                    break;
                }
            }
            work(scenario.clone());
        })
        .expect("check threads do not panic: runs are caught");
        let mut failures = failures.into_inner().expect("no thread panicked");
        failures.sort_by_key(|(seed, _, _)| *seed);
        if let Some((seed, schedule, failed)) = failures.into_iter().next() {
            return Err(self.finish(mechanisms, scenario, schedule, seed, *failed));
        }
        Ok(Stats {
            schedules: done.load(Ordering::Relaxed),
            wall: wall.elapsed(),
            choice_points: steps,
            timeout_cycles: timeout_cycles.load(Ordering::Relaxed),
        })
    }

    /// Shrinks a failing run and wraps it as the failure reported.
    fn finish(
        &self,
        mechanisms: &Mechanisms,
        scenario: &Scenario,
        schedule: Schedule,
        index: u64,
        failed: Failed,
    ) -> Box<Failure> {
        // A limit is no bug of the schedule's: there is nothing to shrink.
        let unshrunk;
        let check = match failed.kind {
            FailureKind::Limit => {
                unshrunk = Check {
                    shrink_budget: 0,
                    ..self.clone()
                };
                &unshrunk
            }
            _ => self,
        };
        Box::new(shrink::shrink(
            mechanisms, scenario, schedule, index, failed, check,
        ))
    }
}

/// What a check that passed measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Schedules run (besides the FIFO run).
    pub schedules: u64,
    /// Wall-clock time of the check.
    pub wall: Duration,
    /// Run-queue choices of the FIFO run.
    pub choice_points: u64,
    /// Wait-for cycles that a timeout broke, over every schedule.
    pub timeout_cycles: u64,
}

impl Stats {
    /// Schedules run per second of wall time.
    pub fn schedules_per_s(&self) -> f64 {
        self.schedules as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// One failing run, before it is shrunk and reported.
#[derive(Clone, Debug)]
pub(crate) struct Failed {
    pub kind: FailureKind,
    pub report: String,
    pub summary: Summary,
    /// What a shrunk case must keep of it.
    pub signature: Signature,
}

/// How one run of a check ended.
pub(crate) enum Attempt {
    Passed(Box<Summary>),
    Failed(Box<Failed>),
}

/// Runs `scenario` once under `schedule` (issuing only `requests`, when given)
/// and says whether it failed as a check counts failures.
pub(crate) fn attempt(
    mechanisms: &Mechanisms,
    scenario: &Scenario,
    schedule: &Schedule,
    requests: Option<&std::collections::BTreeSet<(usize, u64)>>,
    check: &Check,
) -> Attempt {
    let options = RunOptions {
        schedule: schedule.clone(),
        requests: requests.cloned(),
        trace: check.trace,
        ..RunOptions::default()
    };
    let failed = |signature: Signature, report: String, summary: Summary| {
        Attempt::Failed(Box::new(Failed {
            kind: signature.kind(),
            report,
            summary,
            signature,
        }))
    };
    let plain = |kind, report: &str| Signature::new(kind, [report.to_string()]);
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        mechanisms.run(scenario, options)
    }));
    let Ok(run) = run else {
        let report = "a mechanism panicked outside its tasks (in install, report or check)";
        let signature = plain(FailureKind::Panic, report);
        return failed(signature, report.to_string(), Summary::default());
    };
    match run {
        Err(e) => {
            let report = e.to_string();
            failed(
                plain(FailureKind::Invalid, &report),
                report,
                Summary::default(),
            )
        }
        Ok(Err(RunFailure::Setup(m))) => {
            failed(plain(FailureKind::Invalid, &m), m, Summary::default())
        }
        Ok(Err(RunFailure::Simulation { error, summary })) => {
            let kind = match &error {
                SimError::Deadlock(d) if d.partial => FailureKind::PartialDeadlock,
                SimError::Deadlock(_) => FailureKind::Deadlock,
                SimError::TaskPanicked(_) => FailureKind::Panic,
                SimError::ClockEnd(_) | SimError::OutOfMemory(_) => FailureKind::Limit,
            };
            let mut report = error.to_string();
            if let Some(help) = crate::limits::help(&error) {
                report = format!("{}\n  help: {help}", report.trim_end());
            }
            let signature = Signature::of_error(kind, &error);
            failed(signature, report, *summary)
        }
        Ok(Err(RunFailure::Invariant { message, summary })) => failed(
            plain(FailureKind::Invariant, &message),
            format!("invariant violated: {message}"),
            *summary,
        ),
        Ok(Ok(out)) => {
            let cycles = out.summary.waits.timeout_cycles;
            if check.fail_on_timeout_cycle && cycles > 0 {
                let mut report = format!(
                    "timeout cycle: {cycles} wait-for cycle(s) closed that only a timeout broke; the first:\n"
                );
                for t in &out.summary.waits.first_timeout_cycle {
                    report.push_str(&format!("  {t}\n"));
                }
                let signature = Signature::new(
                    FailureKind::TimeoutCycle,
                    out.summary
                        .waits
                        .first_timeout_cycle
                        .iter()
                        .map(|t| signature::normalise(t)),
                );
                failed(signature, report, out.summary)
            } else {
                Attempt::Passed(Box::new(out.summary))
            }
        }
    }
}
