//! # discwriter: an optical-disc writing engine with the behaviour of IMAPI2's Write
//!
//! The engine talks to a drive only through [`mmc_core::Transport`], so the same code drives
//! real hardware (SG_IO, behind the `sgio` feature) and the emulator.
//!
//! This is the start of the engine: [`Recorder::open`] identifies a drive and refuses any
//! device that is not an MMC drive (INQUIRY peripheral device type 5) before anything else is
//! sent, and [`Error`] has one variant for every code IMAPI2's `Write` can return, with its
//! HRESULT. The data writer comes next.
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod error;
pub mod media_status;
pub mod readback;
pub mod recorder;
#[cfg(all(feature = "sgio", target_os = "linux"))]
pub mod sgio;
pub mod volume;
pub mod writer;

pub use error::{DeviceCause, Error};
pub use media_status::{DiscState, DiscSummary};
pub use recorder::{Answer, DriveInfo, Recorder};
pub use writer::{
    BlockRange, CancelHandle, DataWriter, ProgressEvent, VerificationLevel, WriteAction,
    WriteOptions, WriteOutcome,
};
