//! `--shard i/n`: one of `n` disjoint parts of a numbered set of jobs (a
//! sweep's grid points, a check's schedules), so that `n` machines share it.
//! Job `j` (from 0) belongs to shard `j mod n`: every shard gets about as many
//! jobs, and the union of the `n` parts is the whole.

use std::fmt;

/// Part `index` of `count` (0 <= index < count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `i/n`.
    pub fn parse(arg: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "`{arg}`: expected `i/n` with 0 <= i < n (e.g. `0/4`); from a job array \
                 numbered from 1, pass `$((ID - 1))/N`"
            )
        };
        let (i, n) = arg.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard owns job `j`.
    pub fn owns(&self, j: usize) -> bool {
        j % self.count == self.index
    }

    /// How many of the jobs `0..total` this shard owns.
    pub fn owned(&self, total: usize) -> usize {
        total.saturating_sub(self.index).div_ceil(self.count)
    }

    /// The `k`-th job (from 0) this shard owns.
    pub fn nth(&self, k: usize) -> usize {
        self.index + k * self.count
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_shards_partition_the_jobs(total in 0usize..200, count in 1usize..12) {
            let mut seen = vec![0u32; total];
            for index in 0..count {
                let s = Shard { index, count };
                let mine: Vec<usize> = (0..s.owned(total)).map(|k| s.nth(k)).collect();
                prop_assert!(mine.iter().all(|&j| j < total && s.owns(j)));
                prop_assert_eq!(mine.len(), (0..total).filter(|&j| s.owns(j)).count());
                for j in mine {
                    seen[j] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&c| c == 1));
        }
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["2/2", "0/0", "x", "1", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Shard::parse(" 1 / 3 ").unwrap(),
            Shard { index: 1, count: 3 }
        );
    }
}
