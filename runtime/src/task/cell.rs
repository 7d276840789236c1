//! A task's one allocation (its cell: the header the scheduler reads, and the
//! body: closure, then result) and the task table's entry for it.

use std::cell::{Cell, RefCell};
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::ptr::{addr_of_mut, NonNull};
use std::rc::Rc;

use super::{JoinError, Outcome, TaskId, TaskName, TaskState, NO_WORKER};
use crate::error::WaitKind;
use crate::exec::warm::TaskHint;
use crate::sched::{WaitsFor, WakeReason};
use crate::time::SimTime;

/// A task's one allocation: the scheduler's record of it (the header), its body
/// (the closure until it runs, then its result), shared by the scheduler and
/// every handle.
#[repr(C)]
pub(crate) struct TaskCell<B: ?Sized> {
    pub hdr: Header,
    pub body: B,
}

/// The scheduler's record of a task.
///
/// The fields the scheduler touches at every park, wake and resume come first:
/// with the reference counts they fill 50 bytes, so that in a 64-byte-aligned
/// block they share one cache line (with thousands of tasks, each wake-up is
/// otherwise a handful of cache misses). The rest is kept small, because a
/// million blocked tasks hold a million cells: a cell with a small closure fits
/// the allocator's 128-byte class, whose blocks are line-aligned.
#[repr(C)]
pub(crate) struct Header {
    pub id: TaskId,
    /// The current wait's id; 0 when not parked.
    pub wait: Cell<u64>,
    /// When the current wait (or the wait for a worker) began.
    pub since: Cell<SimTime>,
    /// The pool worker running it; `NO_WORKER` until it first runs.
    pub worker: Cell<u32>,
    pub state: Cell<TaskState>,
    pub wake: Cell<WakeReason>,
    pub kill_pending: Cell<bool>,
    pub waits_on: Cell<WaitKind>,
    /// Whether `detail` describes the current wait (most waits have no names and
    /// no wait-for edge, and then it is never touched).
    pub detailed: Cell<bool>,
    pub daemon: bool,
    pub name: TaskName,
    /// What the last detailed wait was on; boxed, and kept for reuse, because
    /// most tasks never have one and every task's cell should stay small.
    pub detail: Cell<Option<Box<Detail>>>,
}

impl<B: ?Sized> Deref for TaskCell<B> {
    type Target = Header;
    fn deref(&self) -> &Header {
        &self.hdr
    }
}

impl TaskCell<()> {
    /// A new task's cell with `body`, not yet scheduled, built in its allocation.
    ///
    /// Built field by field in place rather than assembled on the stack and
    /// moved: a cell is spawned per delivered message, and a stack temporary
    /// is written in small pieces and read back in wide ones, a
    /// store-forwarding stall per cell.
    pub(crate) fn new_rc<B>(
        id: TaskId,
        name: TaskName,
        daemon: bool,
        now: SimTime,
        body: B,
    ) -> Rc<TaskCell<B>> {
        // Names every field without `..`: adding one to Header stops the build
        // here until it is written below too.
        let _every_field_is_written = |h: Header| {
            let Header {
                id: _,
                wait: _,
                since: _,
                worker: _,
                state: _,
                wake: _,
                kill_pending: _,
                waits_on: _,
                detailed: _,
                daemon: _,
                name: _,
                detail: _,
            } = h;
        };
        let mut cell = Rc::new(MaybeUninit::<TaskCell<B>>::uninit());
        let p = Rc::get_mut(&mut cell)
            .expect("a fresh Rc has no other owner")
            .as_mut_ptr();
        // SAFETY: `p` points to the uninitialised, exclusively owned value of a
        // fresh `Rc`; every field of the header and the body is written exactly
        // once through raw field pointers (no reference to uninitialised memory
        // is formed). Then the value is initialised, and `MaybeUninit<T>` has the
        // layout of `T`, so the allocation is a valid `Rc<TaskCell<B>>`.
        unsafe {
            let h = addr_of_mut!((*p).hdr);
            addr_of_mut!((*h).id).write(id);
            addr_of_mut!((*h).wait).write(Cell::new(0));
            addr_of_mut!((*h).since).write(Cell::new(now));
            addr_of_mut!((*h).worker).write(Cell::new(NO_WORKER));
            addr_of_mut!((*h).state).write(Cell::new(TaskState::New));
            addr_of_mut!((*h).wake).write(Cell::new(WakeReason::Notified));
            addr_of_mut!((*h).kill_pending).write(Cell::new(false));
            addr_of_mut!((*h).waits_on).write(Cell::new(WaitKind::Worker));
            addr_of_mut!((*h).detailed).write(Cell::new(false));
            addr_of_mut!((*h).daemon).write(daemon);
            addr_of_mut!((*h).name).write(name);
            addr_of_mut!((*h).detail).write(Cell::new(None));
            addr_of_mut!((*p).body).write(body);
            Rc::from_raw(Rc::into_raw(cell).cast::<TaskCell<B>>())
        }
    }
}

/// The scheduler's entry for a live task: the cell, a thin pointer to its
/// header (reaching a field through the `Rc<dyn>` alone would first read the
/// body's alignment from the vtable, one more dependent load on every hot path),
/// and what cache warming keeps for it (see `exec::warm`).
pub(crate) struct TaskSlot {
    pub cell: AnyCell,
    hdr: NonNull<Header>,
    hint: TaskHint,
}

// A million blocked tasks hold a million entries: W4's memory budget counts them.
const _: () = assert!(std::mem::size_of::<TaskSlot>() == 32);

impl TaskSlot {
    /// The entry of `cell`, whose header is at `hdr`.
    pub(crate) fn new<B: AnyBody + 'static>(cell: Rc<TaskCell<B>>) -> TaskSlot {
        let hdr = NonNull::from(&cell.hdr);
        TaskSlot {
            cell,
            hdr,
            hint: TaskHint::new(),
        }
    }

    /// Gives the task, on its first run, pool worker `worker` (its warming
    /// hint records it too).
    #[inline]
    pub(crate) fn bind(&self, worker: u32) {
        self.worker.set(worker);
        self.hint.bind(worker);
    }

    /// What cache warming keeps for this task.
    #[inline(always)]
    pub(crate) fn hint(&self) -> &TaskHint {
        &self.hint
    }
}

impl Deref for TaskSlot {
    type Target = Header;
    #[inline(always)]
    fn deref(&self) -> &Header {
        // SAFETY: `hdr` points into the allocation that `cell` keeps alive for as
        // long as this slot exists, and the header is only ever shared (its
        // mutable parts are Cells).
        unsafe { self.hdr.as_ref() }
    }
}

/// The names and edges of a wait, for deadlock reports and cycle detection.
#[derive(Default)]
pub(crate) struct Detail {
    /// The name of what it waits on.
    pub object: Option<Rc<str>>,
    /// What an untimed wait waits for.
    pub waits_for: Option<WaitsFor>,
}

/// A task's value, or why there is none (boxed: errors are rare, cells many).
pub(crate) type TaskResult<T> = Result<T, Box<JoinError>>;

/// A task's closure (until it runs) and its result (once it ended).
pub(crate) struct Body<F, T> {
    job: Cell<Option<F>>,
    result: RefCell<Option<TaskResult<T>>>,
}

impl<F, T> Body<F, T> {
    /// The body of a task that will run `f`.
    pub(crate) fn new(f: F) -> Self {
        Body {
            job: Cell::new(Some(f)),
            result: RefCell::new(None),
        }
    }

    /// The body of a task that will never run, already holding `err`.
    pub(crate) fn failed(err: JoinError) -> Self {
        Body {
            job: Cell::new(None),
            result: RefCell::new(Some(Err(Box::new(err)))),
        }
    }
}

/// The scheduler's untyped view of a body.
pub(crate) trait AnyBody {
    /// Runs the closure (once), storing its value; reports how it ended.
    fn run(&self) -> Outcome;
    /// Drops the closure of a task that will never run.
    fn drop_job(&self);
    /// Records that the task produced no value.
    fn fail(&self, err: JoinError);
}

/// A handle's typed view of a body: where the value lands.
pub(crate) trait TypedBody<T> {
    fn result(&self) -> &RefCell<Option<TaskResult<T>>>;
}

impl<F: FnOnce() -> T, T> AnyBody for Body<F, T> {
    fn run(&self) -> Outcome {
        super::run::run_job(&self.job, &self.result)
    }

    fn drop_job(&self) {
        drop(self.job.take());
    }

    fn fail(&self, err: JoinError) {
        *self.result.borrow_mut() = Some(Err(Box::new(err)));
    }
}

impl<F, T> TypedBody<T> for Body<F, T> {
    fn result(&self) -> &RefCell<Option<TaskResult<T>>> {
        &self.result
    }
}

/// The cell behind a `JoinHandle<T>`.
pub(crate) type TypedCell<T> = Rc<TaskCell<dyn TypedBody<T>>>;
/// The cell the scheduler keeps.
pub(crate) type AnyCell = Rc<TaskCell<dyn AnyBody>>;
