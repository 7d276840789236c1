//! Typed conversions of one node, with "expected X, found Y" messages and ranges.

use super::tree::{Node, Value};
use p2psim_runtime::MAX_SECS;

/// The shortest period any key may give, in seconds: the clock's 1 ns.
pub(crate) const MIN_PERIOD_S: f64 = 1e-9;

/// The highest rate any key may give, per second: one event a nanosecond.
pub(crate) const MAX_RATE: f64 = 1e9;

/// The lowest positive rate, per second: a mean gap of 10^10 s, within the clock.
pub(crate) const MIN_RATE: f64 = 1e-10;

/// Why a node could not be converted: the message and an optional fix.
pub(crate) type Bad = (String, String);

/// Why times stop at [`MAX_SECS`]: the help of a value past it.
const CLOCK_WHY: &str = "a time is at most 1.8e10 s: the virtual clock counts nanoseconds in 64 \
                         bits (about 584 years), and no event can happen past its end";

/// Why periods start at 1 ns and rates stop at 10^9 per second.
const NANOSECOND_WHY: &str = "the virtual clock counts whole nanoseconds: events closer than \
                              1 ns would come at one instant, and the clock would never advance";

/// Why a rate is at least 10^-10 per second.
const SLOW_RATE_WHY: &str = "events this rare would come, on average, past the end of the \
                             virtual clock (1.8e10 s)";

/// An allowed interval for floats; open ends express "> 0" and "(0, 1)".
#[derive(Clone, Copy, Debug)]
pub(crate) struct FRange {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
    /// Why the range is what it is, said when a value falls outside it.
    why_lo: &'static str,
    why_hi: &'static str,
}

impl FRange {
    /// `>= 0`, the common case for weights and sizes.
    pub(crate) const AT_LEAST_ZERO: FRange = FRange {
        lo: 0.0,
        lo_open: false,
        hi: f64::INFINITY,
        hi_open: false,
        why_lo: "",
        why_hi: "",
    };

    /// A time or a span in seconds: `[0, MAX_SECS]`, within the virtual clock.
    pub(crate) const TIME: FRange = FRange {
        hi: MAX_SECS,
        why_hi: CLOCK_WHY,
        ..FRange::AT_LEAST_ZERO
    };

    /// A span that repeats, in seconds: `[1 ns, MAX_SECS]`.
    pub(crate) const PERIOD: FRange = FRange {
        lo: MIN_PERIOD_S,
        why_lo: NANOSECOND_WHY,
        ..FRange::TIME
    };

    /// Events per second: `[10^-10, 10^9]`, so that the mean gap is at least
    /// 1 ns and within the clock.
    pub(crate) const RATE: FRange = FRange {
        lo: MIN_RATE,
        lo_open: false,
        hi: MAX_RATE,
        hi_open: false,
        why_lo: SLOW_RATE_WHY,
        why_hi: NANOSECOND_WHY,
    };

    /// Events per second where none at all is allowed: `[0, 10^9]`.
    pub(crate) const RATE_OR_ZERO: FRange = FRange {
        lo: 0.0,
        why_lo: "",
        ..FRange::RATE
    };

    /// `[lo, hi]`; infinite ends mean unbounded.
    pub(crate) fn closed(lo: f64, hi: f64) -> Self {
        FRange {
            lo,
            hi,
            ..FRange::AT_LEAST_ZERO
        }
    }

    /// `(lo, hi]` of seconds, within the clock: `hi` is at most [`MAX_SECS`].
    pub(crate) fn time_above(lo: f64) -> Self {
        FRange {
            lo,
            lo_open: true,
            ..FRange::TIME
        }
    }

    /// `(lo, hi]`.
    pub(crate) fn closed_above(lo: f64, hi: f64) -> Self {
        FRange {
            lo_open: true,
            ..Self::closed(lo, hi)
        }
    }

    /// `(lo, hi)`.
    pub(crate) fn open(lo: f64, hi: f64) -> Self {
        FRange {
            lo_open: true,
            hi_open: true,
            ..Self::closed(lo, hi)
        }
    }

    /// A probability: `[0, 1]`.
    pub(crate) fn probability() -> Self {
        Self::closed(0.0, 1.0)
    }

    fn above_lo(&self, v: f64) -> bool {
        if self.lo_open {
            v > self.lo
        } else {
            v >= self.lo
        }
    }

    fn below_hi(&self, v: f64) -> bool {
        if self.hi_open {
            v < self.hi
        } else {
            v <= self.hi
        }
    }

    fn contains(&self, v: f64) -> bool {
        // Written so NaN fails every comparison and is rejected.
        self.above_lo(v) && self.below_hi(v) && v.is_finite()
    }

    /// Why `v`, outside the range, is refused, when the range has a reason.
    fn why(&self, v: f64) -> &'static str {
        match (self.above_lo(v), self.below_hi(v)) {
            (false, _) if !v.is_nan() => self.why_lo,
            (_, false) => self.why_hi,
            _ => "",
        }
    }

    /// "a number >= 0", "a number in [0, 1]", ...
    pub(crate) fn describe(&self) -> String {
        let lo_inf = self.lo == f64::NEG_INFINITY;
        let hi_inf = self.hi == f64::INFINITY;
        match (lo_inf, hi_inf) {
            (true, true) => "a finite number".to_string(),
            (false, true) => format!(
                "a number {} {}",
                if self.lo_open { ">" } else { ">=" },
                number(self.lo)
            ),
            (true, false) => format!(
                "a number {} {}",
                if self.hi_open { "<" } else { "<=" },
                number(self.hi)
            ),
            (false, false) => format!(
                "a number in {}{}, {}{}",
                if self.lo_open { "(" } else { "[" },
                number(self.lo),
                number(self.hi),
                if self.hi_open { ")" } else { "]" }
            ),
        }
    }
}

/// `v` as a user would write it: `1.8e10` and `1e-9` rather than their digits.
pub(crate) fn number(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && a.is_finite() && !(1e-3..1e6).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// An allowed interval for integers, wide enough for every Rust integer type we return.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IRange {
    lo: i128,
    hi: i128,
}

impl IRange {
    /// `[lo, hi]`; a `hi` of `u32::MAX` or more is shown as unbounded, since such caps are
    /// representation limits rather than rules a user needs to see.
    pub(crate) fn new(lo: impl Into<i128>, hi: impl Into<i128>) -> Self {
        IRange {
            lo: lo.into(),
            hi: hi.into(),
        }
    }

    fn unbounded(&self) -> bool {
        self.hi >= i128::from(u32::MAX)
    }

    /// "an integer >= 1", "an integer in [2, 5]".
    pub(crate) fn describe(&self) -> String {
        if self.unbounded() {
            format!("an integer >= {}", self.lo)
        } else if self.lo > self.hi {
            // Only reachable when a bound was derived from a too-small topology.
            format!("an integer in [{}, {}] (an empty range)", self.lo, self.hi)
        } else {
            format!("an integer in [{}, {}]", self.lo, self.hi)
        }
    }
}

fn type_help(node: &Node, want_int: bool) -> String {
    match &node.value {
        Value::Str(_) => "numbers are written without quotes".to_string(),
        Value::Float(_) if want_int => {
            "write a whole number, without a decimal point or exponent".to_string()
        }
        _ => String::new(),
    }
}

/// A finite float in `range`; integers are accepted and widened.
pub(crate) fn float(node: &Node, range: FRange) -> Result<f64, Bad> {
    let Some(v) = node.as_number() else {
        return Err((
            format!("expected {}, found {}", range.describe(), node.found()),
            type_help(node, false),
        ));
    };
    if range.contains(v) {
        Ok(v)
    } else {
        Err((
            format!(
                "{} is out of range: expected {}",
                number(v),
                range.describe()
            ),
            range.why(v).to_string(),
        ))
    }
}

/// An integer in `range`; floats are rejected even when whole, so `3.0` cannot hide a typo.
pub(crate) fn int(node: &Node, range: IRange) -> Result<i128, Bad> {
    let Value::Int(i) = node.value else {
        return Err((
            format!("expected {}, found {}", range.describe(), node.found()),
            type_help(node, true),
        ));
    };
    let v = i128::from(i);
    if v >= range.lo && v <= range.hi {
        Ok(v)
    } else if v > range.hi && range.unbounded() {
        Err((
            format!("{v} is too large: at most {} is allowed", range.hi),
            String::new(),
        ))
    } else {
        Err((
            format!("{v} is out of range: expected {}", range.describe()),
            String::new(),
        ))
    }
}

/// A node id, checked against the node count when the topology states one.
pub(crate) fn node_id(node: &Node, nodes: Option<usize>) -> Result<u32, Bad> {
    let id = int(node, IRange::new(0, u32::MAX))?;
    match nodes {
        Some(n) if id >= n as i128 => Err((
            format!("node {id} does not exist: the topology has {n} nodes"),
            format!("use a node id from 0 to {}", n.saturating_sub(1)),
        )),
        _ => Ok(id as u32),
    }
}

/// A boolean.
pub(crate) fn boolean(node: &Node) -> Result<bool, Bad> {
    match node.value {
        Value::Bool(b) => Ok(b),
        _ => Err((
            format!("expected a boolean (true or false), found {}", node.found()),
            "write true or false without quotes".to_string(),
        )),
    }
}

/// A string; `non_empty` rejects `""`.
pub(crate) fn string(node: &Node, non_empty: bool) -> Result<String, Bad> {
    match &node.value {
        Value::Str(s) if non_empty && s.trim().is_empty() => Err((
            "expected a non-empty string, found an empty string".to_string(),
            String::new(),
        )),
        Value::Str(s) => Ok(s.clone()),
        _ => Err((
            format!("expected a string, found {}", node.found()),
            "strings are written in double quotes".to_string(),
        )),
    }
}

/// One of `allowed`.
pub(crate) fn choice(node: &Node, allowed: &[&str]) -> Result<String, Bad> {
    let list = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let s = string(node, false).map_err(|_| {
        (
            format!("expected one of {list}, found {}", node.found()),
            String::new(),
        )
    })?;
    if allowed.contains(&s.as_str()) {
        return Ok(s);
    }
    let help = match super::suggest::closest(&s, allowed) {
        Some(c) => format!("did you mean \"{c}\"? allowed: {list}"),
        None => format!("allowed: {list}"),
    };
    Err((format!("unknown value {s:?}: expected one of {list}"), help))
}

#[cfg(test)]
mod tests {
    use super::super::source::{Loc, Source};
    use super::*;

    fn n(value: Value) -> Node {
        Node {
            value,
            loc: Loc::start(&Source::new("t", "")),
        }
    }

    #[test]
    fn describes_ranges() {
        assert_eq!(
            FRange::time_above(0.0).describe(),
            "a number in (0, 1.8e10]"
        );
        assert_eq!(FRange::AT_LEAST_ZERO.describe(), "a number >= 0");
        assert_eq!(FRange::probability().describe(), "a number in [0, 1]");
        assert_eq!(FRange::open(0.0, 1.0).describe(), "a number in (0, 1)");
        assert_eq!(IRange::new(1, u64::MAX).describe(), "an integer >= 1");
        assert_eq!(IRange::new(2, 5).describe(), "an integer in [2, 5]");
    }

    #[test]
    fn times_rates_and_periods_say_why_they_are_bounded() {
        let (m, h) = float(&n(Value::Float(1e308)), FRange::TIME).unwrap_err();
        assert_eq!(m, "1e308 is out of range: expected a number in [0, 1.8e10]");
        assert!(h.contains("584 years"), "{h}");
        let (m, h) = float(&n(Value::Float(1e-12)), FRange::PERIOD).unwrap_err();
        assert!(m.contains("[1e-9, 1.8e10]"), "{m}");
        assert!(h.contains("nanoseconds"), "{h}");
        let (_, h) = float(&n(Value::Float(1e308)), FRange::RATE).unwrap_err();
        assert!(h.contains("1 ns"), "{h}");
        let (_, h) = float(&n(Value::Float(1e-11)), FRange::RATE).unwrap_err();
        assert!(h.contains("past the end"), "{h}");
        let (_, h) = float(&n(Value::Float(-1.0)), FRange::TIME).unwrap_err();
        assert_eq!(h, "");
        assert_eq!(float(&n(Value::Float(0.0)), FRange::RATE_OR_ZERO), Ok(0.0));
        assert_eq!(float(&n(Value::Float(1e9)), FRange::RATE), Ok(1e9));
    }

    #[test]
    fn floats_accept_ints_and_reject_nan() {
        assert_eq!(float(&n(Value::Int(3)), FRange::AT_LEAST_ZERO), Ok(3.0));
        assert!(float(&n(Value::Float(f64::NAN)), FRange::AT_LEAST_ZERO).is_err());
        assert!(float(&n(Value::Float(f64::INFINITY)), FRange::AT_LEAST_ZERO).is_err());
    }

    #[test]
    fn ints_reject_floats_and_strings() {
        let (m, h) = int(&n(Value::Str("many".into())), IRange::new(1, u64::MAX)).unwrap_err();
        assert_eq!(m, "expected an integer >= 1, found string \"many\"");
        assert!(h.contains("quotes"));
        assert!(int(&n(Value::Float(3.0)), IRange::new(0, 9)).is_err());
        let (m, _) = int(&n(Value::Int(0)), IRange::new(1, u64::MAX)).unwrap_err();
        assert!(m.contains("out of range"), "{m}");
    }

    #[test]
    fn choice_suggests() {
        let (m, h) = choice(&n(Value::Str("rejct".into())), &["reject", "queue"]).unwrap_err();
        assert!(m.contains("\"reject\", \"queue\""), "{m}");
        assert!(h.starts_with("did you mean \"reject\""), "{h}");
    }
}
