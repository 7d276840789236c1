//! The command a user types to run this program, for the hints it prints
//! (`replay it: COMMAND replay failure.json`): a user's binary is not `p2psim`.

use std::ffi::OsStr;
use std::path::{Component, Path};

/// This program's command: `cargo run [--release] --example NAME --` for a
/// cargo example, else the executable's file name.
pub fn command() -> String {
    command_of(std::env::args_os().next().as_deref())
}

/// The command that runs the executable `argv0`.
pub fn command_of(argv0: Option<&OsStr>) -> String {
    let Some(path) = argv0.map(Path::new) else {
        return "p2psim".to_string();
    };
    let name = path
        .file_stem()
        .map_or("p2psim".to_string(), |n| n.to_string_lossy().into_owned());
    let dirs: Vec<String> = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    // Cargo puts an example at target/PROFILE/examples/NAME.
    match dirs.as_slice() {
        [.., target, profile, examples] if target == "target" && examples == "examples" => {
            match profile.as_str() {
                "debug" => format!("cargo run --example {name} --"),
                "release" => format!("cargo run --release --example {name} --"),
                other => format!("cargo run --profile {other} --example {name} --"),
            }
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_is_named_as_its_user_runs_it() {
        for (argv0, command) in [
            (
                "/home/u/kad/target/release/examples/lockring",
                "cargo run --release --example lockring --",
            ),
            (
                "target/debug/examples/gossip",
                "cargo run --example gossip --",
            ),
            ("/usr/local/bin/kademlia-sim", "kademlia-sim"),
            ("/w/target/release/p2psim", "p2psim"),
            ("./mysim.exe", "mysim"),
        ] {
            assert_eq!(command_of(Some(OsStr::new(argv0))), command, "{argv0}");
        }
        assert_eq!(command_of(None), "p2psim");
    }
}
