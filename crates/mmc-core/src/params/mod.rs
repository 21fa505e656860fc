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

use crate::cdb::{CdbError, Opcode};
use crate::layout::stray_bit;
use crate::wire::EmitError;

/// The first `usage.len()` bytes of a parameter list, checked: fewer is a parameter list
/// length error, a set bit outside `usage` a reserved bit in the list (SPC-4: INVALID FIELD
/// IN PARAMETER LIST, the sense-key specific bytes naming the bit).
pub(crate) fn check_list<'a>(
    data: &'a [u8],
    opcode: Opcode,
    usage: &[u8],
) -> Result<&'a [u8], CdbError> {
    let Some(bytes) = data.get(..usage.len()) else {
        return Err(CdbError::ParameterListLength {
            opcode,
            expected: usage.len(),
            got: data.len(),
        });
    };
    match stray_bit(bytes, usage) {
        Some((byte, bit)) => Err(CdbError::ParameterReservedBit {
            opcode,
            byte: u16::try_from(byte).unwrap_or(u16::MAX),
            bit,
        }),
        None => Ok(bytes),
    }
}

/// Copies a whole parameter list into `buf`, returning its length.
pub(crate) fn emit_list(
    bytes: &[u8],
    buf: &mut [u8],
    what: &'static str,
) -> Result<usize, EmitError> {
    match buf.get_mut(..bytes.len()) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            Ok(bytes.len())
        }
        None => Err(EmitError {
            what,
            need: bytes.len(),
            got: buf.len(),
        }),
    }
}
