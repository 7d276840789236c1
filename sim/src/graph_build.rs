//! Builds the graph a scenario's `[topology]` names.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::graph::Graph;
use crate::scenario::TopologySpec;
use crate::topology;

/// The seeded graph of `spec`; errors are messages about the topology's
/// parameters, each starting with `[topology]: ` (a run's setup can also fail
/// on other sections).
pub fn build_graph(spec: &TopologySpec, seed: u64) -> Result<Graph, String> {
    build(spec, seed).map_err(|e| format!("[topology]: {e}"))
}

fn build(spec: &TopologySpec, seed: u64) -> Result<Graph, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = match spec {
        TopologySpec::Ring { nodes } => topology::ring(*nodes),
        TopologySpec::RingLattice { nodes, k } => topology::ring_lattice(*nodes, *k),
        TopologySpec::KOut { nodes, k } => topology::random_k_out(*nodes, *k, &mut rng),
        TopologySpec::ErdosRenyi { nodes, p } => topology::erdos_renyi(*nodes, *p, &mut rng),
        TopologySpec::BarabasiAlbert { nodes, m } => {
            topology::barabasi_albert(*nodes, *m, &mut rng)
        }
        TopologySpec::WattsStrogatz { nodes, k, beta } => {
            topology::watts_strogatz(*nodes, *k, *beta, &mut rng)
        }
        TopologySpec::Star { nodes } => topology::star(*nodes),
        TopologySpec::EdgeList { path, nodes } => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read edge list {}: {e}", path.display()))?;
            let mut g =
                topology::edge_list(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(n) = nodes {
                while g.node_count() < *n {
                    g.add_node();
                }
            }
            return Ok(g);
        }
    };
    g.map_err(|e| e.to_string())
}
