//! Distributions of durations as scenario values: a number of seconds, or a
//! table with a `kind` (a latency, a jitter, a session length, a downtime).

use super::convert::{self, FRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::{Node, Value};
use super::MAX_VIRTUAL_S;
use crate::dist::Distribution;

/// The kinds a distribution table may name.
pub(crate) const KINDS: &[&str] = &[
    "constant",
    "uniform",
    "normal",
    "exponential",
    "weibull",
    "pareto",
    "lognormal",
];

/// A duration of the latency kinds the scenarios have always had: a span of
/// virtual time, within the clock.
const NON_NEG: FRange = FRange::TIME;

/// A value `key` of `t` holds: a number of seconds, or a table to read.
pub(crate) enum Written {
    /// A plain number of seconds.
    Seconds(f64),
    /// A table, wrapped with its path.
    Table(Params),
}

/// Reads the node of `key` (taken from `t`) as seconds or a table; `example`
/// is shown when it is neither.
pub(crate) fn written(
    t: &Params,
    key: &str,
    node: &Node,
    example: &str,
) -> Result<Written, ScenarioError> {
    if matches!(node.value, Value::Table(_)) {
        return Ok(Written::Table(Params::from_node(node, &t.path(key))));
    }
    convert::float(node, NON_NEG)
        .map(Written::Seconds)
        .map_err(|(m, _)| {
            t.error_at(
                node,
                key,
                m,
                format!(
                    "write seconds, e.g. `{key} = 0.01`, or a table like \
                     `{key} = {example}`"
                ),
            )
        })
}

/// Reads `key` of `t` as a distribution, when present; `example` is a table
/// shown in the help of a value of the wrong type.
pub(crate) fn read(
    t: &Params,
    key: &str,
    example: &str,
) -> Result<Option<Distribution>, ScenarioError> {
    let Some(node) = t.take(key) else {
        return Ok(None);
    };
    match written(t, key, node, example)? {
        Written::Seconds(v) => Ok(Some(Distribution::Constant(v))),
        Written::Table(l) => {
            let kind = l.require("kind", "kind = \"constant\"", |n| convert::choice(n, KINDS))?;
            from_table(&l, &kind).map(Some)
        }
    }
}

/// The distribution of kind `kind` (one of [`KINDS`], already read) in `l`;
/// keys that do not belong to the kind are refused with a did-you-mean.
pub(crate) fn from_table(l: &Params, kind: &str) -> Result<Distribution, ScenarioError> {
    let secs = |key: &str, example: &str| l.require(key, example, |n| convert::float(n, NON_NEG));
    let positive = |key: &str, example: &str, hi: f64| {
        l.require(key, example, |n| {
            convert::float(n, FRange::closed_above(0.0, hi))
        })
    };
    let d = match kind {
        "constant" => {
            l.check_known(&["kind", "value"])?;
            Distribution::Constant(secs("value", "value = 0.01")?)
        }
        "uniform" => {
            l.check_known(&["kind", "min", "max"])?;
            let min = secs("min", "min = 0.005")?;
            let max = secs("max", "max = 0.02")?;
            if min > max {
                return Err(l.error(
                    "min",
                    format!("min ({min}) is greater than max ({max})"),
                    "use 0 <= min <= max",
                ));
            }
            Distribution::Uniform { min, max }
        }
        "exponential" => {
            l.check_known(&["kind", "mean", "min"])?;
            let mean = secs("mean", "mean = 0.01")?;
            let min = l.opt_float("min", NON_NEG)?.unwrap_or(0.0);
            if min > mean {
                return Err(l.error(
                    "min",
                    format!("min ({min}) is greater than mean ({mean})"),
                    "use 0 <= min <= mean: the value is min plus an exponential excess",
                ));
            }
            Distribution::Exponential { mean, min }
        }
        "normal" => {
            l.check_known(&["kind", "mean", "sd", "min"])?;
            Distribution::NormalTruncated {
                mean: secs("mean", "mean = 0.01")?,
                sd: secs("sd", "sd = 0.002")?,
                min: l.opt_float("min", NON_NEG)?.unwrap_or(0.0),
            }
        }
        "weibull" => {
            l.check_known(&["kind", "shape", "scale"])?;
            Distribution::Weibull {
                shape: positive("shape", "shape = 0.5", f64::INFINITY)?,
                scale: positive("scale", "scale = 600.0", MAX_VIRTUAL_S)?,
            }
        }
        "pareto" => {
            l.check_known(&["kind", "shape", "scale"])?;
            Distribution::Pareto {
                shape: positive("shape", "shape = 2.0", f64::INFINITY)?,
                scale: positive("scale", "scale = 300.0", MAX_VIRTUAL_S)?,
            }
        }
        _ => {
            l.check_known(&["kind", "mu", "sigma"])?;
            Distribution::LogNormal {
                // exp(mu) is the median: at most the clock's range.
                mu: l.require("mu", "mu = 5.0", |n| {
                    convert::float(n, FRange::closed(f64::NEG_INFINITY, MAX_VIRTUAL_S.ln()))
                })?,
                sigma: l.require("sigma", "sigma = 1.0", |n| {
                    convert::float(n, FRange::AT_LEAST_ZERO)
                })?,
            }
        }
    };
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(body: &str) -> Result<Option<Distribution>, ScenarioError> {
        let p = Params::from_toml_str(body, "t.toml", "failures.churn").unwrap();
        read(
            &p,
            "session",
            "{ kind = \"weibull\", shape = 0.5, scale = 600 }",
        )
    }

    #[test]
    fn every_kind_reads() {
        let cases = [
            ("session = 30", Distribution::Constant(30.0)),
            (
                "session = { kind = \"weibull\", shape = 0.5, scale = 600 }",
                Distribution::Weibull {
                    shape: 0.5,
                    scale: 600.0,
                },
            ),
            (
                "session = { kind = \"pareto\", shape = 2, scale = 300 }",
                Distribution::Pareto {
                    shape: 2.0,
                    scale: 300.0,
                },
            ),
            (
                "session = { kind = \"lognormal\", mu = 5, sigma = 1.5 }",
                Distribution::LogNormal {
                    mu: 5.0,
                    sigma: 1.5,
                },
            ),
            (
                "session = { kind = \"exponential\", mean = 60 }",
                Distribution::Exponential {
                    mean: 60.0,
                    min: 0.0,
                },
            ),
        ];
        for (body, want) in cases {
            assert_eq!(dist(body).unwrap(), Some(want), "{body}");
        }
        assert_eq!(dist("").unwrap(), None);
    }

    #[test]
    fn bad_distributions_name_the_key() {
        let cases = [
            (
                "session = { kind = \"weibull\", shape = 0, scale = 1 }",
                "session.shape",
            ),
            (
                "session = { kind = \"weibull\", shape = 1 }",
                "session.scale",
            ),
            (
                "session = { kind = \"pareto\", shape = 1, scale = 1e11 }",
                "session.scale",
            ),
            (
                "session = { kind = \"lognormal\", mu = 30, sigma = 1 }",
                "session.mu",
            ),
            (
                "session = { kind = \"lognormal\", mu = 3, sigma = -1 }",
                "session.sigma",
            ),
            (
                "session = { kind = \"weibull\", shape = 1, scale = 2, mean = 3 }",
                "session.mean",
            ),
            ("session = -3", "session"),
            ("session = \"long\"", "session"),
            (
                "session = { kind = \"weibul\", shape = 1, scale = 2 }",
                "session.kind",
            ),
        ];
        for (body, key) in cases {
            let e = dist(body).unwrap_err();
            assert_eq!(e.key, format!("failures.churn.{key}"), "{body}: {e}");
        }
        let e = dist("session = { kind = \"weibul\", shape = 1, scale = 2 }").unwrap_err();
        assert!(e.help.unwrap().contains("did you mean \"weibull\""));
        let e = dist("session = \"long\"").unwrap_err();
        assert!(e.help.unwrap().contains("`session = { kind = \"weibull\""));
    }
}
