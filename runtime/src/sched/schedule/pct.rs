//! PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi and
//! Nagarakatte, ASPLOS 2010), over the run queue.
//!
//! Every task gets a random priority when it is first seen, and the ready task
//! of highest priority always runs. At `depth - 1` change points, drawn at
//! random among the run's first `steps` choices, the task that ran last drops
//! below every priority given so far. A bug that needs `d` orderings to line
//! up is found by one run with probability at least `1 / (n * steps^(d-1))`
//! for `n` tasks, where a uniformly random pick finds a long ordering almost
//! never. As in Coyote and shuttle, only choices between two or more entries
//! count as steps. Callbacks (message hand-outs) run before any task: they
//! only make tasks ready, whose order is what is explored.

use std::collections::BTreeMap;

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Entry, Order};
use crate::task::TaskId;

/// The PCT strategy of one run.
pub(crate) struct Pct {
    rng: ChaCha8Rng,
    /// Higher runs first; every value distinct.
    priorities: BTreeMap<TaskId, u64>,
    /// Below every initial priority, and falling with each change point.
    next_low: u64,
    /// The steps at which the last task's priority drops, ascending.
    change_points: Vec<u64>,
    steps: u64,
}

/// Initial priorities are drawn above this, change points go below it.
const LOW: u64 = 1 << 32;

impl Pct {
    /// PCT of bug depth `depth` (at least 1) over a run of about `steps` choices.
    pub fn new(seed: u64, depth: u32, steps: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let steps_bound = steps.max(1);
        let points = u64::from(depth.max(1) - 1).min(steps_bound);
        let mut change_points: Vec<u64> = sample(&mut rng, steps_bound as usize, points as usize)
            .into_iter()
            .map(|s| s as u64 + 1)
            .collect();
        change_points.sort_unstable();
        Pct {
            rng,
            priorities: BTreeMap::new(),
            next_low: LOW,
            change_points,
            steps: 0,
        }
    }

    fn priority(&mut self, id: TaskId) -> u64 {
        let rng = &mut self.rng;
        *self
            .priorities
            .entry(id)
            .or_insert_with(|| LOW + 1 + rng.gen_range(0..u64::MAX - LOW - 1))
    }
}

impl Order for Pct {
    fn pick(&mut self, ready: &[Entry], last: Option<TaskId>) -> usize {
        self.steps += 1;
        if self.change_points.first() == Some(&self.steps) {
            self.change_points.remove(0);
            if let Some(last) = last {
                self.next_low -= 1;
                self.priorities.insert(last, self.next_low);
            }
        }
        let mut best = (0, 0u64);
        for (i, e) in ready.iter().enumerate() {
            let p = match *e {
                Entry::Callback => u64::MAX,
                Entry::Task(id) => self.priority(id),
            };
            if p > best.1 {
                best = (i, p);
            }
        }
        best.0
    }
}
