//! `[transport]`: message latency, loss and per-link overrides.

use super::convert::{self, FRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::Value;

/// How long a message takes on a link.
#[derive(Clone, Debug, PartialEq)]
pub enum LatencySpec {
    /// Always this many seconds.
    Constant(f64),
    /// Uniform in `[min, max]` seconds.
    Uniform {
        /// Lower bound in seconds.
        min: f64,
        /// Upper bound in seconds.
        max: f64,
    },
    /// Normal, truncated below at `min` so latency is never negative.
    Normal {
        /// Mean in seconds.
        mean: f64,
        /// Standard deviation in seconds.
        sd: f64,
        /// Truncation: no sample is below this.
        min: f64,
    },
    /// `min` plus an exponential excess, `mean` seconds on average in all.
    Exponential {
        /// Mean delay in seconds (at least `min`).
        mean: f64,
        /// Smallest delay in seconds.
        min: f64,
    },
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
    /// Default latency model.
    pub latency: LatencySpec,
    /// Probability that a message is dropped.
    pub loss: f64,
    /// Per-link latency overrides.
    pub links: Vec<LinkOverride>,
}

const KEYS: &[&str] = &["latency", "loss", "links"];
/// Every latency is a span of virtual time, within the clock.
const NON_NEG: FRange = FRange::TIME;

/// Reads `[transport]`; `nodes` bounds link ends when known.
pub(crate) fn read(t: &Params, nodes: Option<usize>) -> Result<TransportSpec, ScenarioError> {
    t.check_known(KEYS)?;
    let latency = latency(t)?;
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
    Ok(TransportSpec {
        latency,
        loss,
        links,
    })
}

fn latency(t: &Params) -> Result<LatencySpec, ScenarioError> {
    let Some(node) = t.take("latency") else {
        // No default is given by the schema; an ideal network is the least surprising one.
        return Ok(LatencySpec::Constant(0.0));
    };
    if !matches!(node.value, Value::Table(_)) {
        let v = convert::float(node, NON_NEG).map_err(|(m, why)| {
            let help = match why.is_empty() {
                true => "write seconds, e.g. `latency = 0.01`, or a table like `{ kind = \"uniform\", min = 0.005, max = 0.02 }`".to_string(),
                false => why,
            };
            t.error_at(node, "latency", m, help)
        })?;
        return Ok(LatencySpec::Constant(v));
    }
    let l = Params::from_node(node, &t.path("latency"));
    let kind = l.require("kind", "kind = \"constant\"", |n| {
        convert::choice(n, &["constant", "uniform", "normal", "exponential"])
    })?;
    let spec = match kind.as_str() {
        "constant" => {
            l.check_known(&["kind", "value"])?;
            LatencySpec::Constant(
                l.require("value", "value = 0.01", |n| convert::float(n, NON_NEG))?,
            )
        }
        "uniform" => {
            l.check_known(&["kind", "min", "max"])?;
            let min = l.require("min", "min = 0.005", |n| convert::float(n, NON_NEG))?;
            let max = l.require("max", "max = 0.02", |n| convert::float(n, NON_NEG))?;
            if min > max {
                return Err(l.error(
                    "min",
                    format!("min ({min}) is greater than max ({max})"),
                    "use 0 <= min <= max",
                ));
            }
            LatencySpec::Uniform { min, max }
        }
        "exponential" => {
            l.check_known(&["kind", "mean", "min"])?;
            let mean = l.require("mean", "mean = 0.01", |n| convert::float(n, NON_NEG))?;
            let min = l.opt_float("min", NON_NEG)?.unwrap_or(0.0);
            if min > mean {
                return Err(l.error(
                    "min",
                    format!("min ({min}) is greater than mean ({mean})"),
                    "use 0 <= min <= mean: the delay is min plus an exponential excess",
                ));
            }
            LatencySpec::Exponential { mean, min }
        }
        _ => {
            l.check_known(&["kind", "mean", "sd", "min"])?;
            LatencySpec::Normal {
                mean: l.require("mean", "mean = 0.01", |n| convert::float(n, NON_NEG))?,
                sd: l.require("sd", "sd = 0.002", |n| convert::float(n, NON_NEG))?,
                min: l.opt_float("min", NON_NEG)?.unwrap_or(0.0),
            }
        }
    };
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(body: &str, nodes: Option<usize>) -> Result<TransportSpec, ScenarioError> {
        read(
            &Params::from_toml_str(body, "t.toml", "transport").unwrap(),
            nodes,
        )
    }

    #[test]
    fn latency_forms() {
        assert_eq!(
            tr("latency = 1", None).unwrap().latency,
            LatencySpec::Constant(1.0)
        );
        assert_eq!(tr("", None).unwrap().latency, LatencySpec::Constant(0.0));
        assert_eq!(
            tr(
                "latency = { kind = \"uniform\", min = 0.1, max = 0.2 }",
                None
            )
            .unwrap()
            .latency,
            LatencySpec::Uniform { min: 0.1, max: 0.2 }
        );
        assert_eq!(
            tr("[latency]\nkind = \"normal\"\nmean = 0.1\nsd = 0.01", None)
                .unwrap()
                .latency,
            LatencySpec::Normal {
                mean: 0.1,
                sd: 0.01,
                min: 0.0
            }
        );
        assert_eq!(
            tr(
                "latency = { kind = \"exponential\", mean = 0.01, min = 0.001 }",
                None
            )
            .unwrap()
            .latency,
            LatencySpec::Exponential {
                mean: 0.01,
                min: 0.001
            }
        );
        assert_eq!(
            tr("latency = { kind = \"exponential\", mean = 0.02 }", None)
                .unwrap()
                .latency,
            LatencySpec::Exponential {
                mean: 0.02,
                min: 0.0
            }
        );
        assert_eq!(
            tr("latency = { kind = \"constant\", value = 0.5 }", None)
                .unwrap()
                .latency,
            LatencySpec::Constant(0.5)
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
}
