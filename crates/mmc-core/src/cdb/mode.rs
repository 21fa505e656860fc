//! Mode pages: MODE SELECT (10) and MODE SENSE (10) (SPC-4; MMC-6 uses only the 10-byte
//! forms). The write parameters page 05h is how CD and DVD-R writers choose TAO, SAO,
//! multisession and the data block type.

use super::layout::cdb;
use super::repr::Transfer;
use crate::wire::wire_enum;

cdb! {
    /// MODE SELECT (10) (55h): send an 8-byte mode parameter header and mode pages. libburn
    /// sends `55 10 00 00 00 00 00 LL LL 00`.
    pub struct ModeSelect10 = ModeSelect10, 10 {
        /// Byte 1 bit 4 PF: the pages follow the standard's page format (always 1 for MMC).
        pub page_format: bool = flag(1, 4),
        /// Byte 1 bit 0 SP: save the pages (MMC drives reject it on most pages).
        pub save_pages: bool = flag(1, 0),
        /// Bytes 7-8: bytes of header and pages sent.
        pub parameter_list_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_out(u32::from(c.parameter_list_length));
}

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

cdb! {
    /// MODE SENSE (10) (5Ah): read a mode page (2Ah capabilities, 05h write parameters, ...)
    /// or all pages (page code 3Fh). An unsupported page answers 05/24/00.
    pub struct ModeSense10 = ModeSense10, 10 {
        /// Byte 1 bit 4 LLBAA: long LBA block descriptors accepted (SPC-3).
        pub long_lba_accepted: bool = flag(1, 4),
        /// Byte 1 bit 3 DBD: return no block descriptors.
        pub disable_block_descriptors: bool = flag(1, 3),
        /// Byte 2 bits 7-6.
        pub page_control: PageControl = code(2, 6, 2),
        /// Byte 2 bits 5-0.
        pub page_code: u8 = uint(2, 0, 6),
        /// Byte 3 (SPC-3).
        pub subpage_code: u8 = be(3),
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

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
}
