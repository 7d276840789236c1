//! In the reject scenario, lost requests do not increase as the pool grows, for
//! every seed and rate (a small version of the shipped grid).

use p2psim::mechanisms::builtin;
use p2psim::sweep::grid::{points, Param};
use p2psim::sweep::row::{Base, Outcome};
use p2psim::sweep::runner::run_all;

#[test]
fn lost_requests_do_not_increase_with_capacity() {
    let base = Base {
        path: format!(
            "{}/scenarios/exhaustion-reject.toml",
            env!("CARGO_MANIFEST_DIR")
        )
        .into(),
        fixed: vec!["topology.nodes=300".into(), "load[0].count=60".into()],
        loads: 1,
    };
    let rates = ["20", "60"];
    let caps = ["4", "8", "16", "32", "64"];
    let params = vec![
        Param::parse(&format!("load.rate={}", rates.join(","))).unwrap(),
        Param::parse(&format!("pool.capacity={}", caps.join(","))).unwrap(),
    ];
    let seeds: Vec<Option<u64>> = (1..=4).map(Some).collect();
    let rows = run_all(&builtin(), &base, &points(&params), &seeds, 2, |_| {});
    assert!(rows.iter().all(|r| r.outcome == Outcome::Ok));
    let lost = |rate: &str, cap: &str, seed: u64| {
        rows.iter()
            .find(|r| r.params == [rate, cap] && r.seed == seed)
            .map(|r| r.metrics["requests.lost"])
            .unwrap()
    };
    for rate in rates {
        for seed in 1..=4 {
            let series: Vec<f64> = caps.iter().map(|c| lost(rate, c, seed)).collect();
            assert!(
                series.windows(2).all(|w| w[1] <= w[0]),
                "rate {rate} seed {seed}: lost by capacity {series:?}"
            );
        }
    }
    // The smallest pool loses requests and the largest loses none: the grid spans it.
    assert!(lost("60", "4", 1) > 0.0);
    assert_eq!(lost("20", "64", 1), 0.0);
}
