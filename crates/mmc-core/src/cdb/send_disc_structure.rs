//! SEND DISC STRUCTURE (BFh, MMC-5 6.33; SEND DVD STRUCTURE in MMC-3) and the structure a
//! dual-layer writer sends with it: the layer boundary (format 20h), the capacity of layer 0
//! that READ DISC STRUCTURE format 20h (MMC-5 6.23) reports back.

use super::disc::DiscStructureMedia;
use super::error::CdbError;
use super::layout::cdb;
use super::opcode::Opcode;
use super::repr::Transfer;
use crate::params::check_list;

cdb! {
    /// SEND DISC STRUCTURE (BFh): a disc structure for the drive to record, in a parameter
    /// list of `parameter_list_length` bytes (a 4-byte header, then the structure).
    pub struct SendDiscStructure = SendDiscStructure, 12 {
        /// Byte 1 bits 3-0.
        pub media_type: DiscStructureMedia = code(1, 0, 4),
        /// Byte 7: which structure (20h: the layer boundary).
        pub format_code: u8 = be(7),
        /// Bytes 8-9.
        pub parameter_list_length: u16 = be(8),
        /// Byte 10 bits 7-6: authentication grant ID (copy protection structures).
        pub agid: u8 = uint(10, 6, 2),
    }
    transfer(c) => Transfer::data_out(u32::from(c.parameter_list_length));
}

impl SendDiscStructure {
    /// Format code 20h: DVD+R DL (and DVD-R DL) Layer Boundary Information.
    pub const LAYER_BOUNDARY: u8 = 0x20;

    /// The SEND DISC STRUCTURE that sends a [`LayerBoundary`].
    pub const fn layer_boundary() -> Self {
        SendDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            format_code: Self::LAYER_BOUNDARY,
            parameter_list_length: LayerBoundary::LEN as u16,
            agid: 0,
        }
    }
}

/// Format 20h, Layer Boundary Information, with its 4-byte header: the user data sectors
/// of layer 0 on a dual-layer DVD recordable (L0 Data Zone Capacity, data bytes 4-7, a
/// multiple of the 16-sector ECC block), and, as READ DISC STRUCTURE gives it, whether it
/// can no longer be changed (InitStatus, data byte 0 bit 7: set once the disc is recorded
/// or the boundary was sent and recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerBoundary {
    pub fixed: bool,
    pub layer0_sectors: u32,
}

impl LayerBoundary {
    /// Bytes of the structure with its header, as growisofs and libburn send and read it.
    pub const LEN: usize = 12;

    /// The structure READ DISC STRUCTURE format 20h returned, `None` when it is shorter
    /// than the header says it must be or its length field says less than 10 bytes follow.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let b: &[u8; Self::LEN] = bytes.get(..Self::LEN)?.try_into().ok()?;
        let data_length = u16::from_be_bytes([b[0], b[1]]);
        if usize::from(data_length) < Self::LEN - 2 {
            return None;
        }
        Some(LayerBoundary {
            fixed: b[4] & 0x80 != 0,
            layer0_sectors: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
        })
    }

    /// The parameter list of a SEND DISC STRUCTURE format 20h: the header's length field
    /// (10, the bytes after it), then the capacity of layer 0; InitStatus is not sent.
    pub fn to_bytes(self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[1] = (Self::LEN - 2) as u8;
        b[8..12].copy_from_slice(&self.layer0_sectors.to_be_bytes());
        b
    }

    /// What READ DISC STRUCTURE format 20h returns: [`LayerBoundary::to_bytes`] with
    /// InitStatus (data byte 0 bit 7) set when the capacity is fixed.
    pub fn reply_bytes(self) -> [u8; Self::LEN] {
        let mut b = self.to_bytes();
        if self.fixed {
            b[4] |= INIT_STATUS;
        }
        b
    }

    /// The parameter list of a SEND DISC STRUCTURE format 20h as a drive checks it: fewer
    /// than 12 bytes is a parameter list length error; a structure data length other than
    /// 10, or a reserved bit set (InitStatus too: the host does not send it), an invalid
    /// field in the parameter list.
    pub fn parse_sent(data: &[u8]) -> Result<Self, CdbError> {
        let op = Opcode::SendDiscStructure;
        let b: [u8; Self::LEN] = check_list(data, op, &SENT_USAGE)?
            .try_into()
            .unwrap_or([0; Self::LEN]);
        if u16::from_be_bytes([b[0], b[1]]) != (Self::LEN - 2) as u16 {
            return Err(CdbError::InvalidParameter {
                opcode: op,
                byte: 0,
                bit: 7,
                field: "STRUCTURE DATA LENGTH",
                reason: "must be 10",
            });
        }
        Ok(LayerBoundary {
            fixed: false,
            layer0_sectors: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
        })
    }
}

/// Byte 4 bit 7 of format 20h: InitStatus.
const INIT_STATUS: u8 = 0x80;

/// The bits a host may set in the format 20h list it sends: the structure data length and the
/// L0 data zone capacity.
const SENT_USAGE: [u8; LayerBoundary::LEN] = [0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::CdbRepr;

    #[test]
    fn layer_boundary_cdb_is_growisofs_bytes() {
        // growisofs's plus_r_dl_split: BFh, format 20h in byte 7, 12 bytes in byte 9.
        let cdb = SendDiscStructure::layer_boundary();
        let bytes = cdb.encode();
        assert_eq!(
            bytes.as_slice(),
            &[0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0]
        );
        assert_eq!(SendDiscStructure::decode(bytes.as_slice()), Ok(cdb));
        assert_eq!(cdb.expected_transfer(), Transfer::Out(12));
    }

    #[test]
    fn reserved_bits_are_refused() {
        let mut bytes = [0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0];
        bytes[3] = 1;
        assert!(SendDiscStructure::decode(&bytes).is_err());
    }

    #[test]
    fn layer_boundary_round_trips_and_reads_init_status() {
        let sent = LayerBoundary {
            fixed: false,
            layer0_sectors: 1_043_456,
        };
        let bytes = sent.to_bytes();
        assert_eq!(bytes, [0, 10, 0, 0, 0, 0, 0, 0, 0x00, 0x0F, 0xEC, 0x00]);
        assert_eq!(LayerBoundary::parse(&bytes), Some(sent));
        let mut read = bytes;
        read[4] = 0x80;
        assert!(LayerBoundary::parse(&read).is_some_and(|b| b.fixed));
        assert_eq!(LayerBoundary::parse(&bytes[..11]), None);
        read[1] = 6;
        assert_eq!(LayerBoundary::parse(&read), None);
    }

    /// What growisofs sends to split the layers at 1,048,576 sectors.
    const GROWISOFS_BREAK: [u8; 12] = [
        0x00, 0x0A, // structure data length 10
        0x00, 0x00, // reserved
        0x00, // InitStatus 0 (reserved when sent)
        0x00, 0x00, 0x00, // reserved
        0x00, 0x10, 0x00, 0x00, // L0 data zone capacity 100000h
    ];

    #[test]
    fn a_drive_reads_the_sent_list_and_replies_with_init_status() {
        let sent = LayerBoundary::parse_sent(&GROWISOFS_BREAK).unwrap();
        assert_eq!(
            sent,
            LayerBoundary {
                fixed: false,
                layer0_sectors: 0x0010_0000
            }
        );
        // A blank DVD+R DL's default L0 capacity, 2,086,912 = 1F_D800h, no longer settable.
        let reply = LayerBoundary {
            fixed: true,
            layer0_sectors: 2_086_912,
        }
        .reply_bytes();
        assert_eq!(
            reply,
            [0, 0x0A, 0, 0, 0x80, 0, 0, 0, 0x00, 0x1F, 0xD8, 0x00]
        );
        assert_eq!(LayerBoundary::parse(&reply).map(|b| b.fixed), Some(true));
    }

    #[test]
    fn a_drive_refuses_malformed_sent_lists() {
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
        // InitStatus and the other reserved bits are not the host's to send.
        for (byte, bit) in [(4, 7), (6, 0)] {
            let mut reserved = GROWISOFS_BREAK;
            reserved[byte] = 1 << bit;
            assert!(matches!(
                LayerBoundary::parse_sent(&reserved),
                Err(CdbError::ParameterReservedBit { byte: b, bit: t, .. }) if usize::from(b) == byte && t == bit
            ));
        }
    }
}
