//! The commands every SCSI device answers, as MMC drives use them: TEST UNIT READY, REQUEST
//! SENSE, INQUIRY (SPC-4), START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL (MMC-6).

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, Transfer};
use crate::wire::{bit, flag, wire_enum, CdbBytes};

/// TEST UNIT READY (00h): GOOD when a medium is present and ready, NOT READY sense
/// otherwise. Writers poll it after every command sent with Immed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TestUnitReady;

const TEST_UNIT_READY_USAGE: [u8; 6] = [0xFF, 0x00, 0x00, 0x00, 0x00, 0x00];

impl TestUnitReady {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        check(cdb, Opcode::TestUnitReady, &TEST_UNIT_READY_USAGE)?;
        Ok(TestUnitReady)
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        CdbBytes::from_slice(&[0x00, 0, 0, 0, 0, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(TestUnitReady, Opcode::TestUnitReady, TEST_UNIT_READY_USAGE);

/// REQUEST SENSE (03h, SPC-4): the sense of the last failed command, or the progress
/// of a long operation started with Immed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RequestSense {
    /// Byte 1 bit 0 DESC: ask for descriptor format (72h) instead of fixed (70h).
    pub descriptor_format: bool,
    /// Byte 4: bytes the host accepts (18 for fixed format, 252 at most).
    pub allocation_length: u8,
}

const REQUEST_SENSE_USAGE: [u8; 6] = [0xFF, 0x01, 0x00, 0x00, 0xFF, 0x00];

impl RequestSense {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, _, allocation_length, _] =
            check(cdb, Opcode::RequestSense, &REQUEST_SENSE_USAGE)?;
        Ok(RequestSense {
            descriptor_format: bit(b1, 0),
            allocation_length,
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        CdbBytes::from_slice(&[
            0x03,
            flag(self.descriptor_format, 0),
            0,
            0,
            self.allocation_length,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(RequestSense, Opcode::RequestSense, REQUEST_SENSE_USAGE);

/// INQUIRY (12h, SPC-4): standard inquiry data (peripheral type 05h for an MMC drive,
/// vendor, product, revision) or a vital product data page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Inquiry {
    /// `None`: standard inquiry data (EVPD = 0). `Some(page)`: the VPD page `page`
    /// (EVPD = 1, byte 2 = page code).
    pub vpd_page: Option<u8>,
    /// Bytes 3-4 (SPC-3 made the field 16 bits; libburn sends 36).
    pub allocation_length: u16,
}

const INQUIRY_USAGE: [u8; 6] = [0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x00];

impl Inquiry {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, page_code, l0, l1, _] = check(cdb, Opcode::Inquiry, &INQUIRY_USAGE)?;
        let vpd_page = if bit(b1, 0) {
            Some(page_code)
        } else if page_code == 0 {
            None
        } else {
            // SPC-4 INQUIRY: a page code with EVPD = 0 is INVALID FIELD IN CDB.
            return Err(CdbError::InvalidField {
                opcode: Opcode::Inquiry,
                byte: 2,
                bit: 7,
                field: "PAGE CODE",
                reason: "must be zero when EVPD is zero",
            });
        };
        Ok(Inquiry {
            vpd_page,
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        let (evpd, page_code) = match self.vpd_page {
            Some(page) => (0x01, page),
            None => (0x00, 0x00),
        };
        CdbBytes::from_slice(&[0x12, evpd, page_code, l0, l1, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(Inquiry, Opcode::Inquiry, INQUIRY_USAGE);

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

/// START STOP UNIT (1Bh, MMC-6): spin up or down, load or eject, or change the power
/// condition. libburn loads with `1B 00 00 00 03 00` and ejects with `1B 00 00 00 02 00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct StartStopUnit {
    /// Byte 1 bit 0: return status before the operation completes.
    pub immed: bool,
    /// Byte 3 bits 1-0: the layer to format when `format_layer` is set (MMC-6, multi-layer
    /// media).
    pub format_layer_number: u8,
    /// Byte 4 bits 7-4.
    pub power_condition: PowerCondition,
    /// Byte 4 bit 2 FL: select the format layer in `format_layer_number` (MMC-6).
    pub format_layer: bool,
    /// Byte 4 bit 1 LoEj.
    pub load_eject: bool,
    /// Byte 4 bit 0 Start.
    pub start: bool,
}

const START_STOP_UNIT_USAGE: [u8; 6] = [0xFF, 0x01, 0x00, 0x03, 0xF7, 0x00];

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

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, b3, b4, _] = check(cdb, Opcode::StartStopUnit, &START_STOP_UNIT_USAGE)?;
        Ok(StartStopUnit {
            immed: bit(b1, 0),
            format_layer_number: b3 & 0x03,
            power_condition: PowerCondition::from_u8(b4 >> 4),
            format_layer: bit(b4, 2),
            load_eject: bit(b4, 1),
            start: bit(b4, 0),
        })
    }

    /// Bits of `format_layer_number` and of an `Unknown` power condition beyond their
    /// field widths (2 and 4 bits) are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        CdbBytes::from_slice(&[
            0x1B,
            flag(self.immed, 0),
            0,
            self.format_layer_number & 0x03,
            (self.power_condition.to_u8() << 4)
                | flag(self.format_layer, 2)
                | flag(self.load_eject, 1)
                | flag(self.start, 0),
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(StartStopUnit, Opcode::StartStopUnit, START_STOP_UNIT_USAGE);

/// PREVENT ALLOW MEDIUM REMOVAL (1Eh, MMC-6): lock or unlock the tray. An eject while
/// prevented fails with 05/53/02 MEDIUM REMOVAL PREVENTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PreventAllowMediumRemoval {
    /// Byte 4 bit 1: persistent prevent (survives a reset until released).
    pub persistent: bool,
    /// Byte 4 bit 0: prevent removal.
    pub prevent: bool,
}

const PREVENT_ALLOW_USAGE: [u8; 6] = [0xFF, 0x00, 0x00, 0x00, 0x03, 0x00];

impl PreventAllowMediumRemoval {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, _, _, _, b4, _] =
            check(cdb, Opcode::PreventAllowMediumRemoval, &PREVENT_ALLOW_USAGE)?;
        Ok(PreventAllowMediumRemoval {
            persistent: bit(b4, 1),
            prevent: bit(b4, 0),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        CdbBytes::from_slice(&[
            0x1E,
            0,
            0,
            0,
            flag(self.persistent, 1) | flag(self.prevent, 0),
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(
    PreventAllowMediumRemoval,
    Opcode::PreventAllowMediumRemoval,
    PREVENT_ALLOW_USAGE
);
