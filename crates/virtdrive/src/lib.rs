//! # virtdrive: an MMC writer you can hold in a test
//!
//! [`EmulatedDrive`] receives raw CDB bytes through [`mmc_core::Transport`], decodes them with
//! mmc-core and answers as a drive would: data-in cut to the host's allocation length, CHECK
//! CONDITION with fixed-format sense, and the sense of a malformed CDB (05/20/00 for an unknown
//! opcode or a wrong length, 05/24/00 with the field pointer for a reserved bit).
//!
//! - [`EmulatedDrive`]: the drive's state machine (tray, readiness, unit attentions, locks,
//!   speed and buffer) on a virtual clock, around a [`medium`] model (CD-R, DVD+R, BD-R,
//!   DVD+RW, BD-RE, pressed discs) whose sectors live in a [`store`].
//! - [`DiscFileDrive`]: an emulated drive with its disc, kept in a disc file ([`persist`]) or in
//!   memory, as the `discwriter` command and `virtdrive serve` open it.
//! - [`fault`]: fault plans, applied to any transport by [`fault::Faulty`].
//! - `serve` and `run`: the drive served to unmodified Linux burning programs.
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
mod disc_file_drive;
mod drive;
pub mod fault;
pub mod medium;
#[cfg(unix)]
pub mod persist;
#[cfg(unix)]
pub mod run;
#[cfg(unix)]
pub mod serve;
pub mod store;
mod virt_spec;

pub use disc_file_drive::{numbered_disc_file, DiscFileDrive, DiscFileDriveError};
pub use drive::{
    DiscCondition, DriveClass, DriveClient, DriveConfig, DriveIdentity, EmulatedDrive, LockError,
    SharedDrive, SpeedSetting, WriteProtection, MAX_READ_CACHE_BYTES, WRITE_INHIBIT_DCB,
};
#[cfg(unix)]
pub use persist::{DiscFileOperation, HostIoError};
pub use virt_spec::VirtSpec;
