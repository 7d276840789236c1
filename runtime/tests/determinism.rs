//! Determinism: a run is a pure function of its program and seed. The same seed
//! replays the same trace (hash and observed interleaving); different seeds
//! explore different interleavings; a different program has a different hash.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;
use proptest::prelude::*;

use crate::common::{program, run, Op};

/// Ten tasks that each record their name at every step of a few same-time rounds.
fn interleaving(tie: TieBreak) -> (Vec<usize>, u64) {
    let mut rt = Runtime::new(RuntimeConfig {
        tie_break: tie,
        ..RuntimeConfig::default()
    });
    let log = Rc::new(RefCell::new(Vec::new()));
    let m = Mutex::new(());
    for i in 0..10 {
        let (log, m) = (log.clone(), m.clone());
        rt.spawn(format!("t{i}"), move || {
            for round in 0..3u64 {
                log.borrow_mut().push(i);
                if i % 2 == 0 {
                    let _g = m.lock();
                    yield_now();
                } else {
                    sleep(Duration::from_nanos(round));
                }
            }
        });
    }
    let report = rt.run().unwrap();
    let log = log.borrow().clone();
    (log, report.trace_hash)
}

#[test]
fn same_seed_same_trace() {
    for seed in [0, 1, 42, u64::MAX] {
        let a = interleaving(TieBreak::Random(seed));
        let b = interleaving(TieBreak::Random(seed));
        assert_eq!(a, b, "seed {seed}");
    }
    assert_eq!(interleaving(TieBreak::Fifo), interleaving(TieBreak::Fifo));
}

#[test]
fn fifo_runs_in_spawn_order() {
    let (log, _) = interleaving(TieBreak::Fifo);
    assert_eq!(&log[..10], &(0..10).collect::<Vec<_>>()[..]);
}

#[test]
fn different_seeds_explore_different_interleavings() {
    let runs: Vec<_> = (0..20).map(|s| interleaving(TieBreak::Random(s))).collect();
    let orders: BTreeSet<&Vec<usize>> = runs.iter().map(|r| &r.0).collect();
    let hashes: BTreeSet<u64> = runs.iter().map(|r| r.1).collect();
    assert!(orders.len() >= 15, "only {} distinct orders", orders.len());
    // Equal hashes iff equal interleavings.
    assert_eq!(hashes.len(), orders.len());
    let fifo = interleaving(TieBreak::Fifo);
    // A random order of the first round is almost never the spawn order.
    assert!(runs.iter().filter(|r| r.0[..10] == fifo.0[..10]).count() <= 1);
}

#[test]
fn report_carries_seed_and_tie_break() {
    let mut rt = Runtime::new(RuntimeConfig {
        seed: 99,
        tie_break: TieBreak::Random(7),
        ..RuntimeConfig::default()
    });
    rt.spawn("t", || ());
    let r = rt.run().unwrap();
    assert_eq!(r.seed, 99);
    assert_eq!(r.tie_break, TieBreak::Random(7));
    assert_eq!(rt.config().seed, 99);
    assert_eq!(TieBreak::Random(7).to_string(), "random(7)");
    assert_eq!(TieBreak::Fifo.to_string(), "fifo");
}

#[test]
fn trace_hash_depends_on_times_and_order() {
    let hash = |a: u64, b: u64| {
        let mut rt = Runtime::new(RuntimeConfig::default());
        rt.spawn("a", move || sleep(Duration::from_nanos(a)));
        rt.spawn("b", move || sleep(Duration::from_nanos(b)));
        rt.run().unwrap().trace_hash
    };
    assert_eq!(hash(1, 2), hash(1, 2));
    assert_ne!(hash(1, 2), hash(2, 1));
    assert_ne!(hash(1, 2), hash(1, 3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn same_seed_same_report_and_a_different_program_differs(
        p in program(),
        seed in any::<u64>(),
    ) {
        let a = run(&p, TieBreak::Random(seed)).unwrap();
        let b = run(&p, TieBreak::Random(seed)).unwrap();
        prop_assert_eq!(&a, &b);

        // One more step in the first task: a different program, a different trace.
        let mut q = p.clone();
        q.tasks[0].push(Op::Sleep(1));
        let c = run(&q, TieBreak::Random(seed)).unwrap();
        prop_assert_ne!(a.trace_hash, c.trace_hash);
    }
}
