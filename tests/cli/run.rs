//! `p2psim run` on the shipped scenarios: exit 0, a summary, and the output files.

use std::path::Path;

use crate::bin::p2psim;

use serde_json::Value;

fn run_to(scenario: &str, dir: &Path, extra: &[&str]) -> Value {
    let _ = std::fs::remove_dir_all(dir);
    let mut args = vec!["run", scenario, "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = p2psim(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("p2psim-test-{}-{name}", std::process::id()))
}

#[test]
fn every_shipped_scenario_validates() {
    let mut n = 0;
    for e in std::fs::read_dir("scenarios").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let out = p2psim(&["validate", p.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                p.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            n += 1;
        }
    }
    assert!(n >= 2);
}

#[test]
fn run_writes_summary_and_series_with_the_required_fields() {
    let dir = tmp("fields");
    let s = run_to("scenarios/small-churn.toml", &dir, &["--quiet"]);
    for key in [
        "scenario",
        "seed",
        "nodes",
        "edges",
        "virtual_time_s",
        "wall_s",
        "events",
        "tasks_spawned",
        "peak_tasks_alive",
        "pool",
        "requests",
        "messages",
        "latency_s",
        "bytes",
        "churn",
        "trace_hash",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    for key in ["mean", "p50", "p99", "max"] {
        assert!(
            s["bytes"]["sent_per_node_s"][key].is_f64(),
            "bytes lacks {key}"
        );
        assert!(
            s["bytes"]["received_per_node_s"][key].is_f64(),
            "bytes lacks {key}"
        );
    }
    assert_eq!(s["churn"]["kind"], "poisson");
    let up = s["churn"]["mean_up_fraction"].as_f64().unwrap();
    assert!(up > 0.5 && up < 1.0, "churn takes some nodes down: {up}");
    for key in ["capacity", "policy", "peak_in_use", "rejected", "queued"] {
        assert!(s["pool"].get(key).is_some(), "pool lacks {key}");
    }
    for key in ["issued", "succeeded", "failed", "lost"] {
        assert!(s["requests"][key].is_u64(), "requests lacks {key}");
    }
    for key in ["sent", "delivered", "lost"] {
        assert!(s["messages"][key].is_u64(), "messages lacks {key}");
    }
    for key in ["p50", "p90", "p99"] {
        assert!(s["latency_s"].get(key).is_some(), "latency_s lacks {key}");
    }
    assert_eq!(s["nodes"], 200);
    assert!(s["requests"]["issued"].as_u64().unwrap() > 0);
    // Churn and the crash lose some messages to down nodes.
    assert!(s["messages"]["lost_node_down"].as_u64().unwrap() > 0);
    for csv in ["pool_occupancy.csv", "requests.csv", "messages.csv"] {
        let text = std::fs::read_to_string(dir.join(csv)).unwrap();
        assert!(text.starts_with("time_s,"), "{csv}");
        assert!(text.lines().count() > 2, "{csv} has samples");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn seed_and_set_override_the_scenario() {
    let dir = tmp("override");
    let s = run_to(
        "scenarios/small-churn.toml",
        &dir,
        &[
            "--quiet",
            "--seed",
            "9",
            "--set",
            "pool.capacity=3",
            "--set",
            "pool.policy=\"reject\"",
        ],
    );
    assert_eq!(s["seed"], 9);
    assert_eq!(s["pool"]["capacity"], 3);
    assert_eq!(s["pool"]["policy"], "reject");
    assert!(
        s["pool"]["rejected"].as_u64().unwrap() > 0,
        "a 3-worker pool rejects"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_same_scenario_and_seed_give_a_byte_identical_summary_but_wall_time() {
    let strip = |dir: &Path| -> String {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        v.as_object_mut().unwrap().remove("wall_s");
        serde_json::to_string_pretty(&v).unwrap()
    };
    let (a, b, c) = (tmp("det-a"), tmp("det-b"), tmp("det-c"));
    run_to("scenarios/small-churn.toml", &a, &["--quiet"]);
    run_to("scenarios/small-churn.toml", &b, &["--quiet"]);
    run_to(
        "scenarios/small-churn.toml",
        &c,
        &["--quiet", "--seed", "2"],
    );
    assert_eq!(strip(&a), strip(&b));
    assert_ne!(strip(&a), strip(&c), "another seed gives another run");
    for csv in ["pool_occupancy.csv", "requests.csv", "messages.csv"] {
        assert_eq!(
            std::fs::read(a.join(csv)).unwrap(),
            std::fs::read(b.join(csv)).unwrap(),
            "{csv}"
        );
    }
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn quiet_run_prints_nothing_and_normal_run_prints_the_table() {
    let dir = tmp("quiet");
    let out = p2psim(&[
        "run",
        "scenarios/small-churn.toml",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.stdout.is_empty());
    let out = p2psim(&[
        "run",
        "scenarios/small-churn.toml",
        "--force",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("requests") && table.contains("latency"),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tiny_rings_and_stars_run() {
    for (kind, nodes, edges) in [
        ("ring", 1, 0),
        ("ring", 2, 1),
        ("ring", 3, 3),
        ("star", 1, 0),
    ] {
        let dir = tmp(&format!("tiny-{kind}-{nodes}"));
        std::fs::create_dir_all(&dir).unwrap();
        let scenario = dir.join("s.toml");
        std::fs::write(
            &scenario,
            format!(
                "seed = 3\nduration_s = 5.0\n[topology]\nkind = \"{kind}\"\nnodes = {nodes}\n\
                 [mechanism]\nkind = \"flood\"\nreplicas = 1\ntimeout = 1.0\n\
                 [[failures.crash_set]]\ncount = 1\nat = 1.0\nrecover = 2.0\n\
                 [[load]]\nrequest = \"lookup\"\narrivals = \"poisson\"\nrate = 5.0\ncount = 10\n"
            ),
        )
        .unwrap();
        let summary = run_to(scenario.to_str().unwrap(), &dir.join("out"), &["--quiet"]);
        assert_eq!(summary["nodes"], nodes, "{kind} {nodes}");
        assert_eq!(summary["edges"], edges, "{kind} {nodes}");
    }
}
