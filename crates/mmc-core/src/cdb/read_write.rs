//! Moving user data: READ (10), WRITE (10), VERIFY (10), READ (12) and WRITE (12) (MMC-6,
//! SBC-3).
//!
//! Logical block addresses are `i32` throughout this module: MMC lets CD addresses go
//! below zero (an SAO write starts at -150, sent as `FF FF FF 6A`; CD-TEXT lead-in writes
//! start near -11635), so the four address bytes are read as two's complement. Every
//! address from 0 to 2^31 - 1 (4 TiB of 2048-byte blocks) keeps its plain reading.

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{blocks_to_bytes, cdb_repr, check, Transfer};
use crate::wire::{bit, flag, CdbBytes};

/// READ (10) (28h): read `blocks` 2048-byte blocks from `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Read10 {
    /// Byte 1 bit 4 DPO: disable page out (do not keep the data in the cache).
    pub dpo: bool,
    /// Byte 1 bit 3 FUA: force unit access (read from the medium, not the cache).
    pub fua: bool,
    /// Bytes 2-5, two's complement.
    pub lba: i32,
    /// Bytes 7-8: blocks to transfer; 0 transfers nothing.
    pub blocks: u16,
}

const READ10_USAGE: [u8; 10] = [0xFF, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00];

impl Read10 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, n0, n1, _] = check(cdb, Opcode::Read10, &READ10_USAGE)?;
        Ok(Read10 {
            dpo: bit(b1, 4),
            fua: bit(b1, 3),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            blocks: u16::from_be_bytes([n0, n1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[
            0x28,
            flag(self.dpo, 4) | flag(self.fua, 3),
            a0,
            a1,
            a2,
            a3,
            0,
            n0,
            n1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(blocks_to_bytes(u32::from(self.blocks)))
    }
}
cdb_repr!(Read10, Opcode::Read10, READ10_USAGE);

/// WRITE (10) (2Ah): write `blocks` 2048-byte blocks at `lba`. On write-once media `lba`
/// must be the track's Next Writable Address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Write10 {
    /// Byte 1 bit 4 DPO: disable page out.
    pub dpo: bool,
    /// Byte 1 bit 3 FUA: force unit access (write through to the medium).
    pub fua: bool,
    /// Byte 1 bit 2 TSR: timely safe recording (MMC-5; defect management may be skipped
    /// to keep the stream's timing).
    pub timely_safe_recording: bool,
    /// Bytes 2-5, two's complement (CD SAO starts at -150).
    pub lba: i32,
    /// Bytes 7-8: blocks to transfer; 0 transfers nothing.
    pub blocks: u16,
}

const WRITE10_USAGE: [u8; 10] = [0xFF, 0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00];

impl Write10 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, n0, n1, _] = check(cdb, Opcode::Write10, &WRITE10_USAGE)?;
        Ok(Write10 {
            dpo: bit(b1, 4),
            fua: bit(b1, 3),
            timely_safe_recording: bit(b1, 2),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            blocks: u16::from_be_bytes([n0, n1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[
            0x2A,
            flag(self.dpo, 4) | flag(self.fua, 3) | flag(self.timely_safe_recording, 2),
            a0,
            a1,
            a2,
            a3,
            0,
            n0,
            n1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(blocks_to_bytes(u32::from(self.blocks)))
    }
}
cdb_repr!(Write10, Opcode::Write10, WRITE10_USAGE);

/// VERIFY (10) (2Fh): check that `blocks` blocks from `lba` read back, and with BytChk
/// compare them with data the host sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Verify10 {
    /// Byte 1 bit 4 DPO.
    pub dpo: bool,
    /// Byte 1 bit 1 BytChk: the host sends the data to compare. With 0 the drive only
    /// checks that the blocks read, and no data moves.
    pub byte_check: bool,
    /// Bytes 2-5, two's complement.
    pub lba: i32,
    /// Byte 6 bit 7 G3Tout: the command may take a group 3 timeout (MMC).
    pub group3_timeout: bool,
    /// Bytes 7-8: verification length in blocks.
    pub blocks: u16,
}

const VERIFY10_USAGE: [u8; 10] = [0xFF, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0xFF, 0xFF, 0x00];

impl Verify10 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, b6, n0, n1, _] = check(cdb, Opcode::Verify10, &VERIFY10_USAGE)?;
        Ok(Verify10 {
            dpo: bit(b1, 4),
            byte_check: bit(b1, 1),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            group3_timeout: bit(b6, 7),
            blocks: u16::from_be_bytes([n0, n1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[
            0x2F,
            flag(self.dpo, 4) | flag(self.byte_check, 1),
            a0,
            a1,
            a2,
            a3,
            flag(self.group3_timeout, 7),
            n0,
            n1,
            0,
        ])
    }

    /// `Out(blocks × 2048)` with BytChk, else `None`.
    pub fn expected_transfer(&self) -> Transfer {
        if self.byte_check {
            Transfer::data_out(blocks_to_bytes(u32::from(self.blocks)))
        } else {
            Transfer::None
        }
    }
}
cdb_repr!(Verify10, Opcode::Verify10, VERIFY10_USAGE);

/// READ (12) (A8h): READ (10) with a 32-bit transfer length and the Streaming bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Read12 {
    /// Byte 1 bit 4 DPO.
    pub dpo: bool,
    /// Byte 1 bit 3 FUA.
    pub fua: bool,
    /// Bytes 2-5, two's complement.
    pub lba: i32,
    /// Bytes 6-9: blocks to transfer.
    pub blocks: u32,
    /// Byte 10 bit 7: stream reading (timeliness over error recovery).
    pub streaming: bool,
}

const READ12_USAGE: [u8; 12] = [
    0xFF, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00,
];

impl Read12 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, n0, n1, n2, n3, b10, _] =
            check(cdb, Opcode::Read12, &READ12_USAGE)?;
        Ok(Read12 {
            dpo: bit(b1, 4),
            fua: bit(b1, 3),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            blocks: u32::from_be_bytes([n0, n1, n2, n3]),
            streaming: bit(b10, 7),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1, n2, n3] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[
            0xA8,
            flag(self.dpo, 4) | flag(self.fua, 3),
            a0,
            a1,
            a2,
            a3,
            n0,
            n1,
            n2,
            n3,
            flag(self.streaming, 7),
            0,
        ])
    }

    /// `In(blocks × 2048)`, saturating at `u32::MAX` bytes.
    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(blocks_to_bytes(self.blocks))
    }
}
cdb_repr!(Read12, Opcode::Read12, READ12_USAGE);

/// WRITE (12) (AAh): WRITE (10) with a 32-bit transfer length and the Streaming bit, which
/// on BD-RE and DVD-RAM skips defect management and verify-after-write (full speed only
/// with whole 64 KiB clusters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Write12 {
    /// Byte 1 bit 4 DPO.
    pub dpo: bool,
    /// Byte 1 bit 3 FUA.
    pub fua: bool,
    /// Byte 1 bit 2 TSR: timely safe recording.
    pub timely_safe_recording: bool,
    /// Bytes 2-5, two's complement.
    pub lba: i32,
    /// Bytes 6-9: blocks to transfer.
    pub blocks: u32,
    /// Byte 10 bit 7: stream recording.
    pub streaming: bool,
}

const WRITE12_USAGE: [u8; 12] = [
    0xFF, 0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00,
];

impl Write12 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, n0, n1, n2, n3, b10, _] =
            check(cdb, Opcode::Write12, &WRITE12_USAGE)?;
        Ok(Write12 {
            dpo: bit(b1, 4),
            fua: bit(b1, 3),
            timely_safe_recording: bit(b1, 2),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            blocks: u32::from_be_bytes([n0, n1, n2, n3]),
            streaming: bit(b10, 7),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1, n2, n3] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[
            0xAA,
            flag(self.dpo, 4) | flag(self.fua, 3) | flag(self.timely_safe_recording, 2),
            a0,
            a1,
            a2,
            a3,
            n0,
            n1,
            n2,
            n3,
            flag(self.streaming, 7),
            0,
        ])
    }

    /// `Out(blocks × 2048)`, saturating at `u32::MAX` bytes.
    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(blocks_to_bytes(self.blocks))
    }
}
cdb_repr!(Write12, Opcode::Write12, WRITE12_USAGE);
