//! Earlier results are never lost or mixed without a word: a directory that
//! holds results is refused (exit 2, naming it, `--force` or another `--out`),
//! `--force` clears exactly what the earlier result wrote, a default directory
//! is a fresh one, and a directory being written is locked.

use p2psim::results::dir::{ResultDir, Reuse};

use super::cmd::{assert_exit, lines, listing, p2psim_in, scratch, small_scenario};

#[test]
fn a_second_run_into_one_directory_is_refused_and_force_replaces_it_whole() {
    let dir = scratch("run-twice");
    let scenario = small_scenario(&dir, 5);
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    assert_exit(
        &p2psim_in(&dir, &["run", &scenario, "--quiet", "--out", o]),
        0,
        "",
        "first run",
    );
    assert_eq!(
        listing(&out),
        [
            "messages.csv",
            "pool_occupancy.csv",
            "requests.csv",
            "summary.json"
        ]
    );
    let first = std::fs::read_to_string(out.join("summary.json")).unwrap();
    // (arguments, exit code, phrase, what the directory holds afterwards)
    let cases: [(&[&str], i32, &str, &[&str]); 3] = [
        (
            &["--seed", "4"],
            2,
            "holds earlier results",
            &[
                "messages.csv",
                "pool_occupancy.csv",
                "requests.csv",
                "summary.json",
            ],
        ),
        (
            &["--set", "output.csv=false"],
            2,
            "pass --force",
            &[
                "messages.csv",
                "pool_occupancy.csv",
                "requests.csv",
                "summary.json",
            ],
        ),
        // The first run's CSVs go with it: no CSV of another run beside the new summary.
        (
            &["--set", "output.csv=false", "--force"],
            0,
            "",
            &["summary.json"],
        ),
    ];
    for (extra, code, phrase, after) in cases {
        let mut args = vec!["run", &scenario, "--quiet", "--out", o];
        args.extend_from_slice(extra);
        let r = p2psim_in(&dir, &args);
        assert_exit(&r, code, phrase, &format!("{extra:?}"));
        if code == 2 {
            assert!(
                String::from_utf8_lossy(&r.stderr).contains(o),
                "names the directory"
            );
            assert_eq!(
                std::fs::read_to_string(out.join("summary.json")).unwrap(),
                first
            );
        }
        assert_eq!(listing(&out), after, "{extra:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_default_directory_is_a_fresh_one_each_time() {
    let dir = scratch("run-default");
    let scenario = small_scenario(&dir, 5);
    for _ in 0..2 {
        let r = p2psim_in(&dir, &["run", &scenario]);
        assert_exit(&r, 0, "", "default run");
    }
    let stdout = |r: &std::process::Output| String::from_utf8_lossy(&r.stdout).into_owned();
    let third = p2psim_in(&dir, &["run", &scenario, "--set", "pool.capacity=8"]);
    assert!(
        stdout(&third).contains("results    results/small-3-3"),
        "{}",
        stdout(&third)
    );
    assert_eq!(
        listing(&dir.join("results")),
        ["small-3", "small-3-2", "small-3-3"]
    );
    for d in ["small-3", "small-3-2", "small-3-3"] {
        assert!(
            dir.join("results").join(d).join("summary.json").exists(),
            "{d}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sweep_into_an_earlier_sweep_is_refused_and_force_leaves_nothing_of_it() {
    let dir = scratch("sweep-twice");
    let scenario = small_scenario(&dir, 5);
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let sweep = |params: &str, seeds: &str, extra: &[&str]| {
        let mut args = vec!["sweep", &scenario, "--quiet", "--out", o, "--param", params];
        args.extend_from_slice(&["--seeds", seeds]);
        args.extend_from_slice(extra);
        p2psim_in(&dir, &args)
    };
    let r = sweep("pool.capacity=8,16,32,64,128", "1,2", &[]);
    assert_exit(&r, 0, "", "first sweep");
    assert_eq!(lines(&out.join("sweep.csv")), 11);
    let old_chart = out.join("charts/requests.lost-vs-pool.capacity.svg");
    assert!(old_chart.exists());
    let r = sweep("mechanism.ttl=1,2", "1,2", &[]);
    assert_exit(&r, 2, "pass --force", "second sweep");
    assert!(String::from_utf8_lossy(&r.stderr).contains("--resume"));
    assert_eq!(
        lines(&out.join("sweep.csv")),
        11,
        "the first sweep's rows are kept"
    );
    let r = sweep("mechanism.ttl=1,2", "1,2", &["--force"]);
    assert_exit(&r, 0, "", "forced sweep");
    assert_eq!(
        lines(&out.join("sweep.csv")),
        5,
        "4 rows, all of the new sweep"
    );
    assert!(!old_chart.exists(), "the old sweep's charts are gone");
    assert!(out
        .join("charts/requests.lost-vs-mechanism.ttl.svg")
        .exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_being_written_is_refused_naming_its_lock() {
    let dir = scratch("locked");
    let scenario = small_scenario(&dir, 5);
    let out = dir.join("busy");
    let o = out.to_str().unwrap();
    // This test process writes it, as a concurrent sweep would.
    let held = ResultDir::claim(&out, Reuse::Refuse, "--out").unwrap();
    let cases: [&[&str]; 3] = [
        &["run", &scenario, "--quiet", "--out", o],
        &["run", &scenario, "--quiet", "--out", o, "--force"],
        &[
            "sweep",
            &scenario,
            "--quiet",
            "--out",
            o,
            "--param",
            "pool.capacity=8,16",
        ],
    ];
    for args in cases {
        let r = p2psim_in(&dir, args);
        assert_exit(&r, 2, ".p2psim.lock", &format!("{args:?}"));
        assert!(String::from_utf8_lossy(&r.stderr).contains("another p2psim process"));
        assert!(listing(&out).is_empty(), "{args:?} wrote nothing");
    }
    drop(held);
    let r = p2psim_in(&dir, &["run", &scenario, "--quiet", "--out", o]);
    assert_exit(&r, 0, "", "once the lock is released");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_trace_that_cannot_be_written_is_an_error_before_the_run() {
    let dir = scratch("trace-path");
    let scenario = small_scenario(&dir, 5);
    let fresh = dir.join("new");
    let inside = fresh.join("t.json");
    let refused = dir.join("o2");
    // (trace path, out, exit code, phrase)
    let cases = [
        // The directory is made for it.
        (
            inside.to_str().unwrap(),
            fresh.to_str().unwrap(),
            0,
            "trace      ",
        ),
        (
            "/proc/no-such-dir/t.json",
            refused.to_str().unwrap(),
            2,
            "--trace /proc/no-such-dir/t.json",
        ),
        (
            dir.to_str().unwrap(),
            refused.to_str().unwrap(),
            2,
            "it is a directory",
        ),
    ];
    for (trace, out, code, phrase) in cases {
        let r = p2psim_in(
            &dir,
            &["run", &scenario, "--quiet", "--out", out, "--trace", trace],
        );
        assert_exit(&r, code, phrase, trace);
    }
    assert!(inside.exists());
    assert_eq!(
        listing(&fresh),
        [
            "messages.csv",
            "pool_occupancy.csv",
            "requests.csv",
            "summary.json",
            "t.json"
        ]
    );
    assert!(
        !refused.exists(),
        "a refused run leaves no directory behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
