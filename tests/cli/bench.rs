//! `p2psim bench --quick`: every figure line of a workload is printed, with a
//! positive number (sizes divided by 100, so it runs in a debug build).

use crate::bin::{command, Run};

fn bench(workloads: &[&str]) -> String {
    let out = command()
        .args(["bench", "--quick", "--runs", "1"])
        .args(workloads)
        .run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn figure(text: &str, prefix: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line `{prefix} ...` in:\n{text}"));
    line.rsplit(' ').next().unwrap().parse().expect("a number")
}

#[test]
fn w3_prints_its_time_its_memory_and_the_fresh_page_floor() {
    let text = bench(&["W3"]);
    assert!(figure(&text, "W3 churn ns_per_task") > 0.0);
    assert!(figure(&text, "W3 churn peak_rss_mb") > 0.0);
    assert!(figure(&text, "W3 churn fresh_page_ns") > 0.0);
    assert!(figure(&text, "W3 churn shared_stack ns_per_task") > 0.0);
    assert!(figure(&text, "W3 churn shared_stack peak_rss_mb") > 0.0);
}

#[test]
fn w1_prints_one_figure_and_w2_one_per_stack_mode_and_one_on_fewer_tasks() {
    let text = bench(&["W1", "W2"]);
    assert!(figure(&text, "W1 pingpong ns_per_roundtrip") > 0.0);
    assert!(figure(&text, "W2 timers ns_per_wakeup") > 0.0);
    assert!(figure(&text, "W2 timers shared_stack ns_per_wakeup") > 0.0);
    assert!(figure(&text, "W2 timers tasks=1000 ns_per_wakeup") > 0.0);
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn w4_prints_memory_and_wall_time_for_both_sizes_and_stack_modes() {
    let text = bench(&["W4"]);
    for mode in ["", " shared_stack"] {
        for n in [1_000, 10_000] {
            assert!(figure(&text, &format!("W4 alive{mode} n={n} bytes_per_task")) > 0.0);
            assert!(figure(&text, &format!("W4 alive{mode} n={n} wall_s")) >= 0.0);
        }
    }
    assert_eq!(text.lines().count(), 8, "{text}");
}

#[test]
fn w7_prints_its_figures_its_ratio_to_w6_and_the_normal_and_exponential_lines() {
    let text = bench(&["W6", "W7"]);
    assert!(figure(&text, "W6 flood ns_per_message") > 0.0);
    let label = "W7 flood_random_latency";
    assert!(figure(&text, &format!("{label} delivered")) > 0.0);
    assert!(figure(&text, &format!("{label} ns_per_message")) > 0.0);
    assert!(figure(&text, &format!("{label} peak_rss_mb")) > 0.0);
    assert!(figure(&text, &format!("{label} ratio_to_W6")) > 0.0);
    assert!(figure(&text, "W7 flood_normal_latency ns_per_message") > 0.0);
    assert!(figure(&text, "W7 flood_exponential_latency ns_per_message") > 0.0);
    assert_eq!(text.lines().count(), 3 + 6, "{text}");
    // Without W6 in the same run there is nothing to divide by.
    let text = bench(&["W7"]);
    assert!(!text.contains("ratio_to_W6"), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
}
