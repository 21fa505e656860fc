//! The data writer: IMAPI2's `IDiscFormat2Data` over any [`Transport`].
//!
//! [`DataWriter::write`] records a stream whose size is a multiple of 2048 bytes: as a new
//! session on write-once media (CD-R), from LBA 0 on rewritable media (DVD+RW, BD-RE, only the
//! listed block ranges when given), with progress events, cancel and verification. Every
//! setter and a second write return `E_IMAPI_DF2DATA_WRITE_IN_PROGRESS` while a write runs,
//! as IMAPI's do.

mod blank;
mod check_medium;
mod client_name;
mod erase;
mod estimate;
mod events;
pub(crate) mod fifo;
mod job;
mod multisession;
mod plan;
mod progress;
mod properties;
mod speed;
mod stream;
mod verify;

use std::io::{Read, Seek};
use std::sync::{Mutex, MutexGuard, PoisonError};

use mmc_core::{ImapiCode, Transport};

pub use crate::recorder::{DefectManagement, SpareAreas, Timeouts};
pub use client_name::validate_client_name;
pub use erase::{expected_duration, EraseUpdate, Eraser, ERASE_TIME_LIMIT};
pub use events::{CancelHandle, EventSink, ProgressEvent, WriteAction};
pub use multisession::{Multisession, MultisessionMedium, RandomWrite, Sequential};
pub use plan::free_sectors_for_stream;
pub use properties::{media_state, write_protect_state, MediaPhysicalType, WriteSpeedDescriptor};

use crate::error::{ApiMisuse, Error};
use crate::recorder::Recorder;
use plan::{DriveFacts, WritePlan};

/// IMAPI_BURN_VERIFICATION_LEVEL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationLevel {
    None,
    /// Disc information and every track's information read back, and a sample of sectors
    /// compared.
    #[default]
    Quick,
    /// Every sector of the write read back and compared.
    Full,
}

/// An inclusive range of LBAs of the stream to write (IBlockRange).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRange {
    pub start_lba: u64,
    pub end_lba: u64,
}

/// The properties of IDiscFormat2Data that shape a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// BufferUnderrunFreeDisabled: default false (buffer-underrun-free recording on).
    pub buffer_underrun_free_disabled: bool,
    /// PostgapAlreadyInImage: default false (a 150-sector post-gap is added on CD).
    pub postgap_already_in_image: bool,
    /// ForceMediaToBeClosed: close the disc after this session.
    pub force_media_to_be_closed: bool,
    /// DisableConsumerDvdCompatibilityMode: default false, which closes a DVD+RW
    /// compatibly (CLOSE 010b rather than the quick stop 000b) and a DVD+R disc after every
    /// write in compatible mode (101b) whatever ForceMediaToBeClosed says; true closes a
    /// DVD+R disc normally (110b) only when ForceMediaToBeClosed or the 2 % rule asks, and
    /// otherwise only the session. No effect on CD or BD.
    pub disable_consumer_dvd_compatibility_mode: bool,
    /// ForceOverwrite: write over a rewritable disc that is not blank. On a BD-R formatted
    /// for Pseudo-OverWrite (feature 0038h current) that is appendable, it also makes the
    /// write go from LBA 0 over the recorded sectors, as on a rewritable disc, instead of
    /// adding a session (a block range list does the same); IMAPI itself leaves POW to the
    /// caller and writes such a disc session by session.
    pub force_overwrite: bool,
    /// Not an IMAPI property: the drive's defect management on a medium that has it (BD-RE,
    /// a formatted BD-R, DVD-RAM). On (the default), WRITE (10): the drive verifies each
    /// cluster and replaces defective ones, at about half speed; an unformatted BD-RE is
    /// formatted with the spare areas it names. Off: WRITE (12) and its Streaming bit, so
    /// that the drive records at full speed without verifying (libburn's stream recording).
    /// No effect on other media.
    pub defect_management: DefectManagement,
    pub verification: VerificationLevel,
    /// Not an IMAPI property: before the verification reads the disc back, eject it and
    /// load it again (START STOP UNIT, MMC-6 6.40) and wait for the drive to be ready, so that
    /// the sectors compared come from the medium and not from the drive's buffer (as
    /// archivists "eject, reinsert, compare"). No effect without verification. A drive that
    /// cannot load a disc itself (feature 0003h Load = 0: a caddy or a slot without a load
    /// mechanism) is refused before anything is written, with
    /// [`Error::RecorderNotSupported`](crate::Error); a drive that
    /// refuses the eject or the load after the write fails the write with its answer (the
    /// data is on the disc, unverified). Default false.
    pub reload_before_verify: bool,
    /// Not an IMAPI property: hash the data as it goes to the drive (BLAKE3 of the whole
    /// stream and of each 16 MiB chunk) into [`WriteOutcome::data`], for a
    /// [`crate::manifest::Manifest`]. Default false: a write that records no manifest does
    /// not hash its data twice over.
    pub record_digest: bool,
    /// The host fifo between the stream and the drive (default 4 MiB, as libburn and cdrecord).
    pub fifo_bytes: usize,
    pub timeouts: Timeouts,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            buffer_underrun_free_disabled: false,
            postgap_already_in_image: false,
            force_media_to_be_closed: false,
            disable_consumer_dvd_compatibility_mode: false,
            force_overwrite: false,
            defect_management: DefectManagement::default(),
            verification: VerificationLevel::Quick,
            reload_before_verify: false,
            record_digest: false,
            fifo_bytes: 4 * 1024 * 1024,
            timeouts: Timeouts::default(),
        }
    }
}

/// Where the data of a write comes from.
pub(crate) enum Source<'s> {
    /// A stream that can be read again (IMAPI's IStream, a file): verification reads it again.
    Seekable(&'s mut (dyn ReadSeek + Send)),
    /// A stream read once, front to back (a pipe): verification compares what it reads back
    /// with BLAKE3 digests of each 64 KiB chunk taken as the chunk was written. Owned, so the
    /// thread reading it need not be waited for when the write ends early.
    Sequential(Box<dyn Read + Send>),
}

/// A successful write: `code` is S_OK, or S_IMAPI_SPEEDADJUSTED / ROTATIONADJUSTED /
/// BOTHADJUSTED when the drive chose another speed or rotation than requested.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WriteOutcome {
    pub code: ImapiCode,
    pub start_lba: i64,
    /// Sectors of the stream recorded (the stream's length in sectors).
    pub sectors: u64,
    /// The disc was closed (no further session): on write-once media the disc status READ
    /// DISC INFORMATION reports after the write.
    pub disc_closed: bool,
    /// Seconds the write took (device time for emulators).
    pub elapsed_time: f64,
    /// The BLAKE3 of the data sent (the stream, without padding), whole and per 16 MiB
    /// chunk, taken as it went to the drive: what a [`crate::manifest::Manifest`] records.
    /// Only with [`WriteOptions::record_digest`].
    #[serde(skip)]
    pub data: Option<crate::manifest::ImageDigest>,
}

/// Requested write speed (SetWriteSpeed): sectors per second, -1 for the fastest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SpeedRequest {
    pub(crate) sectors_per_second: i32,
    pub(crate) pure_cav: bool,
}

/// What the writer holds between writes: the recorder and the properties a write uses.
#[derive(Debug)]
pub(crate) struct Settings<T: Transport> {
    pub(crate) recorder: Option<Recorder<T>>,
    pub(crate) requested: Requested,
    pub(crate) last_written_lba: Option<i64>,
}

/// The properties a caller sets, readable while a write runs: their getters document no
/// WRITE_IN_PROGRESS, and an event handler may read them.
#[derive(Debug, Clone)]
pub(crate) struct Requested {
    pub(crate) client_name: Option<String>,
    pub(crate) options: WriteOptions,
    pub(crate) speed: SpeedRequest,
}

/// The writer's state. A write takes the settings for as long as it runs, leaving a copy of
/// the requested properties for their getters; every setter, the recorder's properties and a
/// second write find [`WriterState::Writing`] meanwhile (E_IMAPI_DF2DATA_WRITE_IN_PROGRESS).
// One per writer, moved twice per write: boxing the settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum WriterState<T: Transport> {
    Idle(Settings<T>),
    Writing(Requested),
}

/// A running write's hold on the settings: gives them back to the writer when the write
/// ends, however it ends (a panic in an event callback included).
struct Running<'w, T: Transport> {
    state: &'w Mutex<WriterState<T>>,
    settings: Option<Settings<T>>,
}

impl<T: Transport> Drop for Running<'_, T> {
    fn drop(&mut self) {
        if let Some(settings) = self.settings.take() {
            *lock(self.state) = WriterState::Idle(settings);
        }
    }
}

/// The state's lock. A panic while it was held (in a property read) left the state as it
/// was between commands.
fn lock<T: Transport>(state: &Mutex<WriterState<T>>) -> MutexGuard<'_, WriterState<T>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// IMAPI2's MsftDiscFormat2Data.
///
/// ```
/// use std::io::Cursor;
/// use discwriter::{DataWriter, DiscState, Recorder, VerificationLevel, WriteAction, WriteOptions};
/// use virtdrive::{medium::MediumKind, DriveConfig, DiscFileDrive};
///
/// let drive = DiscFileDrive::in_memory(MediumKind::CdR80, DriveConfig::default());
/// let writer = DataWriter::new();
/// writer.set_recorder(Recorder::open(drive)?)?;
/// writer.set_client_name("example")?;
/// writer.set_options(WriteOptions {
///     verification: VerificationLevel::Full,
///     ..WriteOptions::default()
/// })?;
/// let image = vec![0x5Au8; 300 * 2048];
/// let mut phases = Vec::new();
/// let outcome = writer.write(
///     &mut Cursor::new(&image),
///     image.len() as u64,
///     None,
///     &mut |event, _cancel| phases.push(event.action),
/// )?;
/// assert_eq!((outcome.code.name(), outcome.start_lba, outcome.sectors), ("S_OK", 0, 300));
/// assert!(phases.contains(&WriteAction::Verifying));
/// // A new session on a CD-R, and the disc stays appendable.
/// let mut recorder = writer.take_recorder()?.expect("the writer's recorder");
/// assert_eq!(recorder.disc_summary()?.status, DiscState::Appendable);
/// # Ok::<(), discwriter::Error>(())
/// ```
#[derive(Debug)]
pub struct DataWriter<T: Transport> {
    state: Mutex<WriterState<T>>,
    cancel: CancelHandle,
}

impl<T: Transport + Send> Default for DataWriter<T> {
    fn default() -> Self {
        DataWriter::new()
    }
}

impl<T: Transport + Send> DataWriter<T> {
    pub fn new() -> Self {
        DataWriter {
            state: Mutex::new(WriterState::Idle(Settings {
                recorder: None,
                requested: Requested {
                    client_name: None,
                    options: WriteOptions::default(),
                    speed: SpeedRequest {
                        sectors_per_second: -1,
                        pure_cav: false,
                    },
                },
                last_written_lba: None,
            })),
            cancel: CancelHandle::new(),
        }
    }

    /// Runs `f` on the settings, unless a write holds them.
    pub(crate) fn idle<R>(
        &self,
        f: impl FnOnce(&mut Settings<T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        match &mut *lock(&self.state) {
            WriterState::Idle(settings) => f(settings),
            WriterState::Writing(_) => Err(Error::Api(ApiMisuse::WriteInProgress)),
        }
    }

    /// Reads a requested property, between writes or during one.
    fn requested<R>(&self, f: impl FnOnce(&Requested) -> R) -> R {
        match &*lock(&self.state) {
            WriterState::Idle(s) => f(&s.requested),
            WriterState::Writing(r) => f(r),
        }
    }

    /// put_Recorder: a drive with no feature that records a medium this writer writes (a
    /// DVD-ROM or BD-ROM reader) is E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED, as IMAPI refuses
    /// it, and the writer keeps the recorder it had. A drive that cannot tell now (held by
    /// another client, or without GET CONFIGURATION) is taken: the write reports why it
    /// cannot use it (E_IMAPI_RECORDER_LOCKED, E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED).
    pub fn set_recorder(&self, mut recorder: Recorder<T>) -> Result<(), Error> {
        self.idle(|s| {
            let records = properties::records_supported_media(&mut recorder);
            if let Err(e) = &records {
                tracing::debug!(target: "discwriter::write", "put_Recorder could not read the drive's features: {e}");
            }
            if matches!(records, Ok(false)) {
                let info = recorder.info();
                return Err(Error::RecorderNotSupported {
                    detail: format!(
                        "{} {} records none of the media this writer writes (no CD Track at Once, DVD+R, DVD+RW, BD Write or Random Writable feature with writing)",
                        info.vendor, info.product
                    ),
                });
            }
            s.recorder = Some(recorder);
            Ok(())
        })
    }

    /// Gives the recorder back (the writer has none afterwards).
    pub fn take_recorder(&self) -> Result<Option<Recorder<T>>, Error> {
        self.idle(|s| Ok(s.recorder.take()))
    }

    /// put_ClientName: validated as IMAPI does.
    pub fn set_client_name(&self, name: &str) -> Result<(), Error> {
        validate_client_name(name).map_err(|reason| {
            Error::Api(ApiMisuse::ClientNameIsNotValid {
                name: name.to_string(),
                reason,
            })
        })?;
        self.idle(|s| {
            s.requested.client_name = Some(name.to_string());
            Ok(())
        })
    }

    /// get_ClientName, also while a write runs.
    pub fn client_name(&self) -> Result<Option<String>, Error> {
        Ok(self.requested(|r| r.client_name.clone()))
    }

    /// All the put_* options at once.
    pub fn set_options(&self, options: WriteOptions) -> Result<(), Error> {
        self.idle(|s| {
            s.requested.options = options;
            Ok(())
        })
    }

    /// The get_* options, also while a write runs.
    pub fn options(&self) -> Result<WriteOptions, Error> {
        Ok(self.requested(|r| r.options.clone()))
    }

    /// SetWriteSpeed: `sectors_per_second` (-1: the fastest) and pure CAV rotation, set on
    /// the drive at once (SET CD SPEED on CD, SET STREAMING on DVD and BD), so that
    /// CurrentWriteSpeed holds what the drive chose. Returns S_OK, or
    /// S_IMAPI_SPEEDADJUSTED / S_IMAPI_ROTATIONADJUSTED / S_IMAPI_BOTHADJUSTED when the drive
    /// chose another speed (more than 1 % off) or CLV for pure CAV. The request is kept
    /// and set again by every write, whose outcome repeats the code. With no disc in the
    /// drive (or a disc this writer does not record) nothing is sent and the answer is S_OK:
    /// the speeds a drive offers are the disc's, and the write applies the request.
    pub fn set_write_speed(
        &self,
        sectors_per_second: i32,
        pure_cav: bool,
    ) -> Result<ImapiCode, Error> {
        self.idle(|s| {
            let Some(rec) = s.recorder.as_mut() else {
                return Err(Error::Api(ApiMisuse::RecorderRequired));
            };
            if sectors_per_second == 0 || sectors_per_second < -1 {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "write speed {sectors_per_second} sectors/s (use -1 for the fastest)"
                ))));
            }
            let request = SpeedRequest {
                sectors_per_second,
                pure_cav,
            };
            s.requested.speed = request;
            speed::set_on_drive(rec, request)
        })
    }

    /// RequestedWriteSpeed and RequestedRotationTypeIsPureCAV, also while a write runs.
    pub fn requested_write_speed(&self) -> Result<(i32, bool), Error> {
        Ok(self.requested(|r| (r.speed.sectors_per_second, r.speed.pure_cav)))
    }

    /// A handle that cancels the running write from any thread (CancelWrite).
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// CancelWrite: E_IMAPI_DF2DATA_WRITE_NOT_IN_PROGRESS when no write runs.
    pub fn cancel_write(&self) -> Result<(), Error> {
        match *lock(&self.state) {
            WriterState::Idle(_) => Err(Error::Api(ApiMisuse::WriteNotInProgress)),
            WriterState::Writing(_) => {
                self.cancel.cancel();
                Ok(())
            }
        }
    }

    /// The last LBA the latest write sent to the drive.
    pub fn last_written_lba(&self) -> Result<Option<i64>, Error> {
        self.idle(|s| Ok(s.last_written_lba))
    }

    /// Write: records `length` bytes of `source` (a multiple of 2048), calling `events` with
    /// progress. `ranges` limits the write to those LBAs of the stream; IMAPI defines them for
    /// rewritable discs only, and on write-once media, which can only be recorded at the next
    /// writable address, a list is refused with E_INVALIDARG rather than silently ignored.
    pub fn write(
        &self,
        source: &mut (dyn ReadSeek + Send),
        length: u64,
        ranges: Option<&[BlockRange]>,
        events: &mut EventSink<'_>,
    ) -> Result<WriteOutcome, Error> {
        self.run(Source::Seekable(source), Some(length), ranges, events)
    }

    /// Write from a stream that is read once, front to back (standard input, a pipe): with
    /// its `length` when known (checked against the free space before anything is written,
    /// as [`DataWriter::write`] does), otherwise written as it comes until it ends. A stream
    /// of unknown length that goes on past the free space stops with
    /// E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA, one that ends inside a sector
    /// with E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED; in both cases what was written before is
    /// finalized and readable, as after a cancel. Verification compares the disc with
    /// digests of the chunks taken as they were written. The stream is read on a thread of
    /// its own, which a write that ends early (a cancel, a failure) does not wait for: a read
    /// of a pipe that never delivers again cannot hold the write up.
    pub fn write_stream(
        &self,
        source: Box<dyn Read + Send>,
        length: Option<u64>,
        events: &mut EventSink<'_>,
    ) -> Result<WriteOutcome, Error> {
        self.run(Source::Sequential(source), length, None, events)
    }

    fn run(
        &self,
        source: Source<'_>,
        length: Option<u64>,
        ranges: Option<&[BlockRange]>,
        events: &mut EventSink<'_>,
    ) -> Result<WriteOutcome, Error> {
        let taken = {
            let mut state = lock(&self.state);
            let WriterState::Idle(settings) = &*state else {
                return Err(Error::Api(ApiMisuse::WriteInProgress));
            };
            let requested = settings.requested.clone();
            match std::mem::replace(&mut *state, WriterState::Writing(requested)) {
                WriterState::Idle(settings) => settings,
                WriterState::Writing(_) => return Err(Error::Api(ApiMisuse::WriteInProgress)),
            }
        };
        let mut running = Running {
            state: &self.state,
            settings: Some(taken),
        };
        let Some(settings) = running.settings.as_mut() else {
            return Err(Error::Api(ApiMisuse::WriteInProgress));
        };
        self.cancel.reset();
        let result = Self::write_with(settings, source, length, ranges, events, &self.cancel);
        let client = settings.requested.client_name.clone();
        if let (Some(rec), Some(name)) = (settings.recorder.as_mut(), client) {
            rec.release_exclusive(&name);
        }
        result
    }

    /// One write with the settings: the arguments checked before the drive is touched
    /// (IMAPI: the stream, the recorder, the client), then the drive held for the client,
    /// its tray locked while the write runs (as IMAPI locks it during a burn) and unlocked
    /// however the write ends.
    fn write_with(
        settings: &mut Settings<T>,
        mut source: Source<'_>,
        length: Option<u64>,
        ranges: Option<&[BlockRange]>,
        events: &mut EventSink<'_>,
        cancel: &CancelHandle,
    ) -> Result<WriteOutcome, Error> {
        let sectors = plan::stream_sectors(length, ranges)?;
        let client = settings.requested.client_name.clone().ok_or_else(|| {
            Error::Api(ApiMisuse::ClientNameIsNotValid {
                name: String::new(),
                reason: "no client name was set",
            })
        })?;
        let options = settings.requested.options.clone();
        stream::check_fifo_memory(options.fifo_bytes)?;
        let speed = settings.requested.speed;
        let rec = settings
            .recorder
            .as_mut()
            .ok_or(Error::Api(ApiMisuse::RecorderRequired))?;
        rec.acquire_exclusive(&client)?;
        settings.last_written_lba = None;
        rec.lock_tray(true)?;
        let mut progress =
            progress::Progress::new(rec, events, cancel, sectors, options.fifo_bytes);
        let last_written = &mut settings.last_written_lba;
        let result =
            Self::plan(rec, sectors, ranges, &options, speed, &mut progress).and_then(|plan| {
                let source = &mut source;
                job::execute(
                    rec,
                    plan,
                    source,
                    ranges,
                    &options,
                    &mut progress,
                    last_written,
                )
            });
        // An event handler hears what the write was doing when it failed, and that it ended.
        if let Err(e) = &result {
            progress.failed(e.code(), rec);
        }
        rec.unlock_tray_after();
        result
    }
}

impl<T: Transport + Send> DataWriter<T> {
    /// Validates the medium and plans the write: the disc's summary once the drive is
    /// ready, and for an overwritable disc that is not blank, whether it holds data.
    fn plan(
        rec: &mut Recorder<T>,
        sectors: Option<u64>,
        ranges: Option<&[BlockRange]>,
        options: &WriteOptions,
        speed: SpeedRequest,
        progress: &mut progress::Progress<'_, '_>,
    ) -> Result<WritePlan, Error> {
        progress.enter(WriteAction::ValidatingMedia, rec);
        rec.wait_until_ready(options.timeouts.becoming_ready, &mut |_, _| {})?;
        verify::check_reload(rec, options)?;
        let disc = rec.disc_summary()?;
        let max_transfer_bytes = rec.max_transfer_bytes();
        let holds_data = match WritePlan::blank_check(&disc, options, ranges, max_transfer_bytes) {
            Some(chunk) => Some(blank::contents(rec, chunk, &options.timeouts)?),
            None => None,
        };
        let profile = mmc_core::Profile::from_u16(disc.profile_code);
        let streaming = options.defect_management.streaming();
        let features = properties::current_write_features(rec, profile, streaming)?;
        let layer_boundary = match profile {
            mmc_core::Profile::DvdPlusRDualLayer | mmc_core::Profile::DvdRDualLayerSequential
                if disc.status == crate::DiscState::Blank =>
            {
                rec.layer_boundary()?
            }
            _ => None,
        };
        let lead_out = match profile {
            mmc_core::Profile::DvdRwRestrictedOverwrite => {
                Some(plan::LeadOut::of(&rec.format_capacities()?))
            }
            _ => None,
        };
        let facts = DriveFacts {
            speed,
            max_transfer_bytes,
            holds_data,
            incremental_streaming: features.incremental_streaming,
            pseudo_overwrite: features.pseudo_overwrite,
            stream_writing: features.stream_writing.unwrap_or(true),
            layer_boundary,
            lead_out,
        };
        let plan = WritePlan::new(&disc, options, sectors, ranges, &facts)?;
        progress.one_x = progress::one_x_kbps(plan.profile);
        progress.start_at(plan.start_lba);
        Ok(plan)
    }
}

/// A stream that can be read and re-read (verification reads it again).
pub trait ReadSeek: Read + Seek {}
impl<R: Read + Seek> ReadSeek for R {}
