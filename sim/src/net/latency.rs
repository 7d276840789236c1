//! How long a hop takes: the latency models behind `Transport::hop`, and
//! per-link overrides.

use std::collections::BTreeMap;

use rand::Rng;

use crate::dist::Distribution;
use crate::graph::NodeId;
use crate::net::matrix::HostMatrix;
use crate::net::pairwise::Pairwise;
use crate::net::regions::Regions;

/// Where a hop's latency comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum LatencyModel {
    /// Drawn afresh for every message, from the transport's stream.
    Each(Distribution),
    /// Drawn once per ordered pair and kept for the run, plus a per-message jitter.
    Pairwise {
        /// The pairs' latencies.
        pairs: Pairwise,
        /// Added to every message, drawn from the transport's stream.
        jitter: Option<Distribution>,
    },
    /// The latency between the nodes' hosts in a measured matrix, plus a per-message jitter.
    Matrix {
        /// The matrix and the nodes' places on it.
        hosts: HostMatrix,
        /// Added to every message, drawn from the transport's stream.
        jitter: Option<Distribution>,
    },
    /// Drawn for every message from the entry of the nodes' regions.
    Regions(Regions),
}

impl LatencyModel {
    /// The latency of one message from `a` to `b`, in nanoseconds.
    #[inline]
    pub fn nanos(&self, a: NodeId, b: NodeId, rng: &mut impl Rng) -> u64 {
        let (base, jitter) = match self {
            LatencyModel::Each(d) => return nanos(d.sample(rng)),
            LatencyModel::Regions(r) => return nanos(r.secs(a, b, rng)),
            LatencyModel::Pairwise { pairs, jitter } => (nanos(pairs.secs(a, b)), jitter),
            LatencyModel::Matrix { hosts, jitter } => (hosts.nanos(a, b), jitter),
        };
        match jitter {
            None => base,
            Some(j) => base.saturating_add(nanos(j.sample(rng))),
        }
    }
}

/// Seconds as whole nanoseconds, as every hop rounds them (negative and NaN to 0).
#[inline]
fn nanos(secs: f64) -> u64 {
    p2psim_runtime::secs_to_nanos(secs)
}

/// Fixed latencies for specific links, overriding the [`LatencyModel`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkLatencies {
    /// Keyed by `(min(a, b), max(a, b))` since links are undirected.
    overrides: BTreeMap<(NodeId, NodeId), f64>,
}

impl LinkLatencies {
    /// Creates an empty set of overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the latency of link `a`–`b`, returning the previous override if any.
    ///
    /// Rejects self links and delays that are negative or not finite.
    pub fn insert(&mut self, a: NodeId, b: NodeId, seconds: f64) -> Result<Option<f64>, String> {
        if a == b {
            return Err(format!("link latency override for {a}-{b} is a self link"));
        }
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(format!(
                "link latency override for {a}-{b} = {seconds} s must be a finite number >= 0"
            ));
        }
        Ok(self.overrides.insert(key(a, b), seconds))
    }

    /// Override for link `a`–`b` (either direction), if one was set.
    pub fn get(&self, a: NodeId, b: NodeId) -> Option<f64> {
        self.overrides.get(&key(a, b)).copied()
    }

    /// Number of overridden links.
    pub fn len(&self) -> usize {
        self.overrides.len()
    }

    /// Whether no link is overridden.
    pub fn is_empty(&self) -> bool {
        self.overrides.is_empty()
    }

    /// Overrides as `((a, b), seconds)` with `a < b`, in ascending key order.
    pub fn iter(&self) -> impl Iterator<Item = ((NodeId, NodeId), f64)> + '_ {
        self.overrides.iter().map(|(&k, &v)| (k, v))
    }
}

fn key(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    (a.min(b), a.max(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn a_pairwise_latency_is_fixed_and_its_jitter_is_not() {
        let pairs = Pairwise::new(
            Distribution::Uniform {
                min: 0.005,
                max: 0.015,
            },
            3,
        );
        let model = LatencyModel::Pairwise {
            pairs: pairs.clone(),
            jitter: Some(Distribution::Uniform {
                min: 0.0,
                max: 0.001,
            }),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let base = nanos(pairs.secs(1, 2));
        let draws: Vec<u64> = (0..100).map(|_| model.nanos(1, 2, &mut rng)).collect();
        assert!(draws
            .iter()
            .all(|&d| (base..=base + 1_000_000).contains(&d)));
        assert!(draws.iter().any(|&d| d != draws[0]), "jitter varies");
        let plain = LatencyModel::Pairwise {
            pairs,
            jitter: None,
        };
        assert!((0..10).all(|_| plain.nanos(1, 2, &mut rng) == base));
    }

    #[test]
    fn link_overrides_are_undirected() {
        let mut links = LinkLatencies::new();
        assert_eq!(links.insert(5, 2, 0.2), Ok(None));
        assert_eq!(links.insert(2, 5, 0.3), Ok(Some(0.2)));
        assert_eq!(links.insert(1, 0, 0.1), Ok(None));
        assert_eq!(links.get(5, 2), Some(0.3));
        assert_eq!(links.get(0, 2), None);
        assert!(links.insert(3, 3, 0.1).is_err());
        assert!(links.insert(3, 4, -0.1).is_err());
        let all: Vec<_> = links.iter().collect();
        assert_eq!(all, vec![((0, 1), 0.1), ((2, 5), 0.3)]);
        assert_eq!(links.len(), 2);
    }
}
