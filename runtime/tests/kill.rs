//! Killing tasks: blocking calls unwind the stack (locals are dropped), join sees
//! Killed, killed waiters take nothing, unstarted tasks never run, and dropping a
//! Runtime unwinds whatever is still parked.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        assert!(!self.0.get(), "dropped twice");
        self.0.set(true);
    }
}

fn flag() -> (Rc<Cell<bool>>, DropFlag) {
    let f = Rc::new(Cell::new(false));
    (f.clone(), DropFlag(f))
}

/// Spawns `victim` (which parks in `block`), kills it from another task 5 ms
/// later, and checks its local was dropped and its join says Killed, at 5 ms.
fn kill_while_parked(block: impl FnOnce() + 'static, expect: TaskState) {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let (dropped, local) = flag();
    let after_block = Rc::new(Cell::new(false));
    let ab = after_block.clone();
    let victim = rt.spawn("victim", move || {
        let _local = local;
        block();
        ab.set(true);
    });
    let d = dropped.clone();
    let killer = rt.spawn("killer", move || {
        sleep(ms(5));
        assert_eq!(victim.state(), expect);
        assert!(!d.get());
        victim.kill();
        // The victim unwinds when it next runs, not inside kill().
        assert!(!d.get());
        let r = victim.join();
        (r, now(), d.get())
    });
    let report = rt.run().unwrap();
    let (r, t, dropped_at_join) = killer.try_join().unwrap().unwrap();
    assert_eq!(r, Err(JoinError::Killed));
    assert_eq!(t, at_ms(5));
    assert!(dropped_at_join, "locals dropped before join returned");
    assert!(dropped.get());
    assert!(!after_block.get(), "the blocking call never returned");
    assert!(report.panics.is_empty(), "a kill is not a panic");
    assert_eq!(report.tasks_alive, 0);
    assert_eq!(report.tasks_finished, report.tasks_spawned);
}

#[test]
fn kill_while_blocked_on_semaphore() {
    let s = Semaphore::new(0);
    kill_while_parked(move || s.down(), TaskState::Blocked);
}

#[test]
fn kill_while_waiting_on_mailbox_recv() {
    let mb: Mailbox<String> = Mailbox::new();
    kill_while_parked(
        move || {
            mb.recv();
        },
        TaskState::Waiting,
    );
}

#[test]
fn kill_while_sleeping() {
    kill_while_parked(|| sleep(ms(1000)), TaskState::TimedWaiting);
}

#[test]
fn kill_while_blocked_on_mutex_lock() {
    let m = Mutex::new(0u32);
    let holder = m.clone();
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn("holder", move || {
        let mut g = holder.lock();
        sleep(ms(10));
        *g += 1;
    });
    let (dropped, local) = flag();
    let m2 = m.clone();
    let victim = rt.spawn("victim", move || {
        let _local = local;
        *m2.lock() += 100;
    });
    let m3 = m.clone();
    let next = rt.spawn("next", move || {
        sleep(ms(1));
        let mut g = m3.lock();
        *g += 10;
        (now(), *g)
    });
    let killer = rt.spawn("killer", move || {
        sleep(ms(5));
        assert_eq!(victim.state(), TaskState::Blocked);
        victim.kill();
        victim.join()
    });
    rt.run().unwrap();
    assert_eq!(killer.try_join().unwrap().unwrap(), Err(JoinError::Killed));
    assert!(dropped.get());
    // The killed waiter did not take the lock: the next waiter got it from the holder.
    assert_eq!(next.try_join().unwrap().unwrap(), (at_ms(10), 11));
    assert!(!m.is_locked());
}

#[test]
fn kill_while_waiting_on_lock_object() {
    let lo = LockObject::new();
    kill_while_parked(move || lo.block(), TaskState::Waiting);
}

#[test]
fn kill_while_waiting_on_join_and_sync_point() {
    let sp = SyncPoint::new();
    kill_while_parked(move || sp.wait_until(|| false), TaskState::Waiting);
    let lo = LockObject::new();
    kill_while_parked(
        move || {
            let _ = spawn("never-released", move || lo.block_for(ms(50))).join();
        },
        TaskState::Waiting,
    );
}

#[test]
fn kill_unwinds_nested_frames_and_releases_held_mutex() {
    fn deep(n: u32, m: &Mutex<Vec<u32>>, drops: &Rc<Cell<u32>>) {
        struct Count(Rc<Cell<u32>>);
        impl Drop for Count {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let _c = Count(drops.clone());
        if n == 0 {
            let mut g = m.lock();
            g.push(1);
            sleep(ms(100));
            g.push(2);
        } else {
            deep(n - 1, m, drops);
        }
    }
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(Vec::new());
    let drops = Rc::new(Cell::new(0));
    let (m1, d1) = (m.clone(), drops.clone());
    let victim = rt.spawn("victim", move || deep(20, &m1, &d1));
    let m2 = m.clone();
    let waiter = rt.spawn("waiter", move || {
        sleep(ms(1));
        let v = m2.lock().clone();
        (v, now())
    });
    rt.run_until(at_ms(3)).unwrap();
    rt.kill(&victim);
    rt.run().unwrap();
    assert_eq!(drops.get(), 21);
    assert_eq!(victim.try_join(), Some(Err(JoinError::Killed)));
    // The guard was dropped by the unwinding: the waiter got the lock at 3 ms.
    assert_eq!(waiter.try_join().unwrap().unwrap(), (vec![1], at_ms(3)));
}

#[test]
fn killed_semaphore_waiter_does_not_consume_a_permit() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let got = Rc::new(RefCell::new(Vec::new()));
    let (s1, g1) = (s.clone(), got.clone());
    let first = rt.spawn("first", move || {
        s1.down();
        g1.borrow_mut().push("first".to_string());
    });
    let (s2, g2) = (s.clone(), got.clone());
    let second = rt.spawn("second", move || {
        sleep(ms(1));
        s2.down();
        g2.borrow_mut().push(format!("second@{}", now().as_nanos()));
    });
    let s3 = s.clone();
    rt.spawn("controller", move || {
        sleep(ms(2));
        first.kill();
        sleep(ms(1));
        s3.up();
        assert_eq!(s3.available(), 0, "the permit went to the second waiter");
        first.join()
    });
    rt.run().unwrap();
    assert_eq!(*got.borrow(), vec!["second@3000000".to_string()]);
    assert!(second.is_finished());
    assert_eq!(s.available(), 0);
}

#[test]
fn killed_mailbox_receiver_takes_no_message() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let mb: Mailbox<u32> = Mailbox::new();
    let m1 = mb.clone();
    let first = rt.spawn("first", move || m1.recv());
    let m2 = mb.clone();
    let second = rt.spawn("second", move || {
        sleep(ms(1));
        (m2.recv(), m2.recv())
    });
    let m3 = mb.clone();
    rt.spawn("controller", move || {
        sleep(ms(2));
        first.kill();
        m3.send(1);
        m3.send(2);
        first.join()
    });
    rt.run().unwrap();
    assert_eq!(second.try_join().unwrap().unwrap(), (1, 2));
    assert!(mb.is_empty());
}

#[test]
fn kill_of_a_not_yet_started_task_means_its_body_never_runs() {
    let ran = Rc::new(Cell::new(false));
    let mut rt = Runtime::new(RuntimeConfig::default());
    let (dropped, local) = flag();
    let r = ran.clone();
    let h = rt.spawn("never", move || {
        let _l = local;
        r.set(true);
    });
    assert_eq!(h.state(), TaskState::Runnable);
    rt.kill(&h);
    let report = rt.run().unwrap();
    assert!(!ran.get());
    assert!(dropped.get(), "the captured local is dropped with the job");
    assert_eq!(h.try_join(), Some(Err(JoinError::Killed)));
    assert_eq!(report.events, 0);
    assert_eq!(report.tasks_finished, 1);

    // Killed from inside a task before it got its first turn.
    let ran = Rc::new(Cell::new(false));
    let mut rt = Runtime::new(RuntimeConfig::default());
    let r = ran.clone();
    let h = rt.spawn("parent", move || {
        let child = spawn("child", move || r.set(true));
        child.kill();
        child.join()
    });
    rt.run().unwrap();
    assert!(!ran.get());
    assert_eq!(h.try_join().unwrap().unwrap(), Err(JoinError::Killed));
}

#[test]
fn kill_of_a_task_queued_for_a_worker() {
    let ran = Rc::new(Cell::new(false));
    let mut rt = Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            capacity: Some(1),
            policy: ExhaustionPolicy::Queue,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    let r = ran.clone();
    let h = rt.spawn("parent", move || {
        let child = spawn("child", move || r.set(true));
        assert_eq!(child.state(), TaskState::New);
        child.kill();
        assert_eq!(child.state(), TaskState::Terminated);
        // Its queued place is gone: a later spawn is the one that gets the worker.
        let other = spawn("other", || 3);
        sleep(ms(1));
        (child.join(), other)
    });
    let report = rt.run().unwrap();
    let (j, other) = h.try_join().unwrap().unwrap();
    assert_eq!(j, Err(JoinError::Killed));
    assert_eq!(other.try_join(), Some(Ok(3)));
    assert!(!ran.get());
    assert_eq!(report.pool.workers_created, 1);
}

#[test]
fn a_runnable_task_unwinds_at_its_next_blocking_call() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let progress = Rc::new(Cell::new(0));
    let p = progress.clone();
    let victim = rt.spawn("victim", move || {
        p.set(1);
        yield_now();
        p.set(2); // runs: the kill came while it was runnable
        sleep(ms(1));
        p.set(3); // never
    });
    rt.spawn("killer", move || {
        victim.kill();
        victim.join()
    });
    rt.run().unwrap();
    assert_eq!(progress.get(), 2);
}

#[test]
fn kill_of_a_finished_task_is_a_no_op() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("parent", || {
        let child = spawn("child", || 1);
        sleep(ms(1));
        child.kill();
        child.join()
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), Ok(1));
}

#[test]
fn dropping_a_runtime_after_a_deadlock_drops_parked_locals() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::named("never", 0);
    let mb: Mailbox<u8> = Mailbox::new();
    let lo = LockObject::new();
    let m = Mutex::new(());
    let mut flags = Vec::new();
    let (f, l) = flag();
    flags.push(f);
    let s1 = s.clone();
    rt.spawn("sem", move || {
        let _l = l;
        s1.down();
    });
    let (f, l) = flag();
    flags.push(f);
    rt.spawn("recv", move || {
        let _l = l;
        mb.recv();
    });
    let (f, l) = flag();
    flags.push(f);
    rt.spawn("lock-object", move || {
        let _l = l;
        lo.block();
    });
    let (f, l) = flag();
    flags.push(f);
    let m1 = m.clone();
    rt.spawn("holder", move || {
        let _l = l;
        let _g = m1.lock();
        s.down();
    });
    let (f, l) = flag();
    flags.push(f);
    rt.spawn("mutex", move || {
        let _l = l;
        sleep(ms(1));
        let _g = m.lock();
    });
    let (f, l) = flag();
    flags.push(f);
    rt.spawn_daemon("daemon", move || {
        let _l = l;
        LockObject::new().block();
    });
    let err = rt.run().unwrap_err();
    assert_eq!(err.as_deadlock().unwrap().tasks.len(), 6);
    assert!(flags.iter().all(|f| !f.get()));
    drop(rt);
    for (i, f) in flags.iter().enumerate() {
        assert!(f.get(), "task {i}'s local was not dropped");
    }
}

#[test]
fn dropping_a_runtime_with_unstarted_and_sleeping_tasks_drops_their_locals() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let (started_flag, l1) = flag();
    let (unstarted_flag, l2) = flag();
    rt.spawn("sleeping", move || {
        let _l = l1;
        sleep(ms(100));
    });
    rt.run_until(at_ms(1)).unwrap();
    rt.spawn("unstarted", move || {
        let _l = l2;
    });
    drop(rt);
    assert!(started_flag.get());
    assert!(unstarted_flag.get());
}

#[test]
fn dropping_a_runtime_after_a_failure_drops_runnable_task_locals() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let (dropped, local) = flag();
    rt.spawn("spinner", move || {
        let _l = local;
        loop {
            yield_now();
        }
    });
    rt.spawn("bad", || panic!("stop the run"));
    let err = rt.run().unwrap_err();
    assert!(matches!(err, SimError::TaskPanicked(_)));
    drop(rt);
    assert!(dropped.get(), "the runnable task's local was leaked");
}

#[test]
fn dropping_a_runtime_unwinds_a_woken_task_before_it_goes_on() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sem = Semaphore::new(0);
    let s2 = sem.clone();
    let (dropped, local) = flag();
    let went_on = Rc::new(Cell::new(false));
    let w2 = went_on.clone();
    rt.spawn("waiter", move || {
        let _l = local;
        s2.down();
        w2.set(true);
    });
    rt.spawn("waker", move || {
        sem.up();
        panic!("stop the run while the waiter is ready");
    });
    let err = rt.run().unwrap_err();
    assert!(matches!(err, SimError::TaskPanicked(_)));
    drop(rt);
    assert!(dropped.get(), "the woken task's local was leaked");
    assert!(!went_on.get(), "the woken task ran on after teardown began");
}
