//! The pool's workers: the coroutines, the stacks they run on, and resuming one.
//!
//! Owns every worker (created lazily, recycled when their job ends), the stack
//! allocator, and with `StackMode::Shared` the one stack and the saved frames
//! of the workers that are off it. The scheduler decides which task runs and
//! binds it to a worker (`bind`); this resumes that worker (`resume`).
//! Invariant: a worker index, once given, names the same worker until the
//! runtime is dropped (the array only grows while the runtime runs), so a task
//! keeps its worker for its whole life.

use super::shared_stack::SharedStack;
use super::stack::{GuardMode, SlotSpan, SlotStack, StackAllocator};
use super::warm;
use super::worker::{Resume, Suspend, Worker};
use super::ExecState;

/// Most workers sampled for the stack high-water mark (one `mincore` call each).
const HIGH_WATER_SAMPLES: usize = 4096;

/// The TaskThreads: coroutines and the stacks they run on (the core lists the idle ones).
pub(crate) struct WorkerPool {
    // Field order is drop order: workers (and their coroutines) before the stacks.
    workers: Vec<Worker>,
    stacks: StackAllocator,
    /// With `StackMode::Shared`: the one stack (carved on first use) and the
    /// frames of the workers that are off it.
    shared: Option<SharedStack>,
}

/// What the pool reports of itself (see [`crate::PoolStats`]).
pub(crate) struct WorkerStats {
    pub stack_size: usize,
    pub guard: GuardMode,
    pub workers_created: usize,
    pub stack_high_water: usize,
}

impl WorkerPool {
    /// A pool with no worker yet, whose stacks have `stack_size` usable bytes.
    pub fn new(stack_size: usize) -> Self {
        WorkerPool {
            workers: Vec::new(),
            stacks: StackAllocator::new(stack_size),
            shared: None,
        }
    }

    /// The layout of every stack the pool carves.
    pub fn span(&self) -> SlotSpan {
        self.stacks.span()
    }

    /// How deep `worker`'s stack has reached: its resident bytes (one `mincore`).
    fn high_water(&self, worker: &Worker) -> usize {
        let [_, limit, top] = self.stacks.bounds(worker.top);
        self.stacks.resident_bytes(&SlotStack { limit, top })
    }

    /// Each worker's stack high-water mark, in creation order.
    pub fn high_water_marks(&self) -> Vec<usize> {
        self.workers.iter().map(|w| self.high_water(w)).collect()
    }

    /// The pool's statistics (the high-water mark sampled over the workers).
    pub fn stats(&self) -> WorkerStats {
        let step = (self.workers.len() / HIGH_WATER_SAMPLES).max(1);
        let stack_high_water = self
            .workers
            .iter()
            .step_by(step)
            .map(|w| self.high_water(w))
            .max()
            .unwrap_or(0);
        WorkerStats {
            stack_size: self.stacks.stack_size(),
            guard: self.stacks.mode(),
            workers_created: self.workers.len(),
            stack_high_water,
        }
    }

    /// Resumes worker `w` (bound to the task that runs now) until its task
    /// parks or ends; returns which.
    ///
    /// Always inlined: the scheduler's loop that calls it is where a suspended
    /// task returns to, and a call in between would be a mispredicted return
    /// at every switch (see `sched::wait`).
    #[inline(always)]
    pub fn resume(&mut self, exec: &ExecState, w: u32) -> Suspend {
        self.make_resident(exec, w);
        // Through the array's pointer, not a slice: a task handing off (see
        // `handoff`) resumes other workers of the array while this one runs.
        let base = self.workers.as_mut_ptr();
        exec.set_workers(base);
        assert!((w as usize) < self.workers.len(), "a bound worker exists");
        // SAFETY: `w` is in bounds (checked above) and no other reference to
        // worker `w` exists: the scheduler resumes one worker at a time, and a
        // hand-off only resumes workers of parked tasks, never this running one.
        let worker = unsafe { &mut *base.add(w as usize) };
        exec.set_running_top(worker.top);
        worker.resume(Resume::Go)
    }

    /// Resumes worker `w` to leave its job loop (at teardown).
    fn exit(&mut self, exec: &ExecState, w: usize) {
        self.make_resident(exec, w as u32);
        self.workers[w].resume(Resume::Exit);
    }

    /// On a shared stack, puts worker `w`'s frames on it before `w` resumes.
    #[inline]
    fn make_resident(&mut self, exec: &ExecState, w: u32) {
        if !exec.shared() {
            return;
        }
        if let Some(shared) = &mut self.shared {
            let workers = &self.workers;
            shared.make_resident(w, exec, |i| workers[i as usize].is_done());
        }
    }

    /// Warms worker `w`'s memory, that of the task expected to run next (see
    /// `warm`): its record and, on a shared stack, its saved frames and the
    /// record of the worker after it (`after`, asked only then).
    #[inline]
    pub fn warm(&self, w: usize, after: impl FnOnce() -> Option<usize>) {
        if let Some(worker) = self.workers.get(w) {
            warm::record(worker);
        }
        // On a shared stack its frames come back from their saved copy. Finding
        // that copy is itself a miss with many workers (a random entry of a
        // large array), so the record of the task after it is asked for now,
        // a step before it is read.
        if let Some(s) = self.shared.as_ref() {
            if let Some((addr, len)) = s.saved(w) {
                warm::saved_frames(addr, len);
            }
            if let Some(after) = after() {
                s.warm_record(after);
            }
        }
    }

    /// A worker for a task's first run: an idle one, or a new one on a
    /// freshly carved stack; or, when the system maps no more memory, what
    /// failed and how many workers exist.
    pub fn bind(&mut self, exec: &ExecState) -> Result<u32, (String, usize)> {
        if let Some(w) = exec.pop_idle() {
            // A shared worker's coroutine ended with its job: it gets a new one.
            if self.shared.is_some() && self.workers[w as usize].is_done() {
                let stack = self.shared_slot(exec, w);
                self.workers[w as usize] = Worker::new(stack);
            }
            return Ok(w);
        }
        let w = self.workers.len() as u32;
        let stack = match exec.shared() {
            true => {
                if self.shared.is_none() {
                    let stack = self.carve(exec)?;
                    self.shared = Some(SharedStack::new(&stack, exec));
                }
                self.shared_slot(exec, w)
            }
            false => self.carve(exec)?,
        };
        self.workers.push(Worker::new(stack));
        Ok(w)
    }

    /// The shared stack's bounds for a new coroutine of worker `w`, whose initial
    /// frame will overwrite the top of the stack (so the resident's frames are saved).
    fn shared_slot(&mut self, exec: &ExecState, w: u32) -> SlotStack {
        let shared = self.shared.as_mut().expect("a shared stack was carved");
        let workers = &self.workers;
        shared.prepare_new(w, exec, |i| workers[i as usize].is_done());
        shared.slot()
    }

    /// A freshly carved stack (the only one, with a shared stack), or what the
    /// system refused and how many workers exist.
    fn carve(&mut self, exec: &ExecState) -> Result<SlotStack, (String, usize)> {
        let stack = self.stacks.carve().map_err(|e| {
            let what = format!(
                "cannot map a stack of {} bytes for another task: {e}",
                self.stacks.stack_size()
            );
            (what, self.workers.len())
        })?;
        exec.set_software_guard(self.stacks.mode() == GuardMode::Software);
        Ok(stack)
    }

    /// At teardown: leaks the workers `stuck` (sorted), whose tasks caught
    /// their kill and parked again, rather than resume them into code that
    /// ignores being killed. Returns whether there were any.
    pub fn forget(&mut self, exec: &ExecState, stuck: &[u32]) -> bool {
        if let Some(shared) = &mut self.shared {
            // Indices move below: nobody stays resident across that.
            let workers = &self.workers;
            shared.evict(exec, |i| workers[i as usize].is_done());
        }
        for w in stuck.iter().rev() {
            let worker = self.workers.swap_remove(*w as usize);
            if let Some(shared) = &mut self.shared {
                shared.swap_remove(*w);
            }
            std::mem::forget(worker);
        }
        !stuck.is_empty()
    }

    /// At teardown, once every task is gone: lets each worker still in its job
    /// loop leave it, and if workers were leaked (`leaked`), leaks the stacks
    /// too, which their coroutines still reference.
    pub fn exit_all(&mut self, exec: &ExecState, leaked: bool) {
        for w in 0..self.workers.len() {
            let worker = &self.workers[w];
            if worker.is_started() && !worker.is_done() {
                self.exit(exec, w);
            }
        }
        if leaked {
            std::mem::forget(std::mem::replace(
                &mut self.stacks,
                StackAllocator::new(4096),
            ));
        }
    }
}
