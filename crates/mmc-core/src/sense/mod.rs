//! Sense data: the fixed (70h/71h) and descriptor (72h/73h) formats of SPC-4 4.5, parsed and
//! built, with the names of every sense key and ASC/ASCQ.
//!
//! - [`Sense::parse`] reads either format into one view, bounded by the bytes received, and
//!   says when they were fewer than the ADDITIONAL SENSE LENGTH promised;
//!   [`Sense::descriptors`] walks the descriptors of descriptor format.
//! - [`SenseBuilder`] emits either format into [`SenseBytes`](crate::SenseBytes).
//! - [`asc_description`] names any ASC/ASCQ from the T10 list, without allocating.
//!
//! Nothing here allocates.

mod asc;
mod asc_table;
mod build;
mod codes;
mod descriptor;
mod parse;
pub mod triples;

pub use asc::{asc_assignments, asc_description, asc_ranges, AscDescription, AscRange};
pub use build::{SenseBuilder, FIXED_SENSE_LEN};
pub use codes::{SenseKey, SenseKeySpecific, SenseTriple};
pub use descriptor::{descriptor_type, ProgressIndication, SenseDescriptor, SenseDescriptors};
pub use parse::{response_code, Sense, SenseFormat};
