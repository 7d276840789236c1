//! Task identity, the seed's state model, and the handle returned by `spawn`.

mod name;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::ptr::{addr_of_mut, NonNull};
use std::rc::Rc;

use crate::exec::context;
use crate::sched::core::{Outcome, WaitsFor, WakeReason, NO_WORKER};
use crate::error::WaitKind;
use crate::exec::prefetch::Hint;
use crate::time::SimTime;

/// A task's name, as given to `spawn`; static strings cost no allocation.
pub use name::TaskName;

/// A task's identity: unique for the whole run, assigned in spawn order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub(crate) u64);

impl TaskId {
    /// The raw number (spawn order, starting at 1).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The TaskThread states of the seed (Java's `Thread.State` plus Running).
///
/// - `New`: spawned, waiting for a worker of the pool.
/// - `Runnable`: has (or will get) a worker and waits in the run queue.
/// - `Running`: the one task executing now.
/// - `Blocked`: waiting to acquire a lock (`Mutex::lock`, `Semaphore::down`).
/// - `Waiting`: waiting without timeout for an event (`LockObject::block`,
///   `Mailbox::recv`, `SyncPoint::wait_until`, `join`).
/// - `TimedWaiting`: `sleep` or any `*_for` form with a timeout.
/// - `Terminated`: finished, panicked, killed or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Spawned, waiting for a worker of the pool.
    New,
    /// Ready to run, in the run queue.
    Runnable,
    /// Executing now.
    Running,
    /// Waiting to acquire a lock.
    Blocked,
    /// Waiting without timeout.
    Waiting,
    /// Sleeping, or waiting with a timeout.
    TimedWaiting,
    /// Finished (normally or not); the worker went back to the pool.
    Terminated,
}

impl TaskState {
    /// Whether the task is parked on a wait (Blocked, Waiting or TimedWaiting).
    pub fn is_parked(self) -> bool {
        matches!(
            self,
            TaskState::Blocked | TaskState::Waiting | TaskState::TimedWaiting
        )
    }
}

/// Why `join` produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The task panicked with this message.
    Panicked(String),
    /// The task was killed; its stack was unwound.
    Killed,
    /// The pool had no worker and its policy is `Reject`: the task never ran.
    Rejected,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(m) => write!(f, "task panicked: {m}"),
            JoinError::Killed => f.write_str("task was killed"),
            JoinError::Rejected => f.write_str("task was rejected: the pool was exhausted"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The id and name of a task, as returned by [`crate::current`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    /// The task's id.
    pub id: TaskId,
    /// The task's name.
    pub name: TaskName,
}

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
    /// moved: a cell is spawned per delivered message, and the compiler's stack
    /// temporary was written in small pieces and read back in wide ones, a
    /// store-forwarding stall per cell that cost more than the rest of the spawn.
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
/// and where its memory is, for prefetching it without touching the cell.
pub(crate) struct TaskSlot {
    pub cell: AnyCell,
    hdr: NonNull<Header>,
    pub hint: Cell<Hint>,
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
            hint: Cell::new(Hint::NONE),
        }
    }
}

impl TaskSlot {
    /// Gives the task, on its first run, pool worker `worker` (the prefetch hint
    /// records it too).
    #[inline]
    pub(crate) fn bind(&self, worker: u32) {
        self.worker.set(worker);
        self.hint.set(self.hint.get().with_worker(worker));
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
        crate::sched::wait::run_job(&self.job, &self.result)
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

/// A handle to a spawned task: its state, its result, and the means to kill it.
pub struct JoinHandle<T> {
    pub(crate) cell: TypedCell<T>,
    pub(crate) key: usize,
}

impl<T> JoinHandle<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.cell.id
    }

    /// The task's name.
    pub fn name(&self) -> &TaskName {
        &self.cell.name
    }

    /// The task's current state.
    pub fn state(&self) -> TaskState {
        self.cell.state.get()
    }

    /// Whether the task has terminated (its result, if any, is ready).
    pub fn is_finished(&self) -> bool {
        self.state() == TaskState::Terminated
    }

    /// Whether the pool rejected this task (policy `Reject`, pool exhausted).
    pub fn is_rejected(&self) -> bool {
        matches!(
            &*self.cell.body.result().borrow(),
            Some(Err(e)) if **e == JoinError::Rejected
        )
    }

    /// Waits (inside a task) until the task ends, and returns its value or why there is none.
    ///
    /// Outside a task this only works on a finished task; otherwise it panics,
    /// because nothing could make progress while the caller waits.
    pub fn join(self) -> Result<T, JoinError> {
        if !self.is_finished() {
            if !context::in_task() {
                panic!(
                    "JoinHandle::join on unfinished task {} '{}' outside a task: \
                     call it inside a task, or after Runtime::run",
                    self.cell.id, self.cell.name
                );
            }
            crate::sched::wait::join_task(self.key, self.cell.id, &self.cell.name.to_string());
        }
        self.take_result()
    }

    /// The task's result if it has terminated, without waiting; `None` otherwise.
    pub fn try_join(&self) -> Option<Result<T, JoinError>> {
        if self.is_finished() {
            Some(self.take_result())
        } else {
            None
        }
    }

    /// Kills the task: a parked task's blocking call unwinds its stack (dropping its
    /// locals); a runnable task unwinds at its next blocking call; a task that has not
    /// started never runs. Must be called while its runtime is running (inside a task).
    pub fn kill(&self) {
        if self.is_finished() {
            return;
        }
        context::with_core(|core| core.kill(self.key, self.cell.id));
    }

    fn take_result(&self) -> Result<T, JoinError> {
        self.cell
            .body
            .result()
            .borrow_mut()
            .take()
            .unwrap_or_else(|| {
                Err(Box::new(JoinError::Panicked(
                    "result already taken by an earlier join".into(),
                )))
            })
            .map_err(|e| *e)
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.cell.id)
            .field("name", &self.cell.name)
            .field("state", &self.state())
            .finish()
    }
}
