//! LockObject: block/release wakes one waiter in FIFO order, a release with no
//! waiter is lost, release_all, and block_for's timeout.

use std::cell::RefCell;
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
fn release_wakes_one_waiter_in_fifo_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::named("cond");
    let log = Rc::new(RefCell::new(Vec::new()));
    // Waiters arrive at 3, 1, 2 ms: FIFO means arrival order, not spawn order.
    for (name, arrive) in [("w3", 3), ("w1", 1), ("w2", 2)] {
        let (lo, log) = (lo.clone(), log.clone());
        rt.spawn(name, move || {
            sleep(ms(arrive));
            lo.block();
            log.borrow_mut().push((name, now()));
        });
    }
    let lo2 = lo.clone();
    let releaser = rt.spawn("releaser", move || {
        sleep(ms(10));
        let mut results = Vec::new();
        for _ in 0..3 {
            results.push(lo2.release());
            sleep(ms(1));
        }
        results.push(lo2.release());
        results
    });
    rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![("w1", at_ms(10)), ("w2", at_ms(11)), ("w3", at_ms(12))]
    );
    assert_eq!(
        releaser.try_join().unwrap().unwrap(),
        vec![true, true, true, false]
    );
}

#[test]
fn release_with_nobody_blocked_is_lost() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::new();
    let lo2 = lo.clone();
    rt.spawn("early-releaser", move || {
        assert!(!lo2.release());
        assert_eq!(lo2.release_all(), 0);
    });
    let h = rt.spawn("late-blocker", move || {
        sleep(ms(1));
        // The earlier releases were not remembered.
        (lo.block_for(ms(5)), now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (BlockResult::TimedOut, at_ms(6))
    );
}

#[test]
fn lost_release_then_block_is_a_deadlock() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::named("missed");
    let lo2 = lo.clone();
    rt.spawn("releaser", move || {
        lo2.release();
    });
    rt.spawn("blocker", move || {
        sleep(ms(1));
        lo.block();
    });
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().unwrap();
    assert_eq!(d.tasks.len(), 1);
    assert_eq!(d.tasks[0].name, "blocker");
    assert_eq!(d.tasks[0].waits_on, WaitKind::LockObject);
    assert_eq!(d.tasks[0].object.as_deref(), Some("missed"));
}

#[test]
fn release_all_wakes_everyone_and_counts() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    for i in 0..5 {
        let (lo, log) = (lo.clone(), log.clone());
        rt.spawn(format!("w{i}"), move || {
            lo.block();
            log.borrow_mut().push((i, now()));
        });
    }
    // One waiter whose wait already timed out is not counted.
    let lo_t = lo.clone();
    rt.spawn("timed-out", move || lo_t.block_for(ms(1)));
    let lo2 = lo.clone();
    let h = rt.spawn("broadcaster", move || {
        sleep(ms(4));
        let n = lo2.release_all();
        (n, lo2.release_all(), lo2.release())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (5, 0, false));
    let expected: Vec<_> = (0..5).map(|i| (i, at_ms(4))).collect();
    assert_eq!(*log.borrow(), expected);
}

#[test]
fn block_for_times_out_at_exactly_the_deadline() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::new();
    let h = rt.spawn("waiter", move || {
        sleep(Duration::from_nanos(17));
        let r = lo.block_for(Duration::from_nanos(1_000_003));
        (r, now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (BlockResult::TimedOut, SimTime::from_nanos(1_000_020))
    );
}

#[test]
fn block_for_returns_released_when_released_earlier() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::new();
    let lo2 = lo.clone();
    let h = rt.spawn("waiter", move || {
        let r = lo2.block_for(ms(10));
        let first = (r, now());
        // A timed-out wait leaves no trace: the next wait times out on its own.
        let r2 = lo2.block_for(ms(10));
        (first, (r2, now()))
    });
    let r = rt.spawn("releaser", move || {
        sleep(Duration::from_nanos(9_999_999));
        let first = lo.release();
        // The stale timer at 10 ms must not end the second wait early.
        sleep(ms(5));
        (first, lo.release())
    });
    rt.run().unwrap();
    assert_eq!(r.try_join().unwrap().unwrap(), (true, true));
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (
            (BlockResult::Released, SimTime::from_nanos(9_999_999)),
            (BlockResult::Released, SimTime::from_nanos(14_999_999))
        )
    );
}

#[test]
fn a_timed_out_waiter_is_skipped_by_release() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lo = LockObject::new();
    let lo1 = lo.clone();
    let impatient = rt.spawn("impatient", move || lo1.block_for(ms(1)));
    let lo2 = lo.clone();
    let patient = rt.spawn("patient", move || {
        lo2.block();
        now()
    });
    let h = rt.spawn("releaser", move || {
        sleep(ms(2));
        (lo.release(), lo.release())
    });
    rt.run().unwrap();
    assert_eq!(
        impatient.try_join().unwrap().unwrap(),
        BlockResult::TimedOut
    );
    assert_eq!(patient.try_join().unwrap().unwrap(), at_ms(2));
    assert_eq!(h.try_join().unwrap().unwrap(), (true, false));
}
