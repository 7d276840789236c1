//! The deadlock scenario: a small pool deadlocks (exit 1, a report naming the tasks
//! waiting for a worker and for answers); a large one completes (exit 0).

use crate::bin::{command, Run};

fn run(capacity: u32) -> (Option<i32>, String) {
    let scenario = format!(
        "{}/scenarios/exhaustion-deadlock.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::env::temp_dir().join(format!("p2psim-dl-{}-{capacity}", std::process::id()));
    let o = command()
        .args(["run", &scenario, "--quiet", "--set"])
        .arg(format!("pool.capacity={capacity}"))
        .arg("--out")
        .arg(&out)
        .run();
    let _ = std::fs::remove_dir_all(&out);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn small_pool_deadlocks_with_a_report() {
    let (code, stderr) = run(16);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("deadlock: every task is blocked"),
        "{stderr}"
    );
    assert!(stderr.contains("waits on a worker of the pool"), "{stderr}");
    assert!(
        stderr.contains("waits on mailbox receive 'answer to call"),
        "{stderr}"
    );
}

#[test]
fn large_pool_completes() {
    let (code, stderr) = run(128);
    assert_eq!(code, Some(0), "{stderr}");
}
