//! Runs a sweep's jobs on N OS threads; each run is an independent simulation made
//! inside its worker thread (a `Runtime` never crosses threads).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::grid::Point;
use super::row::{run_one, Base, Row};
use crate::sim::Mechanisms;

/// Runs every point with every seed (`[None]`: the scenario's own seed) on `jobs`
/// threads, with the mechanism each scenario names in `mechanisms`; `done(row)`
/// is called as each run ends. The rows come back sorted by
/// point, then by the order of `seeds`, whatever the threads' timing.
pub fn run_all(
    mechanisms: &Mechanisms,
    base: &Base,
    points: &[Point],
    seeds: &[Option<u64>],
    jobs: usize,
    done: impl Fn(&Row) + Sync,
) -> Vec<Row> {
    let work: Vec<(usize, &Point, Option<u64>)> = points
        .iter()
        .flat_map(|p| seeds.iter().map(move |s| (p, *s)))
        .enumerate()
        .map(|(i, (p, s))| (i, p, s))
        .collect();
    let next = AtomicUsize::new(0);
    let (tx, rx) = crossbeam::channel::unbounded();
    let threads = jobs.clamp(1, work.len().max(1));
    crossbeam::scope(|scope| {
        for _ in 0..threads {
            let (tx, work, next, done) = (tx.clone(), &work, &next, &done);
            scope.spawn(move |_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(order, point, seed)) = work.get(i) else {
                    break;
                };
                let row = run_one(mechanisms, base, point, seed);
                done(&row);
                if tx.send((order, row)).is_err() {
                    break;
                }
            });
        }
    })
    .expect("sweep worker threads do not panic: runs are caught");
    drop(tx);
    let mut rows: Vec<(usize, Row)> = rx.into_iter().collect();
    rows.sort_by_key(|(order, _)| *order);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The number of OS threads to use by default: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
