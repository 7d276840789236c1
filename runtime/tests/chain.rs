//! A task that has never run starts on the worker its predecessor just freed,
//! without a round trip through the scheduler: the order of the run, kills and
//! stops must be exactly those of the scheduler's own loop.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

type Log = Rc<RefCell<Vec<&'static str>>>;

fn logger(log: &Log, what: &'static str) -> impl FnOnce() + 'static {
    let log = log.clone();
    move || log.borrow_mut().push(what)
}

#[test]
fn new_tasks_callbacks_and_woken_tasks_keep_their_run_queue_order() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log: Log = Rc::default();
    let gate = Semaphore::new(0);
    let g = gate.clone();
    let l = log.clone();
    rt.spawn("parked", move || {
        g.down();
        l.borrow_mut().push("parked");
    });
    let l = log.clone();
    rt.spawn("root", move || {
        // Let "parked" park first.
        yield_now();
        spawn("a", logger(&l, "a"));
        call_soon(logger(&l, "callback"));
        spawn("b", logger(&l, "b"));
        gate.up();
        spawn("c", logger(&l, "c"));
        let l2 = l.clone();
        spawn("d", move || {
            l2.borrow_mut().push("d");
            spawn("e", logger(&l2, "e"));
        });
        l.borrow_mut().push("root");
    });
    let report = rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        ["root", "a", "callback", "b", "parked", "c", "d", "e"]
    );
    assert_eq!(report.tasks_finished, 7);
    assert_eq!(report.pool.peak_in_use, 6);
}

#[test]
fn a_new_task_killed_by_the_one_before_it_never_runs() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log: Log = Rc::default();
    let victim = Rc::new(RefCell::new(None::<JoinHandle<()>>));
    let v = victim.clone();
    let l = log.clone();
    rt.spawn("root", move || {
        let killer_sees = v.clone();
        spawn("killer", move || {
            killer_sees.borrow().as_ref().unwrap().kill();
        });
        *v.borrow_mut() = Some(spawn("victim", logger(&l, "victim")));
        spawn("after", logger(&l, "after"));
    });
    rt.run().unwrap();
    assert_eq!(*log.borrow(), ["after"]);
    let handle = victim.borrow_mut().take().unwrap();
    assert_eq!(handle.try_join(), Some(Err(JoinError::Killed)));
}

#[test]
fn a_panic_stops_the_run_before_the_next_new_task_starts() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log: Log = Rc::default();
    let l = log.clone();
    rt.spawn("root", move || {
        spawn("bad", || panic!("boom"));
        spawn("next", logger(&l, "next"));
    });
    match rt.run() {
        Err(SimError::TaskPanicked(p)) => assert_eq!(p.name, "bad"),
        other => panic!("expected the panic, got {other:?}"),
    }
    assert!(log.borrow().is_empty());
}

#[test]
fn stop_ends_the_run_before_the_next_new_task_starts() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let log: Log = Rc::default();
    let l = log.clone();
    rt.spawn("root", move || {
        spawn("stopper", stop);
        spawn("next", logger(&l, "next"));
    });
    let report = rt.run().unwrap();
    assert!(!report.completed);
    assert!(log.borrow().is_empty());
}

#[test]
fn the_same_runs_give_the_same_trace_under_fifo_and_random_order() {
    // Random order never chains (its pick stays with the scheduler); both must
    // be reproducible, and FIFO must see every resumption it saw unchained.
    let run = |tie_break| {
        let mut rt = Runtime::new(RuntimeConfig {
            tie_break,
            ..RuntimeConfig::default()
        });
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        rt.spawn("root", move || {
            for i in 0..50u64 {
                let l = l.clone();
                spawn("worker", move || {
                    if i % 3 == 0 {
                        sleep(Duration::from_nanos(i % 4));
                    }
                    l.borrow_mut().push(i);
                });
            }
        });
        let r = rt.run().unwrap();
        let order = log.borrow().clone();
        (r.trace_hash, r.events, order)
    };
    let fifo = run(TieBreak::Fifo);
    assert_eq!(fifo, run(TieBreak::Fifo));
    // Root's one run, then each worker once, plus a second run for each sleeper.
    assert_eq!(fifo.1, 1 + 50 + 17);
    let random = run(TieBreak::Random(9));
    assert_eq!(random, run(TieBreak::Random(9)));
    assert_eq!(random.1, fifo.1);
}
