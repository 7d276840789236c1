//! Push gossip. A rumour starts at the request's origin. Every node that hears it
//! for the first time waits a random forwarding delay, then pushes it to `fanout`
//! random neighbours (never back to the node it heard it from); a node that hears
//! it again drops the copy. Nodes know only their neighbours in the overlay (a
//! partial view, as in real P2P gossip), so the topology shapes the spread.
//! After `horizon` seconds the rumour is counted: its coverage (the fraction of
//! nodes that heard it) and how long it took to reach 99% of them.
//!
//! An observer samples the latest rumour's coverage over virtual time into
//! `gossip.csv`.
//!
//! ```text
//! cargo run --release --example gossip -- run examples/gossip.toml
//! cargo run --release --example gossip -- sweep examples/gossip.toml \
//!     --param mechanism.fanout=2,4,8 --seeds 1..5 --plot gossip.coverage
//! ```

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::Duration;

use p2psim::runtime::{now, sleep, sleep_until, SimTime};
use p2psim::sim::graph::NodeId;
use p2psim::sim::observe::{Observer, Series, Snapshot, TimeSeries};
use p2psim::sim::scenario::{Params, Scenario, ScenarioError};
use p2psim::sim::{request_kinds, Ctx, Incoming, Mechanism, Request, RequestOutcome};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The allocator of the `p2psim` binary, for the same speed.
#[global_allocator]
static ALLOC: p2psim::Allocator = p2psim::Allocator;

/// The whole p2psim command line (run, validate, check, replay, sweep, plot,
/// bench), with gossip beside the shipped mechanisms.
fn main() {
    p2psim::cli::main(p2psim::mechanisms![Gossip])
}

/// The one message: a copy of a rumour.
#[derive(Clone, Debug)]
pub struct Push {
    /// The rumour (the id of the request that started it).
    pub rumour: u64,
}

request_kinds! {
    /// What gossip serves: spreading one new rumour from the origin.
    pub enum GossipRequest { Spread = "spread" }
}

/// Parameters of gossip, from `[mechanism]`.
#[derive(Clone, Debug)]
pub struct GossipParams {
    /// Neighbours a node pushes a rumour to.
    pub fanout: usize,
    /// A node waits a delay drawn uniformly from `[0, max_delay]` before it pushes.
    pub max_delay: Duration,
    /// How long a rumour spreads before it is counted.
    pub horizon: Duration,
}

/// Gossip's figures in `summary.json` (section `gossip`).
#[derive(Clone, Debug, Serialize)]
pub struct GossipReport {
    /// Neighbours a node pushes a rumour to.
    pub fanout: usize,
    /// Rumours counted.
    pub rumours: usize,
    /// Mean fraction of the nodes a rumour reached by its horizon.
    pub coverage: Option<f64>,
    /// The smallest fraction a rumour reached.
    pub coverage_min: Option<f64>,
    /// Rumours that reached 99% of the nodes (the requests that succeeded).
    pub reached_99: usize,
    /// Mean seconds to reach 99% of the nodes, over the rumours that did.
    pub t99_s: Option<f64>,
}

/// What is known of one rumour while it spreads.
struct Spread {
    started: SimTime,
    /// Whether each node has heard it.
    heard: Vec<bool>,
    informed: usize,
    /// How long it took to reach 99% of the nodes, once it has.
    t99: Option<Duration>,
}

/// The push-gossip mechanism.
pub struct Gossip {
    params: GossipParams,
    /// Every rumour started, by id.
    spreads: RefCell<HashMap<u64, Spread>>,
    /// The rumour started last (the one the observer samples).
    latest: Cell<Option<u64>>,
    /// Each counted rumour's coverage and time to 99%.
    counted: RefCell<Vec<(f64, Option<Duration>)>>,
}

impl Gossip {
    /// Marks that `node` heard `rumour`; false if it had heard it already.
    fn hear(&self, rumour: u64, node: NodeId) -> bool {
        let mut spreads = self.spreads.borrow_mut();
        let s = spreads
            .get_mut(&rumour)
            .expect("a rumour is known from its start");
        if std::mem::replace(&mut s.heard[node as usize], true) {
            return false;
        }
        s.informed += 1;
        if s.t99.is_none() && s.informed * 100 >= s.heard.len() * 99 {
            s.t99 = Some(now() - s.started);
        }
        true
    }

    /// `node` waits its forwarding delay, then pushes `rumour` to `fanout`
    /// random neighbours other than `from`.
    fn forward(&self, ctx: &Ctx<Self>, node: NodeId, rumour: u64, from: Option<NodeId>) {
        let delay = self.params.max_delay.mul_f64(ctx.rng().gen());
        sleep(delay);
        let peers: Vec<NodeId> = ctx
            .net
            .neighbors(node)
            .into_iter()
            .filter(|&n| Some(n) != from)
            .collect();
        let targets: Vec<NodeId> = peers
            .choose_multiple(&mut *ctx.rng(), self.params.fanout)
            .copied()
            .collect();
        for to in targets {
            ctx.net.send(node, to, Push { rumour });
        }
    }

    /// The latest rumour: its id, when it started and the fraction of nodes
    /// that have heard it so far.
    fn latest(&self) -> Option<(u64, SimTime, f64)> {
        let rumour = self.latest.get()?;
        let spreads = self.spreads.borrow();
        let s = &spreads[&rumour];
        Some((rumour, s.started, s.informed as f64 / s.heard.len() as f64))
    }
}

impl Mechanism for Gossip {
    const KIND: &'static str = "gossip";
    type Params = GossipParams;
    type Request = GossipRequest;
    type Msg = Push;
    type Report = GossipReport;

    fn params(p: &Params, _scenario: &Scenario) -> Result<GossipParams, ScenarioError> {
        Ok(GossipParams {
            fanout: p.usize_in("fanout", 4, 1, 1_000)?,
            max_delay: Duration::from_secs_f64(p.f64_in("max_delay", 0.1, 0.0, 3600.0)?),
            horizon: Duration::from_secs_f64(p.f64_in("horizon", 10.0, 0.0, 1e6)?),
        })
    }

    fn new(params: GossipParams) -> Self {
        Gossip {
            params,
            spreads: RefCell::new(HashMap::new()),
            latest: Cell::new(None),
            counted: RefCell::new(Vec::new()),
        }
    }

    fn handle(&self, ctx: &Ctx<Self>, m: Incoming<Push>) {
        let rumour = m.msg.rumour;
        if self.hear(rumour, m.to) {
            self.forward(ctx, m.to, rumour, Some(m.from));
        }
    }

    fn request(&self, ctx: &Ctx<Self>, req: &Request<GossipRequest>) -> RequestOutcome {
        let (rumour, started) = (req.id, now());
        let spread = Spread {
            started,
            heard: vec![false; ctx.net.node_count()],
            informed: 0,
            t99: None,
        };
        self.spreads.borrow_mut().insert(rumour, spread);
        self.latest.set(Some(rumour));
        self.hear(rumour, req.origin);
        self.forward(ctx, req.origin, rumour, None);
        // The rumour spreads on its own; count it at the horizon. (Its state
        // stays, so that a copy still in flight finds it.)
        sleep_until(started + self.params.horizon);
        let spreads = self.spreads.borrow();
        let s = &spreads[&rumour];
        let coverage = s.informed as f64 / s.heard.len() as f64;
        self.counted.borrow_mut().push((coverage, s.t99));
        RequestOutcome::from_success(s.t99.is_some())
    }

    fn report(&self) -> GossipReport {
        let counted = self.counted.borrow();
        let coverages = || counted.iter().map(|(c, _)| *c);
        let t99s = || {
            counted
                .iter()
                .filter_map(|&(_, t)| t)
                .map(|t| t.as_secs_f64())
        };
        GossipReport {
            fanout: self.params.fanout,
            rumours: counted.len(),
            coverage: mean(coverages()),
            coverage_min: coverages().reduce(f64::min),
            reached_99: t99s().count(),
            t99_s: mean(t99s()),
        }
    }

    fn headline(r: &GossipReport) -> Option<String> {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
        Some(format!(
            "fanout {}: coverage {} (min {}); {} of {} rumours reached 99%, in {} s",
            r.fanout,
            show(r.coverage),
            show(r.coverage_min),
            r.reached_99,
            r.rumours,
            show(r.t99_s)
        ))
    }

    fn observers(self: &Rc<Self>) -> Vec<Box<dyn Observer>> {
        vec![Box::new(CoverageCurve {
            gossip: self.clone(),
            series: TimeSeries::new("gossip", &["rumour", "coverage"]),
            crossings: BTreeMap::new(),
        })]
    }
}

/// Samples the latest rumour's coverage over virtual time (`gossip.csv`) and
/// notes when the samples first showed it past half and 90% of the nodes
/// (section `gossip_curve`: at the resolution of `sample_interval`, where the
/// mechanism's own `t99_s` is exact).
pub struct CoverageCurve {
    gossip: Rc<Gossip>,
    series: TimeSeries,
    /// Per rumour: seconds from its start to the first sample at 50% and at 90%.
    crossings: BTreeMap<u64, [Option<f64>; 2]>,
}

impl Observer for CoverageCurve {
    fn on_sample(&mut self, s: &Snapshot) {
        let Some((rumour, started, coverage)) = self.gossip.latest() else {
            return;
        };
        self.series.push(s.time, &[rumour as f64, coverage]);
        let seen = self.crossings.entry(rumour).or_default();
        for (level, at) in [0.5, 0.9].into_iter().zip(seen) {
            if coverage >= level && at.is_none() {
                *at = Some((s.time - started).as_secs_f64());
            }
        }
    }

    fn coarsen(&mut self, every: Duration) {
        self.series.coarsen(every);
    }

    fn summarize(&self, out: &mut Map<String, Value>) {
        // Not under `gossip`: that section is the mechanism's report.
        let mean_at = |i: usize| mean(self.crossings.values().filter_map(|c| c[i]));
        out.insert(
            "gossip_curve".to_string(),
            json!({ "rows": self.series.len(), "t50_s": mean_at(0), "t90_s": mean_at(1) }),
        );
    }

    fn series(&self) -> Option<Series> {
        Some(self.series.to_series())
    }
}

/// The mean, if there is anything to average.
fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p2psim::sim::engine::run_scenario;
    use p2psim::sim::scenario::load_file;
    use p2psim::sweep::grid::{points, Param};
    use p2psim::sweep::row::{Base, Outcome};
    use p2psim::sweep::runner::run_all;

    const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/gossip.toml");

    /// The example's own scenario on 300 nodes, with `extra` overrides.
    fn run(extra: &[&str]) -> p2psim::sim::engine::RunOutput<GossipReport> {
        let mut set = vec!["topology.nodes=300".to_string()];
        set.extend(extra.iter().map(|s| s.to_string()));
        let scenario = load_file(SCENARIO.as_ref(), &set).expect("the scenario loads");
        run_scenario::<Gossip>(&scenario).expect("the run succeeds")
    }

    #[test]
    fn fanout_4_reaches_nearly_everyone_and_fanout_1_does_not() {
        let wide = run(&["mechanism.fanout=4"]);
        let narrow = run(&["mechanism.fanout=1"]);
        let (w, n) = (
            wide.report.coverage.unwrap(),
            narrow.report.coverage.unwrap(),
        );
        assert!(w > 0.95, "fanout 4: coverage {w}");
        assert!(n < 0.5, "fanout 1: coverage {n}");
        assert!(wide.report.rumours > 0);
        // The curve is written, and its summary is there.
        let curve = wide.series.iter().find(|s| s.name == "gossip").unwrap();
        assert_eq!(curve.columns, ["time_s", "rumour", "coverage"]);
        assert!(
            wide.summary.sections["gossip_curve"]["t50_s"]
                .as_f64()
                .unwrap()
                > 0.0
        );
    }

    #[test]
    fn a_sweep_over_fanout_reports_gossip_coverage() {
        let base = Base {
            path: SCENARIO.into(),
            fixed: vec!["topology.nodes=200".into()],
            loads: 1,
        };
        let grid = points(&[Param::parse("mechanism.fanout=2,8").unwrap()]);
        let rows = run_all(
            &p2psim::mechanisms![Gossip],
            &base,
            &grid,
            &[Some(1), Some(2)],
            1,
            |_| {},
        );
        assert_eq!(rows.len(), 4);
        for r in &rows {
            assert_eq!(r.outcome, Outcome::Ok, "{}", r.report);
        }
        let coverage = |r: &p2psim::sweep::row::Row| r.metrics["gossip.coverage"];
        assert!(
            coverage(&rows[0]) < coverage(&rows[2]),
            "fanout 8 covers more"
        );
    }
}
