//! Joining the shards of one sweep (`sweep --shard i/n`, each in its own
//! directory) into the whole: the same rows, in the same order, as the
//! unsharded sweep's. Shards of another grid or scenario, a shard given twice
//! or missing, and a shard that has not finished are refused.

use std::path::{Path, PathBuf};

use super::journal::{self, Entry};
use super::spec::Spec;

/// The shards joined.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The whole sweep (no shard).
    pub spec: Spec,
    /// Every run, in the whole sweep's order (by point, then seed).
    pub entries: Vec<Entry>,
}

/// Reads the shards in `dirs` and joins them.
pub fn merge(dirs: &[PathBuf]) -> Result<Merged, String> {
    let shards: Vec<(&Path, Spec)> = dirs
        .iter()
        .map(|d| Ok((d.as_path(), Spec::load(d)?)))
        .collect::<Result<_, String>>()?;
    let Some((first_dir, first)) = shards.first() else {
        return Err("merge: name the shards' directories".to_string());
    };
    let count = first.shard()?.count;
    let mut by_index: Vec<Option<&Path>> = vec![None; count];
    let mut entries = Vec::new();
    for (dir, spec) in &shards {
        if let Some(what) = first.differs(spec, false) {
            return Err(format!(
                "{} and {} are shards of different sweeps: {what}",
                first_dir.display(),
                dir.display()
            ));
        }
        let shard = spec.shard()?;
        if shard.count != count {
            return Err(format!(
                "{} is shard {shard}, {} is of {count} shards: shards of one sweep split it the same way",
                dir.display(),
                first_dir.display()
            ));
        }
        if let Some(other) = by_index[shard.index].replace(dir) {
            return Err(format!(
                "{} and {} are both shard {shard}",
                other.display(),
                dir.display()
            ));
        }
        let runs = journal::read(dir)?;
        if runs.len() != spec.runs {
            return Err(format!(
                "{}: shard {shard} has not finished ({} of {} runs)\n  help: finish it with the \
                 same `p2psim sweep` command and --resume --out {}",
                dir.display(),
                runs.len(),
                spec.runs,
                dir.display()
            ));
        }
        if let Some(e) = runs.iter().find(|e| !shard.owns(e.row.point)) {
            return Err(format!(
                "{}: a run of point {} is not shard {shard}'s",
                dir.display(),
                e.row.point
            ));
        }
        entries.extend(runs);
    }
    // Shards past the number of points own nothing and are not needed.
    let needed = count.min(first.points);
    if let Some(i) = (0..needed).find(|&i| by_index[i].is_none()) {
        return Err(format!(
            "shard {i}/{count} is missing (it runs points {i}, {}, ...): give its directory too",
            i + count
        ));
    }
    entries.sort_by_key(|e| (e.row.point, e.seed_index));
    for (order, e) in entries.iter_mut().enumerate() {
        e.order = order;
    }
    let spec = Spec {
        shard: None,
        runs: entries.len(),
        ..first.clone()
    };
    Ok(Merged { spec, entries })
}
