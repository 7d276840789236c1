//! A latency drawn once per ordered pair and kept for the run, with nothing
//! stored per pair: the pair's value is drawn from a generator keyed by the
//! seed and the pair, so it is the same whenever it is asked for, and a
//! million-node network costs what a constant latency costs.

use crate::dist::Distribution;
use crate::graph::NodeId;
use crate::seeds::SplitMix64;

/// Each ordered pair's latency, drawn from `of` under a seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairwise {
    of: Distribution,
    seed: u64,
}

impl Pairwise {
    /// Pair latencies drawn from `of`; `seed` is the `Stream::Pairs` seed.
    pub fn new(of: Distribution, seed: u64) -> Self {
        Pairwise { of, seed }
    }

    /// The latency from `a` to `b`, in seconds: the same on every call, and
    /// independent of the latency from `b` to `a`.
    #[inline]
    pub fn secs(&self, a: NodeId, b: NodeId) -> f64 {
        let key = (u64::from(a) << 32) | u64::from(b);
        self.of.sample(&mut SplitMix64::keyed(self.seed, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform() -> Pairwise {
        Pairwise::new(
            Distribution::Uniform {
                min: 0.005,
                max: 0.015,
            },
            77,
        )
    }

    #[test]
    fn a_pair_keeps_its_latency_and_pairs_differ() {
        let p = uniform();
        let first: Vec<f64> = (0..50).map(|b| p.secs(3, b)).collect();
        for _ in 0..3 {
            let again: Vec<f64> = (0..50).map(|b| p.secs(3, b)).collect();
            assert_eq!(again, first);
        }
        let mut distinct = first.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert_eq!(distinct.len(), 50, "50 pairs, 50 latencies");
        assert_ne!(p.secs(3, 4), p.secs(4, 3), "ordered pairs");
        assert_ne!(p.secs(3, 4), Pairwise::new(p.of.clone(), 78).secs(3, 4));
    }

    #[test]
    fn pair_latencies_follow_the_distribution() {
        let p = uniform();
        let n = 200_000u32;
        let (mut sum, mut lo, mut hi) = (0.0, f64::MAX, 0.0f64);
        for i in 0..n {
            let x = p.secs(i % 1000, i / 1000 + 7_000);
            sum += x;
            lo = lo.min(x);
            hi = hi.max(x);
        }
        let mean = sum / f64::from(n);
        eprintln!(
            "200,000 pairs: mean latency {mean:.6} s (closed form 0.01), range [{lo:.6}, {hi:.6}]"
        );
        assert!((mean - 0.01).abs() < 0.0001, "{mean}");
        assert!(lo >= 0.005 && hi <= 0.015 && lo < 0.0051 && hi > 0.0149);
    }
}
