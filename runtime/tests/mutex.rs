//! Mutex<T>: exclusion across blocking calls, FIFO hand-off, lock_for, try_lock,
//! and wait-for cycles reported as (partial) deadlocks.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

#[test]
fn guard_held_across_sleep_excludes_others() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(Vec::new());
    let inside = Rc::new(Cell::new(0));
    let max_inside = Rc::new(Cell::new(0));
    for i in 0..6u64 {
        let (m, inside, max_inside) = (m.clone(), inside.clone(), max_inside.clone());
        rt.spawn(format!("w{i}"), move || {
            sleep(Duration::from_nanos(i));
            let mut g = m.lock();
            inside.set(inside.get() + 1);
            max_inside.set(max_inside.get().max(inside.get()));
            let start = now();
            sleep(ms(3));
            g.push((i, start, now()));
            inside.set(inside.get() - 1);
        });
    }
    let m2 = m.clone();
    let reader = rt.spawn("reader", move || {
        sleep(ms(100));
        m2.lock().clone()
    });
    let report = rt.run().unwrap();
    assert_eq!(max_inside.get(), 1);
    let v = reader.try_join().unwrap().unwrap();
    let expected: Vec<_> = (0..6u64)
        .map(|i| (i, at_ms(3 * i), at_ms(3 * i + 3)))
        .collect();
    // Arrivals at 0..5 ns; the first holds until 3 ms; then FIFO hand-off.
    assert_eq!(v[0], (0, SimTime::ZERO, at_ms(3)));
    assert_eq!(v[1..], expected[1..]);
    assert_eq!(report.end_time, at_ms(100));
    assert!(!m.is_locked());
}

#[test]
fn hand_off_is_fifo_and_cannot_be_barged() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(());
    let log = Rc::new(RefCell::new(Vec::new()));
    let m0 = m.clone();
    let holder = rt.spawn("holder", move || {
        let g = m0.lock();
        sleep(ms(10));
        drop(g);
        // Handed to the first waiter at once: not free for the old holder.
        let relock = m0.try_lock().is_none();
        let locked = m0.is_locked();
        (relock, locked)
    });
    for (name, arrive) in [("third", 3), ("first", 1), ("second", 2)] {
        let (m, log) = (m.clone(), log.clone());
        rt.spawn(name, move || {
            sleep(ms(arrive));
            let _g = m.lock();
            log.borrow_mut().push((name, now()));
            sleep(ms(1));
        });
    }
    rt.run().unwrap();
    assert_eq!(holder.try_join().unwrap().unwrap(), (true, true));
    assert_eq!(
        *log.borrow(),
        vec![
            ("first", at_ms(10)),
            ("second", at_ms(11)),
            ("third", at_ms(12))
        ]
    );
}

#[test]
fn lock_for_times_out_at_exactly_the_deadline() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(5);
    let m0 = m.clone();
    rt.spawn("holder", move || {
        let _g = m0.lock();
        sleep(ms(100));
    });
    let m1 = m.clone();
    let h = rt.spawn("impatient", move || {
        sleep(Duration::from_nanos(7));
        let got = m1.lock_for(Duration::from_nanos(20_000_000)).map(|g| *g);
        (got, now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (None, SimTime::from_nanos(20_000_007))
    );
}

#[test]
fn lock_for_succeeds_when_released_in_time() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(5);
    let m0 = m.clone();
    rt.spawn("holder", move || {
        let mut g = m0.lock();
        sleep(ms(4));
        *g = 6;
    });
    let m1 = m.clone();
    let h = rt.spawn("waiter", move || {
        sleep(ms(1));
        let v = m1.lock_for(ms(10)).map(|g| *g);
        (v, now())
    });
    // A waiter that timed out before the release is skipped by the hand-off.
    let m2 = m.clone();
    let early = rt.spawn("early", move || m2.lock_for(ms(1)).is_none());
    rt.run().unwrap();
    assert!(early.try_join().unwrap().unwrap());
    assert_eq!(h.try_join().unwrap().unwrap(), (Some(6), at_ms(4)));
    assert!(!m.is_locked());
}

#[test]
fn try_lock_fails_while_held_and_succeeds_when_free() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(0);
    let m0 = m.clone();
    rt.spawn("holder", move || {
        let mut g = m0.lock();
        *g += 1;
        sleep(ms(2));
    });
    let m1 = m.clone();
    let h = rt.spawn("tryer", move || {
        sleep(ms(1));
        let held = m1.try_lock().is_none();
        sleep(ms(2));
        let free = m1.try_lock().map(|g| *g);
        (held, free)
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (true, Some(1)));
}

#[test]
fn guard_gives_access_to_the_data() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::named("counter", String::new());
    for i in 0..3 {
        let m = m.clone();
        rt.spawn(format!("t{i}"), move || {
            let mut g = m.lock();
            g.push_str(&i.to_string());
            sleep(ms(1));
            g.push('.');
        });
    }
    let m2 = m.clone();
    let h = rt.spawn("reader", move || {
        sleep(ms(10));
        m2.lock().clone()
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), "0.1.2.");
}

#[test]
fn lock_order_cycle_is_a_partial_deadlock_naming_exactly_the_cycle() {
    let mut rt = Runtime::new(RuntimeConfig::with_seed(11));
    let m1 = Mutex::named("m1", ());
    let m2 = Mutex::named("m2", ());
    let (a1, a2) = (m1.clone(), m2.clone());
    let a = rt.spawn("A", move || {
        let _g1 = a1.lock();
        sleep(ms(1));
        let _g2 = a2.lock();
    });
    let (b1, b2) = (m1.clone(), m2.clone());
    let b = rt.spawn("B", move || {
        let _g2 = b2.lock();
        sleep(ms(1));
        let _g1 = b1.lock();
    });
    let unrelated_done = Rc::new(Cell::new(false));
    let u = unrelated_done.clone();
    let c = rt.spawn("C", move || {
        sleep(ms(1000));
        u.set(true);
    });
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().expect("a deadlock");
    assert!(d.partial, "C was still sleeping: the cycle is partial");
    assert_eq!(d.time, at_ms(1));
    assert_eq!(d.seed, 11);
    let ids: BTreeSet<_> = d.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids, BTreeSet::from([a.id(), b.id()]));
    assert!(!ids.contains(&c.id()));
    for t in &d.tasks {
        assert_eq!(t.waits_on, WaitKind::Mutex);
        assert_eq!(t.state, TaskState::Blocked);
        assert_eq!(t.since, at_ms(1));
        let (obj, holder) = if t.id == a.id() {
            ("m2", b.id())
        } else {
            ("m1", a.id())
        };
        assert_eq!(t.object.as_deref(), Some(obj));
        assert_eq!(t.waits_for, Some(holder));
    }
    assert!(!unrelated_done.get());
    assert_eq!(c.state(), TaskState::TimedWaiting);
    let text = err.to_string();
    assert!(text.contains("wait-for cycle"), "{text}");
    assert!(text.contains("seed 11"), "{text}");
}

#[test]
fn relocking_a_held_mutex_is_a_one_task_cycle() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::named("reentrant?", 0);
    rt.spawn("bystander", || sleep(ms(50)));
    let m1 = m.clone();
    let me = rt.spawn("self-locker", move || {
        let _g = m1.lock();
        sleep(ms(2));
        let _again = m1.lock();
    });
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    assert!(d.partial);
    assert_eq!(d.time, at_ms(2));
    assert_eq!(d.tasks.len(), 1);
    assert_eq!(d.tasks[0].id, me.id());
    assert_eq!(d.tasks[0].waits_for, Some(me.id()));
    assert_eq!(d.tasks[0].object.as_deref(), Some("reentrant?"));
}

#[test]
fn timed_lock_waits_do_not_form_cycles() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m1 = Mutex::new(());
    let m2 = Mutex::new(());
    let (a1, a2) = (m1.clone(), m2.clone());
    let a = rt.spawn("A", move || {
        let _g1 = a1.lock();
        sleep(ms(1));
        let got = a2.lock_for(ms(5)).is_some();
        (got, now())
    });
    let (b1, b2) = (m1.clone(), m2.clone());
    let b = rt.spawn("B", move || {
        let _g2 = b2.lock();
        sleep(ms(1));
        let _g1 = b1.lock();
        now()
    });
    rt.run().unwrap();
    // A gives up at 6 ms and releases m1, which B then gets.
    assert_eq!(a.try_join().unwrap().unwrap(), (false, at_ms(6)));
    assert_eq!(b.try_join().unwrap().unwrap(), at_ms(6));
}

#[test]
fn mutex_and_join_cycle_is_detected() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::named("shared", ());
    let m1 = m.clone();
    let parent = rt.spawn("parent", move || {
        let _g = m1.lock();
        let m2 = m1.clone();
        let child = spawn("child", move || {
            let _g = m2.lock();
        });
        child.join().unwrap();
    });
    rt.spawn("bystander", || sleep(ms(5)));
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    assert!(d.partial);
    let kinds: BTreeSet<_> = d
        .tasks
        .iter()
        .map(|t| (t.name.to_string(), t.waits_on.as_str()))
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("child".to_string(), "mutex"),
            ("parent".to_string(), "join")
        ])
    );
    assert!(d.tasks.iter().any(|t| t.id == parent.id()));
}

/// The message of the panic `f` raises outside a task.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .expect_err("the call should panic");
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        payload.downcast_ref::<&str>().unwrap().to_string()
    }
}

#[test]
fn contents_are_read_after_the_run_and_after_the_runtime_is_dropped() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(Vec::new());
    for i in 0..3u64 {
        let m = m.clone();
        rt.spawn(format!("w{i}"), move || {
            sleep(ms(i));
            m.lock().push(i);
        });
    }
    rt.run().unwrap();
    assert_eq!(m.peek(|v| v.clone()), vec![0, 1, 2]);
    drop(rt);
    assert_eq!(m.peek(Vec::len), 3);
    // The tasks' clones went with their closures: this handle is the last.
    let mut m = m;
    m.get_mut().unwrap().push(9);
    assert_eq!(m.into_inner().ok().unwrap(), vec![0, 1, 2, 9]);
}

#[test]
fn get_mut_and_into_inner_need_the_only_handle() {
    let mut m = Mutex::new(5);
    let other = m.clone();
    assert!(m.get_mut().is_none());
    let m = m.into_inner().expect_err("another handle is left");
    drop(other);
    assert_eq!(m.into_inner().ok(), Some(5));
}

#[test]
fn peek_works_in_a_callback_between_tasks() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(0u32);
    let m1 = m.clone();
    rt.spawn("writer", move || {
        *m1.lock() = 1;
        sleep(ms(10));
        *m1.lock() = 2;
    });
    let seen = Rc::new(Cell::new(0));
    let (m2, seen2) = (m.clone(), seen.clone());
    rt.call_at(at_ms(5), move || seen2.set(m2.peek(|v| *v)));
    rt.run().unwrap();
    assert_eq!(seen.get(), 1);
    assert_eq!(m.peek(|v| *v), 2);
}

#[test]
fn peek_refuses_inside_a_task() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::new(0u32);
    rt.spawn("reader", move || m.peek(|v| *v));
    let err = rt.run().unwrap_err();
    let SimError::TaskPanicked(p) = &err else {
        panic!("expected TaskPanicked, got {err:?}")
    };
    assert!(
        p.message.contains("Mutex::peek inside a task"),
        "{}",
        p.message
    );
}

#[test]
fn peek_refuses_while_a_parked_daemon_holds_it_and_reads_once_it_is_gone() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m = Mutex::named("table", 7u32);
    let never: Mailbox<()> = Mailbox::new();
    let m1 = m.clone();
    rt.spawn_daemon("holder", move || {
        let mut g = m1.lock();
        *g = 8;
        never.recv();
    });
    let m2 = m.clone();
    rt.spawn_daemon("queued", move || *m2.lock() = 99);
    rt.run().unwrap();
    assert!(m.is_locked());
    let msg = panic_message(|| {
        m.peek(|_| ());
    });
    assert!(msg.contains("Mutex::peek on 'table'"), "{msg}");
    assert!(msg.contains("held by a task"), "{msg}");
    // Teardown unwinds both daemons: the holder's guard is released, and the
    // queued one, killed too, is not handed the lock.
    drop(rt);
    assert!(!m.is_locked());
    assert_eq!(m.peek(|v| *v), 8);
}

#[test]
fn try_lock_outside_a_task_points_to_peek() {
    let m = Mutex::new(());
    let msg = panic_message(|| {
        let _ = m.try_lock();
    });
    assert!(msg.contains("Mutex::try_lock outside a task"), "{msg}");
    assert!(msg.contains("Mutex::peek"), "{msg}");
    // Refused before any bookkeeping: a later run can lock it.
    assert!(!m.is_locked());
    let mut rt = Runtime::new(RuntimeConfig::default());
    let m1 = m.clone();
    let h = rt.spawn("locker", move || m1.try_lock().is_some());
    rt.run().unwrap();
    assert!(h.try_join().unwrap().unwrap());
}
