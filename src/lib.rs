//! The `discwriter` command (src/main.rs is its entry point). A library only so that the
//! tests can walk the command line's clap definitions; nothing here is a public API.
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod cli;
