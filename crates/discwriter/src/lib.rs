//! # discwriter: an optical-disc writing engine with the behaviour of IMAPI2's Write
//!
//! The engine talks to a drive only through [`mmc_core::Transport`], so the same code drives
//! real hardware (SG_IO, behind the `sgio` feature) and the emulator.
//!
//! - [`Recorder`]: one drive. [`Recorder::open`] identifies it and refuses any device that
//!   is not an MMC drive (INQUIRY peripheral device type 5) before anything else is sent;
//!   then the disc's status, formatting, eject and load.
//! - [`DataWriter`]: IMAPI2's `IDiscFormat2Data`: its properties, [`DataWriter::write`] (a
//!   new session on write-once media, from sector 0 on rewritable media), progress events,
//!   cancel and verification; [`DataWriter::write_stream`] for data read once (a pipe), of
//!   known length or not.
//! - [`readback`]: which sectors "what was written last", a session or the whole disc are,
//!   and reading them; [`volume`]: the sizes ISO 9660 and UDF volumes give themselves.
//! - [`publish`]: one image to several drives at once, read once, and as many copies as
//!   asked, each drive taking the next on a new disc, as a disc-publishing station makes them.
//! - [`manifest`]: what a write recorded, with the BLAKE3 of the data and of each 16 MiB
//!   chunk, taken as the data went to the drive.
//! - [`Error`]: one variant for every code IMAPI2's `Write` can return, with its HRESULT and
//!   the sense that caused it.
//!
//! Every command sent to the drive is logged through `tracing` at debug level (target
//! `discwriter::drive`), the phases of a write at info level (`discwriter::write`).
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod check;
pub mod error;
pub mod manifest;
pub mod publish;
pub mod readback;
pub mod recorder;
#[cfg(all(feature = "sgio", target_os = "linux"))]
pub mod sgio;
pub mod volume;
pub mod writer;

pub use error::{ApiMisuse, DeviceCause, Error};
pub use recorder::media_status;
pub use recorder::{
    Answer, DiscState, DiscSummary, DriveInfo, Recorder, Retry, SessionState, WriteProtection,
};
pub use writer::{
    BlockRange, CancelHandle, DataWriter, Eraser, ProgressEvent, VerificationLevel, WriteAction,
    WriteOptions, WriteOutcome,
};
