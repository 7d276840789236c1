//! `p2psim check` and `p2psim replay` as a user runs them on the transfer
//! demo: exit 1 with a shrunk report and a replay file, exit 0 for the fix,
//! exit 2 for bad arguments.

use crate::bin::p2psim;

fn demo() -> String {
    format!(
        "{}/scenarios/check-transfer.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn check_finds_shrinks_and_saves_the_deadlock_and_replay_reproduces_it() {
    let dir = crate::cmd::scratch("check");
    let failure = dir.join("failure.json");
    let trace = dir.join("trace.json");
    let f = failure.to_str().unwrap();
    let o = p2psim(&[
        "check",
        &demo(),
        "--schedules",
        "300",
        "--failure",
        f,
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("deadlock"), "{err}");
    assert!(err.contains("shrunk from"), "{err}");
    assert!(err.contains(&format!("p2psim replay {f}")), "{err}");
    let hash = err
        .lines()
        .find_map(|l| l.strip_prefix("trace hash "))
        .expect("the report gives the trace hash")
        .to_string();
    let r = p2psim(&["replay", f, "--trace", trace.to_str().unwrap()]);
    let rerr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{rerr}");
    assert!(rerr.contains(&format!("trace hash {hash}")), "{rerr}");
    assert!(rerr.contains("identical to the recorded failure"), "{rerr}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    assert!(json["traceEvents"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_fix_passes_and_check_says_how_fast() {
    let o = p2psim(&[
        "check",
        &demo(),
        "--schedules",
        "500",
        "--strategy",
        "random",
        "--set",
        "mechanism.release_before_call=true",
        "--quiet",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("500 schedules of check-transfer (random) passed"),
        "{out}"
    );
    assert!(out.contains("schedules/s"), "{out}");
}

#[test]
fn bad_check_arguments_are_exit_2_with_what_to_change() {
    let o = p2psim(&["check", &demo(), "--strategy", "jitter"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--jitter 5ms"), "{err}");
    let o = p2psim(&["check", &demo(), "--jitter", "5 parsecs"]);
    assert_eq!(o.status.code(), Some(2));
    let missing = std::env::temp_dir().join("p2psim-no-such-failure.json");
    let o = p2psim(&["replay", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn no_shrink_reports_the_case_as_found_and_claims_no_shrink() {
    let failure = std::env::temp_dir().join(format!("p2psim-noshrink-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&failure);
    let o = p2psim(&[
        "check",
        &demo(),
        "--schedules",
        "300",
        "--no-shrink",
        "--failure",
        failure.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("shrunk from"), "{err}");
    assert!(err.contains("(not shrunk)"), "{err}");
    let _ = std::fs::remove_file(&failure);
}
