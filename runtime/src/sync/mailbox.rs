//! A mailbox: FIFO message passing between tasks, unbounded or bounded.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use super::wait_queue::WaitQueue;
use super::Responder;
use crate::error::WaitKind;
use crate::sched::wait;
use crate::sched::WakeReason;

/// A FIFO of messages. `recv` blocks while it is empty; with a capacity, `send`
/// blocks while it is full. Messages are received exactly once, in send order,
/// and blocked receivers (and senders) are served in arrival order.
///
/// The non-blocking reads ([`Mailbox::try_recv`], [`Mailbox::drain`],
/// [`Mailbox::len`], [`Mailbox::is_empty`]) also work where no simulation runs,
/// e.g. in a mechanism's report after the run or after the runtime is gone.
/// There nobody is woken: a sender parked on a full bounded mailbox when the
/// run stopped stays parked until a receive inside a later run frees a slot.
pub struct Mailbox<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Clone for Mailbox<T> {
    fn clone(&self) -> Self {
        Mailbox {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Self::build(None, None)
    }
}

struct Inner<T> {
    buf: RefCell<VecDeque<T>>,
    /// Messages in `buf` promised to receivers that were woken but have not run yet.
    promised: Cell<usize>,
    /// Free slots promised to senders that were woken but have not run yet.
    slots_promised: Cell<usize>,
    capacity: Option<usize>,
    receivers: WaitQueue,
    senders: WaitQueue,
    name: Option<Rc<str>>,
}

impl<T> Mailbox<T> {
    /// An unbounded mailbox.
    pub fn new() -> Self {
        Self::build(None, None)
    }

    /// A mailbox holding at most `capacity` messages (at least 1).
    pub fn bounded(capacity: usize) -> Self {
        Self::build(Some(capacity.max(1)), None)
    }

    /// An unbounded mailbox named `name` in reports, the name shared (no copy
    /// of it is made: for mailboxes made by the million, such as call replies).
    pub fn named_shared(name: &Rc<str>) -> Self {
        Self::build(None, Some(name.clone()))
    }

    /// A named mailbox (named in deadlock reports); `capacity` as in [`Mailbox::bounded`].
    pub fn named(name: &str, capacity: Option<usize>) -> Self {
        Self::build(capacity.map(|c| c.max(1)), super::name_of(name))
    }

    fn build(capacity: Option<usize>, name: Option<Rc<str>>) -> Self {
        Mailbox {
            inner: Rc::new(Inner {
                buf: RefCell::new(VecDeque::new()),
                promised: Cell::new(0),
                slots_promised: Cell::new(0),
                capacity,
                receivers: WaitQueue::default(),
                senders: WaitQueue::default(),
                name,
            }),
        }
    }

    /// Sends `msg`, blocking while a bounded mailbox is full.
    #[inline(always)]
    pub fn send(&self, msg: T) {
        if let Err(msg) = self.try_send(msg) {
            let i = &*self.inner;
            wait::block(WaitKind::MailboxSend, i.name.as_ref(), None, None, |w| {
                i.senders.push(w)
            });
            self.push_promised(msg);
        }
    }

    /// Sends `msg`, waiting at most `timeout` for room; gives it back on timeout.
    #[inline(always)]
    pub fn send_for(&self, msg: T, timeout: Duration) -> Result<(), T> {
        let msg = match self.try_send(msg) {
            Ok(()) => return Ok(()),
            Err(m) => m,
        };
        let i = &*self.inner;
        let deadline = super::deadline(timeout);
        match wait::block(
            WaitKind::MailboxSend,
            i.name.as_ref(),
            Some(deadline),
            None,
            |w| i.senders.push(w),
        ) {
            WakeReason::Notified => {
                self.push_promised(msg);
                Ok(())
            }
            _ => Err(msg),
        }
    }

    /// Sends `msg` if there is room now; gives it back otherwise.
    pub fn try_send(&self, msg: T) -> Result<(), T> {
        let i = &*self.inner;
        if let Some(cap) = i.capacity {
            if i.buf.borrow().len() + i.slots_promised.get() >= cap {
                return Err(msg);
            }
        }
        self.deliver(msg);
        Ok(())
    }

    fn push_promised(&self, msg: T) {
        let i = &*self.inner;
        i.slots_promised.set(i.slots_promised.get() - 1);
        self.deliver(msg);
    }

    fn deliver(&self, msg: T) {
        let i = &*self.inner;
        i.buf.borrow_mut().push_back(msg);
        if i.receivers.wake_one().is_some() {
            i.promised.set(i.promised.get() + 1);
        }
    }

    /// Receives the oldest message, blocking while there is none.
    #[inline(always)]
    pub fn recv(&self) -> T {
        if let Some(m) = self.try_recv() {
            return m;
        }
        let i = &*self.inner;
        wait::block(WaitKind::MailboxRecv, i.name.as_ref(), None, None, |w| {
            i.receivers.push(w)
        });
        self.take_promised()
    }

    /// Receives as [`Mailbox::recv`] does, waiting on the task `from` names
    /// (see [`Responder`]): a cycle of waits through it is a deadlock.
    pub fn recv_from(&self, from: &Responder) -> T {
        self.recv_waiting(None, Some(from))
            .expect("an untimed wait ends with a message")
    }

    /// Receives the oldest message, waiting at most `timeout`; `None` on timeout.
    /// A `timeout` that reaches past the end of virtual time waits forever.
    #[inline(always)]
    pub fn recv_for(&self, timeout: Duration) -> Option<T> {
        if let Some(m) = self.try_recv() {
            return Some(m);
        }
        self.recv_waiting(Some(timeout), None)
    }

    /// Receives as [`Mailbox::recv_for`] does, waiting on the task `from`
    /// names (see [`Responder`]): a cycle of waits through it is counted as a
    /// timeout cycle, or a deadlock if the timeout never comes.
    pub fn recv_for_from(&self, timeout: Duration, from: &Responder) -> Option<T> {
        self.recv_waiting(Some(timeout), Some(from))
    }

    fn recv_waiting(&self, timeout: Option<Duration>, from: Option<&Responder>) -> Option<T> {
        if let Some(m) = self.try_recv() {
            return Some(m);
        }
        let i = &*self.inner;
        let deadline = timeout.map(super::deadline);
        match wait::block(
            WaitKind::MailboxRecv,
            i.name.as_ref(),
            deadline,
            from.map(Responder::edge),
            |w| i.receivers.push(w),
        ) {
            WakeReason::Notified => Some(self.take_promised()),
            _ => None,
        }
    }

    /// Receives the oldest message not promised to a woken receiver, without
    /// blocking; also outside a simulation.
    pub fn try_recv(&self) -> Option<T> {
        let i = &*self.inner;
        if i.buf.borrow().len() <= i.promised.get() {
            return None;
        }
        let m = i.buf.borrow_mut().pop_front();
        self.room_freed();
        m
    }

    /// Receives every message not promised to a woken receiver, oldest first,
    /// without blocking; also outside a simulation.
    pub fn drain(&self) -> Vec<T> {
        let i = &*self.inner;
        let keep = i.promised.get();
        let taken: Vec<T> = {
            let mut buf = i.buf.borrow_mut();
            let n = buf.len().saturating_sub(keep);
            buf.drain(..n).collect()
        };
        for _ in 0..taken.len() {
            self.room_freed();
        }
        taken
    }

    fn take_promised(&self) -> T {
        let i = &*self.inner;
        i.promised.set(i.promised.get() - 1);
        let m = i
            .buf
            .borrow_mut()
            .pop_front()
            .expect("a woken receiver finds its promised message");
        self.room_freed();
        m
    }

    fn room_freed(&self) {
        let i = &*self.inner;
        // Outside a simulation there is no scheduler to wake a sender through.
        if i.capacity.is_some() && i.senders.wake_one_if_running().is_some() {
            i.slots_promised.set(i.slots_promised.get() + 1);
        }
    }

    /// Messages waiting (including those promised to woken receivers); also outside a simulation.
    pub fn len(&self) -> usize {
        self.inner.buf.borrow().len()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
