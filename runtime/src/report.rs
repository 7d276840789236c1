//! What a finished run reports: time, events, pool statistics and the trace hash.

use std::time::Duration;

use crate::config::{ExhaustionPolicy, StackMode, TieBreak};
use crate::error::PanicReport;
use crate::exec::stack::GuardMode;
use crate::time::SimTime;

/// Statistics of the TaskThread pool over a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolStats {
    /// Configured capacity (`None`: unbounded).
    pub capacity: Option<usize>,
    /// Exhaustion policy.
    pub policy: ExhaustionPolicy,
    /// Usable bytes per worker stack.
    pub stack_size: usize,
    /// Whether each worker had its own stack or all shared one.
    pub stacks: StackMode,
    /// How overflow of those stacks is detected.
    pub guard: GuardMode,
    /// Tasks that got (or will get) a worker.
    pub spawned: u64,
    /// Most workers busy at once.
    pub peak_in_use: usize,
    /// Spawns refused (policy `Reject`).
    pub rejected: u64,
    /// Spawns that had to wait for a worker (policy `Queue`).
    pub queued: u64,
    /// Spawns served beyond capacity (policy `Grow`).
    pub grown: u64,
    /// Longest virtual time a queued task waited for its worker.
    pub longest_queue_wait: Duration,
    /// Workers created (each with a stack of its own unless the stack is
    /// shared); after warm-up spawns reuse them.
    pub workers_created: usize,
    /// Largest stack depth any worker reached, in bytes (resident pages from the top).
    pub stack_high_water: usize,
}

/// The result of a run that did not fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// Whether the run ended because no non-daemon task was left (not at a time limit
    /// or by `stop`).
    pub completed: bool,
    /// Virtual time when the run stopped.
    pub end_time: SimTime,
    /// Task resumptions (context switches into tasks).
    pub events: u64,
    /// Tasks spawned (including rejected ones).
    pub tasks_spawned: u64,
    /// Tasks that terminated.
    pub tasks_finished: u64,
    /// Most tasks alive at once.
    pub peak_tasks_alive: usize,
    /// Tasks still alive when the run stopped (daemons, or all when a time limit stopped it).
    pub tasks_alive: usize,
    /// Pool statistics.
    pub pool: PoolStats,
    /// Hash of every (time, task) resumption in order: equal hashes mean equal runs.
    pub trace_hash: u64,
    /// The run's seed.
    pub seed: u64,
    /// The tie-break order.
    pub tie_break: TieBreak,
    /// The run's non-default choices: replaying them reproduces the run.
    pub decisions: crate::DecisionLog,
    /// Choices between two or more ready entries (the steps PCT counts).
    pub choice_points: u64,
    /// Wait-for cycles that only a timeout could break.
    pub timeout_cycles: u64,
    /// The first of them: its tasks and what each waited on.
    pub first_timeout_cycle: Option<crate::DeadlockReport>,
    /// Panics recorded under `PanicPolicy::Continue`.
    pub panics: Vec<PanicReport>,
}
