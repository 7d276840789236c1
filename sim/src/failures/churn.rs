//! The churn a scenario asks for: its nodes down before anything runs, its
//! daemon, and what it did.

use std::cell::RefCell;
use std::rc::Rc;

use p2psim_runtime::{spawn_daemon, SimTime};

use crate::failures::lifetime::{self, Drawn, LifetimePlan};
use crate::failures::poisson;
use crate::net::Net;
use crate::scenario::{ChurnSpec, PoissonChurnSpec};
use crate::summary::ChurnFigures;

/// A run's churn.
#[derive(Clone, Debug)]
pub enum Churn {
    /// No churn.
    None,
    /// One network-wide Poisson stream, with its seed.
    Poisson(PoissonChurnSpec, u64),
    /// Every node's own sessions and downtimes.
    Lifetime {
        /// The draws.
        plan: LifetimePlan,
        /// The nodes down at the start, ascending.
        down: Rc<[u32]>,
        /// What was drawn, as the run goes.
        drawn: Rc<RefCell<Drawn>>,
    },
}

impl Churn {
    /// The churn `spec` asks for on `nodes` nodes; `seed` is the `Stream::Churn` seed.
    pub fn new(spec: Option<&ChurnSpec>, nodes: usize, seed: u64) -> Self {
        match spec {
            None => Churn::None,
            Some(ChurnSpec::Poisson(p)) => Churn::Poisson(p.clone(), seed),
            Some(ChurnSpec::Lifetime(l)) => {
                let plan = LifetimePlan::new(l.clone(), nodes, seed);
                Churn::Lifetime {
                    down: plan.down_at_start().into(),
                    plan,
                    drawn: Rc::default(),
                }
            }
        }
    }

    /// The nodes to take down before anything runs.
    pub fn down_at_start(&self) -> &[u32] {
        match self {
            Churn::Lifetime { down, .. } => down,
            _ => &[],
        }
    }

    /// Starts its daemon task (call it in a task, after `down_at_start`'s nodes went down).
    pub fn start<M>(&self, net: &Net<M>) {
        let net = net.clone();
        match self.clone() {
            Churn::None => {}
            Churn::Poisson(spec, seed) => {
                spawn_daemon("churn", move || poisson::churn(net, spec, seed));
            }
            Churn::Lifetime { plan, down, drawn } => {
                spawn_daemon("churn", move || lifetime::churn(net, plan, &down, &drawn));
            }
        }
    }

    /// What it did by `end`; `initial_up` nodes were up at the start.
    pub fn figures<M>(
        &self,
        net: &Net<M>,
        end: SimTime,
        initial_up: usize,
    ) -> Option<ChurnFigures> {
        let nodes = net.node_count();
        let mut figures = ChurnFigures {
            mean_up_fraction: net.mean_up_fraction(end),
            initial_up_fraction: (nodes > 0).then(|| initial_up as f64 / nodes as f64),
            ..ChurnFigures::default()
        };
        match self {
            Churn::None => return None,
            Churn::Poisson(..) => figures.kind = "poisson".to_string(),
            Churn::Lifetime { plan, drawn, .. } => {
                let drawn = drawn.borrow();
                figures.kind = "lifetime".to_string();
                figures.expected_up_fraction = plan.expected_up_fraction();
                figures.sessions_s = Some(drawn.sessions.spread());
                figures.downtimes_s = Some(drawn.downtimes.spread());
            }
        }
        Some(figures)
    }
}
