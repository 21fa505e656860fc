//! The drive: the state a real writer keeps around its disc (tray, readiness, unit attentions,
//! medium-removal lock, exclusive owner, long operations, speed and buffer), and the dispatch
//! of every decoded CDB to the piece that answers it.
//!
//! Order of checks for each command, as SPC/MMC drives do it: device present; CDB well formed
//! (05/20/00, 05/24/00); exclusive access; pending unit attention (except for the
//! commands SPC/MMC let through: INQUIRY, REQUEST SENSE, GET CONFIGURATION, GET EVENT STATUS
//! NOTIFICATION); medium readiness for commands that access the medium; write protection for
//! commands that record; then the command itself. Every command advances the virtual clock.

mod cd;
mod exclusive;
mod features;
mod gate;
pub(crate) use gate::asks_to_poll;
mod hooks;
mod info;
mod io;
mod mode;
mod protection;
mod read_cache;
pub use read_cache::MAX_READ_CACHE_BYTES;
mod settings;
mod speed;

use core::time::Duration;

use mmc_core::cdb::Command;
use mmc_core::response::disc_info::LastSessionState;
use mmc_core::sense::{triples, SenseBuilder, SenseKeySpecific, SenseTriple};
use mmc_core::{Completion, DataPhase, SenseBytes, Transport, TransportError};

pub use exclusive::{DriveClient, LockError, SharedDrive};
pub use protection::{WriteProtection, WRITE_INHIBIT_DCB};
pub use settings::{DriveClass, DriveConfig, DriveIdentity};
pub use speed::SpeedSetting;

use crate::clock::VirtualTime;
use crate::fault::{Arrival, DriveHooks};
use crate::medium::{Medium, MediumError};

/// What is wrong with the disc in the tray, when something is (API and fault plans set these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscCondition {
    /// Readable and, unless write-protected, writable.
    Normal,
    /// Label side down: 02/06/00 NO REFERENCE POSITION FOUND on medium access, no current
    /// profile.
    UpsideDown,
    /// A disc the drive cannot use: 02/30/`ascq` on medium access.
    Incompatible { ascq: u8 },
}

/// The disc in the drive, with what the drive knows about it.
#[derive(Debug)]
pub(crate) struct InsertedDisc {
    pub(crate) medium: Box<dyn Medium>,
    /// Readiness: before this time the drive answers 02/04/01 BECOMING READY.
    pub(crate) ready_at: VirtualTime,
    pub(crate) condition: DiscCondition,
    pub(crate) write_protection: WriteProtection,
    /// The open session is damaged (a write cut short by a power failure, say): READ DISC
    /// INFORMATION reports its state as 10b, its open track Damage with no next writable
    /// address, and commands that record are refused.
    pub(crate) session_damaged: bool,
    /// The fastest write speed (kB/s) at which power calibration succeeds; faster writes fail
    /// with 03/73/03 POWER CALIBRATION AREA ERROR. `None`: every listed speed works.
    pub(crate) max_calibrated_speed: Option<u32>,
}

/// A long operation the drive finishes after it returned GOOD (Immed): SYNCHRONIZE CACHE,
/// CLOSE TRACK/SESSION. While it runs, medium access gets 02/04/08 (or 02/04/07) with progress.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LongOperation {
    pub(crate) started: VirtualTime,
    pub(crate) until: VirtualTime,
    pub(crate) sense: SenseTriple,
}

impl LongOperation {
    /// Fraction done, in 1/65536, for the sense-key-specific progress field.
    pub(crate) fn progress(&self, now: VirtualTime) -> u16 {
        let total = self.until.since(self.started).as_micros().max(1);
        let done = now.since(self.started).as_micros().min(total);
        u16::try_from(done * 65535 / total).unwrap_or(u16::MAX)
    }
}

/// An emulated MMC writer.
#[derive(Debug)]
pub struct EmulatedDrive {
    pub(crate) config: DriveConfig,
    pub(crate) now: VirtualTime,
    pub(crate) tray_open: bool,
    pub(crate) disc: Option<InsertedDisc>,
    /// A unit attention reported once by the next command that does not let it through.
    pub(crate) unit_attention: Option<SenseTriple>,
    /// A GET EVENT STATUS NOTIFICATION media event not yet reported.
    pub(crate) media_event: Option<mmc_core::response::event_status::MediaEventCode>,
    pub(crate) prevent_removal: bool,
    pub(crate) long_operation: Option<LongOperation>,
    pub(crate) speed: speed::SpeedState,
    pub(crate) buffer: speed::BufferModel,
    pub(crate) gone: bool,
    pub(crate) exclusive: Option<exclusive::ExclusiveLock>,
    /// When the command being answered arrived (before its overhead).
    pub(crate) arrived_at: VirtualTime,
    /// A disc a fault plan took out (`no_medium`) that `becoming_ready` puts back.
    pub(crate) parked: Option<InsertedDisc>,
    /// The client name this drive's own `Transport` took exclusive access under.
    pub(crate) transport_client: Option<String>,
    /// Where the optical head is: the last block read (READ SUB-CHANNEL's current position).
    pub(crate) head: i32,
    /// The sectors written last, which READ (10/12) gets from the buffer ([`read_cache`]).
    pub(crate) read_cache: read_cache::ReadCache,
}

impl Default for EmulatedDrive {
    fn default() -> Self {
        EmulatedDrive::new(DriveConfig::default())
    }
}

impl EmulatedDrive {
    /// An empty drive with its tray closed, just powered on: the first command that does not
    /// let unit attentions through gets 06/29/00 POWER ON, RESET.
    pub fn new(config: DriveConfig) -> Self {
        let buffer = speed::BufferModel::new(config.buffer_bytes);
        let read_cache = read_cache::ReadCache::new(config.read_cache_bytes);
        EmulatedDrive {
            config,
            now: VirtualTime::ZERO,
            tray_open: false,
            disc: None,
            unit_attention: Some(triples::POWER_ON_RESET),
            media_event: None,
            prevent_removal: false,
            long_operation: None,
            speed: speed::SpeedState::default(),
            buffer,
            gone: false,
            exclusive: None,
            arrived_at: VirtualTime::ZERO,
            parked: None,
            transport_client: None,
            head: 0,
            read_cache,
        }
    }

    /// A drive that already holds `medium`, ready, with the power-on unit attention consumed
    /// (what a host sees after its first TEST UNIT READY loop).
    pub fn with_medium(config: DriveConfig, medium: Box<dyn Medium>) -> Self {
        let mut drive = EmulatedDrive::new(config);
        drive.disc = Some(InsertedDisc {
            medium,
            ready_at: VirtualTime::ZERO,
            condition: DiscCondition::Normal,
            write_protection: WriteProtection::default(),
            session_damaged: false,
            max_calibrated_speed: None,
        });
        drive.unit_attention = None;
        drive
            .speed
            .select_fastest(drive.disc.as_ref().map(|d| d.medium.as_ref()));
        drive
    }

    pub fn identity(&self) -> &DriveIdentity {
        &self.config.identity
    }

    pub fn config(&self) -> &DriveConfig {
        &self.config
    }

    /// The virtual time now.
    pub fn now(&self) -> VirtualTime {
        self.now
    }

    /// Lets `d` of virtual time pass (the host waits).
    pub fn advance(&mut self, d: Duration) {
        self.now = self.now.after(d);
        self.settle();
    }

    /// The disc in the drive.
    pub fn medium(&self) -> Option<&dyn Medium> {
        self.disc.as_ref().map(|d| d.medium.as_ref())
    }

    pub fn medium_mut(&mut self) -> Option<&mut (dyn Medium + 'static)> {
        self.disc.as_mut().map(|d| d.medium.as_mut())
    }

    /// Takes the disc out (whatever the lock says: this is the API, not the host).
    pub fn remove_medium(&mut self) -> Option<Box<dyn Medium>> {
        let disc = self.disc.take()?;
        self.read_cache.drop_all();
        self.media_event = Some(mmc_core::response::event_status::MediaEventCode::MediaRemoval);
        Some(disc.medium)
    }

    /// Opens the tray (an empty open tray answers 02/3A/02).
    pub fn open_tray(&mut self) {
        self.tray_open = true;
        self.read_cache.drop_all();
    }

    /// Puts `medium` in the tray and closes it: the drive answers 02/04/01 until the
    /// configured spin-up time has passed, then reports 06/28/00 once.
    pub fn insert(&mut self, medium: Box<dyn Medium>) {
        self.read_cache.drop_all();
        self.disc = Some(InsertedDisc {
            medium,
            ready_at: self.now.after(self.config.becoming_ready),
            condition: DiscCondition::Normal,
            write_protection: WriteProtection::default(),
            session_damaged: false,
            max_calibrated_speed: None,
        });
        self.tray_open = false;
        self.media_event = Some(mmc_core::response::event_status::MediaEventCode::NewMedia);
        self.speed
            .select_fastest(self.disc.as_ref().map(|d| d.medium.as_ref()));
    }

    /// Closes the tray (with or without a disc).
    pub fn close_tray(&mut self) {
        if self.tray_open {
            self.tray_open = false;
            self.read_cache.drop_all();
            if let Some(d) = self.disc.as_mut() {
                d.ready_at = self.now.after(self.config.becoming_ready);
            }
        }
    }

    /// Marks the disc write-protected for a reason specific to the medium (MSWI, 07/27/00 on
    /// every command that records), or clears every cause.
    pub fn set_write_protected(&mut self, protected: bool) {
        self.set_write_protection(if protected {
            WriteProtection::MEDIA_SPECIFIC
        } else {
            WriteProtection::default()
        });
    }

    /// Sets the causes of the disc's write protection.
    pub fn set_write_protection(&mut self, protection: WriteProtection) {
        if let Some(d) = self.disc.as_mut() {
            d.write_protection = protection;
        }
    }

    /// The causes of the disc's write protection (none without a disc).
    pub fn write_protection(&self) -> WriteProtection {
        self.disc
            .as_ref()
            .map(|d| d.write_protection)
            .unwrap_or_default()
    }

    /// Whether the disc in the drive is write-protected, for any cause.
    pub fn is_write_protected(&self) -> bool {
        self.write_protection().any()
    }

    /// Whether the disc has an open session, and it is damaged.
    pub(crate) fn damaged_open_session(&self) -> bool {
        self.disc.as_ref().is_some_and(|d| {
            d.session_damaged
                && d.medium.disc_information().last_session_state == LastSessionState::Incomplete
        })
    }

    /// Damages the disc's open session (nothing happens on a disc without one): see
    /// [`DriveCondition::DamagedSession`](crate::fault::DriveCondition::DamagedSession).
    pub fn damage_open_session(&mut self) {
        if let Some(d) = self.disc.as_mut() {
            d.session_damaged = true;
        }
    }

    /// Sets what is wrong with the disc.
    pub fn set_disc_condition(&mut self, condition: DiscCondition) {
        if let Some(d) = self.disc.as_mut() {
            d.condition = condition;
        }
    }

    /// Power calibration fails above `kbytes_per_sec` (03/73/03 on the first WRITE or on SEND
    /// OPC INFORMATION at a faster speed).
    pub fn set_max_calibrated_speed(&mut self, kbytes_per_sec: Option<u32>) {
        if let Some(d) = self.disc.as_mut() {
            d.max_calibrated_speed = kbytes_per_sec;
        }
    }

    /// A power cycle: the disc reverts to its last synchronized state, the drive forgets its
    /// buffer and settings, and reports 06/29/00 POWER ON, RESET next.
    pub fn power_cycle(&mut self) {
        if let Some(d) = self.disc.as_mut() {
            d.medium.power_loss();
            d.ready_at = self.now.after(self.config.becoming_ready);
            // SWPP lasts until power-down.
            d.write_protection.until_power_down = false;
        }
        self.long_operation = None;
        self.prevent_removal = false;
        self.buffer.reset();
        self.read_cache.drop_all();
        self.unit_attention = Some(triples::POWER_ON_RESET);
    }

    /// Gives the drive a read cache of `bytes` (whole sectors, at most
    /// [`MAX_READ_CACHE_BYTES`]), or none with `None`: READ (10/12) of the sectors written
    /// last is answered from the drive's buffer, not the medium, until a load or eject, a
    /// medium change, a power loss or reset, BLANK or FORMAT UNIT drops it. What the cache
    /// held is dropped either way.
    ///
    /// ```
    /// use virtdrive::medium::{self, MediumKind};
    /// use virtdrive::store::MemoryStore;
    /// use virtdrive::{DriveConfig, EmulatedDrive};
    ///
    /// let disc = medium::blank(MediumKind::DvdPlusRw, Box::new(MemoryStore::new()));
    /// let mut drive = EmulatedDrive::with_medium(DriveConfig::default(), disc);
    /// assert_eq!(drive.read_cache_capacity_sectors(), 0, "off by default");
    /// drive.set_read_cache(Some(4 * 1024 * 1024));
    /// assert_eq!(drive.read_cache_capacity_sectors(), 2048);
    /// ```
    pub fn set_read_cache(&mut self, bytes: Option<u32>) {
        self.config.read_cache_bytes = bytes;
        self.read_cache = read_cache::ReadCache::new(bytes);
    }

    /// How many sectors the read cache holds at most (0: the drive has none).
    pub fn read_cache_capacity_sectors(&self) -> usize {
        self.read_cache.capacity_sectors()
    }

    /// How many written sectors the read cache holds now.
    pub fn read_cache_len(&self) -> usize {
        self.read_cache.len()
    }

    /// The device disappears: every later command fails with `TransportError::DeviceGone`.
    pub fn vanish(&mut self) {
        self.gone = true;
    }

    /// Finishes what time has finished: readiness, long operations, background formats.
    pub(crate) fn settle(&mut self) {
        let now = self.now;
        if let Some(op) = self.long_operation {
            if now >= op.until {
                self.long_operation = None;
            }
        }
        let drain_kbps = self.recording_kbps();
        self.buffer.drain_until(now, drain_kbps);
        if self
            .exclusive
            .as_ref()
            .and_then(|l| l.until)
            .is_some_and(|t| now >= t)
        {
            self.exclusive = None;
        }
        if let Some(d) = self.disc.as_mut() {
            d.medium.advance(now);
            if d.ready_at > VirtualTime::ZERO && now >= d.ready_at {
                // Just became ready: MMC drives report the medium change once.
                d.ready_at = VirtualTime::ZERO;
                if self.unit_attention.is_none() {
                    self.unit_attention = Some(triples::MEDIUM_MAY_HAVE_CHANGED);
                }
            }
        }
    }

    /// Runs one decoded command; `Err` is the sense of a CHECK CONDITION.
    fn dispatch(&mut self, command: Command, data: &mut DataPhase<'_>) -> Result<Reply, Failure> {
        use Command as C;
        match command {
            C::TestUnitReady(_) => Ok(Reply::Done),
            C::RequestSense(c) => Ok(self.request_sense(c)),
            C::Inquiry(c) => self.inquiry(c),
            C::GetConfiguration(c) => Ok(self.get_configuration(c)),
            C::GetEventStatusNotification(c) => self.event_status(c),
            C::MechanismStatus(_) => Ok(self.mechanism_status()),
            C::ReadSubchannel(c) => self.read_subchannel(c),
            C::ReadCd(c) => self.read_cd(c, data),
            C::StartStopUnit(c) => self.start_stop_unit(c),
            C::PreventAllowMediumRemoval(c) => {
                self.prevent_removal = c.prevent;
                Ok(Reply::Done)
            }
            C::ModeSense10(c) => self.mode_sense(c),
            C::ModeSelect10(c) => self.mode_select(c, data),
            C::GetPerformance(c) => self.get_performance(c),
            C::SetStreaming(c) => self.set_streaming(c, data),
            C::SetCdSpeed(c) => self.set_cd_speed(c),
            C::ReadBufferCapacity(c) => Ok(self.read_buffer_capacity(c)),
            C::ReadCapacity(_) => self.read_capacity(),
            C::ReadFormatCapacities(_) => Ok(self.read_format_capacities()),
            C::ReadDiscInformation(c) => self.read_disc_information(c),
            C::ReadTrackInformation(c) => self.read_track_information(c),
            C::ReadTocPmaAtip(c) => self.read_toc(c),
            C::ReadDiscStructure(c) => self.read_disc_structure(c),
            C::Read10(c) => self.read(i64::from(c.lba), u32::from(c.blocks), data),
            C::Read12(c) => self.read(i64::from(c.lba), c.blocks, data),
            C::Write10(c) => self.write(i64::from(c.lba), u32::from(c.blocks), false, data),
            C::Write12(c) => self.write(i64::from(c.lba), c.blocks, c.streaming, data),
            C::Verify10(c) if c.byte_check => self.verify_bytes(c, data),
            C::Verify10(c) => self.verify(c),
            C::SynchronizeCache(c) => self.synchronize_cache(c),
            C::CloseTrackSession(c) => self.close_track_session(c),
            C::FormatUnit(c) => self.format_unit(c, data),
            C::ReserveTrack(c) => self.reserve_track(c),
            C::SendOpcInformation(c) => self.send_opc_information(c),
            C::SendCueSheet(c) => self.send_cue_sheet(c, data),
            C::SendDiscStructure(c) => self.send_disc_structure(c, data),
            C::Blank(c) => self.blank(c),
        }
    }

    /// A command arrives at a present drive: it costs the command overhead, and what time
    /// finished is finished. Returns what a fault plan matches the command against.
    pub(crate) fn begin_command(&mut self) -> Result<Arrival, TransportError> {
        if self.gone {
            return Err(TransportError::DeviceGone);
        }
        self.arrived_at = self.now;
        self.now = self.now.after(self.config.command_overhead);
        self.settle();
        Ok(Arrival {
            now: self.now,
            medium: self.disc.as_ref().map(|d| d.medium.kind()),
        })
    }

    /// Decodes, checks and runs the command that arrived.
    fn run(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let command = match Command::decode(cdb) {
            Ok(c) => c,
            Err(e) => {
                let (triple, sks) = e.sense();
                return Ok(check_condition(data, build_sense(triple, sks, None)));
            }
        };
        if let Err(f) = self.gate(&command) {
            return Ok(check_condition(data, f.to_sense()));
        }
        let result = self.dispatch(command, data);
        // A command that ran longer than the host waits did complete inside the drive, but
        // the host saw a timeout (SG_IO DID_TIME_OUT).
        let took = self.now.since(self.arrived_at);
        self.pace(took);
        if took > timeout && timeout > Duration::ZERO {
            return Err(TransportError::Timeout);
        }
        Ok(match result {
            Ok(reply) => reply.complete(data),
            Err(f) => check_condition(data, f.to_sense()),
        })
    }

    /// In paced mode, sleeps the real time the command took on the virtual clock.
    fn pace(&self, took: Duration) {
        if self.config.paced {
            std::thread::sleep(took);
        }
    }
}

impl Transport for EmulatedDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.arrive(cdb, data.len())?;
        self.run_arrived(cdb, data, timeout)
    }
    /// Polling hosts wait on the virtual clock (and in real time too when paced).
    fn pause(&mut self, d: Duration) {
        self.advance(d);
        self.pace(d);
    }

    fn device_time(&self) -> Option<Duration> {
        Some(self.now.since(VirtualTime::ZERO))
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        EmulatedDrive::acquire_exclusive(self, client).map_err(exclusive::to_transport)?;
        self.transport_client = Some(client.to_string());
        Ok(())
    }

    fn release_exclusive(&mut self, client: &str) {
        let _ = EmulatedDrive::release_exclusive(self, client);
        if self.exclusive.is_none() {
            self.transport_client = None;
        }
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        self.config.max_transfer_bytes
    }
}

/// What a command answers when it succeeds.
#[derive(Debug)]
pub(crate) enum Reply {
    /// GOOD, no data-in (data-out, if any, was consumed).
    Done,
    /// GOOD with this data-in (cut to the host's buffer and the allocation length).
    Data(Vec<u8>),
    /// GOOD with data already placed in the host's buffer: `len` bytes.
    InPlace(usize),
}

impl Reply {
    fn complete(self, phase: &mut DataPhase<'_>) -> Completion {
        match (self, phase) {
            (Reply::Data(bytes), DataPhase::In(buf)) => {
                let n = bytes.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
                    dst.copy_from_slice(src);
                }
                Completion::good_with_residual(buf.len() - n)
            }
            (Reply::InPlace(n), DataPhase::In(buf)) => {
                Completion::good_with_residual(buf.len().saturating_sub(n))
            }
            (_, DataPhase::In(buf)) => Completion::good_with_residual(buf.len()),
            _ => Completion::good(),
        }
    }
}

/// A CHECK CONDITION: the sense to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) triple: SenseTriple,
    pub(crate) sks: Option<SenseKeySpecific>,
    pub(crate) information: Option<u64>,
}

impl Failure {
    pub(crate) const fn sense(triple: SenseTriple) -> Self {
        Failure {
            triple,
            sks: None,
            information: None,
        }
    }

    /// 05/24/00 INVALID FIELD IN CDB pointing at `byte` (and `bit`).
    pub(crate) fn invalid_cdb_field(byte: u16, bit: Option<u8>) -> Self {
        Failure {
            triple: triples::INVALID_FIELD_IN_CDB,
            sks: Some(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit,
                byte,
            }),
            information: None,
        }
    }

    /// 05/26/00 INVALID FIELD IN PARAMETER LIST pointing at `byte`.
    pub(crate) fn invalid_parameter(byte: u16) -> Self {
        Failure {
            triple: triples::INVALID_FIELD_IN_PARAMETER_LIST,
            sks: Some(SenseKeySpecific::FieldPointer {
                in_cdb: false,
                bit: None,
                byte,
            }),
            information: None,
        }
    }

    pub(crate) fn progress(triple: SenseTriple, progress: u16) -> Self {
        Failure {
            triple,
            sks: Some(SenseKeySpecific::Progress(progress)),
            information: None,
        }
    }

    fn to_sense(self) -> SenseBytes {
        build_sense(self.triple, self.sks, self.information)
    }
}

impl From<MediumError> for Failure {
    fn from(e: MediumError) -> Self {
        Failure {
            triple: e.triple,
            sks: e.sks,
            information: e.information,
        }
    }
}

/// Fixed-format sense, as MMC drives report by default (70h, 18 bytes).
pub(crate) fn build_sense(
    triple: SenseTriple,
    sks: Option<SenseKeySpecific>,
    information: Option<u64>,
) -> SenseBytes {
    let mut b = SenseBuilder::new(triple);
    if let Some(sks) = sks {
        b = b.sense_key_specific(sks);
    }
    if let Some(info) = information {
        b = b.information(info);
    }
    b.fixed()
}

fn check_condition(phase: &DataPhase<'_>, sense: SenseBytes) -> Completion {
    Completion::check_condition(&sense, phase.len())
}
