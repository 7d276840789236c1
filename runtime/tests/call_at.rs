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
        l.borrow_mut().push(("cb", now()));
        try_spawn("from-cb", move || l2.borrow_mut().push(("task", now()))).unwrap();
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
    // Enough tasks that the scheduler prefetches too.
    let run = |hinted: bool| {
        let mut rt = Runtime::new(RuntimeConfig::with_seed(3));
        let log = Rc::new(RefCell::new(Vec::new()));
        let data: Rc<Vec<u64>> = Rc::new(vec![0u64; 256]);
        for i in 0..200u64 {
            let (l, data) = (log.clone(), data.clone());
            rt.call_at(SimTime::from_nanos(i % 7), move || {
                if hinted {
                    Hot::of(&data[(i % 256) as usize]).warm();
                }
                try_spawn("hinted", move || {
                    if hinted {
                        Hot::of(&data[((i * 7) % 256) as usize]).warm();
                    }
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

#[test]
fn call_soon_takes_a_turn_behind_the_tasks_ready_now() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    rt.call_at(SimTime::from_nanos(5), move || {
        let note = |l: &Rc<RefCell<Vec<(&'static str, SimTime)>>>, name| {
            let l = l.clone();
            move || l.borrow_mut().push((name, now()))
        };
        try_spawn("x", note(&l, "x")).unwrap();
        let l2 = l.clone();
        call_soon(move || {
            l2.borrow_mut().push(("soon", now()));
            try_spawn("y", {
                let l = l2.clone();
                move || l.borrow_mut().push(("y", now()))
            })
            .unwrap();
        });
        try_spawn("z", note(&l, "z")).unwrap();
    });
    let r = rt.run().unwrap();
    let t = SimTime::from_nanos(5);
    assert_eq!(
        *log.borrow(),
        vec![("x", t), ("soon", t), ("z", t), ("y", t)]
    );
    assert_eq!(r.tasks_finished, 3);
    assert!(r.completed);
}

#[test]
fn a_pending_call_soon_keeps_the_run_alive_and_teardown_drops_it_unrun() {
    use std::cell::Cell;
    use std::rc::Rc;
    // A task's last act queues work: the run must not end before it is done.
    let mut rt = Runtime::new(RuntimeConfig::default());
    let ran = Rc::new(Cell::new(0));
    let r2 = ran.clone();
    rt.spawn("last", move || {
        call_soon(move || {
            let r3 = r2.clone();
            try_spawn("after", move || r3.set(r3.get() + 1)).unwrap();
        });
    });
    let report = rt.run().unwrap();
    assert_eq!((ran.get(), report.tasks_finished), (1, 2));

    // Queued behind a task when the runtime is dropped: dropped, never run.
    let dropped = Rc::new(Cell::new(false));
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let flag = Flag(dropped.clone());
    let ran = Rc::new(Cell::new(false));
    let r2 = ran.clone();
    let mut rt = Runtime::new(RuntimeConfig::default());
    rt.spawn("sleeper", move || {
        call_soon(move || {
            let _keep = &flag;
            r2.set(true);
        });
        stop();
        sleep(Duration::from_secs(1));
    });
    rt.run().unwrap();
    drop(rt);
    assert!(dropped.get());
    assert!(!ran.get());
}

/// A callback that is the last event of a run and wakes nobody (a reply that
/// arrives after its caller gave up) ends the run as completed, not as a
/// deadlock of no task.
#[test]
fn a_last_callback_that_wakes_nobody_completes_the_run() {
    use std::cell::Cell;
    use std::rc::Rc;
    let mut rt = Runtime::new(RuntimeConfig::default());
    let fired = Rc::new(Cell::new(false));
    let f = fired.clone();
    rt.spawn("late sender", move || {
        sleep(Duration::from_secs(1));
        call_at(now() + Duration::from_millis(10), move || f.set(true));
    });
    let report = rt.run().expect("nothing waits on anything");
    assert!(report.completed);
    assert!(fired.get());
    assert_eq!(report.end_time, SimTime::from_nanos(1_010_000_000));
}
