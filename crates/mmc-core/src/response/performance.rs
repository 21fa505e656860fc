//! GET PERFORMANCE data (MMC-6 6.8): type 00h performance (nominal or exceptions) and type
//! 03h write speed descriptors. Both start with an 8-byte header whose first 4 bytes count
//! the bytes that follow them.

use serde::{Deserialize, Serialize};

use super::{bit, flag, frame, len_u32, put_fixed, whole_entries, ResponseFormat};
use crate::layout::fixed_layout;
use crate::wire::{byte_at, ParseError, Reader, Writer};

const HEADER_LEN: usize = 8;
const NOMINAL_LEN: usize = 16;
const EXCEPTION_LEN: usize = 6;
const WRITE_SPEED_LEN: usize = 16;

/// Frames the data after the header: the length field, the cut, and the descriptor bytes.
fn descriptor_bytes<'a>(
    bytes: &'a [u8],
    what: &'static str,
    entry: usize,
) -> Result<(&'a [u8], usize, [u8; 4]), ParseError> {
    let len = Reader::new(bytes, what).u32("performance data length")? as usize;
    let f = frame(
        bytes,
        what,
        "performance data length",
        len,
        len.saturating_add(4),
        HEADER_LEN,
    )?;
    whole_entries(what, "performance data length", len, len - 4, entry)?;
    let head = [
        byte_at(f.bytes, 4),
        byte_at(f.bytes, 5),
        byte_at(f.bytes, 6),
        byte_at(f.bytes, 7),
    ];
    Ok((f.bytes.get(HEADER_LEN..).unwrap_or(&[]), f.cut, head))
}

/// Complete descriptors of `entry` bytes; a partial last one (cut) is dropped.
fn chunks(list: &[u8], entry: usize) -> core::slice::ChunksExact<'_, u8> {
    list.chunks_exact(entry)
}

fixed_layout! {
    /// A nominal performance descriptor (type 00h, Except=00b; 16 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PerformanceDescriptor {
        /// Bytes 0-3.
        pub start_lba: u32 = be(0),
        /// Bytes 4-7: kB/s at `start_lba`.
        pub start_performance: u32 = be(4),
        /// Bytes 8-11.
        pub end_lba: u32 = be(8),
        /// Bytes 12-15: kB/s at `end_lba`.
        pub end_performance: u32 = be(12),
    }
}

fixed_layout! {
    /// An exception descriptor (type 00h, Except≠00b; 6 bytes): where a seek delay occurs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ExceptionDescriptor {
        /// Bytes 0-3.
        pub lba: u32 = be(0),
        /// Bytes 4-5: expected additional delay, in units of 0.1 ms.
        pub time: u16 = be(4),
    }
}

/// The descriptors of a type 00h reply: nominal, or exceptions when the header's Except bit
/// is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PerformanceList {
    Nominal(Vec<PerformanceDescriptor>),
    Exceptions(Vec<ExceptionDescriptor>),
}

/// GET PERFORMANCE type 00h data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NominalPerformance {
    /// Byte 4 bit 1: the descriptors describe writing (else reading).
    pub write: bool,
    pub descriptors: PerformanceList,
    /// Bytes the data length announced that did not arrive.
    pub cut_bytes: usize,
}

impl ResponseFormat for NominalPerformance {
    const NAME: &'static str = "GET PERFORMANCE data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        // Byte 4 bit 0 (Except) decides the descriptor size, so read it before framing.
        let except = bit(super::byte_checked(bytes, 4, what, "Write/Except")?, 0);
        let entry = if except { EXCEPTION_LEN } else { NOMINAL_LEN };
        let (list, cut, [b4, ..]) = descriptor_bytes(bytes, what, entry)?;
        let descriptors = if except {
            PerformanceList::Exceptions(
                chunks(list, EXCEPTION_LEN)
                    .map(ExceptionDescriptor::read_fields)
                    .collect(),
            )
        } else {
            PerformanceList::Nominal(
                chunks(list, NOMINAL_LEN)
                    .map(PerformanceDescriptor::read_fields)
                    .collect(),
            )
        };
        Ok(NominalPerformance {
            write: bit(b4, 1),
            descriptors,
            cut_bytes: cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match &self.descriptors {
                PerformanceList::Nominal(d) => NOMINAL_LEN * d.len(),
                PerformanceList::Exceptions(d) => EXCEPTION_LEN * d.len(),
            }
    }

    fn write(&self, w: &mut Writer<'_>) {
        let except = matches!(self.descriptors, PerformanceList::Exceptions(_));
        w.u32(len_u32(self.buffer_len() - 4));
        w.u8(flag(self.write, 1) | flag(except, 0)).zeros(3);
        match &self.descriptors {
            PerformanceList::Nominal(d) => {
                for p in d {
                    put_fixed::<NOMINAL_LEN>(w, |b| p.write_fields(b));
                }
            }
            PerformanceList::Exceptions(d) => {
                for e in d {
                    put_fixed::<EXCEPTION_LEN>(w, |b| e.write_fields(b));
                }
            }
        }
    }
}

fixed_layout! {
    /// A write speed descriptor (type 03h; 16 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct WriteSpeedDescriptor {
        /// WRC (byte 0 bits 4-3): 00b default (CLV), 01b CAV.
        pub wrc: u8 = uint(0, 3, 2),
        /// RDD (byte 0 bit 2): the drive restores defaults after a medium change.
        pub rdd: bool = flag(0, 2),
        /// Exact (byte 0 bit 1): the speeds are exact for the whole medium.
        pub exact: bool = flag(0, 1),
        /// MRW (byte 0 bit 0): the descriptor is for MRW-formatted media.
        pub mrw: bool = flag(0, 0),
        /// Bytes 4-7: the last LBA of the medium.
        pub end_lba: u32 = be(4),
        /// Bytes 8-11, kB/s (k = 1000).
        pub read_speed: u32 = be(8),
        /// Bytes 12-15, kB/s.
        pub write_speed: u32 = be(12),
    }
}

impl WriteSpeedDescriptor {
    /// True when the drive writes this speed with pure CAV rotation.
    pub fn is_cav(&self) -> bool {
        self.wrc == 1
    }
}

/// The write speed descriptors of type 03h data, lazily.
#[derive(Debug, Clone)]
pub struct WriteSpeedDescriptors<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for WriteSpeedDescriptors<'_> {
    type Item = Result<WriteSpeedDescriptor, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = self.chunks.next()?;
        Some(Ok(WriteSpeedDescriptor::read_fields(c)))
    }
}

/// GET PERFORMANCE type 03h data: the write speeds of the drive with the current medium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteSpeeds {
    pub descriptors: Vec<WriteSpeedDescriptor>,
    pub cut_bytes: usize,
}

impl WriteSpeeds {
    /// A lazy iterator over the descriptors received, and the bytes cut.
    pub fn descriptors(bytes: &[u8]) -> Result<(WriteSpeedDescriptors<'_>, usize), ParseError> {
        let (list, cut, _) = descriptor_bytes(bytes, Self::NAME, WRITE_SPEED_LEN)?;
        Ok((
            WriteSpeedDescriptors {
                chunks: chunks(list, WRITE_SPEED_LEN),
            },
            cut,
        ))
    }
}

impl ResponseFormat for WriteSpeeds {
    const NAME: &'static str = "GET PERFORMANCE write speed data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (list, cut) = Self::descriptors(bytes)?;
        Ok(WriteSpeeds {
            descriptors: list.collect::<Result<_, _>>()?,
            cut_bytes: cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + WRITE_SPEED_LEN * self.descriptors.len()
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u32(len_u32(self.buffer_len() - 4)).zeros(4);
        for d in &self.descriptors {
            put_fixed::<WRITE_SPEED_LEN>(w, |b| d.write_fields(b));
        }
    }
}
