//! A task's life, as the scheduler composes it: spawned (admitted to the pool,
//! queued for a slot or rejected), entered when it first runs, ended (its
//! joiners woken, its slot handed on, its worker chained to the next new
//! task), or killed.

use super::callbacks;
use super::core::Core;
use super::pool::Admission;
use super::trace::TraceEvent;
use super::wait::{Waiter, WakeReason};
use crate::error::PanicReport;
use crate::task::{
    AnyCell, Body, JoinError, JoinHandle, Outcome, TaskCell, TaskId, TaskName, TaskSlot, TaskState,
    NO_WORKER,
};
use crate::time::SimTime;

impl Core {
    /// Creates a task; returns its handle and whether the pool rejected it.
    pub fn spawn<T, F>(&self, name: TaskName, daemon: bool, f: F) -> (JoinHandle<T>, bool)
    where
        T: 'static,
        F: FnOnce() -> T + 'static,
    {
        let id = self.tasks.new_id();
        let now = self.now();
        if self.flags.tearing_down() {
            return (Self::rejected_handle(id, name, now), true);
        }
        let runnable = match self.pool.admit() {
            Admission::Run => true,
            Admission::Queue => false,
            Admission::Reject => return (Self::rejected_handle(id, name, now), true),
        };
        let cell = TaskCell::new_rc(id, name, daemon, now, Body::new(f));
        if self.trace.on() {
            let parent = self.current().map(|k| self.tasks.id(k));
            self.trace.record(
                now,
                TraceEvent::Spawned {
                    id,
                    parent,
                    name: &cell.name,
                },
            );
        }
        let key = self.tasks.insert(TaskSlot::new(cell.clone()));
        if runnable {
            cell.state.set(TaskState::Runnable);
            self.agenda.push_ready(key);
        } else {
            self.pool.enqueue(key, id, now);
        }
        (
            JoinHandle {
                cell,
                key: key as usize,
            },
            false,
        )
    }

    fn rejected_handle<T: 'static>(id: TaskId, name: TaskName, now: SimTime) -> JoinHandle<T> {
        let body = Body::<fn() -> T, T>::failed(JoinError::Rejected);
        let cell = TaskCell::new_rc(id, name, false, now, body);
        cell.state.set(TaskState::Terminated);
        JoinHandle {
            cell,
            key: usize::MAX,
        }
    }

    /// The running task's cell (its worker runs the body from it).
    #[inline]
    pub fn current_cell(&self) -> AnyCell {
        let key = self.current_key();
        self.tasks.borrow()[key as usize].cell.clone()
    }

    /// Makes task `key`, popped from the run queue, the running one, first
    /// binding it to a worker from `bind` if it never ran; returns its worker,
    /// or `None` if it was killed before it ever ran (it has ended now) or no
    /// worker could be made for it (`bind` said why, with the workers there
    /// are: the run fails with that report, and the task never runs).
    #[inline(always)]
    pub fn enter_next(
        &self,
        key: u32,
        bind: impl FnOnce() -> Result<u32, (String, usize)>,
    ) -> Option<u32> {
        let tasks = self.tasks.borrow();
        let t = &tasks[key as usize];
        let mut w = t.worker.get();
        if w == NO_WORKER {
            // Killed before it ever ran: it never gets a worker.
            if t.kill_pending.get() {
                drop(tasks);
                self.finish(key, Outcome::Killed, true);
                return None;
            }
            w = match bind() {
                Ok(w) => w,
                Err((what, workers)) => {
                    drop(tasks);
                    self.fail_out_of_memory(what, workers);
                    return None;
                }
            };
            t.bind(w);
        }
        self.enter(key, t);
        Some(w)
    }

    /// Ends the running task's job with `outcome`, on its worker. If the task due
    /// next has never run, binds it to the same worker and makes it the running
    /// task, so that it starts without two switches through the scheduler (the
    /// one the scheduler would run next, so the order is the same); returns
    /// whether it did. Only in plain FIFO order: an explored pick stays with the
    /// scheduler.
    pub fn end_job(&self, outcome: Outcome) -> bool {
        let key = self.current_key();
        self.leave();
        let worker = self.finish(key, outcome, true);
        if self.exploring || self.flags.interrupted() || self.flags.tearing_down() {
            return false;
        }
        let Some(next) = self.agenda.front() else {
            return false;
        };
        if callbacks::is_callback(next) {
            return false;
        }
        let tasks = self.tasks.borrow();
        let t = &tasks[next as usize];
        if t.worker.get() != NO_WORKER || t.kill_pending.get() {
            return false;
        }
        self.agenda.pop_ready();
        t.bind(worker);
        self.enter(next, t);
        drop(tasks);
        if self.warming() {
            self.warm_next();
        }
        true
    }

    /// Records the end of task `key`, wakes its joiners and frees (or hands on) its
    /// pool slot. Returns the worker it used, if any.
    pub fn finish(&self, key: u32, outcome: Outcome, held_slot: bool) -> u32 {
        let t = self.tasks.remove(key);
        t.state.set(TaskState::Terminated);
        if self.trace.on() {
            self.trace
                .record(self.now(), TraceEvent::Ended { id: t.id });
        }
        match outcome {
            Outcome::Done => {}
            Outcome::Killed => t.cell.body.fail(JoinError::Killed),
            Outcome::Panicked(message) => {
                t.cell.body.fail(JoinError::Panicked(message.clone()));
                let report = PanicReport {
                    id: t.id,
                    name: t.name.clone(),
                    time: self.now(),
                    message,
                    seed: self.config().seed,
                    tie_break: self.config().tie_break,
                };
                self.task_panicked(report);
            }
        }
        for j in self.tasks.take_joiners(key).into_iter().flatten() {
            self.wake(j, WakeReason::Notified);
        }
        if held_slot {
            self.release_slot();
        }
        // A task killed before it ran drops its closure now, not with its last handle.
        if t.worker.get() == NO_WORKER {
            t.cell.body.drop_job();
        }
        t.worker.get()
    }

    /// A pool slot came free: the longest-queued task takes it, or it is returned.
    fn release_slot(&self) {
        if let Some(key) = self.pool.release(self.now()) {
            self.tasks.borrow()[key as usize]
                .state
                .set(TaskState::Runnable);
            self.agenda.push_ready(key);
        }
    }

    /// Kills task `key` if it is still task `id` (see `JoinHandle::kill`).
    pub fn kill(&self, key: usize, id: TaskId) {
        let tasks = self.tasks.borrow();
        let Some(t) = tasks.get(key) else { return };
        if t.id != id {
            return;
        }
        t.kill_pending.set(true);
        let (wait, state) = (t.wait.get(), t.state.get());
        drop(tasks);
        let key = key as u32;
        if wait != 0 {
            self.wake(Waiter { key, wait }, WakeReason::Killed);
        } else if state == TaskState::New {
            self.pool.forget(key);
            self.finish(key, Outcome::Killed, false);
        } else if self.flags.tearing_down() {
            // Runnable (woken, not yet resumed): at teardown it unwinds as soon
            // as it resumes, so `unpark` has one reason to check, not two.
            self.tasks.borrow()[key as usize]
                .wake
                .set(WakeReason::Killed);
        }
    }
}
