//! The SET STREAMING performance descriptor (MMC-5 6.39): the parameter list of SET
//! STREAMING type 00h.

use serde::{Deserialize, Serialize};

use crate::cdb::repr::parameter_reserved_if_set;
use crate::cdb::{CdbError, Opcode};
use crate::wire::{bit, flag, wire_enum, EmitError};

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

/// The SET STREAMING performance descriptor (28 bytes): speed = size / time, so with a
/// time of 1000 ms the size is the speed in kB/s, as libburn and IMAPI send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PerformanceDescriptor {
    /// Byte 0 bits 4-3 WRC.
    pub rotation_control: RotationControl,
    /// Byte 0 bit 2 RDD: restore the drive's default speeds (the rest is ignored).
    pub restore_defaults: bool,
    /// Byte 0 bit 1 Exact: fail rather than approximate the speeds.
    pub exact: bool,
    /// Byte 0 bit 0 RA: random access (the speed need not be sustained).
    pub random_access: bool,
    /// Bytes 4-7.
    pub start_lba: i32,
    /// Bytes 8-11: last LBA of the range.
    pub end_lba: i32,
    /// Bytes 12-15: kilobytes read per `read_time`.
    pub read_size: u32,
    /// Bytes 16-19: milliseconds.
    pub read_time: u32,
    /// Bytes 20-23: kilobytes written per `write_time`.
    pub write_size: u32,
    /// Bytes 24-27: milliseconds.
    pub write_time: u32,
}

impl PerformanceDescriptor {
    pub const LEN: usize = 28;

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
        let op = Opcode::SetStreaming;
        let Some(bytes) = data
            .get(..Self::LEN)
            .and_then(|s| <[u8; 28]>::try_from(s).ok())
        else {
            return Err(CdbError::ParameterListLength {
                opcode: op,
                expected: Self::LEN,
                got: data.len(),
            });
        };
        let [b0, r1, r2, r3, s0, s1, s2, s3, e0, e1, e2, e3, rs0, rs1, rs2, rs3, rt0, rt1, rt2, rt3, ws0, ws1, ws2, ws3, wt0, wt1, wt2, wt3] =
            bytes;
        parameter_reserved_if_set(op, 0, b0 & 0xE0)?;
        parameter_reserved_if_set(op, 1, r1)?;
        parameter_reserved_if_set(op, 2, r2)?;
        parameter_reserved_if_set(op, 3, r3)?;
        Ok(PerformanceDescriptor {
            rotation_control: RotationControl::from_u8((b0 >> 3) & 0x03),
            restore_defaults: bit(b0, 2),
            exact: bit(b0, 1),
            random_access: bit(b0, 0),
            start_lba: i32::from_be_bytes([s0, s1, s2, s3]),
            end_lba: i32::from_be_bytes([e0, e1, e2, e3]),
            read_size: u32::from_be_bytes([rs0, rs1, rs2, rs3]),
            read_time: u32::from_be_bytes([rt0, rt1, rt2, rt3]),
            write_size: u32::from_be_bytes([ws0, ws1, ws2, ws3]),
            write_time: u32::from_be_bytes([wt0, wt1, wt2, wt3]),
        })
    }

    /// The 28 bytes. Bits of an `Unknown` rotation control beyond its 2-bit field are
    /// dropped.
    pub fn to_bytes(&self) -> [u8; 28] {
        let mut out = [0u8; 28];
        let b0 = ((self.rotation_control.to_u8() & 0x03) << 3)
            | flag(self.restore_defaults, 2)
            | flag(self.exact, 1)
            | flag(self.random_access, 0);
        let fields: [[u8; 4]; 7] = [
            [b0, 0, 0, 0],
            self.start_lba.to_be_bytes(),
            self.end_lba.to_be_bytes(),
            self.read_size.to_be_bytes(),
            self.read_time.to_be_bytes(),
            self.write_size.to_be_bytes(),
            self.write_time.to_be_bytes(),
        ];
        for (dst, src) in out.chunks_exact_mut(4).zip(fields.iter()) {
            dst.copy_from_slice(src);
        }
        out
    }

    /// Writes the 28 bytes into `buf`, returning the length written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        match buf.get_mut(..Self::LEN) {
            Some(dst) => {
                dst.copy_from_slice(&self.to_bytes());
                Ok(Self::LEN)
            }
            None => Err(EmitError {
                what: "SET STREAMING performance descriptor",
                need: Self::LEN,
                got: buf.len(),
            }),
        }
    }
}
