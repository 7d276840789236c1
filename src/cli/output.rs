//! Writing results: `summary.json`, one CSV per time series, and the terminal table.

use std::fs;
use std::io;
use std::path::Path;

use serde_json::Value;

use p2psim::sim::observe::Series;

/// Writes `summary.json` (and the CSVs when `csv`) into `dir`, creating it.
pub fn write(dir: &Path, summary: &Value, series: &[Series], csv: bool) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut text = serde_json::to_string_pretty(summary).map_err(io::Error::other)?;
    text.push('\n');
    fs::write(dir.join("summary.json"), text)?;
    if csv {
        for s in series {
            fs::write(dir.join(format!("{}.csv", s.name)), s.to_csv())?;
        }
    }
    Ok(())
}

/// The summary as a short readable table.
pub fn table(s: &Value) -> String {
    let g = |path: &[&str]| -> String {
        let mut v = s;
        for p in path {
            v = &v[*p];
        }
        match v {
            Value::Null => "-".into(),
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() => format!("{f:.4}"),
                _ => n.to_string(),
            },
            Value::String(x) => x.clone(),
            other => other.to_string(),
        }
    };
    let rows: Vec<(&str, String)> = vec![
        (
            "scenario",
            format!(
                "{} (mechanism {}, seed {})",
                g(&["scenario"]),
                g(&["mechanism"]),
                g(&["seed"])
            ),
        ),
        (
            "network",
            format!("{} nodes, {} edges", g(&["nodes"]), g(&["edges"])),
        ),
        (
            "time",
            format!(
                "{} s virtual, {} s wall, {} events",
                g(&["virtual_time_s"]),
                g(&["wall_s"]),
                g(&["events"])
            ),
        ),
        (
            "requests",
            format!(
                "{} issued, {} succeeded, {} failed, {} lost (success rate {})",
                g(&["requests", "issued"]),
                g(&["requests", "succeeded"]),
                g(&["requests", "failed"]),
                g(&["requests", "lost"]),
                g(&["requests", "success_rate"])
            ),
        ),
        (
            "latency s",
            format!(
                "p50 {}  p90 {}  p99 {}  mean {}",
                g(&["latency_s", "p50"]),
                g(&["latency_s", "p90"]),
                g(&["latency_s", "p99"]),
                g(&["latency_s", "mean"])
            ),
        ),
        (
            "messages",
            format!(
                "{} sent, {} delivered, {} lost; {} per request",
                g(&["messages", "sent"]),
                g(&["messages", "delivered"]),
                g(&["messages", "lost"]),
                g(&["messages_per_request"])
            ),
        ),
        (
            "pool",
            format!(
                "capacity {}, policy {}, peak in use {}, rejected {}, queued {}, workers {}",
                g(&["pool", "capacity"]),
                g(&["pool", "policy"]),
                g(&["pool", "peak_in_use"]),
                g(&["pool", "rejected"]),
                g(&["pool", "queued"]),
                g(&["pool", "workers_created"])
            ),
        ),
        (
            "tasks",
            format!(
                "{} spawned, peak {} alive",
                g(&["tasks_spawned"]),
                g(&["peak_tasks_alive"])
            ),
        ),
        ("trace", g(&["trace_hash"])),
    ];
    let mut rows = rows;
    // The mechanism's own headline, where the generic request figures mislead
    // (a bazaar lookup that finds nothing waits out its timeout).
    if s.get("bazaar").is_some() {
        rows.insert(5, ("bazaar", format!(
            "{} purchases in {} lookups (success rate {}), {} sold-out answers; response to first reply p50 {} s, p99 {} s",
            g(&["bazaar", "purchases"]), g(&["bazaar", "lookups"]), g(&["bazaar", "success_rate"]),
            g(&["bazaar", "failed_purchases"]), g(&["bazaar", "response_time_s", "p50"]),
            g(&["bazaar", "response_time_s", "p99"])
        )));
    }
    if s.get("fada").is_some() {
        rows.insert(
            5,
            (
                "fada",
                format!(
            "{} results per lookup, {} late results dropped, {} links rewired, {} leases expired",
            g(&["fada", "results_per_lookup"]), g(&["fada", "late_results_dropped"]),
            g(&["fada", "rewired_links"]), g(&["fada", "leases_expired"])
        ),
            ),
        );
    }
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&format!("  {k:<10} {v}\n"));
    }
    out
}
