//! A parking task runs the next ready task itself instead of returning to the
//! scheduler first.
//!
//! When a task parks with tasks ready, the scheduler's next move is known: pop
//! the run queue's front and resume it. Done by the scheduler, that costs two
//! switches (task -> scheduler -> next) and a trip around the run loop. Here the
//! parking task pops the front and resumes it nested on its own stack (one
//! switch); when that task parks it returns here, and the parking task again does
//! what the scheduler would: if it is itself at the front it pops itself and goes
//! on without any switch, else it runs the new front, or gives up and suspends to
//! the scheduler. A ping-pong of two tasks then costs two switches per round trip
//! instead of four.
//!
//! Nothing observable changes: the same task is popped as the scheduler would
//! pop, with the same bookkeeping (`Core::enter` records the same resumption),
//! so runs and trace hashes are identical with or without hand-offs (the shared
//! stack never hands off, and the tests compare both modes event for event).
//!
//! It only happens when that equivalence is cheap to keep:
//! - plain FIFO order: an explored pick (see `schedule`) cannot be peeked
//!   without making the choice;
//! - dedicated stacks: on the shared stack the next task's frames would have to
//!   be swapped in under the parking task's own;
//! - depth one: a task resumed by a hand-off parks back to the task that resumed
//!   it, never hands off itself, so no task is ever resumed while it waits on a
//!   nested resume of its own;
//! - the front has a worker already: binding one may grow the worker array,
//!   which only the scheduler touches;
//! - the run is not interrupted (failure, `stop`) and not being torn down.

use corosensei::Yielder;

use super::callbacks;
use super::core::Core;
use crate::exec::context;
use crate::exec::worker::{Resume, Suspend};
use crate::task::NO_WORKER;

impl Core {
    /// Called by a parking task just before it would suspend to the scheduler: runs
    /// ready tasks until it is itself the next to run (returns true: it goes on as if
    /// resumed) or the scheduler is needed (returns false: it suspends as usual).
    ///
    /// Not inlined, unlike the rest of the blocking path (see `wait`): the return
    /// from here does follow switches, but the tasks resumed in between suspend
    /// inline in their own loops, so the calls and returns between are balanced and
    /// this return is still predicted. Inlined, its locals would widen every
    /// blocking call's frame, which the shared stack copies at each switch.
    #[inline(never)]
    pub(crate) fn run_ready(&self, y: &Yielder<Resume, Suspend>) -> bool {
        let (me, my_header) = self.running();
        let exec = self.exec();
        let my_top = exec.running_top();
        self.leave();
        self.flags.set_handing_off(true);
        let mut resumed = false;
        while !self.flags.interrupted() {
            let Some(next) = self.agenda.front() else {
                break;
            };
            if next == me {
                self.agenda.pop_ready();
                self.enter(me, my_header);
                resumed = true;
                break;
            }
            if callbacks::is_callback(next) {
                break;
            }
            let tasks = self.tasks.borrow();
            let t = &tasks[next as usize];
            let w = t.worker.get();
            if w == NO_WORKER {
                break;
            }
            self.agenda.pop_ready();
            self.enter(next, t);
            drop(tasks);
            // SAFETY: `exec.workers()` is the pool's worker array, set by the
            // scheduler before it resumed the task running this; the array only
            // grows between steps of the scheduler, never while a task runs, so it
            // is still valid, and `w` indexes it (a task only holds a worker the
            // pool created). The only other reference into it is the scheduler's,
            // to the worker of the task running this code, and `w` is another's: a
            // task holds its worker until it ends, and the task `next` is parked, so
            // its coroutine is suspended (a task that handed off is never resumed by
            // another hand-off: the handing-off flag keeps the depth at one).
            let worker = unsafe { &mut *exec.workers().add(w as usize) };
            exec.set_running_top(worker.top);
            let suspended = worker.resume(Resume::Go);
            self.leave();
            if suspended == Suspend::Finished {
                exec.push_idle(w);
            }
        }
        self.flags.set_handing_off(false);
        exec.set_running_top(my_top);
        context::set_yielder(y);
        resumed
    }
}
