//! The wire between two nodes: per-hop latency (from a [`LatencyModel`], or
//! per link), loss, and the default size of a message.

use std::time::Duration;

use rand::Rng;

use crate::dist::Distribution;
use crate::graph::NodeId;
use crate::net::latency::{LatencyModel, LinkLatencies};
use crate::net::matrix::HostMatrix;
use crate::net::pairwise::Pairwise;
use crate::net::regions::Regions;
use crate::scenario::{LatencySpec, TransportSpec, DEFAULT_MESSAGE_BYTES};
use crate::seeds::{derive, Stream};

/// Latency and loss of every hop.
#[derive(Clone, Debug)]
pub struct Transport {
    latency: LatencyModel,
    links: LinkLatencies,
    loss: f64,
    /// Every hop's latency when it is one constant with no per-link override (the
    /// common case, worked out once rather than per message).
    fixed: Option<Duration>,
    message_bytes: u64,
}

impl Transport {
    /// A lossless transport with constant latency `secs`.
    pub fn constant(secs: f64) -> Self {
        Transport::with_model(LatencyModel::Each(Distribution::Constant(secs)))
    }

    /// A lossless transport whose hops take what `latency` says.
    pub fn with_model(latency: LatencyModel) -> Self {
        Transport {
            latency,
            links: LinkLatencies::new(),
            loss: 0.0,
            fixed: None,
            message_bytes: DEFAULT_MESSAGE_BYTES,
        }
        .with_fixed()
    }

    /// The transport a scenario describes (already validated) on a network of
    /// `nodes` nodes; `seed` is the scenario's, from which the pairs' latencies
    /// and the nodes' places are derived.
    pub fn from_spec(spec: &TransportSpec, nodes: usize, seed: u64) -> Self {
        let latency = match &spec.latency {
            LatencySpec::Each(d) => LatencyModel::Each(d.clone()),
            LatencySpec::Pairwise { of, jitter } => LatencyModel::Pairwise {
                pairs: Pairwise::new(of.clone(), derive(seed, Stream::Pairs)),
                jitter: jitter.clone(),
            },
            LatencySpec::Matrix {
                matrix,
                placement,
                jitter,
            } => LatencyModel::Matrix {
                hosts: HostMatrix::new(matrix.clone(), *placement, derive(seed, Stream::Placement)),
                jitter: jitter.clone(),
            },
            LatencySpec::Regions(r) => {
                LatencyModel::Regions(Regions::new(r, nodes, derive(seed, Stream::Placement)))
            }
        };
        let mut links = LinkLatencies::new();
        for l in &spec.links {
            // Validated by the scenario layer: a != b, latency >= 0.
            let _ = links.insert(l.a, l.b, l.latency);
        }
        Transport {
            latency,
            links,
            loss: spec.loss,
            fixed: None,
            message_bytes: spec.message_bytes,
        }
        .with_fixed()
    }

    /// The latency model.
    pub fn latency(&self) -> &LatencyModel {
        &self.latency
    }

    /// The size of a message whose mechanism does not say, in bytes.
    pub fn message_bytes(&self) -> u64 {
        self.message_bytes
    }

    /// Works out `fixed` from the latency and the overrides.
    fn with_fixed(mut self) -> Self {
        self.fixed = match self.latency {
            // `secs_to_nanos` maps negative and NaN to zero, as `Distribution::sample` does.
            LatencyModel::Each(Distribution::Constant(secs)) if self.links.is_empty() => {
                Some(Duration::from_nanos(p2psim_runtime::secs_to_nanos(secs)))
            }
            _ => None,
        };
        self
    }

    /// With loss probability `p` per hop.
    pub fn with_loss(mut self, p: f64) -> Self {
        self.loss = p;
        self
    }

    /// One hop from `a` to `b`: its latency, or `None` if the message is lost.
    pub fn hop(&self, a: NodeId, b: NodeId, rng: &mut impl Rng) -> Option<Duration> {
        if self.loss > 0.0 && rng.gen::<f64>() < self.loss {
            return None;
        }
        if let Some(d) = self.fixed {
            return Some(d);
        }
        let nanos = match self.links.get(a, b) {
            Some(s) => p2psim_runtime::secs_to_nanos(s),
            None => self.latency.nanos(a, b, rng),
        };
        Some(Duration::from_nanos(nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn loss_rate_and_link_override() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = Transport::constant(0.01).with_loss(0.25);
        let lost = (0..40_000)
            .filter(|_| t.hop(0, 1, &mut rng).is_none())
            .count();
        assert!((lost as f64 / 40_000.0 - 0.25).abs() < 0.01, "{lost}");
        let mut links = LinkLatencies::new();
        links.insert(0, 1, 0.5).unwrap();
        let t = Transport {
            links,
            ..Transport::constant(0.01)
        }
        .with_fixed();
        assert_eq!(t.hop(1, 0, &mut rng), Some(Duration::from_millis(500)));
        assert_eq!(t.hop(1, 2, &mut rng), Some(Duration::from_millis(10)));
    }

    #[test]
    fn a_constant_hop_is_the_sampled_latency_and_draws_nothing() {
        for secs in [0.01, 0.0123456789, 0.0, -1.0, f64::NAN] {
            let t = Transport::constant(secs);
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let sampled = Distribution::Constant(secs).sample(&mut rng);
            let want = Duration::from_nanos(p2psim_runtime::secs_to_nanos(sampled));
            assert_eq!(t.hop(0, 1, &mut rng), Some(want), "{secs}");
            assert_eq!(rng, ChaCha8Rng::seed_from_u64(3), "no draw for {secs}");
        }
    }
}
