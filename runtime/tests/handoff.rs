//! Hand-offs: on dedicated stacks under FIFO order, a parking task runs the next
//! ready task itself (see the runtime's `handoff` module). The shared stack never
//! hands off, so every program here runs in both modes and must give the same
//! run: same outcome, same resumptions in the same order (trace hash), same log.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use p2psim_runtime::*;

fn runtime(stacks: StackMode, on_panic: PanicPolicy) -> Runtime {
    Runtime::new(RuntimeConfig {
        seed: 21,
        on_panic,
        pool: PoolConfig {
            stacks,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    })
}

/// What a run shows from outside: its result, its counters and the tasks' log.
#[derive(Debug, PartialEq)]
struct Seen {
    result: Result<(u64, u64, SimTime, u64), String>,
    log: Vec<String>,
}

/// Runs `program` on a dedicated-stack runtime (hand-offs) and on a shared-stack
/// one (none), and checks that both runs are the same; returns the dedicated
/// run's report.
fn same_in_both_modes(
    on_panic: PanicPolicy,
    program: impl Fn(&mut Runtime, Rc<RefCell<Vec<String>>>),
) -> Result<RunReport, SimError> {
    let mut seen = Vec::new();
    let mut dedicated = None;
    for stacks in [StackMode::Dedicated, StackMode::Shared] {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut rt = runtime(stacks, on_panic);
        program(&mut rt, log.clone());
        let out = rt.run();
        let result = match &out {
            Ok(r) => Ok((r.trace_hash, r.events, r.end_time, r.tasks_finished)),
            Err(e) => Err(e.to_string()),
        };
        drop(rt);
        let log = log.borrow().clone();
        seen.push(Seen { result, log });
        if stacks == StackMode::Dedicated {
            dedicated = Some(out);
        }
    }
    assert_eq!(
        seen[0], seen[1],
        "dedicated (left) and shared (right) runs differ"
    );
    dedicated.expect("the dedicated run ran")
}

fn note(log: &Rc<RefCell<Vec<String>>>, what: String) {
    log.borrow_mut().push(format!("{} {what}", now()));
}

#[test]
fn a_semaphore_ping_pong_runs_the_same() {
    let report = same_in_both_modes(PanicPolicy::Stop, |rt, log| {
        let (a, b) = (Semaphore::new(0), Semaphore::new(0));
        let (a2, b2, log2) = (a.clone(), b.clone(), log.clone());
        rt.spawn("A", move || {
            for i in 0..50 {
                b2.up();
                a2.down();
                note(&log2, format!("A {i}"));
            }
        });
        rt.spawn("B", move || {
            for i in 0..50 {
                b.down();
                note(&log, format!("B {i}"));
                a.up();
            }
        });
    })
    .unwrap();
    assert!(report.completed);
    assert_eq!(report.tasks_finished, 2);
}

#[test]
fn a_ring_of_mailboxes_with_sleeps_runs_the_same() {
    // Each of five tasks passes a token on; some sleep first, so hand-offs mix
    // with timers and with fronts that are the parking task itself or another.
    same_in_both_modes(PanicPolicy::Stop, |rt, log| {
        const N: usize = 5;
        let boxes: Vec<Mailbox<u64>> = (0..N).map(|_| Mailbox::new()).collect();
        for i in 0..N {
            let (inbox, outbox, log) = (boxes[i].clone(), boxes[(i + 1) % N].clone(), log.clone());
            rt.spawn(format!("ring {i}"), move || {
                if i == 0 {
                    outbox.send(0);
                }
                loop {
                    let token = inbox.recv();
                    note(&log, format!("{i} got {token}"));
                    if token >= 40 {
                        outbox.send(token + 1);
                        break;
                    }
                    if token % 3 == i as u64 % 3 {
                        sleep(Duration::from_nanos(token * 7));
                    }
                    if token % 4 == 1 {
                        yield_now();
                    }
                    outbox.send(token + 1);
                }
            });
        }
    })
    .unwrap();
}

#[test]
fn a_crowd_woken_at_once_runs_in_queue_order() {
    // Twelve tasks wait on one lock object; the releaser wakes them all, then
    // parks: its hand-offs must run them in the run queue's order, a mutex and
    // a sync point reshuffling them on the way.
    same_in_both_modes(PanicPolicy::Stop, |rt, log| {
        let gate = LockObject::new();
        let lock = Mutex::new(0u64);
        let point = SyncPoint::new();
        let arrived = Rc::new(Cell::new(0u64));
        for i in 0..12u64 {
            let (gate, lock, point, arrived, log) = (
                gate.clone(),
                lock.clone(),
                point.clone(),
                arrived.clone(),
                log.clone(),
            );
            rt.spawn(format!("crowd {i}"), move || {
                for round in 0..3 {
                    gate.block();
                    note(&log, format!("{i} through gate {round}"));
                    let mut held = lock.lock();
                    *held += i;
                    yield_now();
                    note(&log, format!("{i} holds {}", *held));
                    drop(held);
                    arrived.set(arrived.get() + 1);
                    point.awake();
                    let target = arrived.get().div_ceil(12) * 12;
                    point.wait_until(|| arrived.get() >= target);
                    note(&log, format!("{i} past point {round}"));
                }
            });
        }
        let log2 = log.clone();
        rt.spawn("releaser", move || {
            for round in 0..3 {
                sleep(Duration::from_nanos(10 + round));
                let woken = gate.release_all();
                note(&log2, format!("released {woken}"));
                sleep(Duration::from_nanos(1));
            }
        });
    })
    .unwrap();
}

#[test]
fn tasks_that_end_inside_a_hand_off_free_their_workers() {
    let report = same_in_both_modes(PanicPolicy::Stop, |rt, log| {
        rt.spawn("main", move || {
            for i in 0..100u64 {
                let (go, done) = (Semaphore::new(0), Semaphore::new(0));
                let (go2, done2, log2) = (go.clone(), done.clone(), log.clone());
                let child = spawn("child", move || {
                    go2.down();
                    note(&log2, format!("child {i}"));
                    done2.up();
                    i * 2
                });
                // The child parks first; then main, resumed by the scheduler,
                // wakes it and parks, handing off to it; the child ends inside
                // that hand-off.
                sleep(Duration::from_nanos(1));
                go.up();
                done.down();
                let value = child.join().unwrap();
                note(&log, format!("joined {value}"));
            }
        });
    })
    .unwrap();
    // One worker for main and one that every child reused.
    assert_eq!(report.pool.workers_created, 2);
    assert_eq!(report.tasks_finished, 101);
}

/// A and B release each other `rounds` times (B is resumed by the scheduler,
/// A by B's hand-offs); `act(name, round)` runs in each before it releases the other.
fn ping_pong(
    rt: &mut Runtime,
    log: Rc<RefCell<Vec<String>>>,
    rounds: u64,
    act: impl Fn(&str, u64) + Clone + 'static,
) {
    let (a, b) = (Semaphore::new(0), Semaphore::new(0));
    let (a2, b2, log2, act2) = (a.clone(), b.clone(), log.clone(), act.clone());
    rt.spawn("A", move || {
        for i in 0..rounds {
            b2.up();
            if !a2.down_for(Duration::from_secs(1)) {
                note(&log2, format!("A {i} timed out"));
                return;
            }
            note(&log2, format!("A {i}"));
            act2("A", i);
        }
    });
    rt.spawn("B", move || {
        for i in 0..rounds {
            if !b.down_for(Duration::from_secs(1)) {
                note(&log, format!("B {i} timed out"));
                return;
            }
            note(&log, format!("B {i}"));
            act("B", i);
            a.up();
        }
    });
}

#[test]
fn a_panic_inside_a_hand_off_is_reported_and_stops_the_run() {
    // B runs at the scheduler's level, A inside B's hand-offs: both are checked.
    for who in ["A", "B"] {
        let err = same_in_both_modes(PanicPolicy::Stop, |rt, log| {
            ping_pong(rt, log, 10, move |name, i| {
                assert!(name != who || i < 4, "{name} gives up at round {i}");
            });
        })
        .unwrap_err();
        match err {
            SimError::TaskPanicked(p) => {
                assert_eq!(p.name, who);
                let expected = format!("{who} gives up at round 4");
                assert!(p.message.contains(&expected), "{}", p.message);
            }
            other => panic!("expected a panic report, got {other}"),
        }
    }
}

#[test]
fn a_panic_inside_a_hand_off_under_continue_lets_the_others_go_on() {
    for who in ["A", "B"] {
        let report = same_in_both_modes(PanicPolicy::Continue, |rt, log| {
            ping_pong(rt, log, 10, move |name, i| {
                assert!(name != who || i < 3, "{name} gives up at round {i}");
            });
        })
        .unwrap();
        assert_eq!(report.panics.len(), 1);
        assert_eq!(report.panics[0].name, who);
        assert_eq!(report.tasks_finished, 2);
    }
}

#[test]
fn stop_inside_a_hand_off_ends_the_run_at_once() {
    for who in ["A", "B"] {
        let report = same_in_both_modes(PanicPolicy::Stop, |rt, log| {
            ping_pong(rt, log, 1000, move |name, i| {
                if name == who && i == 6 {
                    stop();
                }
            });
        })
        .unwrap();
        assert!(!report.completed);
        assert_eq!(report.tasks_alive, 2);
    }
}

#[test]
fn a_kill_from_inside_a_hand_off_unwinds_the_task_that_handed_off() {
    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let flag = dropped.clone();
    same_in_both_modes(PanicPolicy::Stop, move |rt, log| {
        flag.set(false);
        let (a, b) = (Semaphore::new(0), Semaphore::new(0));
        let victim: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let (a2, b2, log2, flag2) = (a.clone(), b.clone(), log.clone(), flag.clone());
        let handle = rt.spawn("A", move || {
            let _guard = Dropped(flag2);
            loop {
                b2.up();
                a2.down();
                note(&log2, "A".to_string());
            }
        });
        let target = victim.clone();
        *victim.borrow_mut() = Some(handle);
        rt.spawn("B", move || {
            for i in 0..5 {
                b.down();
                note(&log, format!("B {i}"));
                if i == 3 {
                    // A is parked in the hand-off that resumed this task.
                    let a_task = target.borrow_mut().take().unwrap();
                    a_task.kill();
                    note(&log, format!("killed, A is {:?}", a_task.state()));
                    return;
                }
                a.up();
            }
        });
    })
    .unwrap();
    assert!(dropped.get(), "the killed task's locals were dropped");
}

#[test]
fn a_deadlock_reached_inside_a_hand_off_is_reported() {
    let err = same_in_both_modes(PanicPolicy::Stop, |rt, _log| {
        let (a, b) = (Semaphore::named("a", 0), Semaphore::named("b", 0));
        let (a2, b2) = (a.clone(), b.clone());
        rt.spawn("A", move || {
            for _ in 0..3 {
                b2.up();
                a2.down();
            }
            a2.down();
        });
        rt.spawn("B", move || {
            for _ in 0..3 {
                b.down();
                a.up();
            }
            b.down();
        });
    })
    .unwrap_err();
    match err {
        SimError::Deadlock(d) => {
            let names: Vec<String> = d.tasks.iter().map(|t| t.name.to_string()).collect();
            assert_eq!(names, ["A", "B"]);
        }
        other => panic!("expected a deadlock, got {other}"),
    }
}
