//! Mode pages: MODE SELECT (10) and MODE SENSE (10) (SPC-4; MMC-6 uses only the 10-byte
//! forms). The write parameters page 05h is how CD and DVD-R writers choose TAO, SAO,
//! multisession and the data block type.

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, Transfer};
use crate::wire::{bit, flag, wire_enum, CdbBytes};

/// MODE SELECT (10) (55h): send an 8-byte mode parameter header and mode pages. libburn
/// sends `55 10 00 00 00 00 00 LL LL 00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ModeSelect10 {
    /// Byte 1 bit 4 PF: the pages follow the standard's page format (always 1 for MMC).
    pub page_format: bool,
    /// Byte 1 bit 0 SP: save the pages (MMC drives reject it on most pages).
    pub save_pages: bool,
    /// Bytes 7-8: bytes of header and pages sent.
    pub parameter_list_length: u16,
}

const MODE_SELECT10_USAGE: [u8; 10] = [0xFF, 0x11, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl ModeSelect10 {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, _, _, _, _, l0, l1, _] =
            check(cdb, Opcode::ModeSelect10, &MODE_SELECT10_USAGE)?;
        Ok(ModeSelect10 {
            page_format: bit(b1, 4),
            save_pages: bit(b1, 0),
            parameter_list_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.parameter_list_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x55,
            flag(self.page_format, 4) | flag(self.save_pages, 0),
            0,
            0,
            0,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(u32::from(self.parameter_list_length))
    }
}
cdb_repr!(ModeSelect10, Opcode::ModeSelect10, MODE_SELECT10_USAGE);

wire_enum! {
    /// Page control (MODE SENSE byte 2 bits 7-6): which values of the page to return.
    #[serde(rename_all = "snake_case")]
    pub enum PageControl: u8 as from_u8 / to_u8 {
        Current = 0b00 => "Current Values",
        /// The mask of changeable fields.
        Changeable = 0b01 => "Changeable Values",
        Default = 0b10 => "Default Values",
        Saved = 0b11 => "Saved Values",
    }
}

/// MODE SENSE (10) (5Ah): read a mode page (2Ah capabilities, 05h write parameters, ...)
/// or all pages (page code 3Fh). An unsupported page answers 05/24/00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ModeSense10 {
    /// Byte 1 bit 4 LLBAA: long LBA block descriptors accepted (SPC-3).
    pub long_lba_accepted: bool,
    /// Byte 1 bit 3 DBD: return no block descriptors.
    pub disable_block_descriptors: bool,
    /// Byte 2 bits 7-6.
    pub page_control: PageControl,
    /// Byte 2 bits 5-0.
    pub page_code: u8,
    /// Byte 3 (SPC-3).
    pub subpage_code: u8,
    /// Bytes 7-8.
    pub allocation_length: u16,
}

const MODE_SENSE10_USAGE: [u8; 10] = [0xFF, 0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl ModeSense10 {
    /// The current values of page `page_code`, no block descriptors.
    pub const fn current(page_code: u8, allocation_length: u16) -> Self {
        ModeSense10 {
            long_lba_accepted: false,
            disable_block_descriptors: true,
            page_control: PageControl::Current,
            page_code,
            subpage_code: 0,
            allocation_length,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, b2, subpage_code, _, _, _, l0, l1, _] =
            check(cdb, Opcode::ModeSense10, &MODE_SENSE10_USAGE)?;
        Ok(ModeSense10 {
            long_lba_accepted: bit(b1, 4),
            disable_block_descriptors: bit(b1, 3),
            page_control: PageControl::from_u8(b2 >> 6),
            page_code: b2 & 0x3F,
            subpage_code,
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    /// Bits of `page_code` beyond its 6-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x5A,
            flag(self.long_lba_accepted, 4) | flag(self.disable_block_descriptors, 3),
            (self.page_control.to_u8() << 6) | (self.page_code & 0x3F),
            self.subpage_code,
            0,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(ModeSense10, Opcode::ModeSense10, MODE_SENSE10_USAGE);
