//! Stack overflow in a task: the process prints which task overflowed (and its
//! stack size) and exits with status 1. Checked in a child process that re-runs
//! this test binary with `P2PSIM_OVERFLOW_CHILD=1`.

use std::process::Command;
use std::time::Duration;

use p2psim_runtime::*;

const CHILD_ENV: &str = "P2PSIM_OVERFLOW_CHILD";
const STACK: usize = 64 * 1024;

fn small_stack_runtime() -> Runtime {
    Runtime::new(RuntimeConfig {
        seed: 5150,
        pool: PoolConfig {
            stack_size: STACK,
            ..PoolConfig::default()
        },
        ..RuntimeConfig::default()
    })
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let mut frame = [0u8; 1024];
    frame[0] = depth as u8;
    std::hint::black_box(&mut frame);
    if depth == 0 {
        return u64::from(frame[1]);
    }
    recurse(depth - 1) + u64::from(std::hint::black_box(frame)[0])
}

/// Re-runs `test` (a test of this module) alone in a child process; returns
/// (exit code, stderr).
fn run_child(test: &str) -> (Option<i32>, String) {
    // The harness names a test by its path below the crate: `overflow::<test>`.
    let (_, module) = module_path!()
        .split_once("::")
        .expect("a module of the test crate");
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([
            "--exact",
            &format!("{module}::{test}"),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn overflow_reports_the_task_and_exits_with_status_1() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let mut rt = small_stack_runtime();
        rt.spawn("fine", || sleep(Duration::from_millis(1)));
        rt.spawn("deep recursion", || {
            sleep(Duration::from_nanos(250));
            recurse(1_000_000)
        });
        let _ = rt.run();
        unreachable!("the overflow must end the process");
    }
    let (code, stderr) = run_child("overflow_reports_the_task_and_exits_with_status_1");
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("stack overflow in task 'deep recursion' (#2)"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("its stack is {STACK} bytes")),
        "{stderr}"
    );
    assert!(stderr.contains("at virtual time 250 ns"), "{stderr}");
    assert!(stderr.contains("seed 5150"), "{stderr}");
}

#[test]
fn overflow_on_a_stack_carved_late_hits_its_guard_too() {
    // Not only the first stacks are guarded: the 801st lies in the sixth region
    // the allocator mapped (regions of 16, 32, ... 512 slots).
    const SLEEPERS: usize = 800;
    if std::env::var_os(CHILD_ENV).is_some() {
        let mut rt = small_stack_runtime();
        for _ in 0..SLEEPERS {
            rt.spawn("sleeper", || sleep(Duration::from_millis(1)));
        }
        rt.spawn("late deep recursion", || recurse(1_000_000));
        let _ = rt.run();
        unreachable!("the overflow must end the process");
    }
    let (code, stderr) = run_child("overflow_on_a_stack_carved_late_hits_its_guard_too");
    assert_eq!(code, Some(1), "stderr: {stderr}");
    let id = SLEEPERS + 1;
    assert!(
        stderr.contains(&format!(
            "stack overflow in task 'late deep recursion' (#{id})"
        )),
        "stderr: {stderr}"
    );
}

#[test]
fn overflow_on_the_shared_stack_hits_its_guard_and_names_the_task() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let mut rt = Runtime::new(RuntimeConfig {
            seed: 77,
            pool: PoolConfig {
                stack_size: STACK,
                stacks: StackMode::Shared,
                ..PoolConfig::default()
            },
            ..RuntimeConfig::default()
        });
        // Parked tasks with frames saved off the stack, then one that overflows it.
        for i in 0..50 {
            rt.spawn("parked", move || {
                sleep(Duration::from_nanos(i));
                recurse(4);
                sleep(Duration::from_millis(1))
            });
        }
        rt.spawn("shared deep recursion", || {
            sleep(Duration::from_nanos(100));
            recurse(1_000_000)
        });
        let _ = rt.run();
        unreachable!("the overflow must end the process");
    }
    let (code, stderr) =
        run_child("overflow_on_the_shared_stack_hits_its_guard_and_names_the_task");
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("stack overflow in task 'shared deep recursion' (#51)"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("at virtual time 100 ns"), "{stderr}");
}

#[test]
fn overflow_in_a_task_resumed_by_a_hand_off_names_that_task() {
    // "ping" is resumed by the scheduler; "pong" only ever by ping's hand-offs,
    // nested on ping's stack: the report must still name pong and its stack.
    if std::env::var_os(CHILD_ENV).is_some() {
        let mut rt = small_stack_runtime();
        let (a, b) = (Semaphore::new(0), Semaphore::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        rt.spawn("pong", move || {
            for i in 0..10 {
                b2.up();
                a2.down();
                if i == 5 {
                    recurse(1_000_000);
                }
            }
        });
        rt.spawn("ping", move || loop {
            b.down();
            a.up();
        });
        let _ = rt.run();
        unreachable!("the overflow must end the process");
    }
    let (code, stderr) = run_child("overflow_in_a_task_resumed_by_a_hand_off_names_that_task");
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("stack overflow in task 'pong' (#1)"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("its stack is {STACK} bytes")),
        "{stderr}"
    );
}

#[test]
fn shallow_tasks_on_the_same_small_stack_are_fine() {
    let mut rt = small_stack_runtime();
    let h = rt.spawn("shallow", || recurse(8));
    let report = rt.run().unwrap();
    assert!(h.try_join().unwrap().is_ok());
    assert_eq!(report.pool.stack_size, STACK);
    assert!(report.pool.stack_high_water >= 8 * 1024);
    assert!(report.pool.stack_high_water <= STACK);
}

#[test]
fn guard_pages_are_hardware_on_this_kernel() {
    let mut rt = small_stack_runtime();
    rt.spawn("t", || ());
    let report = rt.run().unwrap();
    // MADV_GUARD_INSTALL exists since Linux 6.13; older kernels fall back to Software.
    assert_eq!(report.pool.guard, GuardMode::Hardware);
    assert_eq!(report.pool.guard.as_str(), "guard-page");
}
