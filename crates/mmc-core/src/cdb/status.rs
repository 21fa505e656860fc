//! Drive state and housekeeping: GET CONFIGURATION (MMC-5 6.6), GET EVENT STATUS
//! NOTIFICATION, MECHANISM STATUS, READ BUFFER CAPACITY and SYNCHRONIZE CACHE (MMC-5 6.41).

use super::layout::cdb;
use super::repr::Transfer;
use crate::wire::wire_enum;

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

cdb! {
    /// GET CONFIGURATION (46h): the current profile (CD-R, DVD+RW, BD-RE, ...) and the feature
    /// descriptors.
    pub struct GetConfiguration = GetConfiguration, 10 {
        /// Byte 1 bits 1-0 RT.
        pub requested_type: ConfigurationRequest = code(1, 0, 2),
        /// Bytes 2-3: the first feature code to report.
        pub starting_feature: u16 = be(2),
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

cdb! {
    /// GET EVENT STATUS NOTIFICATION (4Ah): media and tray events (new medium, eject request,
    /// ...). libburn polls with `4A 01 00 00 7E 00 00 00 08 00`.
    pub struct GetEventStatusNotification = GetEventStatusNotification, 10 {
        /// Byte 1 bit 0: polled operation (asynchronous operation is not supported by MMC
        /// drives over SCSI/ATAPI).
        pub polled: bool = flag(1, 0),
        /// Byte 4: the notification classes requested, a bitmap of the `CLASS_*` constants
        /// (bits 0 and 7 name reserved classes: accepted, never reported). The whole byte is
        /// taken: a reserved class is one a drive does not report, not a field it refuses
        /// (growisofs asks for FFh, "all events", first, then for the supported classes the
        /// drive answered).
        pub class_request: u8 = be(4),
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

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
}

cdb! {
    /// MECHANISM STATUS (BDh): tray state (door open), changer slots.
    pub struct MechanismStatus = MechanismStatus, 12 {
        /// Bytes 8-9.
        pub allocation_length: u16 = be(8),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

cdb! {
    /// READ BUFFER CAPACITY (5Ch): size and free space of the drive's write buffer, in bytes
    /// (Block = 0) or in blocks (Block = 1).
    pub struct ReadBufferCapacity = ReadBufferCapacity, 10 {
        /// Byte 1 bit 0.
        pub block: bool = flag(1, 0),
        /// Bytes 7-8 (12 for the whole reply).
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

cdb! {
    /// SYNCHRONIZE CACHE (35h): write the drive's buffer to the medium. Mandatory after the
    /// last WRITE (MMC-5 6.41); IMAPI sends it with Immed and a 260 s timeout.
    pub struct SynchronizeCache = SynchronizeCache, 10 {
        /// Byte 1 bit 1: return at once; poll TEST UNIT READY.
        pub immed: bool = flag(1, 1),
        /// Bytes 2-5, two's complement (see the [module conventions](super)).
        pub lba: i32 = be(2),
        /// Bytes 7-8: blocks to flush from `lba`; 0 flushes everything.
        pub blocks: u16 = be(7),
    }
    transfer(c) => Transfer::None;
}

impl SynchronizeCache {
    /// Flush everything, returning at once (`35 02 00 00 00 00 00 00 00 00`).
    pub const fn immediate() -> Self {
        SynchronizeCache {
            immed: true,
            lba: 0,
            blocks: 0,
        }
    }
}
