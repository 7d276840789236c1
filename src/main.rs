//! The `p2psim` command: the whole CLI with the shipped mechanisms.

/// Simulations allocate and free millions of small objects (tasks, messages in
/// flight); mimalloc's thread-local free lists serve them faster than glibc's.
#[global_allocator]
static GLOBAL: p2psim::Allocator = p2psim::Allocator;

fn main() {
    p2psim::cli::main(p2psim::mechanisms::builtin())
}
