//! Memory follows the work, not the span of virtual time: lookups that wait
//! 1e8 virtual seconds for answers that never come run in the memory of ones
//! that wait 1 s. A memory figure, so an ignored test
//! (`cargo test --test cli memory -- --ignored`), never part of the suite.

use p2psim::sim::engine::RunOptions;
use p2psim::sim::scenario::load_file;

/// Runs flood.toml with no replica (every lookup waits out `timeout_s`);
/// returns the process's peak resident memory so far, in MiB.
fn run_and_peak_mib(timeout_s: &str) -> f64 {
    let path = format!("{}/scenarios/flood.toml", env!("CARGO_MANIFEST_DIR"));
    let overrides = vec![
        "mechanism.replicas=0".to_string(),
        format!("mechanism.timeout={timeout_s}"),
    ];
    let scenario = load_file(path.as_ref(), &overrides).unwrap();
    let out = p2psim::mechanisms::builtin()
        .run(&scenario, RunOptions::default())
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.summary.virtual_time_s >= timeout_s.parse::<f64>().unwrap());
    p2psim::rss::peak_rss().expect("Linux reports a peak RSS") as f64 / (1 << 20) as f64
}

#[test]
#[ignore = "a memory measurement: run it alone with --ignored"]
fn a_timeout_of_1e8_seconds_costs_the_memory_of_one_second() {
    // The peak only grows: after the short run it is the short run's, after
    // the long one the larger of the two.
    let short = run_and_peak_mib("1.0");
    let long = run_and_peak_mib("1e8");
    assert!(
        long < short * 1.5 + 16.0,
        "1 s: {short:.0} MiB, then 1e8 s: {long:.0} MiB"
    );
    eprintln!("peak RSS: {short:.0} MiB waiting 1 s, {long:.0} MiB after waiting 1e8 s");
}
