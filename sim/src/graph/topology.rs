//! Seeded generators for the overlay topologies a scenario can start from, plus an edge-list parser.

use crate::graph::{Graph, NodeId};
use rand::seq::index;
use rand::Rng;
use std::fmt;
use std::num::IntErrorKind;

/// Largest node count any generator or edge list accepts.
///
/// A typo in a scenario file (an extra zero or three) should produce an error, not abort the
/// process on a multi-gigabyte allocation; raise this if a real scenario needs more.
pub const MAX_NODES: usize = 1 << 24;

/// Largest (expected) edge count any generator accepts, for the same reason as [`MAX_NODES`].
pub const MAX_EDGES: usize = 1 << 27;

/// An out-of-range generator parameter, with a message naming it and its allowed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopologyError {
    /// Name of the offending parameter, e.g. `"k"`.
    pub parameter: &'static str,
    /// Human-readable explanation, e.g. `"k = 10 must be at most nodes - 1 = 5"`.
    pub message: String,
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TopologyError {}

fn invalid(parameter: &'static str, message: String) -> TopologyError {
    TopologyError { parameter, message }
}

/// Checks a node count: at least `min` (`min_text` says why), at most [`MAX_NODES`].
pub(crate) fn check_node_count(n: usize, min: usize, min_text: &str) -> Result<(), TopologyError> {
    if n < min {
        return Err(invalid(
            "nodes",
            format!("nodes = {n} must be at least {min_text}"),
        ));
    }
    if n > MAX_NODES {
        return Err(invalid(
            "nodes",
            format!("nodes = {n} must be at most {MAX_NODES}"),
        ));
    }
    Ok(())
}

/// A generator's (expected) edge count: the parameter that sets it, the formula
/// in the scenario's terms, and its value.
pub(crate) type EdgeBudget = (&'static str, &'static str, f64);

/// The edges of a ring lattice (and of a Watts-Strogatz graph) of `n` nodes, `k` links each.
pub(crate) fn lattice_edges(n: usize, k: usize) -> EdgeBudget {
    ("k", "nodes * k / 2", (n as f64) * (k as f64) / 2.0)
}

/// At most as many edges as a k-out graph of `n` nodes has.
pub(crate) fn k_out_edges(n: usize, k: usize) -> EdgeBudget {
    ("k", "nodes * k", (n as f64) * (k as f64))
}

/// The expected edges of G(n, p).
pub(crate) fn erdos_renyi_edges(n: usize, p: f64) -> EdgeBudget {
    let pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
    ("p", "expected p * nodes * (nodes - 1) / 2", p * pairs)
}

/// At most as many edges as a Barabási–Albert graph of `n` nodes, `m` per node, has.
pub(crate) fn barabasi_albert_edges(n: usize, m: usize) -> EdgeBudget {
    ("m", "nodes * m", (n as f64) * (m as f64))
}

/// Checks that an (expected) edge count is within [`MAX_EDGES`].
pub(crate) fn check_edge_budget(
    (parameter, formula, edges): EdgeBudget,
) -> Result<(), TopologyError> {
    if edges > MAX_EDGES as f64 {
        return Err(invalid(
            parameter,
            format!("{formula} = {edges} edges must be at most {MAX_EDGES}"),
        ));
    }
    Ok(())
}

/// Checks the shared constraint of ring lattices: `k` even and `k <= n - 1` (with `n >= 1`).
fn check_lattice(n: usize, k: usize) -> Result<(), TopologyError> {
    check_node_count(n, 1, "1")?;
    if k % 2 != 0 {
        return Err(invalid("k", format!("k = {k} must be even")));
    }
    if k > n - 1 {
        return Err(invalid(
            "k",
            format!("k = {k} must be at most nodes - 1 = {}", n - 1),
        ));
    }
    Ok(())
}

fn check_probability(parameter: &'static str, value: f64) -> Result<(), TopologyError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(invalid(
            parameter,
            format!("{parameter} = {value} must be within [0, 1]"),
        ));
    }
    Ok(())
}

/// Node ids below [`MAX_NODES`] always fit a [`NodeId`]; this names that fact once.
fn id(i: usize) -> NodeId {
    i as NodeId
}

/// Cycle `0 - 1 - ... - (n-1) - 0`; from 3 nodes on, every node has degree 2.
/// The graph is simple, so a ring of 2 is the one edge `0 - 1` (the cycle's two
/// edges between them coincide) and a ring of 1 a lone node (its cycle would be
/// a self loop). Requires `n >= 1`.
pub fn ring(n: usize) -> Result<Graph, TopologyError> {
    check_node_count(n, 1, "1")?;
    if n < 3 {
        let mut g = Graph::new(n);
        if n == 2 {
            g.add_edge(0, 1);
        }
        return Ok(g);
    }
    ring_lattice(n, 2)
}

/// Watts–Strogatz ring lattice: node `i` links to `i ± 1, ..., i ± k/2` (mod n), so every node
/// has exactly `k` neighbours. Requires `n >= 1`, `k` even and `k <= n - 1`.
pub fn ring_lattice(n: usize, k: usize) -> Result<Graph, TopologyError> {
    check_lattice(n, k)?;
    check_edge_budget(lattice_edges(n, k))?;
    let mut g = Graph::new(n);
    // Offset-major order matches the classic construction, so rewiring visits edges alike.
    for offset in 1..=k / 2 {
        for i in 0..n {
            g.add_edge(id(i), id((i + offset) % n));
        }
    }
    Ok(g)
}

/// Star with hub 0 linked to every other node. Requires `n >= 1`.
pub fn star(n: usize) -> Result<Graph, TopologyError> {
    check_node_count(n, 1, "1")?;
    let mut g = Graph::new(n);
    for i in 1..n {
        g.add_edge(0, id(i));
    }
    Ok(g)
}

/// Every node picks `k` distinct other nodes uniformly; the union of picks, undirected.
///
/// Mutual picks merge into one edge, so each degree is at least `k` and the edge count lies
/// in `n*k/2 ..= n*k`. Requires `n >= 1` and `k <= n - 1`.
pub fn random_k_out(n: usize, k: usize, rng: &mut impl Rng) -> Result<Graph, TopologyError> {
    check_node_count(n, 1, "1")?;
    if k > n - 1 {
        return Err(invalid(
            "k",
            format!("k = {k} must be at most nodes - 1 = {}", n - 1),
        ));
    }
    check_edge_budget(k_out_edges(n, k))?;
    let mut g = Graph::new(n);
    for i in 0..n {
        // Sample among the n - 1 others by skipping over i itself.
        for j in index::sample(rng, n - 1, k) {
            let target = if j >= i { j + 1 } else { j };
            g.add_edge(id(i), id(target));
        }
    }
    Ok(g)
}

/// Erdős–Rényi G(n, p): each of the `n(n-1)/2` pairs is an edge independently with probability `p`.
///
/// Uses Batagelj–Brandes geometric skipping, so the cost is O(n + m) rather than O(n²):
/// n = 1,000,000 at mean degree 8 takes about a second. Requires `n >= 1`, `p` in `[0, 1]`.
pub fn erdos_renyi(n: usize, p: f64, rng: &mut impl Rng) -> Result<Graph, TopologyError> {
    check_node_count(n, 1, "1")?;
    check_probability("p", p)?;
    check_edge_budget(erdos_renyi_edges(n, p))?;
    let mut g = Graph::new(n);
    if p == 0.0 {
        return Ok(g);
    }
    if p == 1.0 {
        // ln(1 - p) would be -inf below; the complete graph is the exact answer anyway.
        for a in 0..n {
            for b in a + 1..n {
                g.add_edge(id(a), id(b));
            }
        }
        return Ok(g);
    }
    // ln_1p keeps ln(1 - p) accurate when p is tiny, which is the sparse case we care about.
    let log_q = (-p).ln_1p();
    let n = n as i64;
    // Walk the lower triangle pair (v, w), w < v, jumping a geometric number of pairs each time.
    let (mut v, mut w) = (1_i64, -1_i64);
    while v < n {
        let r: f64 = rng.gen();
        let skip = ((1.0 - r).ln() / log_q).floor();
        // `as` saturates, so an enormous skip simply runs v past n in the loop below.
        w = w.saturating_add(1).saturating_add(skip as i64);
        while w >= v && v < n {
            w -= v;
            v += 1;
        }
        if v < n {
            g.add_edge(v as NodeId, w as NodeId);
        }
    }
    Ok(g)
}

/// Barabási–Albert preferential attachment with `m` edges per new node.
///
/// Starts from a clique on nodes `0..=m`; each later node links to `m` distinct existing nodes
/// chosen with probability proportional to degree, so the edge count is exactly
/// `m(m+1)/2 + m(n - m - 1)` and the graph is connected. Sampling uniformly from a list holding
/// every edge endpoint gives degree-proportional choice in O(1), for O(n·m) overall.
/// Requires `m >= 1` and `n >= m + 1`.
pub fn barabasi_albert(n: usize, m: usize, rng: &mut impl Rng) -> Result<Graph, TopologyError> {
    if m == 0 {
        return Err(invalid("m", "m = 0 must be at least 1".to_string()));
    }
    if m >= MAX_NODES {
        return Err(invalid("m", format!("m = {m} must be below {MAX_NODES}")));
    }
    check_node_count(n, m + 1, &format!("m + 1 = {}", m + 1))?;
    check_edge_budget(barabasi_albert_edges(n, m))?;
    let mut g = Graph::new(n);
    let mut endpoints: Vec<NodeId> = Vec::with_capacity(2 * (m * (m + 1) / 2 + m * (n - m - 1)));
    for a in 0..=m {
        for b in a + 1..=m {
            g.add_edge(id(a), id(b));
            endpoints.extend([id(a), id(b)]);
        }
    }
    let mut chosen: Vec<NodeId> = Vec::with_capacity(m);
    for v in m + 1..n {
        chosen.clear();
        // The clique guarantees at least m + 1 distinct endpoints, so this terminates.
        while chosen.len() < m {
            let t = endpoints[rng.gen_range(0..endpoints.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        // Endpoints are appended only after all m picks so a node cannot favour its own edges.
        for &t in &chosen {
            g.add_edge(id(v), t);
            endpoints.extend([id(v), t]);
        }
    }
    Ok(g)
}

/// Watts–Strogatz small world: a [`ring_lattice`]`(n, k)` whose clockwise edges `(i, i + j)`
/// are each rewired with probability `beta` to `(i, w)`, `w` uniform among nodes not yet
/// linked to `i`.
///
/// The edge count stays `n*k/2`; `beta = 0` returns the lattice unchanged. Edges are visited
/// offset-major (all `j = 1` edges, then `j = 2`, ...) as in the original construction.
/// Requires `n >= 1`, `k` even, `k <= n - 1` and `beta` in `[0, 1]`.
pub fn watts_strogatz(
    n: usize,
    k: usize,
    beta: f64,
    rng: &mut impl Rng,
) -> Result<Graph, TopologyError> {
    check_probability("beta", beta)?;
    let mut g = ring_lattice(n, k)?;
    for offset in 1..=k / 2 {
        for i in 0..n {
            if rng.gen::<f64>() >= beta {
                continue;
            }
            let u = id(i);
            // A node linked to everyone has no new partner; leave its edge alone.
            if g.degree(u) >= n - 1 {
                continue;
            }
            let mut w = id(rng.gen_range(0..n));
            while w == u || g.has_edge(u, w) {
                w = id(rng.gen_range(0..n));
            }
            if g.remove_edge(u, id((i + offset) % n)) {
                g.add_edge(u, w);
            }
        }
    }
    Ok(g)
}

/// A malformed edge list, located by 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeListError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for EdgeListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for EdgeListError {}

/// Parses an undirected edge list: one `a b` pair of 0-based node ids per line.
///
/// Ids are separated by whitespace; `#` starts a comment; blank lines are skipped. The node
/// count is the largest id + 1, unless a header line `# nodes: N` appears before the first
/// edge, in which case it is `N` and larger ids are errors. Repeated edges (including `b a`
/// after `a b`, common in exported data) are merged; self loops are rejected because the
/// graph is simple.
pub fn edge_list(text: &str) -> Result<Graph, EdgeListError> {
    edge_list_of(text, None)
}

/// Who declared an edge list's node count.
#[derive(Clone, Copy)]
enum Declared {
    /// The `# nodes:` header on this line.
    Header(usize),
    /// The caller (a scenario's `nodes`).
    Given,
}

/// Parses an edge list as [`edge_list`] does, with a node count `nodes` given
/// by the caller (a scenario's `nodes`): every id must be below it, and a
/// `# nodes:` header must agree with it.
pub fn edge_list_of(text: &str, nodes: Option<usize>) -> Result<Graph, EdgeListError> {
    if let Some(n) = nodes.filter(|&n| n > MAX_NODES) {
        return Err(EdgeListError {
            line: 1,
            column: 1,
            message: format!("nodes = {n} must be at most {MAX_NODES}"),
        });
    }
    let mut declared: Option<(usize, Declared)> = nodes.map(|n| (n, Declared::Given));
    let mut edges: Vec<(NodeId, NodeId)> = Vec::new();
    let mut node_count = nodes.unwrap_or(0);
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let at = |byte: usize, message: String| EdgeListError {
            line,
            column: raw[..byte].chars().count() + 1,
            message,
        };
        let hash = raw.find('#');
        let content = &raw[..hash.unwrap_or(raw.len())];
        let tokens = tokens(content);
        if tokens.is_empty() {
            if let Some(hash) = hash {
                if let Some(count) = parse_header(raw, hash, &at)? {
                    match declared {
                        Some((_, Declared::Header(first))) => {
                            return Err(at(
                                hash,
                                format!("duplicate `# nodes:` header (first on line {first})"),
                            ))
                        }
                        Some((given, Declared::Given)) if given != count => {
                            return Err(at(
                                hash,
                                format!(
                                    "`# nodes: {count}` disagrees with the `nodes = {given}` \
                                     the scenario gives"
                                ),
                            ))
                        }
                        _ => {}
                    }
                    if !edges.is_empty() {
                        return Err(at(
                            hash,
                            "`# nodes:` header must come before the first edge".to_string(),
                        ));
                    }
                    declared = Some((count, Declared::Header(line)));
                    node_count = count;
                }
            }
            continue;
        }
        let (first_at, first) = tokens[0];
        let Some(&(second_at, second)) = tokens.get(1) else {
            return Err(at(
                first_at + first.len(),
                format!("expected a second node id after `{first}`"),
            ));
        };
        if let Some(&(extra_at, extra)) = tokens.get(2) {
            return Err(at(
                extra_at,
                format!("expected end of line after two node ids, found `{extra}`"),
            ));
        }
        let mut ids = [0; 2];
        for (slot, (byte, token)) in ids.iter_mut().zip([(first_at, first), (second_at, second)]) {
            let value = parse_id(token).map_err(|message| at(byte, message))?;
            match declared {
                Some((count, Declared::Header(header_line))) if value >= count => {
                    return Err(at(
                        byte,
                        format!(
                            "node id {value} must be below {count}, the count declared by \
                             `# nodes:` on line {header_line}"
                        ),
                    ))
                }
                Some((count, Declared::Given)) if value >= count => {
                    return Err(at(
                        byte,
                        format!(
                            "node id {value} must be below {count}: the scenario gives \
                             `nodes = {count}`"
                        ),
                    ))
                }
                _ => {}
            }
            node_count = node_count.max(value + 1);
            *slot = id(value);
        }
        if ids[0] == ids[1] {
            return Err(at(
                second_at,
                format!("self loop on node {}: the graph must be simple", ids[0]),
            ));
        }
        edges.push((ids[0], ids[1]));
    }
    let mut g = Graph::new(node_count);
    for (a, b) in edges {
        g.add_edge(a, b);
    }
    Ok(g)
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

/// Recognises `# nodes: N` (returning `N`); other comments yield `None`.
fn parse_header(
    raw: &str,
    hash: usize,
    at: &impl Fn(usize, String) -> EdgeListError,
) -> Result<Option<usize>, EdgeListError> {
    let after_hash = &raw[hash + 1..];
    let body = after_hash.trim_start();
    let Some(rest) = body.strip_prefix("nodes:") else {
        return Ok(None);
    };
    let rest_at = raw.len() - rest.len();
    let value = rest.trim();
    let value_at = rest_at + (rest.len() - rest.trim_start().len());
    let count = match value.parse::<usize>() {
        Ok(count) if count <= MAX_NODES => count,
        Ok(_) => {
            return Err(at(
                value_at,
                format!("node count {value} must be at most {MAX_NODES}"),
            ))
        }
        Err(e) if *e.kind() == IntErrorKind::PosOverflow => {
            return Err(at(
                value_at,
                format!("node count {value} must be at most {MAX_NODES}"),
            ))
        }
        Err(_) => {
            return Err(at(
                value_at,
                format!("expected a node count after `# nodes:`, found `{value}`"),
            ))
        }
    };
    Ok(Some(count))
}

fn parse_id(token: &str) -> Result<usize, String> {
    let out_of_range = || format!("node id {token} must be below {MAX_NODES}");
    match token.parse::<usize>() {
        Ok(value) if value < MAX_NODES => Ok(value),
        Ok(_) => Err(out_of_range()),
        Err(e) if *e.kind() == IntErrorKind::PosOverflow => Err(out_of_range()),
        Err(_) => Err(format!(
            "expected a node id (non-negative integer), found `{token}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::stats::connected_components;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn degrees(g: &Graph) -> Vec<usize> {
        g.nodes().map(|v| g.degree(v)).collect()
    }

    fn message<T: fmt::Debug>(r: Result<T, TopologyError>) -> String {
        r.expect_err("expected an error").message
    }

    #[test]
    fn ring_is_two_regular() {
        let g = ring(10).expect("valid");
        assert_eq!(g.edge_count(), 10);
        assert!(degrees(&g).iter().all(|&d| d == 2));
        assert!(g.has_edge(9, 0));
        assert_eq!(message(ring(0)), "nodes = 0 must be at least 1");
    }

    #[test]
    fn small_rings_are_simple() {
        let two = ring(2).expect("a ring of 2");
        assert_eq!((two.node_count(), two.edge_count()), (2, 1));
        assert!(two.has_edge(0, 1));
        assert_eq!(degrees(&two), vec![1, 1]);
        let one = ring(1).expect("a ring of 1");
        assert_eq!((one.node_count(), one.edge_count()), (1, 0));
        let three = ring(3).expect("a ring of 3");
        assert_eq!(three.edge_count(), 3);
        assert!(degrees(&three).iter().all(|&d| d == 2));
    }

    #[test]
    fn lattice_is_k_regular() {
        let g = ring_lattice(20, 6).expect("valid");
        assert_eq!(g.edge_count(), 60);
        assert!(degrees(&g).iter().all(|&d| d == 6));
        assert!(g.has_edge(0, 17) && g.has_edge(0, 3) && !g.has_edge(0, 4));
        assert_eq!(ring_lattice(7, 6).expect("k = n - 1").edge_count(), 21);
        assert_eq!(
            message(ring_lattice(6, 10)),
            "k = 10 must be at most nodes - 1 = 5"
        );
        assert_eq!(message(ring_lattice(6, 3)), "k = 3 must be even");
        assert_eq!(message(ring_lattice(0, 0)), "nodes = 0 must be at least 1");
    }

    #[test]
    fn star_has_one_hub() {
        let g = star(50).expect("valid");
        assert_eq!(g.degree(0), 49);
        assert_eq!(g.edge_count(), 49);
        assert!(g.nodes().skip(1).all(|v| g.degree(v) == 1));
        assert_eq!(star(1).expect("single node").edge_count(), 0);
    }

    #[test]
    fn k_out_degrees_and_edge_bounds() {
        let (n, k) = (1000, 5);
        let g = random_k_out(n, k, &mut rng(1)).expect("valid");
        assert!(degrees(&g).iter().all(|&d| d >= k));
        assert!(g.edge_count() <= n * k && g.edge_count() >= n * k / 2);
        let full = random_k_out(6, 5, &mut rng(1)).expect("k = n - 1");
        assert_eq!(full.edge_count(), 15);
        assert_eq!(
            message(random_k_out(6, 6, &mut rng(1))),
            "k = 6 must be at most nodes - 1 = 5"
        );
    }

    #[test]
    fn erdos_renyi_mean_degree() {
        let n = 20_000;
        let p = 8.0 / (n as f64 - 1.0);
        let g = erdos_renyi(n, p, &mut rng(3)).expect("valid");
        let mean = 2.0 * g.edge_count() as f64 / n as f64;
        assert!((mean - 8.0).abs() < 0.1, "mean degree {mean}");
        assert_eq!(g.edges().count(), g.edge_count());
    }

    #[test]
    fn erdos_renyi_extremes_and_coverage() {
        assert_eq!(
            erdos_renyi(30, 0.0, &mut rng(1))
                .expect("valid")
                .edge_count(),
            0
        );
        assert_eq!(
            erdos_renyi(30, 1.0, &mut rng(1))
                .expect("valid")
                .edge_count(),
            435
        );
        // Every pair, including the first and last in the walk, must be reachable by skipping.
        let mut seen = Graph::new(12);
        for seed in 0..200 {
            for (a, b) in erdos_renyi(12, 0.3, &mut rng(seed)).expect("valid").edges() {
                seen.add_edge(a, b);
            }
        }
        assert_eq!(seen.edge_count(), 66);
        assert_eq!(
            message(erdos_renyi(5, 1.5, &mut rng(1))),
            "p = 1.5 must be within [0, 1]"
        );
        assert!(erdos_renyi(5, f64::NAN, &mut rng(1)).is_err());
        assert_eq!(
            erdos_renyi(MAX_NODES, 0.5, &mut rng(1))
                .expect_err("too big")
                .parameter,
            "p"
        );
    }

    #[test]
    fn barabasi_albert_exact_edges_connected_heavy_tail() {
        let (n, m) = (100_000, 2);
        let start = std::time::Instant::now();
        let g = barabasi_albert(n, m, &mut rng(4)).expect("valid");
        println!(
            "barabasi_albert(n = {n}, m = {m}) took {:?}",
            start.elapsed()
        );
        assert_eq!(g.edge_count(), m * (m + 1) / 2 + m * (n - m - 1));
        assert_eq!(connected_components(&g), vec![n]);
        let max = degrees(&g).into_iter().max().unwrap_or(0) as f64;
        let mean = 2.0 * g.edge_count() as f64 / n as f64;
        assert!(max > 10.0 * mean, "max degree {max}, mean {mean}");
        assert!(degrees(&g).iter().all(|&d| d >= m));
        assert_eq!(
            message(barabasi_albert(3, 4, &mut rng(1))),
            "nodes = 3 must be at least m + 1 = 5"
        );
        assert_eq!(
            message(barabasi_albert(3, 0, &mut rng(1))),
            "m = 0 must be at least 1"
        );
        assert_eq!(
            barabasi_albert(1, 0, &mut rng(1)).expect_err("m").parameter,
            "m"
        );
    }

    #[test]
    fn watts_strogatz_rewires_but_keeps_edges() {
        let lattice = ring_lattice(500, 6).expect("valid");
        assert_eq!(
            watts_strogatz(500, 6, 0.0, &mut rng(5)).expect("valid"),
            lattice
        );
        for beta in [0.1, 0.5, 1.0] {
            let g = watts_strogatz(500, 6, beta, &mut rng(5)).expect("valid");
            assert_eq!(g.edge_count(), lattice.edge_count());
            assert_eq!(degrees(&g).iter().sum::<usize>(), 2 * g.edge_count());
            assert_ne!(g, lattice);
        }
        // k = n - 1 is complete: nothing can be rewired, nothing may loop forever.
        let complete = watts_strogatz(7, 6, 1.0, &mut rng(5)).expect("valid");
        assert_eq!(complete.edge_count(), 21);
        assert_eq!(
            message(watts_strogatz(10, 2, -0.1, &mut rng(5))),
            "beta = -0.1 must be within [0, 1]"
        );
    }

    #[test]
    fn seeds_are_deterministic_and_distinct() {
        type Gen = fn(&mut ChaCha8Rng) -> Graph;
        let generators: [Gen; 4] = [
            |r| random_k_out(300, 3, r).expect("valid"),
            |r| erdos_renyi(300, 0.02, r).expect("valid"),
            |r| barabasi_albert(300, 3, r).expect("valid"),
            |r| watts_strogatz(300, 4, 0.2, r).expect("valid"),
        ];
        for generate in generators {
            assert_eq!(generate(&mut rng(9)), generate(&mut rng(9)));
            assert_ne!(generate(&mut rng(9)), generate(&mut rng(10)));
        }
    }

    #[test]
    fn node_count_guard() {
        assert_eq!(
            message(star(MAX_NODES + 1)),
            format!("nodes = {} must be at most {MAX_NODES}", MAX_NODES + 1)
        );
    }

    #[test]
    fn edge_list_parses_comments_and_header() {
        let text = "# a small graph\n# nodes: 6\n\n0 1\n1\t2   # trailing comment\n  2 0\n1 0\n";
        let g = edge_list(text).expect("valid");
        assert_eq!(g.node_count(), 6);
        assert_eq!(g.edge_count(), 3, "`1 0` repeats `0 1`");
        let g = edge_list("3 4\r\n0 4\r\n").expect("valid");
        assert_eq!(g.node_count(), 5);
        assert_eq!(edge_list("").expect("empty").node_count(), 0);
    }

    #[test]
    fn a_given_node_count_bounds_the_ids_and_must_match_the_header() {
        let g = edge_list_of("0 1\n", Some(4)).expect("valid");
        assert_eq!((g.node_count(), g.edge_count()), (4, 1));
        let e = edge_list_of("0 1\n2 5\n", Some(3)).expect_err("5 is past 3 nodes");
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(
            e.message,
            "node id 5 must be below 3: the scenario gives `nodes = 3`"
        );
        let e = edge_list_of("# nodes: 10\n0 1\n", Some(3)).expect_err("disagrees");
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("disagrees with the `nodes = 3`"), "{e}");
        assert!(edge_list_of("# nodes: 3\n0 2\n", Some(3)).is_ok());
    }

    #[test]
    fn edge_list_errors_locate_the_problem() {
        let cases = [
            (
                "0 1\n1 x\n",
                2,
                3,
                "expected a node id (non-negative integer), found `x`",
            ),
            ("0 1\n\n  7\n", 3, 4, "expected a second node id after `7`"),
            (
                "0 1 2\n",
                1,
                5,
                "expected end of line after two node ids, found `2`",
            ),
            (
                "4 4\n",
                1,
                3,
                "self loop on node 4: the graph must be simple",
            ),
            (
                "#nodes: 3\n0 3\n",
                2,
                3,
                "node id 3 must be below 3, the count declared by `# nodes:` on line 1",
            ),
            (
                "# nodes: three\n",
                1,
                10,
                "expected a node count after `# nodes:`, found `three`",
            ),
            (
                "0 1\n# nodes: 4\n",
                2,
                1,
                "`# nodes:` header must come before the first edge",
            ),
            (
                "# nodes: 4\n # nodes: 5\n",
                2,
                2,
                "duplicate `# nodes:` header (first on line 1)",
            ),
            (
                "0 -1\n",
                1,
                3,
                "expected a node id (non-negative integer), found `-1`",
            ),
            (
                "0 99999999999999999999999\n",
                1,
                3,
                "node id 99999999999999999999999 must be below 16777216",
            ),
            (
                "é 1\n",
                1,
                1,
                "expected a node id (non-negative integer), found `é`",
            ),
            (
                "\u{e9}\u{e9} 1 x\n",
                1,
                6,
                "expected end of line after two node ids, found `x`",
            ),
        ];
        for (text, line, column, message) in cases {
            let err = edge_list(text).expect_err(text);
            let expected = EdgeListError {
                line,
                column,
                message: message.to_string(),
            };
            assert_eq!(err, expected, "input {text:?}");
        }
        let shown = edge_list("0 1\n1 x\n").expect_err("bad").to_string();
        assert!(shown.starts_with("line 2, column 3: "), "{shown}");
    }

    #[test]
    #[ignore = "timing only; run in release"]
    fn erdos_renyi_million_nodes_is_fast() {
        let n = 1_000_000;
        let start = std::time::Instant::now();
        let g = erdos_renyi(n, 8.0 / (n as f64 - 1.0), &mut rng(6)).expect("valid");
        println!(
            "erdos_renyi(1M, mean degree 8): {} edges in {:?}",
            g.edge_count(),
            start.elapsed()
        );
        assert!(start.elapsed().as_secs() < 30);
    }
}
