//! Measured all-pairs latency matrices (the King data set's `i j microseconds`
//! lines, or a square table in seconds) and the placement of nodes on their
//! hosts, as PeerSim's `E2ENetwork` with its router assignment does.

use std::fmt;
use std::sync::Arc;

use crate::graph::NodeId;
use crate::scenario::MAX_VIRTUAL_S;
use crate::seeds::keyed;

/// Most hosts a matrix may have. A matrix file holds one line per pair, so
/// its size bounds the memory; this bounds a typo.
pub const MAX_HOSTS: usize = 1 << 16;

/// One-way latencies between `M` hosts, in nanoseconds.
#[derive(Clone, PartialEq, Eq)]
pub struct LatencyMatrix {
    hosts: usize,
    /// Row-major: `nanos[from * hosts + to]`.
    nanos: Vec<u64>,
}

impl fmt::Debug for LatencyMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LatencyMatrix({} hosts)", self.hosts)
    }
}

impl LatencyMatrix {
    /// Number of hosts.
    pub fn hosts(&self) -> usize {
        self.hosts
    }

    /// The latency from host `from` to host `to` (both below [`LatencyMatrix::hosts`]).
    #[inline]
    pub fn nanos(&self, from: usize, to: usize) -> u64 {
        self.nanos[from * self.hosts + to]
    }
}

/// A malformed matrix file, located by 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for MatrixError {}

/// One token of a line: its text, line and byte offset there.
#[derive(Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

impl Token<'_> {
    fn error(&self, message: String) -> MatrixError {
        MatrixError {
            line: self.line,
            column: self.column,
            message,
        }
    }

    /// A duration of `unit` seconds per written unit, as whole nanoseconds.
    fn duration(&self, unit: f64, unit_name: &str) -> Result<u64, MatrixError> {
        let v: f64 = self.text.parse().map_err(|_| {
            self.error(format!(
                "expected a latency in {unit_name} (a number >= 0), found `{}`",
                self.text
            ))
        })?;
        let secs = v * unit;
        if !(0.0..=MAX_VIRTUAL_S).contains(&secs) {
            return Err(self.error(format!(
                "latency {} {unit_name} must be a finite number >= 0 and at most \
                 {MAX_VIRTUAL_S} s",
                self.text
            )));
        }
        Ok(p2psim_runtime::secs_to_nanos(secs))
    }
}

/// The lines of `text` that hold data, as their tokens: `#` starts a comment,
/// tokens are separated by whitespace or commas, blank lines are skipped.
fn data_lines(text: &str) -> impl Iterator<Item = Vec<Token<'_>>> {
    text.lines().enumerate().filter_map(|(index, raw)| {
        let content = &raw[..raw.find('#').unwrap_or(raw.len())];
        let tokens: Vec<Token<'_>> = content
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
            .map(|t| {
                let byte = t.as_ptr() as usize - raw.as_ptr() as usize;
                Token {
                    text: t,
                    line: index + 1,
                    column: raw[..byte].chars().count() + 1,
                }
            })
            .collect();
        (!tokens.is_empty()).then_some(tokens)
    })
}

/// One `i j latency` line of a King file.
struct Entry {
    from: u64,
    to: u64,
    nanos: u64,
    line: usize,
    column: usize,
}

/// Parses the King format: one `i j microseconds` line per measured pair.
///
/// Hosts are the ids that appear, in ascending order (so 0-based and 1-based
/// files read alike): host `k` is the `k`-th smallest id. Lines whose first
/// word is `node` (the header of PeerSim's `t-king.map`) are skipped. A pair
/// given in one direction only has that latency both ways; a pair given in
/// neither is an error, as is a pair given twice. A host's latency to itself
/// is 0 unless an `i i latency` line says otherwise.
pub fn parse_king(text: &str) -> Result<LatencyMatrix, MatrixError> {
    let mut entries = Vec::new();
    for tokens in data_lines(text) {
        if tokens[0].text == "node" {
            continue;
        }
        let last = tokens[tokens.len() - 1];
        if tokens.len() < 3 {
            return Err(MatrixError {
                column: last.column + last.text.chars().count(),
                ..last.error(format!(
                    "expected `host host microseconds`, found {} value{} on this line",
                    tokens.len(),
                    if tokens.len() == 1 { "" } else { "s" }
                ))
            });
        }
        if let Some(extra) = tokens.get(3) {
            return Err(extra.error(format!(
                "expected end of line after `host host microseconds`, found `{}`",
                extra.text
            )));
        }
        let id = |t: &Token<'_>| {
            t.text.parse::<u32>().map(u64::from).map_err(|_| {
                t.error(format!(
                    "expected a host id (an integer from 0 to {}), found `{}`",
                    u32::MAX,
                    t.text
                ))
            })
        };
        entries.push(Entry {
            from: id(&tokens[0])?,
            to: id(&tokens[1])?,
            nanos: tokens[2].duration(1e-6, "microseconds")?,
            line: tokens[0].line,
            column: tokens[0].column,
        });
    }
    let mut ids: Vec<u64> = entries.iter().flat_map(|e| [e.from, e.to]).collect();
    ids.sort_unstable();
    ids.dedup();
    let at_start = |message| MatrixError {
        line: 1,
        column: 1,
        message,
    };
    if ids.is_empty() {
        return Err(at_start(
            "the file holds no `host host microseconds` line".to_string(),
        ));
    }
    let m = ids.len();
    if m > MAX_HOSTS {
        return Err(at_start(format!(
            "{m} hosts, more than the {MAX_HOSTS} a matrix may have"
        )));
    }
    let pairs = m * (m - 1) / 2;
    let given = entries.iter().filter(|e| e.from != e.to).count();
    // A small matrix with pairs missing is filled to name the first of them;
    // a large one is refused before its table is allocated.
    if given < pairs && m * m > 1 << 22 {
        return Err(at_start(format!(
            "{m} hosts need a latency for each of their {pairs} pairs, and the file \
             gives {given}: every pair needs a line, in either direction"
        )));
    }
    check_duplicates(&mut entries)?;
    let index = |id: u64| ids.binary_search(&id).expect("every id was collected");
    const UNSET: u64 = u64::MAX;
    let mut nanos = vec![UNSET; m * m];
    for e in &entries {
        nanos[index(e.from) * m + index(e.to)] = e.nanos;
    }
    let mut missing = 0usize;
    let mut first_missing = None;
    for i in 0..m {
        for j in 0..m {
            if nanos[i * m + j] != UNSET {
                continue;
            }
            let mirror = nanos[j * m + i];
            if i == j {
                nanos[i * m + j] = 0;
            } else if mirror != UNSET {
                nanos[i * m + j] = mirror;
            } else if i < j {
                missing += 1;
                first_missing.get_or_insert((i, j));
            }
        }
    }
    if let Some((i, j)) = first_missing {
        let (a, b) = (ids[i], ids[j]);
        let mention = entries
            .iter()
            .find(|e| e.from == a || e.to == a)
            .expect("every host is mentioned");
        let more = match missing - 1 {
            0 => String::new(),
            n => format!(" ({n} more pairs are missing)"),
        };
        return Err(MatrixError {
            line: mention.line,
            column: mention.column,
            message: format!(
                "hosts {a} and {b} have no latency: neither `{a} {b} ...` nor `{b} {a} ...` \
                 appears{more}; every pair needs a line, in either direction"
            ),
        });
    }
    Ok(LatencyMatrix { hosts: m, nanos })
}

/// Errs on the first line (in file order) that repeats an earlier line's pair.
fn check_duplicates(entries: &mut [Entry]) -> Result<(), MatrixError> {
    entries.sort_by_key(|e| (e.from, e.to, e.line));
    let repeat = entries
        .windows(2)
        .filter(|w| (w[0].from, w[0].to) == (w[1].from, w[1].to))
        .min_by_key(|w| w[1].line);
    if let Some(w) = repeat {
        return Err(MatrixError {
            line: w[1].line,
            column: w[1].column,
            message: format!(
                "the pair `{} {}` is given twice (first on line {})",
                w[1].from, w[1].to, w[0].line
            ),
        });
    }
    entries.sort_by_key(|e| e.line);
    Ok(())
}

/// Parses a square matrix: `M` rows of `M` latencies in seconds, row `i`
/// column `j` the latency from host `i` to host `j`.
pub fn parse_square(text: &str) -> Result<LatencyMatrix, MatrixError> {
    let mut nanos = Vec::new();
    let mut m = 0;
    let mut rows = 0;
    let mut last_line = 0;
    for tokens in data_lines(text) {
        let line = tokens[0].line;
        if rows == 0 {
            m = tokens.len();
            if m > MAX_HOSTS {
                return Err(tokens[0].error(format!(
                    "the first row has {m} values, more than the {MAX_HOSTS} hosts a \
                     matrix may have"
                )));
            }
        } else if rows == m {
            return Err(tokens[0].error(format!(
                "expected {m} rows (the first row has {m} values), found a row more"
            )));
        }
        if let Some(extra) = tokens.get(m) {
            return Err(extra.error(format!(
                "expected {m} values on this row (as on the first), found more"
            )));
        }
        if tokens.len() < m {
            let last = tokens[tokens.len() - 1];
            return Err(MatrixError {
                line,
                column: last.column + last.text.chars().count(),
                message: format!(
                    "expected {m} values on this row (as on the first), found {}",
                    tokens.len()
                ),
            });
        }
        for t in &tokens {
            nanos.push(t.duration(1.0, "seconds")?);
        }
        rows += 1;
        last_line = line;
    }
    if rows == 0 {
        return Err(MatrixError {
            line: 1,
            column: 1,
            message: "the file holds no row of latencies".to_string(),
        });
    }
    if rows < m {
        return Err(MatrixError {
            line: last_line + 1,
            column: 1,
            message: format!("expected {m} rows (the first row has {m} values), found {rows}"),
        });
    }
    Ok(LatencyMatrix { hosts: m, nanos })
}

/// How nodes are placed on a matrix's hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Node `v` on host `v mod M`: distinct hosts while there are no more
    /// nodes than hosts.
    Modulo,
    /// Each node on a host drawn uniformly from the seed, independently (as
    /// PeerSim's `UniformRouterAssignment`); two nodes may share a host.
    Random,
}

/// A matrix with its nodes placed: the latency between two nodes is the one
/// between their hosts.
#[derive(Clone, Debug, PartialEq)]
pub struct HostMatrix {
    matrix: Arc<LatencyMatrix>,
    placement: Placement,
    seed: u64,
}

impl HostMatrix {
    /// Nodes placed on `matrix` by `placement`; `seed` (the `Stream::Placement`
    /// seed) draws a random placement.
    pub fn new(matrix: Arc<LatencyMatrix>, placement: Placement, seed: u64) -> Self {
        HostMatrix {
            matrix,
            placement,
            seed,
        }
    }

    /// The host node `v` sits on: a pure function of the seed and `v`, so no
    /// table of nodes is kept.
    #[inline]
    pub fn host(&self, v: NodeId) -> usize {
        let m = self.matrix.hosts();
        match self.placement {
            Placement::Modulo => v as usize % m,
            // Lemire's multiply-shift: uniform on 0..m up to a bias of m / 2^64.
            Placement::Random => {
                ((u128::from(keyed(self.seed, u64::from(v))) * m as u128) >> 64) as usize
            }
        }
    }

    /// The latency from node `a` to node `b`, in nanoseconds.
    #[inline]
    pub fn nanos(&self, a: NodeId, b: NodeId) -> u64 {
        self.matrix.nanos(self.host(a), self.host(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_king_file_reads_with_symmetric_fill_and_its_own_host_numbers() {
        // 1-based ids as PeerSim's t-king.map, its `node` header, a comment,
        // commas, one pair given both ways with different values.
        let text = "node 1\nnode 2\nnode 3\n# king\n1 2 10000\n2, 1, 12000\n3 1 30500.5\n\
                    2 3 20000 # a comment\n";
        let m = parse_king(text).unwrap();
        assert_eq!(m.hosts(), 3);
        assert_eq!(m.nanos(0, 1), 10 * MS);
        assert_eq!(m.nanos(1, 0), 12 * MS);
        assert_eq!(m.nanos(2, 0), 30_500_500);
        assert_eq!(m.nanos(0, 2), 30_500_500, "filled from 3 1");
        assert_eq!(m.nanos(1, 2), 20 * MS);
        assert_eq!(m.nanos(2, 1), 20 * MS);
        assert_eq!(m.nanos(1, 1), 0);
        let with_self = parse_king("0 1 5\n1 1 7\n").unwrap();
        assert_eq!((with_self.nanos(1, 1), with_self.nanos(0, 0)), (7_000, 0));
    }

    #[test]
    fn a_square_file_reads_row_by_row() {
        let text = "# from 0, 1, 2\n0 0.010 0.020\n0.011, 0, 0.030\n\n0.021 0.031 0.001\n";
        let m = parse_square(text).unwrap();
        assert_eq!(m.hosts(), 3);
        assert_eq!(m.nanos(0, 1), 10 * MS);
        assert_eq!(m.nanos(1, 0), 11 * MS);
        assert_eq!(m.nanos(2, 1), 31 * MS);
        assert_eq!(m.nanos(2, 2), MS);
    }

    /// `(text, line, column, words of the message)` for each bad file.
    fn king_cases() -> Vec<(&'static str, usize, usize, &'static str)> {
        vec![
            ("0 1\n", 1, 4, "found 2 values"),
            ("0 1 5 6\n", 1, 7, "end of line"),
            ("0 x 5\n", 1, 3, "host id"),
            ("0 -1 5\n", 1, 3, "host id"),
            ("0 1 fast\n", 1, 5, "latency in microseconds"),
            ("0 1 -5\n", 1, 5, ">= 0"),
            ("0 1 NaN\n", 1, 5, "finite"),
            ("0 1 1e30\n", 1, 5, "at most"),
            ("# nothing\n", 1, 1, "no `host host"),
            ("0 1 5\n0 2 5\n", 1, 1, "hosts 1 and 2 have no latency"),
            (
                "0 1 5\n0 2 5\n1 2 5\n2 1 5\n0 1 6\n",
                5,
                1,
                "twice (first on line 1)",
            ),
            (
                "0 2 5\n  0 1 5\n1 0 5\n0 3 5\n1 2 5\n2 3 5\n",
                2,
                3,
                "hosts 1 and 3 have no latency",
            ),
        ]
    }

    #[test]
    fn bad_king_files_are_located() {
        for (text, line, column, says) in king_cases() {
            let e = parse_king(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            assert!(e.message.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_large_matrix_with_pairs_missing_is_refused_before_it_is_allocated() {
        let star: String = (1..=2100).map(|k| format!("0 {k} 5\n")).collect();
        let e = parse_king(&star).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(
            e.message
                .contains("2101 hosts need a latency for each of their 2206050 pairs"),
            "{e}"
        );
    }

    #[test]
    fn bad_square_files_are_located() {
        let cases = [
            ("0 1\n1\n", 2, 2, "found 1"),
            ("0 1\n1 0 2\n", 2, 5, "found more"),
            ("0 1\n1 0\n1 1\n", 3, 1, "a row more"),
            ("0 1\n", 2, 1, "found 1"),
            ("0 x\n1 0\n", 1, 3, "latency in seconds"),
            ("0 -1\n1 0\n", 1, 3, ">= 0"),
            ("\n# none\n", 1, 1, "no row"),
        ];
        for (text, line, column, says) in cases {
            let e = parse_square(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
            assert!(e.message.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn modulo_placement_wraps_and_random_placement_covers_the_hosts() {
        let m = Arc::new(parse_square("0 0.001 0.002\n0.003 0 0.004\n0.005 0.006 0\n").unwrap());
        let modulo = HostMatrix::new(m.clone(), Placement::Modulo, 1);
        assert_eq!((modulo.host(0), modulo.host(4), modulo.host(8)), (0, 1, 2));
        assert_eq!(modulo.nanos(4, 2), 4 * MS, "host 1 to host 2");
        assert_eq!(modulo.nanos(5, 3), 5 * MS, "host 2 to host 0");
        assert_eq!(modulo.nanos(3, 6), 0, "one host");
        let random = HostMatrix::new(m.clone(), Placement::Random, 9);
        let mut counts = [0usize; 3];
        for v in 0..30_000 {
            counts[random.host(v)] += 1;
            assert_eq!(random.host(v), random.host(v));
        }
        eprintln!("30,000 nodes placed at random on 3 hosts: {counts:?} (10,000 expected each)");
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        let other = HostMatrix::new(m, Placement::Random, 10);
        assert!((0..100).any(|v| other.host(v) != random.host(v)));
    }
}
