//! The schedule: PCT and random order, jitter, and replaying a decision log;
//! wait-for cycles through a `Responder`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use p2psim_runtime::*;

/// Two tasks of `k` steps each, yielding between steps; returns who ran each
/// step, in order, and the run's report.
fn two_walkers(config: RuntimeConfig, k: usize) -> (Vec<char>, RunReport) {
    let mut rt = Runtime::new(config);
    let log = Rc::new(RefCell::new(Vec::new()));
    for who in ['a', 'b'] {
        let log = log.clone();
        rt.spawn(format!("walker {who}"), move || {
            for _ in 0..k {
                log.borrow_mut().push(who);
                yield_now();
            }
        });
    }
    let report = rt.run().expect("walkers never deadlock");
    let steps = log.borrow().clone();
    (steps, report)
}

/// The depth-2 ordering: `b` takes one step, then `a` takes all of its own
/// before `b` takes another. One priority change at the right step makes it.
fn depth_two_bug(steps: &[char], k: usize) -> bool {
    steps.first() == Some(&'b') && steps[1..=k].iter().all(|&w| w == 'a')
}

const K: usize = 20;

#[test]
fn pct_finds_a_depth_two_ordering_bug_that_random_order_almost_never_finds() {
    // A FIFO run says how many choices a run makes: replaying an empty log
    // makes every choice the default and counts them.
    let counting = RuntimeConfig {
        replay: Some(Arc::new(DecisionLog::default())),
        ..RuntimeConfig::default()
    };
    let (fifo, report) = two_walkers(counting, K);
    assert!(!depth_two_bug(&fifo, K));
    let steps = report.choice_points;
    assert!(steps >= 2 * K as u64, "{steps} choices");
    let runs = 1000u64;
    let found = |tie_break: &dyn Fn(u64) -> TieBreak| -> Vec<u64> {
        (0..runs)
            .filter(|&seed| {
                let config = RuntimeConfig {
                    tie_break: tie_break(seed),
                    ..RuntimeConfig::default()
                };
                depth_two_bug(&two_walkers(config, K).0, K)
            })
            .collect()
    };
    let pct = found(&|seed| TieBreak::Pct {
        seed,
        depth: 2,
        steps,
    });
    let random = found(&|seed| TieBreak::Random(seed));
    // PCT finds a depth-2 bug in one run with probability at least
    // 1 / (n * steps) = 1 / 78 here: over 1,000 runs it misses with
    // probability under 1e-5. A uniform pick needs 21 choices to go one
    // way: about one run in two million.
    assert!(pct.len() >= 3, "PCT found it in runs {pct:?}");
    assert!(pct[0] < 300, "first found in run {}", pct[0]);
    assert!(random.is_empty(), "random found it in runs {random:?}");
}

#[test]
fn a_recorded_schedule_replays_the_same_run() {
    for tie_break in [
        TieBreak::Random(9),
        TieBreak::Pct {
            seed: 4,
            depth: 3,
            steps: 40,
        },
    ] {
        let config = RuntimeConfig {
            tie_break,
            ..RuntimeConfig::default()
        };
        let (steps, report) = two_walkers(config, K);
        assert!(!report.decisions.is_empty(), "{tie_break}: it made choices");
        let replay = RuntimeConfig {
            replay: Some(Arc::new(report.decisions.clone())),
            ..RuntimeConfig::default()
        };
        let (again, replayed) = two_walkers(replay, K);
        assert_eq!(again, steps, "{tie_break}");
        assert_eq!(replayed.trace_hash, report.trace_hash, "{tie_break}");
        assert_eq!(replayed.decisions, report.decisions, "{tie_break}");
    }
}

#[test]
fn decisions_past_the_end_of_a_log_take_the_default() {
    let (fifo, fifo_report) = two_walkers(RuntimeConfig::default(), K);
    // An empty log: every choice is past its end, so the run is the FIFO run.
    let empty = RuntimeConfig {
        replay: Some(Arc::new(DecisionLog::default())),
        ..RuntimeConfig::default()
    };
    let (steps, report) = two_walkers(empty, K);
    assert_eq!(steps, fifo);
    assert_eq!(report.trace_hash, fifo_report.trace_hash);
    // A log cut after its first decision: that one choice, then FIFO.
    let config = RuntimeConfig {
        tie_break: TieBreak::Random(3),
        ..RuntimeConfig::default()
    };
    let (_, random) = two_walkers(config, K);
    let first = random.decisions.filtered(|i| i == 0);
    assert_eq!(first.len(), 1);
    let cut = RuntimeConfig {
        replay: Some(Arc::new(first.clone())),
        ..RuntimeConfig::default()
    };
    let (_, cut_report) = two_walkers(cut, K);
    assert_eq!(cut_report.decisions.decisions(), first.decisions());
}

#[test]
fn jitter_delays_each_message_within_its_bound_and_replays() {
    let run = |bound: Option<Jitter>, replay: Option<DecisionLog>| {
        let mut rt = Runtime::new(RuntimeConfig {
            jitter: bound,
            replay: replay.map(Arc::new),
            ..RuntimeConfig::default()
        });
        let h = rt.spawn("sender", || (0..100).map(|_| jitter()).collect::<Vec<_>>());
        let report = rt.run().unwrap();
        (h.try_join().unwrap().unwrap(), report)
    };
    let (none, _) = run(None, None);
    assert!(none.iter().all(|d| d.is_zero()));
    let bound = Duration::from_millis(5);
    let j = Jitter { bound, seed: 7 };
    let (drawn, report) = run(Some(j), None);
    assert!(drawn.iter().all(|d| *d <= bound));
    assert!(drawn.iter().filter(|d| !d.is_zero()).count() > 90);
    // Replayed from the log (the bound still says how many choices there are).
    let other = Jitter { bound, seed: 8 };
    let (again, _) = run(Some(other), Some(report.decisions.clone()));
    assert_eq!(again, drawn);
}

/// `a` holds a mutex and waits for an answer from whoever `served` names;
/// `b` names itself and then needs the mutex: a cycle through the responder.
fn cycle_through_a_responder(timeout: Option<Duration>) -> Result<RunReport, SimError> {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let lock = Mutex::named("account", ());
    let answer: Mailbox<u32> = Mailbox::named("answer", None);
    let served = Responder::new();
    let (l, a, s) = (lock.clone(), answer.clone(), served.clone());
    rt.spawn("a", move || {
        let _held = l.lock();
        sleep(Duration::from_millis(1));
        match timeout {
            Some(t) => a.recv_for_from(t, &s),
            None => Some(a.recv_from(&s)),
        }
    });
    rt.spawn("b", move || {
        served.serve();
        sleep(Duration::from_millis(2));
        let _held = lock.lock();
        answer.send(1);
    });
    rt.run()
}

#[test]
fn a_cycle_through_a_responder_is_a_deadlock_the_moment_it_closes() {
    let Err(SimError::Deadlock(d)) = cycle_through_a_responder(None) else {
        panic!("the cycle is a deadlock");
    };
    assert!(d.partial);
    assert_eq!(d.time, SimTime::from_nanos(2_000_000));
    let names: Vec<String> = d.tasks.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["b", "a"]);
}

#[test]
fn a_cycle_that_a_timeout_breaks_is_counted_and_the_run_goes_on() {
    let report = cycle_through_a_responder(Some(Duration::from_secs(1))).unwrap();
    assert!(report.completed);
    assert_eq!(report.timeout_cycles, 1);
    let first = report.first_timeout_cycle.unwrap();
    let names: Vec<String> = first.tasks.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["b", "a"]);
    // A timeout past the end of virtual time never comes: a deadlock again.
    let never = cycle_through_a_responder(Some(Duration::MAX));
    assert!(matches!(never, Err(SimError::Deadlock(_))));
}
