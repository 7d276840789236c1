//! What a check runs, read one way for every caller: the scenario's `[check]`
//! under what the caller asks (the command line's options, or the arguments of
//! [`explore`](super::explore)), and the settings no check may run with.

use std::time::Duration;

use super::Check;
use crate::scenario::CheckSpec;
use crate::schedule::Strategy;

/// PCT's depth when neither the caller nor `[check]` gives one.
const DEFAULT_DEPTH: u32 = 3;

/// Schedules when neither the caller nor `[check]` says how many.
const DEFAULT_SCHEDULES: u64 = 1000;

/// Where the jitter strategy's bound is given.
const BOUND_WAYS: &str = "--jitter 5ms on the command line, `jitter = \"5ms\"` in [check], \
     or Strategy::Jitter { bound } from code";

impl Check {
    /// The check that `asked` asks for over the scenario's `[check]`
    /// (`defaults`): each setting `asked` leaves out is `[check]`'s, else the
    /// default (PCT of depth 3, 1000 schedules). `[check] jitter` also
    /// jitters the order strategies (pct, random), as `--jitter` does. Both
    /// `p2psim check` and [`explore`](super::explore) read `[check]` here.
    pub fn configure(defaults: &CheckSpec, asked: &CheckSpec) -> Result<Check, String> {
        let name = asked
            .strategy
            .as_deref()
            .or(defaults.strategy.as_deref())
            .unwrap_or("pct");
        let depth = asked.depth.or(defaults.depth).unwrap_or(DEFAULT_DEPTH);
        let jitter = asked
            .jitter
            .or(defaults.jitter)
            .map(|s| p2psim_runtime::duration_from_secs(s).map_err(|e| format!("jitter: {e}")))
            .transpose()?
            .filter(|j| !j.is_zero());
        let strategy = match name {
            "pct" => Strategy::Pct { depth },
            "random" => Strategy::Random,
            "fifo" => Strategy::Fifo,
            "jitter" => Strategy::Jitter {
                bound: jitter
                    .ok_or_else(|| format!("the jitter strategy needs a bound: {BOUND_WAYS}"))?,
            },
            other => {
                return Err(format!(
                    "unknown strategy `{other}`: use pct, random or jitter"
                ))
            }
        };
        let mut check = Check::new(
            strategy,
            asked
                .schedules
                .or(defaults.schedules)
                .unwrap_or(DEFAULT_SCHEDULES),
        );
        // The jitter strategy carries its bound: one source for it.
        check.jitter = jitter.filter(|_| strategy.bound().is_none());
        check.validate()?;
        Ok(check)
    }

    /// The most extra delay a message gets in this check's schedules: the
    /// jitter strategy's bound, or [`Check::jitter`] with the others.
    pub fn message_jitter(&self) -> Option<Duration> {
        self.strategy.bound().or(self.jitter)
    }

    /// Why this check cannot run as set, if it cannot: a check that would
    /// pass without exploring what it says it explores is refused.
    pub fn validate(&self) -> Result<(), String> {
        match self.strategy {
            Strategy::Fifo => Err(
                "a check under the FIFO strategy runs one schedule again and again: \
                 use pct, random or jitter"
                    .to_string(),
            ),
            Strategy::Pct { depth: 0 } => Err("PCT's depth is 0: it is at least 1".to_string()),
            Strategy::Jitter { bound } if bound.is_zero() => Err(format!(
                "the jitter strategy's bound is 0, which delays nothing: give one above 0 \
                 ({BOUND_WAYS})"
            )),
            Strategy::Jitter { bound } => match self.jitter {
                Some(j) if j != bound => Err(format!(
                    "two jitter bounds: the strategy's {bound:?} and the check's {j:?}; \
                     give one"
                )),
                _ => Ok(()),
            },
            Strategy::Pct { .. } | Strategy::Random => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(strategy: Option<&str>, depth: Option<u32>, jitter: Option<f64>) -> CheckSpec {
        CheckSpec {
            strategy: strategy.map(str::to_string),
            depth,
            jitter,
            schedules: None,
        }
    }

    #[test]
    fn what_is_asked_overrides_check_which_overrides_the_defaults() {
        let none = CheckSpec::default();
        let c = Check::configure(&none, &none).unwrap();
        assert_eq!(
            (c.strategy, c.schedules),
            (Strategy::Pct { depth: 3 }, 1000)
        );
        let file = CheckSpec {
            schedules: Some(50),
            ..spec(Some("jitter"), Some(5), Some(0.005))
        };
        let c = Check::configure(&file, &none).unwrap();
        let ms = Duration::from_millis;
        assert_eq!(c.strategy, Strategy::Jitter { bound: ms(5) });
        assert_eq!(c.schedules, 50);
        // `[check] jitter` jitters an order strategy asked for, as --jitter does.
        let c = Check::configure(&file, &spec(Some("pct"), None, None)).unwrap();
        assert_eq!(c.strategy, Strategy::Pct { depth: 5 });
        assert_eq!(c.message_jitter(), Some(ms(5)));
        let c = Check::configure(&file, &spec(Some("jitter"), None, Some(0.002))).unwrap();
        assert_eq!(c.message_jitter(), Some(ms(2)));
    }

    #[test]
    fn a_check_that_would_explore_nothing_is_refused() {
        let none = CheckSpec::default();
        let e = Check::configure(&none, &spec(Some("jitter"), None, None)).unwrap_err();
        assert!(e.contains("--jitter 5ms"), "{e}");
        let e = Check::configure(&none, &spec(Some("jitter"), None, Some(0.0))).unwrap_err();
        assert!(e.contains("needs a bound"), "{e}");
        let zero = Check::new(
            Strategy::Jitter {
                bound: Duration::ZERO,
            },
            10,
        );
        assert!(zero.validate().unwrap_err().contains("bound is 0"));
        assert!(Check::new(Strategy::Fifo, 10).validate().is_err());
        assert!(Check::new(Strategy::Pct { depth: 0 }, 10)
            .validate()
            .is_err());
        let mut two = Check::new(
            Strategy::Jitter {
                bound: Duration::from_millis(5),
            },
            10,
        );
        two.jitter = Some(Duration::from_millis(1));
        assert!(two.validate().unwrap_err().contains("two jitter bounds"));
    }
}
