//! Request arrival processes (when requests happen) and origin rules (where they start).

use crate::graph::NodeId;
use rand::Rng;
use rand_distr::Exp1;

/// When requests arrive, in absolute simulated seconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// Poisson process: exponential inter-arrival times with mean `1 / rate_per_s`.
    Poisson {
        /// Mean arrivals per second; must be > 0.
        rate_per_s: f64,
    },
    /// Exactly these absolute times, in seconds, sorted ascending.
    Schedule(Vec<f64>),
    /// `count` arrivals uniform over `[at_s, at_s + spread_s]`, yielded in ascending order.
    Burst {
        /// Start of the burst window, seconds.
        at_s: f64,
        /// Number of arrivals in the burst.
        count: u64,
        /// Width of the burst window, seconds.
        spread_s: f64,
    },
}

impl Arrivals {
    /// Checks parameters: positive finite rate, finite non-negative sorted times and windows.
    pub fn validate(&self) -> Result<(), String> {
        let time = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} = {v} s must be a finite number >= 0"))
            }
        };
        match self {
            Arrivals::Poisson { rate_per_s } => {
                if rate_per_s.is_finite() && *rate_per_s > 0.0 {
                    Ok(())
                } else {
                    Err(format!(
                        "poisson rate_per_s = {rate_per_s} must be a finite number > 0"
                    ))
                }
            }
            Arrivals::Schedule(times) => {
                for (i, &t) in times.iter().enumerate() {
                    time(&format!("schedule[{i}]"), t)?;
                    if i > 0 && t < times[i - 1] {
                        return Err(format!(
                            "schedule[{i}] = {t} s must not be earlier than schedule[{}] = {} s",
                            i - 1,
                            times[i - 1]
                        ));
                    }
                }
                Ok(())
            }
            Arrivals::Burst { at_s, spread_s, .. } => {
                time("burst at_s", *at_s)?;
                time("burst spread_s", *spread_s)
            }
        }
    }

    /// Starts generating times no earlier than `start_s`, stopping after `limit` times if given.
    ///
    /// `start_s` is when observation begins: a Poisson clock starts there, and schedule or
    /// burst times before it are skipped (they still consume their random draws, so the
    /// times after `start_s` do not depend on it).
    pub fn times(&self, start_s: f64, limit: Option<u64>) -> ArrivalTimes {
        let state = match self {
            Arrivals::Poisson { rate_per_s } => State::Poisson {
                rate: *rate_per_s,
                now: start_s,
            },
            Arrivals::Schedule(times) => State::Schedule {
                times: times.clone(),
                next: 0,
            },
            Arrivals::Burst {
                at_s,
                count,
                spread_s,
            } => State::Burst {
                at: *at_s,
                spread: *spread_s,
                remaining: *count,
                position: 0.0,
            },
        };
        ArrivalTimes {
            state,
            start_s,
            remaining: limit,
        }
    }
}

/// Generator of successive arrival times, drawing randomness from the caller's rng.
///
/// Not an [`Iterator`] itself because the simulator owns the rng and lends it per event;
/// [`ArrivalTimes::iter`] adapts it when a borrowed rng is convenient.
#[derive(Clone, Debug)]
pub struct ArrivalTimes {
    state: State,
    start_s: f64,
    remaining: Option<u64>,
}

#[derive(Clone, Debug)]
enum State {
    Poisson {
        rate: f64,
        now: f64,
    },
    Schedule {
        times: Vec<f64>,
        next: usize,
    },
    /// `position` is the last yielded order statistic of `remaining + yielded` uniforms on [0, 1].
    Burst {
        at: f64,
        spread: f64,
        remaining: u64,
        position: f64,
    },
}

impl ArrivalTimes {
    /// Next arrival time in seconds, or `None` once the process or the limit is exhausted.
    ///
    /// Times never decrease. A Poisson process with a rate that fails
    /// [`Arrivals::validate`] ends immediately instead of looping.
    pub fn next_time(&mut self, rng: &mut impl Rng) -> Option<f64> {
        if self.remaining == Some(0) {
            return None;
        }
        let t = loop {
            let t = self.state.advance(rng)?;
            if t >= self.start_s {
                break t;
            }
        };
        if let Some(left) = &mut self.remaining {
            *left -= 1;
        }
        Some(t)
    }

    /// Borrows `rng` to present the remaining times as an [`Iterator`].
    pub fn iter<'a, R: Rng>(&'a mut self, rng: &'a mut R) -> impl Iterator<Item = f64> + 'a {
        std::iter::from_fn(move || self.next_time(rng))
    }
}

impl State {
    fn advance(&mut self, rng: &mut impl Rng) -> Option<f64> {
        match self {
            State::Poisson { rate, now } => {
                if !(rate.is_finite() && *rate > 0.0) {
                    return None;
                }
                *now += rng.sample::<f64, _>(Exp1) / *rate;
                Some(*now)
            }
            State::Schedule { times, next } => {
                let t = times.get(*next).copied()?;
                *next += 1;
                Some(t)
            }
            State::Burst {
                at,
                spread,
                remaining,
                position,
            } => {
                if *remaining == 0 {
                    return None;
                }
                // The minimum of `remaining` uniforms on [position, 1] is
                // position + (1 - position)(1 - U^(1/remaining)): sorted output in O(1)
                // memory, so a burst of a billion requests needs no buffer.
                let u: f64 = rng.gen();
                let step = (1.0 - *position) * (1.0 - u.powf(1.0 / *remaining as f64));
                // Rounding must not push the window end past at + spread.
                *position = (*position + step).min(1.0);
                *remaining -= 1;
                Some(*at + *spread * *position)
            }
        }
    }
}

/// Which node a new request starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginRule {
    /// Uniformly random over all nodes.
    Uniform,
    /// Always this node.
    Node(NodeId),
    /// Uniformly random over the list entries (a node listed twice is twice as likely).
    Among(Vec<NodeId>),
}

impl OriginRule {
    /// Checks that the rule can pick a node of an `n_nodes`-node graph.
    pub fn validate(&self, n_nodes: usize) -> Result<(), String> {
        let in_range = |v: NodeId| {
            if (v as usize) < n_nodes {
                Ok(())
            } else {
                Err(format!(
                    "origin node {v} must be below the node count {n_nodes}"
                ))
            }
        };
        match self {
            OriginRule::Uniform if n_nodes == 0 => {
                Err("uniform origin needs at least one node".to_string())
            }
            OriginRule::Uniform => Ok(()),
            OriginRule::Node(v) => in_range(*v),
            OriginRule::Among(list) if list.is_empty() => {
                Err("origin list must not be empty".to_string())
            }
            OriginRule::Among(list) => list.iter().try_for_each(|&v| in_range(v)),
        }
    }

    /// Picks an origin; panics if the rule fails [`OriginRule::validate`] for `n_nodes`
    /// (an empty choice is a configuration error that validation must catch first).
    pub fn pick(&self, n_nodes: usize, rng: &mut impl Rng) -> NodeId {
        match self {
            OriginRule::Uniform => {
                assert!(n_nodes > 0, "uniform origin needs at least one node");
                // n_nodes <= NodeId::MAX for any real Graph, so the cast is lossless.
                rng.gen_range(0..n_nodes as NodeId)
            }
            OriginRule::Node(v) => *v,
            OriginRule::Among(list) => {
                assert!(!list.is_empty(), "origin list must not be empty");
                list[rng.gen_range(0..list.len())]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn poisson_inter_arrival_mean() {
        let rate = 4.0;
        let mut times = Arrivals::Poisson { rate_per_s: rate }.times(10.0, Some(100_000));
        let all: Vec<f64> = times.iter(&mut rng(1)).collect();
        assert_eq!(all.len(), 100_000);
        assert!(all.windows(2).all(|w| w[0] <= w[1]) && all[0] >= 10.0);
        let mean_gap = (all[all.len() - 1] - 10.0) / all.len() as f64;
        assert!((mean_gap * rate - 1.0).abs() < 0.02, "mean gap {mean_gap}");
    }

    #[test]
    fn schedule_yields_exactly_its_times() {
        let schedule = Arrivals::Schedule(vec![0.5, 1.0, 1.0, 7.25]);
        let all: Vec<f64> = schedule.times(0.0, None).iter(&mut rng(1)).collect();
        assert_eq!(all, vec![0.5, 1.0, 1.0, 7.25]);
        let late: Vec<f64> = schedule.times(1.0, Some(2)).iter(&mut rng(1)).collect();
        assert_eq!(late, vec![1.0, 1.0]);
    }

    #[test]
    fn burst_stays_in_its_window() {
        let burst = Arrivals::Burst {
            at_s: 3.0,
            count: 10_000,
            spread_s: 2.0,
        };
        let all: Vec<f64> = burst.times(0.0, None).iter(&mut rng(2)).collect();
        assert_eq!(all.len(), 10_000);
        assert!(all.iter().all(|&t| (3.0..=5.0).contains(&t)));
        assert!(all.windows(2).all(|w| w[0] <= w[1]));
        // Uniform order statistics: the mean should sit mid-window.
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        assert!((mean - 4.0).abs() < 0.05, "mean {mean}");
        let point = Arrivals::Burst {
            at_s: 1.0,
            count: 3,
            spread_s: 0.0,
        };
        assert_eq!(
            point.times(0.0, None).iter(&mut rng(2)).collect::<Vec<_>>(),
            vec![1.0; 3]
        );
    }

    #[test]
    fn burst_start_skips_without_shifting_later_times() {
        let burst = Arrivals::Burst {
            at_s: 0.0,
            count: 100,
            spread_s: 10.0,
        };
        let all: Vec<f64> = burst.times(0.0, None).iter(&mut rng(3)).collect();
        let late: Vec<f64> = burst.times(5.0, None).iter(&mut rng(3)).collect();
        let expected: Vec<f64> = all.into_iter().filter(|&t| t >= 5.0).collect();
        assert_eq!(late, expected);
    }

    #[test]
    fn same_seed_same_times() {
        let poisson = Arrivals::Poisson { rate_per_s: 2.0 };
        let a: Vec<f64> = poisson.times(0.0, Some(50)).iter(&mut rng(4)).collect();
        let b: Vec<f64> = poisson.times(0.0, Some(50)).iter(&mut rng(4)).collect();
        let c: Vec<f64> = poisson.times(0.0, Some(50)).iter(&mut rng(5)).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn validation_messages() {
        assert!(Arrivals::Poisson { rate_per_s: 0.0 }.validate().is_err());
        assert!(Arrivals::Poisson {
            rate_per_s: f64::INFINITY
        }
        .validate()
        .is_err());
        assert_eq!(
            Arrivals::Schedule(vec![1.0, 0.5]).validate(),
            Err("schedule[1] = 0.5 s must not be earlier than schedule[0] = 1 s".to_string())
        );
        assert!(Arrivals::Burst {
            at_s: -1.0,
            count: 1,
            spread_s: 0.0
        }
        .validate()
        .is_err());
        assert!(Arrivals::Schedule(vec![]).validate().is_ok());
        // An invalid rate ends the stream rather than spinning forever.
        let bad = Arrivals::Poisson { rate_per_s: -1.0 };
        assert_eq!(bad.times(0.0, None).next_time(&mut rng(1)), None);
    }

    #[test]
    fn origin_rules() {
        let mut r = rng(6);
        assert_eq!(OriginRule::Node(3).pick(10, &mut r), 3);
        let among = OriginRule::Among(vec![2, 7]);
        let picks: Vec<NodeId> = (0..100).map(|_| among.pick(10, &mut r)).collect();
        assert!(
            picks.contains(&2) && picks.contains(&7) && picks.iter().all(|p| [2, 7].contains(p))
        );
        let mut seen = [false; 5];
        for _ in 0..200 {
            seen[OriginRule::Uniform.pick(5, &mut r) as usize] = true;
        }
        assert_eq!(seen, [true; 5]);
        assert!(OriginRule::Node(10).validate(10).is_err());
        assert!(OriginRule::Among(vec![]).validate(10).is_err());
        assert!(OriginRule::Among(vec![1, 12]).validate(10).is_err());
        assert!(OriginRule::Uniform.validate(0).is_err());
        assert!(OriginRule::Uniform.validate(1).is_ok());
    }
}
