//! Lifetime churn: every node alternates a session up and a downtime down,
//! each length drawn on its own from the node's stream (Rhea et al., Handling
//! Churn in a DHT, 2004; OverSim's lifetime churn).
//!
//! One daemon task serves every node from one queue of the next transitions,
//! so a node costs one queue entry. Node `v`'s `k`-th period is drawn from a
//! generator keyed by the seed, `v` and `k` (even `k`: sessions, odd:
//! downtimes): nothing else is stored per node, and a node's draws do not
//! depend on any other node's.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use p2psim_runtime::{now, sleep_until, SimTime};
use rand::seq::index;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::net::Net;
use crate::observe::LogHistogram;
use crate::scenario::{LifetimeSpec, MAX_VIRTUAL_S};
use crate::seeds::{keyed, SplitMix64};

/// The key, under the churn seed, of the draw of the nodes down at the start
/// (node keys are node ids, below 2^32).
const START_KEY: u64 = u64::MAX;

/// A node's sessions and downtimes, under a seed.
#[derive(Clone, Debug)]
pub struct LifetimePlan {
    spec: LifetimeSpec,
    nodes: usize,
    seed: u64,
}

/// The sessions and downtimes drawn in a run.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// Session lengths, seconds.
    pub sessions: LogHistogram,
    /// Downtime lengths, seconds.
    pub downtimes: LogHistogram,
}

impl LifetimePlan {
    /// The plan of `spec` for `nodes` nodes; `seed` is the `Stream::Churn` seed.
    pub fn new(spec: LifetimeSpec, nodes: usize, seed: u64) -> Self {
        LifetimePlan { spec, nodes, seed }
    }

    /// The nodes down at the start, ascending: `(1 - initial_up)` of them
    /// (rounded to the nearest node), drawn from the seed.
    pub fn down_at_start(&self) -> Vec<u32> {
        let n = self.nodes.min(u32::MAX as usize);
        let down = ((1.0 - self.spec.initial_up) * n as f64).round() as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(keyed(self.seed, START_KEY));
        let mut drawn: Vec<u32> = index::sample(&mut rng, n, down.min(n))
            .into_iter()
            .map(|i| i as u32)
            .collect();
        drawn.sort_unstable();
        drawn
    }

    /// The length in seconds of node `v`'s period `k`: a session for even `k`,
    /// a downtime for odd `k`.
    pub fn period(&self, v: u32, k: u32) -> f64 {
        let d = if k % 2 == 0 {
            &self.spec.session
        } else {
            &self.spec.downtime
        };
        d.sample(&mut SplitMix64::keyed(
            keyed(self.seed, u64::from(v)),
            u64::from(k),
        ))
    }

    /// The long-run fraction of the nodes up: mean session over mean session
    /// plus mean downtime (`None` when a mean is infinite).
    pub fn expected_up_fraction(&self) -> Option<f64> {
        let (s, d) = (self.spec.session.mean(), self.spec.downtime.mean());
        let f = s / (s + d);
        (s.is_finite() && d.is_finite() && f.is_finite()).then_some(f)
    }
}

/// One node's next transition: when, which node, the period it ends.
type Transition = Reverse<(u64, u32, u32)>;

/// Moves every node through its sessions and downtimes (a daemon task).
/// `down` are the nodes down at the start ([`LifetimePlan::down_at_start`],
/// already taken down); every draw is counted in `drawn`. A period that would
/// end past the clock's range never ends.
pub fn churn<M>(net: Net<M>, plan: LifetimePlan, down: &[u32], drawn: &std::cell::RefCell<Drawn>) {
    let n = plan.nodes.min(u32::MAX as usize) as u32;
    let start = now().as_nanos();
    let mut queue: BinaryHeap<Transition> = BinaryHeap::with_capacity(n as usize);
    let next = |v: u32, k: u32, from: u64, drawn: &mut Drawn| -> Option<Transition> {
        let secs = plan.period(v, k);
        match k % 2 {
            0 => drawn.sessions.record(secs),
            _ => drawn.downtimes.record(secs),
        }
        let at = from.saturating_add(p2psim_runtime::secs_to_nanos(secs));
        (at as f64 <= MAX_VIRTUAL_S * 1e9).then_some(Reverse((at, v, k)))
    };
    {
        let mut d = drawn.borrow_mut();
        for v in 0..n {
            let first = u32::from(down.binary_search(&v).is_ok());
            queue.extend(next(v, first, start, &mut d));
        }
    }
    while let Some(Reverse((at, v, k))) = queue.pop() {
        sleep_until(SimTime::from_nanos(at));
        // A session (even period) ends in a downtime, a downtime in a session.
        net.set_up(v, k % 2 == 1);
        if let Some(t) = next(v, k.saturating_add(1), at, &mut drawn.borrow_mut()) {
            queue.push(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Distribution;
    use crate::graph::Graph;
    use crate::net::transport::Transport;
    use p2psim_runtime::{spawn_daemon, Runtime, RuntimeConfig};
    use std::cell::RefCell;
    use std::rc::Rc;

    fn spec(session: Distribution, downtime: Distribution, initial_up: f64) -> LifetimeSpec {
        LifetimeSpec {
            session,
            downtime,
            initial_up,
        }
    }

    /// Runs `plan` on its nodes for `secs`; the number of nodes up at 0.5 s,
    /// 1.5 s, ... (between transitions of whole-second periods), the network's
    /// own time-average up fraction, and what was drawn.
    fn run(plan: LifetimePlan, secs: u64) -> (Vec<usize>, f64, Drawn) {
        let nodes = plan.nodes;
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<()> = Net::new(Graph::new(nodes), Transport::constant(0.0), 1);
        let down = plan.down_at_start();
        for &v in &down {
            net.set_up(v, false);
        }
        let drawn = Rc::new(RefCell::new(Drawn::default()));
        let seen = Rc::new(RefCell::new((Vec::new(), 0.0)));
        let (n, u, d) = (net.clone(), seen.clone(), drawn.clone());
        rt.spawn("observer", move || {
            let c = n.clone();
            spawn_daemon("churn", move || churn(c, plan, &down, &d));
            for i in 0..secs {
                sleep_until(SimTime::from_secs_f64(i as f64 + 0.5));
                u.borrow_mut().0.push(n.nodes_up());
            }
            sleep_until(SimTime::from_secs_f64(secs as f64));
            u.borrow_mut().1 = n.mean_up_fraction(now()).unwrap();
        });
        rt.run().unwrap();
        let (ups, mean) = seen.take();
        let drawn = drawn.take();
        (ups, mean, drawn)
    }

    #[test]
    fn initial_up_is_honoured_exactly_and_by_the_seed() {
        let s = spec(
            Distribution::Constant(10.0),
            Distribution::Constant(5.0),
            0.3,
        );
        let plan = LifetimePlan::new(s.clone(), 1000, 4);
        let down = plan.down_at_start();
        assert_eq!(down.len(), 700);
        assert_eq!(down, LifetimePlan::new(s.clone(), 1000, 4).down_at_start());
        assert_ne!(down, LifetimePlan::new(s.clone(), 1000, 5).down_at_start());
        let (ups, _, _) = run(plan, 4);
        // Constant periods: nothing moves before 5 s.
        assert_eq!(ups, vec![300; 4]);
        let all = LifetimePlan::new(
            spec(
                Distribution::Constant(1.0),
                Distribution::Constant(1.0),
                1.0,
            ),
            10,
            4,
        );
        assert!(all.down_at_start().is_empty());
    }

    #[test]
    fn constant_periods_alternate_on_time() {
        // Up 3 s, down 2 s: a node up at the start is down over [3, 5), [8, 10), ...
        let plan = LifetimePlan::new(
            spec(
                Distribution::Constant(3.0),
                Distribution::Constant(2.0),
                1.0,
            ),
            4,
            1,
        );
        let (ups, mean, drawn) = run(plan, 10);
        assert_eq!(ups, vec![4, 4, 4, 0, 0, 4, 4, 4, 0, 0]);
        assert!((mean - 0.6).abs() < 1e-12, "{mean}");
        // Sessions from 0 and 5 (and some from 10, as the run ends), downtimes from 3 and 8.
        assert!((8..=12).contains(&drawn.sessions.count()));
        assert_eq!(drawn.downtimes.count(), 8);
        assert_eq!(drawn.sessions.spread().max, Some(3.0));
    }

    #[test]
    fn a_nodes_draws_are_its_own() {
        let s = spec(
            Distribution::Exponential {
                mean: 10.0,
                min: 0.0,
            },
            Distribution::Exponential {
                mean: 5.0,
                min: 0.0,
            },
            0.5,
        );
        let (small, big) = (
            LifetimePlan::new(s.clone(), 10, 3),
            LifetimePlan::new(s, 10_000, 3),
        );
        for v in 0..10 {
            for k in 0..5 {
                assert_eq!(small.period(v, k), big.period(v, k));
            }
        }
        assert_ne!(small.period(0, 0), small.period(1, 0));
        assert_ne!(small.period(0, 0), small.period(0, 2));
    }

    /// The long-run up fraction within 2% of session / (session + downtime),
    /// for heavy-tailed and light-tailed sessions alike.
    #[test]
    fn the_mean_up_fraction_is_session_over_session_plus_downtime() {
        let cases = [
            (
                Distribution::Exponential {
                    mean: 60.0,
                    min: 0.0,
                },
                Distribution::Exponential {
                    mean: 40.0,
                    min: 0.0,
                },
            ),
            (
                Distribution::Weibull {
                    shape: 0.6,
                    scale: 50.0,
                },
                Distribution::LogNormal {
                    mu: 3.0,
                    sigma: 1.0,
                },
            ),
            (
                Distribution::Pareto {
                    shape: 2.5,
                    scale: 30.0,
                },
                Distribution::Uniform {
                    min: 10.0,
                    max: 30.0,
                },
            ),
        ];
        for (seed, (session, downtime)) in cases.into_iter().enumerate() {
            let plan = LifetimePlan::new(spec(session, downtime, 1.0), 2_000, seed as u64);
            let expected = plan.expected_up_fraction().unwrap();
            let s = plan.spec.session.mean();
            // A hundred mean sessions: the start's transient (all up) has faded.
            let (_, mean, drawn) = run(plan, (100.0 * s) as u64);
            assert!(
                (mean - expected).abs() < 0.02 * expected,
                "case {seed}: measured {mean}, expected {expected}"
            );
            let sessions = drawn.sessions.spread();
            eprintln!(
                "case {seed}: up fraction {mean:.4}, expected {expected:.4}; mean session {:.3}, closed form {s:.3}",
                sessions.mean.unwrap()
            );
            assert!(
                (sessions.mean.unwrap() - s).abs() < 0.05 * s,
                "{sessions:?}"
            );
        }
    }
}
