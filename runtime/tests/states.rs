//! TaskState transitions, observed through the JoinHandle from another task while
//! the target is parked, and after the run.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fifo() -> Runtime {
    Runtime::new(RuntimeConfig::default())
}

/// Runs `target` as a task, lets an observer look at its state 1 ms later (while it
/// is parked), then calls `unpark` from the observer; returns the observed state.
fn observe<F, U>(target: F, unpark: U) -> TaskState
where
    F: FnOnce() + 'static,
    U: FnOnce() + 'static,
{
    let mut rt = fifo();
    let h = rt.spawn("target", target);
    assert_eq!(h.state(), TaskState::Runnable);
    let obs = rt.spawn("observer", move || {
        sleep(ms(1));
        let seen = h.state();
        assert!(!h.is_finished());
        unpark();
        (seen, h)
    });
    rt.run().unwrap();
    let (seen, h) = obs.try_join().unwrap().unwrap();
    assert_eq!(h.state(), TaskState::Terminated);
    assert!(h.is_finished());
    assert!(h.try_join().unwrap().is_ok());
    seen
}

#[test]
fn runnable_when_spawned_and_not_yet_run() {
    let mut rt = fifo();
    let h = rt.spawn("t", || ());
    assert_eq!(h.state(), TaskState::Runnable);
    assert!(!h.state().is_parked());
    assert!(!h.is_finished());
    assert!(h.try_join().is_none());
    rt.run().unwrap();
    assert_eq!(h.state(), TaskState::Terminated);
}

#[test]
fn running_while_it_executes() {
    let mut rt = fifo();
    let slot: Rc<RefCell<Option<JoinHandle<TaskState>>>> = Rc::new(RefCell::new(None));
    let s = slot.clone();
    let h = rt.spawn("self-aware", move || {
        let state = s.borrow().as_ref().unwrap().state();
        state
    });
    // The task reads its own state through its own handle.
    *slot.borrow_mut() = Some(h);
    rt.run().unwrap();
    let h = slot.borrow_mut().take().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), TaskState::Running);
}

#[test]
fn new_while_queued_on_an_exhausted_queue_pool() {
    let mut rt = Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            capacity: Some(1),
            policy: ExhaustionPolicy::Queue,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    let queued = rt.spawn("queued-root", now);
    assert_eq!(queued.state(), TaskState::Runnable);
    let second = rt.spawn("second-root", || ());
    assert_eq!(second.state(), TaskState::New);
    let parent = rt.spawn("third-root", || ());
    assert_eq!(parent.state(), TaskState::New);
    assert!(!parent.state().is_parked());
    rt.run().unwrap();
    for s in [queued.state(), second.state(), parent.state()] {
        assert_eq!(s, TaskState::Terminated);
    }

    // Observed from inside: the spawner holds the only worker.
    let mut rt = Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            capacity: Some(1),
            policy: ExhaustionPolicy::Queue,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    let p = rt.spawn("parent", || {
        let child = spawn("child", || 7);
        let s1 = child.state();
        sleep(ms(5));
        let s2 = child.state();
        (s1, s2, child)
    });
    rt.run().unwrap();
    let (s1, s2, child) = p.try_join().unwrap().unwrap();
    assert_eq!(s1, TaskState::New);
    assert_eq!(
        s2,
        TaskState::New,
        "still no worker while the parent sleeps"
    );
    assert_eq!(child.state(), TaskState::Terminated);
    assert_eq!(child.try_join().unwrap().unwrap(), 7);
}

#[test]
fn blocked_on_semaphore_down() {
    let s = Semaphore::new(0);
    let s2 = s.clone();
    let seen = observe(move || s2.down(), move || s.up());
    assert_eq!(seen, TaskState::Blocked);
    assert!(seen.is_parked());
}

#[test]
fn blocked_on_mutex_lock() {
    let m = Mutex::new(0);
    let mut rt = fifo();
    let m1 = m.clone();
    rt.spawn("holder", move || {
        let _g = m1.lock();
        sleep(ms(10));
    });
    let m2 = m.clone();
    let h = rt.spawn("target", move || {
        *m2.lock() += 1;
    });
    let obs = rt.spawn("observer", move || {
        sleep(ms(1));
        let seen = h.state();
        h.join().unwrap();
        (seen, now())
    });
    rt.run().unwrap();
    let (seen, t) = obs.try_join().unwrap().unwrap();
    assert_eq!(seen, TaskState::Blocked);
    assert_eq!(t, SimTime::from_nanos(10_000_000));
}

#[test]
fn waiting_on_lock_object_block() {
    let lo = LockObject::new();
    let lo2 = lo.clone();
    let seen = observe(move || lo2.block(), move || assert!(lo.release()));
    assert_eq!(seen, TaskState::Waiting);
}

#[test]
fn waiting_on_mailbox_recv() {
    let mb: Mailbox<u8> = Mailbox::new();
    let mb2 = mb.clone();
    let seen = observe(move || assert_eq!(mb2.recv(), 9), move || mb.send(9));
    assert_eq!(seen, TaskState::Waiting);
}

#[test]
fn waiting_on_sync_point() {
    let sp = SyncPoint::new();
    let flag = Rc::new(std::cell::Cell::new(false));
    let (sp2, f2) = (sp.clone(), flag.clone());
    let seen = observe(
        move || sp2.wait_until(|| f2.get()),
        move || {
            flag.set(true);
            assert_eq!(sp.awake(), 1);
        },
    );
    assert_eq!(seen, TaskState::Waiting);
}

#[test]
fn waiting_on_join() {
    let lo = LockObject::new();
    let lo2 = lo.clone();
    let seen = observe(
        move || {
            let inner = spawn("inner", move || lo2.block());
            inner.join().unwrap();
        },
        move || assert!(lo.release()),
    );
    assert_eq!(seen, TaskState::Waiting);
}

#[test]
fn timed_waiting_on_sleep_and_every_timeout_form() {
    assert_eq!(observe(|| sleep(ms(5)), || ()), TaskState::TimedWaiting);

    let s = Semaphore::new(0);
    assert_eq!(
        observe(move || assert!(!s.down_for(ms(5))), || ()),
        TaskState::TimedWaiting
    );
    let lo = LockObject::new();
    assert_eq!(
        observe(
            move || assert_eq!(lo.block_for(ms(5)), BlockResult::TimedOut),
            || ()
        ),
        TaskState::TimedWaiting
    );
    let mb: Mailbox<u8> = Mailbox::new();
    assert_eq!(
        observe(move || assert_eq!(mb.recv_for(ms(5)), None), || ()),
        TaskState::TimedWaiting
    );
    let full: Mailbox<u8> = Mailbox::bounded(1);
    assert_eq!(
        observe(
            move || {
                full.send(1);
                assert_eq!(full.send_for(2, ms(5)), Err(2));
            },
            || ()
        ),
        TaskState::TimedWaiting
    );
    let sp = SyncPoint::new();
    assert_eq!(
        observe(move || assert!(!sp.wait_until_for(|| false, ms(5))), || ()),
        TaskState::TimedWaiting
    );
    let m = Mutex::new(());
    let holder = m.clone();
    let mut rt = fifo();
    rt.spawn("holder", move || {
        let _g = holder.lock();
        sleep(ms(20));
    });
    let h = rt.spawn("target", move || m.lock_for(ms(5)).is_none());
    let obs = rt.spawn("observer", move || {
        sleep(ms(1));
        (h.state(), h)
    });
    rt.run().unwrap();
    let (seen, h) = obs.try_join().unwrap().unwrap();
    assert_eq!(seen, TaskState::TimedWaiting);
    assert!(h.try_join().unwrap().unwrap());
}

#[test]
fn runnable_again_after_being_woken_until_it_runs() {
    let mut rt = fifo();
    let s = Semaphore::new(0);
    let s2 = s.clone();
    let target = rt.spawn("target", move || s2.down());
    let obs = rt.spawn("observer", move || {
        sleep(ms(1));
        let before = target.state();
        s.up();
        let woken = target.state();
        yield_now();
        (before, woken, target.state())
    });
    rt.run().unwrap();
    let (before, woken, after) = obs.try_join().unwrap().unwrap();
    assert_eq!(before, TaskState::Blocked);
    assert_eq!(woken, TaskState::Runnable);
    assert_eq!(after, TaskState::Terminated);
}

#[test]
fn terminated_after_panic_kill_or_rejection() {
    let mut rt = Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        pool: PoolConfig {
            capacity: Some(2),
            policy: ExhaustionPolicy::Reject,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    let p = rt.spawn("panics", || -> () { panic!("x") });
    let k = rt.spawn("killed", || sleep(ms(100)));
    let r = rt.spawn("rejected", || ());
    assert_eq!(r.state(), TaskState::Terminated);
    rt.run_until(SimTime::from_nanos(1)).unwrap();
    assert_eq!(p.state(), TaskState::Terminated);
    assert_eq!(k.state(), TaskState::TimedWaiting);
    rt.kill(&k);
    rt.run().unwrap();
    assert_eq!(k.state(), TaskState::Terminated);
    assert_eq!(k.try_join(), Some(Err(JoinError::Killed)));
    assert_eq!(r.try_join(), Some(Err(JoinError::Rejected)));
}
