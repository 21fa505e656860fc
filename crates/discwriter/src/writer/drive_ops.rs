//! The drive-side steps of a write: waiting on a busy drive, write parameters, formatting,
//! speeds, synchronizing and closing. Each sends its CDBs through the recorder and turns
//! the answers into progress or errors.

use core::time::Duration;

use mmc_core::cdb::{CdRotationalControl, FormatType, RotationControl};
use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, FormatDescriptor, FormatUnit, FormatUnitParameters,
    ModeSelect10, ModeSense10, PageControl, PerformanceDescriptor, ReadFormatCapacities,
    SendOpcInformation, SetCdSpeed, SetStreaming, StreamingType, SynchronizeCache, TestUnitReady,
};
use mmc_core::condition::RetryClass;
use mmc_core::response::disc_info::BgFormatStatus;
use mmc_core::response::mode::{ModePage, ModeParameters};
use mmc_core::response::write_parameters::{MultiSession, WriteParameters};
use mmc_core::response::FormatCapacities;
use mmc_core::{DataPhase, Transport};

use crate::error::{ApiMisuse, DeviceCause, Error, Phase};
use crate::recorder::{Answer, Recorder, DEFAULT_TIMEOUT};
use mmc_core::sense::SenseKey;

/// How long each kind of command may take, and how long the engine waits for a drive that
/// is spinning up or finishing a long operation (libburn's and IMAPI's figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Ordinary commands (IMAPI2_DEFAULT_COMMAND_TIMEOUT).
    pub default: Duration,
    /// WRITE and READ, and READ BUFFER CAPACITY while a write runs.
    pub transfer: Duration,
    /// SYNCHRONIZE CACHE, CLOSE, FORMAT and SEND OPC sent with Immed (the engine always sets
    /// Immed and polls TEST UNIT READY after them).
    pub immediate: Duration,
    /// How long a drive may stay "becoming ready" before the write gives up.
    pub becoming_ready: Duration,
    /// How long a long operation (closing, flushing, formatting) may go without its reported
    /// progress moving; one whose progress moves is waited for as long as it moves.
    pub long_operation: Duration,
}

impl Default for Timeouts {
    /// libburn's (spc.h) where they are longer than IMAPI's: a command that times out has the
    /// kernel reset the drive, which mid-track costs the disc.
    fn default() -> Self {
        Timeouts {
            default: DEFAULT_TIMEOUT,
            transfer: Duration::from_secs(200),
            immediate: Duration::from_secs(200),
            becoming_ready: Duration::from_secs(60),
            long_operation: Duration::from_secs(3600),
        }
    }
}

/// How often a background format is polled for completion.
const FORMAT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// How long "no medium" in the polls after an Immed command is asked about again before the
/// wait counts as over (libburn tolerates a drive's unclear answers for 5 s).
const NO_MEDIUM_TOLERANCE: Duration = Duration::from_secs(5);

/// How often a busy drive is polled (libburn polls twice a second).
const POLL_INTERVAL: Duration = Duration::from_millis(500);

fn opcode_of(cdb: &[u8]) -> u8 {
    cdb.first().copied().unwrap_or(0)
}

/// Hears, while the engine waits on a long operation, the fraction done when the drive
/// reports it and the device's clock after each wait.
pub(crate) type WaitTick<'a> = dyn FnMut(Option<f64>, Option<Duration>) + 'a;

/// A sense that says "wait and ask again".
fn is_transient(retry: RetryClass) -> bool {
    matches!(
        retry,
        RetryClass::RetryAfter { .. } | RetryClass::WaitInProgress { .. }
    )
}

/// How long a WRITE the drive answered "busy, buffer full" (02/04/07, 02/04/08) waits before
/// it is sent again: libburn's 2 ms more per attempt up to 25 ms. Waiting half a second, as
/// for any other poll, lets the drive's buffer drain.
fn write_busy_delay(attempt: u32) -> Duration {
    Duration::from_millis(u64::from(attempt.saturating_mul(2).clamp(2, 25)))
}

/// How the engine waits on a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Await {
    /// Send the command and wait out transient conditions.
    Command,
    /// TEST UNIT READY polls after an Immed command (SYNCHRONIZE CACHE, CLOSE, FORMAT): a
    /// pause before the first poll; 02/3A (no medium) ends the wait, as libburn's
    /// spc_wait_unit_attention takes it (drives report it while finishing a close), and the
    /// next command finds out whether the disc is really gone.
    AfterImmed,
}

impl<T: Transport> Recorder<T> {
    /// Sends `cdb`, waiting out transient conditions (becoming ready, long write in progress,
    /// unit attention) for at most `budget` of device time without progress (a long
    /// operation whose reported progress moves is waited for as long as it moves); other
    /// sense becomes the error of `phase`. `progress` hears the fraction done of a long
    /// operation.
    ///
    /// While writing (`Phase::Writing`), a reset (06/29) or a medium that may have changed
    /// (06/28) ends the command with its error instead of repeating it: after a reset the
    /// drive's cache, and the data it had acknowledged, are gone, and after a disc change
    /// the rest of the data would go onto another disc. A deferred error (SPC-5 4.4.1.6)
    /// reports data of an earlier WRITE the drive could not record, and is that WRITE's error
    /// whichever command hears it. A RECOVERED ERROR is success.
    pub(crate) fn send_patiently(
        &mut self,
        cdb: &[u8],
        mut data: DataPhase<'_>,
        timeout: Duration,
        budget: Duration,
        phase: Phase,
        progress: &mut WaitTick<'_>,
    ) -> Result<usize, Error> {
        let opcode = opcode_of(cdb);
        let is_write = matches!(opcode, 0x2A | 0xAA | 0x2E);
        let len = data.len();
        let mut waited = Duration::ZERO;
        let mut best_progress: Option<f64> = None;
        let mut attempt = 0u32;
        loop {
            let phase_data = match &mut data {
                DataPhase::None => DataPhase::None,
                DataPhase::In(b) => DataPhase::In(b),
                DataPhase::Out(b) => DataPhase::Out(b),
            };
            let (triple, p, retry, deferred) = match self.send(cdb, phase_data, timeout)? {
                Answer::Good { transferred } => return Ok(transferred),
                Answer::Check {
                    triple,
                    progress,
                    retry,
                    deferred,
                } => (triple, progress, retry, deferred),
            };
            // RECOVERED ERROR, or NO SENSE: the command did its work (SPC-5 4.4.3).
            if retry == RetryClass::Proceed {
                tracing::warn!(target: "discwriter::drive", "{} succeeded with {triple}", mmc_core::cdb::Opcode::from_u8(opcode));
                return Ok(len);
            }
            if deferred {
                return Err(Error::from_deferred_sense(triple, opcode));
            }
            let attention =
                triple.key == SenseKey::UnitAttention && matches!(triple.asc, 0x28 | 0x29);
            if phase == Phase::Writing && attention {
                return Err(Error::from_sense(triple, opcode, phase).unwrap_or(
                    Error::UnexpectedResponseFromDevice {
                        cause: crate::error::DeviceCause {
                            opcode: opcode.into(),
                            sense: Some(triple),
                        },
                    },
                ));
            }
            if is_transient(retry) && waited < budget {
                attempt = attempt.saturating_add(1);
                let delay = match retry {
                    RetryClass::RetryAfter { delay } if delay > Duration::ZERO => {
                        delay.min(POLL_INTERVAL)
                    }
                    RetryClass::RetryAfter { .. } => Duration::ZERO,
                    _ if is_write => write_busy_delay(attempt),
                    _ => POLL_INTERVAL,
                };
                self.pause(delay);
                progress(p, self.device_time());
                // An operation that moves gets as long as it needs: the budget counts the
                // time since its progress last moved.
                if let Some(now) = p {
                    if best_progress.is_none_or(|b| now > b) {
                        best_progress = Some(now);
                        waited = Duration::ZERO;
                    }
                }
                // A unit attention is reported once; count it as a short wait so a
                // drive that repeats it forever still ends the loop.
                waited += delay.max(Duration::from_millis(10));
                continue;
            }
            return match Error::from_sense(triple, opcode, phase) {
                None => Ok(0),
                Some(e) => Err(e),
            };
        }
    }

    /// Polls TEST UNIT READY until the drive is ready (after a disc change, at the start of a
    /// write), for at most `budget`.
    pub(crate) fn wait_until_ready(
        &mut self,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.await_ready(Await::Command, budget, progress)
    }

    /// Polls TEST UNIT READY after an Immed command until the drive has finished it, for at
    /// most `budget` without progress.
    pub(crate) fn wait_after_immed(
        &mut self,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.await_ready(Await::AfterImmed, budget, progress)
    }

    fn await_ready(
        &mut self,
        how: Await,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        if how == Await::AfterImmed {
            self.pause(POLL_INTERVAL);
        }
        let mut no_medium = Duration::ZERO;
        loop {
            let polled = self.send_patiently(
                &TestUnitReady.encode(),
                DataPhase::None,
                DEFAULT_TIMEOUT,
                budget,
                Phase::Other,
                progress,
            );
            match polled {
                // "No medium" while a close finishes: asked again for a while (the drive may
                // go on to "in progress", which is then waited for), and after that the
                // wait is over; the next command finds out whether the disc is gone.
                Err(Error::NoMedia { .. }) if how == Await::AfterImmed => {
                    if no_medium >= NO_MEDIUM_TOLERANCE {
                        return Ok(());
                    }
                    self.pause(POLL_INTERVAL);
                    no_medium += POLL_INTERVAL;
                }
                other => return other.map(|_| ()),
            }
        }
    }

    /// MODE SENSE of page 05h, then MODE SELECT with the changes `edit` makes (CD and
    /// DVD-R only; MMC-6 7.5).
    pub(crate) fn set_write_parameters(
        &mut self,
        edit: impl FnOnce(&mut WriteParameters),
    ) -> Result<(), Error> {
        let sense = ModeSense10 {
            long_lba_accepted: false,
            disable_block_descriptors: true,
            page_control: PageControl::Current,
            page_code: 0x05,
            subpage_code: 0,
            allocation_length: 256,
        }
        .encode();
        let params: ModeParameters = self.read_response(&sense, 256)?;
        let mut page = params
            .write_parameters()
            .cloned()
            .ok_or(Error::NoSuchModePage {
                cause: DeviceCause {
                    opcode: mmc_core::Opcode::ModeSense10,
                    sense: None,
                },
            })?;
        edit(&mut page);
        let list = ModeParameters::with_page(ModePage::WriteParameters(page)).select_bytes();
        let select = ModeSelect10 {
            page_format: true,
            save_pages: false,
            parameter_list_length: u16::try_from(list.len()).unwrap_or(u16::MAX),
        }
        .encode();
        self.execute(&select, DataPhase::Out(&list), DEFAULT_TIMEOUT)
    }

    /// The formats READ FORMAT CAPACITIES offers.
    pub(crate) fn format_capacities(&mut self) -> Result<FormatCapacities, Error> {
        let cdb = ReadFormatCapacities {
            allocation_length: 512,
        }
        .encode();
        self.read_response(&cdb, 512)
    }

    /// FORMAT UNIT with Immed (MMC-6 6.5).
    pub(crate) fn format(
        &mut self,
        descriptor: FormatDescriptor,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        let params = FormatUnitParameters::immediate(descriptor).to_bytes();
        let cdb = FormatUnit {
            fmt_data: true,
            cmp_list: false,
            format_code: 1,
        }
        .encode();
        self.send_patiently(
            &cdb,
            DataPhase::Out(&params),
            timeouts.immediate,
            timeouts.becoming_ready,
            Phase::Other,
            &mut |_, _| {},
        )
        .map(|_| ())
    }

    /// The format an unformatted BD-RE gets: the default with spare areas (type 00h) when
    /// offered, else the largest 30h; DVD+RW: the basic background format (26h).
    pub(crate) fn default_format(&mut self, dvd_plus_rw: bool) -> Result<FormatDescriptor, Error> {
        if dvd_plus_rw {
            return Ok(FormatDescriptor::dvd_plus_rw_basic(false));
        }
        let caps = self.format_capacities()?;
        let pick = caps
            .formattable
            .iter()
            .find(|d| d.format_type == FormatType::FullFormat)
            .or_else(|| {
                caps.formattable
                    .iter()
                    .find(|d| d.format_type == FormatType::BdReWithSpareAreas)
            })
            .or_else(|| caps.formattable.first())
            .copied()
            .ok_or(Error::MediaIncompatible {
                cause: DeviceCause {
                    opcode: mmc_core::Opcode::ReadFormatCapacities,
                    sense: None,
                },
            })?;
        Ok(FormatDescriptor {
            number_of_blocks: pick.blocks,
            format_type: pick.format_type,
            format_subtype: 0,
            type_dependent: pick.type_dependent,
        })
    }

    /// SEND OPC INFORMATION with DoOpc; a drive that does not know the command is fine.
    pub(crate) fn calibrate_power(&mut self, timeouts: &Timeouts) -> Result<(), Error> {
        let cdb = SendOpcInformation {
            do_opc: true,
            exclude0: false,
            exclude1: false,
            parameter_list_length: 0,
        }
        .encode();
        match self.send(&cdb, DataPhase::None, timeouts.immediate)? {
            Answer::Good { .. } => Ok(()),
            Answer::Check { triple, .. } if triple.asc == 0x20 || triple.asc == 0x24 => Ok(()),
            Answer::Check { triple, .. } => match Error::from_sense(triple, 0x54, Phase::Other) {
                None => Ok(()),
                Some(e) => Err(e),
            },
        }
    }

    /// SET CD SPEED (CD) or SET STREAMING (DVD, BD) for `write_kbps` (`None`: the fastest).
    pub(crate) fn set_speed(
        &mut self,
        cd: bool,
        write_kbps: Option<u32>,
        pure_cav: bool,
        end_lba: u32,
    ) -> Result<(), Error> {
        if cd {
            let cdb = SetCdSpeed {
                rotational_control: if pure_cav {
                    CdRotationalControl::PureCav
                } else {
                    CdRotationalControl::ClvOrNonPureCav
                },
                read_speed: u16::MAX,
                write_speed: write_kbps
                    .map(|k| u16::try_from(k).unwrap_or(u16::MAX))
                    .unwrap_or(u16::MAX),
            }
            .encode();
            return self.execute(&cdb, DataPhase::None, DEFAULT_TIMEOUT);
        }
        let mut descriptor = PerformanceDescriptor::speeds(
            0,
            i32::try_from(end_lba).unwrap_or(i32::MAX),
            u32::MAX,
            write_kbps.unwrap_or(u32::MAX),
        );
        if pure_cav {
            descriptor.rotation_control = RotationControl::Cav;
        }
        let mut list = [0u8; PerformanceDescriptor::LEN];
        descriptor
            .emit(&mut list)
            .map_err(|e| Error::Api(ApiMisuse::InvalidArg(e.to_string())))?;
        let cdb = SetStreaming {
            streaming_type: StreamingType::Performance,
            parameter_list_length: PerformanceDescriptor::LEN as u16,
        }
        .encode();
        self.execute(&cdb, DataPhase::Out(&list), DEFAULT_TIMEOUT)
    }

    /// SYNCHRONIZE CACHE with Immed, then waits for the drive to finish writing.
    pub(crate) fn synchronize(
        &mut self,
        timeouts: &Timeouts,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        let cdb = SynchronizeCache {
            immed: true,
            lba: 0,
            blocks: 0,
        }
        .encode();
        self.send_patiently(
            &cdb,
            DataPhase::None,
            timeouts.immediate,
            timeouts.long_operation,
            Phase::Writing,
            progress,
        )?;
        self.wait_after_immed(timeouts.long_operation, progress)
    }

    /// CLOSE TRACK/SESSION with Immed, then waits for it to finish.
    pub(crate) fn close(
        &mut self,
        function: CloseFunction,
        track_number: u16,
        timeouts: &Timeouts,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        let cdb = CloseTrackSession {
            immed: true,
            function,
            track_number,
        }
        .encode();
        self.send_patiently(
            &cdb,
            DataPhase::None,
            timeouts.immediate,
            timeouts.long_operation,
            Phase::Writing,
            progress,
        )?;
        self.wait_after_immed(timeouts.long_operation, progress)
    }
}

/// Page 05h for a TAO data track in Mode 1, with the multi-session field that keeps the disc
/// appendable or finalizes it at CLOSE SESSION, and BUFE as asked.
pub(crate) fn tao_data_track(page: &mut WriteParameters, keep_open: bool, bufe: bool) {
    let fresh = WriteParameters::cd_tao_mode1(if keep_open {
        MultiSession::NextSessionAllowed
    } else {
        MultiSession::NoNextSession
    });
    let vendor = page.vendor_specific;
    let length_hint = page.ps;
    *page = WriteParameters {
        bufe,
        vendor_specific: vendor,
        ps: length_hint,
        ..fresh
    };
}

impl<T: Transport> Recorder<T> {
    /// Formats a rewritable disc for use (IMAPI's format step, also the `format` command):
    /// DVD+RW gets the basic background format, and with `quick` the background format is
    /// stopped at once (the disc is usable immediately); BD-RE gets the default format with
    /// spare areas (`quick`: the quick reformat sub-type, otherwise full certification where
    /// the drive offers it). Waits until the drive is ready again.
    /// `progress` hears the fraction done whenever the drive reports it.
    pub fn format_medium(
        &mut self,
        quick: bool,
        timeouts: &Timeouts,
        progress: &mut dyn FnMut(Option<f64>),
    ) -> Result<(), Error> {
        // The tray stays shut while the disc is formatted, and is unlocked however it ends.
        self.lock_tray(true)?;
        let result = self.format_locked(quick, timeouts, progress);
        self.unlock_tray_after();
        result
    }

    fn format_locked(
        &mut self,
        quick: bool,
        timeouts: &Timeouts,
        progress: &mut dyn FnMut(Option<f64>),
    ) -> Result<(), Error> {
        let profile = self.current_profile()?;
        match profile {
            mmc_core::Profile::DvdPlusRw => {
                self.format(FormatDescriptor::dvd_plus_rw_basic(false), timeouts)?;
                if quick {
                    return self.close(
                        CloseFunction::QuickStopBackgroundFormat,
                        0,
                        timeouts,
                        &mut |p, _| progress(p),
                    );
                }
                // A full format lets the background format run to the end (MMC-6 4.3.8:
                // READ DISC INFORMATION reports BG format status 11b when it completes).
                let mut waited = Duration::ZERO;
                while self.background_format_status()? != BgFormatStatus::Complete {
                    if waited > timeouts.long_operation {
                        return Err(Error::MediaFormatInProgress {
                            cause: DeviceCause {
                                opcode: mmc_core::Opcode::ReadDiscInformation,
                                sense: None,
                            },
                        });
                    }
                    self.pause(FORMAT_POLL_INTERVAL);
                    waited += FORMAT_POLL_INTERVAL;
                    progress(None);
                }
                Ok(())
            }
            mmc_core::Profile::BdRe => {
                let mut descriptor = self.default_format(false)?;
                if descriptor.format_type == FormatType::BdReWithSpareAreas {
                    // Sub-type 00b quick reformat, 10b full certification (MMC-6 6.5.4.2.14).
                    descriptor.format_subtype = if quick { 0b00 } else { 0b10 };
                }
                self.format(descriptor, timeouts)?;
                self.wait_after_immed(timeouts.long_operation, &mut |p, _| progress(p))
            }
            other => Err(Error::MediaIsNotSupported {
                detail: format!(
                    "{} discs are not formatted (only DVD+RW and BD-RE are)",
                    other.name()
                ),
            }),
        }
    }

    /// Closes the tray and loads the disc (START STOP UNIT LoEj = 1, Start = 1; IMAPI's
    /// CloseTray).
    pub fn load(&mut self) -> Result<(), Error> {
        use mmc_core::cdb::{PowerCondition, StartStopUnit};
        let load = StartStopUnit {
            immed: false,
            format_layer_number: 0,
            power_condition: PowerCondition::StartValid,
            format_layer: false,
            load_eject: true,
            start: true,
        }
        .encode();
        // libburn allows 300 s for a load (IMAPI 60 s): a drive may read the whole TOC.
        self.execute(&load, DataPhase::None, Duration::from_secs(300))
    }

    /// PREVENT ALLOW MEDIUM REMOVAL (SPC-5 6.13; MMC-6 6.14): `lock` keeps the tray shut
    /// (and the eject button dead) while a disc is written, formatted or closed. A drive that
    /// refuses the command is written to anyway (logged): only one that does not answer
    /// fails.
    pub fn lock_tray(&mut self, lock: bool) -> Result<(), Error> {
        use mmc_core::cdb::PreventAllowMediumRemoval;
        let cdb = PreventAllowMediumRemoval {
            persistent: false,
            prevent: lock,
        }
        .encode();
        match self.send(&cdb, DataPhase::None, DEFAULT_TIMEOUT)? {
            Answer::Good { .. } => Ok(()),
            Answer::Check { triple, .. } => {
                tracing::info!(target: "discwriter::drive", "PREVENT ALLOW MEDIUM REMOVAL ({}) refused: {triple}", if lock { "lock" } else { "unlock" });
                Ok(())
            }
        }
    }

    /// Unlocks the tray after a write or a format, however it ended: a drive that is gone
    /// needs nothing; one that does not answer leaves a warning (its tray may stay locked
    /// until the drive is reset).
    pub(crate) fn unlock_tray_after(&mut self) {
        match self.lock_tray(false) {
            Ok(()) | Err(Error::DeviceNotExist) | Err(Error::InvalidHandle) => {}
            Err(e) => tracing::warn!(target: "discwriter::drive", "could not unlock the tray: {e}"),
        }
    }

    /// Opens the tray (START STOP UNIT LoEj = 1, Start = 0), allowing removal first.
    pub fn eject(&mut self) -> Result<(), Error> {
        use mmc_core::cdb::{PowerCondition, PreventAllowMediumRemoval, StartStopUnit};
        let allow = PreventAllowMediumRemoval {
            persistent: false,
            prevent: false,
        }
        .encode();
        self.execute(&allow, DataPhase::None, DEFAULT_TIMEOUT)?;
        let eject = StartStopUnit {
            immed: false,
            format_layer_number: 0,
            power_condition: PowerCondition::StartValid,
            format_layer: false,
            load_eject: true,
            start: false,
        }
        .encode();
        self.execute(&eject, DataPhase::None, DEFAULT_TIMEOUT)
    }
}

impl<T: Transport> Recorder<T> {
    /// READ DISC INFORMATION's background format status.
    pub(crate) fn background_format_status(&mut self) -> Result<BgFormatStatus, Error> {
        use mmc_core::cdb::{DiscInformationType, ReadDiscInformation};
        let cdb = ReadDiscInformation {
            data_type: DiscInformationType::Standard,
            allocation_length: 34,
        }
        .encode();
        let info: mmc_core::response::DiscInformation = self.read_response(&cdb, 34)?;
        Ok(info.bg_format_status)
    }
}
