//! What stands between a command and its execution: exclusive access, unit attentions,
//! medium readiness and write protection (SPC-4 5.14, MMC-6 4.1.6).

use mmc_core::cdb::Command;
use mmc_core::sense::{triples, SenseTriple};

use super::{DiscCondition, DriveClass, EmulatedDrive, Failure};

/// How a command relates to the drive's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class {
    /// Runs even with a unit attention pending (which it then leaves pending).
    allows_unit_attention: bool,
    /// Needs a ready medium.
    needs_medium: bool,
    /// Records on the medium: refused on a write-protected disc.
    records: bool,
}

fn class(command: &Command) -> Class {
    use Command as C;
    let (allows_unit_attention, needs_medium, records) = match command {
        C::Inquiry(_) | C::RequestSense(_) | C::GetConfiguration(_) => (true, false, false),
        C::GetEventStatusNotification(_) => (true, false, false),
        C::MechanismStatus(_) | C::StartStopUnit(_) | C::PreventAllowMediumRemoval(_) => {
            (false, false, false)
        }
        C::ModeSense10(_) | C::ModeSelect10(_) | C::ReadBufferCapacity(_) => (false, false, false),
        C::GetPerformance(_) | C::SetStreaming(_) | C::SetCdSpeed(_) => (false, false, false),
        C::ReadFormatCapacities(_) => (false, false, false),
        C::TestUnitReady(_) | C::ReadCapacity(_) | C::ReadDiscInformation(_) => {
            (false, true, false)
        }
        C::ReadTrackInformation(_) | C::ReadTocPmaAtip(_) | C::ReadDiscStructure(_) => {
            (false, true, false)
        }
        C::ReadSubchannel(_) | C::ReadCd(_) => (false, true, false),
        C::Read10(_) | C::Read12(_) | C::Verify10(_) | C::SynchronizeCache(_) => {
            (false, true, false)
        }
        C::Write10(_) | C::Write12(_) | C::CloseTrackSession(_) | C::FormatUnit(_) => {
            (false, true, true)
        }
        C::ReserveTrack(_) | C::SendOpcInformation(_) | C::SendCueSheet(_) | C::Blank(_) => {
            (false, true, true)
        }
        C::SendDiscStructure(_) => (false, true, true),
    };
    Class {
        allows_unit_attention,
        needs_medium,
        records,
    }
}

impl EmulatedDrive {
    /// Checks everything that must hold before `command` runs.
    pub(super) fn gate(&mut self, command: &Command) -> Result<(), Failure> {
        let class = class(command);
        // A reader does not know the commands that record (SPC-4 4.5.1: an unsupported
        // operation code is 05/20/00, checked before anything else).
        if class.records && self.config.class == DriveClass::Reader {
            return Err(Failure::sense(triples::INVALID_COMMAND_OPERATION_CODE));
        }
        if !class.allows_unit_attention {
            if let Some(ua) = self.unit_attention.take() {
                return Err(Failure::sense(ua));
            }
        }
        if class.needs_medium {
            self.ready()?;
        }
        if class.records {
            if let Some(sense) = self.write_protection().sense() {
                return Err(Failure::sense(sense));
            }
            // A damaged session has no next writable address (MMC-6 6.27.3.5).
            if self.damaged_open_session() {
                return Err(Failure::sense(triples::INVALID_ADDRESS_FOR_WRITE));
            }
        }
        Ok(())
    }

    /// Why the medium cannot be accessed now, if it cannot (MMC-6 4.1.6).
    pub(crate) fn ready(&self) -> Result<(), Failure> {
        if self.tray_open {
            return Err(Failure::sense(triples::MEDIUM_NOT_PRESENT_TRAY_OPEN));
        }
        let Some(disc) = self.disc.as_ref() else {
            return Err(Failure::sense(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED));
        };
        if self.now < disc.ready_at {
            return Err(Failure::sense(triples::BECOMING_READY));
        }
        match disc.condition {
            DiscCondition::Normal => {}
            DiscCondition::UpsideDown => {
                return Err(Failure::sense(triples::NO_REFERENCE_POSITION_FOUND))
            }
            DiscCondition::Incompatible { ascq } => {
                return Err(Failure::sense(SenseTriple::new(0x2, 0x30, ascq)))
            }
        }
        if let Some(e) = disc.medium.access_error() {
            return Err(e.into());
        }
        if let Some(op) = self.long_operation {
            return Err(Failure::progress(op.sense, op.progress(self.now)));
        }
        if let Some(progress) = disc.medium.blocking_format_progress() {
            return Err(Failure::progress(triples::FORMAT_IN_PROGRESS, progress));
        }
        Ok(())
    }

    /// The sense TEST UNIT READY would give now, or `None` when ready (REQUEST SENSE).
    pub(crate) fn readiness_sense(&self) -> Option<Failure> {
        self.ready().err()
    }

    /// Whether the drive is busy with something a host waits for by polling: LOGICAL UNIT
    /// NOT READY (02/04) becoming ready (01h), format in progress (04h), operation in
    /// progress (07h) or long write in progress (08h), SPC-4 and MMC-6 4.1.6.
    pub fn is_busy(&self) -> bool {
        self.ready().err().is_some_and(|f| asks_to_poll(f.triple))
    }
}

/// Whether an answer says "busy, ask again": NOT READY, LOGICAL UNIT NOT READY (04h) with
/// becoming ready (01h), format in progress (04h), operation in progress (07h) or long write
/// in progress (08h).
pub(crate) fn asks_to_poll(triple: SenseTriple) -> bool {
    triple.key.to_u8() == 0x02
        && triple.asc == 0x04
        && matches!(triple.ascq, 0x01 | 0x04 | 0x07 | 0x08)
}
