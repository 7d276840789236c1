//! Single output files (a trace, `failure.json`): checked before the run, so
//! that a file that cannot be written is an error up front, not a warning at
//! the end.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Checks that `path` (given with `flag`) can be written: creates its
/// directory and tries the file, leaving an existing one as it is.
pub fn writable(path: &Path, flag: &str) -> Result<(), String> {
    let bad = |e: &dyn std::fmt::Display| {
        format!(
            "{flag} {}: cannot write there: {e}\n  help: choose a path in a directory you can write",
            path.display()
        )
    };
    if path.is_dir() {
        return Err(bad(&"it is a directory"));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| bad(&e))?;
    }
    if path.exists() {
        OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| bad(&e))?;
    } else {
        File::create_new(path).map_err(|e| bad(&e))?;
        let _ = fs::remove_file(path);
    }
    Ok(())
}

/// Checks that `path` (given with `flag`) can be written and holds no earlier
/// result, unless `force`.
pub fn unclaimed(path: &Path, flag: &str, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "{flag} {}: the file exists (an earlier result)\n  \
             help: pass --force to replace it, or choose another path with {flag}",
            path.display()
        ));
    }
    writable(path, flag)
}

/// The first of `base`, `STEM-2.EXT`, `STEM-3.EXT`, ... that does not exist,
/// created (so no other process takes it): a default file name, which never
/// replaces an earlier result.
pub fn fresh(base: &Path) -> io::Result<(PathBuf, File)> {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = base
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..=1000 {
        let candidate = match n {
            1 => base.to_path_buf(),
            n => base.with_file_name(format!("{stem}-{n}{ext}")),
        };
        match File::create_new(&candidate) {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "no free name beside {} (tried 1000)",
        base.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_names_never_replace_a_file() {
        let dir = std::env::temp_dir().join(format!("p2psim-fresh-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let base = dir.join("failure.json");
        let names: Vec<PathBuf> = (0..3).map(|_| fresh(&base).unwrap().0).collect();
        assert_eq!(
            names,
            [
                base.clone(),
                dir.join("failure-2.json"),
                dir.join("failure-3.json")
            ]
        );
        assert!(unclaimed(&base, "--failure", false).is_err());
        assert!(unclaimed(&base, "--failure", true).is_ok());
        assert!(writable(&dir, "--trace").is_err());
        assert!(writable(&dir.join("new/sub/t.json"), "--trace").is_ok());
        assert!(!dir.join("new/sub/t.json").exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
