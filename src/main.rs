//! The `p2psim` command line.

fn main() {
    println!("p2psim");
}
