//! What a sweep runs: the grid's points (a shard's share of them) times the
//! seeds, as numbered jobs, bounded by [`MAX_RUNS`].

use super::grid::{Grid, Point, Shard, MAX_RUNS};
use super::seeds::Seeds;

/// One run of a sweep: its place in the sweep's order, its point and seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Its position among the sweep's jobs: rows are written in this order.
    pub order: usize,
    /// The grid point.
    pub point: Point,
    /// Which of the seeds (from 0).
    pub seed_index: usize,
    /// The seed (`None`: the scenario's own).
    pub seed: Option<u64>,
}

/// A sweep's grid, seeds and shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The swept parameters.
    pub grid: Grid,
    /// The seeds of each point.
    pub seeds: Seeds,
    /// The share of the points this process runs (`None`: all).
    pub shard: Option<Shard>,
}

impl Plan {
    /// Points of the whole grid, checked against [`MAX_RUNS`] (an error names
    /// `--param` and `--seeds`).
    pub fn points(&self) -> Result<usize, String> {
        let args: Vec<String> = self
            .grid
            .params
            .iter()
            .map(|p| format!("--param {}", p.arg()))
            .collect();
        let too_many = |what: String| {
            format!(
                "{what}: a sweep makes at most {MAX_RUNS} runs (points times seeds)\n  \
                 help: fewer values in {} or fewer --seeds; a larger study is several sweeps",
                args.join(" ")
            )
        };
        let points = self
            .grid
            .len()
            .filter(|&n| n <= MAX_RUNS)
            .ok_or_else(|| too_many("the grid has more points than that".to_string()))?;
        let runs = points as u128 * self.seeds.len();
        if runs > MAX_RUNS as u128 {
            return Err(too_many(format!(
                "{points} points x {} seeds (--seeds {}) = {runs} runs",
                self.seeds.len(),
                self.seeds
            )));
        }
        Ok(points)
    }

    /// The points this process runs.
    pub fn owned_points(&self) -> Result<usize, String> {
        let points = self.points()?;
        Ok(self.shard.map_or(points, |s| s.owned(points)))
    }

    /// The jobs, point by point (in the order of the grid), each point's seeds
    /// in the order given.
    pub fn jobs(&self) -> Result<Vec<Job>, String> {
        let owned = self.owned_points()?;
        let seeds = self.seeds.len() as usize;
        let mut out = Vec::with_capacity(owned * seeds);
        for k in 0..owned {
            let index = self.shard.map_or(k, |s| s.nth(k));
            let point = self.grid.point(index);
            for seed_index in 0..seeds {
                out.push(Job {
                    order: out.len(),
                    point: point.clone(),
                    seed_index,
                    seed: self.seeds.get(seed_index),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::grid::Param;

    fn plan(params: &[&str], seeds: &str, shard: Option<&str>) -> Plan {
        Plan {
            grid: Grid::new(params.iter().map(|p| Param::parse(p).unwrap()).collect()),
            seeds: Seeds::parse(seeds).unwrap(),
            shard: shard.map(|s| Shard::parse(s).unwrap()),
        }
    }

    #[test]
    fn too_many_runs_are_refused_before_anything_is_built() {
        for seeds in ["0..9223372036854775807", "1..100000000000", "1..1000000"] {
            let e = plan(&["pool.capacity=8,16"], seeds, None)
                .jobs()
                .unwrap_err();
            assert!(e.contains(&format!("--seeds {seeds}")), "{e}");
            assert!(e.contains("at most 100000 runs"), "{e}");
        }
        assert!(plan(&["a=1,2"], "1..50000", None).jobs().is_ok());
    }

    #[test]
    fn shards_split_the_jobs_by_point() {
        let whole = plan(&["a=1,2,3,4,5"], "1,2", None).jobs().unwrap();
        let mut joined: Vec<(usize, usize)> = Vec::new();
        for i in 0..3 {
            let part = plan(&["a=1,2,3,4,5"], "1,2", Some(&format!("{i}/3")));
            let jobs = part.jobs().unwrap();
            assert!(jobs.iter().enumerate().all(|(k, j)| j.order == k));
            joined.extend(jobs.iter().map(|j| (j.point.index, j.seed_index)));
        }
        joined.sort();
        let all: Vec<(usize, usize)> = whole
            .iter()
            .map(|j| (j.point.index, j.seed_index))
            .collect();
        assert_eq!(joined, all);
    }
}
