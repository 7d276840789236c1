//! Timed callbacks (`call_at`) and `stop`.

use p2psim_runtime::*;
use std::time::Duration;

#[test]
fn callbacks_run_at_their_time_and_stop_ends_the_run() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    rt.call_at(SimTime::from_nanos(5), move || {
        let l2 = l.clone();
        l.borrow_mut().push(("cb", clock()));
        spawn_any("from-cb", move || l2.borrow_mut().push(("task", now()))).unwrap();
    });
    rt.spawn_daemon("ticker", || loop {
        sleep(Duration::from_secs(1))
    });
    rt.spawn("stopper", || {
        sleep(Duration::from_secs(10));
        stop();
    });
    let r = rt.run().unwrap();
    assert_eq!(r.end_time, SimTime::from_nanos(10_000_000_000));
    assert_eq!(
        *log.borrow(),
        vec![
            ("cb", SimTime::from_nanos(5)),
            ("task", SimTime::from_nanos(5))
        ]
    );
}

#[test]
fn prefetch_hints_change_nothing_but_timing() {
    use std::cell::RefCell;
    use std::rc::Rc;
    // Enough tasks that the scheduler prefetches; hints include junk addresses.
    let run = |hinted: bool| {
        let mut rt = Runtime::new(RuntimeConfig::with_seed(3));
        let log = Rc::new(RefCell::new(Vec::new()));
        let data = vec![0u64; 256];
        for i in 0..200u64 {
            let l = log.clone();
            let addr = &data[(i % 256) as usize] as *const u64 as usize;
            rt.call_at(SimTime::from_nanos(i % 7), move || {
                let addrs = if hinted {
                    [addr, usize::MAX - i as usize]
                } else {
                    [0, 0]
                };
                spawn_with_prefetch("hinted", addrs, move || {
                    sleep(Duration::from_nanos(i % 5));
                    l.borrow_mut().push((i, now()));
                })
                .unwrap();
            });
        }
        let r = rt.run().unwrap();
        assert_eq!(r.tasks_finished, 200);
        let out = log.borrow().clone();
        (out, r.trace_hash)
    };
    assert_eq!(run(true), run(false));
}
