//! The parameters of `[mechanism] kind = "fada"`: the defaults every node uses and
//! `[[mechanism.node_policy]]` overrides for chosen nodes.

use std::time::Duration;

use p2psim_sim::graph::NodeId;
use p2psim_sim::scenario::{Params, ScenarioError};

use super::bootstrap::{BootstrapSpec, BOOTSTRAP_NAMES};
use super::neighbours::{NeighbourSpec, NEIGHBOUR_NAMES};
use super::propagation::{PropagationSpec, PROPAGATION_NAMES};
use super::rewiring::{RewiringSpec, REWIRING_NAMES};

/// The policies of one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolicySpec {
    /// How its clients find their first node.
    pub bootstrap: BootstrapSpec,
    /// Which neighbours it extends searches to.
    pub neighbours: NeighbourSpec,
    /// How it extends them.
    pub propagation: PropagationSpec,
    /// How it rewires after a fruitful lookup it started.
    pub rewiring: RewiringSpec,
}

/// Nodes whose policies differ from the defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct NodePolicy {
    /// Which nodes: listed ones, or a seeded random fraction of all.
    pub nodes: NodeChoice,
    /// Their policies.
    pub policy: PolicySpec,
}

/// The nodes a `[[mechanism.node_policy]]` entry applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeChoice {
    /// These nodes.
    Listed(Vec<NodeId>),
    /// This fraction of all nodes, drawn with the mechanism's seed.
    Fraction(f64),
}

/// Parameters of the FADA mechanism.
#[derive(Clone, Debug, PartialEq)]
pub struct FadaParams {
    /// Hops a search travels.
    pub ttl: u32,
    /// Distinct item ids; lookups and registrations draw from `0..catalogue`.
    pub catalogue: u32,
    /// Nodes holding each item for the whole run, drawn at install.
    pub replicas: usize,
    /// The lease of a registered item.
    pub lease: Duration,
    /// How long a node remembers a search id.
    pub seen_expiry: Duration,
    /// How long a client waits for the node it bootstrapped to.
    pub client_timeout: Duration,
    /// Every node's policies unless overridden.
    pub default: PolicySpec,
    /// Overrides, later entries winning.
    pub node_policy: Vec<NodePolicy>,
}

/// The raw policy keys, so an override inherits what it does not set.
#[derive(Clone, Debug)]
struct Knobs {
    bootstrap: String,
    bootstrap_node: u64,
    bootstrap_sample: usize,
    neighbours: String,
    k: usize,
    propagation: String,
    call_timeout: f64,
    timeout: f64,
    wanted: u64,
    rewiring: String,
    degree_cap: usize,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            bootstrap: "at_client".into(),
            bootstrap_node: 0,
            bootstrap_sample: 8,
            neighbours: "all".into(),
            k: 3,
            propagation: "async".into(),
            call_timeout: 5.0,
            timeout: 2.0,
            wanted: 0,
            rewiring: "none".into(),
            degree_cap: 10,
        }
    }
}

impl Knobs {
    fn read(p: &Params, base: &Knobs, nodes: Option<usize>) -> Result<Knobs, ScenarioError> {
        let max_node = nodes.map_or(u64::from(u32::MAX), |n| n.saturating_sub(1) as u64);
        Ok(Knobs {
            bootstrap: p.choice("bootstrap", &base.bootstrap, BOOTSTRAP_NAMES)?,
            bootstrap_node: p.u64_in("bootstrap_node", base.bootstrap_node, 0, max_node)?,
            bootstrap_sample: p.usize_in("bootstrap_sample", base.bootstrap_sample, 1, 1 << 20)?,
            neighbours: p.choice("neighbours", &base.neighbours, NEIGHBOUR_NAMES)?,
            k: p.usize_in("k", base.k, 1, 1 << 20)?,
            propagation: p.choice("propagation", &base.propagation, PROPAGATION_NAMES)?,
            call_timeout: p.f64_in("call_timeout", base.call_timeout, 0.0, 1e9)?,
            timeout: p.f64_in("timeout", base.timeout, 0.0, 1e9)?,
            wanted: p.u64("wanted", base.wanted)?,
            rewiring: p.choice("rewiring", &base.rewiring, REWIRING_NAMES)?,
            degree_cap: p.usize_in("degree_cap", base.degree_cap, 1, 1 << 30)?,
        })
    }

    fn policy(&self) -> PolicySpec {
        let secs = Duration::from_secs_f64;
        let (k, call) = (self.k, secs(self.call_timeout));
        let wanted = match self.wanted {
            0 => usize::MAX,
            w => w as usize,
        };
        PolicySpec {
            bootstrap: match self.bootstrap.as_str() {
                "at_client" => BootstrapSpec::AtClient,
                "uniform" => BootstrapSpec::Uniform,
                "well_known" => BootstrapSpec::WellKnown(self.bootstrap_node as NodeId),
                _ => BootstrapSpec::LowestLatency(self.bootstrap_sample, call),
            },
            neighbours: match self.neighbours.as_str() {
                "all" => NeighbourSpec::All,
                "all_but_sender" => NeighbourSpec::AllButSender,
                "random" => NeighbourSpec::Random(k),
                "highest_degree" => NeighbourSpec::HighestDegree(k),
                _ => NeighbourSpec::LowestDegree(k),
            },
            propagation: match self.propagation.as_str() {
                "sequential" => PropagationSpec::Sequential(call),
                "parallel" => PropagationSpec::Parallel(call),
                _ => PropagationSpec::Async(secs(self.timeout), wanted),
            },
            rewiring: match self.rewiring.as_str() {
                "none" => RewiringSpec::None,
                "responders" => RewiringSpec::Responders,
                _ => RewiringSpec::LowDegree(self.degree_cap),
            },
        }
    }
}

impl FadaParams {
    /// Reads and checks `[mechanism]` (`nodes`: the network size, if known).
    pub fn from_params(p: &Params, nodes: Option<usize>) -> Result<Self, ScenarioError> {
        let ttl = p.u64_in("ttl", 5, 1, 64)? as u32;
        let catalogue = p.u64_in("catalogue", 100, 1, u64::from(u32::MAX))? as u32;
        let replicas = p.usize_in("replicas", 1, 0, nodes.unwrap_or(usize::MAX))?;
        let lease = p.seconds("lease", 60.0, 1e9)?;
        let seen_expiry = p.seconds("seen_expiry", 30.0, 1e9)?;
        let client_timeout = p.seconds("client_timeout", 60.0, 1e9)?;
        let knobs = Knobs::read(p, &Knobs::default(), nodes)?;
        let mut node_policy = Vec::new();
        for o in p.table_list("node_policy")? {
            let listed = o.list_u32("nodes")?;
            let fraction = o.opt_f64("fraction")?;
            let choice = match (listed.is_empty(), fraction) {
                (false, None) => NodeChoice::Listed(listed),
                (true, Some(f)) if (0.0..=1.0).contains(&f) => NodeChoice::Fraction(f),
                (true, Some(_)) => {
                    return Err(o.error("fraction", "fraction must be in [0, 1]", ""))
                }
                _ => {
                    return Err(o.error(
                        "nodes",
                        "a node_policy needs either `nodes` or `fraction`",
                        "add `nodes = [0, 1]` or `fraction = 0.5`",
                    ))
                }
            };
            if let (NodeChoice::Listed(v), Some(n)) = (&choice, nodes) {
                if let Some(bad) = v.iter().find(|&&x| x as usize >= n) {
                    return Err(o.error("nodes", format!("node {bad} is not below {n}"), ""));
                }
            }
            let policy = Knobs::read(&o, &knobs, nodes)?.policy();
            o.finish()?;
            node_policy.push(NodePolicy {
                nodes: choice,
                policy,
            });
        }
        p.finish()?;
        Ok(FadaParams {
            ttl,
            catalogue,
            replicas,
            lease,
            seen_expiry,
            client_timeout,
            default: knobs.policy(),
            node_policy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<FadaParams, ScenarioError> {
        let p = Params::from_toml_str(text, "t", "mechanism")?;
        FadaParams::from_params(&p, Some(10))
    }

    #[test]
    fn overrides_inherit_the_defaults_they_do_not_set() {
        let f = read(
            "timeout = 3.0\nwanted = 2\n\
             [[node_policy]]\nnodes = [1, 2]\npropagation = \"sequential\"\n\
             [[node_policy]]\nfraction = 0.5\npropagation = \"async\"\nrewiring = \"responders\"\n",
        )
        .unwrap();
        assert_eq!(
            f.default.propagation,
            PropagationSpec::Async(Duration::from_secs(3), 2)
        );
        assert_eq!(f.node_policy[0].nodes, NodeChoice::Listed(vec![1, 2]));
        assert_eq!(
            f.node_policy[0].policy.propagation,
            PropagationSpec::Sequential(Duration::from_secs(5))
        );
        assert_eq!(f.node_policy[1].policy.rewiring, RewiringSpec::Responders);
        assert_eq!(
            f.node_policy[1].policy.propagation,
            PropagationSpec::Async(Duration::from_secs(3), 2)
        );
    }

    #[test]
    fn bad_keys_are_located() {
        assert!(read("propagation = \"paralel\"")
            .unwrap_err()
            .help
            .unwrap()
            .contains("parallel"));
        assert_eq!(
            read("[[node_policy]]\nnodes = [10]").unwrap_err().key,
            "mechanism.node_policy[0].nodes"
        );
        assert_eq!(
            read("[[node_policy]]\nfanout = 2").unwrap_err().key,
            "mechanism.node_policy[0].nodes"
        );
        assert_eq!(read("ttl2 = 1").unwrap_err().key, "mechanism.ttl2");
    }
}
