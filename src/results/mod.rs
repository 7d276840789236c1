//! Where results go, and the promise that an earlier one is never lost or mixed
//! without the user's say-so.
//!
//! A command that writes a directory ([`dir::ResultDir`]) claims it first: it
//! locks it against every other p2psim process, refuses one that holds earlier
//! results unless told `--force` (which clears exactly what the earlier result
//! wrote, from its [`manifest`]) or `--resume`, and, when the user named no
//! directory, takes the next free `results/NAME-2/`, `-3/`, ... instead. A
//! command that writes one file ([`file`]) checks before it runs that the file
//! can be written and holds nothing it would replace.

pub mod dir;
pub mod file;
pub mod manifest;
