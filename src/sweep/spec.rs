//! `sweep.json`: what a sweep is (its scenario's text, the fixed `--set`
//! overrides, the grid, the seeds and the shard), written before it runs, so
//! that `sweep --resume` continues only the very same sweep and `p2psim
//! merge` joins only shards of one.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::grid::{Grid, Param, Shard};
use super::plan::Plan;
use super::seeds::Seeds;

/// The file's name in a sweep's directory.
pub const NAME: &str = "sweep.json";

/// The format of the file this build writes and reads.
pub const VERSION: u64 = 1;

/// One swept key and its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swept {
    /// The key.
    pub key: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// A sweep as a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The file's format ([`VERSION`]).
    pub version: u64,
    /// The scenario file as given on the command line (not compared: the
    /// same file may be reached by another path).
    pub scenario: String,
    /// The scenario file's text.
    pub scenario_text: String,
    /// The `--set` overrides of every run.
    pub set: Vec<String>,
    /// The swept keys.
    pub params: Vec<Swept>,
    /// `--seeds` (`None`: the scenario's own seed).
    pub seeds: Option<String>,
    /// `--shard i/n` (`None`: the whole grid).
    pub shard: Option<String>,
    /// Points of the whole grid.
    pub points: usize,
    /// Runs of this sweep (of its shard).
    pub runs: usize,
}

impl Spec {
    /// The spec of a sweep of `plan` over the scenario at `path`, whose text is `text`.
    pub fn new(path: &Path, text: &str, set: &[String], plan: &Plan) -> Result<Spec, String> {
        Ok(Spec {
            version: VERSION,
            scenario: path.display().to_string(),
            scenario_text: text.to_string(),
            set: set.to_vec(),
            params: plan
                .grid
                .params
                .iter()
                .map(|p| Swept {
                    key: p.key.clone(),
                    values: p.values.clone(),
                })
                .collect(),
            seeds: match &plan.seeds {
                Seeds::Scenario => None,
                s => Some(s.to_string()),
            },
            shard: plan.shard.map(|s| s.to_string()),
            points: plan.points()?,
            runs: plan.owned_points()? * plan.seeds.len() as usize,
        })
    }

    /// The plan it describes.
    pub fn plan(&self) -> Result<Plan, String> {
        Ok(Plan {
            grid: Grid::new(
                self.params
                    .iter()
                    .map(|p| Param {
                        key: p.key.clone(),
                        values: p.values.clone(),
                    })
                    .collect(),
            ),
            seeds: self
                .seeds
                .as_deref()
                .map_or(Ok(Seeds::Scenario), Seeds::parse)?,
            shard: self.shard.as_deref().map(Shard::parse).transpose()?,
        })
    }

    /// Its shard (`0/1` for a whole sweep).
    pub fn shard(&self) -> Result<Shard, String> {
        Ok(self.plan()?.shard.unwrap_or(Shard { index: 0, count: 1 }))
    }

    /// Writes it into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())? + "\n";
        let path = dir.join(NAME);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Reads the spec of the sweep in `dir`.
    pub fn load(dir: &Path) -> Result<Spec, String> {
        let path = dir.join(NAME);
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("{} holds no sweep ({}: {e})", dir.display(), path.display()))?;
        let spec: Spec = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a sweep.json this p2psim writes: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if spec.version != VERSION {
            return Err(format!(
                "{}: format version {}, this p2psim reads version {VERSION}",
                path.display(),
                spec.version
            ));
        }
        Ok(spec)
    }

    /// How `other` is another sweep than this one (`None`: the same one);
    /// the shard is compared when `shard`.
    pub fn differs(&self, other: &Spec, shard: bool) -> Option<String> {
        let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".to_string());
        let params = |s: &Spec| -> Vec<String> {
            s.params
                .iter()
                .map(|p| format!("{}={}", p.key, p.values.join(",")))
                .collect()
        };
        if self.scenario_text != other.scenario_text {
            return Some(format!(
                "the scenario's text differs ({} then, {} now)",
                self.scenario, other.scenario
            ));
        }
        if self.set != other.set {
            return Some(format!(
                "--set differs: [{}] then, [{}] now",
                self.set.join(" "),
                other.set.join(" ")
            ));
        }
        if self.params != other.params {
            return Some(format!(
                "--param differs: [{}] then, [{}] now",
                params(self).join(" "),
                params(other).join(" ")
            ));
        }
        if self.seeds != other.seeds {
            return Some(format!(
                "--seeds differs: {} then, {} now",
                show(&self.seeds),
                show(&other.seeds)
            ));
        }
        if shard && self.shard != other.shard {
            return Some(format!(
                "--shard differs: {} then, {} now",
                show(&self.shard),
                show(&other.shard)
            ));
        }
        None
    }
}
