//! `[check]`: how `p2psim check` explores the scenario's schedules by default.

use super::convert::{self, Bad, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::{Node, Value};

/// Defaults for `p2psim check` (its options override them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckSpec {
    /// `pct`, `random` or `jitter`.
    pub strategy: Option<String>,
    /// PCT's bug depth.
    pub depth: Option<u32>,
    /// The jitter bound in seconds: how imprecise the real network's timing is believed to be.
    pub jitter: Option<f64>,
    /// How many schedules.
    pub schedules: Option<u64>,
}

/// Reads `[check]`.
pub(crate) fn read(c: &Params) -> Result<CheckSpec, ScenarioError> {
    c.check_known(&["strategy", "depth", "jitter", "schedules"])?;
    let strategy = c.convert("strategy", |n| {
        convert::choice(n, &["pct", "random", "jitter"])
    })?;
    let depth = c.opt_int("depth", IRange::new(1, 64))?.map(|d| d as u32);
    let jitter = c.convert("jitter", seconds)?;
    let schedules = c
        .opt_int("schedules", IRange::new(1, u32::MAX))?
        .map(|n| n as u64);
    Ok(CheckSpec {
        strategy,
        depth,
        jitter,
        schedules,
    })
}

/// A duration: seconds as a number, or a string with a unit (`"5ms"`).
fn seconds(n: &Node) -> Result<f64, Bad> {
    match &n.value {
        Value::Str(s) => parse_duration(s).ok_or_else(|| {
            (
                format!("`{s}` is not a duration"),
                "write seconds as a number (0.005) or a string like \"5ms\", \"200us\", \"1s\""
                    .to_string(),
            )
        }),
        _ => convert::float(n, FRange::AT_LEAST_ZERO),
    }
}

/// Seconds in `"5ms"`, `"200us"`, `"10ns"`, `"1.5s"` or `"0.002"`.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number.parse().ok()?;
    // Divided, not multiplied by 1e-3: the nearest double to the decimal.
    let per_second = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e3,
        "us" | "µs" => 1e6,
        "ns" => 1e9,
        _ => return None,
    };
    let secs = value / per_second;
    (secs.is_finite() && secs >= 0.0).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_units() {
        assert_eq!(parse_duration("5ms"), Some(0.005));
        assert_eq!(parse_duration("200us"), Some(0.0002));
        assert_eq!(parse_duration("1.5 s"), Some(1.5));
        assert_eq!(parse_duration("0.25"), Some(0.25));
        assert_eq!(parse_duration("5 min"), None);
        assert_eq!(parse_duration("-1ms"), None);
    }

    #[test]
    fn check_defaults_are_read_and_checked() {
        let p = |t: &str| Params::from_toml_str(t, "t.toml", "check").unwrap();
        let c = read(&p(
            "strategy = \"jitter\"\njitter = \"5ms\"\nschedules = 50",
        ))
        .unwrap();
        assert_eq!(c.strategy.as_deref(), Some("jitter"));
        assert_eq!(c.jitter, Some(0.005));
        assert_eq!(c.schedules, Some(50));
        let e = read(&p("jitter = \"5 parsecs\"")).unwrap_err();
        assert_eq!(e.key, "check.jitter");
        let e = read(&p("stratgy = \"pct\"")).unwrap_err();
        assert!(e.help.unwrap().contains("strategy"));
    }
}
