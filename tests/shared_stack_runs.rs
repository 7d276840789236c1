//! A scenario run on one shared stack (`[pool] stacks = "shared"`) is the same
//! run as on dedicated stacks: every figure of its summary agrees, deadlocked
//! and exhausted runs included.

use p2psim::sweep::row::{flatten, NONDETERMINISTIC};
use std::collections::BTreeMap;
use std::path::Path;

#[path = "cli/bin.rs"]
#[allow(dead_code)]
mod bin;
use bin::{command, Run};

/// Runs `scenario` with `stacks`; its exit code, its summary's figures and its trace hash.
fn run(scenario: &str, stacks: &str, out: &Path) -> (Option<i32>, BTreeMap<String, f64>, String) {
    let path = format!("{}/scenarios/{scenario}", env!("CARGO_MANIFEST_DIR"));
    let st = command()
        .args([
            "run",
            &path,
            "--quiet",
            "--set",
            &format!("pool.stacks={stacks}"),
        ])
        .arg("--out")
        .arg(out)
        .run();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["pool"]["stacks"], stacks, "{scenario}");
    let figures = flatten(&summary)
        .into_iter()
        .filter(|(k, _)| !NONDETERMINISTIC.contains(&k.as_str()))
        .collect();
    let hash = summary["trace_hash"]
        .as_str()
        .expect("a trace hash")
        .to_owned();
    (st.status.code(), figures, hash)
}

#[test]
fn scenarios_run_the_same_on_a_shared_stack() {
    let dir = std::env::temp_dir().join(format!("p2psim-shared-{}", std::process::id()));
    for (scenario, code) in [
        ("exhaustion-reject.toml", 0),
        ("exhaustion-queue.toml", 0),
        ("exhaustion-deadlock.toml", 1),
        ("bazaar.toml", 0),
        ("small-churn.toml", 0),
    ] {
        let (dc, dedicated, dh) = run(scenario, "dedicated", &dir.join(format!("d-{scenario}")));
        let (sc, shared, sh) = run(scenario, "shared", &dir.join(format!("s-{scenario}")));
        assert_eq!((dc, sc), (Some(code), Some(code)), "{scenario}");
        assert!(dedicated.len() > 10, "{scenario}: {dedicated:?}");
        assert_eq!(dedicated, shared, "{scenario}");
        assert_eq!(dh, sh, "{scenario}: trace hash");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
