//! A sweep journals each run as it finishes; an interrupted one is finished by
//! `sweep --resume` into the very files an uninterrupted one writes, and only
//! the same sweep is resumed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use p2psim::sweep::row::NONDETERMINISTIC;

use super::cmd::{assert_exit, lines, p2psim_in, scratch};

const GRID: [&str; 6] = [
    "--param",
    "pool.capacity=8,16,32",
    "--param",
    "load.rate=5,40",
    "--seeds",
    "1..4",
];

fn scenario() -> String {
    format!(
        "{}/scenarios/exhaustion-reject.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn sweep_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sweep", "--quiet", "--no-plot", "--out", out];
    args.extend_from_slice(&GRID);
    args.extend_from_slice(&["--set", "topology.nodes=300", "--set", "load[0].count=40"]);
    args.extend_from_slice(extra);
    args
}

/// `sweep.csv` without its columns that differ between identical runs.
fn deterministic_csv(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let keep: Vec<bool> = rows[0]
        .iter()
        .map(|h| !NONDETERMINISTIC.contains(&h.as_str()))
        .collect();
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c)
                .collect()
        })
        .collect()
}

/// `aggregate.csv` without the figures that differ between identical runs.
fn deterministic_aggregate(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("aggregate.csv"))
        .unwrap()
        .lines()
        .filter(|l| {
            !NONDETERMINISTIC
                .iter()
                .any(|f| l.contains(&format!(",{f},")))
        })
        .map(String::from)
        .collect()
}

#[test]
fn a_killed_sweep_resumed_writes_what_an_uninterrupted_one_does() {
    let dir = scratch("resume-kill");
    let (whole, cut) = (dir.join("whole"), dir.join("cut"));
    let s = scenario();
    let mut args = sweep_args(whole.to_str().unwrap(), &[]);
    args.insert(1, &s);
    assert_exit(&p2psim_in(&dir, &args), 0, "", "uninterrupted");
    assert_eq!(lines(&whole.join("sweep.csv")), 25);

    let mut args = sweep_args(cut.to_str().unwrap(), &["--jobs", "1"]);
    args.insert(1, &s);
    let mut child = Command::new(env!("CARGO_BIN_EXE_p2psim"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Rows are on disk as runs finish, long before the end.
    let journal = cut.join("runs.jsonl");
    let start = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 3
        && start.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    if !status.success() {
        assert!(!cut.join("sweep.csv").exists(), "killed before its end");
    }
    assert!(lines(&journal) >= 3, "rows are journaled as they finish");

    let mut args = sweep_args(cut.to_str().unwrap(), &["--resume"]);
    args.insert(1, &s);
    assert_exit(&p2psim_in(&dir, &args), 0, "", "resume");
    assert_eq!(deterministic_csv(&cut), deterministic_csv(&whole));
    assert_eq!(
        deterministic_aggregate(&cut),
        deterministic_aggregate(&whole)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_journal_cut_mid_line_resumes_to_the_same_rows() {
    let dir = scratch("resume-torn");
    let (whole, cut) = (dir.join("whole"), dir.join("cut"));
    let s = scenario();
    for d in [&whole, &cut] {
        let mut args = sweep_args(d.to_str().unwrap(), &[]);
        args.insert(1, &s);
        assert_exit(&p2psim_in(&dir, &args), 0, "", "sweep");
    }
    // As if killed while writing its eighth run, before the end.
    let text = std::fs::read_to_string(cut.join("runs.jsonl")).unwrap();
    let kept: Vec<&str> = text.lines().take(7).collect();
    let torn = &text.lines().nth(7).unwrap()[..40];
    std::fs::write(cut.join("runs.jsonl"), kept.join("\n") + "\n" + torn).unwrap();
    for f in ["sweep.csv", "aggregate.csv"] {
        std::fs::remove_file(cut.join(f)).unwrap();
    }
    let mut args = sweep_args(cut.to_str().unwrap(), &["--resume"]);
    args.insert(1, &s);
    let r = p2psim_in(&dir, &args);
    assert_exit(&r, 0, "", "resume");
    assert_eq!(deterministic_csv(&cut), deterministic_csv(&whole));
    assert_eq!(lines(&cut.join("runs.jsonl")), 24, "each run once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn only_the_same_sweep_is_resumed() {
    let dir = scratch("resume-other");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let s = scenario();
    let mut args = sweep_args(o, &[]);
    args.insert(1, &s);
    assert_exit(&p2psim_in(&dir, &args), 0, "", "sweep");
    let other_scenario = format!(
        "{}/scenarios/exhaustion-queue.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    // (scenario, arguments replacing the grid's tail, phrase)
    let cases: [(&str, &[&str], &str); 4] = [
        (
            &s,
            &[
                "--param",
                "pool.capacity=8,16,32",
                "--param",
                "load.rate=5,40",
                "--seeds",
                "1..5",
            ],
            "--seeds differs",
        ),
        (
            &s,
            &[
                "--param",
                "pool.capacity=8,16",
                "--param",
                "load.rate=5,40",
                "--seeds",
                "1..4",
            ],
            "--param differs",
        ),
        (&other_scenario, &GRID, "the scenario's text differs"),
        (
            &s,
            &[&GRID[..], &["--shard", "0/2"]].concat(),
            "--shard differs",
        ),
    ];
    for (scenario, grid, phrase) in cases {
        let mut args = vec![
            "sweep",
            scenario,
            "--quiet",
            "--no-plot",
            "--out",
            o,
            "--resume",
        ];
        args.extend_from_slice(grid);
        args.extend_from_slice(&["--set", "topology.nodes=300", "--set", "load[0].count=40"]);
        assert_exit(&p2psim_in(&dir, &args), 2, phrase, phrase);
    }
    // A directory with something else in it is not a sweep to finish...
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let mut args = sweep_args(other.to_str().unwrap(), &["--resume"]);
    args.insert(1, &s);
    assert_exit(
        &p2psim_in(&dir, &args),
        2,
        "holds no sweep",
        "nothing to resume",
    );
    // ...and one with nothing yet (a job started for the first time) is started.
    let fresh = dir.join("fresh");
    let mut args = sweep_args(fresh.to_str().unwrap(), &["--resume"]);
    args.insert(1, &s);
    assert_exit(&p2psim_in(&dir, &args), 0, "", "resume of nothing starts");
    assert_eq!(lines(&fresh.join("sweep.csv")), 25);
    let _ = std::fs::remove_dir_all(&dir);
}
