//! What the workspace's tests share, in the style of vhost-device-scsi's tests: each CDB an
//! annotated byte array or an mmc-core encoding, sent with `command_in`, `command_ok`,
//! `command_out` or `command_fails` to any [`mmc_core::Transport`]; an in-memory sector store
//! a test can look inside; sector patterns that tell every sector apart.
//!
//! A dev-dependency only (`publish = false`). The integration tests of `virtdrive` and
//! `discwriter` use it although it depends on them: an integration test links the same
//! library the kit does.

pub mod cdb;
pub mod command;
pub mod drive;
pub mod erasable;
pub mod sectors;
pub mod sense;
pub mod store;

pub use cdb::*;
pub use command::*;
pub use drive::*;
pub use erasable::Erasable;
pub use sectors::*;
pub use store::MemStore;
