//! Who will answer a wait: an edge of the wait-for graph through a message.

use std::cell::Cell;
use std::rc::Rc;

use crate::exec::context::with_core;
use crate::sched::{Owner, WaitsFor};

/// The task that will answer a wait, once it is known: a task waiting on a
/// [`Mailbox`](crate::Mailbox) for a reply can name it (`recv_from`,
/// `recv_for_from`), so that the wait is an edge of the wait-for graph. A cycle
/// of waits through it (a caller waits on the task serving its call, which
/// waits for a mutex the caller holds) is then seen the moment it closes: a
/// deadlock when no wait in it has a timeout, a counted timeout cycle when one
/// has. Cheap to clone (every clone names the same task).
#[derive(Clone, Default)]
pub struct Responder {
    task: Rc<Cell<Option<Owner>>>,
}

impl Responder {
    /// A responder not known yet (the request is still on its way).
    pub fn new() -> Self {
        Responder::default()
    }

    /// Names the running task as the one that will answer.
    pub fn serve(&self) {
        let owner = with_core(|core| core.owner(core.current_key()));
        self.task.set(Some(owner));
    }

    /// No task answers any more (it answered, or handed the answer on).
    pub fn clear(&self) {
        self.task.set(None);
    }

    /// The wait-for edge of a wait on this responder.
    pub(crate) fn edge(&self) -> WaitsFor {
        WaitsFor::Holder(self.task.clone())
    }
}
