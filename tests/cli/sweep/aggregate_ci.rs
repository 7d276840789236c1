//! The aggregate's mean and 95% confidence interval on a known input.

use std::collections::BTreeMap;

use p2psim::sweep::aggregate::{aggregate, t975, Estimate};
use p2psim::sweep::row::{Outcome, Row, FAILED};
use p2psim::sweep::table::SweepTable;

fn row(point: usize, seed: u64, outcome: Outcome, lost: f64) -> Row {
    let mut metrics = BTreeMap::new();
    metrics.insert("requests.lost".to_string(), lost);
    metrics.insert(
        FAILED.to_string(),
        f64::from(u8::from(outcome != Outcome::Ok)),
    );
    Row {
        point,
        params: vec![format!("{}", 8 << point)],
        seed,
        outcome,
        detail: String::new(),
        report: String::new(),
        metrics,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn mean_and_t_interval_of_five_samples() {
    let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(e.n, 5);
    assert!(close(e.mean, 3.0));
    assert!(close(e.sd, 2.5f64.sqrt()));
    // t(0.975, 4) = 2.776; half-width = t * sd / sqrt(n).
    assert!(close(e.ci95, 2.776 * 2.5f64.sqrt() / 5f64.sqrt()));
    assert!((e.ci95 - 1.962_928_4).abs() < 1e-6);
}

#[test]
fn t_table_and_edge_cases() {
    assert_eq!(t975(1), 12.706);
    assert_eq!(t975(9), 2.262);
    assert_eq!(t975(30), 2.042);
    assert_eq!(t975(10_000), 1.960);
    let one = Estimate::of(&[7.0]).unwrap();
    assert!(close(one.mean, 7.0) && one.ci95.is_nan());
    assert!(Estimate::of(&[]).is_none());
    let flat = Estimate::of(&[2.0, 2.0, 2.0]).unwrap();
    assert!(close(flat.ci95, 0.0));
}

#[test]
fn figures_over_ok_runs_failure_rate_over_all() {
    let rows = vec![
        row(0, 1, Outcome::Ok, 10.0),
        row(0, 2, Outcome::Ok, 20.0),
        row(0, 3, Outcome::Deadlock, 99.0),
        row(0, 4, Outcome::Ok, 30.0),
        row(1, 1, Outcome::Ok, 4.0),
        row(1, 2, Outcome::Ok, 6.0),
    ];
    let t = SweepTable::new(vec!["pool.capacity".into()], rows);
    let stats = aggregate(&t);
    assert_eq!(stats.len(), 2);
    let get = |p: usize, m: &str| {
        stats[p]
            .figures
            .iter()
            .find(|(k, _)| k == m)
            .map(|(_, e)| *e)
            .unwrap()
    };
    assert_eq!((stats[0].runs, stats[0].ok), (4, 3));
    let lost = get(0, "requests.lost");
    assert_eq!(lost.n, 3);
    assert!(close(lost.mean, 20.0));
    assert!(close(lost.ci95, 4.303 * 10.0 / 3f64.sqrt()));
    let failed = get(0, FAILED);
    assert_eq!(failed.n, 4);
    assert!(close(failed.mean, 0.25));
    assert!(close(get(1, "requests.lost").mean, 5.0));
    assert!(close(
        get(1, "requests.lost").ci95,
        12.706 * 2f64.sqrt() / 2f64.sqrt()
    ));
    // And through the CSV round trip.
    let back = SweepTable::from_csv(&t.to_csv()).unwrap();
    assert_eq!(aggregate(&back), stats);
}
