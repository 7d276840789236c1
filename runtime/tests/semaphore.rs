//! Semaphore: down/up, try_down, down_for, FIFO hand-off of permits.

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

#[test]
fn down_and_up_count_permits() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(2);
    let s2 = s.clone();
    let h = rt.spawn("t", move || {
        let mut seen = vec![s2.available()];
        s2.down();
        seen.push(s2.available());
        s2.down();
        seen.push(s2.available());
        s2.up();
        s2.up();
        s2.up();
        seen.push(s2.available());
        (seen, now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (vec![2, 1, 0, 3], SimTime::ZERO)
    );
    assert_eq!(s.available(), 3);
}

#[test]
fn down_blocks_until_up() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let s2 = s.clone();
    let h = rt.spawn("waiter", move || {
        s2.down();
        now()
    });
    rt.spawn("poster", move || {
        sleep(ms(42));
        s.up();
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), at_ms(42));
}

#[test]
fn try_down_never_blocks() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || {
        let s = Semaphore::new(1);
        (s.try_down(), s.try_down(), s.available(), now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (true, false, 0, SimTime::ZERO)
    );
}

#[test]
fn down_for_times_out_at_exactly_the_deadline() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let s2 = s.clone();
    let h = rt.spawn("t", move || {
        sleep(Duration::from_nanos(3));
        let got = s2.down_for(Duration::from_nanos(2_500_000_001));
        (got, now())
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (false, SimTime::from_nanos(2_500_000_004))
    );
    assert_eq!(s.available(), 0);
}

#[test]
fn down_for_succeeds_when_a_permit_comes_in_time() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let s2 = s.clone();
    let h = rt.spawn("t", move || {
        let first = (s2.down_for(ms(10)), now());
        // Free permit: returns at once.
        let second = (s2.down_for(ms(10)), now());
        // The first wait's stale timer (at 10 ms) does not end this one.
        let third = (s2.down_for(ms(10)), now());
        (first, second, third)
    });
    rt.spawn("poster", move || {
        sleep(ms(4));
        s.up();
        s.up();
        sleep(ms(8));
        s.up();
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        ((true, at_ms(4)), (true, at_ms(4)), (true, at_ms(12)))
    );
}

#[test]
fn waiters_are_woken_in_fifo_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let log = Rc::new(RefCell::new(Vec::new()));
    for (name, arrive) in [("c", 3), ("a", 1), ("d", 4), ("b", 2)] {
        let (s, log) = (s.clone(), log.clone());
        rt.spawn(name, move || {
            sleep(ms(arrive));
            s.down();
            log.borrow_mut().push((name, now()));
        });
    }
    rt.spawn("poster", move || {
        sleep(ms(10));
        for _ in 0..4 {
            s.up();
            sleep(ms(1));
        }
    });
    rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![
            ("a", at_ms(10)),
            ("b", at_ms(11)),
            ("c", at_ms(12)),
            ("d", at_ms(13))
        ]
    );
}

#[test]
fn up_hands_the_permit_to_the_longest_waiter() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let s1 = s.clone();
    let waiter = rt.spawn("waiter", move || {
        s1.down();
        now()
    });
    let s2 = s.clone();
    let barger = rt.spawn("barger", move || {
        sleep(ms(5));
        // Same instant as the up, but after it: the permit is already handed over.
        s2.try_down()
    });
    let s3 = s.clone();
    let poster = rt.spawn("poster", move || {
        sleep(ms(5));
        s3.up();
        (s3.available(), s3.try_down())
    });
    rt.run().unwrap();
    assert_eq!(poster.try_join().unwrap().unwrap(), (0, false));
    assert!(!barger.try_join().unwrap().unwrap());
    assert_eq!(waiter.try_join().unwrap().unwrap(), at_ms(5));
    assert_eq!(s.available(), 0);
}

#[test]
fn timed_out_waiters_are_skipped() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(0);
    let s1 = s.clone();
    let impatient = rt.spawn("impatient", move || s1.down_for(ms(1)));
    let s2 = s.clone();
    let patient = rt.spawn("patient", move || {
        s2.down();
        now()
    });
    let s3 = s.clone();
    rt.spawn("poster", move || {
        sleep(ms(3));
        s3.up();
        s3.up();
    });
    rt.run().unwrap();
    assert!(!impatient.try_join().unwrap().unwrap());
    assert_eq!(patient.try_join().unwrap().unwrap(), at_ms(3));
    assert_eq!(s.available(), 1);
}

#[test]
fn permits_bound_concurrent_holders() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let s = Semaphore::new(3);
    let holders = Rc::new(Cell::new(0));
    let peak = Rc::new(Cell::new(0));
    for i in 0..10u64 {
        let (s, holders, peak) = (s.clone(), holders.clone(), peak.clone());
        rt.spawn(format!("w{i}"), move || {
            s.down();
            holders.set(holders.get() + 1);
            peak.set(peak.get().max(holders.get()));
            sleep(ms(1 + i % 3));
            holders.set(holders.get() - 1);
            s.up();
        });
    }
    rt.run().unwrap();
    assert_eq!(peak.get(), 3);
    assert_eq!(s.available(), 3);
}

#[test]
fn ping_pong_a_thousand_rounds() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let a = Semaphore::new(0);
    let b = Semaphore::new(0);
    let (a2, b2) = (a.clone(), b.clone());
    let rounds = Rc::new(Cell::new(0u32));
    let r = rounds.clone();
    rt.spawn("A", move || {
        for _ in 0..1000 {
            b2.up();
            a2.down();
            r.set(r.get() + 1);
        }
    });
    rt.spawn("B", move || {
        for _ in 0..1000 {
            b.down();
            a.up();
        }
    });
    let report = rt.run().unwrap();
    assert_eq!(rounds.get(), 1000);
    // Each task parks once per round, plus its first run.
    assert_eq!(report.events, 2001);
    assert_eq!(report.end_time, SimTime::ZERO);
}
