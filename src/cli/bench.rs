//! `p2psim bench`: the standard workloads at full size, one line per figure.
//!
//! Each workload runs in a child process of its own, so that its peak RSS is its
//! own; each figure is the median of `--runs` runs.

use std::process::Command;

use clap::Args;

use crate::runtime::StackMode;
use crate::workloads::{self, FloodLatency, Measured};

/// Arguments of `p2psim bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Workloads to run (W1 W2 W3 W4 W5 W6 W7); all when none is given.
    pub workloads: Vec<String>,
    /// Runs per workload, 1 or more; the median is printed.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub runs: u64,
    /// Divide every size by 100 (a quick check that everything runs).
    #[arg(long)]
    pub quick: bool,
    /// Internal: run one workload once in this process and print raw figures.
    #[arg(long, hide = true)]
    pub child: bool,
    /// Internal (with --child): run it with every worker on one shared stack.
    #[arg(long, hide = true)]
    pub shared_stack: bool,
}

const ALL: [&str; 7] = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"];

/// Parts of workloads that run in a child of their own: W4's smaller size, W2's
/// wake-ups spread over a tenth of its tasks, the fresh-page floor printed with
/// W3, and W7's flood with normal and with exponential latencies.
const PARTS: [&str; 5] = ["W4S", "W2K", "W3F", "W7N", "W7E"];

/// Runs the benchmark command; returns the exit status.
pub fn run(args: BenchArgs) -> i32 {
    let names: Vec<String> = if args.workloads.is_empty() {
        ALL.iter().map(|s| s.to_string()).collect()
    } else {
        args.workloads.iter().map(|s| s.to_uppercase()).collect()
    };
    for n in &names {
        if !ALL.contains(&n.as_str()) && !PARTS.contains(&n.as_str()) {
            errln!(
                "error: unknown workload `{n}`\n  help: choose among {}",
                ALL.join(", ")
            );
            return super::EXIT_BAD_INPUT;
        }
    }
    let scale = if args.quick { 100 } else { 1 };
    if args.child {
        let stacks = match args.shared_stack {
            true => StackMode::Shared,
            false => StackMode::Dedicated,
        };
        for n in &names {
            let m = run_one(n, scale, stacks);
            outln!(
                "{} {} {} {}",
                m.wall.as_nanos(),
                m.units,
                m.peak_rss.unwrap_or(0),
                m.base_rss.unwrap_or(0)
            );
        }
        return 0;
    }
    let (q, r) = (args.quick, args.runs as usize);
    // W6's figure, for W7's ratio when both run in this invocation.
    let mut w6_ns = None;
    for n in &names {
        if n == "W4" {
            // Both sizes of docs/workloads.md, on dedicated stacks, then on a shared stack.
            for (stacks, shared) in [("", false), (" shared_stack", true)] {
                let n = 100_000 / scale;
                report_w4(&runs_of("W4S", r, q, shared), &format!("{stacks} n={n}"));
                let n = 1_000_000 / scale;
                report_w4(&runs_of("W4", r, q, shared), &format!("{stacks} n={n}"));
            }
            continue;
        }
        let runs = runs_of(n, r, q, false);
        let ns = median(runs.iter().map(Measured::ns_per_unit).collect());
        match n.as_str() {
            "W1" => outln!("W1 pingpong ns_per_roundtrip {ns:.1}"),
            "W2" => {
                outln!("W2 timers ns_per_wakeup {ns:.1}");
                let shared = runs_of("W2", r, q, true);
                let ns = median(shared.iter().map(Measured::ns_per_unit).collect());
                outln!("W2 timers shared_stack ns_per_wakeup {ns:.1}");
                // The same wake-ups on 1,000 tasks, whose memory stays in the
                // caches: what W2 costs apart from fetching 10,000 tasks' memory.
                let few = runs_of("W2K", r, q, false);
                let ns = median(few.iter().map(Measured::ns_per_unit).collect());
                outln!("W2 timers tasks=1000 ns_per_wakeup {ns:.1}");
            }
            "W3" => {
                outln!("W3 churn ns_per_task {ns:.1}");
                let rss = median(runs.iter().map(|m| mb(m.peak_rss)).collect());
                outln!("W3 churn peak_rss_mb {rss:.0}");
                let floor = runs_of("W3F", r, q, false);
                let floor = median(floor.iter().map(Measured::ns_per_unit).collect());
                outln!("W3 churn fresh_page_ns {floor:.1}");
                let shared = runs_of("W3", r, q, true);
                let ns = median(shared.iter().map(Measured::ns_per_unit).collect());
                outln!("W3 churn shared_stack ns_per_task {ns:.1}");
                let rss = median(shared.iter().map(|m| mb(m.peak_rss)).collect());
                outln!("W3 churn shared_stack peak_rss_mb {rss:.0}");
            }
            "W6" => {
                let delivered = median(runs.iter().map(|m| m.units as f64).collect());
                outln!("W6 flood delivered {delivered:.0}");
                outln!("W6 flood ns_per_message {ns:.1}");
                let rss = median(runs.iter().map(|m| mb(m.peak_rss)).collect());
                outln!("W6 flood peak_rss_mb {rss:.0}");
                w6_ns = Some(ns);
            }
            "W7" => {
                let label = "W7 flood_random_latency";
                let delivered = median(runs.iter().map(|m| m.units as f64).collect());
                outln!("{label} delivered {delivered:.0}");
                outln!("{label} ns_per_message {ns:.1}");
                let rss = median(runs.iter().map(|m| mb(m.peak_rss)).collect());
                outln!("{label} peak_rss_mb {rss:.0}");
                if let Some(w6) = w6_ns {
                    outln!("{label} ratio_to_W6 {:.3}", ns / w6);
                }
                for (part, label) in [
                    ("W7N", "W7 flood_normal_latency"),
                    ("W7E", "W7 flood_exponential_latency"),
                ] {
                    let runs = runs_of(part, r, q, false);
                    let ns = median(runs.iter().map(Measured::ns_per_unit).collect());
                    outln!("{label} ns_per_message {ns:.1}");
                }
            }
            _ => outln!("W5 mailbox ns_per_message {ns:.1}"),
        }
    }
    0
}

fn report_w4(runs: &[Measured], label: &str) {
    let per_task = median(
        runs.iter()
            .map(|m| {
                (m.peak_rss
                    .unwrap_or(0)
                    .saturating_sub(m.base_rss.unwrap_or(0))) as f64
                    / m.units as f64
            })
            .collect(),
    );
    let wall = median(runs.iter().map(|m| m.wall.as_secs_f64()).collect());
    outln!("W4 alive{label} bytes_per_task {per_task:.0}");
    outln!("W4 alive{label} wall_s {wall:.2}");
}

fn run_one(name: &str, scale: u64, stacks: StackMode) -> Measured {
    match name {
        "W1" => workloads::w1_pingpong(1_000_000 / scale),
        "W2" if scale > 1 => workloads::w2_timers(1_000, 10, stacks),
        "W2" => workloads::w2_timers(10_000, 100, stacks),
        "W2K" if scale > 1 => workloads::w2_timers(100, 100, stacks),
        "W2K" => workloads::w2_timers(1_000, 1_000, stacks),
        "W3" => workloads::w3_churn(1_000_000 / scale, stacks),
        // One touched page per stack slot of the default size, as W3's tasks touch.
        "W3F" => workloads::fresh_page_floor(
            100_000 / scale as usize,
            crate::runtime::DEFAULT_STACK_SIZE,
        ),
        "W4S" => workloads::w4_alive(100_000 / scale, stacks),
        "W4" => workloads::w4_alive(1_000_000 / scale, stacks),
        "W6" => workloads::w6_flood(100_000 / scale, 1_000 / scale),
        "W7" => workloads::w7_flood(100_000 / scale, 1_000 / scale),
        "W7N" => workloads::flood(100_000 / scale, 1_000 / scale, FloodLatency::Normal),
        "W7E" => workloads::flood(100_000 / scale, 1_000 / scale, FloodLatency::Exponential),
        _ => workloads::w5_mailbox(1_000_000 / scale),
    }
}

/// Runs workload `name` `runs` times, each in a fresh child process (with every
/// worker on one shared stack if `shared`).
fn runs_of(name: &str, runs: usize, quick: bool, shared: bool) -> Vec<Measured> {
    let exe = std::env::current_exe().expect("the running executable's path");
    (0..runs.max(1))
        .map(|_| {
            let mut cmd = Command::new(&exe);
            cmd.args(["bench", "--child", name]);
            if quick {
                cmd.arg("--quick");
            }
            if shared {
                cmd.arg("--shared-stack");
            }
            let out = cmd.output().expect("benchmark child process starts");
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<u64> = text
                .split_whitespace()
                .filter_map(|t| t.parse().ok())
                .collect();
            assert!(
                out.status.success() && f.len() == 4,
                "benchmark child {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Measured {
                wall: std::time::Duration::from_nanos(f[0]),
                units: f[1],
                peak_rss: Some(f[2]),
                base_rss: Some(f[3]),
            }
        })
        .collect()
}

fn mb(bytes: Option<u64>) -> f64 {
    bytes.unwrap_or(0) as f64 / (1024.0 * 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
