//! `.p2psim-files`: what a result wrote into its directory, one entry a line
//! (`name`, or `name/` for a directory of its own), recorded before the
//! entries are written, so that `--force` clears exactly them even after a
//! process that was killed half-way.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path};

/// The manifest's file name inside a results directory.
pub const NAME: &str = ".p2psim-files";

/// Entries that results written before manifests existed may hold; `--force`
/// clears them from a directory that has no manifest.
pub const LEGACY: &[&str] = &[
    "summary.json",
    "pool_occupancy.csv",
    "requests.csv",
    "messages.csv",
    "sweep.csv",
    "aggregate.csv",
    "failures.txt",
    "charts/",
];

/// Adds `entries` to the manifest of `dir`.
pub fn record(dir: &Path, entries: &[String]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(NAME))?;
    let mut text = String::new();
    for e in entries {
        text.push_str(e);
        text.push('\n');
    }
    f.write_all(text.as_bytes())
}

/// The entries `dir`'s manifest lists (`None`: it has none).
pub fn read(dir: &Path) -> io::Result<Option<Vec<String>>> {
    match fs::read_to_string(dir.join(NAME)) {
        Ok(text) => Ok(Some(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes what the manifest of `dir` lists (or, without one, the [`LEGACY`]
/// entries), then the manifest. Entries that would leave the directory are
/// skipped: a manifest is only ever trusted inside its own directory.
pub fn clear(dir: &Path) -> io::Result<()> {
    let entries = read(dir)?.unwrap_or_else(|| LEGACY.iter().map(|s| s.to_string()).collect());
    for e in &entries {
        let name = e.trim_end_matches('/');
        let inside = Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if name.is_empty() || !inside {
            continue;
        }
        let path = dir.join(name);
        let removed = match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(_) => Ok(()),
        };
        match removed {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    match fs::remove_file(dir.join(NAME)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_removes_what_was_recorded_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("p2psim-manifest-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("charts")).unwrap();
        for f in ["summary.json", "requests.csv", "notes.txt", "charts/a.png"] {
            fs::write(dir.join(f), "x").unwrap();
        }
        record(
            &dir,
            &[
                "summary.json".into(),
                "requests.csv".into(),
                "charts/".into(),
            ],
        )
        .unwrap();
        record(&dir, &["../outside".into(), "/etc/passwd".into()]).unwrap();
        clear(&dir).unwrap();
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["notes.txt"]);
        let _ = fs::remove_dir_all(&dir);
    }
}
