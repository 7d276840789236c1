//! Distributions of non-negative durations, in seconds: a hop's latency, a
//! node's session or downtime.

use rand::Rng;
use rand_distr::{Exp1, StandardNormal};

/// A distribution of durations in seconds; every sample is `>= 0`.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always the same duration.
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
        /// Smallest possible duration, seconds; must be >= 0.
        min: f64,
    },
    /// `min` plus an exponentially distributed excess, so that the mean is `mean`.
    Exponential {
        /// Mean, seconds; must be >= `min`.
        mean: f64,
        /// Smallest possible duration, seconds; must be >= 0.
        min: f64,
    },
    /// Weibull: `P(X > x) = exp(-(x / scale)^shape)`; shape < 1 is heavy-tailed
    /// (most sessions short, a few very long), shape 1 is exponential.
    Weibull {
        /// The shape `k`, > 0.
        shape: f64,
        /// The scale `λ`, seconds, > 0.
        scale: f64,
    },
    /// Pareto: `P(X > x) = (scale / x)^shape` for `x >= scale`; the mean is
    /// infinite for shape <= 1.
    Pareto {
        /// The shape (tail index) `α`, > 0.
        shape: f64,
        /// The scale `x_m`, seconds, > 0: the smallest possible value.
        scale: f64,
    },
    /// Log-normal: `ln X` is normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of `ln X` (of `X` in seconds).
        mu: f64,
        /// Standard deviation of `ln X`, >= 0.
        sigma: f64,
    },
}

impl Distribution {
    /// Checks parameters: finite, non-negative durations, `min <= max`, `sd >= 0`,
    /// `min <= mean` for the exponential, positive shapes and scales.
    pub fn validate(&self) -> Result<(), String> {
        let non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} = {v} s must be a finite number >= 0"))
            }
        };
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("{name} = {v} must be a finite number > 0"))
            }
        };
        match *self {
            Distribution::Constant(c) => non_negative("constant", c),
            Distribution::Uniform { min, max } => {
                non_negative("uniform min", min)?;
                non_negative("uniform max", max)?;
                if min > max {
                    return Err(format!(
                        "uniform min = {min} s must be at most max = {max} s"
                    ));
                }
                Ok(())
            }
            Distribution::NormalTruncated { mean, sd, min } => {
                if !mean.is_finite() {
                    return Err(format!("normal mean = {mean} s must be finite"));
                }
                non_negative("normal sd", sd)?;
                non_negative("normal min", min)
            }
            Distribution::Exponential { mean, min } => {
                non_negative("exponential mean", mean)?;
                non_negative("exponential min", min)?;
                if min > mean {
                    return Err(format!(
                        "exponential min = {min} s must be at most mean = {mean} s"
                    ));
                }
                Ok(())
            }
            Distribution::Weibull { shape, scale } => {
                positive("weibull shape", shape)?;
                positive("weibull scale", scale)
            }
            Distribution::Pareto { shape, scale } => {
                positive("pareto shape", shape)?;
                positive("pareto scale", scale)
            }
            Distribution::LogNormal { mu, sigma } => {
                if !mu.is_finite() {
                    return Err(format!("lognormal mu = {mu} must be finite"));
                }
                non_negative("lognormal sigma", sigma)
            }
        }
    }

    /// Draws one duration; never negative, never panics and always terminates.
    ///
    /// `NormalTruncated` resamples rather than clamps, so its samples follow the exact
    /// truncated normal (no probability mass piles up at `min`). Far into the tail it switches
    /// to Robert's exponential proposal, which keeps the acceptance rate above 70% however far
    /// `min` lies above `mean`. Weibull and Pareto are drawn by inverting their CDFs, so one
    /// uniform makes one sample. Parameters that fail [`Distribution::validate`] still give a
    /// non-negative number, but not a meaningful one.
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        let x = match *self {
            Distribution::Constant(c) => c,
            Distribution::Uniform { min, max } => min + (max - min) * rng.gen::<f64>(),
            Distribution::NormalTruncated { mean, sd, min } => {
                if !(mean.is_finite() && sd.is_finite() && min.is_finite()) || sd <= 0.0 {
                    mean.max(min)
                } else {
                    truncated_normal(mean, sd, min, rng)
                }
            }
            Distribution::Exponential { mean, min } => {
                min + (mean - min).max(0.0) * rng.sample::<f64, _>(Exp1)
            }
            Distribution::Weibull { shape, scale } => {
                // 1 - u lies in (0, 1], so the logarithm is finite.
                let tail = 1.0 - rng.gen::<f64>();
                scale * (-tail.ln()).powf(1.0 / shape)
            }
            Distribution::Pareto { shape, scale } => {
                let tail = 1.0 - rng.gen::<f64>();
                scale * tail.powf(-1.0 / shape)
            }
            Distribution::LogNormal { mu, sigma } => {
                (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp()
            }
        };
        // f64::max also maps NaN to 0, so nothing downstream ever schedules in the past.
        x.max(0.0)
    }

    /// Expected value in seconds: exact for every variant (via the inverse Mills
    /// ratio for the normal, the gamma function for the Weibull), infinite for a
    /// Pareto of shape <= 1.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Constant(c) => c,
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::NormalTruncated { mean, sd, min } => {
                if sd <= 0.0 {
                    mean.max(min)
                } else {
                    mean + sd * inverse_mills((min - mean) / sd)
                }
            }
            Distribution::Exponential { mean, min } => mean.max(min),
            Distribution::Weibull { shape, scale } => scale * libm::tgamma(1.0 + 1.0 / shape),
            Distribution::Pareto { shape, scale } => {
                if shape > 1.0 {
                    shape * scale / (shape - 1.0)
                } else {
                    f64::INFINITY
                }
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn sample_mean(model: &Distribution, seed: u64, n: usize) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
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
            Distribution::Constant(0.05),
            Distribution::Uniform {
                min: 0.01,
                max: 0.05,
            },
            // min below mean: plain rejection branch.
            Distribution::NormalTruncated {
                mean: 0.05,
                sd: 0.02,
                min: 0.01,
            },
            // min at the mean and beyond: exponential-proposal branch.
            Distribution::NormalTruncated {
                mean: 0.02,
                sd: 0.03,
                min: 0.02,
            },
            Distribution::NormalTruncated {
                mean: 0.1,
                sd: 0.05,
                min: 0.15,
            },
            Distribution::NormalTruncated {
                mean: 0.0,
                sd: 0.01,
                min: 0.04,
            },
            // Mostly-negative underlying normal; truncation at 0 keeps it a valid duration.
            Distribution::NormalTruncated {
                mean: 0.001,
                sd: 0.05,
                min: 0.0,
            },
            Distribution::Exponential {
                mean: 0.01,
                min: 0.001,
            },
            Distribution::Exponential {
                mean: 0.2,
                min: 0.0,
            },
        ];
        for (seed, model) in models.iter().enumerate() {
            model.validate().expect("valid model");
            let (empirical, analytic) = (sample_mean(model, seed as u64, 100_000), model.mean());
            assert!(
                (empirical - analytic).abs() < 0.01 * analytic,
                "{model:?}: sample mean {empirical}, analytic {analytic}"
            );
        }
    }

    /// The session-length distributions: sample means of 400,000 draws against
    /// the closed forms `λΓ(1 + 1/k)`, `α x_m / (α - 1)` and `exp(μ + σ²/2)`.
    #[test]
    fn weibull_pareto_and_lognormal_sample_means_match_their_closed_forms() {
        let cases = [
            // Shape 1 is the exponential of mean `scale`.
            (
                Distribution::Weibull {
                    shape: 1.0,
                    scale: 600.0,
                },
                600.0,
                0.01,
            ),
            // Γ(3) = 2: an exact check of the closed form itself.
            (
                Distribution::Weibull {
                    shape: 0.5,
                    scale: 300.0,
                },
                600.0,
                0.02,
            ),
            (
                Distribution::Weibull {
                    shape: 2.0,
                    scale: 100.0,
                },
                100.0 * 0.886_226_925_452_758,
                0.01,
            ),
            (
                Distribution::Pareto {
                    shape: 3.0,
                    scale: 40.0,
                },
                60.0,
                0.01,
            ),
            (
                Distribution::Pareto {
                    shape: 2.5,
                    scale: 10.0,
                },
                50.0 / 3.0,
                0.02,
            ),
            (
                Distribution::LogNormal {
                    mu: 4.0,
                    sigma: 0.5,
                },
                (4.125_f64).exp(),
                0.01,
            ),
            (
                Distribution::LogNormal {
                    mu: 0.0,
                    sigma: 1.0,
                },
                (0.5_f64).exp(),
                0.02,
            ),
        ];
        for (seed, (model, closed_form, within)) in cases.iter().enumerate() {
            model.validate().expect("valid model");
            let analytic = model.mean();
            assert!(
                (analytic - closed_form).abs() < 1e-9 * closed_form,
                "{model:?}: mean() {analytic}, closed form {closed_form}"
            );
            let empirical = sample_mean(model, 100 + seed as u64, 400_000);
            eprintln!("{model:?}: sample mean {empirical:.4}, closed form {closed_form:.4}");
            assert!(
                (empirical - closed_form).abs() < within * closed_form,
                "{model:?}: sample mean {empirical}, closed form {closed_form}"
            );
        }
        let heavy = Distribution::Pareto {
            shape: 1.0,
            scale: 1.0,
        };
        assert_eq!(heavy.mean(), f64::INFINITY);
    }

    #[test]
    fn weibull_and_pareto_follow_their_tails() {
        // P(X > scale) = e^-1 for every Weibull; P(X > 2 x_m) = 2^-α for a Pareto.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 200_000;
        let w = Distribution::Weibull {
            shape: 0.7,
            scale: 50.0,
        };
        let above = (0..n).filter(|_| w.sample(&mut rng) > 50.0).count();
        assert!(
            (above as f64 / n as f64 - (-1.0_f64).exp()).abs() < 0.005,
            "{above}"
        );
        let p = Distribution::Pareto {
            shape: 1.5,
            scale: 2.0,
        };
        let draws: Vec<f64> = (0..n).map(|_| p.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&x| x >= 2.0));
        let above = draws.iter().filter(|&&x| x > 4.0).count();
        assert!(
            (above as f64 / n as f64 - 2.0_f64.powf(-1.5)).abs() < 0.005,
            "{above}"
        );
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
            Distribution::Uniform { min: 0.3, max: 0.1 }.validate(),
            Err("uniform min = 0.3 s must be at most max = 0.1 s".to_string())
        );
        assert!(Distribution::Constant(-1.0).validate().is_err());
        assert!(Distribution::Constant(f64::NAN).validate().is_err());
        assert!(Distribution::Uniform {
            min: -0.1,
            max: 0.1
        }
        .validate()
        .is_err());
        let normal = |mean, sd, min| Distribution::NormalTruncated { mean, sd, min };
        assert!(normal(0.1, -0.01, 0.0).validate().is_err());
        assert!(normal(f64::NAN, 0.01, 0.0).validate().is_err());
        assert!(normal(0.1, 0.01, -0.5).validate().is_err());
        assert!(
            normal(-0.1, 0.01, 0.0).validate().is_ok(),
            "only the duration must be >= 0"
        );
        let exponential = |mean, min| Distribution::Exponential { mean, min };
        assert_eq!(
            exponential(0.01, 0.02).validate(),
            Err("exponential min = 0.02 s must be at most mean = 0.01 s".to_string())
        );
        assert!(exponential(-0.01, 0.0).validate().is_err());
        assert!(exponential(f64::INFINITY, 0.0).validate().is_err());
        assert!(
            exponential(0.01, 0.01).validate().is_ok(),
            "a constant duration"
        );
        assert!(Distribution::Weibull {
            shape: 0.0,
            scale: 1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::Weibull {
            shape: 1.0,
            scale: -1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::Pareto {
            shape: f64::NAN,
            scale: 1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::Pareto {
            shape: 1.0,
            scale: 0.0
        }
        .validate()
        .is_err());
        assert!(Distribution::LogNormal {
            mu: f64::INFINITY,
            sigma: 1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::LogNormal {
            mu: -3.0,
            sigma: -1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::LogNormal {
            mu: -3.0,
            sigma: 0.0
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn invalid_models_still_sample_non_negative() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let bad = [
            Distribution::Constant(-1.0),
            Distribution::Constant(f64::NAN),
            Distribution::Uniform {
                min: 0.3,
                max: -0.1,
            },
            Distribution::NormalTruncated {
                mean: f64::NAN,
                sd: 1.0,
                min: 0.0,
            },
            Distribution::NormalTruncated {
                mean: 0.1,
                sd: -1.0,
                min: -3.0,
            },
            Distribution::Exponential {
                mean: -1.0,
                min: -2.0,
            },
            Distribution::Exponential {
                mean: f64::NAN,
                min: 0.0,
            },
            Distribution::Weibull {
                shape: -1.0,
                scale: -2.0,
            },
            Distribution::Pareto {
                shape: 0.0,
                scale: -1.0,
            },
            Distribution::LogNormal {
                mu: f64::NAN,
                sigma: 1.0,
            },
        ];
        for model in bad {
            assert!(model.sample(&mut rng) >= 0.0, "{model:?}");
        }
    }
}
