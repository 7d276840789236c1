//! SyncPoint: wait_until a predicate holds after awake(); wait_until_for's timeout,
//! including FADA's "wait for k of n responses or the deadline".

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
fn wait_until_returns_when_the_predicate_holds_after_awake() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::named("counter");
    let count = Rc::new(Cell::new(0));
    let checks = Rc::new(Cell::new(0));
    let (sp1, c1, ch) = (sp.clone(), count.clone(), checks.clone());
    let waiter = rt.spawn("waiter", move || {
        sp1.wait_until(|| {
            ch.set(ch.get() + 1);
            c1.get() >= 3
        });
        now()
    });
    let (sp2, c2) = (sp.clone(), count.clone());
    let bumper = rt.spawn("bumper", move || {
        let mut woken = Vec::new();
        for _ in 0..5 {
            sleep(ms(2));
            c2.set(c2.get() + 1);
            woken.push(sp2.awake());
        }
        woken
    });
    rt.run().unwrap();
    assert_eq!(waiter.try_join().unwrap().unwrap(), at_ms(6));
    // Checked at start and after each of the three awakes.
    assert_eq!(checks.get(), 4);
    assert_eq!(bumper.try_join().unwrap().unwrap(), vec![1, 1, 1, 0, 0]);
}

#[test]
fn wait_until_with_a_true_predicate_does_not_block() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || {
        let sp = SyncPoint::new();
        sp.wait_until(|| true);
        (sp.wait_until_for(|| true, ms(5)), now())
    });
    let report = rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (true, SimTime::ZERO));
    assert_eq!(report.events, 1);
}

#[test]
fn change_without_awake_is_not_seen() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::new();
    let flag = Rc::new(Cell::new(false));
    let (sp1, f1) = (sp.clone(), flag.clone());
    let h = rt.spawn("waiter", move || {
        let ok = sp1.wait_until_for(|| f1.get(), ms(10));
        (ok, now())
    });
    rt.spawn("silent-setter", move || {
        sleep(ms(1));
        flag.set(true); // no awake(): the waiter only re-checks at the deadline
    });
    rt.run().unwrap();
    // At the deadline the predicate is re-checked, and now holds.
    assert_eq!(h.try_join().unwrap().unwrap(), (true, at_ms(10)));
}

#[test]
fn wait_until_for_returns_false_at_exactly_the_deadline() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::new();
    let count = Rc::new(Cell::new(0));
    let (sp1, c1) = (sp.clone(), count.clone());
    let h = rt.spawn("waiter", move || {
        sleep(Duration::from_nanos(11));
        let ok = sp1.wait_until_for(|| c1.get() >= 10, Duration::from_nanos(50_000_000));
        (ok, now(), c1.get())
    });
    rt.spawn("slow", move || {
        for _ in 0..3 {
            sleep(ms(20));
            count.set(count.get() + 1);
            sp.awake();
        }
    });
    rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (false, SimTime::from_nanos(50_000_011), 2)
    );
}

#[test]
fn fada_lookup_returns_at_the_kth_result() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::named("lookup");
    let results: Rc<RefCell<Vec<(u32, SimTime)>>> = Rc::new(RefCell::new(Vec::new()));
    let (sp1, r1) = (sp.clone(), results.clone());
    let lookup = rt.spawn("lookup", move || {
        // Five responders, answering after 40, 10, 70, 25, 55 ms.
        for (node, delay) in [(1u32, 40u64), (2, 10), (3, 70), (4, 25), (5, 55)] {
            let (sp, r) = (sp1.clone(), r1.clone());
            spawn(format!("responder{node}"), move || {
                sleep(ms(delay));
                r.borrow_mut().push((node, now()));
                sp.awake();
            });
        }
        let wanted = 3;
        let ok = sp1.wait_until_for(|| r1.borrow().len() >= wanted, ms(100));
        let got: Vec<u32> = r1.borrow().iter().map(|&(n, _)| n).collect();
        (ok, now(), got)
    });
    let report = rt.run().unwrap();
    assert_eq!(
        lookup.try_join().unwrap().unwrap(),
        (true, at_ms(40), vec![2, 4, 1])
    );
    // The late responders still ran to completion.
    assert_eq!(results.borrow().len(), 5);
    assert_eq!(report.end_time, at_ms(70));
}

#[test]
fn fada_lookup_times_out_with_too_few_results() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::new();
    let results = Rc::new(Cell::new(0));
    let (sp1, r1) = (sp.clone(), results.clone());
    let lookup = rt.spawn("lookup", move || {
        for delay in [30u64, 80, 150, 200, 500] {
            let (sp, r) = (sp1.clone(), r1.clone());
            spawn_daemon("responder", move || {
                sleep(ms(delay));
                r.set(r.get() + 1);
                sp.awake();
            });
        }
        let ok = sp1.wait_until_for(|| r1.get() >= 3, ms(100));
        (ok, now(), r1.get())
    });
    let report = rt.run().unwrap();
    assert_eq!(lookup.try_join().unwrap().unwrap(), (false, at_ms(100), 2));
    // The daemon responders still pending do not keep the run going.
    assert_eq!(report.end_time, at_ms(100));
}

#[test]
fn awake_wakes_every_waiter_each_with_its_own_predicate() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let sp = SyncPoint::new();
    let level = Rc::new(Cell::new(0u32));
    let log = Rc::new(RefCell::new(Vec::new()));
    for want in [3u32, 1, 2] {
        let (sp, level, log) = (sp.clone(), level.clone(), log.clone());
        rt.spawn(format!("wants{want}"), move || {
            sp.wait_until(|| level.get() >= want);
            log.borrow_mut().push((want, now()));
        });
    }
    let counts = rt.spawn("raiser", move || {
        let mut counts = Vec::new();
        for _ in 0..3 {
            sleep(ms(1));
            level.set(level.get() + 1);
            counts.push(sp.awake());
        }
        counts
    });
    rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![(1, at_ms(1)), (2, at_ms(2)), (3, at_ms(3))]
    );
    assert_eq!(counts.try_join().unwrap().unwrap(), vec![3, 2, 1]);
}
