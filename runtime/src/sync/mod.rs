//! Scheduler-aware synchronisation: every blocking call parks the task in virtual
//! time, wakes in FIFO order, and has a timeout form that fires at exactly the
//! right virtual time.
//!
//! The blocking calls are `#[inline(always)]`, so that a task suspends in the
//! frame of the code that called them (why: see the `wait` module).

mod lock_object;
mod mailbox;
mod mutex;
mod responder;
mod semaphore;
mod sync_point;
mod wait_queue;

pub use lock_object::{BlockResult, LockObject};
pub use mailbox::Mailbox;
pub use mutex::{Mutex, MutexGuard};
pub use responder::Responder;
pub use semaphore::Semaphore;
pub use sync_point::SyncPoint;

use std::rc::Rc;
use std::time::Duration;

use crate::time::SimTime;

/// The deadline `d` from now.
fn deadline(d: Duration) -> SimTime {
    crate::api::now() + d
}

/// A primitive's optional name, shared with the reports that mention it.
fn name_of(name: &str) -> Option<Rc<str>> {
    Some(Rc::from(name))
}
