//! p2psim-runtime: a deterministic, virtual-time scheduler for green threads.
//!
//! Mechanisms are written as ordinary blocking Rust code. Each runs as a task on
//! a stackful coroutine (a TaskThread, in the design document's words) drawn
//! from a recyclable pool; one OS thread resumes one task at a time; the clock
//! is virtual and jumps to the next timer when nothing is ready. A run is a
//! pure function of its inputs and its seed.
//!
//! ```
//! use std::time::Duration;
//! use p2psim_runtime::{now, sleep, spawn, Mailbox, Runtime, RuntimeConfig, SimTime};
//!
//! let mut rt = Runtime::new(RuntimeConfig::with_seed(7));
//! let inbox: Mailbox<&'static str> = Mailbox::new();
//! let tx = inbox.clone();
//! rt.spawn("client", move || {
//!     sleep(Duration::from_millis(10)); // one hop of latency
//!     tx.send("lookup fish");
//! });
//! let server = rt.spawn("server", move || {
//!     let req = inbox.recv(); // blocks in virtual time, not on the OS
//!     let helper = spawn("log", move || now());
//!     (req, helper.join().unwrap())
//! });
//! let report = rt.run().expect("no deadlock, no panic");
//! assert_eq!(server.try_join().unwrap().unwrap(), ("lookup fish", SimTime::from_nanos(10_000_000)));
//! assert_eq!(report.end_time, SimTime::from_nanos(10_000_000));
//! ```
//!
//! What it provides:
//! - [`Runtime`]: `spawn`, `run`, `run_until`, a [`RunReport`] with pool
//!   statistics and a trace hash; failures are [`SimError`] reports (deadlocks,
//!   including wait-for cycles of mutexes and joins that close while other tasks
//!   run, and task panics), each carrying the seed.
//! - Inside a task: [`now`], [`sleep`], [`yield_now`], [`spawn`], [`current`].
//! - Primitives, FIFO-fair, each with a timeout form: [`LockObject`],
//!   [`Semaphore`], [`Mutex`], [`Mailbox`], [`SyncPoint`], and
//!   [`JoinHandle::join`].
//! - The pool: created lazily up to its capacity, workers recycled; exhaustion
//!   is a policy ([`ExhaustionPolicy`]): reject, queue, or grow.
//! - [`TieBreak::Random`] shuffles same-time tasks from a seed, to explore
//!   interleavings in property tests and replay a failing one exactly.
//!
//! Killing a task ([`JoinHandle::kill`]) makes its blocking call unwind its stack,
//! dropping its locals. Destructors must not block. Stacks come from large
//! regions with a guard page each (see the `exec::stack` module); an overflow
//! prints which task overflowed and exits with status 1.
//!
//! The crate is built in layers: `sched`, the scheduler (its loop, the parts
//! of its state, the schedule oracle and the tracer); `task`, tasks and their
//! handles; `exec`, coroutines and stacks, with all their `unsafe`, and the
//! cache warming; `sync`, the primitives, built on the scheduler's parking
//! and waking.

#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod api;
mod config;
mod error;
mod exec;
mod report;
mod runtime;
mod sched;
mod sync;
mod task;
mod time;

pub use api::{
    call_at, call_soon, current, in_task, jitter, now, sleep, sleep_until, spawn, spawn_daemon,
    stop, try_spawn, yield_now,
};
pub use config::{
    ExhaustionPolicy, Jitter, PanicPolicy, PoolConfig, RuntimeConfig, StackMode, TieBreak,
    DEFAULT_STACK_SIZE,
};
pub use error::{
    BlockedTask, ClockEndReport, DeadlockReport, PanicReport, ResourceReport, SimError, SpawnError,
    WaitKind,
};
pub use exec::out_of_memory::{install_report as install_out_of_memory_report, ReportingAlloc};
pub use exec::stack::{FreshStacks, GuardMode};
pub use exec::warm::Hot;
pub use report::{PoolStats, RunReport};
pub use runtime::Runtime;
pub use sched::schedule::{ChoiceAt, DecisionLog};
pub use sched::trace::{TraceEvent, Tracer};
pub use sync::{
    BlockResult, LockObject, Mailbox, Mutex, MutexGuard, Responder, Semaphore, SyncPoint,
};
pub use task::{JoinError, JoinHandle, TaskId, TaskInfo, TaskName, TaskState};
pub use time::{duration_from_secs, duration_nanos, secs_to_nanos, SecsError, SimTime, MAX_SECS};
