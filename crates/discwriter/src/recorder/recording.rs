//! The drive-side steps of a write: write parameters, power calibration, speed, WRITE,
//! synchronizing and closing, and the reads a write makes on the way (the invisible track,
//! the drive's buffer fill).

use core::time::Duration;

use mmc_core::cdb::{
    CdRotationalControl, CloseFunction, CloseTrackSession, DiscStructureMedia, LayerBoundary,
    ModeSelect10, ModeSense10, Opcode, PageControl, Read10, ReadBufferCapacity, ReadDiscStructure,
    ReadTrackInformation, Reservation, ReserveTrack, SendDiscStructure, SendOpcInformation,
    SetCdSpeed, SetStreaming, StreamingType, SynchronizeCache, TrackAddressType, Write10, Write12,
};
use mmc_core::params::{
    DataBlockType, ModePage, ModeParameters, MultiSession, PerformanceDescriptor, RotationControl,
    WriteParameters, WriteType,
};
use mmc_core::response::{BufferCapacity, ResponseFormat, TrackInformation};
use mmc_core::sense::SenseKey;
use mmc_core::{DataPhase, Transport};

use super::exchange::{Answer, Retry};
use super::timeouts::{Timeouts, DEFAULT_TIMEOUT};
use super::wait::WaitTick;
use super::Recorder;
use crate::error::{ApiMisuse, DeviceCause, Error, Phase};

impl<T: Transport> Recorder<T> {
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
        };
        let params: ModeParameters = self.query(&sense)?;
        let mut page = params
            .write_parameters()
            .cloned()
            .ok_or(Error::NoSuchModePage {
                cause: DeviceCause {
                    opcode: Opcode::ModeSense10,
                    sense: None,
                },
            })?;
        edit(&mut page);
        let list = ModeParameters::with_page(ModePage::WriteParameters(page)).select_bytes();
        let select = ModeSelect10 {
            page_format: true,
            save_pages: false,
            parameter_list_length: u16::try_from(list.len()).unwrap_or(u16::MAX),
        };
        self.command(&select, DataPhase::Out(&list), DEFAULT_TIMEOUT, Retry::Once)
            .map(|_| ())
    }

    /// SEND OPC INFORMATION with DoOpc; a drive that does not know the command is fine.
    pub(crate) fn calibrate_power(&mut self, timeouts: &Timeouts) -> Result<(), Error> {
        let cdb = SendOpcInformation {
            do_opc: true,
            exclude0: false,
            exclude1: false,
            parameter_list_length: 0,
        };
        match self.answer(&cdb, DataPhase::None, timeouts.immediate)? {
            Answer::Good { .. } => Ok(()),
            Answer::Check { triple, .. } if triple.asc == 0x20 || triple.asc == 0x24 => Ok(()),
            Answer::Check { triple, .. } => {
                match Error::from_sense(triple, Opcode::SendOpcInformation, Phase::Other) {
                    None => Ok(()),
                    Some(e) => Err(e),
                }
            }
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
            };
            return self
                .command(&cdb, DataPhase::None, DEFAULT_TIMEOUT, Retry::Once)
                .map(|_| ());
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
        };
        self.command(&cdb, DataPhase::Out(&list), DEFAULT_TIMEOUT, Retry::Once)
            .map(|_| ())
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
        };
        self.run_immediate(&cdb, timeouts, progress)
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
        };
        self.run_immediate(&cdb, timeouts, progress)
    }

    /// One WRITE of `data` at `lba`, waiting out a busy drive: WRITE (10), or with
    /// `streaming` WRITE (12) with the Streaming bit (MMC-5 6.45: on a disc with spare areas
    /// the drive records without verifying and replacing defective clusters). A drive that
    /// answers GOOD after taking less than it was sent is
    /// E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE.
    pub(crate) fn write_blocks(
        &mut self,
        lba: i64,
        data: &[u8],
        streaming: bool,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        let lba = i32::try_from(lba)
            .map_err(|_| Error::Api(ApiMisuse::InvalidArg(format!("LBA {lba} is out of range"))))?;
        let sectors = data.len() / super::SECTOR;
        let retry = Retry::Patiently {
            budget: timeouts.long_operation,
            phase: Phase::Writing,
            progress: &mut |_, _| {},
        };
        let (moved, opcode) = if streaming {
            let cdb = Write12 {
                lba,
                blocks: u32::try_from(sectors).unwrap_or(u32::MAX),
                streaming: true,
                ..Write12::default()
            };
            let moved = self.command(&cdb, DataPhase::Out(data), timeouts.transfer, retry)?;
            (moved, Opcode::Write12)
        } else {
            let cdb = Write10 {
                lba,
                blocks: u16::try_from(sectors).unwrap_or(u16::MAX),
                ..Write10::default()
            };
            let moved = self.command(&cdb, DataPhase::Out(data), timeouts.transfer, retry)?;
            (moved, Opcode::Write10)
        };
        // GOOD with a residual: the drive took less than it was sent, and says all is well.
        if moved < data.len() {
            return Err(Error::invalid_response(
                opcode,
                format!(
                    "{} at LBA {lba} answered GOOD after taking {moved} of {} bytes",
                    opcode.name(),
                    data.len()
                ),
            ));
        }
        Ok(())
    }

    /// RESERVE TRACK of `sectors` at the next writable address (MMC-5 6.31, ARSV 0): the
    /// track a Disc-at-Once write fills.
    pub(crate) fn reserve_track(&mut self, sectors: u32) -> Result<(), Error> {
        let cdb = ReserveTrack {
            rmz: false,
            reservation: Reservation::Size(sectors),
        };
        self.command(&cdb, DataPhase::None, DEFAULT_TIMEOUT, Retry::Once)
            .map(|_| ())
    }

    /// The layer boundary of a dual-layer DVD recordable (READ DISC STRUCTURE format 20h,
    /// MMC-5 6.23): `None` when the drive does not report it.
    pub(crate) fn layer_boundary(&mut self) -> Result<Option<LayerBoundary>, Error> {
        let cdb = ReadDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            address: 0,
            layer_number: 0,
            format_code: SendDiscStructure::LAYER_BOUNDARY,
            allocation_length: LayerBoundary::LEN as u16,
            agid: 0,
        };
        let mut buf = [0u8; LayerBoundary::LEN];
        match self.answer(&cdb, DataPhase::In(&mut buf), DEFAULT_TIMEOUT)? {
            Answer::Good { transferred } => {
                Ok(LayerBoundary::parse(buf.get(..transferred).unwrap_or(&[])))
            }
            Answer::Check { triple, .. } => {
                match Error::from_sense(triple, Opcode::ReadDiscStructure, Phase::Other) {
                    // ILLEGAL REQUEST: the drive has no such structure for this disc.
                    Some(_) if triple.key == SenseKey::IllegalRequest => Ok(None),
                    None => Ok(None),
                    Some(e) => Err(e),
                }
            }
        }
    }

    /// SEND DISC STRUCTURE format 20h (MMC-5 6.33): layer 0 of a blank dual-layer disc holds
    /// `layer0_sectors` user sectors. Drives may calibrate on it: the long timeout.
    pub(crate) fn set_layer_boundary(
        &mut self,
        layer0_sectors: u32,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        let list = LayerBoundary {
            fixed: false,
            layer0_sectors,
        }
        .to_bytes();
        let cdb = SendDiscStructure::layer_boundary();
        self.command(&cdb, DataPhase::Out(&list), timeouts.immediate, Retry::Once)
            .map(|_| ())
    }

    /// One READ (10) filling `buf` from `lba`; fewer bytes than asked for is
    /// E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE.
    pub(crate) fn read_blocks(
        &mut self,
        lba: i64,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<(), Error> {
        let want = buf.len();
        let cdb = Read10 {
            dpo: false,
            fua: false,
            lba: i32::try_from(lba)
                .map_err(|_| Error::Api(ApiMisuse::InvalidArg(format!("LBA {lba}"))))?,
            blocks: u16::try_from(want / super::SECTOR).unwrap_or(u16::MAX),
        };
        let got = self.command(&cdb, DataPhase::In(buf), timeout, Retry::Once)?;
        if got < want {
            return Err(Error::invalid_response(
                Opcode::Read10,
                format!("READ (10) at LBA {lba} returned {got} of {want} bytes"),
            ));
        }
        Ok(())
    }

    /// The track being written: READ TRACK INFORMATION of the invisible track (MMC-6 6.27).
    pub(crate) fn invisible_track(&mut self) -> Result<TrackInformation, Error> {
        self.query(&ReadTrackInformation {
            open: false,
            address_type: TrackAddressType::TrackNumber,
            address: 0xFF,
            allocation_length: 48,
        })
    }

    /// The drive buffer's fill (READ BUFFER CAPACITY, MMC-6 6.20), for the progress display,
    /// asked with the timeout of a WRITE: `None` when the drive refuses the command or
    /// answers nothing usable; an error when it does not answer at all.
    pub(crate) fn buffer_fill(&mut self, timeouts: &Timeouts) -> Result<Option<f64>, Error> {
        let cdb = ReadBufferCapacity {
            block: false,
            allocation_length: 12,
        };
        let mut buf = [0u8; 12];
        match self.answer(&cdb, DataPhase::In(&mut buf), timeouts.transfer)? {
            Answer::Good { transferred } => Ok(buf
                .get(..transferred)
                .and_then(|b| BufferCapacity::parse(b).ok())
                .and_then(|c| c.fill_ratio())),
            Answer::Check { .. } => Ok(None),
        }
    }
}

/// How page 05h shapes a write (MMC-5 7.5.4 Write Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageWrite {
    /// CD: Track At Once (01h), Mode 1.
    CdTrackAtOnce,
    /// DVD-R: Packet/Incremental (00h), fixed 16-sector packets.
    DvdIncremental,
    /// DVD-R: Disc-at-Once (02h, the Session At Once code), one session.
    DvdDiscAtOnce,
}

/// Page 05h for a data track written as `write` says, with the multi-session field that
/// keeps the disc appendable or finalizes it at CLOSE SESSION, and BUFE as asked.
pub(crate) fn write_page(
    page: &mut WriteParameters,
    write: PageWrite,
    keep_open: bool,
    bufe: bool,
) {
    let multi_session = if keep_open {
        MultiSession::NextSessionAllowed
    } else {
        MultiSession::NoNextSession
    };
    let fresh = WriteParameters::cd_tao_mode1(multi_session);
    // DVD-R (libburn's cookbook, growisofs's page05_setup): Track Mode 5, Mode 1 blocks of
    // 2048 bytes; incrementally the link size 16 (LS_V) and fixed packets of one 16-sector
    // ECC block; Disc-at-Once without packets or link, and no next session.
    let fresh = match write {
        PageWrite::CdTrackAtOnce => fresh,
        PageWrite::DvdIncremental => WriteParameters {
            write_type: WriteType::Packet,
            link_size_valid: true,
            link_size: 16,
            fixed_packet: true,
            packet_size: 16,
            track_mode: 5,
            data_block_type: DataBlockType::Mode1,
            audio_pause_length: 0,
            ..fresh
        },
        PageWrite::DvdDiscAtOnce => WriteParameters {
            write_type: WriteType::SessionAtOnce,
            multi_session: MultiSession::NoNextSession,
            track_mode: 5,
            data_block_type: DataBlockType::Mode1,
            audio_pause_length: 0,
            ..fresh
        },
    };
    let vendor = page.vendor_specific;
    let length_hint = page.ps;
    *page = WriteParameters {
        bufe,
        vendor_specific: vendor,
        ps: length_hint,
        ..fresh
    };
}
