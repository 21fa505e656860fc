//! The commands that reach the disc: information about it, reading, writing, synchronizing,
//! closing and formatting. The medium answers; the drive adds what belongs to the drive:
//! the buffer and its timing, power calibration, buffer underruns, long operations.

use core::time::Duration;

use mmc_core::cdb::{
    Blank, CloseTrackSession, DiscInformationType, FormatUnit, ReadDiscInformation,
    ReadDiscStructure, ReadTocPmaAtip, ReadTrackInformation, ReserveTrack, SendCueSheet,
    SendDiscStructure, SynchronizeCache, Verify10,
};
use mmc_core::params::FormatUnitParameters;
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity};
use mmc_core::response::disc_info::LastSessionState;
use mmc_core::response::{FormatCapacities, ResponseFormat, WriteProtectionStatus};
use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, Profile};

use super::mode::data_out;
use super::{EmulatedDrive, Failure, InsertedDisc, LongOperation, Reply, WRITE_INHIBIT_DCB};
use crate::medium::{list_also, with_header, MediaIdentity, Medium, STRUCTURE_LIST};
use crate::store::SECTOR;

/// The most blocks one READ/WRITE may move here (64 MiB): larger transfers are refused as an
/// invalid transfer length rather than allocated.
const MAX_TRANSFER_BLOCKS: u32 = 32 * 1024;
/// READ DISC STRUCTURE format C0h: Write Protection Status.
const WRITE_PROTECTION_STATUS: u8 = 0xC0;
/// READ DISC STRUCTURE format 30h: Disc Control Blocks.
const DISC_CONTROL_BLOCK: u8 = 0x30;
/// A DVD+RW Disc Control Block: one ECC block.
const DCB_LEN: usize = 16 * 2048;

fn cut(mut bytes: Vec<u8>, allocation_length: u16) -> Reply {
    bytes.truncate(usize::from(allocation_length));
    Reply::Data(bytes)
}

impl EmulatedDrive {
    pub(super) fn disc_mut(&mut self) -> Result<&mut InsertedDisc, Failure> {
        self.disc
            .as_mut()
            .ok_or(Failure::sense(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED))
    }

    pub(super) fn medium_ref(&self) -> Result<&dyn Medium, Failure> {
        self.disc
            .as_ref()
            .map(|d| d.medium.as_ref())
            .ok_or(Failure::sense(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED))
    }

    pub(super) fn read_capacity(&self) -> Result<Reply, Failure> {
        let capacity = self.medium_ref()?.read_capacity()?;
        Ok(Reply::Data(capacity.to_bytes()))
    }

    /// MMC-6 6.24: with no medium the current descriptor says "no media present".
    pub(super) fn read_format_capacities(&self) -> Reply {
        let capacities = match self.disc.as_ref() {
            Some(d) if !self.tray_open && self.ready().is_ok() => d.medium.format_capacities(),
            _ => FormatCapacities {
                current: CurrentCapacity {
                    blocks: u32::MAX,
                    descriptor_type: CapacityDescriptorType::NoMedia,
                    block_length: 2048,
                },
                formattable: Vec::new(),
                cut_bytes: 0,
            },
        };
        Reply::Data(capacities.to_bytes())
    }

    pub(super) fn read_disc_information(&self, cdb: ReadDiscInformation) -> Result<Reply, Failure> {
        if cdb.data_type != DiscInformationType::Standard {
            return Err(Failure::invalid_cdb_field(1, None));
        }
        let mut info = self.medium_ref()?.disc_information();
        if self.damaged_open_session() {
            // MMC-6 6.22.3.1.3: State of Last Session 10b, damaged.
            info.last_session_state = LastSessionState::Damaged;
        }
        Ok(cut(info.to_bytes(), cdb.allocation_length))
    }

    pub(super) fn read_track_information(
        &self,
        cdb: ReadTrackInformation,
    ) -> Result<Reply, Failure> {
        let mut info = self
            .medium_ref()?
            .track_information(cdb.address_type, cdb.address)?;
        // The open track of a damaged session: Damage set, no next writable address and no
        // free blocks (MMC-6 6.27.3.5: damaged, not closed, not writable).
        if self.damaged_open_session() && info.next_writable_address.is_some() && !info.blank {
            info.damage = true;
            info.next_writable_address = None;
            info.free_blocks = 0;
        }
        Ok(cut(info.to_bytes(), cdb.allocation_length))
    }

    pub(super) fn read_toc(&self, cdb: ReadTocPmaAtip) -> Result<Reply, Failure> {
        let bytes = self.medium_ref()?.read_toc(&cdb)?;
        Ok(cut(bytes, cdb.allocation_length))
    }

    pub(super) fn read_disc_structure(&self, cdb: ReadDiscStructure) -> Result<Reply, Failure> {
        let protection = self.write_protection();
        // The drive knows why the disc is write-protected, the medium model does not.
        if cdb.format_code == DISC_CONTROL_BLOCK
            && protection.disc_control_block
            && self.medium_ref()?.profile() == Profile::DvdPlusRw
        {
            return self.write_inhibit_dcb(cdb);
        }
        let medium = self.medium_ref()?;
        let identity = self
            .config
            .media_identity
            .clone()
            .or_else(|| MediaIdentity::default_for(medium.kind()));
        let mut bytes = medium.read_disc_structure(&cdb, identity.as_ref())?;
        // The write-inhibit DCB the drive answers is listed with the disc's structures.
        if cdb.format_code == STRUCTURE_LIST
            && protection.disc_control_block
            && medium.profile() == Profile::DvdPlusRw
        {
            bytes = list_also(&bytes, DISC_CONTROL_BLOCK, 4 + DCB_LEN);
        }
        // Format C0h says why, cause by cause (MMC-6 6.23, format C0h).
        if cdb.format_code == WRITE_PROTECTION_STATUS && protection.any() {
            if let Ok(status) = WriteProtectionStatus::parse(&bytes) {
                let causes = protection.status();
                bytes = WriteProtectionStatus {
                    cut_bytes: status.cut_bytes,
                    ..causes
                }
                .to_bytes();
            }
        }
        Ok(cut(bytes, cdb.allocation_length))
    }

    /// Format 30h of a DVD+RW with a write-inhibit DCB (MMC-6 6.23, format 30h): the DCB
    /// whose content descriptor the Address field names, or with FFFFFFFFh the list of the
    /// DCBs recorded, here that one; another descriptor is not recorded (05/24/00 on the
    /// Address field).
    fn write_inhibit_dcb(&self, cdb: ReadDiscStructure) -> Result<Reply, Failure> {
        let descriptor = WRITE_INHIBIT_DCB.to_be_bytes();
        let body: Vec<u8> = match cdb.address {
            WRITE_INHIBIT_DCB => {
                // One 16-block DCB: its content descriptor, the rest zero (no password set).
                let mut dcb = vec![0u8; DCB_LEN];
                if let Some(head) = dcb.get_mut(..4) {
                    head.copy_from_slice(&descriptor);
                }
                dcb
            }
            u32::MAX => descriptor.to_vec(),
            _ => return Err(Failure::invalid_cdb_field(2, None)),
        };
        Ok(cut(with_header(&body), cdb.allocation_length))
    }

    pub(super) fn read(
        &mut self,
        lba: i64,
        blocks: u32,
        data: &mut DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        if blocks > MAX_TRANSFER_BLOCKS {
            return Err(Failure::invalid_cdb_field(7, None));
        }
        let lba = i32::try_from(lba).map_err(|_| Failure::sense(triples::LBA_OUT_OF_RANGE))?;
        let kbps = self.user_data_kbps(self.speed.read_kbps);
        let DataPhase::In(buf) = data else {
            return Ok(Reply::Done);
        };
        // Only whole blocks that fit the host's buffer move; the rest is residual.
        let fit = u32::try_from(buf.len() / 2048)
            .unwrap_or(u32::MAX)
            .min(blocks);
        let len = fit as usize * 2048;
        let out = buf.get_mut(..len).unwrap_or(&mut []);
        self.read_through_cache(lba, out)?;
        if fit > 0 {
            self.head = lba.saturating_add(i32::try_from(fit - 1).unwrap_or(0));
        }
        self.now = self
            .now
            .after(crate::clock::transfer_time(u64::from(fit), kbps));
        Ok(Reply::InPlace(len))
    }

    /// Reads `out` (whole sectors) from `lba`: the sectors the read cache holds from it, the
    /// others from the medium, run by run, so a medium error names the first sector of the
    /// medium that failed.
    fn read_through_cache(&mut self, lba: i32, out: &mut [u8]) -> Result<(), Failure> {
        let disc = self
            .disc
            .as_mut()
            .ok_or(Failure::sense(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED))?;
        let cache = &self.read_cache;
        if cache.len() == 0 || out.is_empty() {
            return Ok(disc.medium.read(lba, out)?);
        }
        let cached = |i: usize| {
            i32::try_from(i)
                .ok()
                .and_then(|i| lba.checked_add(i))
                .and_then(|at| cache.get(at))
        };
        let sectors = out.len() / SECTOR;
        let mut first = 0;
        while first < sectors {
            let from_cache = cached(first).is_some();
            let end = (first + 1..sectors)
                .find(|&i| cached(i).is_some() != from_cache)
                .unwrap_or(sectors);
            if from_cache {
                for i in first..end {
                    if let (Some(dst), Some(src)) =
                        (out.get_mut(i * SECTOR..(i + 1) * SECTOR), cached(i))
                    {
                        dst.copy_from_slice(src);
                    }
                }
            } else {
                let at = i32::try_from(first)
                    .ok()
                    .and_then(|i| lba.checked_add(i))
                    .ok_or(Failure::sense(triples::LBA_OUT_OF_RANGE))?;
                let run = out.get_mut(first * SECTOR..end * SECTOR).unwrap_or(&mut []);
                disc.medium.read(at, run)?;
            }
            first = end;
        }
        Ok(())
    }

    /// A WRITE the drive answered GOOD without recording (a plan's `drop_write`): its data
    /// still went into the buffer, so the read cache keeps it, as it keeps what a real
    /// drive acknowledged but did not record well.
    pub(crate) fn keep_dropped_write(&mut self, cdb: &[u8], data: &DataPhase<'_>) {
        let (lba, blocks) = match mmc_core::cdb::Command::decode(cdb) {
            Ok(mmc_core::cdb::Command::Write10(c)) => (i64::from(c.lba), u32::from(c.blocks)),
            Ok(mmc_core::cdb::Command::Write12(c)) => (i64::from(c.lba), c.blocks),
            _ => return,
        };
        let (Ok(lba), DataPhase::Out(bytes)) = (i32::try_from(lba), data) else {
            return;
        };
        let len = usize::try_from(blocks)
            .unwrap_or(usize::MAX)
            .saturating_mul(SECTOR);
        self.read_cache
            .keep(lba, bytes.get(..len.min(bytes.len())).unwrap_or(&[]));
    }

    pub(super) fn write(
        &mut self,
        lba: i64,
        blocks: u32,
        streaming: bool,
        data: &mut DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        if blocks > MAX_TRANSFER_BLOCKS {
            return Err(Failure::invalid_cdb_field(7, None));
        }
        let lba = i32::try_from(lba).map_err(|_| Failure::sense(triples::LBA_OUT_OF_RANGE))?;
        let len = blocks as usize * 2048;
        let bytes = data_out(data, len)?;
        if blocks == 0 {
            return Ok(Reply::Done);
        }
        let starting = !self.buffer.is_streaming();
        if starting {
            // Power calibration happens before the first block of a stream.
            self.calibration_ok()?;
        }
        let underrun = self.buffer.take_underrun();
        let now = self.now;
        let disc = self.disc_mut()?;
        let is_cd = disc.medium.profile().is_cd();
        let bufe = disc
            .medium
            .write_parameters()
            .map(|p| p.bufe)
            .unwrap_or(true);
        if underrun && is_cd && !bufe {
            // The laser had nothing to record: the track is interrupted (MMC-6 4.3.6).
            self.buffer.reset();
            return Err(Failure::sense(triples::LOSS_OF_STREAMING));
        }
        disc.medium.write(lba, bytes, streaming, now)?;
        // With defect management the drive verifies what it wrote, at about half the speed,
        // unless the host streams (WRITE(12) with the Streaming bit). The rate holds for
        // the whole buffer: while it drains between commands and at SYNCHRONIZE CACHE too,
        // not only while this WRITE waits for room.
        let verifying = disc.medium.defect_management_active() && !streaming;
        self.buffer.verifying = verifying;
        self.buffer.streamed = streaming;
        self.read_cache.keep(lba, bytes);
        let wait = self.buffer.accept(len as u64, self.recording_kbps());
        self.now = self.now.after(wait);
        Ok(Reply::Done)
    }

    pub(super) fn verify(&mut self, cdb: Verify10) -> Result<Reply, Failure> {
        let lba = cdb.lba;
        let blocks = u32::from(cdb.blocks);
        let mut scratch = vec![0u8; blocks as usize * 2048];
        self.disc_mut()?.medium.read(lba, &mut scratch)?;
        Ok(Reply::Done)
    }

    /// Compares the data-out of VERIFY with BytChk against the disc.
    pub(super) fn verify_bytes(
        &mut self,
        cdb: Verify10,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        let len = usize::from(cdb.blocks) * 2048;
        let expected = data_out(data, len)?;
        let mut scratch = vec![0u8; len];
        self.disc_mut()?.medium.read(cdb.lba, &mut scratch)?;
        match scratch.iter().zip(expected).position(|(a, b)| a != b) {
            None => Ok(Reply::Done),
            Some(i) => Err(Failure {
                information: Some(i as u64),
                ..Failure::sense(triples::MISCOMPARE_DURING_VERIFY)
            }),
        }
    }

    /// Empties the buffer onto the disc; returns how long that takes.
    fn flush_buffer(&mut self) -> Duration {
        self.buffer.flush(self.recording_kbps())
    }

    /// Runs an operation of `duration`: in the background with Immed (02/04/08 with progress
    /// until it ends), or in the foreground.
    fn busy_for(&mut self, duration: Duration, immed: bool) {
        self.busy_with(triples::LONG_WRITE_IN_PROGRESS, duration, immed);
    }

    /// Runs an operation of `duration` that reports `sense` (02/04/xx with progress) to the
    /// commands that arrive while it runs in the background (Immed).
    fn busy_with(&mut self, sense: SenseTriple, duration: Duration, immed: bool) {
        let until = self.now.after(duration);
        self.buffer.flushed_at(until);
        if immed && duration > Duration::ZERO {
            self.long_operation = Some(LongOperation {
                started: self.now,
                until,
                sense,
            });
        } else {
            self.now = until;
        }
    }

    pub(super) fn synchronize_cache(&mut self, cdb: SynchronizeCache) -> Result<Reply, Failure> {
        let drain = self.flush_buffer();
        self.disc_mut()?.medium.synchronize()?;
        self.busy_for(drain, cdb.immed);
        Ok(Reply::Done)
    }

    pub(super) fn close_track_session(&mut self, cdb: CloseTrackSession) -> Result<Reply, Failure> {
        let drain = self.flush_buffer();
        let now = self.now.after(drain);
        let busy = self.disc_mut()?.medium.close(&cdb, now)?;
        self.busy_for(drain + busy.duration, cdb.immed);
        Ok(Reply::Done)
    }

    pub(super) fn format_unit(
        &mut self,
        cdb: FormatUnit,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        if !cdb.fmt_data {
            // MMC-6 6.5: an MMC drive formats from a format descriptor; without one there is
            // nothing to do it with.
            return Err(Failure::invalid_cdb_field(1, Some(4)));
        }
        let list = data_out(data, FormatUnitParameters::LEN)?;
        let params = FormatUnitParameters::parse(list).map_err(|e| {
            let (triple, sks) = e.sense();
            Failure {
                triple,
                sks,
                information: None,
            }
        })?;
        let now = self.now;
        let busy = self.disc_mut()?.medium.format(&params, now)?;
        // The format rewrites the medium under the read cache.
        self.read_cache.drop_all();
        if !params.immed {
            // Without Immed the command returns when the format is done.
            self.now = self.now.after(busy.duration);
            self.settle();
        }
        Ok(Reply::Done)
    }

    /// BLANK: the medium erases what the blanking type names. With Immed the drive answers
    /// at once and reports 02/04/07 OPERATION IN PROGRESS with the fraction done until the
    /// blanking ends (MMC-6 6.2.2).
    pub(super) fn blank(&mut self, cdb: Blank) -> Result<Reply, Failure> {
        let drain = self.flush_buffer();
        let now = self.now.after(drain);
        let busy = self.disc_mut()?.medium.blank(&cdb, now)?;
        // Blanking erases what the read cache holds (MMC-6 6.2).
        self.read_cache.drop_all();
        self.busy_with(
            triples::OPERATION_IN_PROGRESS,
            drain + busy.duration,
            cdb.immed,
        );
        Ok(Reply::Done)
    }

    pub(super) fn reserve_track(&mut self, cdb: ReserveTrack) -> Result<Reply, Failure> {
        self.disc_mut()?.medium.reserve_track(&cdb)?;
        Ok(Reply::Done)
    }

    pub(super) fn send_cue_sheet(
        &mut self,
        cdb: SendCueSheet,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        let len = usize::try_from(cdb.cue_sheet_size).unwrap_or(usize::MAX);
        let sheet = data_out(data, len)?;
        self.disc_mut()?.medium.send_cue_sheet(sheet)?;
        Ok(Reply::Done)
    }

    /// SEND DISC STRUCTURE: the structure goes to the medium (the DVD+R DL layer boundary).
    pub(super) fn send_disc_structure(
        &mut self,
        cdb: SendDiscStructure,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        let list = data_out(data, usize::from(cdb.parameter_list_length))?;
        self.disc_mut()?.medium.send_disc_structure(&cdb, list)?;
        Ok(Reply::Done)
    }
}
