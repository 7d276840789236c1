//! `[transport]`: message latency, loss, per-link overrides, regions and the
//! default size of a message.

use std::path::Path;
use std::sync::Arc;

use super::convert::{self, FRange, IRange};
use super::error::ScenarioError;
use super::latency;
use super::params::Params;
use super::regions::{self, RegionsSpec};
use crate::dist::Distribution;
use crate::net::matrix::{LatencyMatrix, Placement};

/// How long a message takes on a link.
#[derive(Clone, Debug, PartialEq)]
pub enum LatencySpec {
    /// Drawn afresh for every message.
    Each(Distribution),
    /// Drawn once for each ordered pair of nodes and kept for the run.
    Pairwise {
        /// What each pair's latency is drawn from.
        of: Distribution,
        /// Added to every message, drawn afresh each time.
        jitter: Option<Distribution>,
    },
    /// The latency between the nodes' hosts in a measured matrix.
    Matrix {
        /// The matrix, as read from its file.
        matrix: Arc<LatencyMatrix>,
        /// How nodes are placed on its hosts.
        placement: Placement,
        /// Added to every message, drawn afresh each time.
        jitter: Option<Distribution>,
    },
    /// The latency between the nodes' regions (`[[transport.region]]`).
    Regions(RegionsSpec),
}

/// A fixed latency for one undirected link.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkOverride {
    /// One end.
    pub a: u32,
    /// The other end.
    pub b: u32,
    /// Latency in seconds on this link.
    pub latency: f64,
}

/// Network behaviour between nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportSpec {
    /// Where a hop's latency comes from.
    pub latency: LatencySpec,
    /// Probability that a message is dropped.
    pub loss: f64,
    /// Per-link latency overrides.
    pub links: Vec<LinkOverride>,
    /// The size of a message whose mechanism does not say (`Mechanism::size`), in bytes.
    pub message_bytes: u64,
}

/// The size of a message when neither the mechanism nor `[transport]
/// message_bytes` says: a small control message with its UDP and IP headers.
pub const DEFAULT_MESSAGE_BYTES: u64 = 100;

const KEYS: &[&str] = &["latency", "loss", "links", "region", "message_bytes"];
/// Every latency is a span of virtual time, within the clock.
const NON_NEG: FRange = FRange::TIME;

/// Reads `[transport]`; `nodes` bounds link ends when known, `base_dir`
/// resolves a latency matrix's path.
pub(crate) fn read(
    t: &Params,
    nodes: Option<usize>,
    base_dir: &Path,
) -> Result<TransportSpec, ScenarioError> {
    t.check_known(KEYS)?;
    let latency = match regions::read(t)? {
        Some(regions) => {
            if t.contains("latency") {
                return Err(t.error(
                    "latency",
                    "with [[transport.region]] the regions' latency tables give every \
                     hop's latency",
                    "remove `latency`, or the `[[transport.region]]` entries",
                ));
            }
            LatencySpec::Regions(regions)
        }
        None => latency::read(t, base_dir)?,
    };
    let loss = t.opt_float("loss", FRange::probability())?.unwrap_or(0.0);
    let mut links = Vec::new();
    for l in t.table_list("links")? {
        l.check_known(&["a", "b", "latency"])?;
        let a = l.require("a", "a = 0", |n| convert::node_id(n, nodes))?;
        let b = l.require("b", "b = 1", |n| convert::node_id(n, nodes))?;
        if a == b {
            return Err(l.error(
                "b",
                format!("a link needs two different nodes, found a = b = {a}"),
                "self-links are not modelled; remove this entry",
            ));
        }
        let latency = l.require("latency", "latency = 0.05", |n| convert::float(n, NON_NEG))?;
        links.push(LinkOverride { a, b, latency });
    }
    let message_bytes = t
        .opt_int("message_bytes", IRange::new(0, u32::MAX))?
        .map_or(DEFAULT_MESSAGE_BYTES, |v| v as u64);
    Ok(TransportSpec {
        latency,
        loss,
        links,
        message_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(body: &str, nodes: Option<usize>) -> Result<TransportSpec, ScenarioError> {
        read(
            &Params::from_toml_str(body, "t.toml", "transport").unwrap(),
            nodes,
            Path::new("."),
        )
    }

    #[test]
    fn latency_forms() {
        assert_eq!(
            tr("latency = 1", None).unwrap().latency,
            LatencySpec::Each(Distribution::Constant(1.0))
        );
        assert_eq!(
            tr("", None).unwrap().latency,
            LatencySpec::Each(Distribution::Constant(0.0))
        );
        assert_eq!(
            tr(
                "latency = { kind = \"uniform\", min = 0.1, max = 0.2 }",
                None
            )
            .unwrap()
            .latency,
            LatencySpec::Each(Distribution::Uniform { min: 0.1, max: 0.2 })
        );
        assert_eq!(
            tr("[latency]\nkind = \"normal\"\nmean = 0.1\nsd = 0.01", None)
                .unwrap()
                .latency,
            LatencySpec::Each(Distribution::NormalTruncated {
                mean: 0.1,
                sd: 0.01,
                min: 0.0
            })
        );
        assert_eq!(
            tr(
                "latency = { kind = \"exponential\", mean = 0.01, min = 0.001 }",
                None
            )
            .unwrap()
            .latency,
            LatencySpec::Each(Distribution::Exponential {
                mean: 0.01,
                min: 0.001
            })
        );
        assert_eq!(
            tr("latency = { kind = \"exponential\", mean = 0.02 }", None)
                .unwrap()
                .latency,
            LatencySpec::Each(Distribution::Exponential {
                mean: 0.02,
                min: 0.0
            })
        );
        assert_eq!(
            tr("latency = { kind = \"constant\", value = 0.5 }", None)
                .unwrap()
                .latency,
            LatencySpec::Each(Distribution::Constant(0.5))
        );
    }

    #[test]
    fn bad_latency_and_links() {
        let e = tr(
            "latency = { kind = \"uniform\", min = 0.3, max = 0.2 }",
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "transport.latency.min");
        let e = tr(
            "latency = { kind = \"uniform\", min = 0.1, mx = 0.2 }",
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "transport.latency.mx");
        let e = tr(
            "latency = { kind = \"exponential\", mean = 0.01, min = 0.02 }",
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "transport.latency.min");
        assert!(e.message.contains("greater than mean"), "{e}");
        let e = tr(
            "latency = { kind = \"exponential\", mean = 0.01, sd = 0.002 }",
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "transport.latency.sd");
        let e = tr("latency = { kind = \"exponentail\", mean = 0.01 }", None).unwrap_err();
        assert!(
            e.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean \"exponential\""),
            "{e}"
        );
        let e = tr("links = [{ a = 0, b = 9, latency = 1 }]", Some(4)).unwrap_err();
        assert_eq!(e.key, "transport.links[0].b");
        assert!(e.message.contains("4 nodes"), "{e}");
        let e = tr("links = [{ a = 1, b = 1, latency = 1 }]", None).unwrap_err();
        assert!(e.message.contains("different"), "{e}");
        let ok = tr("[[links]]\na = 0\nb = 1\nlatency = 0.5", Some(2)).unwrap();
        assert_eq!(
            ok.links,
            vec![LinkOverride {
                a: 0,
                b: 1,
                latency: 0.5
            }]
        );
    }

    #[test]
    fn pairwise_latency_and_message_bytes() {
        let t = tr(
            "latency = { kind = \"pairwise\", of = { kind = \"uniform\", min = 0.005, \
             max = 0.015 }, jitter = 0.001 }\nmessage_bytes = 1000",
            None,
        )
        .unwrap();
        assert_eq!(
            t.latency,
            LatencySpec::Pairwise {
                of: Distribution::Uniform {
                    min: 0.005,
                    max: 0.015
                },
                jitter: Some(Distribution::Constant(0.001)),
            }
        );
        assert_eq!(t.message_bytes, 1000);
        assert_eq!(tr("", None).unwrap().message_bytes, DEFAULT_MESSAGE_BYTES);
        let cases = [
            ("latency = { kind = \"pairwise\" }", "transport.latency.of"),
            (
                "latency = { kind = \"pairwise\", of = 0.01, jiter = 0.001 }",
                "transport.latency.jiter",
            ),
            (
                "latency = { kind = \"pairwise\", of = { kind = \"matrix\" } }",
                "transport.latency.of.kind",
            ),
            ("message_bytes = -1", "transport.message_bytes"),
            ("message_bytes = 1.5", "transport.message_bytes"),
            ("latency = -1", "transport.latency"),
        ];
        for (body, key) in cases {
            assert_eq!(tr(body, None).unwrap_err().key, key, "{body}");
        }
        let e = tr("latency = { kind = \"pairwse\", of = 0.01 }", None).unwrap_err();
        assert!(e.help.unwrap().contains("did you mean \"pairwise\""));
    }

    /// Writes `text` as `name` in a directory of its own; returns the directory.
    fn matrix_dir(name: &str, text: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("p2psim-transport-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
        dir
    }

    fn in_dir(body: &str, dir: &Path) -> Result<TransportSpec, ScenarioError> {
        read(
            &Params::from_toml_str(body, "t.toml", "transport").unwrap(),
            None,
            dir,
        )
    }

    #[test]
    fn a_matrix_is_read_with_the_scenario() {
        let dir = matrix_dir("m.txt", "0 1 1500\n");
        let t = in_dir(
            "latency = { kind = \"matrix\", path = \"m.txt\", format = \"king\", \
             placement = \"random\" }",
            &dir,
        )
        .unwrap();
        let LatencySpec::Matrix {
            matrix,
            placement,
            jitter,
        } = t.latency
        else {
            panic!("a matrix");
        };
        assert_eq!((matrix.hosts(), matrix.nanos(1, 0)), (2, 1_500_000));
        assert_eq!((placement, jitter), (Placement::Random, None));
        let bad = matrix_dir("bad.txt", "0 1 1500\n1 0 x\n");
        let e = in_dir(
            "latency = { kind = \"matrix\", path = \"bad.txt\", format = \"king\" }",
            &bad,
        )
        .unwrap_err();
        assert_eq!(e.origin, bad.join("bad.txt").display().to_string());
        assert_eq!(
            (e.line, e.column, e.key.as_str()),
            (2, 5, "transport.latency.path")
        );
        assert!(
            e.to_string()
                .contains("bad.txt:2:5: `transport.latency.path`"),
            "{e}"
        );
        let cases = [
            (
                "{ kind = \"matrix\", format = \"king\" }",
                "transport.latency.path",
            ),
            (
                "{ kind = \"matrix\", path = \"m.txt\" }",
                "transport.latency.format",
            ),
            (
                "{ kind = \"matrix\", path = \"none.txt\", format = \"king\" }",
                "transport.latency.path",
            ),
            (
                "{ kind = \"matrix\", path = \"m.txt\", format = \"kng\" }",
                "transport.latency.format",
            ),
            (
                "{ kind = \"matrix\", path = \"m.txt\", format = \"king\", placement = \"mod\" }",
                "transport.latency.placement",
            ),
        ];
        for (latency, key) in cases {
            let e = in_dir(&format!("latency = {latency}"), &dir).unwrap_err();
            assert_eq!(e.key, key, "{latency}: {e}");
        }
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(bad);
    }

    #[test]
    fn regions_give_the_latency() {
        let body = "[[region]]\nname = \"A\"\nfraction = 1\nlatency = { A = 0.01 }\n";
        let t = tr(body, None).unwrap();
        assert!(matches!(t.latency, LatencySpec::Regions(_)));
        let e = tr(&format!("latency = 0.01\n{body}"), None).unwrap_err();
        assert_eq!(e.key, "transport.latency");
        assert!(e.message.contains("[[transport.region]]"), "{e}");
    }
}
