//! Speeds: GET PERFORMANCE, SET STREAMING with its performance descriptor, and SET CD
//! SPEED. MMC speed fields count kilobytes of 1000 bytes (1x CD = 176.4 kB/s, 1x DVD =
//! 1385 kB/s, 1x BD = 4495.5 kB/s).

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, parameter_reserved_if_set, Transfer};
use crate::wire::{bit, flag, wire_enum, CdbBytes, EmitError};

wire_enum! {
    /// GET PERFORMANCE type (byte 10).
    #[serde(rename_all = "snake_case")]
    pub enum PerformanceType: u8 as from_u8 / to_u8 {
        /// 00h: performance data (nominal, or exceptions by the Except field).
        Performance = 0x00 => "Performance",
        /// 01h: unusable area data.
        UnusableArea = 0x01 => "Unusable Area",
        /// 02h: defect status data.
        DefectStatus = 0x02 => "Defect Status",
        /// 03h: write speed descriptors (what the medium supports).
        WriteSpeed = 0x03 => "Write Speed",
        /// 04h: defective block information.
        DefectiveBlockInformation = 0x04 => "DBI",
        /// 05h: defective block information cache zone.
        DbiCacheZone = 0x05 => "DBI Cache Zone",
    }
}

/// GET PERFORMANCE (ACh): the speeds the drive and medium support. Writers ask for type
/// 03h (write speeds) or type 00h with Write = 1 (nominal write performance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct GetPerformance {
    /// Byte 1 bits 4-0, whose meaning depends on the type; for type 00h: tolerance (bits
    /// 4-3), Write (bit 2) and Except (bits 1-0). See the accessors.
    pub data_type: u8,
    /// Bytes 2-5: first LBA to report (type 00h).
    pub start_lba: i32,
    /// Bytes 8-9: most descriptors to return.
    pub max_descriptors: u16,
    /// Byte 10.
    pub performance_type: PerformanceType,
}

const GET_PERFORMANCE_USAGE: [u8; 12] = [
    0xFF, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF, 0x00,
];

/// Bytes of the GET PERFORMANCE response header.
const PERFORMANCE_HEADER_LEN: u32 = 8;

impl GetPerformance {
    /// Write speed descriptors (type 03h).
    pub const fn write_speeds(max_descriptors: u16) -> Self {
        GetPerformance {
            data_type: 0,
            start_lba: 0,
            max_descriptors,
            performance_type: PerformanceType::WriteSpeed,
        }
    }

    /// Nominal performance (type 00h, tolerance 10b as MMC requires, Except 00b), for
    /// writing when `write` is set, else for reading.
    pub const fn nominal(write: bool, max_descriptors: u16) -> Self {
        GetPerformance {
            data_type: 0b10 << 3 | if write { 0x04 } else { 0 },
            start_lba: 0,
            max_descriptors,
            performance_type: PerformanceType::Performance,
        }
    }

    /// Type 00h tolerance (bits 4-3; 10b = 10% nominal, 20% exceptions).
    pub const fn tolerance(&self) -> u8 {
        (self.data_type >> 3) & 0x03
    }

    /// Type 00h Write bit: write performance instead of read.
    pub const fn write(&self) -> bool {
        self.data_type & 0x04 != 0
    }

    /// Type 00h Except field: 00b nominal, 01b all exceptions, 10b outlying exceptions.
    pub const fn except(&self) -> u8 {
        self.data_type & 0x03
    }

    /// Bytes of one descriptor of the requested type, when the type fixes it.
    pub const fn descriptor_len(&self) -> Option<u32> {
        match self.performance_type {
            PerformanceType::Performance if self.except() == 0 => Some(16),
            // Exception descriptors: LBA (4) and time (2).
            PerformanceType::Performance => Some(6),
            PerformanceType::UnusableArea => Some(8),
            PerformanceType::DefectStatus => Some(2048),
            PerformanceType::WriteSpeed => Some(16),
            PerformanceType::DefectiveBlockInformation | PerformanceType::DbiCacheZone => Some(8),
            PerformanceType::Unknown(_) => None,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, _, m0, m1, b10, _] =
            check(cdb, Opcode::GetPerformance, &GET_PERFORMANCE_USAGE)?;
        Ok(GetPerformance {
            data_type: b1 & 0x1F,
            start_lba: i32::from_be_bytes([a0, a1, a2, a3]),
            max_descriptors: u16::from_be_bytes([m0, m1]),
            performance_type: PerformanceType::from_u8(b10),
        })
    }

    /// Bits of `data_type` beyond its 5-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.start_lba.to_be_bytes();
        let [m0, m1] = self.max_descriptors.to_be_bytes();
        CdbBytes::from_slice(&[
            0xAC,
            self.data_type & 0x1F,
            a0,
            a1,
            a2,
            a3,
            0,
            0,
            m0,
            m1,
            self.performance_type.to_u8(),
            0,
        ])
    }

    /// `In(8 + max_descriptors × descriptor length)`: the most the drive may return. The
    /// CDB has no allocation length; for an unknown type only the 8-byte header is counted.
    pub fn expected_transfer(&self) -> Transfer {
        let per = self.descriptor_len().unwrap_or_default();
        Transfer::data_in(
            PERFORMANCE_HEADER_LEN
                .saturating_add(u32::from(self.max_descriptors).saturating_mul(per)),
        )
    }
}
cdb_repr!(
    GetPerformance,
    Opcode::GetPerformance,
    GET_PERFORMANCE_USAGE
);

wire_enum! {
    /// SET STREAMING type (byte 8): what the parameter list holds.
    #[serde(rename_all = "snake_case")]
    pub enum StreamingType: u8 as from_u8 / to_u8 {
        /// 00h: a performance descriptor ([`PerformanceDescriptor`]).
        Performance = 0x00 => "Performance Descriptor",
        /// 05h: a DBI cache zone descriptor.
        DbiCacheZone = 0x05 => "DBI Cache Zone Descriptor",
    }
}

/// SET STREAMING (B6h): ask for a read and write speed over an LBA range, sent as a 28-byte
/// [`PerformanceDescriptor`]. The way to set speeds on DVD and BD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SetStreaming {
    /// Byte 8.
    pub streaming_type: StreamingType,
    /// Bytes 9-10 (28 for a performance descriptor).
    pub parameter_list_length: u16,
}

const SET_STREAMING_USAGE: [u8; 12] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x00];

impl SetStreaming {
    /// A SET STREAMING that sends one performance descriptor.
    pub const fn performance() -> Self {
        SetStreaming {
            streaming_type: StreamingType::Performance,
            parameter_list_length: PerformanceDescriptor::LEN as u16,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, _, _, _, _, _, _, _, t, l0, l1, _] =
            check(cdb, Opcode::SetStreaming, &SET_STREAMING_USAGE)?;
        Ok(SetStreaming {
            streaming_type: StreamingType::from_u8(t),
            parameter_list_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.parameter_list_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0xB6,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            self.streaming_type.to_u8(),
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(u32::from(self.parameter_list_length))
    }
}
cdb_repr!(SetStreaming, Opcode::SetStreaming, SET_STREAMING_USAGE);

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

wire_enum! {
    /// SET CD SPEED rotational control (byte 1 bits 1-0).
    #[serde(rename_all = "snake_case")]
    pub enum CdRotationalControl: u8 as from_u8 / to_u8 {
        /// 00b: CLV, or CAV that is not pure.
        ClvOrNonPureCav = 0b00 => "CLV and non-pure CAV",
        /// 01b: pure CAV.
        PureCav = 0b01 => "Pure CAV",
    }
}

/// SET CD SPEED (BBh): read and write speed in kB/s (FFFFh: as fast as possible). The
/// fallback when SET STREAMING is not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SetCdSpeed {
    /// Byte 1 bits 1-0.
    pub rotational_control: CdRotationalControl,
    /// Bytes 2-3, kB/s.
    pub read_speed: u16,
    /// Bytes 4-5, kB/s.
    pub write_speed: u16,
}

const SET_CD_SPEED_USAGE: [u8; 12] = [0xFF, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0x00];

impl SetCdSpeed {
    /// The speed value that asks for the maximum.
    pub const MAX_SPEED: u16 = 0xFFFF;

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, r0, r1, w0, w1, _, _, _, _, _, _] =
            check(cdb, Opcode::SetCdSpeed, &SET_CD_SPEED_USAGE)?;
        Ok(SetCdSpeed {
            rotational_control: CdRotationalControl::from_u8(b1 & 0x03),
            read_speed: u16::from_be_bytes([r0, r1]),
            write_speed: u16::from_be_bytes([w0, w1]),
        })
    }

    /// Bits of an `Unknown` rotational control beyond its 2-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [r0, r1] = self.read_speed.to_be_bytes();
        let [w0, w1] = self.write_speed.to_be_bytes();
        CdbBytes::from_slice(&[
            0xBB,
            self.rotational_control.to_u8() & 0x03,
            r0,
            r1,
            w0,
            w1,
            0,
            0,
            0,
            0,
            0,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(SetCdSpeed, Opcode::SetCdSpeed, SET_CD_SPEED_USAGE);
