//! The FORMAT UNIT parameter list (MMC-5 6.5): the format list header and one format
//! descriptor, sent as data-out when FORMAT UNIT's FmtData is set.

use serde::{Deserialize, Serialize};

use super::{check_list, emit_list};
use crate::cdb::{CdbError, FormatType, Opcode};
use crate::layout::{fixed_layout, usage, with_marks, BeField};
use crate::wire::{byte_at, wire_enum, EmitError};

wire_enum! {
    /// Format sub-type for BD-RE format type 30h (format descriptor byte 4 bits 1-0).
    #[serde(rename_all = "snake_case")]
    pub enum BdCertification: u8 as from_u8 / to_u8 {
        /// 00b: quick reformat.
        QuickReformat = 0b00 => "Quick Reformat",
        /// 01b: no certification.
        NoCertification = 0b01 => "No Certification",
        /// 10b: full certification (hours on a blank disc).
        FullCertification = 0b10 => "Full Certification",
        /// 11b: quick certification.
        QuickCertification = 0b11 => "Quick Certification",
    }
}

fixed_layout! {
    /// The format descriptor (8 bytes) of a FORMAT UNIT parameter list; byte numbers are the
    /// descriptor's (list bytes 4-11). Every bit is a field.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct FormatDescriptor {
        /// Bytes 0-3: number of addressable blocks (FFFFFFFFh: as many as the medium holds,
        /// where the format type allows it).
        pub number_of_blocks: u32 = be(0),
        /// Byte 4 bits 7-2.
        pub format_type: FormatType = code(4, 2, 6),
        /// Byte 4 bits 1-0 (see [`BdCertification`] for type 30h).
        pub format_subtype: u8 = uint(4, 0, 2),
        /// Bytes 5-7, 24 bits: block length, ECC block size, or the restart flag, by type.
        pub type_dependent: u32 = be24(5),
    }
}

impl FormatDescriptor {
    /// Bytes in a descriptor.
    pub const LEN: usize = 8;

    /// DVD+RW basic format of the whole disc; `restart` resumes a background format that
    /// was stopped (type dependent parameter 000001h).
    pub const fn dvd_plus_rw_basic(restart: bool) -> Self {
        FormatDescriptor {
            number_of_blocks: 0xFFFF_FFFF,
            format_type: FormatType::DvdPlusRwBasic,
            format_subtype: 0,
            type_dependent: if restart { 1 } else { 0 },
        }
    }

    /// BD-RE format with spare areas: `blocks` and `type_dependent` as READ FORMAT
    /// CAPACITIES reported them for type 30h.
    pub const fn bd_re_with_spare_areas(
        blocks: u32,
        type_dependent: u32,
        certification: BdCertification,
    ) -> Self {
        FormatDescriptor {
            number_of_blocks: blocks,
            format_type: FormatType::BdReWithSpareAreas,
            format_subtype: certification.to_u8() & 0x03,
            type_dependent,
        }
    }

    /// The BD-RE certification, for format type 30h.
    pub fn bd_certification(&self) -> Option<BdCertification> {
        (self.format_type == FormatType::BdReWithSpareAreas)
            .then(|| BdCertification::from_u8(self.format_subtype & 0x03))
    }

    /// True for a DVD+RW basic format that restarts a stopped background format.
    pub fn is_restart(&self) -> bool {
        self.format_type == FormatType::DvdPlusRwBasic && self.type_dependent == 1
    }
}

fixed_layout! {
    /// The FORMAT UNIT parameter list: the 4-byte format list header and one format
    /// descriptor.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct FormatUnitParameters {
        /// Header byte 1 bit 7 FOV: the option bits DPRY, DCRT, STPF and IP are valid.
        pub format_options_valid: bool = flag(1, 7),
        /// Bit 6 DPRY: disable the primary defect list.
        pub disable_primary: bool = flag(1, 6),
        /// Bit 5 DCRT: disable certification.
        pub disable_certification: bool = flag(1, 5),
        /// Bit 4 STPF: stop format on a defect list error.
        pub stop_format: bool = flag(1, 4),
        /// Bit 3 IP: an initialization pattern follows (not used by MMC drives).
        pub initialization_pattern: bool = flag(1, 3),
        /// Bit 1 Immed: return status once the list is checked; poll TEST UNIT READY.
        pub immed: bool = flag(1, 1),
        /// Bit 0: vendor specific.
        pub vendor_specific: bool = flag(1, 0),
        /// Bytes 4-11.
        pub descriptor: FormatDescriptor,
    }
}

impl FormatUnitParameters {
    /// Bytes in the list: header (4) and one descriptor (8).
    pub const LEN: usize = 12;
    /// Value of the format descriptor length field (header bytes 2-3).
    pub const DESCRIPTOR_LEN: u16 = 8;
    /// The header's fields, the descriptor length (bytes 2-3) and the descriptor (bytes
    /// 4-11, every bit a field). Byte 1 bit 2 was DSP in SBC-1; obsolete, and reserved in MMC.
    const USAGE: [u8; Self::LEN] = with_marks(
        usage(Self::FIELD_MARKS),
        &[(2, 0xFF, 2), (4, 0xFF, FormatDescriptor::LEN)],
    );

    /// What libburn and growisofs send: FOV and Immed set, nothing else.
    pub const fn immediate(descriptor: FormatDescriptor) -> Self {
        FormatUnitParameters {
            format_options_valid: true,
            disable_primary: false,
            disable_certification: false,
            stop_format: false,
            initialization_pattern: false,
            immed: true,
            vendor_specific: false,
            descriptor,
        }
    }

    /// Parses the list from the data-out bytes. A drive reads exactly 12 bytes, so bytes
    /// beyond them are ignored; fewer is a parameter list length error, and a descriptor
    /// length other than 8 or a reserved bit set is an invalid field in the list.
    pub fn parse(data: &[u8]) -> Result<Self, CdbError> {
        let op = Opcode::FormatUnit;
        let bytes = check_list(data, op, &Self::USAGE)?;
        if u16::from_be_bytes([byte_at(bytes, 2), byte_at(bytes, 3)]) != Self::DESCRIPTOR_LEN {
            return Err(CdbError::InvalidParameter {
                opcode: op,
                byte: 2,
                bit: 7,
                field: "FORMAT DESCRIPTOR LENGTH",
                reason: "must be 8",
            });
        }
        Ok(FormatUnitParameters {
            descriptor: FormatDescriptor::read_fields(bytes.get(4..).unwrap_or_default()),
            ..Self::read_fields(bytes)
        })
    }

    /// The 12 bytes. Bits of the format type (6 bits), sub-type (2) and type dependent
    /// parameter (24) beyond their fields are dropped.
    pub fn to_bytes(&self) -> [u8; 12] {
        let mut out = [0u8; Self::LEN];
        self.write_fields(&mut out);
        BeField::write(Self::DESCRIPTOR_LEN, &mut out, 2);
        if let Some(descriptor) = out.get_mut(4..) {
            self.descriptor.write_fields(descriptor);
        }
        out
    }

    /// Writes the 12 bytes into `buf`, returning the length written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        emit_list(&self.to_bytes(), buf, "FORMAT UNIT parameter list")
    }
}
