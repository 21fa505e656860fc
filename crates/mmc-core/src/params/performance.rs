//! The SET STREAMING performance descriptor (MMC-5 6.39): the parameter list of SET
//! STREAMING type 00h.

use serde::{Deserialize, Serialize};

use super::{check_list, emit_list};
use crate::cdb::{CdbError, Opcode};
use crate::layout::{fixed_layout, usage};
use crate::wire::{wire_enum, EmitError};

wire_enum! {
    /// Write rotation control of a performance descriptor (byte 0 bits 4-3).
    #[serde(rename_all = "snake_case")]
    pub enum RotationControl: u8 as from_u8 / to_u8 {
        /// 00b: the drive chooses.
        Default = 0b00 => "Default",
        /// 01b: constant linear velocity.
        Clv = 0b01 => "CLV",
        /// 10b: constant angular velocity.
        Cav = 0b10 => "CAV",
    }
}

fixed_layout! {
    /// The SET STREAMING performance descriptor (28 bytes): speed = size / time, so with a
    /// time of 1000 ms the size is the speed in kB/s, as libburn and IMAPI send it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct PerformanceDescriptor {
        /// Byte 0 bits 4-3 WRC.
        pub rotation_control: RotationControl = code(0, 3, 2),
        /// Byte 0 bit 2 RDD: restore the drive's default speeds (the rest is ignored).
        pub restore_defaults: bool = flag(0, 2),
        /// Byte 0 bit 1 Exact: fail rather than approximate the speeds.
        pub exact: bool = flag(0, 1),
        /// Byte 0 bit 0 RA: random access (the speed need not be sustained).
        pub random_access: bool = flag(0, 0),
        /// Bytes 4-7.
        pub start_lba: i32 = be(4),
        /// Bytes 8-11: last LBA of the range.
        pub end_lba: i32 = be(8),
        /// Bytes 12-15: kilobytes read per `read_time`.
        pub read_size: u32 = be(12),
        /// Bytes 16-19: milliseconds.
        pub read_time: u32 = be(16),
        /// Bytes 20-23: kilobytes written per `write_time`.
        pub write_size: u32 = be(20),
        /// Bytes 24-27: milliseconds.
        pub write_time: u32 = be(24),
    }
}

impl PerformanceDescriptor {
    pub const LEN: usize = 28;
    const USAGE: [u8; Self::LEN] = usage(Self::FIELD_MARKS);

    /// Read and write speeds in kB/s over `start_lba..=end_lba` (times of 1000 ms).
    pub const fn speeds(start_lba: i32, end_lba: i32, read_kbps: u32, write_kbps: u32) -> Self {
        PerformanceDescriptor {
            rotation_control: RotationControl::Default,
            restore_defaults: false,
            exact: false,
            random_access: false,
            start_lba,
            end_lba,
            read_size: read_kbps,
            read_time: 1000,
            write_size: write_kbps,
            write_time: 1000,
        }
    }

    /// The requested write speed in kB/s (`write_size × 1000 / write_time`), `None` when
    /// the time is 0.
    pub fn write_kbps(&self) -> Option<u64> {
        (self.write_time != 0)
            .then(|| u64::from(self.write_size) * 1000 / u64::from(self.write_time))
    }

    /// Parses the descriptor from the data-out bytes (bytes beyond 28 are ignored). Reserved
    /// bits are an invalid field in the parameter list.
    pub fn parse(data: &[u8]) -> Result<Self, CdbError> {
        let bytes = check_list(data, Opcode::SetStreaming, &Self::USAGE)?;
        Ok(Self::read_fields(bytes))
    }

    /// The 28 bytes. Bits of an `Unknown` rotation control beyond its 2-bit field are
    /// dropped.
    pub fn to_bytes(&self) -> [u8; 28] {
        let mut out = [0u8; Self::LEN];
        self.write_fields(&mut out);
        out
    }

    /// Writes the 28 bytes into `buf`, returning the length written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        emit_list(
            &self.to_bytes(),
            buf,
            "SET STREAMING performance descriptor",
        )
    }
}
