//! The TaskThread pool: capacity and exhaustion policies, queueing statistics,
//! worker recycling, stack statistics, and deadlock through pool exhaustion.

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

fn pool(capacity: usize, policy: ExhaustionPolicy) -> Runtime {
    Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            capacity: Some(capacity),
            policy,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    })
}

#[test]
fn reject_policy_refuses_spawns_beyond_capacity() {
    let mut rt = pool(2, ExhaustionPolicy::Reject);
    let h = rt.spawn("server", || {
        let a = spawn("a", || {
            sleep(ms(5));
            1
        });
        // Capacity 2: the server and "a" use both workers.
        let refused = try_spawn("b", || 2);
        assert_eq!(refused.unwrap_err(), SpawnError::Rejected);
        let c = spawn("c", || 3);
        assert!(c.is_rejected());
        assert_eq!(c.state(), TaskState::Terminated);
        let got_a = a.join().unwrap();
        // A worker came free: spawning works again.
        let d = try_spawn("d", || 4).expect("a free worker");
        assert!(!d.is_rejected());
        (got_a, c.join(), d.join())
    });
    let report = rt.run().unwrap();
    assert_eq!(
        h.try_join().unwrap().unwrap(),
        (1, Err(JoinError::Rejected), Ok(4))
    );
    assert_eq!(report.pool.rejected, 2);
    assert_eq!(report.pool.spawned, 3);
    assert_eq!(report.pool.queued, 0);
    assert_eq!(report.pool.peak_in_use, 2);
    assert_eq!(report.pool.capacity, Some(2));
    assert_eq!(report.pool.policy, ExhaustionPolicy::Reject);
    assert_eq!(report.tasks_spawned, 5);
    assert_eq!(report.tasks_finished, 3);
}

#[test]
fn reject_policy_for_root_spawns() {
    let mut rt = pool(1, ExhaustionPolicy::Reject);
    let a = rt.try_spawn("a", || 1).unwrap();
    assert!(matches!(rt.try_spawn("b", || 2), Err(SpawnError::Rejected)));
    let c = rt.spawn("c", || 3);
    assert!(c.is_rejected());
    assert!(!a.is_rejected());
    let report = rt.run().unwrap();
    assert_eq!(report.pool.rejected, 2);
    assert_eq!(a.try_join(), Some(Ok(1)));
    assert_eq!(c.try_join(), Some(Err(JoinError::Rejected)));
    assert!(SpawnError::Rejected.to_string().contains("reject"));
}

#[test]
fn queue_policy_starts_in_fifo_order_with_exact_wait_statistics() {
    let mut rt = pool(1, ExhaustionPolicy::Queue);
    let log = Rc::new(RefCell::new(Vec::new()));
    // Each task holds the only worker for a different time.
    for (name, hold) in [("a", 10), ("b", 5), ("c", 1), ("d", 7)] {
        let log = log.clone();
        rt.spawn(name, move || {
            log.borrow_mut().push((name, now()));
            sleep(ms(hold));
        });
    }
    let report = rt.run().unwrap();
    assert_eq!(
        *log.borrow(),
        vec![
            ("a", at_ms(0)),
            ("b", at_ms(10)),
            ("c", at_ms(15)),
            ("d", at_ms(16))
        ]
    );
    assert_eq!(report.pool.queued, 3);
    assert_eq!(report.pool.longest_queue_wait, ms(16));
    assert_eq!(report.pool.peak_in_use, 1);
    assert_eq!(report.pool.workers_created, 1);
    assert_eq!(report.pool.rejected, 0);
    assert_eq!(report.pool.spawned, 4);
    assert_eq!(report.end_time, at_ms(23));
}

#[test]
fn queue_policy_longest_wait_is_a_maximum_not_the_last() {
    let mut rt = pool(1, ExhaustionPolicy::Queue);
    let h = rt.spawn("parent", || {
        sleep(ms(3));
        // Queued at 3 ms, starts at 13 ms when the parent ends: waits 10 ms.
        let long = spawn("long-wait", now);
        sleep(ms(10));
        long
    });
    rt.spawn("late", || ());
    let report = rt.run().unwrap();
    let long = h.try_join().unwrap().unwrap();
    assert_eq!(long.try_join(), Some(Ok(at_ms(13))));
    assert_eq!(report.pool.queued, 2);
    // "late" waited 13 ms at the front of the queue, "long-wait" 10 ms.
    assert_eq!(report.pool.longest_queue_wait, ms(13));
}

#[test]
fn grow_policy_counts_workers_beyond_capacity() {
    let mut rt = pool(2, ExhaustionPolicy::Grow);
    let handles: Vec<_> = (0..5u64)
        .map(|i| {
            rt.spawn(format!("t{i}"), move || {
                sleep(ms(1 + i));
                now()
            })
        })
        .collect();
    let report = rt.run().unwrap();
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.try_join().unwrap().unwrap(), at_ms(1 + i as u64));
    }
    assert_eq!(report.pool.grown, 3);
    assert_eq!(report.pool.peak_in_use, 5);
    assert_eq!(report.pool.workers_created, 5);
    assert_eq!(report.pool.queued, 0);
    assert_eq!(report.pool.rejected, 0);
    assert_eq!(report.pool.policy, ExhaustionPolicy::Grow);
}

#[test]
fn workers_are_recycled() {
    let mut rt = pool(4, ExhaustionPolicy::Queue);
    let h = rt.spawn("spawner", || {
        let mut sum = 0u64;
        for round in 0..250u64 {
            // Four at a time: the spawner holds one worker, so one of them queues.
            let batch: Vec<_> = (0..4u64)
                .map(|i| {
                    spawn("short", move || {
                        sleep(Duration::from_nanos(1 + i));
                        round * 4 + i
                    })
                })
                .collect();
            for b in batch {
                sum += b.join().unwrap();
            }
        }
        sum
    });
    let report = rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (0..1000).sum::<u64>());
    assert_eq!(report.tasks_spawned, 1001);
    assert_eq!(report.tasks_finished, 1001);
    assert_eq!(report.pool.spawned, 1001);
    assert_eq!(report.pool.workers_created, 4);
    assert_eq!(report.pool.peak_in_use, 4);
    assert_eq!(report.pool.queued, 250);
    assert!(report.pool.stack_high_water > 0);
    assert!(report.pool.stack_high_water <= report.pool.stack_size);
}

#[test]
fn sequential_short_tasks_reuse_one_worker_each() {
    let mut rt = pool(4, ExhaustionPolicy::Queue);
    rt.spawn("spawner", || {
        for i in 0..1000u32 {
            assert_eq!(spawn("short", move || i * 2).join().unwrap(), i * 2);
        }
    });
    let report = rt.run().unwrap();
    assert!(report.pool.workers_created <= 4);
    assert_eq!(report.pool.workers_created, 2);
    assert_eq!(report.pool.peak_in_use, 2);
    assert_eq!(report.pool.queued, 0);
    assert_eq!(report.tasks_finished, 1001);
}

#[test]
fn root_tasks_reuse_workers_across_runs() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    for round in 0..10u64 {
        let h = rt.spawn("t", move || {
            sleep(ms(1));
            round
        });
        rt.run().unwrap();
        assert_eq!(h.try_join(), Some(Ok(round)));
    }
    let report = rt.report();
    assert_eq!(report.pool.workers_created, 1);
    assert_eq!(report.end_time, at_ms(10));
}

#[test]
fn stack_size_is_page_rounded_and_high_water_is_bounded() {
    let mut rt = Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            stack_size: 100_000,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    });
    rt.spawn("deepish", || {
        let buf = [7u8; 16 * 1024];
        std::hint::black_box(&buf);
        sleep(ms(1));
    });
    let report = rt.run().unwrap();
    let page = 4096;
    assert_eq!(report.pool.stack_size, 100_000usize.div_ceil(page) * page);
    assert!(
        report.pool.stack_high_water >= 16 * 1024,
        "{}",
        report.pool.stack_high_water
    );
    assert!(report.pool.stack_high_water <= report.pool.stack_size);
    assert_eq!(report.pool.stack_high_water % page, 0);
}

#[test]
fn default_pool_is_unbounded() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    for _ in 0..100 {
        rt.spawn("t", || sleep(ms(1)));
    }
    let report = rt.run().unwrap();
    assert_eq!(report.pool.capacity, None);
    assert_eq!(report.pool.stack_size, DEFAULT_STACK_SIZE);
    assert_eq!(report.pool.peak_in_use, 100);
    assert_eq!(report.pool.workers_created, 100);
    assert_eq!(report.peak_tasks_alive, 100);
}

#[test]
fn pool_exhaustion_deadlock_names_both_tasks() {
    let mut rt = pool(1, ExhaustionPolicy::Queue);
    let a = rt.spawn("A", || {
        sleep(ms(2));
        let b = spawn("B", || 1);
        b.join().unwrap()
    });
    let a_id = a.id();
    let err = rt.run().unwrap_err();
    let d = err.as_deadlock().expect("a deadlock");
    assert_eq!(d.time, at_ms(2));
    assert!(!d.partial);
    assert_eq!(d.tasks.len(), 2);
    let ta = &d.tasks[0];
    assert_eq!((ta.id, ta.name.to_string().as_str()), (a_id, "A"));
    assert_eq!(ta.waits_on, WaitKind::Join);
    assert_eq!(ta.state, TaskState::Waiting);
    assert_eq!(ta.since, at_ms(2));
    let tb = &d.tasks[1];
    assert_eq!(tb.name, "B");
    assert_eq!(tb.id.as_u64(), 2);
    assert_eq!(ta.waits_for, Some(tb.id));
    assert_eq!(tb.waits_on, WaitKind::Worker);
    assert_eq!(tb.state, TaskState::New);
    assert_eq!(tb.since, at_ms(2));
    let text = err.to_string();
    assert!(text.contains("a worker of the pool"), "{text}");
}

#[test]
fn each_worker_reports_its_own_stack_high_water_mark() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    // Two tasks alive at once get two workers: one goes deep, one stays shallow.
    rt.spawn("deep", || {
        let buf = [7u8; 32 * 1024];
        std::hint::black_box(&buf);
        sleep(ms(1));
    });
    rt.spawn("shallow", || sleep(ms(1)));
    rt.run().unwrap();
    let marks = rt.stack_high_water_marks();
    assert_eq!(marks.len(), 2);
    assert!(marks[0] >= 32 * 1024, "{marks:?}");
    assert!(marks[1] < 16 * 1024 && marks[1] > 0, "{marks:?}");
}

#[test]
fn a_stack_the_system_will_not_map_is_an_out_of_memory_report() {
    // 2^47 bytes a stack: more than a 64-bit address space's user half holds.
    let mut rt = Runtime::new(RuntimeConfig {
        pool: PoolConfig {
            stack_size: 1 << 47,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::with_seed(5)
    });
    rt.spawn("first", || sleep(ms(1)));
    match rt.run() {
        Err(SimError::OutOfMemory(r)) => {
            assert_eq!((r.workers, r.tasks_alive, r.seed), (0, 1, 5));
            assert!(r.what.contains("cannot map a stack of"), "{}", r.what);
            let text = SimError::OutOfMemory(r).to_string();
            assert!(text.starts_with("out of memory at virtual time"), "{text}");
        }
        other => panic!("expected an out-of-memory report, got {other:?}"),
    }
}
