//! `--shard i/n` partitions the grid's points exactly, and the shards' CSVs
//! concatenate to the full sweep.

use crate::bin::{command, Run};
use std::path::Path;

use p2psim::sweep::grid::{points, Param, Shard};
use p2psim::sweep::table::SweepTable;

#[test]
fn shards_cover_every_point_exactly_once() {
    let params = vec![
        Param::parse("pool.capacity=8,16,32").unwrap(),
        Param::parse("load.rate=1,2,3,4").unwrap(),
        Param::parse("pool.policy=reject,queue").unwrap(),
    ];
    let all = points(&params);
    assert_eq!(all.len(), 24);
    assert_eq!(
        all[5].values,
        vec![
            ("pool.capacity".to_string(), "8".to_string()),
            ("load.rate".to_string(), "3".to_string()),
            ("pool.policy".to_string(), "queue".to_string()),
        ]
    );
    for n in 1..=7 {
        let mut seen = vec![0; all.len()];
        for i in 0..n {
            let s = Shard::parse(&format!("{i}/{n}")).unwrap();
            for p in all.iter().filter(|p| s.owns(p.index)) {
                seen[p.index] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "n = {n}: {seen:?}");
    }
    assert!(Shard::parse("2/2").is_err());
    assert!(Shard::parse("0/0").is_err());
    assert!(Shard::parse("x").is_err());
}

fn sweep(out: &Path, shard: Option<&str>) -> String {
    let scenario = format!(
        "{}/scenarios/exhaustion-deadlock.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut cmd = command();
    cmd.args(["sweep", &scenario, "--quiet", "--no-plot", "--seeds", "1,2"])
        .args([
            "--param",
            "pool.capacity=8,32,64",
            "--param",
            "mechanism.depth=1,2",
        ])
        .arg("--out")
        .arg(out);
    if let Some(s) = shard {
        cmd.args(["--shard", s]);
    }
    assert!(cmd.run().status.success());
    std::fs::read_to_string(out.join("sweep.csv")).unwrap()
}

#[test]
fn concatenated_shards_equal_the_full_sweep() {
    let dir = std::env::temp_dir().join(format!("p2psim-shard-{}", std::process::id()));
    let full = SweepTable::from_csv(&sweep(&dir.join("full"), None)).unwrap();
    let mut cat = String::new();
    for i in 0..3 {
        cat.push_str(&sweep(&dir.join(format!("s{i}")), Some(&format!("{i}/3"))));
    }
    let joined = SweepTable::from_csv(&cat).unwrap();
    let key = |t: &SweepTable| -> Vec<_> {
        t.rows
            .iter()
            .map(|r| {
                let mut m = r.metrics.clone();
                m.remove("wall_s");
                m.remove("pool.stack_high_water");
                (r.point, r.params.clone(), r.seed, r.outcome, m)
            })
            .collect()
    };
    assert_eq!(key(&joined), key(&full));
    let _ = std::fs::remove_dir_all(&dir);
}
