//! How a runtime is set up: its pool, its tie-break order and what a panic does.

use std::fmt;

/// Default usable stack per TaskThread: room for ordinary blocking code, while
/// only the pages a task touches cost memory.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// What `spawn` does when every worker of the pool is busy. This is the experiment
/// of the design document: lost requests, queueing delay, or unbounded threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExhaustionPolicy {
    /// The task is not run; `try_spawn` returns an error and the loss is counted.
    Reject,
    /// The task waits, FIFO, for a worker to come free.
    Queue,
    /// A new worker is created beyond capacity (counted as grown).
    Grow,
}

impl ExhaustionPolicy {
    /// The lowercase name used in scenarios and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ExhaustionPolicy::Reject => "reject",
            ExhaustionPolicy::Queue => "queue",
            ExhaustionPolicy::Grow => "grow",
        }
    }
}

impl fmt::Display for ExhaustionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The TaskThread pool: how many workers, how big their stacks, what exhaustion does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most workers busy at once; `None` for no limit.
    pub capacity: Option<usize>,
    /// What happens when all `capacity` workers are busy.
    pub policy: ExhaustionPolicy,
    /// Usable bytes of each worker's stack (rounded up to whole pages).
    pub stack_size: usize,
    /// Whether each worker has a stack of its own or all run on one shared stack.
    pub stacks: StackMode,
}

/// Where the workers' stacks live.
///
/// `Dedicated` gives each worker its own stack: a switch is only a register swap,
/// but every task alive costs at least one 4 KiB page (and a fresh page is a
/// kernel fault). `Shared` runs every worker on one stack and copies a task's
/// live frames (typically a few hundred bytes) out when another task needs the
/// stack and back in before it resumes: a switch between different tasks costs
/// two copies, but a blocked task costs only its frames, and no task ever
/// touches a fresh stack page. Pick `Shared` for many short or mostly blocked
/// tasks, `Dedicated` for few tasks that switch often or block deep in their stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum StackMode {
    /// A stack per worker (with its own guard page).
    #[default]
    Dedicated,
    /// One stack (one guard page) for all workers; frames are copied on switches.
    Shared,
}

impl StackMode {
    /// The lowercase name used in scenarios and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StackMode::Dedicated => "dedicated",
            StackMode::Shared => "shared",
        }
    }
}

impl fmt::Display for StackMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            capacity: None,
            policy: ExhaustionPolicy::Queue,
            stack_size: DEFAULT_STACK_SIZE,
            stacks: StackMode::Dedicated,
        }
    }
}

/// The order in which tasks ready at the same virtual time run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TieBreak {
    /// First ready, first run: the default, and the fast path.
    #[default]
    Fifo,
    /// A seeded uniform pick among the ready tasks: explores interleavings;
    /// the same seed replays one exactly.
    Random(u64),
    /// PCT (probabilistic concurrency testing): seeded random task priorities
    /// with `depth - 1` priority changes among the first `steps` choices; finds
    /// an ordering bug of depth `depth` with a known probability per run.
    Pct {
        /// The seed of the priorities and change points.
        seed: u64,
        /// The bug depth looked for: how many orderings must line up.
        depth: u32,
        /// About how many run-queue choices a run makes (a FIFO run tells).
        steps: u64,
    },
}

impl fmt::Display for TieBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TieBreak::Fifo => f.write_str("fifo"),
            TieBreak::Random(s) => write!(f, "random({s})"),
            TieBreak::Pct { seed, depth, .. } => write!(f, "pct(depth {depth}, seed {seed})"),
        }
    }
}

/// Extra delay for messages: each gets one drawn uniformly in `[0, bound]`
/// (see [`crate::jitter`]), so messages that arrive close together are
/// explored in both orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Jitter {
    /// The most extra delay a message gets.
    pub bound: std::time::Duration,
    /// The seed of the draws.
    pub seed: u64,
}

/// What a panicking task does to the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PanicPolicy {
    /// The run stops with `SimError::TaskPanicked`.
    #[default]
    Stop,
    /// The panic is recorded in the report and its joiners see the error; the run goes on.
    Continue,
}

/// Everything `Runtime::new` needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The experiment's seed, carried into every report so a failure can be replayed.
    pub seed: u64,
    /// The worker pool.
    pub pool: PoolConfig,
    /// Order of same-time ready tasks.
    pub tie_break: TieBreak,
    /// Extra delay for messages, if any.
    pub jitter: Option<Jitter>,
    /// A recorded schedule to replay: its choices instead of the strategy's.
    pub replay: Option<std::sync::Arc<crate::sched::schedule::DecisionLog>>,
    /// Whether a task panic stops the run.
    pub on_panic: PanicPolicy,
}

impl RuntimeConfig {
    /// A default configuration with this seed.
    pub fn with_seed(seed: u64) -> Self {
        RuntimeConfig {
            seed,
            ..Self::default()
        }
    }
}
