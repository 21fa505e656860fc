//! READ BUFFER CAPACITY data (MMC-6 6.21): how full the drive's write buffer is.

use serde::{Deserialize, Serialize};

use super::{bit, fixed, frame_be16, ResponseFormat};
use crate::wire::{ParseError, Writer};

/// Size of the reply in both forms.
pub const BUFFER_CAPACITY_LEN: usize = 12;

/// READ BUFFER CAPACITY data: byte counts (Block=0) or free blocks (Block=1), told apart by
/// byte 3 bit 0 of the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BufferCapacity {
    /// Block=0: bytes 4-7 buffer length, bytes 8-11 blank (free) length, in bytes.
    Bytes {
        buffer_length: u32,
        blank_length: u32,
    },
    /// Block=1: bytes 8-11 available buffer, in blocks.
    Blocks { available_blocks: u32 },
}

impl BufferCapacity {
    /// The fill level as a fraction 0..=1 (byte form only).
    pub fn fill_ratio(&self) -> Option<f64> {
        match *self {
            BufferCapacity::Bytes {
                buffer_length,
                blank_length,
            } if buffer_length > 0 => Some(
                f64::from(buffer_length.saturating_sub(blank_length)) / f64::from(buffer_length),
            ),
            _ => None,
        }
    }
}

impl ResponseFormat for BufferCapacity {
    const NAME: &'static str = "READ BUFFER CAPACITY data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let (f, _) = frame_be16(bytes, what, "data length", BUFFER_CAPACITY_LEN)?;
        let [_, _, _, b3, a0, a1, a2, a3, c0, c1, c2, c3] = fixed(f.bytes, what, "blank length")?;
        Ok(if bit(b3, 0) {
            BufferCapacity::Blocks {
                available_blocks: u32::from_be_bytes([c0, c1, c2, c3]),
            }
        } else {
            BufferCapacity::Bytes {
                buffer_length: u32::from_be_bytes([a0, a1, a2, a3]),
                blank_length: u32::from_be_bytes([c0, c1, c2, c3]),
            }
        })
    }

    fn buffer_len(&self) -> usize {
        BUFFER_CAPACITY_LEN
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16((BUFFER_CAPACITY_LEN - 2) as u16).u8(0);
        match *self {
            BufferCapacity::Bytes {
                buffer_length,
                blank_length,
            } => {
                w.u8(0).u32(buffer_length).u32(blank_length);
            }
            BufferCapacity::Blocks { available_blocks } => {
                w.u8(1).u32(0).u32(available_blocks);
            }
        }
    }
}
