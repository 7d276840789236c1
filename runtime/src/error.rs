//! Failures of a run, as reports: what went wrong, where, when, and the seed to replay it.

use std::fmt;

use crate::config::TieBreak;
use crate::task::{TaskId, TaskName, TaskState};
use crate::time::SimTime;

/// What a parked task waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WaitKind {
    /// `sleep`.
    Sleep,
    /// `LockObject::block`.
    LockObject,
    /// `Semaphore::down`.
    Semaphore,
    /// `Mutex::lock`.
    Mutex,
    /// `Mailbox::recv`.
    MailboxRecv,
    /// `Mailbox::send` on a full bounded mailbox.
    MailboxSend,
    /// `SyncPoint::wait_until`.
    SyncPoint,
    /// `JoinHandle::join`.
    Join,
    /// A free worker of the exhausted pool (policy `Queue`).
    Worker,
}

impl WaitKind {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitKind::Sleep => "sleep",
            WaitKind::LockObject => "lock object",
            WaitKind::Semaphore => "semaphore",
            WaitKind::Mutex => "mutex",
            WaitKind::MailboxRecv => "mailbox receive",
            WaitKind::MailboxSend => "mailbox send (full)",
            WaitKind::SyncPoint => "sync point",
            WaitKind::Join => "join",
            WaitKind::Worker => "a worker of the pool",
        }
    }
}

/// One task named in a deadlock report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedTask {
    /// The task.
    pub id: TaskId,
    /// Its name.
    pub name: TaskName,
    /// Its state (Blocked, Waiting, TimedWaiting or New for a pool wait).
    pub state: TaskState,
    /// What it waits on.
    pub waits_on: WaitKind,
    /// The name of the object it waits on, if it has one.
    pub object: Option<String>,
    /// For a mutex or a join: the task it waits for.
    pub waits_for: Option<TaskId>,
    /// Since when (virtual).
    pub since: SimTime,
    /// Whether it is a daemon (daemons alone never make a deadlock).
    pub daemon: bool,
}

impl fmt::Display for BlockedTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task {} '{}' ({:?}) waits on {}",
            self.id,
            self.name,
            self.state,
            self.waits_on.as_str()
        )?;
        if let Some(o) = &self.object {
            write!(f, " '{o}'")?;
        }
        if let Some(t) = self.waits_for {
            let how = match self.waits_on {
                WaitKind::Mutex => "held by",
                WaitKind::Join => "of",
                _ => "to be answered by",
            };
            write!(f, " {how} task {t}")?;
        }
        write!(f, " since {}", self.since)?;
        if self.daemon {
            f.write_str(" [daemon]")?;
        }
        Ok(())
    }
}

/// A deadlock: all tasks parked with no timer pending, or a closed wait-for cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlockReport {
    /// When it was detected (virtual).
    pub time: SimTime,
    /// The run's seed.
    pub seed: u64,
    /// The tie-break order in force.
    pub tie_break: TieBreak,
    /// `true` for a wait-for cycle found while other tasks could still run.
    pub partial: bool,
    /// `true` when daemons were still running (a caller judged that they cannot
    /// wake the blocked tasks; see `Runtime::stalled`).
    pub only_daemons_active: bool,
    /// The blocked tasks: every one (global deadlock) or exactly the cycle (partial).
    pub tasks: Vec<BlockedTask>,
}

/// A task that panicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicReport {
    /// The task.
    pub id: TaskId,
    /// Its name.
    pub name: TaskName,
    /// When (virtual).
    pub time: SimTime,
    /// The panic message, with its source location when known.
    pub message: String,
    /// The run's seed.
    pub seed: u64,
    /// The tie-break order in force.
    pub tie_break: TieBreak,
}

/// A run whose next event lies past the end of the virtual clock
/// ([`SimTime::MAX`]): a sleep, or a message's arrival, that long sums of
/// latencies or times pushed beyond 2^64 ns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockEndReport {
    /// The last instant the run reached (virtual).
    pub time: SimTime,
    /// The run's seed.
    pub seed: u64,
    /// The tie-break order in force.
    pub tie_break: TieBreak,
    /// The tasks parked then (those that sleep past the end among them).
    pub tasks: Vec<BlockedTask>,
}

/// Most tasks a clock-end report prints (a burst can leave a million parked).
const CLOCK_END_SHOWN: usize = 20;

/// A resource the machine would not give the run: memory for another task's
/// stack (the pool grew past what the address space holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceReport {
    /// When (virtual).
    pub time: SimTime,
    /// The run's seed.
    pub seed: u64,
    /// What was asked for and the system's answer.
    pub what: String,
    /// Workers (each with its own stack) that existed.
    pub workers: usize,
    /// Tasks alive.
    pub tasks_alive: usize,
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// Tasks wait for each other, or for events that can no longer happen.
    Deadlock(DeadlockReport),
    /// A task panicked (and the panic policy is `Stop`).
    TaskPanicked(PanicReport),
    /// The next event is past the end of the virtual clock.
    ClockEnd(ClockEndReport),
    /// The machine ran out of memory for the run.
    OutOfMemory(ResourceReport),
}

impl SimError {
    /// The deadlock report, if this is a deadlock.
    pub fn as_deadlock(&self) -> Option<&DeadlockReport> {
        match self {
            SimError::Deadlock(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Deadlock(d) => {
                let what = if d.partial {
                    "deadlock: a wait-for cycle closed"
                } else if d.only_daemons_active {
                    "deadlock: every non-daemon task is blocked and only daemons could still run"
                } else {
                    "deadlock: every task is blocked and no timer is pending"
                };
                writeln!(
                    f,
                    "{what} at virtual time {} (seed {}, tie-break {}); {} task(s):",
                    d.time,
                    d.seed,
                    d.tie_break,
                    d.tasks.len()
                )?;
                for t in &d.tasks {
                    writeln!(f, "  {t}")?;
                }
                Ok(())
            }
            SimError::TaskPanicked(p) => write!(
                f,
                "task {} '{}' panicked at virtual time {} (seed {}, tie-break {}): {}",
                p.id, p.name, p.time, p.seed, p.tie_break, p.message
            ),
            SimError::ClockEnd(c) => {
                write!(
                    f,
                    "the run reached the end of the virtual clock (2^64 ns, about 584 years): at \
                     virtual time {} (seed {}, tie-break {}) its next event (a sleep, a \
                     message's arrival) would come past it",
                    c.time, c.seed, c.tie_break,
                )?;
                if c.tasks.is_empty() {
                    return writeln!(f);
                }
                writeln!(f, "; {} task(s) parked:", c.tasks.len())?;
                for t in c.tasks.iter().take(CLOCK_END_SHOWN) {
                    writeln!(f, "  {t}")?;
                }
                if c.tasks.len() > CLOCK_END_SHOWN {
                    writeln!(f, "  ... and {} more", c.tasks.len() - CLOCK_END_SHOWN)?;
                }
                Ok(())
            }
            SimError::OutOfMemory(r) => write!(
                f,
                "out of memory at virtual time {} (seed {}): {} ({} workers existed, {} tasks alive)",
                r.time, r.seed, r.what, r.workers, r.tasks_alive
            ),
        }
    }
}

impl std::error::Error for SimError {}

/// Why `try_spawn` produced no task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// The pool is exhausted and its policy is `Reject`: count it as a lost request.
    Rejected,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("spawn rejected: every worker of the pool is busy (policy reject)")
    }
}

impl std::error::Error for SpawnError {}
