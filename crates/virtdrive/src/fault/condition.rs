//! Drive conditions a plan can impose (issue item 3): states of the drive or the disc that last
//! beyond one command, so only the emulator can apply them. The same values are what the
//! drive's own API sets; a plan fires one at a chosen command and the drive takes it from
//! there. The sense each one causes is the drive's business; the intent is written here.

use core::time::Duration;

use serde::{Deserialize, Serialize};

use super::fields;

/// A state the drive enters when a rule fires. The command that fired the rule is then
/// answered from the new state (so a `write_protect` on a WRITE fails that WRITE already).
///
/// JSON: `"write_protect"`, `{"write_protection": {"persistent": true}}`,
/// `"damaged_session"`, `"eject"`, `{"becoming_ready": {"duration": {"s": 5}}}`,
/// `{"incompatible": {"ascq": 2}}`, `{"exclusive_access": {"owner": "k3b"}}`,
/// `{"defective_sectors": {"lba": 4096, "blocks": 32}}`, `{"read_cache": {"bytes": 4194304}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DriveCondition {
    /// The disc becomes write-protected: 07/27/00 on every write-class command, and READ DISC
    /// STRUCTURE format C0h and feature 0004h say so.
    WriteProtect,
    /// The disc becomes write-protected for these causes (each with its own sense and its
    /// bit in format C0h): `{"write_protection": {"cartridge": true}}`.
    WriteProtection(crate::drive::WriteProtection),
    /// The session being recorded is damaged, as a power failure while writing leaves it:
    /// READ DISC INFORMATION reports the last session's state as 10b, its open track Damage
    /// with no next writable address, and commands that record get 05/21/02. No effect on
    /// a disc without an open session.
    DamagedSession,
    /// `blocks` sectors from `lba` become defective. On a disc with spare areas (BD-RE, DVD-RAM)
    /// a write under defect management replaces their clusters with spare ones and succeeds;
    /// a write without it (the Streaming bit, no spare areas) fails with 03/0C/00, and a read
    /// of a sector not replaced with 03/11/00. Other media ignore it.
    DefectiveSectors { lba: u32, blocks: u32 },
    /// The tray opens and the disc goes out: 02/3A/02. The drive keeps the disc, so a later
    /// load (or `becoming_ready`) puts the same disc back.
    Eject,
    /// No disc with the tray closed: 02/3A/01.
    NoMedium,
    /// The disc is taken out and put back: 02/04/01 BECOMING READY until `duration` of virtual
    /// time has passed, then one 06/28/00 NOT READY TO READY CHANGE.
    BecomingReady {
        #[serde(with = "fields::duration")]
        duration: Duration,
    },
    /// A power-on or bus reset: one 06/29/00 on the next command. Unlike the `power_loss`
    /// action the disc keeps everything the drive had accepted.
    PowerOnReset,
    /// The disc is upside down: 02/06/00 NO REFERENCE POSITION FOUND on medium access, and no
    /// current profile.
    UpsideDown,
    /// The drive cannot use the disc: 02/30/`ascq` (00 incompatible medium, 01 unknown format,
    /// 02 incompatible format, ...).
    Incompatible {
        #[serde(with = "fields::byte")]
        ascq: u8,
    },
    /// Another client takes exclusive access (`TransportError::Locked` with its name) for
    /// `duration` of virtual time, or for good when no duration is given.
    ExclusiveAccess {
        owner: String,
        #[serde(
            default,
            with = "fields::opt_duration",
            skip_serializing_if = "Option::is_none"
        )]
        duration: Option<Duration>,
    },
    /// The drive keeps the last `bytes` written (whole sectors, at most 1 GiB) in a read
    /// cache and answers READ (10/12) of them from it, not from the medium, until a load or
    /// eject, a medium change, a power loss or reset, BLANK or FORMAT UNIT drops it; a
    /// `drop_write` WRITE fills it too. What the cache held before is dropped.
    ReadCache { bytes: u32 },
}

impl DriveCondition {
    /// The JSON name of the condition.
    pub const fn name(&self) -> &'static str {
        match self {
            DriveCondition::WriteProtect => "write_protect",
            DriveCondition::WriteProtection(_) => "write_protection",
            DriveCondition::DamagedSession => "damaged_session",
            DriveCondition::DefectiveSectors { .. } => "defective_sectors",
            DriveCondition::Eject => "eject",
            DriveCondition::NoMedium => "no_medium",
            DriveCondition::BecomingReady { .. } => "becoming_ready",
            DriveCondition::PowerOnReset => "power_on_reset",
            DriveCondition::UpsideDown => "upside_down",
            DriveCondition::Incompatible { .. } => "incompatible",
            DriveCondition::ExclusiveAccess { .. } => "exclusive_access",
            DriveCondition::ReadCache { .. } => "read_cache",
        }
    }
}
