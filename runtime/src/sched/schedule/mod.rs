//! The schedule: the one oracle for every choice a run makes.
//!
//! Two kinds of choice are left open by the model: which of the entries ready
//! at the same virtual time runs next (the run queue's order), and how much
//! extra delay a message gets beyond its drawn latency (jitter, for networks
//! whose timing is imprecise). Under `TieBreak::Fifo` without jitter the
//! scheduler never asks (the fast path); otherwise every choice comes from
//! here, each named by its instant and its rank among that instant's choices
//! ([`ChoiceAt`]). A choice whose answer is not the default (the queue's
//! front; no jitter) is recorded in a [`DecisionLog`], and a run given that
//! log replays every choice from it instead of asking a strategy: the same
//! scenario and log give the same run. Choices the log does not name, or
//! removed from it (shrinking), take the default.

mod log;
mod pct;
mod random;

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{Jitter, TieBreak};
use crate::task::TaskId;

pub use log::{ChoiceAt, DecisionLog};

/// A run-queue entry as a strategy sees it: a task, or a callback (`call_soon`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A task, by id.
    Task(TaskId),
    /// A scheduler callback.
    Callback,
}

/// Picks which ready entry runs next.
pub(crate) trait Order {
    /// The index in `ready` (queue order, front first) of the entry to run;
    /// `ready` holds at least two. `last` is the task that ran last.
    fn pick(&mut self, ready: &[Entry], last: Option<TaskId>) -> usize;
}

/// The run's oracle: a strategy, the jitter bound, and the decisions made.
pub(crate) struct Schedule {
    order: Option<Box<dyn Order>>,
    jitter: Option<(u64, ChaCha8Rng)>,
    replay: Option<Arc<DecisionLog>>,
    /// Choices made so far.
    next: u64,
    /// The instant of the last choice (virtual nanoseconds) and how many
    /// choices were made at it.
    instant: (u64, u64),
    /// Run-queue choices made (PCT's steps).
    picks: u64,
    /// The non-default answers, for the log.
    made: Vec<(ChoiceAt, u64)>,
    /// Reused for each run-queue choice.
    scratch: Vec<Entry>,
    /// The task picked last, for the strategy.
    last: Option<TaskId>,
}

impl Schedule {
    /// The schedule of a run configured so; `None` for plain FIFO (no choice is ever asked).
    pub fn new(
        tie_break: TieBreak,
        jitter: Option<Jitter>,
        replay: Option<Arc<DecisionLog>>,
    ) -> Option<Self> {
        let order: Option<Box<dyn Order>> = match tie_break {
            TieBreak::Fifo => None,
            TieBreak::Random(seed) => Some(Box::new(random::Random::new(seed))),
            TieBreak::Pct { seed, depth, steps } => {
                Some(Box::new(pct::Pct::new(seed, depth, steps)))
            }
        };
        let jitter = jitter.filter(|j| !j.bound.is_zero()).map(|j| {
            (
                crate::time::duration_nanos(j.bound),
                ChaCha8Rng::seed_from_u64(j.seed),
            )
        });
        if order.is_none() && jitter.is_none() && replay.is_none() {
            return None;
        }
        Some(Schedule {
            order,
            jitter,
            replay,
            next: 0,
            instant: (0, 0),
            picks: 0,
            made: Vec::new(),
            scratch: Vec::new(),
            last: None,
        })
    }

    /// The name of the next choice, made at virtual time `now` (nanoseconds).
    fn next_choice(&mut self, now: u64) -> ChoiceAt {
        self.next += 1;
        if self.instant.0 != now {
            self.instant = (now, 0);
        }
        let at = self.instant;
        self.instant.1 += 1;
        at
    }

    /// Which of the `n` ready entries runs next at `now` (virtual
    /// nanoseconds): an index into the run queue, whose entries `describe` names.
    pub fn pick(&mut self, now: u64, n: usize, describe: impl Fn(usize) -> Entry) -> usize {
        if n < 2 {
            return 0;
        }
        self.picks += 1;
        let i = self.next_choice(now);
        let choice = match &self.replay {
            Some(log) => log.get(i).map_or(0, |v| v as usize).min(n - 1),
            None => match self.order.as_mut() {
                None => 0,
                Some(order) => {
                    self.scratch.clear();
                    self.scratch.extend((0..n).map(&describe));
                    order.pick(&self.scratch, self.last)
                }
            },
        };
        if choice != 0 {
            self.made.push((i, choice as u64));
        }
        choice
    }

    /// Records that task `id` was picked (the strategy sees it as the last to run).
    pub fn picked(&mut self, id: TaskId) {
        self.last = Some(id);
    }

    /// The extra delay, in nanoseconds, for a message sent at `now` (virtual
    /// nanoseconds; 0 without jitter).
    pub fn jitter(&mut self, now: u64) -> u64 {
        if self.jitter.is_none() {
            return 0;
        }
        let i = self.next_choice(now);
        let Some((bound, rng)) = self.jitter.as_mut() else {
            return 0;
        };
        let extra = match &self.replay {
            Some(log) => log.get(i).unwrap_or(0).min(*bound),
            None => rng.gen_range(0..=*bound),
        };
        if extra != 0 {
            self.made.push((i, extra));
        }
        extra
    }

    /// The decisions made so far, as a log that replays them.
    pub fn log(&self) -> DecisionLog {
        DecisionLog::new(self.made.clone(), self.next)
    }

    /// Run-queue choices made so far (choices between two or more entries).
    pub fn picks(&self) -> u64 {
        self.picks
    }
}
