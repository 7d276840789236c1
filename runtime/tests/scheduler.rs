//! The scheduler loop: virtual time, FIFO order of same-time tasks, yielding,
//! `run_until`, spawning from tasks, task identity, misuse outside a task.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

fn fifo() -> Runtime {
    Runtime::new(RuntimeConfig::default())
}

#[test]
fn sleep_wakes_at_exactly_now_plus_d() {
    let mut rt = fifo();
    let h = rt.spawn("sleeper", || {
        let mut seen = vec![now()];
        sleep(Duration::from_nanos(1));
        seen.push(now());
        sleep(Duration::from_nanos(999_999_999));
        seen.push(now());
        sleep(ms(2500));
        seen.push(now());
        sleep(Duration::ZERO);
        seen.push(now());
        sleep_until(SimTime::from_nanos(4_000_000_123));
        seen.push(now());
        // A deadline in the past returns at once, without moving the clock.
        sleep_until(SimTime::from_nanos(5));
        seen.push(now());
        seen
    });
    let report = rt.run().unwrap();
    let seen: Vec<u64> = h
        .try_join()
        .unwrap()
        .unwrap()
        .into_iter()
        .map(SimTime::as_nanos)
        .collect();
    assert_eq!(
        seen,
        vec![
            0,
            1,
            1_000_000_000,
            3_500_000_000,
            3_500_000_000,
            4_000_000_123,
            4_000_000_123
        ]
    );
    assert_eq!(report.end_time, SimTime::from_nanos(4_000_000_123));
    assert_eq!(rt.now(), SimTime::from_nanos(4_000_000_123));
}

#[test]
fn same_time_tasks_run_fifo_in_spawn_order() {
    let mut rt = fifo();
    let log = Rc::new(RefCell::new(Vec::new()));
    for i in 0..8 {
        let log = log.clone();
        rt.spawn(format!("t{i}"), move || {
            log.borrow_mut().push((i, now()));
            // All wake at the same instant: in the order they went to sleep.
            sleep(ms(5));
            log.borrow_mut().push((i, now()));
        });
    }
    rt.run().unwrap();
    let expected: Vec<(i32, SimTime)> = (0..8)
        .map(|i| (i, SimTime::ZERO))
        .chain((0..8).map(|i| (i, at_ms(5))))
        .collect();
    assert_eq!(*log.borrow(), expected);
}

#[test]
fn yield_now_lets_same_time_tasks_run() {
    let mut rt = fifo();
    let log = Rc::new(RefCell::new(Vec::new()));
    for name in ["a", "b", "c"] {
        let log = log.clone();
        rt.spawn(name, move || {
            for round in 0..3 {
                log.borrow_mut().push(format!("{name}{round}"));
                yield_now();
            }
            assert_eq!(now(), SimTime::ZERO, "yielding does not advance time");
        });
    }
    let report = rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]
    );
    assert_eq!(report.end_time, SimTime::ZERO);
}

#[test]
fn yield_now_alone_returns_at_once() {
    let mut rt = fifo();
    let h = rt.spawn("solo", || {
        for _ in 0..100 {
            yield_now();
        }
        now()
    });
    let report = rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), SimTime::ZERO);
    assert_eq!(report.events, 101);
}

#[test]
fn run_until_stops_with_clock_at_limit_and_run_continues() {
    let mut rt = fifo();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let h = rt.spawn("ticker", move || {
        for _ in 0..5 {
            sleep(ms(10));
            l.borrow_mut().push(now());
        }
        "done"
    });
    // 30 ms is an event time itself: "up to and including".
    let r = rt.run_until(at_ms(30)).unwrap();
    assert!(!r.completed);
    assert_eq!(r.end_time, at_ms(30));
    assert_eq!(rt.now(), at_ms(30));
    assert_eq!(*log.borrow(), vec![at_ms(10), at_ms(20), at_ms(30)]);
    assert_eq!(h.state(), TaskState::TimedWaiting);
    assert_eq!(r.tasks_alive, 1);

    // A limit between events: the clock stops at the limit.
    let r = rt.run_until(at_ms(35)).unwrap();
    assert_eq!(r.end_time, at_ms(35));
    assert_eq!(log.borrow().len(), 3);

    let r = rt.run().unwrap();
    assert_eq!(r.end_time, at_ms(50));
    assert_eq!(
        *log.borrow(),
        vec![at_ms(10), at_ms(20), at_ms(30), at_ms(40), at_ms(50)]
    );
    assert_eq!(h.try_join().unwrap().unwrap(), "done");
}

#[test]
fn advance_until_steps_as_run_until_does_without_a_report() {
    // The same program stepped both ways reaches the same times, events and hash.
    let program = |rt: &mut Runtime| {
        for i in 1..=3u64 {
            rt.spawn("ticker", move || {
                for _ in 0..4 {
                    sleep(ms(3 * i));
                }
            });
        }
    };
    let (mut a, mut b) = (fifo(), fifo());
    program(&mut a);
    program(&mut b);
    for t in [5, 12, 12, 30, 40] {
        let r = a.run_until(at_ms(t)).unwrap();
        let completed = b.advance_until(at_ms(t)).unwrap();
        assert_eq!(completed, r.completed, "at {t} ms");
        assert_eq!(b.now(), a.now(), "at {t} ms");
    }
    // The tickers end at 36 ms: the last step completes the run.
    assert!(b.advance_until(at_ms(50)).unwrap());
    let (ra, rb) = (a.report(), b.report());
    assert_eq!(rb.end_time, at_ms(36));
    assert_eq!(
        (rb.events, rb.trace_hash, rb.tasks_finished),
        (ra.events, ra.trace_hash, ra.tasks_finished)
    );
}

#[test]
fn run_until_returns_early_when_the_run_completes() {
    let mut rt = fifo();
    let r = rt.run_until(at_ms(7)).unwrap();
    assert!(r.completed);
    assert_eq!(r.end_time, SimTime::ZERO);
    assert_eq!(r.events, 0);
    rt.spawn("short", || sleep(ms(2)));
    let r = rt.run_until(at_ms(7)).unwrap();
    assert!(r.completed);
    assert_eq!(r.end_time, at_ms(2));
    // Tasks spawned after a run start at the current time.
    let h = rt.spawn("late", || {
        sleep(ms(1));
        now()
    });
    let r = rt.run().unwrap();
    assert!(r.completed);
    assert_eq!(h.try_join().unwrap().unwrap(), at_ms(3));
}

#[test]
fn tasks_spawn_tasks() {
    let mut rt = fifo();
    let h = rt.spawn("parent", || {
        sleep(ms(3));
        let children: Vec<_> = (0..4u64)
            .map(|i| {
                spawn(format!("child{i}"), move || {
                    sleep(ms(i));
                    let grandchild = spawn("gc", now);
                    (i, grandchild.join().unwrap())
                })
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.join().unwrap())
            .collect::<Vec<_>>()
    });
    let report = rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        vec![(0, at_ms(3)), (1, at_ms(4)), (2, at_ms(5)), (3, at_ms(6))]
    );
    assert_eq!(report.tasks_spawned, 9);
    assert_eq!(report.tasks_finished, 9);
    assert_eq!(report.tasks_alive, 0);
    assert_eq!(report.end_time, at_ms(6));
}

#[test]
fn current_gives_id_and_name() {
    let mut rt = fifo();
    let a = rt.spawn("alpha", current);
    let b = rt.spawn(String::from("beta"), || {
        let me = current();
        let child = spawn("gamma", current).join().unwrap();
        (me, child)
    });
    assert_eq!(a.id().as_u64(), 1);
    assert_eq!(b.id().as_u64(), 2);
    assert_eq!(a.name(), "alpha");
    assert_eq!(b.name(), "beta");
    let (a_id, b_id) = (a.id(), b.id());
    rt.run().unwrap();
    let ai = a.try_join().unwrap().unwrap();
    assert_eq!(ai.id, a_id);
    assert_eq!(ai.name, "alpha");
    let (bi, ci) = b.try_join().unwrap().unwrap();
    assert_eq!(bi.id, b_id);
    assert_eq!(bi.name, "beta");
    assert_eq!(ci.id.as_u64(), 3);
    assert_eq!(ci.name, "gamma");
    assert_eq!(format!("{}", ci.id), "#3");
}

fn panic_message(r: std::thread::Result<()>) -> String {
    let payload = r.expect_err("the call must panic");
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        panic!("non-string panic payload")
    }
}

#[test]
fn now_and_sleep_outside_a_task_panic() {
    assert!(!in_task());
    // `now` and `spawn` work in a task or a callback: outside a run they say so.
    let m = panic_message(panic::catch_unwind(|| {
        now();
    }));
    assert!(m.contains("needs a running simulation"), "{m}");
    let m = panic_message(panic::catch_unwind(|| sleep(ms(1))));
    assert!(m.contains("outside a task"), "{m}");
    let m = panic_message(panic::catch_unwind(yield_now));
    assert!(m.contains("outside a task"), "{m}");
    let m = panic_message(panic::catch_unwind(|| {
        spawn("x", || ());
    }));
    assert!(m.contains("needs a running simulation"), "{m}");

    // Also outside a task while a runtime exists (between runs).
    let mut rt = fifo();
    rt.spawn("t", || sleep(ms(1)));
    rt.run_until(SimTime::ZERO).unwrap();
    let m = panic_message(panic::catch_unwind(AssertUnwindSafe(|| sleep(ms(1)))));
    assert!(m.contains("outside a task"), "{m}");
    rt.run().unwrap();
}

#[test]
fn in_task_is_true_only_inside_tasks() {
    let mut rt = fifo();
    let h = rt.spawn("t", in_task);
    assert!(!in_task());
    rt.run().unwrap();
    assert!(h.try_join().unwrap().unwrap());
    assert!(!in_task());
}

/// A tiny deterministic generator (xorshift), to avoid depending on `rand` here.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn virtual_time_never_goes_backwards() {
    for tie in [TieBreak::Fifo, TieBreak::Random(3), TieBreak::Random(99)] {
        let mut rt = Runtime::new(RuntimeConfig {
            tie_break: tie,
            ..RuntimeConfig::default()
        });
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut expected_end = 0;
        for t in 0..20u64 {
            let log = log.clone();
            let mut seed = t + 1;
            let sleeps: Vec<u64> = (0..50).map(|_| xorshift(&mut seed) % 1000).collect();
            expected_end = expected_end.max(sleeps.iter().sum::<u64>());
            rt.spawn(format!("r{t}"), move || {
                let mut mine = now();
                for d in sleeps {
                    sleep(Duration::from_nanos(d));
                    let t = now();
                    assert_eq!(t, mine + Duration::from_nanos(d));
                    mine = t;
                    log.borrow_mut().push(t);
                }
            });
        }
        let report = rt.run().unwrap();
        let log = log.borrow();
        assert_eq!(log.len(), 1000);
        assert!(
            log.windows(2).all(|w| w[0] <= w[1]),
            "time went backwards under {tie:?}"
        );
        assert_eq!(report.end_time, SimTime::from_nanos(expected_end));
    }
}

#[test]
fn runtimes_are_independent_and_reusable_on_one_thread() {
    for _ in 0..3 {
        let mut rt = fifo();
        let h = rt.spawn("t", || {
            sleep(ms(1));
            now()
        });
        rt.run().unwrap();
        assert_eq!(h.try_join().unwrap().unwrap(), at_ms(1));
    }
}

#[test]
fn a_runtime_cannot_run_inside_a_task() {
    let mut rt = Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    });
    let h = rt.spawn("outer", || {
        // ManuallyDrop: dropping a Runtime inside a task would panic again
        // while unwinding (its Drop enters its core too).
        let mut inner = std::mem::ManuallyDrop::new(Runtime::new(RuntimeConfig::default()));
        inner.spawn("inner", || ());
        let _ = inner.run();
    });
    let report = rt.run().unwrap();
    match h.try_join().unwrap() {
        Err(JoinError::Panicked(m)) => assert!(m.contains("cannot run inside a task"), "{m}"),
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(report.panics.len(), 1);
}

#[test]
fn stale_timeout_timers_do_not_advance_the_clock() {
    let mut rt = fifo();
    let lo = LockObject::new();
    let lo2 = lo.clone();
    let waiter = rt.spawn("waiter", move || (lo2.block_for(ms(100)), now()));
    rt.spawn("releaser", move || {
        sleep(ms(1));
        lo.release();
    });
    let report = rt.run().unwrap();
    assert_eq!(
        waiter.try_join().unwrap().unwrap(),
        (BlockResult::Released, at_ms(1))
    );
    // Nothing happened after 1 ms: the timeout at 100 ms was cancelled.
    assert_eq!(report.end_time, at_ms(1));
    assert_eq!(rt.now(), at_ms(1));
}

#[test]
fn stale_timeout_timers_do_not_delay_the_deadlock_time() {
    let mut rt = fifo();
    let lo = LockObject::new();
    let lo2 = lo.clone();
    rt.spawn("waiter", move || {
        assert_eq!(lo2.block_for(ms(100)), BlockResult::Released);
        // Then waits forever: a deadlock at 1 ms.
        Semaphore::named("never", 0).down();
    });
    rt.spawn("releaser", move || {
        sleep(ms(1));
        lo.release();
    });
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    assert_eq!(d.tasks[0].since, at_ms(1));
    assert_eq!(d.time, at_ms(1), "nothing happened after 1 ms");
}
