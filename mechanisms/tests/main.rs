//! The mechanisms' integration tests, run through the engine on a typed harness:
//! one test binary, one module per behaviour. (`Cargo.toml` sets `autotests = false`,
//! so the files here are modules of this binary, not binaries of their own.)

mod harness;

mod bazaar;
mod check_transfer;
mod fada;
