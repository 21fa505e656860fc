//! The write planner: what one write does, decided from the disc summary, the options, the
//! stream's length and the block ranges, with no drive. A [`WritePlan`] is data: the medium
//! class, where the data goes and what bounds it, the speed and the format to set up, and,
//! once the data phase has ended, the [`Closing`] steps (finalize, or the salvage after a
//! failure). The executor (`job.rs`) runs it against a recorder.

use mmc_core::cdb::{CloseFunction, LayerBoundary, Opcode};
use mmc_core::params::FormatDescriptor;
use mmc_core::{ImapiCode, Profile};

use super::blank::Contents;
use super::{BlockRange, SpeedRequest, WriteOptions, WriteOutcome};
use crate::error::{ApiMisuse, DeviceCause, Error};
pub(crate) use crate::recorder::PageWrite;
use crate::recorder::{transfer_sectors, DiscState, DiscSummary, SessionState, SECTOR};

mod closing;
mod medium;
mod restricted;
mod setup;

pub use medium::free_sectors_for_stream;
use medium::leaves_no_room_for_another_session;
pub(crate) use medium::{next_session_is_final, MediumClass};
pub(crate) use restricted::LeadOut;

/// The post-gap IMAPI appends to a CD data track (Orange Book: 2 seconds). The track's two
/// run-out blocks (MMC-6 4.2.3.7) are not the writer's to count: the Free Blocks a drive
/// reports for the invisible track already leave them out.
pub(crate) const CD_POSTGAP: u64 = 150;

/// The medium's ECC block in sectors (MMC-6 4.5: 16 on DVD, 32 on BD; 1 on CD), the unit
/// transfers are kept to when the path to the drive takes less than 64 KiB.
pub(crate) fn ecc_block(profile: Profile) -> u32 {
    if profile.is_bd() {
        32
    } else if profile.is_cd() {
        1
    } else {
        16
    }
}

/// The fastest kB/s that is still `sectors_per_second` (CD counts raw 2352-byte frames, as
/// SET CD SPEED does): the inverse of the sectors a second SupportedWriteSpeeds gives for a
/// kB/s figure (rounded down), so that each listed speed asks the drive for itself. 8x CD is
/// 1411 kB/s, listed as 599 sectors a second; 599 x 2.352 would ask for 1408 kB/s, which a
/// drive rounds down to 4x.
fn kbps_for(profile: Profile, sectors_per_second: i32) -> Option<u32> {
    if sectors_per_second < 0 {
        return None;
    }
    let bytes = i64::from(profile.speed_sector_bytes());
    let next = (i64::from(sectors_per_second) + 1) * bytes;
    let kbps = (next + 999) / 1000 - 1;
    Some(kbps.clamp(1, i64::from(u32::MAX)) as u32)
}

/// The sectors of a stream of `length` bytes (`None`: read to its end), checked with the
/// block ranges before the drive is touched, as IMAPI checks its arguments first.
pub(crate) fn stream_sectors(
    length: Option<u64>,
    ranges: Option<&[BlockRange]>,
) -> Result<Option<u64>, Error> {
    if let Some(length) = length {
        if length % SECTOR as u64 != 0 {
            return Err(Error::Api(ApiMisuse::StreamNotSupported { bytes: length }));
        }
    }
    let sectors = length.map(|l| l / SECTOR as u64);
    if let Some(ranges) = ranges {
        let Some(sectors) = sectors else {
            return Err(Error::Api(ApiMisuse::StreamLengthRequired {
                needs: "a block range list is checked against the stream",
            }));
        };
        for r in ranges {
            if r.start_lba > r.end_lba || r.end_lba >= sectors {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "block range {}..={} is outside the {sectors}-sector stream",
                    r.start_lba, r.end_lba
                ))));
            }
        }
    }
    Ok(sectors)
}

/// What the planner takes from the drive's side: the speed asked for, the path's transfer
/// limit, and whether an overwritable disc that does not read as blank holds data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DriveFacts {
    pub(crate) speed: SpeedRequest,
    pub(crate) max_transfer_bytes: Option<usize>,
    /// The answer to [`WritePlan::blank_check`], what the first and last 2 MB hold. Not
    /// checked counts as holding data.
    pub(crate) holds_data: Option<Contents>,
    /// DVD-R: whether feature 0021h Incremental Streaming Writable is current, when the
    /// drive says.
    pub(crate) incremental_streaming: Option<bool>,
    /// BD-R: feature 0038h BD-R Pseudo-Overwrite is current (a disc formatted for POW).
    pub(crate) pseudo_overwrite: bool,
    /// The drive records WRITE (12) with the Streaming bit (feature 0107h, SW), or was not
    /// asked; a write without defect management uses it only then.
    pub(crate) stream_writing: bool,
    /// A blank DVD+R DL: its layer boundary (READ DISC STRUCTURE format 20h).
    pub(crate) layer_boundary: Option<LayerBoundary>,
    /// A DVD-RW in Restricted Overwrite: where its lead-out is (READ FORMAT CAPACITIES).
    pub(crate) lead_out: Option<LeadOut>,
}

/// SET CD SPEED or SET STREAMING, as a write or SetWriteSpeed sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SpeedSetting {
    pub(crate) cd: bool,
    /// `None`: the fastest.
    pub(crate) kbps: Option<u32>,
    pub(crate) pure_cav: bool,
    /// The last LBA of the disc, the end of the SET STREAMING range.
    pub(crate) end_lba: u32,
}

impl SpeedSetting {
    /// The setting that asks for `request` on the disc `disc` describes.
    pub(crate) fn new(disc: &DiscSummary, request: SpeedRequest) -> Self {
        let profile = Profile::from_u16(disc.profile_code);
        SpeedSetting {
            cd: profile.is_cd(),
            kbps: kbps_for(profile, request.sectors_per_second),
            pure_cav: request.pure_cav,
            end_lba: disc.total_sectors.saturating_sub(1),
        }
    }

    /// S_OK, or the success code that says what the drive adjusted, given the write speed
    /// (kB/s) and pure-CAV rotation it reports having selected: a speed more than 1 % off
    /// the request, or CLV where pure CAV was asked for. A drive that reports nothing
    /// adjusted nothing.
    pub(crate) fn outcome_code(&self, current: Option<(u32, bool)>) -> ImapiCode {
        let Some((kbps, cav)) = current else {
            return ImapiCode::Ok;
        };
        let speed = self.kbps.is_some_and(|r| r.abs_diff(kbps) * 100 > r);
        let rotation = self.pure_cav && !cav;
        ImapiCode::adjusted(speed, rotation)
    }
}

/// The format a write runs first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatStep {
    /// An unformatted DVD+RW: the basic background format (26h); the data follows at once.
    DvdPlusRwBackground,
    /// A DVD+RW whose background format was stopped: restarted (26h with Restart, MMC-6
    /// 6.5.4.2.14), as growisofs and libburn do, so that it finishes while and after this
    /// write.
    DvdPlusRwRestart,
    /// An unformatted BD-RE: the format READ FORMAT CAPACITIES offers, waited for.
    Default,
    /// A DVD-RW in Restricted Overwrite whose lead-out the write passes: quick grow the
    /// last session (13h, ECC block size; MMC-6 6.5.4.2.8), waited for, as growisofs does.
    DvdRwQuickGrow,
}

impl FormatStep {
    /// The FORMAT UNIT descriptor, `None` for the one READ FORMAT CAPACITIES offers.
    pub(crate) fn descriptor(self) -> Option<FormatDescriptor> {
        match self {
            FormatStep::DvdPlusRwBackground => Some(FormatDescriptor::dvd_plus_rw_basic(false)),
            FormatStep::DvdPlusRwRestart => Some(FormatDescriptor::dvd_plus_rw_basic(true)),
            FormatStep::Default => None,
            FormatStep::DvdRwQuickGrow => Some(FormatDescriptor {
                number_of_blocks: 0,
                format_type: mmc_core::cdb::FormatType::DvdRwQuickGrowLastSession,
                format_subtype: 0,
                type_dependent: 16,
            }),
        }
    }
}

/// One drive-side step of the closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Zeros at `lba` (the CD post-gap after the data).
    WriteZeros { lba: i64, sectors: u64 },
    /// MODE SELECT of page 05h for a data track written as `write` says; `keep_open` sets
    /// the multi-session field.
    WriteParameters {
        write: PageWrite,
        keep_open: bool,
        bufe: bool,
    },
    /// SYNCHRONIZE CACHE with Immed, waited for.
    Synchronize,
    /// CLOSE TRACK of the track this write recorded.
    CloseTrack,
    /// CLOSE TRACK/SESSION with this function, track 0.
    Close(CloseFunction),
}

/// What a failed step does to the rest of the closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnError {
    /// The closing stops and the write fails with this error.
    Fail,
    /// The closing stops; the write's own error is the one reported.
    Stop,
    /// The next step runs anyway.
    Continue,
}

/// How the data phase ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataEnd {
    /// Every sector of the stream was sent.
    Complete,
    /// A stream of unknown length ended inside a sector, or went on past the disc's space:
    /// what was written is finalized like a complete write, but never closes the disc.
    Truncated,
    /// The write was cancelled.
    Cancelled,
    /// The drive failed (a write error, a reset, a disc change, a timeout): what it
    /// acknowledged is not trusted.
    DriveFailed,
    /// The host failed (reading the image): what the drive took is sound.
    HostFailed,
}

impl DataEnd {
    /// How a data phase that returned `result` ended, for a stream of known length or not.
    pub(crate) fn of(result: &Result<(), Error>, length_known: bool) -> Self {
        match result {
            Ok(()) => DataEnd::Complete,
            Err(
                Error::Api(ApiMisuse::StreamNotSupported { .. })
                | Error::StreamTooLargeForCurrentMedia { .. },
            ) if !length_known => DataEnd::Truncated,
            Err(Error::RequestCancelled { .. }) => DataEnd::Cancelled,
            // Errors without a device cause are the host's.
            Err(
                Error::Fail { cause: None, .. }
                | Error::OutOfMemory(_)
                | Error::Api(ApiMisuse::InvalidArg(_)),
            ) => DataEnd::HostFailed,
            Err(_) => DataEnd::DriveFailed,
        }
    }
}

/// The steps after the data phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Closing {
    /// A finalization, announced with progress events (after a complete, truncated or
    /// cancelled write); otherwise a silent salvage after a failure.
    pub(crate) finalize: bool,
    pub(crate) steps: Vec<(Step, OnError)>,
}

/// One write, decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WritePlan {
    pub(crate) profile: Profile,
    pub(crate) class: MediumClass,
    /// Sectors of the stream, when its length is known.
    pub(crate) sectors: Option<u64>,
    pub(crate) start_lba: i64,
    /// Sectors per WRITE: 64 KiB, or what the path to the drive takes, in whole ECC blocks.
    pub(crate) chunk: u64,
    /// Every WRITE covers whole units of this many sectors, the last one padded with zeros:
    /// 16 on a DVD-RW in restricted overwrite, which is written in whole ECC blocks (MMC-6
    /// feature 002Ch, Rigid Restricted Overwrite), as growisofs pads it; 1 elsewhere.
    pub(crate) pad_to: u64,
    /// The most sectors of the stream the disc takes (after what the medium adds).
    pub(crate) limit: u64,
    /// Sectors the medium adds after the data (CD post-gap and run-out).
    pub(crate) overhead: u64,
    pub(crate) free: u64,
    pub(crate) total: u64,
    pub(crate) speed: SpeedSetting,
    /// CD: page 05h before the data, with the multi-session field the close rule gives for a
    /// stream of known length (a stream read to its end keeps the disc open until it ends).
    pub(crate) write_parameters: Option<Step>,
    pub(crate) format: Option<FormatStep>,
    /// Write-once media: power calibration (SEND OPC INFORMATION) before the data, then the
    /// track opened: the layer break, the invisible track's number and next writable
    /// address, and the reservation.
    pub(crate) write_once: bool,
    /// DVD+R DL and DVD-R DL: the capacity of layer 0 sent with SEND DISC STRUCTURE format 20h (MMC-5
    /// 6.33) before anything is written.
    pub(crate) layer_break: Option<u32>,
    /// DVD-R Disc-at-Once: the sectors RESERVE TRACK reserves (MMC-5 6.31) before the data,
    /// the stream's own as growisofs reserves them (the drive rounds up to its ECC block).
    pub(crate) reserve: Option<u32>,
    /// BD-R POW: the write goes from LBA 0 over recorded sectors, and the stream's sectors
    /// from this one on (the disc's next writable address) are appended.
    pub(crate) pseudo_overwrite: Option<u64>,
    /// WRITE (12) with the Streaming bit (MMC-5 6.45): a BD with spare areas recorded
    /// without the drive's verify-after-write, as the caller asked.
    pub(crate) streaming: bool,
    /// DVD-R recorded Disc-at-Once.
    dao: bool,
    /// A DVD-RW in Restricted Overwrite left without a lead-out (intermediate, or grown by
    /// this write): CLOSE SESSION records it after the data.
    records_lead_out: bool,
    /// Page 05h's multi-session field as set before the data: the disc is closed at CLOSE
    /// SESSION only when a stream of known length was expected to close it (measured on the
    /// disc as the summary gave it).
    page_keeps_open: bool,
    postgap_in_image: bool,
    force_close: bool,
    /// DisableConsumerDvdCompatibilityMode: no DVD+RW compatibility stop of the background
    /// format, and on DVD+R no compatible close of the disc after every write.
    dvd_compatibility_disabled: bool,
    bufe: bool,
    /// Sessions closed before this write (the lead-out after this one is the first's on CD).
    closed_sessions: u16,
}

impl WritePlan {
    /// Whether the planner needs to know if an overwritable disc holds data (its first and
    /// last 2 MB, IMAPI's MediaHeuristicallyBlank), and the sectors per READ of that check.
    pub(crate) fn blank_check(
        disc: &DiscSummary,
        options: &WriteOptions,
        ranges: Option<&[BlockRange]>,
        max_transfer_bytes: Option<usize>,
    ) -> Option<u64> {
        let profile = Profile::from_u16(disc.profile_code);
        let overwritable = !MediumClass::of(profile)?.write_once();
        let needed = overwritable
            && !disc.write_protected
            && ranges.is_none()
            && !options.force_overwrite
            && disc.status != DiscState::Blank;
        needed.then(|| u64::from(transfer_sectors(max_transfer_bytes, ecc_block(profile))))
    }

    /// Plans a write of `sectors` sectors (`None`: read to its end) with `options`, onto the
    /// disc `disc` describes; `ranges` limits it to those sectors of the stream.
    pub(crate) fn new(
        disc: &DiscSummary,
        options: &WriteOptions,
        sectors: Option<u64>,
        ranges: Option<&[BlockRange]>,
        drive: &DriveFacts,
    ) -> Result<Self, Error> {
        let profile = Profile::from_u16(disc.profile_code);
        let class = MediumClass::of(profile).ok_or_else(|| Error::MediaIsNotSupported {
            detail: format!("{} discs are not written by this writer", disc.profile),
        })?;
        if disc.write_protected {
            return Err(Error::MediaWriteProtected {
                cause: DeviceCause {
                    opcode: Opcode::GetConfiguration,
                    sense: None,
                },
            });
        }
        let chunk = u64::from(transfer_sectors(
            drive.max_transfer_bytes,
            ecc_block(profile),
        ));
        let total = u64::from(disc.total_sectors);
        let pseudo_overwrite = if class.write_once() {
            setup::pseudo_overwrite(disc, options, ranges, drive)?
        } else {
            None
        };
        let (start_lba, overhead, free) = if let Some(nwa) = pseudo_overwrite {
            // From LBA 0 to as far as the drive can append.
            (0, 0, nwa + u64::from(disc.free_sectors))
        } else if class.write_once() {
            // A block range list skips sectors, which write-once media cannot do: the drive
            // only accepts the next writable address (05/21/02 otherwise).
            if ranges.is_some() {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "a block range list needs rewritable media; {} discs are written session by session",
                    disc.profile
                ))));
            }
            if disc.status == DiscState::Complete {
                return Err(Error::InvalidMediaState {
                    detail: "the disc is finalized; nothing more can be recorded".into(),
                });
            }
            // A damaged session has no next writable address (MMC-6 6.27.3.5).
            if disc.last_session == SessionState::Damaged || disc.track_damaged {
                return Err(Error::InvalidMediaState {
                    detail: "the last session is damaged; nothing more can be recorded".into(),
                });
            }
            let nwa = disc
                .next_writable_address
                .ok_or_else(|| Error::InvalidMediaState {
                    detail: "the drive reports no next writable address".into(),
                })?;
            let overhead = match (class, options.postgap_already_in_image) {
                (MediumClass::Cd, false) => CD_POSTGAP,
                _ => 0,
            };
            (i64::from(nwa), overhead, u64::from(disc.free_sectors))
        } else {
            if WritePlan::blank_check(disc, options, ranges, drive.max_transfer_bytes).is_some() {
                match &drive.holds_data {
                    Some(Contents::Blank) => {}
                    Some(found) => {
                        return Err(Error::MediaNotBlank {
                            found: found.to_string(),
                        })
                    }
                    None => {
                        return Err(Error::MediaNotBlank {
                            found: "it was not checked for data".into(),
                        })
                    }
                }
            }
            // The whole disc, as the write's format leaves an unformatted one, or a
            // Restricted Overwrite disc up to where a quick grow takes its lead-out.
            let free = u64::from(free_sectors_for_stream(disc, false));
            (0, 0, drive.lead_out.and_then(LeadOut::room).unwrap_or(free))
        };
        let (quick_grow, records_lead_out) = match drive.lead_out {
            Some(lead_out) if profile == Profile::DvdRwRestrictedOverwrite => {
                lead_out.steps(sectors)
            }
            _ => (false, false),
        };
        let format = if quick_grow {
            Some(FormatStep::DvdRwQuickGrow)
        } else if disc.needs_formatting {
            Some(match class {
                MediumClass::Overwritable { dvd_plus_rw: true } => FormatStep::DvdPlusRwBackground,
                _ => FormatStep::Default,
            })
        } else if disc.background_format_stopped {
            Some(FormatStep::DvdPlusRwRestart)
        } else {
            None
        };
        let bufe = !options.buffer_underrun_free_disabled;
        let dao = match class {
            MediumClass::DvdDashR { dual_layer } => setup::disc_at_once(dual_layer, drive),
            _ => false,
        };
        if dao {
            setup::check_disc_at_once(disc, sectors)?;
        }
        let mut plan = WritePlan {
            profile,
            class,
            sectors,
            start_lba,
            chunk,
            pad_to: if profile == Profile::DvdRwRestrictedOverwrite {
                u64::from(ecc_block(profile))
            } else {
                1
            },
            limit: free.saturating_sub(overhead),
            overhead,
            free,
            total,
            speed: SpeedSetting::new(disc, drive.speed),
            write_parameters: None,
            page_keeps_open: true,
            format,
            write_once: class.write_once(),
            layer_break: setup::layer_break(disc, sectors, drive.layer_boundary),
            reserve: None,
            pseudo_overwrite,
            streaming: setup::streams(profile, options, drive),
            dao,
            records_lead_out,
            postgap_in_image: options.postgap_already_in_image,
            force_close: options.force_media_to_be_closed,
            dvd_compatibility_disabled: options.disable_consumer_dvd_compatibility_mode,
            bufe,
            closed_sessions: disc.sessions,
        };
        plan.check_fits()?;
        let planned_close = class.write_once() && plan.closes_disc(sectors.unwrap_or(0));
        plan.page_keeps_open = !(sectors.is_some() && planned_close);
        if let Some(write) = plan.page_write() {
            plan.write_parameters = Some(Step::WriteParameters {
                write,
                keep_open: plan.page_keeps_open,
                bufe,
            });
        }
        if dao {
            plan.reserve = sectors.and_then(|s| u32::try_from(s).ok());
        }
        Ok(plan)
    }

    /// How page 05h shapes this write, `None` on media it does not steer.
    fn page_write(&self) -> Option<PageWrite> {
        match self.class {
            MediumClass::Cd => Some(PageWrite::CdTrackAtOnce),
            MediumClass::DvdDashR { .. } if self.dao => Some(PageWrite::DvdDiscAtOnce),
            MediumClass::DvdDashR { .. } => Some(PageWrite::DvdIncremental),
            _ => None,
        }
    }

    /// Sectors of a write of `sectors` that the disc gets anew: on a pseudo-overwrite only
    /// those past the recorded ones.
    fn appended(&self, sectors: u64) -> u64 {
        sectors.saturating_sub(self.pseudo_overwrite.unwrap_or(0))
    }

    fn check_fits(&self) -> Result<(), Error> {
        match self.sectors {
            Some(sectors) if sectors > self.limit => Err(Error::StreamTooLargeForCurrentMedia {
                needed: Some(sectors),
                free: self.limit,
            }),
            _ => Ok(()),
        }
    }

    /// The user sectors of the format the write chose for an unformatted disc (its spare
    /// areas may differ from the default's the plan was measured against): the stream must
    /// fit them, checked before FORMAT UNIT is sent.
    pub(crate) fn formatted(&mut self, blocks: u32) -> Result<(), Error> {
        self.free = u64::from(blocks);
        self.limit = self.free.saturating_sub(self.overhead);
        self.check_fits()
    }

    /// The next writable address and free blocks the drive gives once the write parameters
    /// are set (on CD they depend on the write type and the track's pre-gap, MMC-6
    /// 6.27.3.9): the data goes there. Whether the start moved.
    pub(crate) fn relocate(&mut self, nwa: u32, free_blocks: u32) -> Result<bool, Error> {
        // A pseudo-overwrite starts at LBA 0 and reaches the next writable address later.
        if i64::from(nwa) == self.start_lba || self.pseudo_overwrite.is_some() {
            return Ok(false);
        }
        tracing::debug!(target: "discwriter::write", "next writable address {nwa} once the write parameters are set (was {})", self.start_lba);
        self.start_lba = i64::from(nwa);
        self.free = u64::from(free_blocks);
        self.limit = self.free.saturating_sub(self.overhead);
        self.check_fits()?;
        Ok(true)
    }

    /// The outcome of a complete write of `written` sectors, given the speed and rotation the
    /// drive reports having selected, the seconds the write took and the disc state READ
    /// DISC INFORMATION gave after it (write-once media): a drive that completed the disc
    /// on its own (no room, or no session or track number left for another) is believed
    /// over the plan.
    pub(crate) fn outcome(
        &self,
        written: u64,
        current: Option<(u32, bool)>,
        elapsed_time: f64,
        state_after: Option<DiscState>,
    ) -> WriteOutcome {
        let disc_closed = match state_after {
            Some(state) if self.class.write_once() => state == DiscState::Complete,
            _ => self.disc_closed(DataEnd::Complete, written),
        };
        WriteOutcome {
            code: self.outcome_code(current),
            start_lba: self.start_lba,
            sectors: written,
            disc_closed,
            elapsed_time,
            data: None,
        }
    }

    /// S_OK, or the success code that says what the drive adjusted ([`SpeedSetting::outcome_code`]).
    pub(crate) fn outcome_code(&self, current: Option<(u32, bool)>) -> ImapiCode {
        self.speed.outcome_code(current)
    }
}

#[cfg(test)]
mod erasable_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_once_tests;
