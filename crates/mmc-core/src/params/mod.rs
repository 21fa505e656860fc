//! The parameter lists a host sends to a drive (data-out): the mode parameter list of MODE
//! SELECT (10) with its pages (the write parameters page 05h), the FORMAT UNIT parameter
//! list and the SET STREAMING performance descriptor. Each parses with the error a drive
//! answers a malformed list with and emits the exact bytes a host sends.
//!
//! MODE SENSE (10) returns the same mode parameter list, so [`ModeParameters`] is also the
//! drive's answer to it. The CD cue sheet of SEND CUE SHEET is parsed by the emulator that
//! consumes it; a writer builds it from its own track layout.

pub mod format_unit;
pub mod mode;
pub mod performance;
pub mod write_parameters;

pub use format_unit::{BdCertification, FormatDescriptor, FormatUnitParameters};
pub use mode::{ModePage, ModeParameters};
pub use performance::{PerformanceDescriptor, RotationControl};
pub use write_parameters::{DataBlockType, MultiSession, WriteParameters, WriteType};
