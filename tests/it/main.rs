//! dotwork's integration tests, in one binary to save link time.

mod build;
mod cli;
mod errors;
mod support;
