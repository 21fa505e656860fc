//! The commands every SCSI device answers, as MMC drives use them: TEST UNIT READY, REQUEST
//! SENSE, INQUIRY (SPC-4), START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL (MMC-6).

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::layout::{cdb, CdbField};
use super::opcode::Opcode;
use super::repr::Transfer;
use crate::wire::{bit, byte_at, wire_enum};

cdb! {
    /// TEST UNIT READY (00h): GOOD when a medium is present and ready, NOT READY sense
    /// otherwise. Writers poll it after every command sent with Immed.
    pub struct TestUnitReady = TestUnitReady, 6;
    transfer(c) => Transfer::None;
}

cdb! {
    /// REQUEST SENSE (03h, SPC-4): the sense of the last failed command, or the progress
    /// of a long operation started with Immed.
    pub struct RequestSense = RequestSense, 6 {
        /// Byte 1 bit 0 DESC: ask for descriptor format (72h) instead of fixed (70h).
        pub descriptor_format: bool = flag(1, 0),
        /// Byte 4: bytes the host accepts (18 for fixed format, 252 at most).
        pub allocation_length: u8 = be(4),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

cdb! {
    /// INQUIRY (12h, SPC-4): standard inquiry data (peripheral type 05h for an MMC drive,
    /// vendor, product, revision) or a vital product data page.
    pub struct Inquiry = Inquiry, 6 {
        /// `None`: standard inquiry data (EVPD = 0). `Some(page)`: the VPD page `page`
        /// (EVPD = 1, byte 2 = page code).
        pub vpd_page: Option<u8> = with(VpdPage),
        /// Bytes 3-4 (SPC-3 made the field 16 bits; libburn sends 36).
        pub allocation_length: u16 = be(3),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

/// INQUIRY byte 1 bit 0 EVPD and byte 2 PAGE CODE, as one `Option<u8>`.
struct VpdPage;

impl CdbField for VpdPage {
    type Value = Option<u8>;
    const MARKS: &'static [(usize, u8, usize)] = &[(1, 0x01, 1), (2, 0xFF, 1)];

    fn read(cdb: &[u8]) -> Result<Option<u8>, CdbError> {
        let page_code = byte_at(cdb, 2);
        if bit(byte_at(cdb, 1), 0) {
            Ok(Some(page_code))
        } else if page_code == 0 {
            Ok(None)
        } else {
            // SPC-4 INQUIRY: a page code with EVPD = 0 is INVALID FIELD IN CDB.
            Err(CdbError::InvalidField {
                opcode: Opcode::Inquiry,
                byte: 2,
                bit: 7,
                field: "PAGE CODE",
                reason: "must be zero when EVPD is zero",
            })
        }
    }

    fn write(value: Option<u8>, cdb: &mut [u8]) {
        if let (Some(page), Some([evpd, page_code])) = (value, cdb.get_mut(1..3)) {
            *evpd |= 0x01;
            *page_code = page;
        }
    }
}

wire_enum! {
    /// START STOP UNIT power condition (byte 4 bits 7-4; MMC-6, SBC-3).
    #[serde(rename_all = "snake_case")]
    pub enum PowerCondition: u8 as from_u8 / to_u8 {
        /// 0h: no power condition change; Start and LoEj act.
        StartValid = 0x0 => "START_VALID",
        Active = 0x1 => "ACTIVE",
        Idle = 0x2 => "IDLE",
        Standby = 0x3 => "STANDBY",
        Sleep = 0x5 => "SLEEP",
    }
}

/// What a START STOP UNIT with power condition 0h does, from Start and LoEj.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediumAction {
    /// Start = 0, LoEj = 0: stop the disc.
    Stop,
    /// Start = 1, LoEj = 0: spin up and make the medium ready.
    Start,
    /// Start = 0, LoEj = 1: eject the medium / open the tray.
    Eject,
    /// Start = 1, LoEj = 1: load the medium / close the tray.
    Load,
}

cdb! {
    /// START STOP UNIT (1Bh, MMC-6): spin up or down, load or eject, or change the power
    /// condition. libburn loads with `1B 00 00 00 03 00` and ejects with `1B 00 00 00 02 00`.
    pub struct StartStopUnit = StartStopUnit, 6 {
        /// Byte 1 bit 0: return status before the operation completes.
        pub immed: bool = flag(1, 0),
        /// Byte 3 bits 1-0: the layer to format when `format_layer` is set (MMC-6, multi-layer
        /// media).
        pub format_layer_number: u8 = uint(3, 0, 2),
        /// Byte 4 bits 7-4.
        pub power_condition: PowerCondition = code(4, 4, 4),
        /// Byte 4 bit 2 FL: select the format layer in `format_layer_number` (MMC-6).
        pub format_layer: bool = flag(4, 2),
        /// Byte 4 bit 1 LoEj.
        pub load_eject: bool = flag(4, 1),
        /// Byte 4 bit 0 Start.
        pub start: bool = flag(4, 0),
    }
    transfer(c) => Transfer::None;
}

impl StartStopUnit {
    /// Load the medium / close the tray (libburn's `1B 00 00 00 03 00`).
    pub const fn load() -> Self {
        StartStopUnit {
            immed: false,
            format_layer_number: 0,
            power_condition: PowerCondition::StartValid,
            format_layer: false,
            load_eject: true,
            start: true,
        }
    }

    /// Eject the medium / open the tray (libburn's `1B 00 00 00 02 00`).
    pub const fn eject() -> Self {
        StartStopUnit {
            start: false,
            ..Self::load()
        }
    }

    /// What Start and LoEj ask for, when the power condition lets them act.
    pub fn action(&self) -> Option<MediumAction> {
        if self.power_condition != PowerCondition::StartValid {
            return None;
        }
        Some(match (self.start, self.load_eject) {
            (false, false) => MediumAction::Stop,
            (true, false) => MediumAction::Start,
            (false, true) => MediumAction::Eject,
            (true, true) => MediumAction::Load,
        })
    }
}

cdb! {
    /// PREVENT ALLOW MEDIUM REMOVAL (1Eh, MMC-6): lock or unlock the tray. An eject while
    /// prevented fails with 05/53/02 MEDIUM REMOVAL PREVENTED.
    pub struct PreventAllowMediumRemoval = PreventAllowMediumRemoval, 6 {
        /// Byte 4 bit 1: persistent prevent (survives a reset until released).
        pub persistent: bool = flag(4, 1),
        /// Byte 4 bit 0: prevent removal.
        pub prevent: bool = flag(4, 0),
    }
    transfer(c) => Transfer::None;
}
