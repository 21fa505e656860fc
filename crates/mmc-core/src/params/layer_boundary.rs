//! The DVD+R DL Layer Boundary Information (disc structure format 20h; MMC-5 READ DISC
//! STRUCTURE and SEND DISC STRUCTURE, format 20h): the L0 data zone capacity, the sectors
//! the first layer holds before the recording jumps to the second.
//!
//! The same 12 bytes travel both ways: SEND DISC STRUCTURE carries them as its parameter
//! list (byte 4 reserved), READ DISC STRUCTURE returns them with InitStatus in byte 4 bit 7
//! (set once the capacity can no longer be changed: dvd+rw-mediainfo prints "can no longer
//! be set", growisofs then leaves the break alone).
//!
//! | byte | field |
//! |---|---|
//! | 0-1 | structure data length (10) |
//! | 2-3 | reserved |
//! | 4 | bit 7 InitStatus (READ only) |
//! | 5-7 | reserved |
//! | 8-11 | L0 data zone capacity (sectors) |

use serde::{Deserialize, Serialize};

use super::{check_list, emit_list};
use crate::cdb::{CdbError, Opcode};
use crate::layout::{fixed_layout, usage, with_marks, BeField};
use crate::wire::{byte_at, EmitError};

fixed_layout! {
    /// Layer Boundary Information of a DVD+R DL.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct LayerBoundary {
        /// Byte 4 bit 7 InitStatus: the L0 data zone capacity can no longer be changed
        /// (READ DISC STRUCTURE; reserved in what a host sends).
        pub init_status: bool = flag(4, 7),
        /// Bytes 8-11: the L0 data zone capacity in sectors.
        pub l0_data_zone_capacity: u32 = be(8),
    }
}

impl LayerBoundary {
    /// Bytes of the structure, its 4-byte header included.
    pub const LEN: usize = 12;
    /// The structure data length field (bytes 0-1): the bytes after it.
    pub const DATA_LENGTH: u16 = (Self::LEN - 2) as u16;
    /// What a host may set in a SEND DISC STRUCTURE list: the length and the capacity.
    const SENT_USAGE: [u8; Self::LEN] =
        with_marks(usage::<{ Self::LEN }>(&[]), &[(0, 0xFF, 2), (8, 0xFF, 4)]);
    /// What READ DISC STRUCTURE returns: InitStatus too.
    const READ_USAGE: [u8; Self::LEN] = with_marks(Self::SENT_USAGE, &[(4, 0x80, 1)]);

    /// The L0 data zone capacity a host asks for, InitStatus clear.
    pub const fn new(l0_data_zone_capacity: u32) -> Self {
        LayerBoundary {
            init_status: false,
            l0_data_zone_capacity,
        }
    }

    /// Parses the SEND DISC STRUCTURE parameter list: fewer than 12 bytes is a parameter
    /// list length error; a structure data length other than 10 or a reserved bit set
    /// (InitStatus included) an invalid field in the list.
    pub fn parse_sent(data: &[u8]) -> Result<Self, CdbError> {
        Self::parse_with(data, &Self::SENT_USAGE)
    }

    /// Parses the READ DISC STRUCTURE reply (InitStatus allowed).
    pub fn parse_read(data: &[u8]) -> Result<Self, CdbError> {
        Self::parse_with(data, &Self::READ_USAGE)
    }

    fn parse_with(data: &[u8], usage: &[u8; Self::LEN]) -> Result<Self, CdbError> {
        let op = Opcode::SendDiscStructure;
        let bytes = check_list(data, op, usage)?;
        if u16::from_be_bytes([byte_at(bytes, 0), byte_at(bytes, 1)]) != Self::DATA_LENGTH {
            return Err(CdbError::InvalidParameter {
                opcode: op,
                byte: 0,
                bit: 7,
                field: "STRUCTURE DATA LENGTH",
                reason: "must be 10",
            });
        }
        Ok(Self::read_fields(bytes))
    }

    /// The 12 bytes, header included.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        self.write_fields(&mut out);
        BeField::write(Self::DATA_LENGTH, &mut out, 0);
        out
    }

    /// Writes the 12 bytes into `buf`, returning the length written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        emit_list(&self.to_bytes(), buf, "layer boundary information")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What growisofs sends to split the layers at 1,048,576 sectors.
    const GROWISOFS_BREAK: [u8; 12] = [
        0x00, 0x0A, // structure data length 10
        0x00, 0x00, // reserved
        0x00, // InitStatus 0 (reserved when sent)
        0x00, 0x00, 0x00, // reserved
        0x00, 0x10, 0x00, 0x00, // L0 data zone capacity 100000h
    ];

    #[test]
    fn a_sent_layer_boundary_reads_both_ways() {
        let repr = LayerBoundary::new(0x0010_0000);
        assert_eq!(LayerBoundary::parse_sent(&GROWISOFS_BREAK).unwrap(), repr);
        assert_eq!(repr.to_bytes(), GROWISOFS_BREAK);
        let mut buf = [0u8; 12];
        assert_eq!(repr.emit(&mut buf).unwrap(), 12);
        assert!(repr.emit(&mut [0u8; 11]).is_err());
    }

    #[test]
    fn a_read_boundary_carries_init_status() {
        // A blank DVD+R DL's default L0 capacity, 2,086,912 = 1F_D800h, no longer settable.
        let bytes = [0, 0x0A, 0, 0, 0x80, 0, 0, 0, 0x00, 0x1F, 0xD8, 0x00];
        let read = LayerBoundary::parse_read(&bytes).unwrap();
        assert!(read.init_status);
        assert_eq!(read.l0_data_zone_capacity, 2_086_912);
        assert_eq!(read.to_bytes(), bytes);
        // A host does not send InitStatus: byte 4 bit 7 is reserved in the list.
        assert!(matches!(
            LayerBoundary::parse_sent(&bytes),
            Err(CdbError::ParameterReservedBit {
                byte: 4,
                bit: 7,
                ..
            })
        ));
    }

    #[test]
    fn malformed_lists_are_refused() {
        assert!(matches!(
            LayerBoundary::parse_sent(&GROWISOFS_BREAK[..11]),
            Err(CdbError::ParameterListLength {
                expected: 12,
                got: 11,
                ..
            })
        ));
        let mut wrong_length = GROWISOFS_BREAK;
        wrong_length[1] = 0x08;
        assert!(matches!(
            LayerBoundary::parse_sent(&wrong_length),
            Err(CdbError::InvalidParameter { byte: 0, .. })
        ));
        let mut reserved = GROWISOFS_BREAK;
        reserved[6] = 0x01;
        assert!(matches!(
            LayerBoundary::parse_sent(&reserved),
            Err(CdbError::ParameterReservedBit {
                byte: 6,
                bit: 0,
                ..
            })
        ));
    }
}
