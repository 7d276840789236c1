//! The sweep's grid: swept parameters, their Cartesian product, seeds and shards.

use std::fmt;

/// One swept scenario key and the values it takes, as given: `pool.capacity=8,16,32`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The scenario key, as for `--set` (`load.rate` means every load entry's rate).
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<String>,
}

impl Param {
    /// Parses `key=v1,v2,...`.
    pub fn parse(arg: &str) -> Result<Param, String> {
        let (key, values) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}`: expected `key=v1,v2,...`"))?;
        let key = key.trim().to_string();
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if key.is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(format!(
                "`{arg}`: expected `key=v1,v2,...` with no empty key or value"
            ));
        }
        Ok(Param { key, values })
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
        let mut out = Vec::new();
        for (k, v) in &self.values {
            match k.strip_prefix("load.") {
                Some(rest) => out.extend((0..loads).map(|i| format!("load[{i}].{rest}={v}"))),
                None => out.push(format!("{k}={v}")),
            }
        }
        out
    }
}

/// The Cartesian product of the parameters, in row-major order.
pub fn points(params: &[Param]) -> Vec<Point> {
    let mut out = vec![Vec::new()];
    for p in params {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<(String, String)>| {
                p.values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((p.key.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    out.into_iter()
        .enumerate()
        .map(|(index, values)| Point { index, values })
        .collect()
}

/// Parses seeds: an inclusive range `1..10` or a list `1,2,7`.
pub fn parse_seeds(arg: &str) -> Result<Vec<u64>, String> {
    let bad =
        || format!("`{arg}`: expected an inclusive range like `1..10` or a list like `1,2,7`");
    if let Some((a, b)) = arg.split_once("..") {
        let a: u64 = a.trim().parse().map_err(|_| bad())?;
        let b: u64 = b
            .trim()
            .trim_start_matches('=')
            .parse()
            .map_err(|_| bad())?;
        if a > b {
            return Err(bad());
        }
        return Ok((a..=b).collect());
    }
    arg.split(',')
        .map(|s| s.trim().parse().map_err(|_| bad()))
        .collect()
}

/// `--shard i/n`: run only the points whose index is `i` modulo `n` (0 <= i < n).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `i/n`.
    pub fn parse(arg: &str) -> Result<Shard, String> {
        let bad = || format!("`{arg}`: expected `i/n` with 0 <= i < n (e.g. `0/4`)");
        let (i, n) = arg.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard runs the point with this index.
    pub fn owns(&self, point: usize) -> bool {
        point % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
