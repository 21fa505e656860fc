//! The FORMAT UNIT parameter list (MMC-5 6.5): the format list header and one format
//! descriptor, sent as data-out when FORMAT UNIT's FmtData is set.

use serde::{Deserialize, Serialize};

use crate::cdb::repr::parameter_reserved_if_set;
use crate::cdb::{CdbError, FormatType, Opcode};
use crate::wire::{bit, flag, wire_enum, EmitError};

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

/// The format descriptor (8 bytes) of a FORMAT UNIT parameter list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct FormatDescriptor {
    /// Bytes 0-3: number of addressable blocks (FFFFFFFFh: as many as the medium holds,
    /// where the format type allows it).
    pub number_of_blocks: u32,
    /// Byte 4 bits 7-2.
    pub format_type: FormatType,
    /// Byte 4 bits 1-0 (see [`BdCertification`] for type 30h).
    pub format_subtype: u8,
    /// Bytes 5-7, 24 bits: block length, ECC block size, or the restart flag, by type.
    pub type_dependent: u32,
}

impl FormatDescriptor {
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

/// The FORMAT UNIT parameter list: the 4-byte format list header and one format descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct FormatUnitParameters {
    /// Header byte 1 bit 7 FOV: the option bits DPRY, DCRT, STPF and IP are valid.
    pub format_options_valid: bool,
    /// Bit 6 DPRY: disable the primary defect list.
    pub disable_primary: bool,
    /// Bit 5 DCRT: disable certification.
    pub disable_certification: bool,
    /// Bit 4 STPF: stop format on a defect list error.
    pub stop_format: bool,
    /// Bit 3 IP: an initialization pattern follows (not used by MMC drives).
    pub initialization_pattern: bool,
    /// Bit 1 Immed: return status once the list is checked; poll TEST UNIT READY.
    pub immed: bool,
    /// Bit 0: vendor specific.
    pub vendor_specific: bool,
    pub descriptor: FormatDescriptor,
}

impl FormatUnitParameters {
    /// Bytes in the list: header (4) and one descriptor (8).
    pub const LEN: usize = 12;
    /// Value of the format descriptor length field (header bytes 2-3).
    pub const DESCRIPTOR_LEN: u16 = 8;

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
        let Some(&[h0, h1, l0, l1, n0, n1, n2, n3, t, d0, d1, d2]) = data
            .get(..Self::LEN)
            .and_then(|s| <&[u8; 12]>::try_from(s).ok())
        else {
            return Err(CdbError::ParameterListLength {
                opcode: op,
                expected: Self::LEN,
                got: data.len(),
            });
        };
        parameter_reserved_if_set(op, 0, h0)?;
        // Bit 2 was DSP in SBC-1; obsolete, and reserved in MMC.
        parameter_reserved_if_set(op, 1, h1 & 0x04)?;
        if u16::from_be_bytes([l0, l1]) != Self::DESCRIPTOR_LEN {
            return Err(CdbError::InvalidParameter {
                opcode: op,
                byte: 2,
                bit: 7,
                field: "FORMAT DESCRIPTOR LENGTH",
                reason: "must be 8",
            });
        }
        Ok(FormatUnitParameters {
            format_options_valid: bit(h1, 7),
            disable_primary: bit(h1, 6),
            disable_certification: bit(h1, 5),
            stop_format: bit(h1, 4),
            initialization_pattern: bit(h1, 3),
            immed: bit(h1, 1),
            vendor_specific: bit(h1, 0),
            descriptor: FormatDescriptor {
                number_of_blocks: u32::from_be_bytes([n0, n1, n2, n3]),
                format_type: FormatType::from_u8(t >> 2),
                format_subtype: t & 0x03,
                type_dependent: u32::from_be_bytes([0, d0, d1, d2]),
            },
        })
    }

    /// The 12 bytes. Bits of the format type (6 bits), sub-type (2) and type dependent
    /// parameter (24) beyond their fields are dropped.
    pub fn to_bytes(&self) -> [u8; 12] {
        let d = &self.descriptor;
        let [n0, n1, n2, n3] = d.number_of_blocks.to_be_bytes();
        let [_, d0, d1, d2] = d.type_dependent.to_be_bytes();
        let [l0, l1] = Self::DESCRIPTOR_LEN.to_be_bytes();
        [
            0,
            flag(self.format_options_valid, 7)
                | flag(self.disable_primary, 6)
                | flag(self.disable_certification, 5)
                | flag(self.stop_format, 4)
                | flag(self.initialization_pattern, 3)
                | flag(self.immed, 1)
                | flag(self.vendor_specific, 0),
            l0,
            l1,
            n0,
            n1,
            n2,
            n3,
            (d.format_type.to_u8() << 2) | (d.format_subtype & 0x03),
            d0,
            d1,
            d2,
        ]
    }

    /// Writes the 12 bytes into `buf`, returning the length written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        match buf.get_mut(..Self::LEN) {
            Some(dst) => {
                dst.copy_from_slice(&self.to_bytes());
                Ok(Self::LEN)
            }
            None => Err(EmitError {
                what: "FORMAT UNIT parameter list",
                need: Self::LEN,
                got: buf.len(),
            }),
        }
    }
}
