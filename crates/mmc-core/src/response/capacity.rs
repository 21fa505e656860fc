//! READ CAPACITY (SBC/MMC-6 6.23) and READ FORMAT CAPACITIES (MMC-6 6.24) data.

use serde::{Deserialize, Serialize};

use super::{fixed, frame, put_bits, put_fixed, whole_entries, wire_enum, ResponseFormat};
pub use crate::cdb::FormatType;
use crate::layout::fixed_layout;
use crate::wire::{byte_at, ParseError, Writer};

fixed_layout! {
    /// READ CAPACITY data (MMC-6 6.23): the last readable LBA and the block length. Named
    /// apart from the command, [`crate::cdb::ReadCapacity`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CapacityData {
        /// Bytes 0-3. Many drives report a TAO CD 2 blocks too high (the run-out blocks).
        pub last_lba: u32 = be(0),
        /// Bytes 4-7 (2048).
        pub block_length: u32 = be(4),
    }
}

/// Bytes of READ CAPACITY data.
const CAPACITY_DATA_LEN: usize = 8;

impl CapacityData {
    /// Blocks on the medium (last LBA + 1); `None` for the 0 / FFFFFFFFh "no capacity"
    /// answers the MS sample treats as empty.
    pub fn blocks(&self) -> Option<u64> {
        match self.last_lba {
            0 | u32::MAX => None,
            n => Some(u64::from(n) + 1),
        }
    }

    /// IMAPI rejects a block length that is not a power of two as an invalid response.
    pub fn block_length_is_plausible(&self) -> bool {
        self.block_length.is_power_of_two()
    }
}

impl ResponseFormat for CapacityData {
    const NAME: &'static str = "READ CAPACITY data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let b: [u8; CAPACITY_DATA_LEN] = fixed(bytes, Self::NAME, "block length")?;
        Ok(Self::read_fields(&b))
    }

    fn buffer_len(&self) -> usize {
        CAPACITY_DATA_LEN
    }

    fn write(&self, w: &mut Writer<'_>) {
        put_fixed::<CAPACITY_DATA_LEN>(w, |b| self.write_fields(b));
    }
}

wire_enum! {
    /// Descriptor Type of the Current/Maximum Capacity descriptor (byte 4 bits 1-0).
    pub enum CapacityDescriptorType: u8 as from_u8 / to_u8 {
        Reserved = 0 => "reserved",
        /// 01b: unformatted or blank; the capacity is the maximum formattable.
        Unformatted = 1 => "unformatted or blank media",
        /// 10b: formatted; the capacity is the current one.
        Formatted = 2 => "formatted media",
        /// 11b: no medium, or its capacity is unknown.
        NoMedia = 3 => "no media present or unknown capacity",
    }
}

/// The Current/Maximum Capacity descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentCapacity {
    pub blocks: u32,
    pub descriptor_type: CapacityDescriptorType,
    /// Bytes 5-7.
    pub block_length: u32,
}

/// A Formattable Capacity descriptor: a format the medium supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormattableCapacity {
    pub blocks: u32,
    /// Byte 4 bits 7-2.
    pub format_type: FormatType,
    /// Bytes 5-7: block length, ECC block size or other per-type value.
    pub type_dependent: u32,
}

const DESCRIPTOR_LEN: usize = 8;
const LIST_HEADER_LEN: usize = 4;

/// The formattable capacity descriptors of READ FORMAT CAPACITIES data, lazily.
#[derive(Debug, Clone)]
pub struct FormattableCapacities<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for FormattableCapacities<'_> {
    type Item = Result<FormattableCapacity, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = self.chunks.next()?;
        Some(Ok(FormattableCapacity {
            blocks: u32::from_be_bytes([
                byte_at(c, 0),
                byte_at(c, 1),
                byte_at(c, 2),
                byte_at(c, 3),
            ]),
            format_type: FormatType::from_u8(byte_at(c, 4) >> 2),
            type_dependent: u32::from_be_bytes([0, byte_at(c, 5), byte_at(c, 6), byte_at(c, 7)]),
        }))
    }
}

/// READ FORMAT CAPACITIES data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatCapacities {
    pub current: CurrentCapacity,
    pub formattable: Vec<FormattableCapacity>,
    /// Bytes the capacity list length announced that did not arrive.
    pub cut_bytes: usize,
}

impl FormatCapacities {
    /// Parses the list header and the current/maximum descriptor; returns them with a lazy
    /// iterator over the formattable descriptors received.
    pub fn descriptors(
        bytes: &[u8],
    ) -> Result<(CurrentCapacity, FormattableCapacities<'_>, usize), ParseError> {
        let what = Self::NAME;
        let list_len = super::byte_checked(bytes, 3, what, "capacity list length")? as usize;
        let f = frame(
            bytes,
            what,
            "capacity list length",
            list_len,
            LIST_HEADER_LEN + list_len,
            LIST_HEADER_LEN + DESCRIPTOR_LEN,
        )?;
        whole_entries(
            what,
            "capacity list length",
            list_len,
            list_len,
            DESCRIPTOR_LEN,
        )?;
        let [_, _, _, _, b0, b1, b2, b3, t, l0, l1, l2] =
            fixed(f.bytes, what, "current capacity descriptor")?;
        let current = CurrentCapacity {
            blocks: u32::from_be_bytes([b0, b1, b2, b3]),
            descriptor_type: CapacityDescriptorType::from_u8(t & 0x03),
            block_length: u32::from_be_bytes([0, l0, l1, l2]),
        };
        let list = f
            .bytes
            .get(LIST_HEADER_LEN + DESCRIPTOR_LEN..)
            .unwrap_or(&[]);
        Ok((
            current,
            FormattableCapacities {
                chunks: list.chunks_exact(DESCRIPTOR_LEN),
            },
            f.cut,
        ))
    }
}

impl ResponseFormat for FormatCapacities {
    const NAME: &'static str = "READ FORMAT CAPACITIES data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (current, list, cut) = Self::descriptors(bytes)?;
        Ok(FormatCapacities {
            current,
            formattable: list.collect::<Result<_, _>>()?,
            cut_bytes: cut,
        })
    }

    fn buffer_len(&self) -> usize {
        // The list length is one byte: at most 31 descriptors (248 bytes).
        LIST_HEADER_LEN + DESCRIPTOR_LEN * (1 + self.formattable.len().min(30))
    }

    fn write(&self, w: &mut Writer<'_>) {
        let n = self.formattable.len().min(30);
        w.zeros(3).u8((DESCRIPTOR_LEN * (n + 1)) as u8);
        w.u32(self.current.blocks);
        w.u8(put_bits(self.current.descriptor_type.to_u8(), 0, 2));
        w.u24(self.current.block_length);
        for d in self.formattable.iter().take(n) {
            w.u32(d.blocks)
                .u8(put_bits(d.format_type.to_u8(), 2, 6))
                .u24(d.type_dependent);
        }
    }
}
