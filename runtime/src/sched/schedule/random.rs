//! Random order: each choice uniform over the ready entries, from a seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Entry, Order};
use crate::task::TaskId;

/// A seeded uniform pick among the ready entries.
pub(crate) struct Random {
    rng: ChaCha8Rng,
}

impl Random {
    /// Picks drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Random {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Order for Random {
    fn pick(&mut self, ready: &[Entry], _last: Option<TaskId>) -> usize {
        self.rng.gen_range(0..ready.len())
    }
}
