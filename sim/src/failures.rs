//! Node failure: scheduled crashes and recoveries (listed per node, or drawn as
//! crash sets), and churn at Poisson rates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use p2psim_runtime::{now, sleep, sleep_until, SimTime};
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::net::Net;
use crate::scenario::{ChurnSpec, CrashSetSpec, CrashSpec, FailureSpec, SetSize, MAX_VIRTUAL_S};

/// A run's scheduled crashes: the per-node list, and the crash sets with the
/// nodes they draw from resolved against the graph.
#[derive(Clone, Debug)]
pub struct CrashPlan {
    list: Vec<CrashSpec>,
    sets: Vec<ResolvedSet>,
    seed: u64,
}

#[derive(Clone, Debug)]
struct ResolvedSet {
    spec: CrashSetSpec,
    /// The candidates, ascending.
    pool: Vec<u32>,
    /// How many of them each draw takes.
    size: usize,
}

/// Resolves `spec`'s crashes on a graph of `nodes` nodes; `seed` (the
/// `Stream::Failures` seed) decides which nodes each crash set takes. Errs
/// when a set cannot be drawn, which the load-time checks cannot see for an
/// edge list of unstated size.
pub fn resolve(spec: &FailureSpec, nodes: usize, seed: u64) -> Result<CrashPlan, String> {
    let mut sets = Vec::with_capacity(spec.crash_sets.len());
    for (i, set) in spec.crash_sets.iter().enumerate() {
        let what = format!("[failures] crash_set[{i}]");
        let mut pool: Vec<u32> = match &set.nodes {
            Some(listed) => {
                if let Some(v) = listed.iter().find(|&&v| v as usize >= nodes) {
                    return Err(format!(
                        "{what}: node {v} in `nodes` does not exist: the graph has {nodes} nodes"
                    ));
                }
                listed.clone()
            }
            None => (0..nodes.min(u32::MAX as usize) as u32).collect(),
        };
        let mut exclude = set.exclude.clone();
        exclude.sort_unstable();
        pool.retain(|v| exclude.binary_search(v).is_err());
        pool.sort_unstable();
        let size = match set.size {
            SetSize::Count(k) => k as usize,
            SetSize::Fraction(f) => (f * pool.len() as f64).round() as usize,
        };
        if size > pool.len() {
            return Err(format!(
                "{what}: count = {size} but only {} nodes can be drawn from the graph's {nodes}",
                pool.len()
            ));
        }
        sets.push(ResolvedSet {
            spec: set.clone(),
            pool,
            size,
        });
    }
    Ok(CrashPlan {
        list: spec.crashes.clone(),
        sets,
        seed,
    })
}

impl CrashPlan {
    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.sets.is_empty()
    }

    /// The nodes that crash at time 0, to take down before anything runs.
    pub fn down_at_start(&self) -> Vec<u32> {
        let mut down: Vec<u32> = self
            .list
            .iter()
            .filter(|c| c.at <= 0.0)
            .map(|c| c.node)
            .collect();
        for (i, set) in self.sets.iter().enumerate() {
            if set.spec.at <= 0.0 {
                down.extend(self.draw(i, 0));
            }
        }
        down
    }

    /// The nodes crash set `set` takes in period `period` (0 unless it repeats),
    /// ascending: a pure function of the seed, the set and the period, so each
    /// draw is the same whenever it is made and adding a set shifts no other.
    pub fn draw(&self, set: usize, period: u64) -> Vec<u32> {
        let s = &self.sets[set];
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        key[8..16].copy_from_slice(&(set as u64).to_le_bytes());
        key[16..24].copy_from_slice(&period.to_le_bytes());
        let mut rng = ChaCha8Rng::from_seed(key);
        let mut drawn: Vec<u32> = index::sample(&mut rng, s.pool.len(), s.size)
            .into_iter()
            .map(|i| s.pool[i])
            .collect();
        drawn.sort_unstable();
        drawn
    }

    /// When period `period` of set `set` crashes, or `None` past its last period.
    fn start(&self, set: usize, period: u64) -> Option<f64> {
        let spec = &self.sets[set].spec;
        match &spec.repeat {
            None => (period == 0).then_some(spec.at),
            Some(r) => {
                let t = spec.at + period as f64 * r.every;
                let ended = r.until.is_some_and(|u| t >= u) || t > MAX_VIRTUAL_S;
                (!ended).then_some(t)
            }
        }
    }

    /// When the nodes of period `period` of set `set` (crashed at `start`) recover.
    fn recovery(&self, set: usize, start: f64) -> Option<f64> {
        let spec = &self.sets[set].spec;
        match &spec.repeat {
            None => spec.recover,
            Some(r) => Some(start + r.down_for),
        }
    }
}

/// A crash or recovery of some nodes. Ordered by time, then by where it comes
/// from (list entries in file order, then crash sets), then period, crashes
/// before recoveries: the first four fields are unique, so `nodes` never decides.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    at: SimTime,
    source: usize,
    period: u64,
    up: bool,
    nodes: Vec<u32>,
}

/// Applies scheduled crashes and recoveries (runs as a daemon task). A node is
/// down while any crash window holds it: in two overlapping windows (two list
/// entries, or two sets that drew it) it comes back at the later recovery, and
/// a permanent crash keeps it down. Churn moves nodes on its own.
pub fn crashes<M>(net: Net<M>, plan: CrashPlan) {
    let mut holds = vec![0u32; net.node_count()];
    let mut events = BinaryHeap::new();
    for (i, c) in plan.list.iter().enumerate() {
        let at = |t: f64| SimTime::from_secs_f64(t);
        let event = |t, up| {
            Reverse(Event {
                at: at(t),
                source: i,
                period: 0,
                up,
                nodes: vec![c.node],
            })
        };
        events.push(event(c.at, false));
        if let Some(r) = c.recover {
            events.push(event(r, true));
        }
    }
    let sets_from = plan.list.len();
    let crash_of = |set: usize, period: u64| {
        plan.start(set, period).map(|t| {
            Reverse(Event {
                at: SimTime::from_secs_f64(t),
                source: sets_from + set,
                period,
                up: false,
                nodes: plan.draw(set, period),
            })
        })
    };
    events.extend((0..plan.sets.len()).filter_map(|set| crash_of(set, 0)));
    while let Some(Reverse(e)) = events.pop() {
        sleep_until(e.at.max(now()));
        for &node in &e.nodes {
            // An id past the graph (an edge list of unstated size) is nobody.
            let Some(h) = holds.get_mut(node as usize) else {
                continue;
            };
            if e.up {
                *h = h.saturating_sub(1);
                if *h == 0 {
                    net.set_up(node, true);
                }
            } else {
                *h += 1;
                net.set_up(node, false);
            }
        }
        if e.up || e.source < sets_from {
            continue;
        }
        // A set's crash schedules its recovery and, when repeating, the next draw.
        let set = e.source - sets_from;
        let start = plan
            .start(set, e.period)
            .expect("a crash that fired has a start");
        if let Some(r) = plan.recovery(set, start) {
            events.push(Reverse(Event {
                at: SimTime::from_secs_f64(r),
                source: e.source,
                period: e.period,
                up: true,
                nodes: e.nodes,
            }));
        }
        if plan.sets[set].spec.repeat.is_some() {
            events.extend(crash_of(set, e.period + 1));
        }
    }
}

/// Churn: nodes leave and join at network-wide Poisson rates (a daemon task).
/// A leave picks a random up node (never below `min_alive` up); a join a random down one.
pub fn churn<M>(net: Net<M>, spec: ChurnSpec, seed: u64) {
    let total = spec.leave_rate + spec.join_rate;
    if total <= 0.0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = net.node_count();
    loop {
        let u: f64 = rng.gen();
        // A gap past the clock's end saturates there: the daemon sleeps out the run.
        let gap = Duration::try_from_secs_f64(-(1.0 - u).ln() / total);
        sleep(gap.unwrap_or(Duration::MAX));
        let leave = rng.gen::<f64>() < spec.leave_rate / total;
        let want_up = !leave;
        if leave && net.nodes_up() <= spec.min_alive as usize {
            continue;
        }
        let candidates: Vec<u32> = (0..n as u32).filter(|&v| net.is_up(v) != want_up).collect();
        if candidates.is_empty() {
            continue;
        }
        let v = candidates[rng.gen_range(0..candidates.len())];
        net.set_up(v, want_up);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::net::transport::Transport;
    use crate::scenario::RepeatSpec;
    use p2psim_runtime::{spawn_daemon, Runtime, RuntimeConfig};
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn crash_and_recovery_happen_at_their_times() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<()> = Net::new(Graph::new(3), Transport::constant(0.0), 1);
        let n = net.clone();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        rt.spawn("probe", move || {
            let probe = n.clone();
            let spec = FailureSpec {
                crashes: vec![CrashSpec {
                    node: 1,
                    at: 1.0,
                    recover: Some(2.0),
                }],
                ..FailureSpec::default()
            };
            let plan = resolve(&spec, 3, 1).unwrap();
            spawn_daemon("crashes", move || crashes(probe, plan));
            for t in [0.5, 1.5, 2.5] {
                sleep_until(SimTime::from_secs_f64(t));
                s.borrow_mut().push(n.is_up(1));
            }
        });
        rt.run().unwrap();
        assert_eq!(*seen.borrow(), vec![true, false, true]);
    }

    fn set(size: SetSize, at: f64, recover: Option<f64>) -> CrashSetSpec {
        CrashSetSpec {
            size,
            at,
            recover,
            repeat: None,
            nodes: None,
            exclude: Vec::new(),
        }
    }

    fn sets(sets: Vec<CrashSetSpec>) -> FailureSpec {
        FailureSpec {
            crash_sets: sets,
            ..FailureSpec::default()
        }
    }

    /// Runs `plan` on `n` nodes; the nodes down at each of `times` (seconds).
    fn down_at(n: usize, plan: CrashPlan, times: &[f64]) -> Vec<Vec<u32>> {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<()> = Net::new(Graph::new(n), Transport::constant(0.0), 1);
        for v in plan.down_at_start() {
            net.set_up(v, false);
        }
        let seen = Rc::new(RefCell::new(Vec::new()));
        let (s, probe, times) = (seen.clone(), net.clone(), times.to_vec());
        rt.spawn("probe", move || {
            let daemon = probe.clone();
            spawn_daemon("crashes", move || crashes(daemon, plan));
            for t in times {
                sleep_until(SimTime::from_secs_f64(t));
                let down = (0..n as u32).filter(|&v| !probe.is_up(v)).collect();
                s.borrow_mut().push(down);
            }
        });
        rt.run().unwrap();
        seen.take()
    }

    #[test]
    fn a_crash_set_takes_exactly_count_distinct_nodes_until_it_recovers() {
        let spec = sets(vec![set(SetSize::Count(3), 1.0, Some(2.0))]);
        let plan = resolve(&spec, 10, 99).unwrap();
        let drawn = plan.draw(0, 0);
        let seen = down_at(10, plan, &[0.5, 1.5, 2.5]);
        assert_eq!(seen[0], Vec::<u32>::new());
        assert_eq!(seen[1].len(), 3);
        assert_eq!(seen[1], drawn);
        assert_eq!(seen[2], Vec::<u32>::new());
    }

    #[test]
    fn draws_are_deterministic_and_follow_the_seed() {
        let spec = sets(vec![
            set(SetSize::Count(5), 1.0, None),
            set(SetSize::Fraction(0.5), 1.0, None),
        ]);
        let a = resolve(&spec, 40, 7).unwrap();
        let b = resolve(&spec, 40, 7).unwrap();
        assert_eq!(a.draw(0, 0), b.draw(0, 0));
        assert_eq!(a.draw(1, 0).len(), 20);
        let mut d = a.draw(1, 0);
        d.dedup();
        assert_eq!(d.len(), 20, "distinct within a set");
        // Another seed, another draw (for at least one of a few seeds).
        assert!((8..12).any(|s| resolve(&spec, 40, s).unwrap().draw(0, 0) != a.draw(0, 0)));
        // Adding a set leaves the first set's draw alone.
        let mut more = spec.clone();
        more.crash_sets.push(set(SetSize::Count(1), 0.0, None));
        assert_eq!(resolve(&more, 40, 7).unwrap().draw(0, 0), a.draw(0, 0));
    }

    #[test]
    fn nodes_and_exclude_bound_the_draw() {
        let mut s = set(SetSize::Count(9), 1.0, None);
        s.exclude = vec![0];
        let plan = resolve(&sets(vec![s]), 10, 3).unwrap();
        assert_eq!(plan.draw(0, 0), (1..10).collect::<Vec<u32>>());
        let mut s = set(SetSize::Fraction(1.0), 1.0, None);
        s.nodes = Some(vec![7, 2, 5]);
        s.exclude = vec![5];
        assert_eq!(
            resolve(&sets(vec![s]), 10, 3).unwrap().draw(0, 0),
            vec![2, 7]
        );
    }

    #[test]
    fn sets_that_cannot_be_drawn_on_the_graph_are_errors() {
        // What load cannot check: an edge list of unstated size.
        let e = resolve(&sets(vec![set(SetSize::Count(4), 1.0, None)]), 3, 1).unwrap_err();
        assert!(e.contains("crash_set[0]") && e.contains("count = 4"), "{e}");
        let mut s = set(SetSize::Count(1), 1.0, None);
        s.nodes = Some(vec![1, 8]);
        let e = resolve(&sets(vec![s]), 5, 1).unwrap_err();
        assert!(e.contains("node 8"), "{e}");
    }

    #[test]
    fn sets_at_zero_are_down_before_anything_runs() {
        let spec = FailureSpec {
            crashes: vec![CrashSpec {
                node: 4,
                at: 0.0,
                recover: None,
            }],
            crash_sets: vec![set(SetSize::Count(2), 0.0, Some(1.0))],
            churn: None,
        };
        let plan = resolve(&spec, 10, 5).unwrap();
        let mut expect = vec![4];
        expect.extend(plan.draw(0, 0));
        assert_eq!(plan.down_at_start(), expect);
    }

    #[test]
    fn a_repeating_set_draws_afresh_each_period() {
        let mut s = set(SetSize::Count(2), 1.0, None);
        s.repeat = Some(RepeatSpec {
            every: 10.0,
            down_for: 4.0,
            until: Some(41.5),
        });
        let plan = resolve(&sets(vec![s]), 30, 11).unwrap();
        let draws: Vec<Vec<u32>> = (0..5).map(|p| plan.draw(0, p)).collect();
        let times: Vec<f64> = (0..6)
            .flat_map(|p| [p as f64 * 10.0 + 3.0, p as f64 * 10.0 + 7.0])
            .collect();
        let seen = down_at(30, plan, &times);
        for p in 0..6 {
            let (during, after) = (&seen[2 * p], &seen[2 * p + 1]);
            if p < 5 {
                assert_eq!(during, &draws[p], "period {p}");
            } else {
                assert!(during.is_empty(), "no draw starts at or after until");
            }
            assert!(after.is_empty(), "period {p} is back up after `for`");
        }
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn a_node_in_overlapping_windows_is_back_at_the_later_recovery() {
        let crash = |at, recover| CrashSpec {
            node: 2,
            at,
            recover,
        };
        let spec = FailureSpec {
            crashes: vec![crash(1.0, Some(5.0)), crash(2.0, Some(3.0))],
            ..FailureSpec::default()
        };
        let seen = down_at(4, resolve(&spec, 4, 0).unwrap(), &[1.5, 2.5, 4.0, 6.0]);
        assert_eq!(seen, vec![vec![2], vec![2], vec![2], vec![]]);
        // A permanent crash outlasts a window around it.
        let spec = FailureSpec {
            crashes: vec![crash(1.0, Some(5.0)), crash(2.0, None)],
            ..FailureSpec::default()
        };
        let seen = down_at(4, resolve(&spec, 4, 0).unwrap(), &[6.0]);
        assert_eq!(seen, vec![vec![2]]);
        // A set that drew every node, ending inside a list entry's window.
        let spec = FailureSpec {
            crashes: vec![crash(1.0, Some(5.0))],
            crash_sets: vec![set(SetSize::Fraction(1.0), 0.5, Some(2.0))],
            churn: None,
        };
        let seen = down_at(4, resolve(&spec, 4, 0).unwrap(), &[1.5, 3.0, 6.0]);
        assert_eq!(seen, vec![vec![0, 1, 2, 3], vec![2], vec![]]);
    }

    #[test]
    fn churn_keeps_min_alive_and_moves_nodes() {
        let mut rt = Runtime::new(RuntimeConfig::default());
        let net: Net<()> = Net::new(Graph::new(50), Transport::constant(0.0), 1);
        let n = net.clone();
        let lows = Rc::new(RefCell::new(Vec::new()));
        let l = lows.clone();
        rt.spawn("observer", move || {
            let c = n.clone();
            spawn_daemon("churn", move || {
                churn(
                    c,
                    ChurnSpec {
                        leave_rate: 5.0,
                        join_rate: 1.0,
                        min_alive: 10,
                    },
                    7,
                )
            });
            for _ in 0..100 {
                sleep(Duration::from_secs(1));
                l.borrow_mut().push(n.nodes_up());
            }
        });
        rt.run().unwrap();
        let lows = lows.borrow();
        assert!(lows.iter().all(|&u| u >= 10), "{lows:?}");
        assert!(lows.iter().any(|&u| u < 50));
        // Leaves outpace joins: the network settles near min_alive.
        assert!(*lows.last().unwrap() < 20);
    }
}
