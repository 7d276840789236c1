//! `[[load]]`: request generators.

use super::convert::{self, Bad, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::{Node, Value};
use super::MAX_VIRTUAL_S;

/// When requests are issued.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrivalSpec {
    /// Poisson arrivals at `rate` per second.
    Poisson {
        /// Requests per second.
        rate: f64,
    },
    /// At exactly these times (seconds, non-decreasing).
    Schedule(Vec<f64>),
    /// `count` requests around `at`, spread uniformly over `spread` seconds.
    Burst {
        /// Burst centre time in seconds.
        at: f64,
        /// Requests in the burst.
        count: u64,
        /// Seconds the burst is spread over.
        spread: f64,
    },
}

/// Which node issues each request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginSpec {
    /// A uniformly random live node.
    Uniform,
    /// Always this node.
    Node(u32),
    /// A uniformly random node from this list.
    Among(Vec<u32>),
}

/// One request generator.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// Request type, interpreted by the mechanism.
    pub request: String,
    /// Arrival process.
    pub arrivals: ArrivalSpec,
    /// Cap on the number of requests (for bursts, the burst size).
    pub count: Option<u64>,
    /// Generator start time in seconds.
    pub start: f64,
    /// Issuing node(s).
    pub origin: OriginSpec,
    /// Remaining keys, for the mechanism to read as request parameters.
    pub params: Params,
}

/// The keys this layer interprets; everything else is a request parameter.
const CORE: &[&str] = &[
    "request", "arrivals", "rate", "times", "at", "count", "spread", "start", "origin",
];

/// Reads one `[[load]]` entry; `duration` decides whether an uncapped Poisson load ends.
pub(crate) fn read(
    l: Params,
    nodes: Option<usize>,
    duration: Option<f64>,
) -> Result<LoadSpec, ScenarioError> {
    let request = l.require("request", "request = \"lookup\"", |n| {
        convert::string(n, true)
    })?;
    let kind = l.require("arrivals", "arrivals = \"poisson\"", |n| {
        convert::choice(n, &["poisson", "schedule", "burst"])
    })?;
    let count_range = IRange::new(1, u64::MAX);
    let (arrivals, count) = match kind.as_str() {
        "poisson" => {
            not_for(&l, &kind, &["times", "at", "spread"])?;
            let rate = l.require("rate", "rate = 10.0", |n| convert::float(n, FRange::RATE))?;
            let count = l.opt_int("count", count_range)?.map(|c| c as u64);
            if count.is_none() && duration.is_none() {
                return Err(l.error(
                    "rate",
                    "a poisson load with neither a count nor a scenario duration would never end",
                    format!("set duration_s or {}", l.path("count")),
                ));
            }
            (ArrivalSpec::Poisson { rate }, count)
        }
        "schedule" => {
            not_for(&l, &kind, &["rate", "at", "count", "spread"])?;
            (ArrivalSpec::Schedule(times(&l)?), None)
        }
        _ => {
            not_for(&l, &kind, &["rate", "times"])?;
            let at = l.require("at", "at = 5.0", |n| convert::float(n, FRange::TIME))?;
            let count = l.require("count", "count = 100", |n| convert::int(n, count_range))? as u64;
            let spread = l.opt_float("spread", FRange::TIME)?.unwrap_or(0.0);
            if at + spread > MAX_VIRTUAL_S {
                return Err(l.error(
                    "spread",
                    format!(
                        "the burst ends at at + spread = {} s, past the end of the virtual \
                         clock: at most {} s",
                        convert::number(at + spread),
                        convert::number(MAX_VIRTUAL_S)
                    ),
                    "lower `at` or `spread`",
                ));
            }
            (ArrivalSpec::Burst { at, count, spread }, Some(count))
        }
    };
    let start = l.opt_float("start", FRange::TIME)?.unwrap_or(0.0);
    let origin = origin(&l, nodes)?;
    for key in CORE {
        l.mark_read(key);
    }
    Ok(LoadSpec {
        request,
        arrivals,
        count,
        start,
        origin,
        params: l,
    })
}

fn not_for(l: &Params, kind: &str, keys: &[&str]) -> Result<(), ScenarioError> {
    for key in keys {
        l.reject(
            key,
            &format!("`{key}` does not apply to arrivals = \"{kind}\""),
        )?;
    }
    Ok(())
}

fn times(l: &Params) -> Result<Vec<f64>, ScenarioError> {
    let times = l
        .list("times", |n| convert::float(n, FRange::TIME))?
        .ok_or_else(|| l.missing("times", "times = [0.0, 1.5]"))?;
    if times.is_empty() {
        return Err(l.error(
            "times",
            "expected a non-empty list of times",
            "list at least one time, e.g. `times = [0.0]`",
        ));
    }
    if let Some(w) = times.windows(2).find(|w| w[1] < w[0]) {
        return Err(l.error(
            "times",
            format!(
                "times must be non-decreasing, but {} comes after {}",
                w[1], w[0]
            ),
            "sort the times",
        ));
    }
    Ok(times)
}

fn origin(l: &Params, nodes: Option<usize>) -> Result<OriginSpec, ScenarioError> {
    let is_list = l
        .take("origin")
        .is_some_and(|n| matches!(&n.value, Value::Array(a) if !a.is_empty()));
    if is_list {
        // Converted element by element so a bad id is reported at that id, not at the `[`.
        let ids = l
            .list("origin", |n| convert::node_id(n, nodes))?
            .unwrap_or_default();
        return Ok(OriginSpec::Among(ids));
    }
    Ok(l.convert("origin", |n| single_origin(n, nodes))?
        .unwrap_or(OriginSpec::Uniform))
}

fn single_origin(node: &Node, nodes: Option<usize>) -> Result<OriginSpec, Bad> {
    match &node.value {
        Value::Str(s) if s == "uniform" => Ok(OriginSpec::Uniform),
        Value::Int(_) => convert::node_id(node, nodes).map(OriginSpec::Node),
        _ => Err((
            format!(
                "expected \"uniform\", a node id or a non-empty array of node ids, found {}",
                node.found()
            ),
            "e.g. `origin = \"uniform\"`, `origin = 0` or `origin = [0, 2]`".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(body: &str, duration: Option<f64>) -> Result<LoadSpec, ScenarioError> {
        read(
            Params::from_toml_str(body, "t.toml", "load[0]").unwrap(),
            Some(4),
            duration,
        )
    }

    #[test]
    fn arrival_kinds() {
        let l = ld(
            "request = \"get\"\narrivals = \"poisson\"\nrate = 2\ncount = 5\nkey = 7",
            None,
        )
        .unwrap();
        assert_eq!(
            (l.arrivals, l.count),
            (ArrivalSpec::Poisson { rate: 2.0 }, Some(5))
        );
        assert_eq!(l.params.u64("key", 0).unwrap(), 7);
        assert!(l.params.finish().is_ok());
        let l = ld(
            "request = \"get\"\narrivals = \"schedule\"\ntimes = [0, 1.5, 1.5]\norigin = [0, 3]",
            None,
        )
        .unwrap();
        assert_eq!(l.arrivals, ArrivalSpec::Schedule(vec![0.0, 1.5, 1.5]));
        assert_eq!(l.origin, OriginSpec::Among(vec![0, 3]));
        let l = ld(
            "request = \"get\"\narrivals = \"burst\"\nat = 5\ncount = 10\norigin = 2",
            None,
        )
        .unwrap();
        assert_eq!(
            l.arrivals,
            ArrivalSpec::Burst {
                at: 5.0,
                count: 10,
                spread: 0.0
            }
        );
        assert_eq!(l.origin, OriginSpec::Node(2));
    }

    #[test]
    fn times_stay_within_the_clock() {
        let load = |arrivals: &str| ld(&format!("request = \"get\"\n{arrivals}"), Some(10.0));
        for (arrivals, key) in [
            ("arrivals = \"poisson\"\nrate = 1e-11", "rate"),
            ("arrivals = \"poisson\"\nrate = 1e308", "rate"),
            ("arrivals = \"schedule\"\ntimes = [1.0, 1e11]", "times"),
            ("arrivals = \"burst\"\nat = 1e308\ncount = 2", "at"),
            (
                "arrivals = \"burst\"\nat = 1e10\nspread = 1e10\ncount = 2",
                "spread",
            ),
            (
                "arrivals = \"burst\"\nat = 1\ncount = 2\nstart = 1e19",
                "start",
            ),
        ] {
            let e = load(arrivals).unwrap_err();
            assert_eq!(e.key, format!("load[0].{key}"), "{arrivals}");
            assert!(e.help.is_some(), "{arrivals}: {e}");
        }
        assert!(load("arrivals = \"burst\"\nat = 1.7e10\ncount = 2").is_ok());
    }

    #[test]
    fn bad_loads() {
        let e = ld("request = \"get\"\narrivals = \"poisson\"\nrate = 2", None).unwrap_err();
        assert_eq!(e.key, "load[0].rate");
        assert_eq!(e.help.as_deref(), Some("set duration_s or load[0].count"));
        assert!(ld(
            "request = \"get\"\narrivals = \"poisson\"\nrate = 2",
            Some(10.0)
        )
        .is_ok());
        let e = ld(
            "request = \"get\"\narrivals = \"schedule\"\ntimes = [2, 1]",
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("non-decreasing"));
        let e = ld(
            "request = \"get\"\narrivals = \"burst\"\nat = 1\ncount = 1\norigin = [1, 4]",
            None,
        )
        .unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.line, e.column),
            ("load[0].origin", 5, 14)
        );
        let e = ld(
            "request = \"get\"\narrivals = \"burst\"\nat = 1\ncount = 1\nrate = 3",
            None,
        )
        .unwrap_err();
        assert_eq!(e.key, "load[0].rate");
        let e = ld("request = \"get\"\narrivals = \"burst\"\nat = 1", None).unwrap_err();
        assert_eq!(e.key, "load[0].count");
        let l = ld(
            "request = \"get\"\narrivals = \"burst\"\nat = 1\ncount = 1\nrte = 3",
            None,
        )
        .unwrap();
        assert!(l
            .params
            .finish()
            .unwrap_err()
            .help
            .unwrap()
            .contains("did you mean `rate`?"));
    }
}
