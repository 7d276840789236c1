//! Properties of random programs under many random tie-break seeds: mutual
//! exclusion, semaphore bounds, exactly-once in-order delivery, monotone time,
//! no deadlock with globally ordered locks, exact reports of lock-order cycles,
//! and runs on a shared stack identical to runs on dedicated stacks.

use std::collections::BTreeSet;

use p2psim_runtime::*;
use proptest::prelude::*;

use crate::common::{program, run, run_cycle, run_on};

const SEEDS_PER_PROGRAM: u64 = 16;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariants_hold_under_random_interleavings(p in program(), base in any::<u64>()) {
        prop_assert!((2..=16).contains(&p.root_tasks()));
        for s in 0..SEEDS_PER_PROGRAM {
            let seed = base.wrapping_add(s);
            // Globally ordered locks never deadlock: the run is Ok.
            let out = match run(&p, TieBreak::Random(seed)) {
                Ok(o) => o,
                Err(e) => return Err(TestCaseError::fail(format!("seed {seed}: {e}"))),
            };
            // Mutual exclusion.
            for &m in &out.max_mutex_holders {
                prop_assert!(m <= 1, "mutex held by {} tasks", m);
            }
            // A semaphore never goes below zero: holders never exceed the permits.
            for (held, &permits) in out.max_sem_holders.iter().zip(&p.permits) {
                prop_assert!(*held <= permits, "{} holders of {} permits", held, permits);
            }
            // Every message received exactly once, in order.
            for (got, spec) in out.received.iter().zip(&p.mailboxes) {
                let sent: Vec<u32> = (0..spec.producer_sleeps.len() as u32).collect();
                prop_assert_eq!(got, &sent);
            }
            // Virtual time never goes backwards, and every step of every task ran.
            prop_assert!(out.log.windows(2).all(|w| w[0].2 <= w[1].2));
            let steps: usize = p.tasks.iter().map(Vec::len).sum();
            prop_assert_eq!(out.log.len(), steps);
            // Within a task, steps complete in order.
            for t in 0..p.tasks.len() {
                let mine: Vec<usize> = out.log.iter().filter(|e| e.0 == t).map(|e| e.1).collect();
                prop_assert_eq!(mine, (0..p.tasks[t].len()).collect::<Vec<_>>());
            }
            prop_assert!(out.log.last().map_or(true, |e| e.2 <= out.end_time));
        }
    }

    #[test]
    fn a_shared_stack_changes_nothing_in_a_run(p in program(), base in any::<u64>()) {
        // Under FIFO the dedicated run also hands off (see `handoff`); the shared
        // one never does: equal runs show that hand-offs change nothing either.
        let random = (0..4).map(|s| TieBreak::Random(base.wrapping_add(s)));
        for tie in std::iter::once(TieBreak::Fifo).chain(random) {
            let dedicated = run_on(&p, tie, StackMode::Dedicated);
            let shared = run_on(&p, tie, StackMode::Shared);
            match (dedicated, shared) {
                (Ok(d), Ok(s)) => prop_assert_eq!(d, s),
                (d, s) => prop_assert!(false, "runs failed: {:?} / {:?}", d.err(), s.err()),
            }
        }
    }

    #[test]
    fn lock_order_cycles_are_reported_with_exactly_their_tasks(
        k in 2usize..7,
        bystanders in 0usize..4,
        seed in any::<u64>(),
    ) {
        let (cycle, others, err) = run_cycle(k, bystanders, seed);
        let d = err.as_deadlock().expect("a deadlock");
        let got: BTreeSet<TaskId> = d.tasks.iter().map(|t| t.id).collect();
        let want: BTreeSet<TaskId> = cycle.iter().copied().collect();
        prop_assert_eq!(d.tasks.len(), k);
        prop_assert_eq!(&got, &want);
        prop_assert!(others.iter().all(|o| !got.contains(o)));
        // The cycle closes while other tasks could still run: always partial.
        prop_assert!(d.partial);
        prop_assert_eq!(d.time, SimTime::from_nanos(1_000_000));
        prop_assert_eq!(d.seed, seed);
        for t in &d.tasks {
            prop_assert_eq!(t.waits_on, WaitKind::Mutex);
            prop_assert!(t.waits_for.is_some_and(|w| want.contains(&w)));
        }
        // Each task waits for the next one of the cycle: following waits_for from
        // any member visits all k members.
        let next = |id: TaskId| d.tasks.iter().find(|t| t.id == id).unwrap().waits_for.unwrap();
        let mut seen = BTreeSet::new();
        let mut at = cycle[0];
        for _ in 0..k {
            seen.insert(at);
            at = next(at);
        }
        prop_assert_eq!(at, cycle[0]);
        prop_assert_eq!(seen, want);
    }
}
