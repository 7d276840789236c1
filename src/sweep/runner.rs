//! Runs a sweep's jobs on N OS threads; each run is an independent simulation made
//! inside its worker thread (a `Runtime` never crosses threads).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::grid::Point;
use super::plan::Job;
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
    let work: Vec<Job> = points
        .iter()
        .flat_map(|p| seeds.iter().enumerate().map(move |(i, s)| (p, i, *s)))
        .enumerate()
        .map(|(order, (p, seed_index, seed))| Job {
            order,
            point: p.clone(),
            seed_index,
            seed,
        })
        .collect();
    run_jobs(mechanisms, base, &work, jobs, |_, row| done(row))
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// Runs `work` on `threads` threads; `done(job, row)` is called (on the
/// worker's thread) as each run ends. The rows come back in the jobs' order,
/// with their job's order, whatever the threads' timing.
pub fn run_jobs(
    mechanisms: &Mechanisms,
    base: &Base,
    work: &[Job],
    threads: usize,
    done: impl Fn(&Job, &Row) + Sync,
) -> Vec<(usize, Row)> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = crossbeam::channel::unbounded();
    let threads = threads.clamp(1, work.len().max(1));
    crossbeam::scope(|scope| {
        for _ in 0..threads {
            let (tx, next, done) = (tx.clone(), &next, &done);
            scope.spawn(move |_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = work.get(i) else {
                    break;
                };
                let row = run_one(mechanisms, base, &job.point, job.seed);
                done(job, &row);
                if tx.send((job.order, row)).is_err() {
                    break;
                }
            });
        }
    })
    .expect("sweep worker threads do not panic: runs are caught");
    drop(tx);
    let mut rows: Vec<(usize, Row)> = rx.into_iter().collect();
    rows.sort_by_key(|(order, _)| *order);
    rows
}

/// The number of OS threads to use by default: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
