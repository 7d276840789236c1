//! Writing results: `summary.json`, one CSV per time series, and the terminal table.

use std::fs;
use std::io;
use std::path::Path;

use crate::sim::observe::Series;
use crate::sim::Summary;

/// The files [`write`] writes: `summary.json`, and a CSV per series when `csv`.
pub fn entries(series: &[Series], csv: bool) -> Vec<String> {
    let mut out = vec!["summary.json".to_string()];
    if csv {
        out.extend(series.iter().map(|s| format!("{}.csv", s.name)));
    }
    out
}

/// Writes `summary.json` (and the CSVs when `csv`) into `dir`, creating it.
pub fn write(dir: &Path, summary: &Summary, series: &[Series], csv: bool) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut text = serde_json::to_string_pretty(&summary.to_json()).map_err(io::Error::other)?;
    text.push('\n');
    fs::write(dir.join("summary.json"), text)?;
    if csv {
        for s in series {
            fs::write(dir.join(format!("{}.csv", s.name)), s.to_csv())?;
        }
    }
    Ok(())
}

/// A figure as the table shows it: `-` when absent, 4 decimals.
pub fn f(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |x| format!("{x:.4}"))
}

/// Bytes per second as the table shows them: `-` when absent, whole bytes.
fn bytes(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |x| format!("{x:.0} B/s"))
}

/// The summary as a short readable table, with the mechanism's `headline`.
pub fn table(s: &Summary, headline: Option<&str>) -> String {
    let capacity = s.pool.capacity.map_or("-".to_string(), |c| c.to_string());
    let mut rows: Vec<(&str, String)> = vec![
        (
            "scenario",
            format!("{} (mechanism {}, seed {})", s.scenario, s.mechanism, s.seed),
        ),
        ("network", format!("{} nodes, {} edges", s.nodes, s.edges)),
        (
            "time",
            format!(
                "{} s virtual, {} s wall, {} events",
                f(Some(s.virtual_time_s)),
                f(Some(s.wall_s)),
                s.events
            ),
        ),
        (
            "requests",
            format!(
                "{} issued, {} succeeded, {} failed, {} lost (success rate {})",
                s.requests.issued,
                s.requests.succeeded,
                s.requests.failed,
                s.requests.lost,
                f(s.requests.success_rate)
            ),
        ),
        (
            "latency s",
            format!(
                "p50 {}  p90 {}  p99 {}  mean {}",
                f(s.latency_s.get("p50")),
                f(s.latency_s.get("p90")),
                f(s.latency_s.get("p99")),
                f(s.latency_s.mean)
            ),
        ),
        (
            "messages",
            format!(
                "{} sent, {} delivered, {} lost; {} per request",
                s.messages.sent,
                s.messages.delivered,
                s.messages.lost,
                f(s.messages_per_request)
            ),
        ),
        (
            "bytes",
            format!(
                "per node per second: sent mean {} p99 {} max {}; received mean {}",
                bytes(s.bytes.sent_per_node_s.mean),
                bytes(s.bytes.sent_per_node_s.p99),
                bytes(s.bytes.sent_per_node_s.max),
                bytes(s.bytes.received_per_node_s.mean)
            ),
        ),
        (
            "pool",
            format!(
                "capacity {capacity}, policy {}, peak in use {}, rejected {}, queued {}, workers {}",
                s.pool.policy,
                s.pool.peak_in_use,
                s.pool.rejected,
                s.pool.queued,
                s.pool.workers_created
            ),
        ),
        (
            "tasks",
            format!(
                "{} spawned, peak {} alive",
                s.tasks_spawned, s.peak_tasks_alive
            ),
        ),
        ("trace", s.trace_hash.clone()),
    ];
    if s.messages.late_replies > 0 {
        rows.insert(
            6,
            (
                "late",
                format!(
                    "{} replies arrived after their call had timed out (dropped)",
                    s.messages.late_replies
                ),
            ),
        );
    }
    if let Some(c) = &s.churn {
        let mut line = format!("{}: mean fraction up {}", c.kind, f(c.mean_up_fraction));
        if let Some(e) = c.expected_up_fraction {
            line.push_str(&format!(" (long-run {})", f(Some(e))));
        }
        if let Some(d) = &c.sessions_s {
            line.push_str(&format!(
                "; {} sessions drawn, mean {} s, p50 {} s, p99 {} s",
                d.count,
                f(d.mean),
                f(d.p50),
                f(d.p99)
            ));
        }
        let at = rows
            .iter()
            .position(|r| r.0 == "trace")
            .unwrap_or(rows.len());
        rows.insert(at, ("churn", line));
    }
    if s.sampling.doublings > 0 {
        rows.push((
            "sampling",
            format!(
                "every {} s (asked {} s; doubled {} times to keep within {} rows)",
                s.sampling.effective_interval_s,
                s.sampling.interval_s,
                s.sampling.doublings,
                s.sampling.max_rows
            ),
        ));
    }
    if let Some(headline) = headline {
        rows.insert(5, (s.mechanism.as_str(), headline.to_string()));
    }
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&format!("  {k:<10} {v}\n"));
    }
    out
}
