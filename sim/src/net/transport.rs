//! The wire between two nodes: per-hop latency (global or per link) and loss.

use std::time::Duration;

use rand::Rng;

use crate::graph::NodeId;
use crate::net::latency::{Latency, LinkLatencies};
use crate::scenario::{LatencySpec, TransportSpec};

/// Latency and loss of every hop.
#[derive(Clone, Debug)]
pub struct Transport {
    latency: Latency,
    links: LinkLatencies,
    loss: f64,
    /// Every hop's latency when it is one constant with no per-link override (the
    /// common case, worked out once rather than per message).
    fixed: Option<Duration>,
}

impl Transport {
    /// A lossless transport with constant latency `secs`.
    pub fn constant(secs: f64) -> Self {
        Transport {
            latency: Latency::Constant(secs),
            links: LinkLatencies::new(),
            loss: 0.0,
            fixed: None,
        }
        .with_fixed()
    }

    /// The transport a scenario describes (already validated).
    pub fn from_spec(spec: &TransportSpec) -> Self {
        let latency = match spec.latency {
            LatencySpec::Constant(v) => Latency::Constant(v),
            LatencySpec::Uniform { min, max } => Latency::Uniform { min, max },
            LatencySpec::Normal { mean, sd, min } => Latency::NormalTruncated { mean, sd, min },
            LatencySpec::Exponential { mean, min } => Latency::Exponential { mean, min },
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
        }
        .with_fixed()
    }

    /// Works out `fixed` from the latency and the overrides.
    fn with_fixed(mut self) -> Self {
        self.fixed = match self.latency {
            // `secs_to_nanos` maps negative and NaN to zero, as `Latency::sample` does.
            Latency::Constant(secs) if self.links.is_empty() => {
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
        let secs = match self.links.get(a, b) {
            Some(s) => s,
            None => self.latency.sample(rng),
        };
        Some(Duration::from_nanos(p2psim_runtime::secs_to_nanos(secs)))
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
            latency: Latency::Constant(0.01),
            fixed: None,
            links,
            loss: 0.0,
        };
        assert_eq!(t.hop(1, 0, &mut rng), Some(Duration::from_millis(500)));
        assert_eq!(t.hop(1, 2, &mut rng), Some(Duration::from_millis(10)));
    }

    #[test]
    fn a_constant_hop_is_the_sampled_latency_and_draws_nothing() {
        for secs in [0.01, 0.0123456789, 0.0, -1.0, f64::NAN] {
            let t = Transport::constant(secs);
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let sampled = Latency::Constant(secs).sample(&mut rng);
            let want = Duration::from_nanos(p2psim_runtime::secs_to_nanos(sampled));
            assert_eq!(t.hop(0, 1, &mut rng), Some(want), "{secs}");
            assert_eq!(rng, ChaCha8Rng::seed_from_u64(3), "no draw for {secs}");
        }
    }
}
