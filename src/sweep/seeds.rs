//! `--seeds`: the seeds each grid point runs with, an inclusive range or a list,
//! held as given (a range of a billion seeds costs two numbers).

use std::fmt;

/// The largest seed a scenario takes (its `seed` is a TOML integer).
pub const MAX_SEED: u64 = i64::MAX as u64;

/// The seeds of a sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seeds {
    /// The scenario's own seed, once.
    Scenario,
    /// `first..=last`.
    Range {
        /// The first seed.
        first: u64,
        /// The last seed (included).
        last: u64,
    },
    /// These seeds, in this order.
    List(Vec<u64>),
}

impl Seeds {
    /// Parses `--seeds`: an inclusive range `1..10` (or `1..=10`) or a list `1,2,7`.
    pub fn parse(arg: &str) -> Result<Seeds, String> {
        let bad = || {
            format!(
                "--seeds {arg}: expected an inclusive range like `1..10` or a list like `1,2,7` \
                 of seeds from 0 to {MAX_SEED}"
            )
        };
        let seed = |s: &str| -> Result<u64, String> {
            let v: u64 = s.trim().parse().map_err(|_| bad())?;
            if v > MAX_SEED {
                return Err(format!(
                    "--seeds {arg}: the seed {v} is past the largest a scenario takes, {MAX_SEED}"
                ));
            }
            Ok(v)
        };
        if let Some((a, b)) = arg.split_once("..") {
            let (first, last) = (seed(a)?, seed(b.trim_start_matches('='))?);
            if first > last {
                return Err(bad());
            }
            return Ok(Seeds::Range { first, last });
        }
        let list: Vec<u64> = arg.split(',').map(seed).collect::<Result<_, _>>()?;
        for (i, s) in list.iter().enumerate() {
            if list[..i].contains(s) {
                return Err(format!(
                    "--seeds {arg}: the seed {s} is given twice (the same runs would be made twice)"
                ));
            }
        }
        Ok(Seeds::List(list))
    }

    /// How many seeds (a range may hold more than `usize`).
    pub fn len(&self) -> u128 {
        match self {
            Seeds::Scenario => 1,
            Seeds::Range { first, last } => u128::from(last - first) + 1,
            Seeds::List(l) => l.len() as u128,
        }
    }

    /// Whether there is none (never, as parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Seed `i` (< `len()`): `None` for the scenario's own.
    pub fn get(&self, i: usize) -> Option<u64> {
        match self {
            Seeds::Scenario => None,
            Seeds::Range { first, .. } => Some(first + i as u64),
            Seeds::List(l) => Some(l[i]),
        }
    }
}

impl fmt::Display for Seeds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seeds::Scenario => f.write_str("the scenario's"),
            Seeds::Range { first, last } => write!(f, "{first}..{last}"),
            Seeds::List(l) => {
                let s: Vec<String> = l.iter().map(u64::to_string).collect();
                f.write_str(&s.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_held_not_listed() {
        let all = Seeds::parse("0..9223372036854775807").unwrap();
        assert_eq!(all.len(), 1u128 << 63);
        assert_eq!(all.get(5), Some(5));
        assert_eq!(Seeds::parse("3..=5").unwrap().len(), 3);
        assert_eq!(Seeds::parse("1,7,2").unwrap().get(1), Some(7));
    }

    #[test]
    fn bad_seeds_are_refused_naming_the_flag() {
        for (arg, phrase) in [
            ("18446744073709551615", "past the largest"),
            ("5..1", "inclusive range"),
            ("1,x", "inclusive range"),
            ("1,2,1", "given twice"),
        ] {
            let e = Seeds::parse(arg).unwrap_err();
            assert!(e.starts_with("--seeds") && e.contains(phrase), "{arg}: {e}");
        }
    }
}
