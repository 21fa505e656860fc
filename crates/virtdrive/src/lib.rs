//! # virtdrive: an MMC writer you can hold in a test
//!
//! [`VirtDrive`] receives raw CDB bytes through [`mmc_core::Transport`], decodes them with
//! mmc-core and answers as a drive would: data-in cut to the host's allocation length, CHECK
//! CONDITION with fixed-format sense, and the sense of a malformed CDB (05/20/00 for an unknown
//! opcode or a wrong length, 05/24/00 with the field pointer for a reserved bit).
//!
//! This is the start of the emulator: it identifies itself (INQUIRY), reports its readiness
//! (TEST UNIT READY: no disc, tray closed) and its last sense (REQUEST SENSE). Media, the drive
//! state machine, the virtual clock and fault plans come next.
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
pub mod clock;
mod drive;
mod drive_spec;
pub mod fault;
pub mod medium;
#[cfg(unix)]
pub mod persist;
#[cfg(unix)]
pub mod run;
#[cfg(unix)]
pub mod serve;
pub mod store;
mod virtual_drive;

pub use drive::{
    DiscCondition, DriveClient, DriveConfig, DriveIdentity, LockError, SharedDrive, SpeedSetting,
    VirtDrive,
};
pub use drive_spec::DriveSpec;
#[cfg(unix)]
pub use persist::{DiscFileOperation, HostIoError};
pub use virtual_drive::{VirtualDrive, VirtualDriveError};
