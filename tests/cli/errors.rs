//! Bad input through the CLI: exit code 2, a message naming the key and the line,
//! and never a panic or a backtrace.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::bin::p2psim;

fn broken_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/broken")
}

fn assert_clean_failure(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(!stderr.contains("stack backtrace"), "{what}: {stderr}");
}

#[test]
fn every_broken_scenario_exits_2_naming_key_and_line() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(broken_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let expect = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("# expect: ")
            .unwrap();
        let key = expect.split_once(' ').unwrap().0;
        for cmd in ["run", "validate"] {
            let out = p2psim(
                &[cmd, f.to_str().unwrap(), "--out", "/tmp/p2psim-never"]
                    [..if cmd == "run" { 4 } else { 2 }],
            );
            assert_clean_failure(&out, &f.display().to_string());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&format!("`{key}`")),
                "{}: {stderr}",
                f.display()
            );
            // "file:line:col:" tells where to change it.
            let located = format!("{}:", f.display());
            assert!(stderr.contains(&located), "{}: {stderr}", f.display());
        }
    }
}

#[test]
fn a_bad_override_names_the_set_argument() {
    let out = p2psim(&[
        "validate",
        "scenarios/flood.toml",
        "--set",
        "pool.capcity=3",
    ]);
    assert_clean_failure(&out, "override");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--set pool.capcity=3"), "{stderr}");
    assert!(
        stderr.contains("capacity"),
        "suggests the right key: {stderr}"
    );
}

#[test]
fn an_unknown_mechanism_and_request_kind_are_bad_input() {
    for (set, what, key) in [
        (
            "mechanism.kind=\"gossip\"",
            "mechanism kind",
            "mechanism.kind",
        ),
        (
            "load[0].request=\"register\"",
            "request kind",
            "load[0].request",
        ),
        (
            "mechanism.tll=3",
            "mechanism parameter typo",
            "mechanism.tll",
        ),
    ] {
        let out = p2psim(&["validate", "scenarios/flood.toml", "--set", set]);
        assert_clean_failure(&out, what);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(key),
            "{what}: the error names {key}"
        );
    }
}

#[test]
fn a_missing_file_and_bad_arguments_are_bad_input() {
    assert_clean_failure(&p2psim(&["run", "no/such/file.toml"]), "missing file");
    assert_clean_failure(&p2psim(&["run"]), "no scenario");
    assert_clean_failure(&p2psim(&["frobnicate"]), "unknown command");
    assert_clean_failure(&p2psim(&["bench", "W9"]), "unknown workload");
}

#[test]
fn a_deadlock_is_reported_even_while_churn_keeps_the_clock_running() {
    // Churn is a daemon with timers of its own: without the stall check the
    // deadlocked run would go on forever.
    let out = p2psim(&[
        "run",
        "scenarios/exhaustion-deadlock.toml",
        "--quiet",
        "--out",
        std::env::temp_dir().join("p2psim-stall").to_str().unwrap(),
        "--force",
        "--set",
        "failures.churn={leave_rate=0.01, join_rate=0.01, min_alive=1}",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("deadlock"), "{stderr}");
    assert!(stderr.contains("a worker of the pool"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Runs a flood on an edge list: `edges` is the list's text, `rest` the
/// scenario after its `[mechanism]`; the files go to a directory of their own.
fn run_on_edge_list(name: &str, edges: &str, rest: &str) -> Output {
    let dir = std::env::temp_dir().join(format!("p2psim-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("edges.txt"), edges).unwrap();
    let scenario = dir.join("s.toml");
    let text = "[topology]\nkind = \"edge_list\"\npath = \"edges.txt\"\n\
                [mechanism]\nkind = \"flood\"\n";
    std::fs::write(&scenario, format!("{text}{rest}")).unwrap();
    p2psim(&[
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--out",
        dir.join("out").to_str().unwrap(),
    ])
}

#[test]
fn an_edge_list_with_no_node_is_bad_input_naming_topology() {
    let out = run_on_edge_list(
        "empty-edges",
        "# no edges yet\n",
        "[[load]]\nrequest = \"lookup\"\narrivals = \"poisson\"\nrate = 1.0\ncount = 1\n",
    );
    assert_clean_failure(&out, "empty edge list");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`topology.path`: the edge list"),
        "{stderr}"
    );
    assert!(stderr.contains("`nodes = N`"), "{stderr}");
}

#[test]
fn a_crash_set_larger_than_an_edge_list_is_bad_input_naming_failures() {
    let out = run_on_edge_list(
        "set-edges",
        "0 1\n1 2\n",
        "[[failures.crash_set]]\ncount = 4\nat = 1.0\n",
    );
    assert_clean_failure(&out, "crash set too large");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The edge list is read with the scenario: its node count is known at once.
    assert!(
        stderr.contains("`failures.crash_set[0].count`: count = 4 but only 3 nodes"),
        "{stderr}"
    );
}

#[test]
fn a_bad_latency_matrix_is_bad_input_located_in_its_own_file() {
    let dir = std::env::temp_dir().join(format!("p2psim-bad-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("king.txt"), "0 1 1500\n1 2 900\n0 2 x\n").unwrap();
    let scenario = dir.join("s.toml");
    std::fs::write(
        &scenario,
        "[topology]\nkind = \"ring\"\nnodes = 6\n\
         [transport]\nlatency = { kind = \"matrix\", path = \"king.txt\", format = \"king\" }\n\
         [mechanism]\nkind = \"flood\"\n",
    )
    .unwrap();
    for cmd in ["validate", "run"] {
        let out = p2psim(
            &[cmd, scenario.to_str().unwrap(), "--quiet"][..if cmd == "run" { 3 } else { 2 }],
        );
        assert_clean_failure(&out, cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let located = format!(
            "{}:3:5: `transport.latency.path`",
            dir.join("king.txt").display()
        );
        assert!(stderr.contains(&located), "{cmd}: {stderr}");
        assert!(
            stderr.contains("expected a latency in microseconds"),
            "{stderr}"
        );
        assert!(stderr.contains("help: the King format"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
