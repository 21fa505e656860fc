//! Drive state and housekeeping: GET CONFIGURATION (MMC-5 6.6), GET EVENT STATUS
//! NOTIFICATION, MECHANISM STATUS, READ BUFFER CAPACITY and SYNCHRONIZE CACHE (MMC-5 6.41).

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, Transfer};
use crate::wire::{bit, flag, wire_enum, CdbBytes};

wire_enum! {
    /// GET CONFIGURATION RT field (byte 1 bits 1-0): which feature descriptors to return.
    #[serde(rename_all = "snake_case")]
    pub enum ConfigurationRequest: u8 as from_u8 / to_u8 {
        /// 00b: every feature from the starting feature on, current or not.
        All = 0b00 => "All Features",
        /// 01b: only current features from the starting feature on.
        Current = 0b01 => "Current Features",
        /// 10b: only the starting feature.
        One = 0b10 => "One Feature",
    }
}

/// GET CONFIGURATION (46h): the current profile (CD-R, DVD+RW, BD-RE, ...) and the feature
/// descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct GetConfiguration {
    /// Byte 1 bits 1-0 RT.
    pub requested_type: ConfigurationRequest,
    /// Bytes 2-3: the first feature code to report.
    pub starting_feature: u16,
    /// Bytes 7-8.
    pub allocation_length: u16,
}

const GET_CONFIGURATION_USAGE: [u8; 10] = [0xFF, 0x03, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl GetConfiguration {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, f0, f1, _, _, _, l0, l1, _] =
            check(cdb, Opcode::GetConfiguration, &GET_CONFIGURATION_USAGE)?;
        Ok(GetConfiguration {
            requested_type: ConfigurationRequest::from_u8(b1 & 0x03),
            starting_feature: u16::from_be_bytes([f0, f1]),
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    /// Bits of an `Unknown` RT beyond its 2-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [f0, f1] = self.starting_feature.to_be_bytes();
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x46,
            self.requested_type.to_u8() & 0x03,
            f0,
            f1,
            0,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    GetConfiguration,
    Opcode::GetConfiguration,
    GET_CONFIGURATION_USAGE
);

/// GET EVENT STATUS NOTIFICATION (4Ah): media and tray events (new medium, eject request,
/// ...). libburn polls with `4A 01 00 00 7E 00 00 00 08 00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct GetEventStatusNotification {
    /// Byte 1 bit 0: polled operation (asynchronous operation is not supported by MMC
    /// drives over SCSI/ATAPI).
    pub polled: bool,
    /// Byte 4: the notification classes requested, a bitmap of the `CLASS_*` constants (bits 0
    /// and 7 name reserved classes: accepted, never reported).
    pub class_request: u8,
    /// Bytes 7-8.
    pub allocation_length: u16,
}

// Byte 4 takes every bit: bits 0 and 7 of the class request are reserved classes, which a
// drive does not report, not a field it refuses (growisofs asks for FFh, "all events", first,
// then for the supported classes the drive answered).
const GESN_USAGE: [u8; 10] = [0xFF, 0x01, 0, 0, 0xFF, 0, 0, 0xFF, 0xFF, 0x00];

impl GetEventStatusNotification {
    pub const CLASS_OPERATIONAL_CHANGE: u8 = 0x02;
    pub const CLASS_POWER_MANAGEMENT: u8 = 0x04;
    pub const CLASS_EXTERNAL_REQUEST: u8 = 0x08;
    pub const CLASS_MEDIA: u8 = 0x10;
    pub const CLASS_MULTI_HOST: u8 = 0x20;
    pub const CLASS_DEVICE_BUSY: u8 = 0x40;
    /// Every class MMC defines (7Eh).
    pub const ALL_CLASSES: u8 = 0x7E;

    /// Whether `class` (one of the `CLASS_*` bits) is requested.
    pub const fn requests(&self, class: u8) -> bool {
        self.class_request & class != 0
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, _, class_request, _, _, l0, l1, _] =
            check(cdb, Opcode::GetEventStatusNotification, &GESN_USAGE)?;
        Ok(GetEventStatusNotification {
            polled: bit(b1, 0),
            class_request,
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x4A,
            flag(self.polled, 0),
            0,
            0,
            self.class_request,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    GetEventStatusNotification,
    Opcode::GetEventStatusNotification,
    GESN_USAGE
);

/// MECHANISM STATUS (BDh): tray state (door open), changer slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct MechanismStatus {
    /// Bytes 8-9.
    pub allocation_length: u16,
}

const MECHANISM_STATUS_USAGE: [u8; 12] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0x00];

impl MechanismStatus {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, _, _, _, _, _, _, _, l0, l1, _, _] =
            check(cdb, Opcode::MechanismStatus, &MECHANISM_STATUS_USAGE)?;
        Ok(MechanismStatus {
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[0xBD, 0, 0, 0, 0, 0, 0, 0, l0, l1, 0, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    MechanismStatus,
    Opcode::MechanismStatus,
    MECHANISM_STATUS_USAGE
);

/// READ BUFFER CAPACITY (5Ch): size and free space of the drive's write buffer, in bytes
/// (Block = 0) or in blocks (Block = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadBufferCapacity {
    /// Byte 1 bit 0.
    pub block: bool,
    /// Bytes 7-8 (12 for the whole reply).
    pub allocation_length: u16,
}

const READ_BUFFER_CAPACITY_USAGE: [u8; 10] = [0xFF, 0x01, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl ReadBufferCapacity {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, _, _, _, _, l0, l1, _] =
            check(cdb, Opcode::ReadBufferCapacity, &READ_BUFFER_CAPACITY_USAGE)?;
        Ok(ReadBufferCapacity {
            block: bit(b1, 0),
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[0x5C, flag(self.block, 0), 0, 0, 0, 0, 0, l0, l1, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    ReadBufferCapacity,
    Opcode::ReadBufferCapacity,
    READ_BUFFER_CAPACITY_USAGE
);

/// SYNCHRONIZE CACHE (35h): write the drive's buffer to the medium. Mandatory after the
/// last WRITE (MMC-5 6.41); IMAPI sends it with Immed and a 260 s timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SynchronizeCache {
    /// Byte 1 bit 1: return at once; poll TEST UNIT READY.
    pub immed: bool,
    /// Bytes 2-5, two's complement (see the [module conventions](super)).
    pub lba: i32,
    /// Bytes 7-8: blocks to flush from `lba`; 0 flushes everything.
    pub blocks: u16,
}

const SYNCHRONIZE_CACHE_USAGE: [u8; 10] = [0xFF, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0x00];

impl SynchronizeCache {
    /// Flush everything, returning at once (`35 02 00 00 00 00 00 00 00 00`).
    pub const fn immediate() -> Self {
        SynchronizeCache {
            immed: true,
            lba: 0,
            blocks: 0,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, n0, n1, _] =
            check(cdb, Opcode::SynchronizeCache, &SYNCHRONIZE_CACHE_USAGE)?;
        Ok(SynchronizeCache {
            immed: bit(b1, 1),
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            blocks: u16::from_be_bytes([n0, n1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        let [n0, n1] = self.blocks.to_be_bytes();
        CdbBytes::from_slice(&[0x35, flag(self.immed, 1), a0, a1, a2, a3, 0, n0, n1, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(
    SynchronizeCache,
    Opcode::SynchronizeCache,
    SYNCHRONIZE_CACHE_USAGE
);
