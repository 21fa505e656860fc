//! What is on the disc: profile, status, sessions, addresses and space, read from GET
//! CONFIGURATION, READ DISC INFORMATION, READ TRACK INFORMATION and READ CAPACITY.

use mmc_core::cdb::{
    ConfigurationRequest, DiscInformationType, GetConfiguration, Opcode, ReadCapacity,
    ReadDiscInformation, ReadTrackInformation, TrackAddressType,
};
use mmc_core::response::configuration::FeatureCode;
use mmc_core::response::disc_info::{BgFormatStatus, DiscStatus, LastSessionState};
use mmc_core::response::{
    CapacityData as Capacity, Configuration, DiscInformation, TrackInformation,
};
use mmc_core::{Profile, Transport};
use serde::Serialize;

use super::Recorder;
use crate::error::Error;

/// The allocation length of READ DISC INFORMATION when the engine reads all of it (the
/// standard data and the OPC tables after it, MMC-6 6.22.3.1).
pub(crate) const DISC_INFORMATION_ALLOCATION: u16 = 2048;

/// How long a summary waits for a drive that is becoming ready.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The recording state of a disc, as READ DISC INFORMATION reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscState {
    /// Nothing recorded yet (or erased).
    Blank,
    /// Sessions can be added.
    Appendable,
    /// Finalized: nothing more can be recorded (or a pressed disc).
    Complete,
    /// Random-access media reported as "others" (DVD-RAM and some overwritable media).
    Other,
}

impl DiscState {
    /// READ DISC INFORMATION's Disc Status (MMC-6 6.22.3.1.4).
    pub(crate) fn of(status: DiscStatus) -> Self {
        match status {
            DiscStatus::Empty => DiscState::Blank,
            DiscStatus::Incomplete => DiscState::Appendable,
            DiscStatus::Complete => DiscState::Complete,
            _ => DiscState::Other,
        }
    }
}

/// The state of the disc's last session (READ DISC INFORMATION, MMC-6 6.22.3.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// 00b: nothing recorded in it yet (a blank disc, or the session to come on an
    /// appendable one).
    Empty,
    /// 01b: open, with a recorded or an open track in it (a write that stopped before
    /// closing its session).
    Incomplete,
    /// 10b: damaged.
    Damaged,
    /// 11b: closed.
    Complete,
}

/// The disc in a drive, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscSummary {
    /// The current profile's name ("BD-RE").
    pub profile: String,
    /// The current profile's number (0043h).
    pub profile_code: u16,
    pub status: DiscState,
    /// The state of the last session.
    pub last_session: SessionState,
    /// The writable track reports Damage (MMC-6 6.27.3.5: with NWA_V clear, a track that
    /// was not closed properly and cannot be written).
    pub track_damaged: bool,
    /// Closed sessions (READ DISC INFORMATION counts the open or empty last session too).
    pub sessions: u16,
    /// Where the next write goes, when the disc can be written.
    pub next_writable_address: Option<u32>,
    pub free_sectors: u32,
    pub total_sectors: u32,
    pub write_protected: bool,
    pub erasable: bool,
    /// A rewritable disc that must be formatted before it is written (an unformatted DVD+RW
    /// or BD-RE, as sold).
    pub needs_formatting: bool,
    /// A DVD+RW whose background format was started and stopped before the end (BG Format
    /// Status 01b), as a compatibility close mid-format leaves it: the next write resumes it.
    pub background_format_stopped: bool,
    /// An unformatted BD-RE: the user sectors the format a write gives it holds (the
    /// default format's spare areas are outside them), when the drive says.
    pub capacity_once_formatted: Option<u32>,
}

/// GET CONFIGURATION refused as an unknown command (05/20/00 INVALID COMMAND OPERATION CODE):
/// a drive older than MMC-2, which IMAPI reports as
/// E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED rather than the
/// E_FAIL of an unmapped sense.
fn configuration_error(e: Error) -> Error {
    let refused = e.cause().is_some_and(|c| {
        c.opcode == Opcode::GetConfiguration
            && c.sense.is_some_and(|t| {
                t.key == mmc_core::sense::SenseKey::IllegalRequest && t.asc == 0x20 && t.ascq == 0
            })
    });
    if refused {
        Error::GetConfigurationNotSupported
    } else {
        e
    }
}

impl<T: Transport> Recorder<T> {
    /// The disc's profile, state, sessions, addresses and space.
    pub fn disc_summary(&mut self) -> Result<DiscSummary, Error> {
        let config = self.ready_configuration()?;
        let profile = config.current_profile;
        let write_protected = config.is_current(FeatureCode::WriteProtect);
        let info: DiscInformation = self.query(&ReadDiscInformation {
            data_type: DiscInformationType::Standard,
            allocation_length: DISC_INFORMATION_ALLOCATION,
        })?;
        let status = DiscState::of(info.disc_status);
        // The writable track: the single track of overwritable media, the invisible track
        // (FFh) of sequential media (MMC-6 6.27).
        let (address_type, address) = if profile.is_rewritable_random() {
            (TrackAddressType::TrackNumber, 1)
        } else {
            (TrackAddressType::TrackNumber, 0xFF)
        };
        // A formatted DVD+RW or BD-RE reports a complete disc (MMC-6 6.22.3.1.4; libburn
        // ignores the status on these profiles), but its single track stays writable: only a
        // finalized sequential disc has no track to ask about. Skipping the track of an
        // overwritable disc made a formatted BD-RE look unformatted (reformatted at every
        // write) and a DVD+RW with a stopped background format look as small as its
        // formatted part (READ CAPACITY).
        let track: Option<TrackInformation> =
            if status == DiscState::Complete && !profile.is_rewritable_random() {
                None
            } else {
                Some(self.query(&ReadTrackInformation {
                    open: false,
                    address_type,
                    address,
                    allocation_length: 48,
                })?)
            };
        let next_writable_address = track.as_ref().and_then(|t| t.next_writable_address);
        let free_sectors = match (&track, next_writable_address) {
            (Some(t), Some(_)) => t.free_blocks,
            _ => 0,
        };
        let total_sectors = match (&track, next_writable_address) {
            (Some(t), _) if profile.is_rewritable_random() => {
                t.track_start.saturating_add(t.track_size)
            }
            (Some(_), Some(nwa)) => nwa.saturating_add(free_sectors),
            _ => {
                let cap: Capacity = self.query(&ReadCapacity::default())?;
                cap.last_lba.saturating_add(1)
            }
        };
        let needs_formatting = match profile {
            Profile::DvdPlusRw => info.bg_format_status == BgFormatStatus::NotFormatted,
            Profile::BdRe => next_writable_address.is_none(),
            _ => false,
        };
        // The DVD+RW basic format covers the whole disc; a BD-RE's default format sets
        // spare areas aside (READ FORMAT CAPACITIES, MMC-6 6.24). A drive that does not
        // answer leaves it unknown: the write's format step then reports why.
        let capacity_once_formatted = (needs_formatting && profile == Profile::BdRe)
            .then(|| self.default_format(false).ok())
            .flatten()
            .map(|format| format.number_of_blocks);
        Ok(DiscSummary {
            profile: profile.name().to_string(),
            profile_code: profile.to_u16(),
            status,
            last_session: match info.last_session_state {
                LastSessionState::Empty => SessionState::Empty,
                LastSessionState::Incomplete => SessionState::Incomplete,
                LastSessionState::Complete => SessionState::Complete,
                // 10b, and nothing else fits two bits.
                LastSessionState::Damaged | LastSessionState::Unknown(_) => SessionState::Damaged,
            },
            track_damaged: track.as_ref().is_some_and(|t| t.damage),
            sessions: if info.last_session_state == LastSessionState::Complete {
                info.sessions
            } else {
                info.sessions.saturating_sub(1)
            },
            next_writable_address,
            free_sectors,
            total_sectors,
            write_protected,
            erasable: info.erasable || profile.is_rewritable_random(),
            needs_formatting,
            background_format_stopped: profile == Profile::DvdPlusRw
                && info.bg_format_status == BgFormatStatus::Partial,
            capacity_once_formatted,
        })
    }

    /// The current profile and features of a disc once the drive is ready: TEST UNIT READY
    /// first, riding out a unit attention or a disc spinning up for a while, so that no
    /// disc, an upside-down disc and the like are reported as such.
    pub(crate) fn ready_configuration(&mut self) -> Result<Configuration, Error> {
        self.wait_until_ready(READY_WAIT, &mut |_, _| {})?;
        self.query(&GetConfiguration {
            requested_type: ConfigurationRequest::Current,
            starting_feature: 0,
            allocation_length: 4096,
        })
        .map_err(configuration_error)
    }

    /// The current profile alone.
    pub fn current_profile(&mut self) -> Result<Profile, Error> {
        let config: Configuration = self
            .query(&GetConfiguration {
                requested_type: ConfigurationRequest::One,
                starting_feature: 0,
                allocation_length: 512,
            })
            .map_err(configuration_error)?;
        Ok(config.current_profile)
    }

    /// READ DISC INFORMATION's standard 34 bytes (MMC-6 6.22.3.1), no OPC table.
    pub(crate) fn disc_information(&mut self) -> Result<DiscInformation, Error> {
        self.query(&ReadDiscInformation {
            data_type: DiscInformationType::Standard,
            allocation_length: 34,
        })
    }

    /// READ DISC INFORMATION's background format status.
    pub(crate) fn background_format_status(&mut self) -> Result<BgFormatStatus, Error> {
        Ok(self.disc_information()?.bg_format_status)
    }
}
