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
//! use p2psim_sim::check::{self, Strategy};
//! # fn demo<M: p2psim_sim::Mechanism>(scenario: &p2psim_sim::scenario::Scenario) {
//! match check::explore::<M>(scenario, Strategy::Pct { depth: 3 }, 1_000) {
//!     Ok(stats) => println!("{} schedules passed", stats.schedules),
//!     Err(failure) => panic!("{failure}"),
//! }
//! # }
//! ```

mod ddmin;
mod failure;
mod shrink;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use p2psim_runtime::{DecisionLog, SimError};

use crate::engine::{RunFailure, RunOptions};
use crate::mechanism::Mechanism;
use crate::registry::Mechanisms;
use crate::scenario::Scenario;
use crate::summary::Summary;

pub use crate::schedule::{Schedule, Strategy};
pub use failure::{replay, trace, Failure, FailureKind, Replayed, Size};

/// Explores `schedules` schedules of `scenario` with mechanism `M` under
/// `strategy`, on this thread; see [`Check`] for the other settings.
pub fn explore<M: Mechanism>(
    scenario: &Scenario,
    strategy: Strategy,
    schedules: u64,
) -> Result<Stats, Box<Failure>> {
    let mechanisms = Mechanisms::new().with::<M>();
    let mut check = Check::new(strategy, schedules);
    check.jobs = 1;
    check.run(&mechanisms, scenario, &|_| {})
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
    /// The most extra delay a message gets (required by `Strategy::Jitter`,
    /// allowed with the others).
    pub jitter: Option<Duration>,
    /// OS threads running schedules (at most [`MAX_JOBS`]).
    pub jobs: usize,
    /// Whether a wait-for cycle that a timeout broke is a failure.
    pub fail_on_timeout_cycle: bool,
    /// Most runs spent shrinking a failure (0: report it unshrunk).
    pub shrink_budget: usize,
    /// Record a Perfetto trace (at most this many events) of every run.
    pub trace: Option<usize>,
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
        }
    }

    /// Runs the check; `progress(done)` is called as schedules finish.
    pub fn run(
        &self,
        mechanisms: &Mechanisms,
        scenario: &Scenario,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Stats, Box<Failure>> {
        let wall = Instant::now();
        // The FIFO run first: it must pass too, and it says how many choices a
        // run makes (PCT places its priority changes among them).
        let fifo = Schedule {
            replay: Some(Arc::new(DecisionLog::default())),
            jitter: self.jitter,
            ..Schedule::fifo()
        };
        let baseline = match attempt(mechanisms, scenario, &fifo, None, self) {
            Attempt::Failed(f) => return Err(self.finish(mechanisms, scenario, fifo, 0, *f)),
            Attempt::Passed(s) => s,
        };
        let steps = baseline.schedule.choice_points.max(1);
        let first_failure = AtomicU64::new(u64::MAX);
        let failures: Mutex<Vec<(u64, Schedule, Box<Failed>)>> = Mutex::new(Vec::new());
        let next = AtomicU64::new(1);
        let done = AtomicU64::new(0);
        let timeout_cycles = AtomicU64::new(baseline.waits.timeout_cycles);
        let threads = self
            .jobs
            .clamp(1, MAX_JOBS)
            .min(self.schedules.max(1) as usize);
        let (next, done, first, failed_runs) = (&next, &done, &first_failure, &failures);
        let timeout_cycles = &timeout_cycles;
        // One worker: schedules in turn until none is left (or one past the first failure).
        let work = |scenario: Scenario| loop {
            let seed = next.fetch_add(1, Ordering::Relaxed);
            if seed > self.schedules || seed > first.load(Ordering::Relaxed) {
                break;
            }
            let schedule = Schedule {
                strategy: self.strategy,
                seed,
                jitter: self.jitter,
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
    let failed = |kind, report: String, summary: Summary| {
        Attempt::Failed(Box::new(Failed {
            kind,
            report,
            summary,
        }))
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        mechanisms.run(scenario, options)
    }));
    let Ok(run) = run else {
        let report = "a mechanism panicked outside its tasks (in install, report or check)";
        return failed(FailureKind::Panic, report.to_string(), Summary::default());
    };
    match run {
        Err(e) => failed(FailureKind::Invalid, e.to_string(), Summary::default()),
        Ok(Err(RunFailure::Setup(m))) => failed(FailureKind::Invalid, m, Summary::default()),
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
            failed(kind, report, *summary)
        }
        Ok(Err(RunFailure::Invariant { message, summary })) => failed(
            FailureKind::Invariant,
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
                failed(FailureKind::TimeoutCycle, report, out.summary)
            } else {
                Attempt::Passed(Box::new(out.summary))
            }
        }
    }
}
