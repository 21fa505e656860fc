//! What can be wrong with a command a host sends, and the sense a drive answers it with.

use core::fmt;

use serde::Serialize;

use super::opcode::Opcode;
use crate::sense::{triples, SenseKeySpecific, SenseTriple};

/// Why a CDB (or the parameter list that goes with it) was rejected.
///
/// Each variant carries what a drive needs to answer the command: [`CdbError::sense`] gives
/// the sense triple and the field pointer of SPC-4 4.5.2.4.2, so an emulator can return
/// exactly what a real drive would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CdbError {
    /// No bytes at all: there is not even an operation code.
    #[error("empty CDB: there is no operation code")]
    Empty,
    /// The operation code is not one of the commands this crate decodes.
    #[error("{} is not a command this crate decodes", OpcodeWithHex(*opcode))]
    UnknownOpcode { opcode: u8 },
    /// A struct's `decode` was given another command's CDB (a caller's mistake, not the
    /// host's: [`crate::cdb::Command::decode`] never returns it).
    #[error("the CDB holds {}, not {expected}", OpcodeWithHex(*got))]
    WrongOpcode { expected: Opcode, got: u8 },
    /// The CDB is shorter or longer than the command's fixed length.
    #[error("{opcode} CDB is {got} bytes long, the command has {expected}")]
    WrongLength {
        opcode: Opcode,
        expected: usize,
        got: usize,
    },
    /// A bit the command does not define (reserved, obsolete, or a vendor-specific field
    /// this crate does not support) is set.
    #[error("byte {byte} bit {bit} of {opcode} is reserved but set")]
    ReservedBit { opcode: Opcode, byte: u8, bit: u8 },
    /// A defined field holds a value the command cannot accept (NACA or LINK in the Control
    /// byte, a page code without EVPD, ...). `bit` is the field's most significant bit.
    #[error("byte {byte} bit {bit} of {opcode}: {field} {reason}")]
    InvalidField {
        opcode: Opcode,
        byte: u8,
        bit: u8,
        field: &'static str,
        reason: &'static str,
    },
    /// The parameter list sent with the command is shorter than its layout, or its length
    /// field disagrees with the bytes sent.
    #[error("the {opcode} parameter list is {got} bytes long, {expected} expected")]
    ParameterListLength {
        opcode: Opcode,
        expected: usize,
        got: usize,
    },
    /// A reserved bit of the parameter list is set.
    #[error("byte {byte} bit {bit} of the {opcode} parameter list is reserved but set")]
    ParameterReservedBit { opcode: Opcode, byte: u16, bit: u8 },
    /// A field of the parameter list holds a value the command cannot accept.
    #[error("byte {byte} bit {bit} of the {opcode} parameter list: {field} {reason}")]
    InvalidParameter {
        opcode: Opcode,
        byte: u16,
        bit: u8,
        field: &'static str,
        reason: &'static str,
    },
}

/// Displays an opcode with its byte: `READ CD (BEh)`, `operation code C5h`.
struct OpcodeWithHex(u8);

impl fmt::Display for OpcodeWithHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Opcode::from_u8(self.0).known_name() {
            Some(name) => write!(f, "{name} ({:02X}h)", self.0),
            None => write!(f, "operation code {:02X}h", self.0),
        }
    }
}

impl CdbError {
    /// The sense a drive returns for this error (CHECK CONDITION, ILLEGAL REQUEST):
    ///
    /// - unknown opcode, wrong opcode, wrong CDB length: 05/20/00 INVALID COMMAND OPERATION
    ///   CODE, no field pointer (SPC-4 treats a CDB of the wrong length as an invalid
    ///   operation code for that length);
    /// - reserved bit or invalid field in the CDB: 05/24/00 INVALID FIELD IN CDB with a field
    ///   pointer to the byte and bit, C/D = 1 (SPC-4 4.5.2.4.2);
    /// - parameter list too short: 05/1A/00 PARAMETER LIST LENGTH ERROR;
    /// - reserved bit or invalid field in the parameter list: 05/26/00 INVALID FIELD IN
    ///   PARAMETER LIST with a field pointer, C/D = 0.
    pub fn sense(&self) -> (SenseTriple, Option<SenseKeySpecific>) {
        let in_cdb = |byte: u8, bit: u8| SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(bit),
            byte: u16::from(byte),
        };
        let in_parameters = |byte: u16, bit: u8| SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit: Some(bit),
            byte,
        };
        match *self {
            CdbError::Empty
            | CdbError::UnknownOpcode { .. }
            | CdbError::WrongOpcode { .. }
            | CdbError::WrongLength { .. } => (triples::INVALID_COMMAND_OPERATION_CODE, None),
            CdbError::ReservedBit { byte, bit, .. } | CdbError::InvalidField { byte, bit, .. } => {
                (triples::INVALID_FIELD_IN_CDB, Some(in_cdb(byte, bit)))
            }
            CdbError::ParameterListLength { .. } => (triples::PARAMETER_LIST_LENGTH_ERROR, None),
            CdbError::ParameterReservedBit { byte, bit, .. }
            | CdbError::InvalidParameter { byte, bit, .. } => (
                triples::INVALID_FIELD_IN_PARAMETER_LIST,
                Some(in_parameters(byte, bit)),
            ),
        }
    }

    /// The command the error is about, when the CDB got that far.
    pub fn opcode(&self) -> Option<Opcode> {
        match *self {
            CdbError::Empty => None,
            CdbError::UnknownOpcode { opcode } => Some(Opcode::from_u8(opcode)),
            CdbError::WrongOpcode { got, .. } => Some(Opcode::from_u8(got)),
            CdbError::WrongLength { opcode, .. }
            | CdbError::ReservedBit { opcode, .. }
            | CdbError::InvalidField { opcode, .. }
            | CdbError::ParameterListLength { opcode, .. }
            | CdbError::ParameterReservedBit { opcode, .. }
            | CdbError::InvalidParameter { opcode, .. } => Some(opcode),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_bit_points_at_byte_and_bit() {
        let e = CdbError::ReservedBit {
            opcode: Opcode::Write10,
            byte: 1,
            bit: 5,
        };
        assert_eq!(
            e.to_string(),
            "byte 1 bit 5 of WRITE (10) is reserved but set"
        );
        let (triple, sks) = e.sense();
        assert_eq!(triple, SenseTriple::new(0x05, 0x24, 0x00));
        assert_eq!(
            sks,
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit: Some(5),
                byte: 1
            })
        );
        // SKSV, C/D, BPV and bit 5; field pointer 0001h.
        assert_eq!(sks.map(SenseKeySpecific::encode), Some([0xCD, 0x00, 0x01]));
    }

    #[test]
    fn unknown_opcode_and_wrong_length_are_invalid_operation_code() {
        for e in [
            CdbError::UnknownOpcode { opcode: 0xC5 },
            CdbError::WrongLength {
                opcode: Opcode::Write10,
                expected: 10,
                got: 12,
            },
        ] {
            assert_eq!(e.sense(), (SenseTriple::new(0x05, 0x20, 0x00), None));
        }
        assert_eq!(
            CdbError::UnknownOpcode { opcode: 0xBE }.to_string(),
            "READ CD (BEh) is not a command this crate decodes"
        );
        assert_eq!(
            CdbError::UnknownOpcode { opcode: 0xC5 }.to_string(),
            "operation code C5h is not a command this crate decodes"
        );
    }

    #[test]
    fn parameter_list_errors_point_into_the_data() {
        let e = CdbError::ParameterReservedBit {
            opcode: Opcode::FormatUnit,
            byte: 1,
            bit: 2,
        };
        assert_eq!(
            e.sense(),
            (
                SenseTriple::new(0x05, 0x26, 0x00),
                Some(SenseKeySpecific::FieldPointer {
                    in_cdb: false,
                    bit: Some(2),
                    byte: 1
                })
            )
        );
    }
}
