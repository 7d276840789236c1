//! `[topology]`: which graph to build and its parameters.

use std::path::{Path, PathBuf};

use super::convert::{self, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;
use crate::graph::build;
use crate::graph::topology::{self, TopologyError, MAX_EDGES, MAX_NODES};

/// The graph the simulation runs on.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologySpec {
    /// A cycle of `nodes` nodes (2 nodes: one edge; 1: a lone node).
    Ring {
        /// Number of nodes.
        nodes: usize,
    },
    /// Each node linked to its `k/2` nearest neighbours on each side.
    RingLattice {
        /// Number of nodes.
        nodes: usize,
        /// Links per node (see the kind).
        k: usize,
    },
    /// Each node links to `k` distinct random others.
    KOut {
        /// Number of nodes.
        nodes: usize,
        /// Links per node (see the kind).
        k: usize,
    },
    /// Each pair linked with probability `p`.
    ErdosRenyi {
        /// Number of nodes.
        nodes: usize,
        /// Link probability.
        p: f64,
    },
    /// Preferential attachment, `m` links per new node.
    BarabasiAlbert {
        /// Number of nodes.
        nodes: usize,
        /// Links added per new node.
        m: usize,
    },
    /// A ring lattice with each link rewired with probability `beta`.
    WattsStrogatz {
        /// Number of nodes.
        nodes: usize,
        /// Links per node (see the kind).
        k: usize,
        /// Rewiring probability.
        beta: f64,
    },
    /// Node 0 linked to every other node.
    Star {
        /// Number of nodes.
        nodes: usize,
    },
    /// Edges read from a file (resolved against the scenario's directory).
    EdgeList {
        /// Resolved path of the edge-list file.
        path: PathBuf,
        /// Node count: `nodes` of `[topology]`, else the file's (its `# nodes:`
        /// header or largest id + 1). Always known in a scenario read from
        /// TOML, which parses the file; `None` lets the build take the file's.
        nodes: Option<usize>,
    },
}

impl TopologySpec {
    /// The node count, when the scenario states it.
    pub fn nodes(&self) -> Option<usize> {
        match *self {
            TopologySpec::Ring { nodes }
            | TopologySpec::RingLattice { nodes, .. }
            | TopologySpec::KOut { nodes, .. }
            | TopologySpec::ErdosRenyi { nodes, .. }
            | TopologySpec::BarabasiAlbert { nodes, .. }
            | TopologySpec::WattsStrogatz { nodes, .. }
            | TopologySpec::Star { nodes } => Some(nodes),
            TopologySpec::EdgeList { nodes, .. } => nodes,
        }
    }
}

const KINDS: &[&str] = &[
    "ring",
    "ring_lattice",
    "k_out",
    "erdos_renyi",
    "barabasi_albert",
    "watts_strogatz",
    "star",
    "edge_list",
];

const KEYS: &[&str] = &["kind", "nodes", "k", "p", "m", "beta", "path"];

/// Which kinds each optional parameter belongs to, for "does not apply" errors.
const USES: &[(&str, &[&str])] = &[
    ("k", &["ring_lattice", "k_out", "watts_strogatz"]),
    ("p", &["erdos_renyi"]),
    ("m", &["barabasi_albert"]),
    ("beta", &["watts_strogatz"]),
    ("path", &["edge_list"]),
];

/// Reads and validates `[topology]`; `base_dir` resolves edge-list paths.
pub(crate) fn read(t: &Params, base_dir: &Path) -> Result<TopologySpec, ScenarioError> {
    t.check_known(KEYS)?;
    let kind = t.require("kind", "kind = \"ring\"", |n| convert::choice(n, KINDS))?;
    for (key, kinds) in USES {
        if !kinds.contains(&kind.as_str()) {
            t.reject(
                key,
                &format!(
                    "`{key}` does not apply to kind \"{kind}\" (used by {})",
                    kinds.join(", ")
                ),
            )?;
        }
    }
    if kind == "edge_list" {
        let nodes = t
            .opt_int("nodes", IRange::new(1, u32::MAX))?
            .map(|v| v as usize);
        if let Some(n) = nodes {
            check_size(t, topology::check_node_count(n, 1, "1"))?;
        }
        return edge_list(t, base_dir, nodes);
    }
    let nodes = t.require("nodes", "nodes = 6", |n| {
        convert::int(n, IRange::new(1, u32::MAX))
    })? as usize;
    let spec = match kind.as_str() {
        "ring" => TopologySpec::Ring { nodes },
        "star" => TopologySpec::Star { nodes },
        "ring_lattice" => TopologySpec::RingLattice {
            nodes,
            k: even_k(t, &kind, nodes)?,
        },
        "watts_strogatz" => {
            let k = even_k(t, &kind, nodes)?;
            let beta = t.require("beta", "beta = 0.1", |n| {
                convert::float(n, FRange::probability())
            })?;
            TopologySpec::WattsStrogatz { nodes, k, beta }
        }
        "k_out" => TopologySpec::KOut {
            nodes,
            k: below_nodes(t, &kind, nodes, "k", "each node links to k distinct others")?,
        },
        "barabasi_albert" => TopologySpec::BarabasiAlbert {
            nodes,
            m: below_nodes(
                t,
                &kind,
                nodes,
                "m",
                "each new node links to m distinct earlier ones",
            )?,
        },
        _ => TopologySpec::ErdosRenyi {
            nodes,
            p: t.require("p", "p = 0.1", |n| convert::float(n, FRange::probability()))?,
        },
    };
    check_size(t, build::check_size(&spec))?;
    Ok(spec)
}

/// A size check of the graph (within what a graph may hold), reported at the
/// key that sets the size.
fn check_size(t: &Params, size: Result<(), TopologyError>) -> Result<(), ScenarioError> {
    size.map_err(|e| {
        t.error(
            e.parameter,
            e.message,
            format!(
                "a graph holds at most {MAX_NODES} nodes and {MAX_EDGES} edges, so that a typo \
                 (an extra zero) is an error rather than gigabytes of memory"
            ),
        )
    })
}

/// A links-per-node parameter `key` in `1..=nodes - 1`; `rule` says why it is bounded.
fn below_nodes(
    t: &Params,
    kind: &str,
    nodes: usize,
    key: &str,
    rule: &str,
) -> Result<usize, ScenarioError> {
    if nodes < 2 {
        return Err(t.error(
            "nodes",
            format!("a {kind} graph needs at least 2 nodes: {rule}, and {key} >= 1"),
            "use nodes >= 2 (a single node: kind = \"star\" or \"ring\")",
        ));
    }
    let v = t.require(key, &format!("{key} = 2"), |n| {
        convert::int(n, IRange::new(1, u32::MAX))
    })? as usize;
    if v > nodes - 1 {
        return Err(t.error(
            key,
            format!(
                "{key} = {v} is too large for {nodes} nodes: {rule}, so {key} is at most \
                 nodes - 1 = {}",
                nodes - 1
            ),
            format!("use {key} <= {}, or nodes >= {}", nodes - 1, v + 1),
        ));
    }
    Ok(v)
}

/// `k` for lattices: even, since neighbours are taken symmetrically on both
/// sides, and at most `nodes - 1`, so at least 3 nodes are needed.
fn even_k(t: &Params, kind: &str, nodes: usize) -> Result<usize, ScenarioError> {
    const RULE: &str = "each node links to its k/2 nearest neighbours on each side, so k is \
                        even, at least 2 and at most nodes - 1";
    if nodes < 3 {
        return Err(t.error(
            "nodes",
            format!("a {kind} graph needs at least 3 nodes: {RULE}"),
            "use nodes >= 3 (for 1 or 2 nodes, kind = \"ring\")",
        ));
    }
    let k = t.require("k", "k = 4", |n| convert::int(n, IRange::new(2, u32::MAX)))? as usize;
    let largest = (nodes - 1) & !1;
    if k > nodes - 1 {
        return Err(t.error(
            "k",
            format!("k = {k} is too large for {nodes} nodes: {RULE}"),
            format!(
                "use k = {largest} (the largest for {nodes} nodes), or nodes >= {}",
                k + 1
            ),
        ));
    }
    if k % 2 == 1 {
        let fix = if k < largest { k + 1 } else { k - 1 };
        return Err(t.error(
            "k",
            format!("k must be even, found {k}"),
            format!("use k = {fix}"),
        ));
    }
    Ok(k)
}

/// Reads the edge list now, as the run will: a malformed line, an id past the
/// declared `nodes` or a graph of no node is an error at load (at the file's
/// line and column), and the node count is known from here on.
fn edge_list(
    t: &Params,
    base_dir: &Path,
    nodes: Option<usize>,
) -> Result<TopologySpec, ScenarioError> {
    let rel = t.require("path", "path = \"graph.txt\"", |n| convert::string(n, true))?;
    let path = base_dir.join(&rel);
    const RELATIVE: &str = "the path is relative to the scenario file's directory";
    if path.is_dir() {
        return Err(t.error(
            "path",
            format!("{} is a directory, not an edge list file", path.display()),
            format!("{RELATIVE}; name the file in it"),
        ));
    }
    if !path.is_file() {
        return Err(t.error(
            "path",
            format!("edge list file not found: {}", path.display()),
            format!("{RELATIVE}; check the name or create the file"),
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        t.error(
            "path",
            format!("cannot read the edge list {}: {e}", path.display()),
            "an edge list is a UTF-8 text file of `a b` lines",
        )
    })?;
    let g = topology::edge_list_of(&text, nodes).map_err(|e| ScenarioError {
        origin: path.display().to_string(),
        line: e.line,
        column: e.column,
        key: t.path("path"),
        message: e.message,
        help: Some(
            "one edge per line: two node ids from 0, separated by spaces; `#` starts a comment"
                .to_string(),
        ),
    })?;
    if g.node_count() == 0 {
        return Err(t.error(
            "path",
            format!(
                "the edge list {} has no edge and declares no node count, so the graph has \
                 no node",
                path.display()
            ),
            "add edges, a `# nodes: N` header line, or `nodes = N` to [topology]",
        ));
    }
    Ok(TopologySpec::EdgeList {
        path,
        nodes: Some(g.node_count()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topo(body: &str) -> Result<TopologySpec, ScenarioError> {
        let p = Params::from_toml_str(body, "t.toml", "topology").unwrap();
        read(&p, Path::new("."))
    }

    #[test]
    fn every_kind_parses() {
        assert_eq!(
            topo("kind = \"ring\"\nnodes = 3").unwrap(),
            TopologySpec::Ring { nodes: 3 }
        );
        assert_eq!(
            topo("kind = \"star\"\nnodes = 2").unwrap(),
            TopologySpec::Star { nodes: 2 }
        );
        assert_eq!(
            topo("kind = \"ring_lattice\"\nnodes = 6\nk = 4").unwrap(),
            TopologySpec::RingLattice { nodes: 6, k: 4 }
        );
        assert_eq!(
            topo("kind = \"k_out\"\nnodes = 6\nk = 5").unwrap(),
            TopologySpec::KOut { nodes: 6, k: 5 }
        );
        assert_eq!(
            topo("kind = \"erdos_renyi\"\nnodes = 6\np = 1").unwrap(),
            TopologySpec::ErdosRenyi { nodes: 6, p: 1.0 }
        );
        assert_eq!(
            topo("kind = \"barabasi_albert\"\nnodes = 6\nm = 2").unwrap(),
            TopologySpec::BarabasiAlbert { nodes: 6, m: 2 }
        );
        assert_eq!(
            topo("kind = \"watts_strogatz\"\nnodes = 10\nk = 2\nbeta = 0.1").unwrap(),
            TopologySpec::WattsStrogatz {
                nodes: 10,
                k: 2,
                beta: 0.1
            }
        );
        let list = edge_file("every-kind", "0 1\n1 2\n");
        let t = topo(&format!("kind = \"edge_list\"\npath = \"{list}\"")).unwrap();
        assert!(matches!(t, TopologySpec::EdgeList { nodes: Some(3), .. }));
        assert_eq!(t.nodes(), Some(3));
    }

    /// Writes an edge list `text` to a file of its own; its path.
    fn edge_file(name: &str, text: &str) -> String {
        let dir = std::env::temp_dir().join(format!("p2psim-topology-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn an_edge_list_is_read_and_checked_with_the_scenario() {
        let list = edge_file("five", "0 1\n2 5\n");
        let e = topo(&format!(
            "kind = \"edge_list\"\nnodes = 3\npath = \"{list}\""
        ))
        .unwrap_err();
        assert_eq!((e.origin.as_str(), e.line, e.column), (list.as_str(), 2, 3));
        assert_eq!(e.key, "topology.path");
        assert!(e.message.contains("`nodes = 3`"), "{e}");
        let t = topo(&format!(
            "kind = \"edge_list\"\nnodes = 9\npath = \"{list}\""
        ))
        .unwrap();
        assert_eq!(t.nodes(), Some(9));
        let bad = edge_file("bad", "0 1\n1 x\n");
        let e = topo(&format!("kind = \"edge_list\"\npath = \"{bad}\"")).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let empty = edge_file("empty", "# no edge\n");
        let e = topo(&format!("kind = \"edge_list\"\npath = \"{empty}\"")).unwrap_err();
        assert!(e.message.contains("no node"), "{e}");
        let dir = std::env::temp_dir().display().to_string();
        let e = topo(&format!("kind = \"edge_list\"\npath = \"{dir}\"")).unwrap_err();
        assert!(e.message.contains("is a directory"), "{e}");
        let e = topo("kind = \"edge_list\"\nnodes = 100000000\npath = \"x\"").unwrap_err();
        assert_eq!(e.key, "topology.nodes");
    }

    #[test]
    fn graphs_past_the_size_limits_are_refused_at_their_key() {
        let e = topo("kind = \"ring\"\nnodes = 100000000").unwrap_err();
        assert_eq!(e.key, "topology.nodes");
        assert!(
            e.message
                .contains("nodes = 100000000 must be at most 16777216"),
            "{e}"
        );
        let e = topo("kind = \"erdos_renyi\"\nnodes = 1000000\np = 0.9").unwrap_err();
        assert_eq!(e.key, "topology.p");
        assert!(e.message.contains("nodes * (nodes - 1)"), "{e}");
        let e = topo("kind = \"k_out\"\nnodes = 10000000\nk = 20").unwrap_err();
        assert_eq!(e.key, "topology.k");
    }

    #[test]
    fn bounds_are_enforced() {
        assert!(topo("kind = \"ring\"\nnodes = 0")
            .unwrap_err()
            .message
            .contains(">= 1"));
        assert!(topo("kind = \"k_out\"\nnodes = 6\nk = 6")
            .unwrap_err()
            .message
            .contains("at most nodes - 1 = 5"));
        assert!(topo("kind = \"ring_lattice\"\nnodes = 6\nk = 3")
            .unwrap_err()
            .message
            .contains("even"));
        assert!(topo("kind = \"barabasi_albert\"\nnodes = 3\nm = 3").is_err());
        assert!(topo("kind = \"ring_lattice\"\nnodes = 1\nk = 2").is_err());
    }

    #[test]
    fn small_rings_and_stars_are_graphs() {
        for n in 1..=3 {
            assert_eq!(
                topo(&format!("kind = \"ring\"\nnodes = {n}")).unwrap(),
                TopologySpec::Ring { nodes: n }
            );
        }
        assert_eq!(
            topo("kind = \"star\"\nnodes = 1").unwrap(),
            TopologySpec::Star { nodes: 1 }
        );
    }

    /// The key, message and help of the error `body` gives.
    fn err(body: &str) -> (String, String, String) {
        let e = topo(body).unwrap_err();
        (e.key, e.message, e.help.unwrap_or_default())
    }

    #[test]
    fn graphs_too_small_for_their_parameters_say_what_to_change() {
        for n in [1, 2] {
            for (kind, beta) in [("ring_lattice", ""), ("watts_strogatz", "\nbeta = 0.5")] {
                let (key, message, help) =
                    err(&format!("kind = \"{kind}\"\nnodes = {n}\nk = 2{beta}"));
                assert_eq!(key, "topology.nodes", "{kind} {n}");
                assert!(message.contains("at least 3 nodes"), "{message}");
                assert!(help.contains("kind = \"ring\""), "{help}");
            }
        }
        for (kind, key) in [("k_out", "k"), ("barabasi_albert", "m")] {
            let (k, message, help) = err(&format!("kind = \"{kind}\"\nnodes = 1\n{key} = 1"));
            assert_eq!(k, "topology.nodes");
            assert!(message.contains("at least 2 nodes"), "{message}");
            assert!(help.contains("nodes >= 2"), "{help}");
            let (k, message, help) = err(&format!("kind = \"{kind}\"\nnodes = 3\n{key} = 3"));
            assert_eq!(k, format!("topology.{key}"));
            assert!(message.contains("too large for 3 nodes"), "{message}");
            assert!(help.contains(&format!("use {key} <= 2")), "{help}");
        }
        let (key, message, help) = err("kind = \"ring_lattice\"\nnodes = 4\nk = 4");
        assert_eq!(key, "topology.k");
        assert!(message.contains("too large for 4 nodes"), "{message}");
        assert!(help.contains("use k = 2"), "{help}");
        let (_, message, help) = err("kind = \"ring_lattice\"\nnodes = 4\nk = 3");
        assert!(message.contains("even"), "{message}");
        assert_eq!(help, "use k = 2");
        assert!(topo("kind = \"ring_lattice\"\nnodes = 3\nk = 2").is_ok());
        assert!(topo("kind = \"k_out\"\nnodes = 2\nk = 1").is_ok());
    }

    #[test]
    fn misplaced_and_missing_keys() {
        let e = topo("kind = \"ring\"\nnodes = 5\nbeta = 0.1").unwrap_err();
        assert_eq!((e.key.as_str(), e.line), ("topology.beta", 3));
        let e = topo("kind = \"erdos_renyi\"\nnodes = 5").unwrap_err();
        assert_eq!(e.key, "topology.p");
        assert!(e.help.unwrap().contains("p = "));
        let e = topo("kind = \"hypercube\"\nnodes = 5").unwrap_err();
        assert_eq!(e.key, "topology.kind");
    }
}
