//! `p2psim merge` rebuilds the whole sweep from its shards: three shards
//! merged give the unsharded sweep's `aggregate.csv` and `sweep.csv`; shards
//! of different sweeps, a shard twice, a missing or unfinished shard are exit 2.

use std::path::Path;

use p2psim::sweep::row::NONDETERMINISTIC;

use super::cmd::{assert_exit, lines, p2psim_in, scratch};

const GRID: [&str; 6] = [
    "--param",
    "pool.capacity=8,16,32,64",
    "--param",
    "load.rate=5,40",
    "--seeds",
    "1..3",
];

fn sweep(dir: &Path, out: &str, extra: &[&str]) {
    let scenario = format!(
        "{}/scenarios/exhaustion-reject.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut args = vec!["sweep", &scenario, "--quiet", "--out", out];
    args.extend_from_slice(&GRID);
    args.extend_from_slice(&["--set", "topology.nodes=300", "--set", "load[0].count=40"]);
    args.extend_from_slice(extra);
    assert_exit(&p2psim_in(dir, &args), 0, "", &format!("sweep {extra:?}"));
}

/// A file's lines without the figures that differ between identical runs.
fn deterministic(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let keep: Vec<bool> = header
        .iter()
        .map(|h| !NONDETERMINISTIC.contains(h))
        .collect();
    text.lines()
        .filter(|l| {
            !NONDETERMINISTIC
                .iter()
                .any(|f| l.contains(&format!(",{f},")))
        })
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            if cells.len() != keep.len() {
                return l.to_string();
            }
            cells
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

#[test]
fn three_shards_merged_are_the_unsharded_sweep() {
    let dir = scratch("merge");
    sweep(&dir, "whole", &[]);
    for i in 0..3 {
        sweep(&dir, &format!("s{i}"), &["--shard", &format!("{i}/3")]);
    }
    let r = p2psim_in(
        &dir,
        &["merge", "s2", "s0", "s1", "--out", "merged", "--quiet"],
    );
    assert_exit(&r, 0, "", "merge");
    for f in ["aggregate.csv", "sweep.csv"] {
        let (whole, merged) = (dir.join("whole").join(f), dir.join("merged").join(f));
        assert!(lines(&whole) > 8, "{f}");
        assert_eq!(deterministic(&merged), deterministic(&whole), "{f}");
    }
    assert!(dir
        .join("merged/charts/requests.lost-vs-pool.capacity.svg")
        .exists());
    // Merging again into the same place is refused like any other earlier result.
    let r = p2psim_in(
        &dir,
        &["merge", "s0", "s1", "s2", "--out", "merged", "--quiet"],
    );
    assert_exit(&r, 2, "holds earlier results", "merge again");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_that_do_not_make_one_sweep_are_refused() {
    let dir = scratch("merge-bad");
    for i in 0..3 {
        sweep(&dir, &format!("s{i}"), &["--shard", &format!("{i}/3")]);
    }
    sweep(
        &dir,
        "other",
        &["--shard", "1/3", "--set", "pool.policy=\"queue\""],
    );
    sweep(&dir, "half", &["--shard", "1/2"]);
    // An interrupted shard: its journal lost its last runs.
    sweep(&dir, "cut", &["--shard", "2/3"]);
    let journal = dir.join("cut/runs.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    std::fs::write(&journal, kept.join("\n") + "\n").unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["s0", "other", "s2"],
            "shards of different sweeps: --set differs",
        ),
        (&["s0", "s1", "s1"], "are both shard 1/3"),
        (&["s0", "s2"], "shard 1/3 is missing"),
        (&["s0", "s1", "half"], "of 3 shards"),
        (&["s0", "s1", "cut"], "has not finished (2 of"),
        (&["s0", "s1", "nothing-here"], "holds no sweep"),
    ];
    for (shards, phrase) in cases {
        let mut args = vec!["merge"];
        args.extend_from_slice(shards);
        args.extend_from_slice(&["--out", "merged", "--quiet"]);
        assert_exit(&p2psim_in(&dir, &args), 2, phrase, phrase);
        assert!(!dir.join("merged").exists(), "{phrase}: nothing written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
