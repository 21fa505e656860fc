//! Formatting: FORMAT UNIT, whose parameter list is
//! [`FormatUnitParameters`], and READ FORMAT CAPACITIES, which lists the formats a medium
//! accepts (MMC-5 6.5, MMC-6).

use super::layout::cdb;
use super::repr::Transfer;
use crate::params::FormatUnitParameters;
use crate::wire::wire_enum;

cdb! {
    /// FORMAT UNIT (04h): format the medium with the descriptor of the parameter list
    /// ([`FormatUnitParameters`], sent as data-out when `fmt_data` is set). libburn sends
    /// `04 11 00 00 00 00`. Byte 2 (vendor specific) and bytes 3-4 (obsolete interleave)
    /// are not supported. The transfer is `Out(12)` (header and one descriptor) with
    /// FmtData, else `None`.
    pub struct FormatUnit = FormatUnit, 6 {
        /// Byte 1 bit 4 FmtData: a parameter list follows.
        pub fmt_data: bool = flag(1, 4),
        /// Byte 1 bit 3 CmpList: replace the grown defect list (DVD-RAM); 0 on other media.
        pub cmp_list: bool = flag(1, 3),
        /// Byte 1 bits 2-0: format code; MMC uses 001b.
        pub format_code: u8 = uint(1, 0, 3),
    }
    transfer(c) => if c.fmt_data {
        Transfer::Out(FormatUnitParameters::LEN as u32)
    } else {
        Transfer::None
    };
}

impl FormatUnit {
    /// What every MMC writer sends: FmtData = 1, CmpList = 0, format code 001b.
    pub const fn with_parameters() -> Self {
        FormatUnit {
            fmt_data: true,
            cmp_list: false,
            format_code: 0b001,
        }
    }
}

wire_enum! {
    /// Format Type (MMC-6 table 257): the format descriptor's byte 4 bits 7-2 in the FORMAT
    /// UNIT parameter list, and the same field of a Formattable Capacity descriptor of READ
    /// FORMAT CAPACITIES. Names as the table gives them.
    #[serde(rename_all = "snake_case")]
    pub enum FormatType: u8 as from_u8 / to_u8 {
        /// 00h: full format (DVD-RAM, BD-RE with default spares, BD-R); type dependent
        /// parameter = block length (000800h).
        FullFormat = 0x00 => "Full Format",
        /// 01h: spare area expansion.
        SpareAreaExpansion = 0x01 => "Spare Area Expansion",
        ZoneReformat = 0x04 => "Zone Reformat",
        ZoneFormat = 0x05 => "Zone Format",
        /// 10h: CD-RW / DVD-RW full format.
        CdRwDvdRwFullFormat = 0x10 => "CD/DVD-RW Full Format",
        CdRwDvdRwGrowSession = 0x11 => "CD/DVD-RW Grow Session",
        CdRwDvdRwAddSession = 0x12 => "CD/DVD-RW Add Session",
        /// 13h: DVD-RW quick grow the last session (border).
        DvdRwQuickGrowLastSession = 0x13 => "DVD-RW Quick Grow the Last Session",
        DvdRwQuickAddSession = 0x14 => "DVD-RW Quick Add Session",
        /// 15h: DVD-RW quick format.
        DvdRwQuick = 0x15 => "DVD-RW Quick",
        MrwFullFormat = 0x24 => "MRW Full Format",
        /// 26h: DVD+RW basic format; number of blocks may be FFFFFFFFh, type dependent
        /// parameter 000000h = new format, 000001h = restart a stopped background format.
        DvdPlusRwBasic = 0x26 => "DVD+RW Basic Format",
        /// 30h: BD-RE full format with spare areas; the sub-type chooses the certification
        /// ([`BdCertification`](crate::params::BdCertification)).
        BdReWithSpareAreas = 0x30 => "BD-RE Full Format with Spare Areas",
        /// 31h: BD-RE full format without spare areas (no defect management, full speed).
        BdReWithoutSpareAreas = 0x31 => "BD-RE Full Format without Spare Areas",
        /// 32h: BD-R full format with spare areas (SRM+POW or SRM-POW by sub-type).
        BdRWithSpareAreas = 0x32 => "BD-R Full Format with Spare Areas",
    }
}

cdb! {
    /// READ FORMAT CAPACITIES (23h): the current capacity and the formattable capacity
    /// descriptors of the medium.
    pub struct ReadFormatCapacities = ReadFormatCapacities, 10 {
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}
