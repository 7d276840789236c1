//! How a run makes its open choices: the strategy, its seed, and what it replays.
//!
//! The runtime's schedule (see `p2psim_runtime`'s `schedule` module) is the one
//! oracle for the order of same-time tasks and for each message's jitter; this
//! is how a scenario run asks for one. `fifo` is the default and the fast path:
//! the trace hashes of plain runs are those of FIFO.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use p2psim_runtime::{DecisionLog, Jitter, TieBreak};
use serde::{Deserialize, Serialize};

/// PCT's deepest bug depth (`[check] depth`, `--depth`, a failure file's).
pub const MAX_PCT_DEPTH: u32 = 64;

/// What explores the choices of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Strategy {
    /// First ready, first run; no jitter unless asked for.
    #[default]
    Fifo,
    /// A seeded uniform pick among the tasks ready at the same instant.
    Random,
    /// PCT with bug depth `depth` over the run queue.
    Pct {
        /// How many orderings must line up for the bug (1 or more).
        depth: u32,
    },
    /// FIFO order, with every message delayed by a jitter of at most `bound`
    /// (drawn per message from the schedule's seed).
    Jitter {
        /// The most extra delay a message gets; a check refuses zero (it
        /// would explore nothing).
        bound: Duration,
    },
}

impl Strategy {
    /// Checks its parameters: PCT's depth is in `1..=MAX_PCT_DEPTH`.
    pub fn check(self) -> Result<(), String> {
        match self {
            Strategy::Pct { depth } if !(1..=MAX_PCT_DEPTH).contains(&depth) => Err(format!(
                "pct depth {depth}: PCT's depth is from 1 to {MAX_PCT_DEPTH}"
            )),
            _ => Ok(()),
        }
    }

    /// The strategy's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Fifo => "fifo",
            Strategy::Random => "random",
            Strategy::Pct { .. } => "pct",
            Strategy::Jitter { .. } => "jitter",
        }
    }

    /// The jitter bound the strategy carries (`Jitter`'s; `None` for the others).
    pub fn bound(self) -> Option<Duration> {
        match self {
            Strategy::Jitter { bound } => Some(bound),
            _ => None,
        }
    }
}

/// One schedule of a run: a strategy, its seed, the jitter bound, and a
/// decision log to replay instead of asking the strategy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    /// The strategy.
    pub strategy: Strategy,
    /// The seed of its choices (schedule `i` of a check has seed `i`).
    pub seed: u64,
    /// The most extra delay a message gets (`None`: none).
    pub jitter: Option<Duration>,
    /// About how many run-queue choices a run makes (PCT places its priority
    /// changes among them; a FIFO run of the scenario tells).
    pub steps: u64,
    /// A recorded run's choices: replayed instead of the strategy's.
    pub replay: Option<Arc<DecisionLog>>,
}

impl Schedule {
    /// Plain FIFO: no choice is asked, the fast path.
    pub fn fifo() -> Self {
        Schedule::default()
    }

    /// The runtime's order of same-time tasks.
    pub(crate) fn tie_break(&self) -> TieBreak {
        match self.strategy {
            Strategy::Fifo | Strategy::Jitter { .. } => TieBreak::Fifo,
            Strategy::Random => TieBreak::Random(self.seed),
            Strategy::Pct { depth } => TieBreak::Pct {
                seed: self.seed,
                depth,
                steps: self.steps,
            },
        }
    }

    /// The runtime's jitter.
    pub(crate) fn runtime_jitter(&self) -> Option<Jitter> {
        self.jitter.filter(|j| !j.is_zero()).map(|bound| Jitter {
            bound,
            // Its own stream: the order's draws and the jitter's never shift each other.
            seed: self.seed ^ 0x6a09_e667_f3bc_c908,
        })
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.strategy {
            Strategy::Fifo => f.write_str("fifo")?,
            Strategy::Pct { depth } => write!(f, "pct (depth {depth}) seed {}", self.seed)?,
            s => write!(f, "{} seed {}", s.name(), self.seed)?,
        }
        if let Some(j) = self.jitter.filter(|j| !j.is_zero()) {
            write!(f, ", jitter {j:?}")?;
        }
        if let Some(log) = &self.replay {
            write!(f, ", replaying {} decisions", log.len())?;
        }
        Ok(())
    }
}
