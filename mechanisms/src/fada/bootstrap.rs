//! How a client finds the node its request starts from (the design document's BootstrapMechanism).

use std::cell::RefCell;
use std::time::Duration;

use p2psim_runtime::{now, try_spawn};
use p2psim_sim::graph::NodeId;
use p2psim_sim::Net;
use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::messages::FadaMsg;

/// Finds the first node for a client.
pub trait Bootstrap {
    /// The node the request of a client at `client` starts from; may block (probing).
    fn first_node(&self, net: &Net<FadaMsg>, client: NodeId, rng: &RefCell<ChaCha8Rng>) -> NodeId;
}

/// The client's own node serves it (no hop).
pub struct AtClient;

/// A node drawn uniformly at random.
pub struct UniformRandom;

/// A fixed, well-known node.
pub struct WellKnown {
    /// The node.
    pub node: NodeId,
}

/// Probes `sample` random nodes at once and takes the first to answer (lowest round trip).
pub struct LowestLatency {
    /// Nodes probed.
    pub sample: usize,
    /// How long a probe is waited for.
    pub timeout: Duration,
}

impl Bootstrap for AtClient {
    fn first_node(&self, _: &Net<FadaMsg>, client: NodeId, _: &RefCell<ChaCha8Rng>) -> NodeId {
        client
    }
}

impl Bootstrap for UniformRandom {
    fn first_node(&self, net: &Net<FadaMsg>, _: NodeId, rng: &RefCell<ChaCha8Rng>) -> NodeId {
        rng.borrow_mut().gen_range(0..net.node_count() as NodeId)
    }
}

impl Bootstrap for WellKnown {
    fn first_node(&self, _: &Net<FadaMsg>, _: NodeId, _: &RefCell<ChaCha8Rng>) -> NodeId {
        self.node
    }
}

impl Bootstrap for LowestLatency {
    fn first_node(&self, net: &Net<FadaMsg>, client: NodeId, rng: &RefCell<ChaCha8Rng>) -> NodeId {
        let n = net.node_count();
        let candidates = sample(&mut *rng.borrow_mut(), n, self.sample.clamp(1, n));
        let probes: Vec<_> = candidates
            .into_iter()
            .map(|c| {
                let (net, timeout, c) = (net.clone(), self.timeout, c as NodeId);
                try_spawn("fada-probe", move || {
                    let sent = now();
                    net.call(client, c, FadaMsg::Ping, timeout)
                        .ok()
                        .map(|_| (now().saturating_since(sent), c))
                })
            })
            .collect();
        probes
            .into_iter()
            .filter_map(|p| p.ok()?.join().ok().flatten())
            .min()
            .map_or(client, |(_, c)| c)
    }
}

/// Which bootstrap a client uses, as a scenario names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BootstrapSpec {
    /// [`AtClient`].
    AtClient,
    /// [`UniformRandom`].
    Uniform,
    /// [`WellKnown`].
    WellKnown(NodeId),
    /// [`LowestLatency`] with its sample size and probe timeout.
    LowestLatency(usize, Duration),
}

/// Scenario names of the bootstraps.
pub const BOOTSTRAP_NAMES: &[&str] = &["at_client", "uniform", "well_known", "lowest_latency"];

impl BootstrapSpec {
    /// The bootstrap this spec names.
    pub fn build(self) -> Box<dyn Bootstrap> {
        match self {
            BootstrapSpec::AtClient => Box::new(AtClient),
            BootstrapSpec::Uniform => Box::new(UniformRandom),
            BootstrapSpec::WellKnown(node) => Box::new(WellKnown { node }),
            BootstrapSpec::LowestLatency(sample, timeout) => {
                Box::new(LowestLatency { sample, timeout })
            }
        }
    }
}
