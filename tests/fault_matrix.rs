//! The fault matrix: every code IMAPI2's Write documents that a drive or a transport can
//! cause, raised by a fault plan (fixtures/fault-plans/matrix/) while validating the medium,
//! in the middle of writing and while finalizing, on CD-R, CD-RW, DVD+R, BD-R, DVD+RW, BD-RE,
//! DVD-R, DVD-R DL, DVD+R DL, BD-R DL, BD-R XL (three and four layers), DVD-RW (blank:
//! Sequential recording), DVD-RAM, BD-RE DL and BD-RE XL where it applies; and every code
//! IDiscFormat2Erase's EraseMedia documents that a drive can cause,
//! while erasing a CD-RW.
//!
//! Each row says which error `DataWriter::write` must return (variant, HRESULT typed in from
//! the table, the command it names) and what the disc must hold afterwards, checked by reading
//! it back through the drive. Then the disc must still be usable: a write-once disc is not
//! closed and takes a new write at its next writable address, a rewritable one is written
//! over; a DVD-R DL, written Disc-at-Once in one session, takes a new write only if nothing
//! was recorded, and otherwise refuses it before anything is sent. An erase row says which
//! error `Eraser::erase_media` must return and whether the drive took BLANK (the disc then
//! reads as blank) or not (its session still reads back); then the disc must be erased and
//! written again. Every (row, medium) runs even when another fails, and the failures are
//! listed together at the end. docs/fault-matrix.md is the same table for readers.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use common::*;
use discwriter::writer::{Eraser, Timeouts};
use discwriter::{DiscState, Error, Recorder, VerificationLevel, WriteAction, WriteOptions};
use mmc_core::cdb::{CdbRepr, TestUnitReady};
use mmc_core::trace::{TraceRecord, Tracing};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::{DriveCondition, FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscCondition, DriveConfig, EmulatedDrive};

/// The image every row writes: 320 sectors (more than the 300 of the shortest CD track).
const SECTORS: u64 = 320;
/// The mid-write rows fail the WRITE (10) that reaches this LBA.
const FAULT_LBA: i64 = 160;

const CD_RW: MediumKind = MediumKind::CdRw80;
const DVD_PLUS_R: MediumKind = MediumKind::DvdPlusR;
const BD_R: MediumKind = MediumKind::BdR;
const DVD_R: MediumKind = MediumKind::DvdR;
const DVD_R_DL: MediumKind = MediumKind::DvdRDl;
const DVD_PLUS_R_DL: MediumKind = MediumKind::DvdPlusRDl;
const BD_R_DL: MediumKind = MediumKind::BdRDl;
const BD_R_XL: MediumKind = MediumKind::BdRXl;
const BD_R_XL4: MediumKind = MediumKind::BdRXl4;
/// Blank, so in Sequential recording (0014h): written as a DVD-R is, incrementally.
const DVD_RW: MediumKind = MediumKind::DvdRw;
/// Formatted as sold, written in place under the drive's defect management.
const DVD_RAM: MediumKind = MediumKind::DvdRam;
/// Unformatted: the write formats them with the default spare areas first.
const BD_RE_DL: MediumKind = MediumKind::BdReDl;
const BD_RE_XL: MediumKind = MediumKind::BdReXl;

const ALL: &[MediumKind] = &[
    CD_R,
    CD_RW,
    DVD_PLUS_R,
    BD_R,
    DVD_PLUS_RW,
    BD_RE,
    DVD_R,
    DVD_R_DL,
    DVD_PLUS_R_DL,
    BD_R_DL,
    BD_R_XL,
    BD_R_XL4,
    DVD_RW,
    DVD_RAM,
    BD_RE_DL,
    BD_RE_XL,
];
/// Page 05h and its MODE SENSE/SELECT, and OPC before writing.
const PAGE_05H: &[MediumKind] = &[CD_R, CD_RW, DVD_R, DVD_R_DL, DVD_RW];
/// The CD post-gap and a real buffer underrun.
const CD: &[MediumKind] = &[CD_R, CD_RW];
/// Media whose write ends with CLOSE TRACK/SESSION (BD-RE needs none, and a DVD-R DL
/// written Disc-at-Once is closed by the drive after SYNCHRONIZE CACHE).
const CLOSING: &[MediumKind] = &[
    CD_R,
    CD_RW,
    DVD_PLUS_R,
    BD_R,
    DVD_PLUS_RW,
    DVD_R,
    DVD_PLUS_R_DL,
    BD_R_DL,
    BD_R_XL,
    BD_R_XL4,
    DVD_RW,
];
const REWRITABLE: &[MediumKind] = &[DVD_PLUS_RW, BD_RE, DVD_RAM, BD_RE_DL, BD_RE_XL];
/// The medium whose layer boundary the engine reads before writing (READ DISC STRUCTURE 20h).
const LAYER_BOUNDARY: &[MediumKind] = &[DVD_PLUS_R_DL];
/// Media recorded session by session (a CD-RW as a CD-R until it is erased, a DVD-RW in
/// Sequential recording).
const WRITE_ONCE: &[MediumKind] = &[
    CD_R,
    CD_RW,
    DVD_PLUS_R,
    BD_R,
    DVD_R,
    DVD_R_DL,
    DVD_PLUS_R_DL,
    BD_R_DL,
    BD_R_XL,
    BD_R_XL4,
    DVD_RW,
];

// Opcodes the errors name (MMC-6).
const TEST_UNIT_READY: u8 = 0x00;
const READ_10: u8 = 0x28;
const WRITE_10: u8 = 0x2A;
const SYNCHRONIZE_CACHE: u8 = 0x35;
const GET_CONFIGURATION: u8 = 0x46;
const READ_DISC_STRUCTURE: u8 = 0xAD;
const SEND_DISC_STRUCTURE: u8 = 0xBF;
const READ_DISC_INFORMATION: u8 = 0x51;
const SEND_OPC_INFORMATION: u8 = 0x54;
const MODE_SELECT_10: u8 = 0x55;
const MODE_SENSE_10: u8 = 0x5A;
const CLOSE_TRACK_SESSION: u8 = 0x5B;
const FORMAT_UNIT: u8 = 0x04;

/// Where the write was when the fault struck, told by the last progress event before
/// COMPLETED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the first step: taking exclusive access (no event yet).
    Opening,
    /// VALIDATING_MEDIA.
    Validating,
    /// INITIALIZING_HARDWARE, CALIBRATING_POWER (still before any data).
    Preparing,
    /// WRITING_DATA.
    Writing,
    /// FINALIZATION (post-gap, SYNCHRONIZE CACHE, CLOSE TRACK/SESSION).
    Finalizing,
    /// VERIFYING.
    Verifying,
}

impl Phase {
    fn actions(self) -> &'static [WriteAction] {
        match self {
            Phase::Opening => &[],
            Phase::Validating => &[WriteAction::ValidatingMedia],
            Phase::Preparing => &[
                WriteAction::InitializingHardware,
                WriteAction::CalibratingPower,
            ],
            Phase::Writing => &[WriteAction::WritingData],
            Phase::Finalizing => &[WriteAction::Finalization],
            Phase::Verifying => &[WriteAction::Verifying],
        }
    }
}

/// What the disc holds after the fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disc {
    /// Nothing recorded: no WRITE, CLOSE TRACK/SESSION or FORMAT UNIT reached the drive, and
    /// a write-once disc is still blank.
    Untouched,
    /// The write stopped before LBA `before`: the writer reports the last LBA it sent, below
    /// `before`, and every sector up to it reads back.
    Prefix { before: i64 },
    /// The fault came after the last sector was sent: the whole image reads back.
    Whole,
    /// The drive lost its cache (power loss, unplugged): nothing is claimed about sectors not
    /// yet synchronized; the disc must still be usable once the drive is back.
    CacheLost,
}

/// One row of the matrix.
struct Row {
    code: &'static str,
    hresult: u32,
    variant: fn(&Error) -> bool,
    phase: Phase,
    media: &'static [MediumKind],
    /// A plan in fixtures/fault-plans/ (`None`: the setup makes the fault).
    plan: Option<&'static str>,
    /// The command the error names, when it names one.
    opcode: Option<u8>,
    disc: Disc,
    setup: fn(&mut Handle),
    options: fn(&mut WriteOptions),
}

fn row(
    code: &'static str,
    hresult: u32,
    variant: fn(&Error) -> bool,
    phase: Phase,
    media: &'static [MediumKind],
    plan: &'static str,
) -> Row {
    Row {
        code,
        hresult,
        variant,
        phase,
        media,
        plan: Some(plan),
        opcode: None,
        disc: match phase {
            Phase::Opening | Phase::Validating | Phase::Preparing => Disc::Untouched,
            Phase::Writing => Disc::Prefix { before: FAULT_LBA },
            Phase::Finalizing | Phase::Verifying => Disc::Whole,
        },
        setup: |_| {},
        options: |_| {},
    }
}

impl Row {
    fn names(mut self, opcode: u8) -> Self {
        self.opcode = Some(opcode);
        self
    }
    fn leaves(mut self, disc: Disc) -> Self {
        self.disc = disc;
        self
    }
    fn setup(mut self, f: fn(&mut Handle)) -> Self {
        self.setup = f;
        self
    }
    fn no_plan(mut self) -> Self {
        self.plan = None;
        self
    }
    fn options(mut self, f: fn(&mut WriteOptions)) -> Self {
        self.options = f;
        self
    }
}

// The codes and values, typed in from Microsoft's IMAPI2 error list (imapi2error.h).
const TIMEOUT: (&str, u32) = ("E_IMAPI_RECORDER_COMMAND_TIMEOUT", 0xC0AA_020D);
const INVALID_RESPONSE: (&str, u32) =
    ("E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE", 0xC0AA_02FF);
const UPSIDE_DOWN: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN", 0xC0AA_0204);
const BECOMING_READY: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_BECOMING_READY", 0xC0AA_0205);
const NO_MEDIA: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_NO_MEDIA", 0xC0AA_0202);
const FORMAT_IN_PROGRESS: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS", 0xC0AA_0206);
const BUSY: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_BUSY", 0xC0AA_0207);
const LOSS_OF_STREAMING: (&str, u32) = ("E_IMAPI_LOSS_OF_STREAMING", 0xC0AA_0300);
const INCOMPATIBLE: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE", 0xC0AA_0203);
const NO_SUCH_MODE_PAGE: (&str, u32) = ("E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE", 0xC0AA_0201);
const INVALID_MODE_PARAMETERS: (&str, u32) =
    ("E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS", 0xC0AA_0208);
const WRITE_PROTECTED: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED", 0xC0AA_0209);
const SPEED_MISMATCH: (&str, u32) = ("E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH", 0xC0AA_020F);
const INVALID_HANDLE: (&str, u32) = ("HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)", 0x8007_0006);
const DEV_NOT_EXIST: (&str, u32) = ("HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)", 0x8007_0037);
const LOCKED: (&str, u32) = ("E_IMAPI_RECORDER_LOCKED", 0xC0AA_0210);
const UNEXPECTED: (&str, u32) = ("E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE", 0xC0AA_0301);
const FAIL: (&str, u32) = ("E_FAIL", 0x8000_4005);
const DVD_STRUCTURE_NOT_PRESENT: (&str, u32) =
    ("E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT", 0xC0AA_020E);
const GET_CONFIGURATION_NOT_SUPPORTED: (&str, u32) = (
    "E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED",
    0xC0AA_020C,
);

macro_rules! r {
    ($code:expr, $variant:pat, $phase:expr, $media:expr, $plan:expr) => {
        row(
            $code.0,
            $code.1,
            |e| matches!(e, $variant),
            $phase,
            $media,
            $plan,
        )
    };
}

use Error as E;
use Phase::*;

#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    vec![
        // (a) Opening, validating the medium, preparing the drive: nothing may be recorded.
        r!(TIMEOUT, E::CommandTimeout { .. }, Validating, ALL, "matrix/validating-timeout.json")
            .names(READ_DISC_INFORMATION),
        r!(INVALID_RESPONSE, E::InvalidResponseFromDevice { .. }, Validating, ALL, "matrix/validating-short-disc-information.json")
            .names(READ_DISC_INFORMATION),
        r!(UPSIDE_DOWN, E::MediaUpsideDown { .. }, Validating, ALL, "matrix/validating-upside-down.json")
            .names(TEST_UNIT_READY),
        r!(UPSIDE_DOWN, E::MediaUpsideDown { .. }, Validating, ALL, "matrix/validating-servo-failure.json")
            .names(TEST_UNIT_READY),
        r!(BECOMING_READY, E::MediaBecomingReady { .. }, Validating, ALL, "matrix/validating-becoming-ready.json")
            .names(TEST_UNIT_READY),
        r!(NO_MEDIA, E::NoMedia { .. }, Validating, ALL, "matrix/validating-eject.json")
            .names(TEST_UNIT_READY),
        r!(FORMAT_IN_PROGRESS, E::MediaFormatInProgress { .. }, Validating, ALL, "matrix/validating-format-in-progress.json")
            .names(TEST_UNIT_READY),
        r!(BUSY, E::MediaBusy { .. }, Validating, ALL, "matrix/validating-busy.json")
            .names(TEST_UNIT_READY),
        r!(INCOMPATIBLE, E::MediaIncompatible { .. }, Validating, ALL, "matrix/validating-incompatible.json")
            .names(TEST_UNIT_READY),
        r!(WRITE_PROTECTED, E::MediaWriteProtected { .. }, Validating, ALL, "matrix/validating-write-protect.json")
            .names(GET_CONFIGURATION),
        r!(DEV_NOT_EXIST, E::DeviceNotExist, Validating, ALL, "matrix/validating-device-gone.json"),
        r!(INVALID_HANDLE, E::InvalidHandle, Validating, ALL, "")
            .no_plan().setup(|h| h.close_at = Some((READ_DISC_INFORMATION, 1))),
        // Another program (k3b) holds the drive when the write starts.
        r!(LOCKED, E::RecorderLocked { .. }, Opening, ALL, "")
            .no_plan().setup(|h| h.drive.inner_mut().acquire_exclusive("k3b").unwrap()),
        r!(FAIL, E::Fail { .. }, Validating, ALL, "matrix/validating-unmapped-sense.json")
            .names(READ_DISC_INFORMATION),
        r!(DVD_STRUCTURE_NOT_PRESENT, E::DvdStructureNotPresent { .. }, Validating, LAYER_BOUNDARY, "matrix/validating-layer-boundary-not-present.json")
            .names(READ_DISC_STRUCTURE),
        r!(GET_CONFIGURATION_NOT_SUPPORTED, E::GetConfigurationNotSupported, Validating, ALL, "matrix/validating-get-configuration-invalid-opcode.json"),
        r!(NO_SUCH_MODE_PAGE, E::NoSuchModePage { .. }, Preparing, PAGE_05H, "matrix/preparing-no-mode-page.json")
            .names(MODE_SENSE_10),
        r!(INVALID_MODE_PARAMETERS, E::InvalidModeParameters { .. }, Preparing, PAGE_05H, "matrix/preparing-invalid-mode-parameters.json")
            .names(MODE_SELECT_10),
        r!(SPEED_MISMATCH, E::MediaSpeedMismatch { .. }, Preparing, PAGE_05H, "matrix/preparing-power-calibration.json")
            .names(SEND_OPC_INFORMATION),
        // The disc calibrates only up to 4x: OPC at the fastest speed fails (03/73/03).
        r!(SPEED_MISMATCH, E::MediaSpeedMismatch { .. }, Preparing, PAGE_05H, "")
            .no_plan().setup(|h| h.drive.inner_mut().set_max_calibrated_speed(Some(706)))
            .names(SEND_OPC_INFORMATION),
        // Layer 0 of the blank DVD+R DL set to 160 sectors first, so the 320-sector image
        // spans both layers and the engine sends its layer boundary before the first write.
        r!(TIMEOUT, E::CommandTimeout { .. }, Preparing, LAYER_BOUNDARY, "matrix/preparing-layer-boundary-timeout.json")
            .setup(|h| set_layer0(h.drive.inner_mut(), SECTORS as u32 / 2))
            .names(SEND_DISC_STRUCTURE),

        // (b) In the middle of writing: the WRITE (10) that reaches LBA 160 fails.
        r!(TIMEOUT, E::CommandTimeout { .. }, Writing, ALL, "matrix/writing-timeout.json")
            .names(WRITE_10),
        r!(TIMEOUT, E::CommandTimeout { .. }, Writing, ALL, "matrix/writing-power-loss.json")
            .names(WRITE_10).leaves(Disc::CacheLost),
        r!(UPSIDE_DOWN, E::MediaUpsideDown { .. }, Writing, ALL, "matrix/writing-upside-down.json")
            .names(WRITE_10),
        r!(BECOMING_READY, E::MediaBecomingReady { .. }, Writing, ALL, "matrix/writing-becoming-ready.json")
            .names(WRITE_10),
        r!(NO_MEDIA, E::NoMedia { .. }, Writing, ALL, "matrix/writing-no-medium.json")
            .names(WRITE_10),
        r!(FORMAT_IN_PROGRESS, E::MediaFormatInProgress { .. }, Writing, ALL, "matrix/writing-format-in-progress.json")
            .names(WRITE_10),
        r!(BUSY, E::MediaBusy { .. }, Writing, ALL, "matrix/writing-busy.json")
            .names(WRITE_10),
        r!(LOSS_OF_STREAMING, E::LossOfStreaming { .. }, Writing, ALL, "matrix/writing-loss-of-streaming.json")
            .names(WRITE_10),
        // A real underrun: the host stalls with buffer-underrun-free recording off.
        r!(LOSS_OF_STREAMING, E::LossOfStreaming { .. }, Writing, CD, "matrix/writing-underrun.json")
            .names(WRITE_10).options(|o| o.buffer_underrun_free_disabled = true)
            .leaves(Disc::Prefix { before: SECTORS as i64 }),
        r!(INCOMPATIBLE, E::MediaIncompatible { .. }, Writing, ALL, "matrix/writing-incompatible.json")
            .names(WRITE_10),
        r!(WRITE_PROTECTED, E::MediaWriteProtected { .. }, Writing, ALL, "matrix/writing-write-protect.json")
            .names(WRITE_10),
        r!(SPEED_MISMATCH, E::MediaSpeedMismatch { .. }, Writing, ALL, "matrix/writing-power-calibration.json")
            .names(WRITE_10),
        // DVD+RW and BD-RE calibrate at the first WRITE: it fails, nothing is recorded.
        r!(SPEED_MISMATCH, E::MediaSpeedMismatch { .. }, Writing, REWRITABLE, "")
            .no_plan().setup(|h| h.drive.inner_mut().set_max_calibrated_speed(Some(1)))
            .names(WRITE_10).leaves(Disc::Prefix { before: 0 }),
        r!(DEV_NOT_EXIST, E::DeviceNotExist, Writing, ALL, "matrix/writing-device-gone.json")
            .leaves(Disc::CacheLost),
        r!(INVALID_HANDLE, E::InvalidHandle, Writing, ALL, "")
            .no_plan().setup(|h| h.close_at = Some((WRITE_10, 5)))
            .leaves(Disc::CacheLost),
        // The WRITE that reaches LBA 160 still runs; the next command finds the drive locked.
        r!(LOCKED, E::RecorderLocked { .. }, Writing, ALL, "matrix/writing-exclusive-access.json")
            .leaves(Disc::Prefix { before: SECTORS as i64 }),
        r!(UNEXPECTED, E::UnexpectedResponseFromDevice { .. }, Writing, ALL, "matrix/writing-write-error.json")
            .names(WRITE_10),

        // (c) Finalizing: every sector of the image was sent before the fault.
        r!(TIMEOUT, E::CommandTimeout { .. }, Finalizing, ALL, "matrix/finalizing-timeout.json")
            .names(SYNCHRONIZE_CACHE),
        r!(TIMEOUT, E::CommandTimeout { .. }, Finalizing, ALL, "timeout-on-sync-cache.json")
            .names(SYNCHRONIZE_CACHE),
        r!(TIMEOUT, E::CommandTimeout { .. }, Finalizing, CLOSING, "matrix/finalizing-close-timeout.json")
            .names(CLOSE_TRACK_SESSION),
        // SYNCHRONIZE CACHE made the data durable before the power failed.
        r!(TIMEOUT, E::CommandTimeout { .. }, Finalizing, CLOSING, "matrix/finalizing-close-power-loss.json")
            .names(CLOSE_TRACK_SESSION),
        r!(UPSIDE_DOWN, E::MediaUpsideDown { .. }, Finalizing, ALL, "matrix/finalizing-upside-down.json")
            .names(SYNCHRONIZE_CACHE),
        r!(BECOMING_READY, E::MediaBecomingReady { .. }, Finalizing, ALL, "matrix/finalizing-becoming-ready.json")
            .names(SYNCHRONIZE_CACHE),
        r!(NO_MEDIA, E::NoMedia { .. }, Finalizing, ALL, "matrix/finalizing-eject.json")
            .names(SYNCHRONIZE_CACHE),
        r!(FORMAT_IN_PROGRESS, E::MediaFormatInProgress { .. }, Finalizing, ALL, "matrix/finalizing-format-in-progress.json")
            .names(SYNCHRONIZE_CACHE),
        r!(BUSY, E::MediaBusy { .. }, Finalizing, ALL, "matrix/finalizing-busy.json")
            .names(SYNCHRONIZE_CACHE),
        r!(LOSS_OF_STREAMING, E::LossOfStreaming { .. }, Finalizing, CD, "matrix/finalizing-postgap-loss-of-streaming.json")
            .names(WRITE_10),
        r!(INCOMPATIBLE, E::MediaIncompatible { .. }, Finalizing, ALL, "matrix/finalizing-incompatible.json")
            .names(SYNCHRONIZE_CACHE),
        r!(WRITE_PROTECTED, E::MediaWriteProtected { .. }, Finalizing, CLOSING, "matrix/finalizing-close-write-protect.json")
            .names(CLOSE_TRACK_SESSION),
        r!(WRITE_PROTECTED, E::MediaWriteProtected { .. }, Finalizing, ALL, "matrix/finalizing-sync-write-protect.json")
            .names(SYNCHRONIZE_CACHE),
        r!(DEV_NOT_EXIST, E::DeviceNotExist, Finalizing, ALL, "matrix/finalizing-device-gone.json")
            .leaves(Disc::CacheLost),
        // SYNCHRONIZE CACHE made the data durable before the drive went.
        r!(DEV_NOT_EXIST, E::DeviceNotExist, Finalizing, CLOSING, "device-gone-during-close.json"),
        r!(INVALID_HANDLE, E::InvalidHandle, Finalizing, CLOSING, "")
            .no_plan().setup(|h| h.close_at = Some((CLOSE_TRACK_SESSION, 1))),
        r!(LOCKED, E::RecorderLocked { .. }, Finalizing, ALL, "matrix/finalizing-exclusive-access.json"),
        r!(UNEXPECTED, E::UnexpectedResponseFromDevice { .. }, Finalizing, ALL, "matrix/finalizing-sync-write-error.json")
            .names(SYNCHRONIZE_CACHE),
        r!(UNEXPECTED, E::UnexpectedResponseFromDevice { .. }, Finalizing, CLOSING, "matrix/finalizing-close-fixation-error.json")
            .names(CLOSE_TRACK_SESSION),

        // Verifying, after finalization.
        // ForceOverwrite: no blank check reads the DVD-RAM (formatted, so not blank) before
        // the write, and the first READ (10) is the verification's.
        r!(INVALID_RESPONSE, E::InvalidResponseFromDevice { .. }, Verifying, ALL, "matrix/verifying-short-read.json")
            .names(READ_10).options(|o| o.force_overwrite = true),
    ]
}

/// The operating system's handle on the drive: a test stands in for the OS closing it (the
/// emulator has no fault for that) by naming the command from which every call fails with
/// `TransportError::InvalidHandle`.
#[derive(Debug)]
struct Handle {
    drive: Faulty<EmulatedDrive>,
    /// (opcode, nth): the nth command with that opcode finds the handle closed.
    close_at: Option<(u8, u32)>,
    seen: u32,
    closed: bool,
}

impl Transport for Handle {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        if let Some((opcode, nth)) = self.close_at {
            if cdb.first() == Some(&opcode) {
                self.seen += 1;
                if self.seen == nth {
                    self.closed = true;
                }
            }
        }
        if self.closed {
            return Err(TransportError::InvalidHandle);
        }
        self.drive.execute(cdb, data, timeout)
    }
    fn pause(&mut self, d: Duration) {
        self.drive.pause(d)
    }
    fn device_time(&self) -> Option<Duration> {
        self.drive.device_time()
    }
    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        if self.closed {
            return Err(TransportError::InvalidHandle);
        }
        Transport::acquire_exclusive(&mut self.drive, client)
    }
    fn release_exclusive(&mut self, client: &str) {
        Transport::release_exclusive(&mut self.drive, client)
    }
}

/// Options of every row: full verification, and waits short enough that a drive stuck in a
/// transient state gives up in seconds of test time (the budget is virtual time).
/// Full verification and long waits; DisableConsumerDvdCompatibilityMode, since every row
/// checks that the disc takes the next write, and by default a DVD+R is closed after every
/// complete write (verified or not: verification follows the close), as Microsoft's table
/// says.
fn matrix_options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Full,
        disable_consumer_dvd_compatibility_mode: true,
        timeouts: Timeouts {
            becoming_ready: Duration::from_secs(30),
            long_operation: Duration::from_secs(600),
            ..Timeouts::default()
        },
        ..WriteOptions::default()
    }
}

/// The drive as the user finds it after the fault: the plan gone, the disc back in and the
/// right way up, protection off, other programs done with it. A drive that went away comes
/// back after a power cycle, with the disc as it was last made durable.
fn recover(mut drive: EmulatedDrive, handle_closed: bool) -> EmulatedDrive {
    let gone = matches!(
        drive.execute(
            &TestUnitReady.encode(),
            DataPhase::None,
            Duration::from_secs(10)
        ),
        Err(TransportError::DeviceGone)
    );
    if gone || handle_closed {
        let mut medium = drive
            .remove_medium()
            .expect("the disc is still in the drive");
        if gone {
            medium.power_loss();
        }
        drive = EmulatedDrive::with_medium(DriveConfig::default(), medium);
    }
    drive.enter_condition(&DriveCondition::BecomingReady {
        duration: Duration::ZERO,
    });
    drive.set_disc_condition(DiscCondition::Normal);
    drive.set_write_protected(false);
    drive.set_max_calibrated_speed(None);
    let _ = drive.release_exclusive("k3b");
    drive.advance(Duration::from_secs(3600));
    // The disc change is reported once (06/28/00), as a host's first TEST UNIT READY finds.
    for _ in 0..3 {
        let c = drive
            .execute(
                &TestUnitReady.encode(),
                DataPhase::None,
                Duration::from_secs(10),
            )
            .unwrap();
        if c.is_good() {
            return drive;
        }
    }
    panic!("the drive is not ready after the fault");
}

fn recorded_anything(records: &[TraceRecord]) -> bool {
    writes_in(records).iter().any(|w| w.2)
        || sent(records, CLOSE_TRACK_SESSION)
        || sent(records, FORMAT_UNIT)
}

/// Runs one row on one medium; panics with what went wrong.
fn run(row: &Row, kind: MediumKind) {
    let handle = Handle {
        drive: Faulty::for_drive(drive(kind), FaultPlan::empty()),
        close_at: None,
        seen: 0,
        closed: false,
    };
    let mut options = matrix_options();
    (row.options)(&mut options);
    let w = writer(Tracing::new(handle), options);
    // The fault is set up once the drive is identified (INQUIRY), as the writer holds it.
    let mut recorder = w.take_recorder().unwrap().unwrap();
    let handle = recorder.transport_mut().inner_mut();
    (row.setup)(handle);
    if let Some(p) = row.plan {
        let unplanned = std::mem::replace(
            &mut handle.drive,
            Faulty::for_drive(EmulatedDrive::default(), FaultPlan::empty()),
        );
        handle.drive = Faulty::for_drive(unplanned.into_inner(), plan(p));
    }
    w.set_recorder(recorder).unwrap();
    let data = image(SECTORS, 1);
    let (result, events) = write_collecting(&w, &data);
    let last_written = w.last_written_lba().unwrap();

    // The error: variant, HRESULT, name, and the command it names.
    let e = match result {
        Ok(o) => panic!("the write succeeded ({})", o.code),
        Err(e) => e,
    };
    assert_error(&e, row.variant, (row.code, row.hresult), row.opcode);
    // A failed write's events end with the action it failed in, then COMPLETED carrying the
    // error; one that failed before its first step sent none.
    if let Some(completed) = events.last() {
        assert_eq!(completed.action, WriteAction::Completed);
        assert_eq!(completed.error, Some(e.code()));
    }
    let last_action = events.len().checked_sub(2).map(|i| events[i].action);
    assert!(
        last_action.map_or(row.phase == Opening, |a| row.phase.actions().contains(&a)),
        "the fault struck during {last_action:?}, not {:?}",
        row.phase
    );

    let (handle, records) = w
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport()
        .into_parts();
    let mut d = recover(handle.drive.into_inner(), handle.closed);
    let before = Recorder::open(&mut d).unwrap().disc_summary().unwrap();

    // What the disc holds.
    let kept = match row.disc {
        Disc::Untouched => {
            assert!(!recorded_anything(&records), "something was recorded");
            assert_eq!(last_written, None);
            if WRITE_ONCE.contains(&kind) {
                assert_eq!(before.status, DiscState::Blank);
            }
            0
        }
        Disc::Prefix { before: limit } => {
            let n = last_written.map_or(0, |l| l + 1);
            assert!(n <= limit, "the writer claims LBA {} was written", n - 1);
            assert!(
                n < SECTORS as i64,
                "the writer claims everything was written"
            );
            if n > 0 {
                let disc = read_back(&mut d, 0, n as u64);
                assert_same_sectors(&disc, &data[..n as usize * 2048], 0, "the sectors sent");
            }
            n
        }
        Disc::Whole => {
            assert_eq!(last_written, Some(SECTORS as i64 - 1));
            let disc = read_back(&mut d, 0, SECTORS);
            assert_same_sectors(&disc, &data, 0, "the image");
            SECTORS as i64
        }
        Disc::CacheLost => 0,
    };

    // The disc is still usable: a write-once disc is not closed and takes the next write at
    // its next writable address; a rewritable disc is written over. A DVD-R DL is recorded
    // Disc-at-Once, its one session over the reservation the write made: once anything is
    // recorded it takes no further write, closed or not, and the next write is refused
    // before anything is sent, with what was recorded left as it was.
    let write_once = WRITE_ONCE.contains(&kind);
    if kind == DVD_R_DL && before.status != DiscState::Blank {
        let w2 = writer(Tracing::new(&mut d), matrix_options());
        let (r2, _) = write_collecting(&w2, &image(300, 2));
        assert!(
            matches!(r2, Err(Error::InvalidMediaState { .. })),
            "the next write: {r2:?}"
        );
        let (_, records) = drive_and_transcript(&w2);
        assert!(!recorded_anything(&records), "the next write recorded");
        if kept > 0 {
            let disc = read_back(&mut d, 0, kept as u64);
            assert_same_sectors(&disc, &data[..kept as usize * 2048], 0, "the first write");
        }
        return;
    }
    if write_once {
        assert_ne!(before.status, DiscState::Complete, "the disc was closed");
    }
    let again = image(300, 2);
    let w2 = writer(
        &mut d,
        WriteOptions {
            force_overwrite: true,
            ..matrix_options()
        },
    );
    let (r2, _) = write_collecting(&w2, &again);
    let o2 = r2.unwrap_or_else(|e| panic!("the next write failed: {e}"));
    drop(w2);
    if write_once {
        assert_eq!(
            Some(o2.start_lba as u32),
            before.next_writable_address,
            "the next write starts at the next writable address"
        );
        // What the failed write left is still there.
        if kept > 0 {
            let disc = read_back(&mut d, 0, kept as u64);
            assert_same_sectors(&disc, &data[..kept as usize * 2048], 0, "the first write");
        }
    } else {
        assert_eq!(o2.start_lba, 0);
    }
    let disc = read_back(&mut d, o2.start_lba, 300);
    assert_same_sectors(&disc, &again, o2.start_lba, "the next write");
}

thread_local! {
    /// Set while a case runs: its panic is collected, not printed.
    static IN_CASE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs one case with its panic collected, not printed: what went wrong, if anything.
fn case(f: impl FnOnce()) -> Result<(), String> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_CASE.with(|c| c.get()) {
                default(info)
            }
        }));
    });
    IN_CASE.with(|c| c.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    IN_CASE.with(|c| c.set(false));
    outcome.map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// Asserts `e` is the error a row names: its variant, HRESULT, IMAPI name, and the command
/// it names.
fn assert_error(
    e: &Error,
    variant: fn(&Error) -> bool,
    (code, hresult): (&str, u32),
    opcode: Option<u8>,
) {
    assert!(variant(e), "got {e:?}");
    assert_eq!(e.hresult(), hresult, "{e:?}");
    assert_eq!(e.imapi_name(), code);
    if let Some(op) = opcode {
        assert_eq!(e.cause().map(|c| c.opcode.to_u8()), Some(op), "{e:?}");
    }
}

fn run_matrix(phases: &[Phase]) {
    let mut failures = Vec::new();
    let mut count = 0;
    for row in matrix().iter().filter(|r| phases.contains(&r.phase)) {
        for &kind in row.media {
            count += 1;
            if let Err(msg) = case(|| run(row, kind)) {
                failures.push(format!(
                    "{} {:?} {} ({}): {msg}",
                    row.code,
                    row.phase,
                    kind.name(),
                    row.plan.unwrap_or("no plan")
                ));
            }
        }
    }
    assert!(count > 0);
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn faults_while_validating_the_medium_record_nothing() {
    run_matrix(&[Opening, Validating, Preparing]);
}

#[test]
fn faults_in_the_middle_of_writing_keep_what_was_written() {
    run_matrix(&[Writing]);
}

#[test]
fn faults_while_finalizing_keep_the_whole_image() {
    run_matrix(&[Finalizing, Verifying]);
}

/// Every code of the table that a drive or transport can cause has a row (the API codes are
/// in write_api.rs, cancel in write_cancel.rs).
#[test]
fn the_matrix_covers_every_drive_and_transport_code() {
    let rows = matrix();
    for (code, _) in [
        TIMEOUT,
        INVALID_RESPONSE,
        UPSIDE_DOWN,
        BECOMING_READY,
        NO_MEDIA,
        FORMAT_IN_PROGRESS,
        BUSY,
        LOSS_OF_STREAMING,
        INCOMPATIBLE,
        NO_SUCH_MODE_PAGE,
        INVALID_MODE_PARAMETERS,
        WRITE_PROTECTED,
        SPEED_MISMATCH,
        INVALID_HANDLE,
        DEV_NOT_EXIST,
        LOCKED,
        UNEXPECTED,
        FAIL,
        DVD_STRUCTURE_NOT_PRESENT,
    ] {
        assert!(rows.iter().any(|r| r.code == code), "{code} has no row");
    }
    // Every plan a row names exists and parses.
    for r in &rows {
        if let Some(p) = r.plan {
            plan(p);
        }
    }
}

// The erase matrix: every code IMAPI2's IDiscFormat2Erase::EraseMedia documents that a
// drive can cause, raised by a fault plan while `Eraser` erases a CD-RW holding a session.

const ERASE_FAILED: (&str, u32) = ("E_IMAPI_ERASE_DRIVE_FAILED_ERASE_COMMAND", 0x80AA_0905);
const ERASE_TOOK_TOO_LONG: (&str, u32) = ("E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR", 0x80AA_0906);
const ERASE_UNEXPECTED: (&str, u32) = (
    "E_IMAPI_ERASE_UNEXPECTED_DRIVE_RESPONSE_DURING_ERASE",
    0x80AA_0907,
);
const BLANK: u8 = 0xA1;

/// One row of the erase matrix.
struct EraseRow {
    code: &'static str,
    hresult: u32,
    variant: fn(&Error) -> bool,
    /// A plan in fixtures/fault-plans/.
    plan: &'static str,
    /// The command the error names, when it names one.
    opcode: Option<u8>,
    /// The drive took BLANK before the fault: the disc reads as blank (the drive rewrites the
    /// PMA and TOC first), otherwise its session is still there and reads back.
    blanked: bool,
}

macro_rules! e {
    ($code:expr, $variant:pat, $plan:expr, $opcode:expr, $blanked:expr) => {
        EraseRow {
            code: $code.0,
            hresult: $code.1,
            variant: |e| matches!(e, $variant),
            plan: $plan,
            opcode: $opcode,
            blanked: $blanked,
        }
    };
}

#[rustfmt::skip]
fn erase_matrix() -> Vec<EraseRow> {
    vec![
        // BLANK refused: nothing erased.
        e!(ERASE_FAILED, E::EraseDriveFailedEraseCommand { .. }, "matrix/erasing-blank-medium-error.json", Some(BLANK), false),
        e!(ERASE_FAILED, E::EraseDriveFailedEraseCommand { .. }, "matrix/erasing-blank-hardware-error.json", Some(BLANK), false),
        e!(TIMEOUT, E::CommandTimeout { .. }, "matrix/erasing-blank-timeout.json", Some(BLANK), false),
        e!(DEV_NOT_EXIST, E::DeviceNotExist, "matrix/erasing-blank-device-gone.json", None, false),
        // The general conditions, found before BLANK (write protection by BLANK itself).
        e!(WRITE_PROTECTED, E::MediaWriteProtected { .. }, "matrix/validating-write-protect.json", Some(BLANK), false),
        e!(UPSIDE_DOWN, E::MediaUpsideDown { .. }, "matrix/validating-upside-down.json", Some(TEST_UNIT_READY), false),
        e!(BECOMING_READY, E::MediaBecomingReady { .. }, "matrix/validating-becoming-ready.json", Some(TEST_UNIT_READY), false),
        e!(NO_MEDIA, E::NoMedia { .. }, "matrix/validating-eject.json", Some(TEST_UNIT_READY), false),
        e!(FORMAT_IN_PROGRESS, E::MediaFormatInProgress { .. }, "matrix/validating-format-in-progress.json", Some(TEST_UNIT_READY), false),
        e!(BUSY, E::MediaBusy { .. }, "matrix/validating-busy.json", Some(TEST_UNIT_READY), false),
        e!(TIMEOUT, E::CommandTimeout { .. }, "matrix/validating-timeout.json", Some(READ_DISC_INFORMATION), false),
        e!(DEV_NOT_EXIST, E::DeviceNotExist, "matrix/validating-device-gone.json", None, false),
        e!(NO_SUCH_MODE_PAGE, E::NoSuchModePage { .. }, "matrix/erasing-no-capabilities-page.json", Some(MODE_SENSE_10), false),
        // While the drive blanks (polled with TEST UNIT READY).
        e!(ERASE_TOOK_TOO_LONG, E::EraseTookLongerThanOneHour { .. }, "matrix/erasing-never-ready.json", None, true),
        e!(ERASE_UNEXPECTED, E::EraseUnexpectedDriveResponse { .. }, "matrix/erasing-polling-hardware-error.json", Some(TEST_UNIT_READY), true),
        e!(ERASE_UNEXPECTED, E::EraseUnexpectedDriveResponse { .. }, "matrix/erasing-polling-erase-failure.json", Some(TEST_UNIT_READY), true),
    ]
}

/// Runs one erase row; panics with what went wrong.
fn run_erase(row: &EraseRow) {
    // A CD-RW holding one session.
    let data = image(SECTORS, 1);
    let mut d = drive(CD_RW);
    let w = writer(&mut d, matrix_options());
    write_collecting(&w, &data).0.unwrap();
    drop(w);
    let handle = Handle {
        drive: Faulty::for_drive(d, FaultPlan::empty()),
        close_at: None,
        seen: 0,
        closed: false,
    };
    // The plan applies once the drive is identified (INQUIRY), as the eraser holds it.
    let mut recorder = Recorder::open(Tracing::new(handle)).unwrap();
    let handle = recorder.transport_mut().inner_mut();
    let unplanned = std::mem::replace(
        &mut handle.drive,
        Faulty::for_drive(EmulatedDrive::default(), FaultPlan::empty()),
    );
    handle.drive = Faulty::for_drive(unplanned.into_inner(), plan(row.plan));
    let mut eraser = Eraser::new();
    eraser.set_recorder(recorder);
    eraser.set_client_name("erase matrix").unwrap();
    eraser.set_timeouts(matrix_options().timeouts);
    let mut updates = Vec::new();
    let result = eraser.erase_media(&mut |u| updates.push(u));

    let e = match result {
        Ok(()) => panic!("the erase succeeded"),
        Err(e) => e,
    };
    assert_error(&e, row.variant, (row.code, row.hresult), row.opcode);
    // An hour on the drive's clock, the updates reporting it until the last poll.
    if let E::EraseTookLongerThanOneHour { elapsed_seconds } = e {
        assert!(elapsed_seconds >= 3600, "{e:?}");
        let last = updates.last().expect("updates while the drive blanked");
        assert!(
            u64::from(last.elapsed_seconds) + 1 >= elapsed_seconds,
            "{last:?}"
        );
    }
    let (handle, records) = eraser
        .take_recorder()
        .unwrap()
        .into_transport()
        .into_parts();
    let blank_taken = records.iter().any(|r| {
        r.cdb.starts_with("A1")
            && matches!(
                r.outcome,
                mmc_core::trace::TraceOutcome::Completed { status: 0, .. }
            )
    });
    assert_eq!(blank_taken, row.blanked, "BLANK taken by the drive");

    // What the disc holds once the drive is back: the session, or nothing.
    let mut d = recover(handle.drive.into_inner(), handle.closed);
    let s = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
    if row.blanked {
        assert_eq!((s.status, s.sessions), (DiscState::Blank, 0), "{s:?}");
    } else {
        assert_eq!((s.status, s.sessions), (DiscState::Appendable, 1), "{s:?}");
        assert_same_sectors(&read_back(&mut d, 0, SECTORS), &data, 0, "the session");
    }

    // The disc is still usable: erased again, blank, written from LBA 0.
    let mut eraser = Eraser::new();
    eraser.set_recorder(Recorder::open(&mut d).unwrap());
    eraser.set_client_name("erase matrix").unwrap();
    eraser
        .erase_media(&mut |_| {})
        .unwrap_or_else(|e| panic!("the next erase failed: {e}"));
    drop(eraser);
    let s = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
    assert_eq!((s.status, s.sessions), (DiscState::Blank, 0), "{s:?}");
    let again = image(300, 2);
    let w = writer(&mut d, matrix_options());
    let o = write_collecting(&w, &again)
        .0
        .unwrap_or_else(|e| panic!("the next write failed: {e}"));
    drop(w);
    assert_eq!(o.start_lba, 0);
    assert_same_sectors(&read_back(&mut d, 0, 300), &again, 0, "the next write");
}

#[test]
fn faults_while_erasing_a_cd_rw() {
    let mut failures = Vec::new();
    let rows = erase_matrix();
    for row in &rows {
        if let Err(msg) = case(|| run_erase(row)) {
            failures.push(format!("{} ({}): {msg}", row.code, row.plan));
        }
    }
    // Every code of EraseMedia's list that a drive causes has a row.
    for (code, _) in [
        ERASE_FAILED,
        ERASE_TOOK_TOO_LONG,
        ERASE_UNEXPECTED,
        WRITE_PROTECTED,
        UPSIDE_DOWN,
        BECOMING_READY,
        NO_MEDIA,
    ] {
        assert!(
            rows.iter().any(|r| r.code == code),
            "{code} has no erase row"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} erase rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
