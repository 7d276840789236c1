//! `[check]`: how `p2psim check` explores the scenario's schedules by default.

use super::convert::{self, Bad, FRange, IRange};
use super::error::ScenarioError;
use super::params::Params;
use super::tree::{Node, Value};
use crate::schedule::MAX_PCT_DEPTH;
use p2psim_runtime::duration_from_secs;
use std::time::Duration;

/// The most schedules a check runs (the command line's `--schedules` too).
pub const MAX_SCHEDULES: u64 = u32::MAX as u64;

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
    let depth = c
        .opt_int("depth", IRange::new(1, MAX_PCT_DEPTH))?
        .map(|d| d as u32);
    let jitter = c.convert("jitter", seconds)?;
    let schedules = c
        .opt_int("schedules", IRange::new(1, MAX_SCHEDULES))?
        .map(|n| n as u64);
    Ok(CheckSpec {
        strategy,
        depth,
        jitter,
        schedules,
    })
}

const DURATION_HELP: &str =
    "write seconds as a number (0.005) or a string like \"5ms\", \"200us\", \"1s\"";

/// A duration: seconds as a number, or a string with a unit (`"5ms"`).
fn seconds(n: &Node) -> Result<f64, Bad> {
    match &n.value {
        Value::Str(s) => parse_duration(s)
            .map(|d| d.as_secs_f64())
            .map_err(|e| (e, DURATION_HELP.to_string())),
        _ => convert::float(n, FRange::TIME),
    }
}

/// The duration in `"5ms"`, `"200us"`, `"10ns"`, `"1.5s"` or `"0.002"` (seconds),
/// within the virtual clock; or what is wrong with it.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let not_one = || format!("`{s}` is not a duration");
    let value: f64 = number.parse().map_err(|_| not_one())?;
    // Divided, not multiplied by 1e-3: the nearest double to the decimal.
    let per_second = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e3,
        "us" | "µs" => 1e6,
        "ns" => 1e9,
        _ => return Err(not_one()),
    };
    duration_from_secs(value / per_second).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_units() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("5ms"), Ok(ms(5)));
        assert_eq!(parse_duration("200us"), Ok(Duration::from_micros(200)));
        assert_eq!(parse_duration("1.5 s"), Ok(ms(1500)));
        assert_eq!(parse_duration("0.25"), Ok(ms(250)));
        assert!(parse_duration("5 min")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("-1ms").unwrap_err().contains("negative"));
        assert!(parse_duration("1e20s")
            .unwrap_err()
            .contains("end of the virtual clock"));
        assert!(parse_duration("1e400ms")
            .unwrap_err()
            .contains("inf s is past"));
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
        for past_the_clock in ["jitter = 1e20", "jitter = \"1e20s\""] {
            let e = read(&p(past_the_clock)).unwrap_err();
            assert_eq!(e.key, "check.jitter");
            assert!(e.to_string().contains("1.8e10"), "{e}");
        }
        let e = read(&p("stratgy = \"pct\"")).unwrap_err();
        assert!(e.help.unwrap().contains("strategy"));
    }
}
