//! Link latency models (in seconds) and per-link overrides.

use crate::graph::NodeId;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};
use std::collections::BTreeMap;

/// Distribution of one-way link latency, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    /// Always the same delay.
    Constant(f64),
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound, seconds.
        min: f64,
        /// Upper bound, seconds.
        max: f64,
    },
    /// Normal(`mean`, `sd`) conditioned on being at least `min` (a true truncated normal).
    NormalTruncated {
        /// Mean of the underlying normal before truncation, seconds.
        mean: f64,
        /// Standard deviation of the underlying normal, seconds.
        sd: f64,
        /// Smallest possible delay, seconds; must be >= 0.
        min: f64,
    },
    /// `min` plus an exponentially distributed excess, so that the mean delay is `mean`.
    Exponential {
        /// Mean delay, seconds; must be >= `min`.
        mean: f64,
        /// Smallest possible delay, seconds; must be >= 0.
        min: f64,
    },
}

impl Latency {
    /// Checks parameters: finite, non-negative delays, `min <= max`, `sd >= 0`,
    /// `min <= mean` for the exponential.
    pub fn validate(&self) -> Result<(), String> {
        let non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} = {v} s must be a finite number >= 0"))
            }
        };
        match *self {
            Latency::Constant(c) => non_negative("constant latency", c),
            Latency::Uniform { min, max } => {
                non_negative("uniform latency min", min)?;
                non_negative("uniform latency max", max)?;
                if min > max {
                    return Err(format!(
                        "uniform latency min = {min} s must be at most max = {max} s"
                    ));
                }
                Ok(())
            }
            Latency::NormalTruncated { mean, sd, min } => {
                if !mean.is_finite() {
                    return Err(format!("normal latency mean = {mean} s must be finite"));
                }
                non_negative("normal latency sd", sd)?;
                non_negative("normal latency min", min)
            }
            Latency::Exponential { mean, min } => {
                non_negative("exponential latency mean", mean)?;
                non_negative("exponential latency min", min)?;
                if min > mean {
                    return Err(format!(
                        "exponential latency min = {min} s must be at most mean = {mean} s"
                    ));
                }
                Ok(())
            }
        }
    }

    /// Draws one delay; never negative, never panics and always terminates.
    ///
    /// `NormalTruncated` resamples rather than clamps, so its samples follow the exact
    /// truncated normal (no probability mass piles up at `min`). Far into the tail it switches
    /// to Robert's exponential proposal, which keeps the acceptance rate above 70% however far
    /// `min` lies above `mean`. Parameters that fail [`Latency::validate`] still give a
    /// non-negative number, but not a meaningful one.
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        let x = match *self {
            Latency::Constant(c) => c,
            Latency::Uniform { min, max } => min + (max - min) * rng.gen::<f64>(),
            Latency::NormalTruncated { mean, sd, min } => {
                if !(mean.is_finite() && sd.is_finite() && min.is_finite()) || sd <= 0.0 {
                    mean.max(min)
                } else {
                    truncated_normal(mean, sd, min, rng)
                }
            }
            Latency::Exponential { mean, min } => {
                min + (mean - min).max(0.0) * rng.sample::<f64, _>(Exp1)
            }
        };
        // f64::max also maps NaN to 0, so nothing downstream ever schedules in the past.
        x.max(0.0)
    }

    /// Expected delay in seconds (exact for every variant, via the inverse Mills ratio for the normal).
    pub fn mean(&self) -> f64 {
        match *self {
            Latency::Constant(c) => c,
            Latency::Uniform { min, max } => (min + max) / 2.0,
            Latency::NormalTruncated { mean, sd, min } => {
                if sd <= 0.0 {
                    mean.max(min)
                } else {
                    mean + sd * inverse_mills((min - mean) / sd)
                }
            }
            Latency::Exponential { mean, min } => mean.max(min),
        }
    }
}

/// Normal(mean, sd) conditioned on `>= min`; needs finite parameters and `sd > 0`.
fn truncated_normal(mean: f64, sd: f64, min: f64, rng: &mut impl Rng) -> f64 {
    let alpha = (min - mean) / sd;
    if alpha < 0.0 {
        // Plain rejection accepts more than half the draws here.
        loop {
            let z: f64 = rng.sample(StandardNormal);
            if z >= alpha {
                return mean + sd * z;
            }
        }
    }
    // Robert (1995): shifted exponential proposal with the optimal rate for this alpha.
    let rate = (alpha + (alpha * alpha + 4.0).sqrt()) / 2.0;
    loop {
        let z = alpha + rng.sample::<f64, _>(Exp1) / rate;
        let accept = (-(z - rate) * (z - rate) / 2.0).exp();
        if rng.gen::<f64>() <= accept {
            // Rounding in mean + sd * alpha can land a hair below min.
            return (mean + sd * z).max(min);
        }
    }
}

/// `φ(a) / (1 - Φ(a))` for the standard normal, accurate to about 1e-7 relative.
///
/// Uses the Numerical Recipes `erfcc` Chebyshev fit; for `a >= 0` the `exp(-a²/2)` factors of
/// numerator and denominator cancel analytically, so the ratio stays finite far into the tail
/// where both would underflow.
fn inverse_mills(a: f64) -> f64 {
    let z = a.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let sqrt_2pi = (2.0 * std::f64::consts::PI).sqrt();
    if a >= 0.0 {
        // φ(a) = exp(-z²)/√(2π) and 1 - Φ(a) = ½·t·exp(-z² + poly).
        2.0 / (sqrt_2pi * t * poly.exp())
    } else {
        let upper_tail = 1.0 - 0.5 * t * (-z * z + poly).exp();
        (-z * z).exp() / sqrt_2pi / upper_tail
    }
}

/// Fixed latencies for specific links, overriding the default [`Latency`] model.
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

    fn sample_mean(model: &Latency, seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let x = model.sample(&mut rng);
            assert!(x >= 0.0, "{model:?} sampled {x}");
            sum += x;
        }
        sum / n as f64
    }

    #[test]
    fn sample_means_match_analytic_means() {
        let models = [
            Latency::Constant(0.05),
            Latency::Uniform {
                min: 0.01,
                max: 0.05,
            },
            // min below mean: plain rejection branch.
            Latency::NormalTruncated {
                mean: 0.05,
                sd: 0.02,
                min: 0.01,
            },
            // min at the mean and beyond: exponential-proposal branch.
            Latency::NormalTruncated {
                mean: 0.02,
                sd: 0.03,
                min: 0.02,
            },
            Latency::NormalTruncated {
                mean: 0.1,
                sd: 0.05,
                min: 0.15,
            },
            Latency::NormalTruncated {
                mean: 0.0,
                sd: 0.01,
                min: 0.04,
            },
            // Mostly-negative underlying normal; truncation at 0 keeps it a valid delay.
            Latency::NormalTruncated {
                mean: 0.001,
                sd: 0.05,
                min: 0.0,
            },
            Latency::Exponential {
                mean: 0.01,
                min: 0.001,
            },
            Latency::Exponential {
                mean: 0.2,
                min: 0.0,
            },
        ];
        for (seed, model) in models.iter().enumerate() {
            model.validate().expect("valid model");
            let (empirical, analytic) = (sample_mean(model, seed as u64), model.mean());
            assert!(
                (empirical - analytic).abs() < 0.01 * analytic,
                "{model:?}: sample mean {empirical}, analytic {analytic}"
            );
        }
    }

    #[test]
    fn inverse_mills_known_values() {
        // φ(0)/(1 - Φ(0)) = 2/√(2π); λ(1) and λ(-2) from standard normal tables.
        assert!((inverse_mills(0.0) - 0.797_884_56).abs() < 1e-6);
        assert!((inverse_mills(1.0) - 1.525_135).abs() < 1e-5);
        assert!((inverse_mills(-2.0) - 0.055_247).abs() < 1e-5);
        // Far tail: λ(a) ≈ a + 1/a, and no 0/0 where φ underflows.
        assert!((inverse_mills(40.0) - 40.025).abs() < 1e-3);
    }

    #[test]
    fn validate_rejects_bad_parameters() {
        assert_eq!(
            Latency::Uniform { min: 0.3, max: 0.1 }.validate(),
            Err("uniform latency min = 0.3 s must be at most max = 0.1 s".to_string())
        );
        assert!(Latency::Constant(-1.0).validate().is_err());
        assert!(Latency::Constant(f64::NAN).validate().is_err());
        assert!(Latency::Uniform {
            min: -0.1,
            max: 0.1
        }
        .validate()
        .is_err());
        let normal = |mean, sd, min| Latency::NormalTruncated { mean, sd, min };
        assert!(normal(0.1, -0.01, 0.0).validate().is_err());
        assert!(normal(f64::NAN, 0.01, 0.0).validate().is_err());
        assert!(normal(0.1, 0.01, -0.5).validate().is_err());
        assert!(
            normal(-0.1, 0.01, 0.0).validate().is_ok(),
            "only the delay must be >= 0"
        );
        let exponential = |mean, min| Latency::Exponential { mean, min };
        assert_eq!(
            exponential(0.01, 0.02).validate(),
            Err("exponential latency min = 0.02 s must be at most mean = 0.01 s".to_string())
        );
        assert!(exponential(-0.01, 0.0).validate().is_err());
        assert!(exponential(f64::INFINITY, 0.0).validate().is_err());
        assert!(
            exponential(0.01, 0.01).validate().is_ok(),
            "a constant delay"
        );
    }

    #[test]
    fn invalid_models_still_sample_non_negative() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let bad = [
            Latency::Constant(-1.0),
            Latency::Constant(f64::NAN),
            Latency::Uniform {
                min: 0.3,
                max: -0.1,
            },
            Latency::NormalTruncated {
                mean: f64::NAN,
                sd: 1.0,
                min: 0.0,
            },
            Latency::NormalTruncated {
                mean: 0.1,
                sd: -1.0,
                min: -3.0,
            },
            Latency::Exponential {
                mean: -1.0,
                min: -2.0,
            },
            Latency::Exponential {
                mean: f64::NAN,
                min: 0.0,
            },
        ];
        for model in bad {
            assert!(model.sample(&mut rng) >= 0.0, "{model:?}");
        }
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
