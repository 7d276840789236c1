//! The sweep's grid: swept parameters and their Cartesian product, computed
//! point by point (a grid is never built whole), and its bound.

pub use crate::sim::shard::Shard;

/// Most runs (points times seeds) one sweep may have: every finished run's row
/// is held until the sweep's files are written. A larger study is several
/// sweeps.
pub const MAX_RUNS: usize = 100_000;

/// One swept scenario key and the values it takes, as given: `pool.capacity=8,16,32`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The scenario key, as for `--set` (`load.rate` means every load entry's rate).
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<String>,
}

impl Param {
    /// Parses `key=v1,v2,...`; a value given twice is refused (it would run
    /// the same point twice).
    pub fn parse(arg: &str) -> Result<Param, String> {
        let (key, values) = arg
            .split_once('=')
            .ok_or_else(|| format!("--param `{arg}`: expected `key=v1,v2,...`"))?;
        let key = key.trim().to_string();
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(format!(
                "--param `{arg}`: expected `key=v1,v2,...` with no empty key or value"
            ));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(format!(
                    "--param `{arg}`: the value `{v}` is given twice (the same point would run twice)"
                ));
            }
        }
        Ok(Param { key, values })
    }

    /// The user's argument, `key=v1,v2,...`.
    pub fn arg(&self) -> String {
        format!("{}={}", self.key, self.values.join(","))
    }
}

/// One point of the grid: an index and one value per swept parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// Position in the full grid (row-major: the first parameter varies slowest).
    pub index: usize,
    /// `(key, value)` per swept parameter, in parameter order.
    pub values: Vec<(String, String)>,
}

impl Point {
    /// The `--set` overrides of this point; `load.KEY` expands to `load[i].KEY` for
    /// each of the scenario's `loads` entries.
    pub fn overrides(&self, loads: usize) -> Vec<String> {
        self.values
            .iter()
            .flat_map(|(k, v)| expand(k, v, loads))
            .collect()
    }
}

/// The overrides one swept `key=value` stands for: `load.KEY` is `load[i].KEY`
/// for each of the `loads` entries, any other key itself.
pub fn expand(key: &str, value: &str, loads: usize) -> Vec<String> {
    match key.strip_prefix("load.") {
        Some(rest) => (0..loads)
            .map(|i| format!("load[{i}].{rest}={value}"))
            .collect(),
        None => vec![format!("{key}={value}")],
    }
}

/// The Cartesian product of swept parameters, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// The parameters, the first varying slowest.
    pub params: Vec<Param>,
}

impl Grid {
    /// The grid of `params`.
    pub fn new(params: Vec<Param>) -> Grid {
        Grid { params }
    }

    /// Its number of points; `None` past `usize`.
    pub fn len(&self) -> Option<usize> {
        self.params
            .iter()
            .try_fold(1usize, |n, p| n.checked_mul(p.values.len()))
    }

    /// Whether it has no point (never: a parameter has at least one value).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Point `index` (< `len()`), decoded from its mixed-radix digits.
    pub fn point(&self, index: usize) -> Point {
        let mut rest = index;
        let mut values = vec![(String::new(), String::new()); self.params.len()];
        for (slot, p) in values.iter_mut().zip(&self.params).rev() {
            let n = p.values.len();
            *slot = (p.key.clone(), p.values[rest % n].clone());
            rest /= n;
        }
        Point { index, values }
    }
}

impl Grid {
    /// Checks that every swept key changes the runs, once: a key swept twice
    /// (or also fixed by `--set`), `seed` (that is `--seeds`), and `load.KEY`
    /// on a scenario with no `[[load]]` (`loads` = 0) are refused.
    pub fn check_keys(&self, fixed: &[String], loads: usize) -> Result<(), String> {
        let key_of = |o: &str| o.split_once('=').map_or(o, |(k, _)| k).trim().to_string();
        let fixed: Vec<String> = fixed.iter().map(|f| key_of(f)).collect();
        let mut seen: Vec<(String, &Param)> = Vec::new();
        for p in &self.params {
            if p.key == "seed" {
                return Err(format!(
                    "--param {}: seeds are swept with --seeds (e.g. --seeds {})",
                    p.arg(),
                    p.values.join(",")
                ));
            }
            let concrete = expand(&p.key, &p.values[0], loads);
            if concrete.is_empty() {
                return Err(format!(
                    "--param {}: the scenario has no [[load]], so `{}` would change nothing\n  \
                     help: add a [[load]] to the scenario, or sweep another key",
                    p.arg(),
                    p.key
                ));
            }
            for key in concrete.iter().map(|o| key_of(o)) {
                if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
                    return Err(format!(
                        "--param {} and --param {} both sweep `{key}`: give each key once",
                        earlier.arg(),
                        p.arg()
                    ));
                }
                if fixed.contains(&key) {
                    return Err(format!(
                        "--param {} sweeps `{key}`, which a --set fixes too: drop one of them",
                        p.arg()
                    ));
                }
                seen.push((key, p));
            }
        }
        Ok(())
    }
}

/// Every point of the product of `params`, in row-major order.
pub fn points(params: &[Param]) -> Vec<Point> {
    let grid = Grid::new(params.to_vec());
    (0..grid.len().unwrap_or(0))
        .map(|i| grid.point(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_the_row_major_product() {
        let params = vec![
            Param::parse("a=1,2").unwrap(),
            Param::parse("b=x,y,z").unwrap(),
        ];
        let pts = points(&params);
        let flat: Vec<String> = pts
            .iter()
            .map(|p| format!("{}{}", p.values[0].1, p.values[1].1))
            .collect();
        assert_eq!(flat, ["1x", "1y", "1z", "2x", "2y", "2z"]);
        assert!(pts.iter().enumerate().all(|(i, p)| p.index == i));
    }

    #[test]
    fn a_huge_grid_has_no_length_and_is_never_built() {
        let many: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let p = Param::parse(&format!("k={}", many.join(","))).unwrap();
        let grid = Grid::new(vec![p; 7]);
        assert_eq!(grid.len(), None);
        assert_eq!(grid.point(1234).values[6].1, "234");
    }

    #[test]
    fn every_swept_key_must_change_the_runs_once() {
        let grid = |ps: &[&str]| Grid::new(ps.iter().map(|p| Param::parse(p).unwrap()).collect());
        let cases: [(&[&str], &[&str], usize, &str); 5] = [
            (
                &["pool.capacity=8", "pool.capacity=16"],
                &[],
                1,
                "both sweep `pool.capacity`",
            ),
            (&["load.rate=1,2"], &[], 0, "no [[load]]"),
            (
                &["load.rate=1", "load[1].rate=2"],
                &[],
                2,
                "both sweep `load[1].rate`",
            ),
            (
                &["pool.capacity=8"],
                &["pool.capacity = 4"],
                1,
                "a --set fixes too",
            ),
            (&["seed=1,2"], &[], 1, "--seeds 1,2"),
        ];
        for (params, fixed, loads, phrase) in cases {
            let fixed: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
            let e = grid(params).check_keys(&fixed, loads).unwrap_err();
            assert!(e.contains(phrase), "{params:?}: {e}");
        }
        assert!(grid(&["load.rate=1", "pool.capacity=8"])
            .check_keys(&[], 2)
            .is_ok());
    }

    #[test]
    fn a_value_given_twice_is_refused() {
        let e = Param::parse("pool.capacity=8,16,8").unwrap_err();
        assert!(e.contains("`8` is given twice"), "{e}");
    }
}
