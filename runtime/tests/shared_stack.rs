//! `StackMode::Shared`: every worker runs on one stack and a task's frames are
//! copied off it while others run. Frames must come back intact at any depth,
//! and kills, panics, joins and teardown must behave as on dedicated stacks.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn shared(tie: TieBreak) -> Runtime {
    Runtime::new(RuntimeConfig {
        seed: 11,
        tie_break: tie,
        pool: PoolConfig {
            stacks: StackMode::Shared,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    })
}

/// Recurses `depth` frames of `width` bytes each, parking at the bottom and on
/// the way back up; returns the sum of every frame's bytes, checked on the way.
#[inline(never)]
fn deep(id: u64, depth: u32, width: usize, rounds: &Rc<Cell<u64>>) -> u64 {
    let frame: Vec<u8> = Vec::new(); // a heap value owned by this frame
    let mut local = [0u8; 256];
    let seed = (id as u8).wrapping_mul(31).wrapping_add(depth as u8);
    for (i, b) in local.iter_mut().enumerate().take(width.min(256)) {
        *b = seed.wrapping_add(i as u8);
    }
    std::hint::black_box(&mut local);
    let below = if depth == 0 {
        sleep(Duration::from_micros(1 + id % 7));
        0
    } else {
        deep(id, depth - 1, width, rounds)
    };
    // Park again with this frame live, then check it survived both parks.
    sleep(Duration::from_micros(1 + (id + u64::from(depth)) % 5));
    rounds.set(rounds.get() + 1);
    for (i, &b) in local.iter().enumerate().take(width.min(256)) {
        assert_eq!(
            b,
            seed.wrapping_add(i as u8),
            "task {id} depth {depth} byte {i}"
        );
    }
    drop(frame);
    below + local.iter().map(|&b| u64::from(b)).sum::<u64>()
}

fn expected(id: u64, depth: u32, width: usize) -> u64 {
    (0..=depth)
        .map(|d| {
            let seed = (id as u8).wrapping_mul(31).wrapping_add(d as u8);
            (0..width.min(256))
                .map(|i| u64::from(seed.wrapping_add(i as u8)))
                .sum::<u64>()
        })
        .sum()
}

#[test]
fn frames_of_every_depth_survive_interleaved_parks() {
    for tie in [TieBreak::Fifo, TieBreak::Random(3), TieBreak::Random(99)] {
        let mut rt = shared(tie);
        let rounds = Rc::new(Cell::new(0));
        let handles: Vec<_> = (0..40u64)
            .map(|id| {
                let rounds = rounds.clone();
                let (depth, width) = ((id % 9) as u32, 16 + (id as usize * 37) % 240);
                let h = rt.spawn(format!("t{id}"), move || deep(id, depth, width, &rounds));
                (h, id, depth, width)
            })
            .collect();
        let report = rt.run().unwrap();
        for (h, id, depth, width) in handles {
            assert_eq!(h.try_join().unwrap().unwrap(), expected(id, depth, width));
        }
        let frames: u64 = (0..40u64).map(|id| id % 9 + 1).sum();
        assert_eq!(rounds.get(), frames);
        assert_eq!(report.pool.stack_size, DEFAULT_STACK_SIZE);
    }
}

#[test]
fn a_shared_run_matches_a_dedicated_run_event_for_event() {
    let run = |stacks| {
        let mut rt = Runtime::new(RuntimeConfig {
            seed: 4,
            tie_break: TieBreak::Random(4),
            pool: PoolConfig {
                stacks,
                ..PoolConfig::default()
            },
            ..RuntimeConfig::default()
        });
        let log = Rc::new(RefCell::new(Vec::new()));
        let sem = Semaphore::new(2);
        for id in 0..30u64 {
            let (log, sem) = (log.clone(), sem.clone());
            rt.spawn("worker", move || {
                for round in 0..5 {
                    sem.down();
                    sleep(Duration::from_micros(id % 4 + round));
                    log.borrow_mut().push((id, round, now()));
                    sem.up();
                    yield_now();
                }
            });
        }
        let report = rt.run().unwrap();
        let log = log.borrow().clone();
        (report.trace_hash, report.events, report.end_time, log)
    };
    assert_eq!(run(StackMode::Dedicated), run(StackMode::Shared));
}

#[test]
fn workers_are_reused_and_only_one_stack_is_carved() {
    let mut rt = shared(TieBreak::Fifo);
    rt.spawn("main", || {
        for wave in 0..3u64 {
            let children: Vec<_> = (0..100u64)
                .map(|i| spawn("child", move || sleep(Duration::from_micros(i + wave))))
                .collect();
            for c in children {
                c.join().unwrap();
            }
        }
    });
    let report = rt.run().unwrap();
    assert_eq!(report.tasks_finished, 301);
    // A worker per task alive at once (the main task and one wave), not per task.
    assert_eq!(report.pool.workers_created, 101);
    assert_eq!(report.pool.peak_in_use, 101);
}

struct Dropped(Rc<Cell<u32>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn a_killed_task_unwinds_its_restored_frames() {
    let mut rt = shared(TieBreak::Fifo);
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let victim = rt.spawn("victim", move || {
        let _a = Dropped(d.clone());
        let inner = || {
            let _b = Dropped(d.clone());
            LockObject::new().block();
        };
        inner();
    });
    let others: Vec<_> = (0..5u64)
        .map(|i| rt.spawn("other", move || sleep(Duration::from_micros(i + 1))))
        .collect();
    let killer = rt.spawn("killer", move || {
        sleep(Duration::from_micros(3));
        victim.kill();
        victim.join()
    });
    rt.run().unwrap();
    assert_eq!(drops.get(), 2);
    assert_eq!(killer.try_join().unwrap().unwrap(), Err(JoinError::Killed));
    assert!(others.iter().all(|h| h.try_join() == Some(Ok(()))));
}

#[test]
fn dropping_the_runtime_unwinds_every_parked_task() {
    let drops = Rc::new(Cell::new(0));
    {
        let mut rt = shared(TieBreak::Fifo);
        for i in 0..20u64 {
            let d = drops.clone();
            rt.spawn("parked", move || {
                let _x = Dropped(d);
                sleep(Duration::from_micros(i + 1));
                LockObject::new().block();
            });
        }
        // All park for good: a deadlock, reported; the drop then unwinds them.
        let err = rt.run().unwrap_err();
        assert_eq!(err.as_deadlock().map(|d| d.tasks.len()), Some(20));
        assert_eq!(drops.get(), 0);
    }
    assert_eq!(drops.get(), 20);
}

#[test]
fn a_panic_after_parking_is_reported_with_its_task() {
    let mut rt = shared(TieBreak::Fifo);
    for i in 0..4u64 {
        rt.spawn("calm", move || sleep(Duration::from_micros(i + 1)));
    }
    rt.spawn("faulty", || {
        let local = [7u8; 64];
        sleep(Duration::from_micros(2));
        std::hint::black_box(&local);
        panic!("broken after a park");
    });
    let err = rt.run().unwrap_err();
    let SimError::TaskPanicked(p) = err else {
        panic!("expected a panic report, got {err}");
    };
    assert_eq!(p.name, "faulty");
    assert!(p.message.contains("broken after a park"), "{}", p.message);
}
