//! # mmc-core: the SCSI MMC vocabulary of an optical-disc writer
//!
//! Everything the engine and the emulator say to each other passes through these types:
//!
//! - [`cdb`]: every command a writer sends, as a typed struct that encodes to the exact bytes
//!   and decodes from them; [`cdb::Command`] decodes any CDB and rejects malformed ones with the
//!   sense a drive would return.
//! - [`sense`]: fixed and descriptor sense data, parsed and built, with the names of every sense
//!   key and ASC/ASCQ; [`condition`] classifies sense into IMAPI conditions and retry classes,
//!   and [`imapi`] names every IMAPI2 result code ([`ImapiCode`]).
//! - [`response`]: the data a drive returns (INQUIRY, GET CONFIGURATION, READ DISC INFORMATION,
//!   ...), parsed and built; [`params`]: the parameter lists a host sends (MODE SELECT data
//!   with the write parameters page, the FORMAT UNIT list, the SET STREAMING descriptor).
//! - [`transport`]: the [`Transport`] trait; [`trace`] records and replays transcripts.
//!
//! Nothing here does I/O or panics on any input; encoding and decoding CDBs and sense do not
//! allocate. Parsers are bounded by the bytes actually received.
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod cdb;
pub mod condition;
#[doc(hidden)]
pub mod fuzz_seeds;
pub mod imapi;
mod layout;
pub mod params;
pub mod profile;
pub mod response;
pub mod sense;
pub mod trace;
pub mod transport;
pub mod wire;

pub use cdb::{CdbError, Command, Opcode, Transfer, BLOCK_LEN};
pub use imapi::ImapiCode;
pub use profile::Profile;
pub use transport::{Completion, DataPhase, Direction, ScsiStatus, Transport, TransportError};
pub use wire::{CdbBytes, ParseError, SenseBytes};
