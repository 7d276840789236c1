//! `runs.jsonl`: every finished run of a sweep, one JSON line each, appended
//! as it completes (in completion order). An interrupted sweep keeps what it
//! finished; `sweep --resume` reads it back and runs the rest, and
//! `p2psim merge` reads shards' journals. The ordered `sweep.csv` is made from
//! it at the end.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::plan::Job;
use super::row::{Outcome, Row};

/// The journal's file name in a sweep's directory.
pub const NAME: &str = "runs.jsonl";

/// One finished run, as the journal holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its job's position in the sweep's order.
    pub order: usize,
    /// Which of the seeds it ran (from 0).
    pub seed_index: usize,
    /// The run.
    pub row: Row,
}

/// The journal, open for appending from any thread.
pub struct Journal {
    file: Mutex<File>,
}

impl Journal {
    /// Opens the journal in `dir` for appending, creating it; a last line cut
    /// short (the process was killed while writing it) is dropped first.
    pub fn open(dir: &Path) -> io::Result<Journal> {
        let path = dir.join(NAME);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        let text = fs::read(&path)?;
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole < text.len() {
            file.set_len(whole as u64)?;
        }
        drop(file);
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok(Journal {
            file: Mutex::new(file),
        })
    }

    /// Appends the finished run of `job` as one line, written at once.
    pub fn append(&self, job: &Job, row: &Row) -> io::Result<()> {
        self.append_entry(job.order, job.seed_index, row)
    }

    /// Appends a run at `order` of the sweep, with its seed's index.
    pub fn append_entry(&self, order: usize, seed_index: usize, row: &Row) -> io::Result<()> {
        let mut line =
            serde_json::to_string(&to_json(order, seed_index, row)).map_err(io::Error::other)?;
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

/// The runs the journal in `dir` holds (none when it has no journal); a last
/// line cut short is left out, any other unreadable line is an error.
pub fn read(dir: &Path) -> Result<Vec<Entry>, String> {
    let path = dir.join(NAME);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let whole = text.rfind('\n').map_or(0, |i| i + 1);
    text[..whole]
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| from_json(&v))
                .ok_or_else(|| {
                    format!(
                        "{}:{}: not a run written by `p2psim sweep`",
                        path.display(),
                        n + 1
                    )
                })
        })
        .collect()
}

fn to_json(order: usize, seed_index: usize, r: &Row) -> Value {
    json!({
        "order": order,
        "seed_index": seed_index,
        "point": r.point,
        "params": r.params,
        "seed": r.seed,
        "outcome": r.outcome.as_str(),
        "detail": r.detail,
        "report": r.report,
        "metrics": r.metrics,
    })
}

fn from_json(v: &Value) -> Option<Entry> {
    let count = |k: &str| v.get(k)?.as_u64().and_then(|n| usize::try_from(n).ok());
    let text = |k: &str| v.get(k)?.as_str().map(String::from);
    let metrics: BTreeMap<String, f64> = v
        .get("metrics")?
        .as_object()?
        .iter()
        .map(|(k, x)| Some((k.clone(), x.as_f64()?)))
        .collect::<Option<_>>()?;
    let params = v
        .get("params")?
        .as_array()?
        .iter()
        .map(|p| p.as_str().map(String::from))
        .collect::<Option<_>>()?;
    Some(Entry {
        order: count("order")?,
        seed_index: count("seed_index")?,
        row: Row {
            point: count("point")?,
            params,
            seed: v.get("seed")?.as_u64()?,
            outcome: Outcome::parse(v.get("outcome")?.as_str()?)?,
            detail: text("detail")?,
            report: text("report")?,
            metrics,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::grid::Point;

    #[test]
    fn rows_come_back_exactly_and_a_torn_last_line_is_dropped() {
        let dir = std::env::temp_dir().join(format!("p2psim-journal-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let row = |point: usize, x: f64| Row {
            point,
            params: vec!["8".into()],
            seed: 3,
            outcome: Outcome::Deadlock,
            detail: "deadlock: \"quoted\", with, commas".into(),
            report: "line 1\nline 2".into(),
            metrics: [("a.b".to_string(), x), ("c".to_string(), 1e-300)].into(),
        };
        let job = |order: usize| Job {
            order,
            point: Point {
                index: order,
                values: vec![],
            },
            seed_index: 0,
            seed: Some(3),
        };
        let j = Journal::open(&dir).unwrap();
        j.append(&job(0), &row(0, 0.1 + 0.2)).unwrap();
        j.append(&job(1), &row(1, std::f64::consts::PI / 7.0))
            .unwrap();
        drop(j);
        // A run cut short mid-line, as by a kill.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.join(NAME))
            .unwrap();
        f.write_all(b"{\"order\":2,\"seed_in").unwrap();
        let back = read(&dir).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].row, row(0, 0.1 + 0.2));
        assert_eq!(back[1].row, row(1, std::f64::consts::PI / 7.0));
        // Appending after a torn line first drops it.
        Journal::open(&dir)
            .unwrap()
            .append(&job(2), &row(2, 2.5))
            .unwrap();
        let back = read(&dir).unwrap();
        assert_eq!(back.iter().map(|e| e.order).collect::<Vec<_>>(), [0, 1, 2]);
        let _ = fs::remove_dir_all(&dir);
    }
}
