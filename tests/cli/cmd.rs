//! What the CLI tests of results, sweeps and replays share: the binary, a
//! scratch directory per test, a small scenario, and the checks of an exit.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::bin::Run;

/// Runs `p2psim` with `args` in `cwd` (through `bin`: backtraces on, and no
/// panic may reach stderr).
pub fn p2psim_in(cwd: &Path, args: &[&str]) -> Output {
    crate::bin::command().args(args).current_dir(cwd).run()
}

/// A fresh, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("p2psim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small flood scenario in `dir` (a 30-node ring, `lookups` lookups); its path.
pub fn small_scenario(dir: &Path, lookups: u32) -> String {
    let path = dir.join("small.toml");
    let load = if lookups == 0 {
        String::new()
    } else {
        format!("[[load]]\nrequest = \"lookup\"\narrivals = \"poisson\"\nrate = 20.0\ncount = {lookups}\n")
    };
    std::fs::write(
        &path,
        format!(
            "name = \"small\"\nseed = 3\n[topology]\nkind = \"ring\"\nnodes = 30\n\
             [pool]\ncapacity = 64\npolicy = \"reject\"\n\
             [mechanism]\nkind = \"flood\"\nttl = 3\nreplicas = 3\ntimeout = 1.0\n{load}"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// Asserts the exit code and that stderr holds `phrase` and no panic.
pub fn assert_exit(out: &Output, code: i32, phrase: &str, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
    assert!(
        stderr.contains(phrase),
        "{what}: wanted `{phrase}` in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(!stderr.contains("error: error:"), "{what}: {stderr}");
}

/// The names in `dir`, sorted, without the lock and the manifest.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".p2psim"))
        .collect();
    names.sort();
    names
}

/// Lines of a text file.
pub fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}
