//! The eraser: IMAPI2's `IDiscFormat2Erase` over any [`Transport`].
//!
//! [`Eraser::erase_media`] blanks a CD-RW or DVD-RW: BLANK with Immed (MMC-6 6.2; blanking
//! type 01h, minimal, for a quick erase, 00h, the whole disc, for a full one), then TEST
//! UNIT READY polls until the drive is ready again, the fraction done read from the sense
//! key specific bytes of its "operation in progress" answers (SPC-4 4.5.2.4.4), with
//! REQUEST SENSE when the poll's own sense carries none. Each poll is reported as
//! DDiscFormat2EraseEvents::Update does: the seconds elapsed and the seconds the erase is
//! expected to take in all. Waits pass on the device's clock (an emulator's virtual clock).

use core::time::Duration;

use mmc_core::cdb::{
    Blank, BlankingType, DiscInformationType, Opcode, PowerCondition, ReadDiscInformation,
    RequestSense, StartStopUnit, TestUnitReady,
};
use mmc_core::response::{DiscInformation, ResponseFormat};
use mmc_core::sense::{Sense, SenseKey, SenseTriple};
use mmc_core::{DataPhase, Profile, Transport};

use super::client_name::validate_client_name;
use super::properties::{MediaPhysicalType, CAPABILITIES_PAGE};
use crate::error::{ApiMisuse, DeviceCause, Error, Phase};
use crate::recorder::{Answer, Recorder, Retry, Timeouts, POLL_INTERVAL};

/// IMAPI gives an erase one hour (E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR).
pub const ERASE_TIME_LIMIT: Duration = Duration::from_secs(3600);

/// READ DISC INFORMATION's standard data (MMC-6 6.22.3.1): the erase reads all of it.
const DISC_INFORMATION_LEN: usize = 34;

/// DDiscFormat2EraseEvents::Update: where an erase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EraseUpdate {
    /// Seconds since BLANK was sent.
    pub elapsed_seconds: u32,
    /// Seconds the whole erase is expected to take: from the medium and the kind of erase
    /// at first, then from the fraction the drive reports done.
    pub expected_seconds: u32,
}

/// How long an erase of a disc of `profile` is expected to take before the drive reports
/// any progress: a minimal blank rewrites the lead-in, PMA and the first track's pregap
/// (about a minute at 4x CD, a little more on DVD-RW); a full blank rewrites the whole disc
/// (an 80-minute CD-RW, 360,000 sectors, at 4x CD's 300 sectors a second; a DVD-RW's
/// 2,298,496 sectors at 2x DVD's 1,352 sectors a second).
pub fn expected_duration(profile: Profile, full: bool) -> Duration {
    let dvd = !profile.is_cd();
    Duration::from_secs(match (dvd, full) {
        (false, false) => 60,
        (true, false) => 90,
        (false, true) => 360_000 / 300,
        (true, true) => 2_298_496 / 1352,
    })
}

/// Media BLANK erases (MMC-6 6.2: CD-RW and DVD-RW, in either recording mode).
fn erased_by_blank(profile: Profile) -> bool {
    matches!(
        profile,
        Profile::CdRw | Profile::DvdRwSequential | Profile::DvdRwRestrictedOverwrite
    )
}

/// IDiscFormat2Erase: a recorder, a client name, FullErase, and EraseMedia.
///
/// ```
/// use discwriter::writer::Eraser;
/// use discwriter::Recorder;
/// use virtdrive::medium::MediumKind;
/// use virtdrive::{DiscFileDrive, DriveConfig};
///
/// let drive = DiscFileDrive::in_memory(MediumKind::CdR80, DriveConfig::default());
/// let mut eraser = Eraser::new();
/// eraser.set_recorder(Recorder::open(drive)?);
/// eraser.set_client_name("example")?;
/// // A CD-R is written once: it cannot be erased.
/// let e = eraser.erase_media(&mut |_| {}).unwrap_err();
/// assert_eq!(e.imapi_name(), "E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE");
/// # Ok::<(), discwriter::Error>(())
/// ```
#[derive(Debug)]
pub struct Eraser<T: Transport> {
    recorder: Option<Recorder<T>>,
    client_name: Option<String>,
    full_erase: bool,
    timeouts: Timeouts,
}

impl<T: Transport> Default for Eraser<T> {
    fn default() -> Self {
        Eraser::new()
    }
}

impl<T: Transport> Eraser<T> {
    /// An eraser with no recorder, no client name and a quick erase (FullErase false).
    pub fn new() -> Self {
        Eraser {
            recorder: None,
            client_name: None,
            full_erase: false,
            timeouts: Timeouts::default(),
        }
    }

    /// put_Recorder.
    pub fn set_recorder(&mut self, recorder: Recorder<T>) {
        self.recorder = Some(recorder);
    }

    /// get_Recorder.
    pub fn recorder(&self) -> Option<&Recorder<T>> {
        self.recorder.as_ref()
    }

    /// Gives the recorder back.
    pub fn take_recorder(&mut self) -> Option<Recorder<T>> {
        self.recorder.take()
    }

    /// put_ClientName: the name exclusive access is taken under, IMAPI's rule (1 to 63
    /// characters of letters, digits, space and `.,:;_-`).
    pub fn set_client_name(&mut self, name: &str) -> Result<(), Error> {
        validate_client_name(name).map_err(|reason| {
            Error::Api(ApiMisuse::EraseClientNameIsNotValid {
                name: name.to_string(),
                reason,
            })
        })?;
        self.client_name = Some(name.to_string());
        Ok(())
    }

    /// get_ClientName.
    pub fn client_name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }

    /// put_FullErase: true blanks the whole disc (blanking type 00h), false (the default)
    /// only what makes it read as blank (01h, minimal).
    pub fn set_full_erase(&mut self, full: bool) {
        self.full_erase = full;
    }

    /// get_FullErase.
    pub fn full_erase(&self) -> bool {
        self.full_erase
    }

    /// How long commands and waits may take.
    pub fn set_timeouts(&mut self, timeouts: Timeouts) {
        self.timeouts = timeouts;
    }

    fn recorder_mut(&mut self) -> Result<&mut Recorder<T>, Error> {
        self.recorder
            .as_mut()
            .ok_or(Error::Api(ApiMisuse::RecorderRequired))
    }

    /// get_CurrentPhysicalMediaType (the brief's MediaType): the disc in the drive.
    pub fn current_physical_media_type(&mut self) -> Result<MediaPhysicalType, Error> {
        let rec = self.recorder_mut()?;
        Ok(MediaPhysicalType::from_profile(rec.current_profile()?))
    }

    /// IsRecorderSupported: the drive writes CD-RW or DVD-R/-RW (MM Capabilities page 2Ah).
    pub fn is_recorder_supported(&mut self) -> Result<bool, Error> {
        let timeout = self.timeouts.default;
        recorder_erases(self.recorder_mut()?, timeout)
    }

    /// IsCurrentMediaSupported: the disc in the drive is a CD-RW or a DVD-RW.
    pub fn is_current_media_supported(&mut self) -> Result<bool, Error> {
        let rec = self.recorder_mut()?;
        Ok(erased_by_blank(rec.current_profile()?))
    }

    /// EraseMedia: erases the disc in the drive, calling `update` after every poll, and
    /// returns once the drive is ready again. A drive another client holds is
    /// E_IMAPI_ERASE_RECORDER_IN_USE, whichever command found it held.
    pub fn erase_media(&mut self, update: &mut dyn FnMut(EraseUpdate)) -> Result<(), Error> {
        self.erase_held(update).map_err(|e| match e {
            Error::RecorderLocked { owner } => Error::EraseRecorderInUse { owner },
            other => other,
        })
    }

    fn erase_held(&mut self, update: &mut dyn FnMut(EraseUpdate)) -> Result<(), Error> {
        let client = self.client_name.clone().ok_or_else(|| {
            Error::Api(ApiMisuse::EraseClientNameIsNotValid {
                name: String::new(),
                reason: "no client name was set",
            })
        })?;
        let (full, timeouts) = (self.full_erase, self.timeouts);
        let rec = self.recorder_mut()?;
        if !recorder_erases(rec, timeouts.default)? {
            return Err(Error::EraseRecorderNotSupported {
                detail: format!(
                    "{} {} writes neither CD-RW nor DVD-RW (MM Capabilities page 2Ah)",
                    rec.info().vendor,
                    rec.info().product
                ),
            });
        }
        rec.acquire_exclusive(&client)?;
        let result = erase_exclusively(rec, full, &timeouts, update);
        rec.release_exclusive(&client);
        result
    }
}

/// MODE SENSE (10) of page 2Ah: byte 3 bit 1 CD-RW Write, bit 4 DVD-R Write (MMC-3's MM
/// Capabilities page, which DVD-RW writers set too). Fewer than 4 bytes of the page cannot tell.
fn recorder_erases<T: Transport>(rec: &mut Recorder<T>, timeout: Duration) -> Result<bool, Error> {
    let mut buf = [0u8; CAPABILITIES_PAGE.allocation_length as usize];
    let n = rec.command(
        &CAPABILITIES_PAGE,
        DataPhase::In(&mut buf),
        timeout,
        Retry::Once,
    )?;
    let got = buf.get(..n).unwrap_or(&[]);
    // The mode parameter header (10) is 8 bytes, then the block descriptors (SPC-4 7.5).
    let descriptors = got.get(6..8).map_or(0, |b| {
        usize::from(u16::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]))
    });
    let page = got.get(8 + descriptors..).unwrap_or(&[]);
    let Some(&write) = page.get(3) else {
        return Err(Error::EraseModePage2ATooSmall { bytes: page.len() });
    };
    if page.first().map(|b| b & 0x3F) != Some(0x2A) {
        return Err(Error::invalid_response(
            Opcode::ModeSense10,
            "the page returned is not the MM Capabilities page (2Ah)",
        ));
    }
    Ok(write & 0b0001_0010 != 0)
}

/// The steps of EraseMedia once the drive is held: ready, spun up, a disc BLANK erases,
/// then BLANK and its polls with the tray locked.
fn erase_exclusively<T: Transport>(
    rec: &mut Recorder<T>,
    full: bool,
    timeouts: &Timeouts,
    update: &mut dyn FnMut(EraseUpdate),
) -> Result<(), Error> {
    // No disc, an upside-down one, one still becoming ready or being formatted: the
    // general codes, as for any command.
    rec.wait_until_ready(timeouts.becoming_ready, &mut |_, _| {})?;
    spin_up(rec, timeouts)?;
    let profile = rec.current_profile()?;
    check_erasable(rec, profile, timeouts)?;
    rec.lock_tray(true)?;
    let result = blank(rec, profile, full, timeouts, update);
    rec.unlock_tray_after();
    result
}

/// START STOP UNIT with Start (MMC-6 6.40): the disc spinning before BLANK, as IMAPI does.
fn spin_up<T: Transport>(rec: &mut Recorder<T>, timeouts: &Timeouts) -> Result<(), Error> {
    let cdb = StartStopUnit {
        immed: false,
        format_layer_number: 0,
        power_condition: PowerCondition::StartValid,
        format_layer: false,
        load_eject: false,
        start: true,
    };
    match rec.answer(&cdb, DataPhase::None, timeouts.default)? {
        Answer::Good { .. } => Ok(()),
        Answer::Check { triple, .. } => Err(general_or(triple, Opcode::StartStopUnit, |cause| {
            Error::EraseDriveFailedSpinup { cause }
        })),
    }
}

/// The condition every IMAPI method reports with its own code (no disc, upside down,
/// becoming ready, format in progress, busy, write protected); any other sense becomes
/// `specific`.
fn general_or(
    triple: SenseTriple,
    opcode: Opcode,
    specific: impl FnOnce(DeviceCause) -> Error,
) -> Error {
    match Error::from_sense(triple, opcode, Phase::Other) {
        Some(
            e @ (Error::NoMedia { .. }
            | Error::MediaUpsideDown { .. }
            | Error::MediaBecomingReady { .. }
            | Error::MediaFormatInProgress { .. }
            | Error::MediaBusy { .. }
            | Error::MediaWriteProtected { .. }),
        ) => e,
        _ => specific(DeviceCause {
            opcode,
            sense: Some(triple),
        }),
    }
}

/// A CD-RW or DVD-RW whose READ DISC INFORMATION sets Erasable (MMC-6 6.22.3.1); other
/// rewritable media are not erased by BLANK (not supported), write-once and pressed discs
/// not at all (not erasable).
fn check_erasable<T: Transport>(
    rec: &mut Recorder<T>,
    profile: Profile,
    timeouts: &Timeouts,
) -> Result<(), Error> {
    if !erased_by_blank(profile) {
        let detail = format!("the disc is a {}", profile.name());
        return Err(
            if profile.is_rewritable_random() || profile.is_erasable_sequential() {
                Error::EraseMediaIsNotSupported {
                    detail: format!("{detail}, which is formatted or written over instead"),
                }
            } else {
                Error::EraseMediaIsNotErasable {
                    detail: format!("{detail}, which can be written only once"),
                }
            },
        );
    }
    let cdb = ReadDiscInformation {
        data_type: DiscInformationType::Standard,
        allocation_length: DISC_INFORMATION_LEN as u16,
    };
    let mut buf = [0u8; DISC_INFORMATION_LEN];
    let n = rec.command(&cdb, DataPhase::In(&mut buf), timeouts.default, Retry::Once)?;
    let got = buf.get(..n).unwrap_or(&[]);
    if got.len() < DISC_INFORMATION_LEN {
        return Err(Error::EraseDiscInformationTooSmall { bytes: got.len() });
    }
    let info = DiscInformation::parse(got)
        .map_err(|e| Error::invalid_response(Opcode::ReadDiscInformation, e))?;
    if !info.erasable {
        return Err(Error::EraseMediaIsNotErasable {
            detail: format!(
                "the drive reports this {} as not erasable (READ DISC INFORMATION)",
                profile.name()
            ),
        });
    }
    Ok(())
}

/// The device's clock when it has one, else the host's.
enum Clock {
    Device(Duration),
    Host(std::time::Instant),
}

impl Clock {
    fn start<T: Transport>(rec: &Recorder<T>) -> Self {
        match rec.device_time() {
            Some(t) => Clock::Device(t),
            None => Clock::Host(std::time::Instant::now()),
        }
    }

    fn elapsed<T: Transport>(&self, rec: &Recorder<T>) -> Duration {
        match self {
            Clock::Device(t0) => rec.device_time().unwrap_or(*t0).saturating_sub(*t0),
            Clock::Host(t0) => t0.elapsed(),
        }
    }
}

/// A "not ready" that says the erase goes on: becoming ready, format in progress, operation
/// in progress, long write in progress (02/04/01, 04, 07, 08 in SPC-4's ASC and ASCQ
/// assignments). A unit attention (a reset, a medium change report) is heard once and the
/// poll goes on.
fn still_erasing(t: SenseTriple) -> bool {
    (t.key == SenseKey::NotReady && t.asc == 0x04 && matches!(t.ascq, 0x01 | 0x04 | 0x07 | 0x08))
        || (t.key == SenseKey::UnitAttention && matches!(t.asc, 0x28 | 0x29))
}

fn seconds(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

/// BLANK with Immed, then TEST UNIT READY every half second until GOOD.
fn blank<T: Transport>(
    rec: &mut Recorder<T>,
    profile: Profile,
    full: bool,
    timeouts: &Timeouts,
    update: &mut dyn FnMut(EraseUpdate),
) -> Result<(), Error> {
    let cdb = Blank {
        immed: true,
        blanking_type: if full {
            BlankingType::FullDisc
        } else {
            BlankingType::Minimal
        },
        start_address: 0,
    };
    let clock = Clock::start(rec);
    if let Answer::Check { triple, .. } = rec.answer(&cdb, DataPhase::None, timeouts.immediate)? {
        return Err(general_or(triple, Opcode::Blank, |cause| {
            Error::EraseDriveFailedEraseCommand { cause }
        }));
    }
    let mut expected = expected_duration(profile, full);
    update(EraseUpdate {
        elapsed_seconds: 0,
        expected_seconds: seconds(expected),
    });
    loop {
        rec.pause(POLL_INTERVAL);
        let elapsed = clock.elapsed(rec);
        let answer = rec.answer(&TestUnitReady, DataPhase::None, timeouts.default)?;
        let (triple, progress) = match answer {
            Answer::Good { .. } => {
                update(EraseUpdate {
                    elapsed_seconds: seconds(elapsed),
                    expected_seconds: seconds(elapsed),
                });
                return Ok(());
            }
            Answer::Check {
                triple, progress, ..
            } => (triple, progress),
        };
        if !still_erasing(triple) {
            return Err(Error::EraseUnexpectedDriveResponse {
                cause: DeviceCause {
                    opcode: Opcode::TestUnitReady,
                    sense: Some(triple),
                },
            });
        }
        if elapsed > ERASE_TIME_LIMIT {
            return Err(Error::EraseTookLongerThanOneHour {
                elapsed_seconds: elapsed.as_secs(),
            });
        }
        let progress = match progress {
            Some(p) => Some(p),
            None if triple.key == SenseKey::NotReady => polled_progress(rec, timeouts),
            None => None,
        };
        // The drive's fraction done refines the estimate: elapsed / fraction in all.
        if let Some(p) = progress.filter(|p| *p > 0.0 && *p <= 1.0) {
            expected = elapsed.div_f64(p).max(elapsed);
        }
        update(EraseUpdate {
            elapsed_seconds: seconds(elapsed),
            expected_seconds: seconds(expected.max(elapsed)),
        });
    }
}

/// REQUEST SENSE while the drive works: its progress indication (MMC-6 6.2.2: the drive
/// reports the progress of an Immed BLANK to REQUEST SENSE), when it gives one.
fn polled_progress<T: Transport>(rec: &mut Recorder<T>, timeouts: &Timeouts) -> Option<f64> {
    let cdb = RequestSense {
        descriptor_format: false,
        allocation_length: 18,
    };
    let mut buf = [0u8; 18];
    match rec.answer(&cdb, DataPhase::In(&mut buf), timeouts.default) {
        Ok(Answer::Good { transferred }) => Sense::parse(buf.get(..transferred)?)
            .ok()
            .and_then(|s| s.progress()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
