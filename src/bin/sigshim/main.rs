//! The `sigshim` command line.
fn main() {}
