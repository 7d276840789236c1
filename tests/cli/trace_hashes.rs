//! FIFO runs of every shipped scenario keep their trace hashes: a change to
//! the scheduler, the schedule oracle or a mechanism that reorders any task
//! resumption shows here. (`exhaustion-deadlock` changed once, when `nested`
//! got a random stream of its own; the values below are those since.)

use crate::bin::{command, Run};

const PINNED: &[(&str, &str)] = &[
    ("bazaar-large", "92375b9d6802a36b"),
    ("bazaar", "8f48856055c85366"),
    ("check-transfer", "8ca922868c644b36"),
    ("exhaustion-deadlock", "717c0f072718adaf"),
    ("exhaustion-queue", "59fb227825a0e75b"),
    ("exhaustion-reject", "59fb227825a0e75b"),
    ("fada-compare", "003839672a784deb"),
    ("fada-flood", "07785d028a5ee0c1"),
    ("flood", "7fa1f7330087ffdb"),
    ("small-churn", "727bf1edb217ccf4"),
];

#[test]
fn every_shipped_scenario_keeps_its_fifo_trace_hash() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut shipped: Vec<String> = std::fs::read_dir(format!("{root}/scenarios"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.extension()? == "toml").then_some(stem)
        })
        .collect();
    shipped.sort();
    let mut pinned: Vec<String> = PINNED.iter().map(|(n, _)| n.to_string()).collect();
    pinned.sort();
    assert_eq!(
        shipped, pinned,
        "every shipped scenario has its hash pinned here"
    );
    for (name, hash) in PINNED {
        let out = std::env::temp_dir().join(format!("p2psim-hash-{}-{name}", std::process::id()));
        let status = command()
            .args([
                "run",
                &format!("{root}/scenarios/{name}.toml"),
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .run()
            .status;
        assert!(status.code().is_some_and(|c| c <= 1), "{name}: {status}");
        let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
        let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
        let _ = std::fs::remove_dir_all(&out);
        assert_eq!(summary["trace_hash"], *hash, "{name}");
        assert_eq!(summary["schedule"]["strategy"], "fifo", "{name}");
    }
}
