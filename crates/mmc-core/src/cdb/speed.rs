//! Speeds: GET PERFORMANCE, SET STREAMING and SET CD SPEED. MMC speed fields count
//! kilobytes of 1000 bytes (1x CD = 176.4 kB/s, 1x DVD = 1385 kB/s, 1x BD = 4495.5 kB/s).

use super::layout::cdb;
use super::repr::Transfer;
use crate::params::PerformanceDescriptor;
use crate::wire::wire_enum;

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

cdb! {
    /// GET PERFORMANCE (ACh): the speeds the drive and medium support. Writers ask for type
    /// 03h (write speeds) or type 00h with Write = 1 (nominal write performance).
    ///
    /// The transfer is `In(8 + max_descriptors × descriptor length)`: the most the drive may
    /// return. The CDB has no allocation length; for an unknown type only the 8-byte header
    /// is counted.
    pub struct GetPerformance = GetPerformance, 12 {
        /// Byte 1 bits 4-0, whose meaning depends on the type; for type 00h: tolerance (bits
        /// 4-3), Write (bit 2) and Except (bits 1-0). See the accessors.
        pub data_type: u8 = uint(1, 0, 5),
        /// Bytes 2-5: first LBA to report (type 00h).
        pub start_lba: i32 = be(2),
        /// Bytes 8-9: most descriptors to return.
        pub max_descriptors: u16 = be(8),
        /// Byte 10.
        pub performance_type: PerformanceType = code(10, 0, 8),
    }
    transfer(c) => Transfer::data_in(PERFORMANCE_HEADER_LEN.saturating_add(
        u32::from(c.max_descriptors).saturating_mul(c.descriptor_len().unwrap_or_default()),
    ));
}

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
}

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

cdb! {
    /// SET STREAMING (B6h): ask for a read and write speed over an LBA range, sent as a 28-byte
    /// [`PerformanceDescriptor`]. The way to set speeds on DVD and BD.
    pub struct SetStreaming = SetStreaming, 12 {
        /// Byte 8.
        pub streaming_type: StreamingType = code(8, 0, 8),
        /// Bytes 9-10 (28 for a performance descriptor).
        pub parameter_list_length: u16 = be(9),
    }
    transfer(c) => Transfer::data_out(u32::from(c.parameter_list_length));
}

impl SetStreaming {
    /// A SET STREAMING that sends one performance descriptor.
    pub const fn performance() -> Self {
        SetStreaming {
            streaming_type: StreamingType::Performance,
            parameter_list_length: PerformanceDescriptor::LEN as u16,
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

cdb! {
    /// SET CD SPEED (BBh): read and write speed in kB/s (FFFFh: as fast as possible). The
    /// fallback when SET STREAMING is not supported.
    pub struct SetCdSpeed = SetCdSpeed, 12 {
        /// Byte 1 bits 1-0.
        pub rotational_control: CdRotationalControl = code(1, 0, 2),
        /// Bytes 2-3, kB/s.
        pub read_speed: u16 = be(2),
        /// Bytes 4-5, kB/s.
        pub write_speed: u16 = be(4),
    }
    transfer(c) => Transfer::None;
}

impl SetCdSpeed {
    /// The speed value that asks for the maximum.
    pub const MAX_SPEED: u16 = 0xFFFF;
}
