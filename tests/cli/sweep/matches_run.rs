//! A sweep's rows equal separate `p2psim run`s of the same points and seeds,
//! whatever the number of threads (deadlocked runs included).

use std::collections::BTreeMap;
use std::path::Path;

use p2psim::sweep::row::{flatten, NONDETERMINISTIC};
use p2psim::sweep::table::SweepTable;

use crate::bin::{command, Run};

fn scenario() -> String {
    format!(
        "{}/scenarios/exhaustion-deadlock.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn sweep(out: &Path, jobs: usize) -> SweepTable {
    let st = command()
        .args(["sweep", &scenario(), "--quiet", "--no-plot"])
        .args([
            "--param",
            "pool.capacity=16,64",
            "--param",
            "mechanism.depth=2,3",
        ])
        .args(["--seeds", "1..2", "--jobs", &jobs.to_string()])
        .arg("--out")
        .arg(out)
        .run()
        .status;
    assert!(st.success());
    SweepTable::from_csv(&std::fs::read_to_string(out.join("sweep.csv")).unwrap()).unwrap()
}

fn comparable(m: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    m.iter()
        .filter(|(k, _)| !NONDETERMINISTIC.contains(&k.as_str()) && !k.starts_with("run."))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn sweep_rows_equal_separate_runs() {
    let dir = std::env::temp_dir().join(format!("p2psim-sweep-eq-{}", std::process::id()));
    let table = sweep(&dir.join("sweep"), 2);
    assert_eq!(table.rows.len(), 8);
    let mut outcomes = Vec::new();
    for r in &table.rows {
        let out = dir.join(format!("run-{}-{}", r.point, r.seed));
        let st = command()
            .args(["run", &scenario(), "--quiet"])
            .args(["--set", &format!("pool.capacity={}", r.params[0])])
            .args(["--set", &format!("mechanism.depth={}", r.params[1])])
            .args(["--seed", &r.seed.to_string()])
            .arg("--out")
            .arg(&out)
            .run();
        let ok = r.outcome.as_str() == "ok";
        assert_eq!(st.status.code(), Some(if ok { 0 } else { 1 }), "row {r:?}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        // summary.json goes through serde_json's float parser, which may be one ulp off.
        let (a, b) = (comparable(&flatten(&summary)), comparable(&r.metrics));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (k, x) in &a {
            let y = b[k];
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                "point {} seed {}: {k} {x} != {y}",
                r.point,
                r.seed
            );
        }
        outcomes.push(r.outcome);
    }
    // The grid has both kinds of run, so both paths are compared.
    assert!(outcomes.iter().any(|o| o.as_str() == "ok"));
    assert!(outcomes.iter().any(|o| o.as_str() == "deadlock"));
    // One thread or two: the same rows in the same order.
    let single = sweep(&dir.join("single"), 1);
    let strip = |t: &SweepTable| -> Vec<_> {
        t.rows
            .iter()
            .map(|r| (r.point, r.seed, r.outcome, comparable(&r.metrics)))
            .collect()
    };
    assert_eq!(strip(&single), strip(&table));
    let _ = std::fs::remove_dir_all(&dir);
}
