//! The scheduler layer.
//!
//! The scheduler keeps a run queue of ready tasks and a timer heap. It resumes
//! one task at a time; the task runs until it blocks, sleeps, yields or ends,
//! and then the scheduler takes the next ready one. When nothing is ready the
//! clock jumps to the next timer, which makes its tasks ready. That loop is
//! [`run`]; the state it works on is [`Core`], composed of parts
//! that each own one concern:
//!
//! - `tasks`: the task table (entries, joiners, the running task, counts);
//! - `agenda`: the clock, the run queue and the timers (`timers`,
//!   `radix_heap`), with `fifo` the queues' ring buffer;
//! - `pool`: admission to the pool and release of its slots;
//! - `callbacks`: closures the scheduler runs itself;
//! - `deadlock`: the wait-for graph and deadlock detection;
//! - `trace`: the trace hash and the tracer;
//! - `schedule`: the oracle of every choice an explored run makes, and its log.
//!
//! `core` composes them, `life` into a task's life, `wait` into parking and waking,
//! `next` into what runs next, and `handoff` lets a parking task run the next
//! ready task itself; `flags` are the run-wide switches.

mod agenda;
mod callbacks;
pub(crate) mod core;
mod deadlock;
mod fifo;
mod flags;
mod handoff;
mod life;
mod next;
mod pool;
mod radix_heap;
pub(crate) mod schedule;
mod tasks;
mod timers;
pub(crate) mod trace;
pub(crate) mod wait;

pub(crate) use callbacks::is_callback;
pub(crate) use deadlock::{Owner, WaitsFor};
pub(crate) use fifo::Fifo;
pub(crate) use wait::{Waiter, WakeReason};

use self::core::Core;
use crate::error::SimError;
use crate::exec::pool::WorkerPool;
use crate::exec::worker::Suspend;
use crate::time::SimTime;
use next::Advance;

/// Runs every event up to and including virtual time `limit` on `workers`;
/// returns whether the run completed (no non-daemon task and no callback is
/// left), or the failure that ended it.
pub(crate) fn run(core: &Core, workers: &mut WorkerPool, limit: SimTime) -> Result<bool, SimError> {
    loop {
        // A failure ends the run with it; a `stop` with the clock where it is.
        if core.interrupted() && core.take_interruption()? {
            return Ok(false);
        }
        let Some(key) = core.pop_ready() else {
            if core.work_done() && !core.callbacks_pending() {
                // Only daemons are left: they serve, they do not keep the run alive.
                return Ok(true);
            }
            // Nothing is ready: the clock jumps to the next timer.
            match core.advance(limit) {
                Advance::Ready => continue,
                Advance::LimitReached => {
                    core.reach(limit);
                    return Ok(false);
                }
                Advance::ClockEnd => {
                    core.fail_clock_end();
                    continue;
                }
                Advance::Idle => {
                    // The callbacks just fired may have ended the last of the
                    // work (a late reply nobody waits for): a deadlock needs a
                    // task left to name.
                    if core.work_done() {
                        return Ok(true);
                    }
                    core.fail_deadlock(None);
                    continue;
                }
            }
        };
        if is_callback(key) {
            core.run_callback(key);
            continue;
        }
        step(core, workers, key);
    }
}

/// Resumes task `key` until it blocks, sleeps, yields or ends.
///
/// Always inlined: the loop that calls it is where a suspended task returns
/// to, and a call in between would be a mispredicted return at every switch
/// (see `wait`).
#[inline(always)]
fn step(core: &Core, workers: &mut WorkerPool, key: u32) {
    let Some(w) = core.enter_next(key, || workers.bind(core.exec())) else {
        return;
    };
    if core.warming() {
        if let Some(next) = core.warm_next() {
            workers.warm(next, || core.worker_after_next());
        }
    }
    let suspended = workers.resume(core.exec(), w);
    core.leave();
    // The worker ended its job (and any it chained) itself: it is free.
    if suspended == Suspend::Finished {
        core.exec().push_idle(w);
    }
}

/// At teardown: kills every task and resumes the ones that can unwind, so
/// that their locals are dropped (in up to three passes over the tasks still
/// alive). Callbacks are dropped unrun: nothing new starts at teardown.
pub(crate) fn unwind_all(core: &Core, workers: &mut WorkerPool) {
    for _pass in 0..3 {
        // Every task, started or not: parked ones wake into their unwind,
        // runnable ones unwind when resumed, unstarted ones never run.
        let live = core.live_tasks();
        if live.is_empty() {
            break;
        }
        for (key, id) in live {
            core.kill(key, id);
        }
        while let Some(key) = core.pop_ready() {
            if !is_callback(key) {
                step(core, workers, key);
            }
        }
    }
}
