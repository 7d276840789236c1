//! JoinHandle::join and try_join: values, panics, finished tasks, misuse outside a task.

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use p2psim_runtime::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

fn continue_on_panic() -> Runtime {
    Runtime::new(RuntimeConfig {
        on_panic: PanicPolicy::Continue,
        ..RuntimeConfig::default()
    })
}

#[test]
fn join_returns_the_value_when_the_task_ends() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("parent", || {
        let child = spawn("child", || {
            sleep(ms(7));
            vec![1u32, 2, 3]
        });
        let v = child.join().unwrap();
        (v, now())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (vec![1, 2, 3], at_ms(7)));
}

#[test]
fn several_tasks_join_one_task_each_other_in_order() {
    // Handles are not Clone: a chain of joins, each waking at the child's end.
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("a", || {
        let b = spawn("b", || {
            let c = spawn("c", || {
                sleep(ms(3));
                1
            });
            let v = c.join().unwrap();
            sleep(ms(2));
            (v + 1, now())
        });
        let (v, t) = b.join().unwrap();
        (v + 1, t, now())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (3, at_ms(5), at_ms(5)));
}

#[test]
fn join_on_a_panicked_task_gives_the_message() {
    let mut rt = continue_on_panic();
    let h = rt.spawn("parent", || {
        let child = spawn("child", || -> u32 {
            sleep(ms(2));
            panic!("child failed: {}", 42)
        });
        (child.join(), now())
    });
    let report = rt.run().unwrap();
    let (res, t) = h.try_join().unwrap().unwrap();
    assert_eq!(t, at_ms(2));
    match res {
        Err(JoinError::Panicked(m)) => {
            assert!(m.starts_with("child failed: 42 (at "), "{m}");
            assert!(m.contains("join.rs:"), "{m}");
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(report.panics.len(), 1);
    assert_eq!(report.panics[0].name, "child");
}

#[test]
fn join_on_a_panicked_task_with_a_non_string_payload() {
    let mut rt = continue_on_panic();
    let h = rt.spawn("parent", || {
        spawn("child", || std::panic::panic_any(17u8)).join()
    });
    rt.run().unwrap();
    match h.try_join().unwrap().unwrap() {
        Err(JoinError::Panicked(m)) => assert!(m.contains("non-string panic payload"), "{m}"),
        other => panic!("expected Panicked, got {other:?}"),
    }
}

#[test]
fn joining_an_already_finished_task_returns_at_once() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("parent", || {
        let child = spawn("quick", || "v");
        sleep(ms(10));
        assert!(child.is_finished());
        let before = now();
        let v = child.join().unwrap();
        (v, before, now())
    });
    let report = rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), ("v", at_ms(10), at_ms(10)));
    // parent: start, wake; child: one run. The join did not suspend.
    assert_eq!(report.events, 3);
}

#[test]
fn join_outside_a_task_after_the_run() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || String::from("done"));
    rt.run().unwrap();
    assert_eq!(h.join().unwrap(), "done");
}

#[test]
fn try_join_is_none_until_finished_then_takes_the_value_once() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("t", || {
        sleep(ms(5));
        99u64
    });
    assert!(h.try_join().is_none());
    rt.run_until(at_ms(4)).unwrap();
    assert!(h.try_join().is_none());
    rt.run().unwrap();
    assert_eq!(h.try_join(), Some(Ok(99)));
    // The value was taken: a second try_join reports it is gone.
    match h.try_join() {
        Some(Err(JoinError::Panicked(m))) => assert!(m.contains("already taken"), "{m}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn try_join_inside_a_task() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("parent", || {
        let child = spawn("child", || {
            sleep(ms(1));
            5
        });
        let early = child.try_join();
        sleep(ms(2));
        (early, child.try_join())
    });
    rt.run().unwrap();
    assert_eq!(h.try_join().unwrap().unwrap(), (None, Some(Ok(5))));
}

#[test]
fn join_outside_a_task_on_an_unfinished_handle_panics() {
    let mut rt = Runtime::new(RuntimeConfig::default());
    let h = rt.spawn("pending", || sleep(ms(1)));
    let payload = panic::catch_unwind(AssertUnwindSafe(|| h.join())).unwrap_err();
    let m = payload
        .downcast_ref::<String>()
        .cloned()
        .expect("a formatted message");
    assert!(m.contains("outside a task"), "{m}");
    assert!(m.contains("'pending'"), "{m}");
    // The task itself is unaffected.
    let report = rt.run().unwrap();
    assert_eq!(report.tasks_finished, 1);
    assert_eq!(report.end_time, at_ms(1));
}

#[test]
fn join_error_displays() {
    assert_eq!(JoinError::Killed.to_string(), "task was killed");
    assert_eq!(
        JoinError::Panicked("m".into()).to_string(),
        "task panicked: m"
    );
    assert!(JoinError::Rejected.to_string().contains("rejected"));
}
