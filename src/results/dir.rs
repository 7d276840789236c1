//! Claiming a results directory: created, locked for as long as this process
//! writes it, and checked for earlier results before anything runs.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

use super::manifest;

/// The lock file inside a claimed directory (an advisory lock: the system
/// drops it when the process ends, however it ends).
pub const LOCK: &str = ".p2psim.lock";

/// What to do with a directory that holds earlier results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// Refuse it.
    Refuse,
    /// Clear what the earlier result wrote (its manifest), then write.
    Force,
    /// Keep it: the command continues the result it holds (`sweep --resume`).
    Resume,
}

impl Reuse {
    /// `Force` when `force`, else `Refuse`.
    pub fn force_if(force: bool) -> Reuse {
        if force {
            Reuse::Force
        } else {
            Reuse::Refuse
        }
    }
}

/// A directory this process writes results into, locked until it is dropped.
#[derive(Debug)]
pub struct ResultDir {
    path: PathBuf,
    lock: Option<File>,
    /// Whether this claim made the directory (and so may remove it again if
    /// nothing was written).
    created: bool,
    recorded: bool,
}

impl ResultDir {
    /// Claims `path`, named by the user with `flag` (`--out`): creates it,
    /// locks it, and applies `reuse` to what it holds.
    pub fn claim(path: &Path, reuse: Reuse, flag: &str) -> Result<ResultDir, String> {
        let created = !path.exists();
        fs::create_dir_all(path).map_err(|e| {
            format!(
                "cannot create {}: {e}\n  help: choose another directory with {flag}",
                path.display()
            )
        })?;
        let mut dir = ResultDir {
            path: path.to_path_buf(),
            lock: None,
            created,
            recorded: false,
        };
        dir.lock = Some(lock(path, flag)?);
        let earlier =
            earlier_results(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match reuse {
            _ if earlier.is_empty() => {}
            Reuse::Resume => {}
            Reuse::Refuse => {
                // The manifest is bookkeeping: the user knows the results by their names.
                let named: Vec<&String> = earlier.iter().filter(|n| *n != manifest::NAME).collect();
                let named = if named.is_empty() {
                    earlier.iter().collect()
                } else {
                    named
                };
                let mut shown: Vec<String> = named.iter().take(3).map(|n| n.to_string()).collect();
                if named.len() > 3 {
                    shown.push(format!("and {} more", named.len() - 3));
                }
                return Err(format!(
                    "{} holds earlier results ({}): they would be replaced or mixed with this one\n  \
                     help: pass --force to replace them, or choose another directory with {flag}",
                    path.display(),
                    shown.join(", ")
                ));
            }
            Reuse::Force => manifest::clear(path).map_err(|e| {
                format!(
                    "--force: cannot clear the earlier results in {}: {e}",
                    path.display()
                )
            })?,
        }
        Ok(dir)
    }

    /// Claims the first of `base`, `base-2`, `base-3`, ... that holds no
    /// results: the default directory of a command, which never replaces one.
    pub fn fresh(base: &Path) -> Result<ResultDir, String> {
        let name = base
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut last = String::new();
        for n in 1..=1000 {
            let candidate = match n {
                1 => base.to_path_buf(),
                n => base.with_file_name(format!("{name}-{n}")),
            };
            if candidate.exists() && !is_free(&candidate) {
                continue;
            }
            match ResultDir::claim(&candidate, Reuse::Refuse, "--out") {
                Ok(d) => return Ok(d),
                // Another process took it between the look and the lock.
                Err(e) => last = e,
            }
        }
        Err(format!(
            "no free results directory beside {} (tried 1000): {last}\n  help: choose one with --out",
            base.display()
        ))
    }

    /// Whether the directory holds anything but its lock.
    pub fn holds_results(&self) -> Result<bool, String> {
        earlier_results(&self.path)
            .map(|e| !e.is_empty())
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records, before writing them, the entries this result writes (`name`
    /// or `name/` for a directory of its own), so `--force` can clear them.
    pub fn record<S: AsRef<str>>(&mut self, entries: &[S]) -> Result<(), String> {
        self.recorded = true;
        let entries: Vec<String> = entries.iter().map(|e| e.as_ref().to_string()).collect();
        manifest::record(&self.path, &entries)
            .map_err(|e| format!("cannot write to {}: {e}", self.path.display()))
    }
}

impl Drop for ResultDir {
    /// A directory this claim created and nothing was written to (the run
    /// was refused after the claim) is removed again.
    fn drop(&mut self) {
        if self.created && !self.recorded {
            let _ = fs::remove_file(self.path.join(LOCK));
            let _ = fs::remove_dir(&self.path);
        }
    }
}

/// Takes the lock of `dir`.
fn lock(dir: &Path, flag: &str) -> Result<File, String> {
    let path = dir.join(LOCK);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot create the lock {}: {e}", path.display()))?;
    // fs4's lock, not std's (newer than this crate's rust-version).
    match FileExt::try_lock(&file) {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(format!(
            "{} is being written by another p2psim process (it holds the lock {})\n  \
             help: wait for it to finish, or choose another directory with {flag}",
            dir.display(),
            path.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// The entries of `dir` other than its lock, sorted.
fn earlier_results(dir: &Path) -> io::Result<Vec<String>> {
    let mut out: Vec<String> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    out.retain(|n| n != LOCK);
    out.sort();
    Ok(out)
}

/// Whether `dir` is a directory holding nothing but (perhaps) a lock.
fn is_free(dir: &Path) -> bool {
    dir.is_dir() && earlier_results(dir).is_ok_and(|e| e.is_empty())
}
