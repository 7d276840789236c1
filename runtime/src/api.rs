//! The free functions a task calls: the clock, sleeping, yielding, spawning, identity.

use std::time::Duration;

use crate::error::{SpawnError, WaitKind};
use crate::exec::context::{self, with_core};
use crate::sched::wait;
use crate::task::{JoinHandle, TaskInfo, TaskName};
use crate::time::SimTime;

#[inline(always)]
fn require_task(what: &str) {
    if !context::in_task() {
        not_in_task(what);
    }
}

#[cold]
#[inline(never)]
fn not_in_task(what: &str) -> ! {
    panic!("p2psim::{what}() called outside a task: call it from code running in a task spawned on a Runtime");
}

/// The current virtual time, from a task or a [`call_at`] callback.
pub fn now() -> SimTime {
    with_core(|c| c.now())
}

/// Suspends the running task for `d` of virtual time.
#[inline(always)]
pub fn sleep(d: Duration) {
    require_task("sleep");
    let now = with_core(|c| c.now());
    block_until(now + d);
}

/// Suspends the running task until virtual time `t` (returns at once if `t` has passed,
/// after letting same-time tasks run).
#[inline(always)]
pub fn sleep_until(t: SimTime) {
    require_task("sleep_until");
    let t = t.max(with_core(|c| c.now()));
    block_until(t);
}

/// Blocks the running task (checked to be one) until `t`, not before now.
#[inline(always)]
fn block_until(t: SimTime) {
    wait::block(WaitKind::Sleep, None, Some(t), None, |_| {});
}

/// Lets every other task ready at this virtual time run before the caller continues.
#[inline(always)]
pub fn yield_now() {
    require_task("yield_now");
    with_core(
        #[inline(always)]
        |c| {
            c.requeue_current();
            context::suspend(c);
            c.unwind_if_torn_down();
        },
    );
}

/// Spawns a task, from a task or a [`call_at`] callback. With a `Reject` pool
/// that is exhausted the handle is already terminated with
/// `JoinError::Rejected` (use [`try_spawn`] to be told at once).
pub fn spawn<T, F>(name: impl Into<TaskName>, f: F) -> JoinHandle<T>
where
    T: 'static,
    F: FnOnce() -> T + 'static,
{
    with_core(|c| c.spawn(name.into(), false, f).0)
}

/// Spawns a task as [`spawn`] does, or returns `SpawnError::Rejected` when
/// the pool refuses it.
pub fn try_spawn<T, F>(name: impl Into<TaskName>, f: F) -> Result<JoinHandle<T>, SpawnError>
where
    T: 'static,
    F: FnOnce() -> T + 'static,
{
    match with_core(|c| c.spawn(name.into(), false, f)) {
        (_, true) => Err(SpawnError::Rejected),
        (h, false) => Ok(h),
    }
}

/// Spawns a daemon: a task that may stay blocked forever (a server loop) without
/// that being a deadlock; the run ends when only daemons are left waiting.
pub fn spawn_daemon<T, F>(name: impl Into<TaskName>, f: F) -> JoinHandle<T>
where
    T: 'static,
    F: FnOnce() -> T + 'static,
{
    with_core(|c| c.spawn(name.into(), true, f).0)
}

/// The running task's id and name.
pub fn current() -> TaskInfo {
    require_task("current");
    with_core(|c| {
        let (_, t) = c.running();
        TaskInfo {
            id: t.id,
            name: t.name.clone(),
        }
    })
}

/// Whether the caller runs inside a task of a running runtime.
pub fn in_task() -> bool {
    context::in_task()
}

/// Schedules `f` to run at virtual time `t` in scheduler context: no task, no
/// stack, no pool worker. It must not block, but it may spawn tasks and use the
/// non-blocking side of primitives (`up`, `send` on an unbounded mailbox,
/// `release`, `awake`). Use it for events in flight, such as a message on a wire.
pub fn call_at(t: SimTime, f: impl FnOnce() + 'static) {
    with_core(|c| c.call_at(t, Box::new(f)));
}

/// Queues `f` to run in scheduler context at the current virtual time, after the
/// tasks that are ready now (it takes a turn in the run queue like a task). The
/// rules of [`call_at`] apply. Use it to hand out work a piece at a time, such as
/// many messages arriving at one instant, so that what one piece allocates is
/// still in the cache when the next reuses it.
pub fn call_soon(f: impl FnOnce() + 'static) {
    with_core(|c| c.call_soon(Box::new(f)));
}

/// The extra delay for a message sent now: a choice of the run's schedule,
/// drawn in `[0, bound]` of its [`Jitter`](crate::Jitter) (replayed from its
/// log when it replays one), and zero without jitter. The network adds it to
/// every message's latency and to every call's timeout.
pub fn jitter() -> Duration {
    Duration::from_nanos(with_core(|c| c.jitter()))
}

/// Asks the scheduler to end the run once the caller suspends; `run` then returns
/// `Ok` even if tasks are still waiting (daemons, or load cut short).
pub fn stop() {
    with_core(|c| c.stop());
}
