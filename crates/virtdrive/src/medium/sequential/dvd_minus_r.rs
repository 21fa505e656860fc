//! DVD-R (profile 0011h, DVD-R Sequential recording) and DVD-R DL (0015h, DVD-R Dual Layer
//! Sequential recording): MMC-5 (READ DISC INFORMATION, RESERVE TRACK, CLOSE
//! TRACK/SESSION, the Write Parameters page); libburn's "Sequential DVD-R[W] Cookbook";
//! growisofs (`growisofs_mmc.cpp`).
//!
//! Unlike DVD+R, a DVD-R records as page 05h says, like a CD-R (MMC-5 7.5.4, the Write
//! Parameters page):
//!
//! - **Write Type 00h, Incremental** (feature 0021h current; DVD-R only): tracks (RZones)
//!   written at the next writable address, each closed with CLOSE TRACK; CLOSE SESSION (010b)
//!   closes the session with a border and keeps the disc appendable when page 05h
//!   Multi-session is 11b, and finalizes the disc otherwise (MMC-5 6.3.3.2.3; cookbook: "It
//!   depends on the Multi-Session value in mode page 05h whether the disc is finalized or
//!   stays appendable"). RESERVE TRACK reserves an RZone as on DVD+R.
//! - **Write Type 02h, Disc-at-Once** (feature 002Fh current): one session of one track on a
//!   blank disc. RESERVE TRACK gives its size (a reservation on a disc that is not blank is
//!   05/2C/00, and so is a WRITE before it); the host writes it from LBA 0, and a write past
//!   it fails with 05/63/00 as any reserved track's. The SYNCHRONIZE CACHE that finds the
//!   reservation written closes the track, the session and the disc: growisofs
//!   (`minus_r_finalize`: "if (!is_dao)" guards its CLOSE commands) and libburn ("No further
//!   finalization is necessary. (I.e. no 5Bh CLOSE TRACK SESSION.)") send nothing after the
//!   flush. Closing before that pads the reservation and finalizes.
//! - **Test Write** (feature 002Fh's Test Write bit; growisofs `-dummy`, cdrskin and wodim
//!   `-dummy`): in both modes the drive runs the recording with the laser off, as on CD-R
//!   (`cd_r::test_write`): READ TRACK INFORMATION follows the simulated recording, every
//!   other reply, the store and the saved state keep the disc as recorded, and the simulated
//!   session is forgotten where a real one would be closed (CLOSE SESSION, or the flush that
//!   ends a Disc-at-Once recording) or when Test Write is cleared.
//! - Page 05h: Write Types 00h (DVD-R only) and 02h; TAO (01h), Raw (03h) and Layer Jump
//!   (04h, profile 0016h, not emulated) are 05/26/00 at MODE SELECT. Data Block Type 8 only;
//!   Multi-session 00b, 01b or 11b; Track Mode, FP, link and packet size kept as sent
//!   (libburn sends Track Mode 5, FP, link size 16 and packet size 16 for Incremental,
//!   growisofs the Track Mode of READ TRACK INFORMATION).
//!
//! # DVD-R DL
//!
//! Sequential recording only in Disc-at-Once: drives offer no Incremental Streaming for it
//! (feature 0021h not current), growisofs engages DAO when "FEATURE 21h is not on" and notes
//! "DVD-R DL Seq has no notion of multi-session"; libburn's cookbook has it "can only do
//! single-session". A MODE SELECT of Write Type 00h is therefore refused with 05/26/00 on
//! the write type, so a host learns it before writing (libburn then chooses SAO). Two
//! layers in opposite track path, 2,085,856 sectors each on a blank disc: READ DISC
//! STRUCTURE 00h reports two layers and the end of layer 0 (MMC-5 READ DISC STRUCTURE format
//! 00h). The layer boundary is the host's to move before recording, as on DVD+R DL: READ
//! DISC STRUCTURE 20h gives the L0 data zone capacity, SEND DISC STRUCTURE 20h sets it on a
//! blank disc (MMC-5 format 20h, Layer Boundary Information, DVD-R DL and DVD+R DL;
//! `sequential::layers`), and the disc then holds twice it. growisofs and libburn leave it
//! where it is; discwriter moves it to the middle of an image that spans both layers.
//!
//! # Figures
//!
//! - 2,298,496 sectors (DVD-R, 4.7 GB, 0023_1280h) and 4,171,712 (DVD-R DL, 8.5 GB,
//!   003F_A7C0h), the capacities drives report for blank discs (INF: no drive report at
//!   hand to cite); 16-sector ECC blocks.
//! - Border zones (INF: ECMA-359 sizes them, not at hand): closing the first session records
//!   a border-out and the next border-in over 16,384 sectors (32 MiB), a later session's
//!   over 3,072 (6 MiB); so the next session's first track starts that far after the last
//!   ECC block written. Finalizing records the lead-out instead.
//! - No link blocks between RZones or after a flush (INF): the drive links within the ECC
//!   block it pads to, so a track starts right after the previous track's last ECC block and
//!   writing goes on after a flush at the next ECC block. Feature 0021h reports the link
//!   size 16 that growisofs and libburn send in page 05h.
//! - READ TRACK INFORMATION reports the Last Recorded Address (MMC-5 READ TRACK
//!   INFORMATION: LRA_V on DVD-R).
//! - Write speeds: DVD-R 16x, 8x, 4x; DVD-R DL 8x, 4x, 2x; read 16x and 8x (1x = 1,385 kB/s;
//!   INF: the speeds common drives of the class report).
//! - Sessions: at most 254 borders (INF).

use mmc_core::cdb::ReadDiscStructure;
use mmc_core::params::{MultiSession, WriteParameters, WriteType};
use mmc_core::response::disc_structure::BookType;
use mmc_core::sense::triples;
use mmc_core::Profile;

use super::geometry::{DvdMinus, Layers, SequentialMedium, StructureFamily};
use super::{SequentialDisc, SequentialLayout};
use crate::medium::dvd_plus_write_parameters;
use crate::medium::overwritable::dvd_plus_rw::{DVD_1X_KBPS, LEAD_OUT_SECTORS};
use crate::medium::recording::{AddressForm, DiscState, RecordingGeometry};
use crate::medium::{list_also, MediumKind, MediumResult, MediumSpec, STRUCTURE_LIST};
use crate::store::SectorStore;

/// Sectors of a single-layer DVD-R.
pub const DVD_R_SECTORS: u32 = 2_298_496;
/// Sectors of a DVD-R DL, both layers.
pub const DVD_R_DL_SECTORS: u32 = 4_171_712;
/// Sectors per ECC block.
const ECC_BLOCK: u32 = 16;
/// The first border zone: border-out of session 1 and border-in of session 2 (INF).
pub const DVD_R_FIRST_BORDER: u32 = 16_384;
/// A later border zone (INF).
pub const DVD_R_LATER_BORDER: u32 = 3_072;
/// The border-in of every session after the first: 64 ECC blocks of the border zone (INF).
const BORDER_IN: u32 = 64 * ECC_BLOCK;
/// Write speeds, fastest first.
pub const DVD_R_WRITE_SPEEDS: [u32; 3] = [16 * DVD_1X_KBPS, 8 * DVD_1X_KBPS, 4 * DVD_1X_KBPS];
pub const DVD_R_DL_WRITE_SPEEDS: [u32; 3] = [8 * DVD_1X_KBPS, 4 * DVD_1X_KBPS, 2 * DVD_1X_KBPS];
/// DVD-RW write speeds: 6x, 4x, 2x (INF: the speeds common drives of the class report).
pub const DVD_RW_WRITE_SPEEDS: [u32; 3] = [6 * DVD_1X_KBPS, 4 * DVD_1X_KBPS, 2 * DVD_1X_KBPS];

const fn recording(capacity: u32, max_sessions: u16) -> RecordingGeometry {
    RecordingGeometry {
        capacity,
        ecc_block: ECC_BLOCK,
        packet_size: ECC_BLOCK,
        first_track: 1,
        max_track: u16::MAX,
        max_sessions,
        track_gap: 0,
        run_out: 0,
        min_track: 0,
        first_lead_in: 0,
        lead_in: BORDER_IN,
        first_lead_out: DVD_R_FIRST_BORDER - BORDER_IN,
        later_lead_out: DVD_R_LATER_BORDER - BORDER_IN,
        min_next_session: ECC_BLOCK,
        lead_in_recorded_at_close: false,
        finalize_sectors: LEAD_OUT_SECTORS as u32,
        last_recorded_address_valid: true,
        disc_info_addresses: AddressForm::Lba,
    }
}

/// The DVD-R's recording rules.
pub const DVD_R: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::DvdR,
        profile: Profile::DvdRSequential,
        write_speeds: &DVD_R_WRITE_SPEEDS,
        read_speed: 16 * DVD_1X_KBPS,
        blocking: ECC_BLOCK,
    },
    recording: recording(DVD_R_SECTORS, 254),
    finalize_functions: &[],
    minimal_radius: None,
    structures: StructureFamily::Dvd(BookType::DvdR),
    formattable: false,
    write_parameters_page: true,
    layers: Layers::ONE,
    dvd_minus: Some(DvdMinus { incremental: true }),
};

/// A DVD-RW in Sequential recording (profile 0014h): recorded as a DVD-R (MMC-6 4.5.3, the
/// DVD-R/-RW Write feature), on a disc of the DVD-R's size; its erasing and formatting to
/// Restricted Overwrite are `medium::dvd_rw`'s.
pub const DVD_RW: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::DvdRw,
        profile: Profile::DvdRwSequential,
        write_speeds: &DVD_RW_WRITE_SPEEDS,
        read_speed: 8 * DVD_1X_KBPS,
        blocking: ECC_BLOCK,
    },
    recording: recording(DVD_R_SECTORS, 254),
    finalize_functions: &[],
    minimal_radius: None,
    structures: StructureFamily::Dvd(BookType::DvdRw),
    formattable: false,
    write_parameters_page: true,
    layers: Layers::ONE,
    dvd_minus: Some(DvdMinus { incremental: true }),
};

/// The DVD-R DL's recording rules: one session, Disc-at-Once.
pub const DVD_R_DL: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::DvdRDl,
        profile: Profile::DvdRDualLayerSequential,
        write_speeds: &DVD_R_DL_WRITE_SPEEDS,
        read_speed: 8 * DVD_1X_KBPS,
        blocking: ECC_BLOCK,
    },
    recording: recording(DVD_R_DL_SECTORS, 1),
    finalize_functions: &[],
    minimal_radius: None,
    structures: StructureFamily::Dvd(BookType::DvdR),
    formattable: false,
    write_parameters_page: true,
    // Layer 0 holds half the disc until the host moves the boundary (SEND DISC STRUCTURE
    // 20h on a blank disc, `sequential::layers`), as on DVD+R DL.
    layers: Layers {
        count: 2,
        settable_layer0: Some(DVD_R_DL_SECTORS / 2),
    },
    dvd_minus: Some(DvdMinus { incremental: false }),
};

/// Page 05h before any MODE SELECT: Incremental on DVD-R, Disc-at-Once on DVD-R DL, with
/// the DVD+ defaults otherwise (BUFE, Multi-session 00b, Data Block Type 8).
pub(crate) fn default_page(rules: DvdMinus) -> WriteParameters {
    let write_type = if rules.incremental {
        WriteType::Packet
    } else {
        WriteType::SessionAtOnce
    };
    WriteParameters {
        write_type,
        ..dvd_plus_write_parameters::default_page()
    }
}

/// Checks a page sent with MODE SELECT (see the module notes); returns it as the drive
/// will report it (PS clear).
pub(crate) fn validate(page: &WriteParameters, rules: DvdMinus) -> MediumResult<WriteParameters> {
    let write_types: &[WriteType] = if rules.incremental {
        &[WriteType::Packet, WriteType::SessionAtOnce]
    } else {
        &[WriteType::SessionAtOnce]
    };
    dvd_plus_write_parameters::validate_dvd(page, write_types, true)
}

impl SequentialDisc {
    /// Page 05h selects Disc-at-Once (a DVD-R medium only).
    pub(super) fn disc_at_once(&self) -> bool {
        self.geometry.dvd_minus.is_some()
            && self
                .write_parameters
                .as_ref()
                .is_some_and(|p| p.write_type == WriteType::SessionAtOnce)
    }

    /// Whether CLOSE SESSION leaves the disc appendable: on DVD-R in Incremental mode with
    /// Multi-session 11b; on the other media always (their finalizing is a close function).
    pub(super) fn session_keeps_disc_open(&self) -> bool {
        match self.geometry.dvd_minus {
            None => true,
            Some(_) => {
                !self.disc_at_once()
                    && self
                        .write_parameters
                        .as_ref()
                        .is_some_and(|p| p.multi_session == MultiSession::NextSessionAllowed)
            }
        }
    }

    /// A WRITE in Disc-at-Once mode goes to the reserved track: 05/2C/00 without one.
    pub(super) fn check_disc_at_once_write(&self) -> MediumResult<()> {
        let reserved = self
            .disc
            .open_track
            .as_ref()
            .is_some_and(|t| t.reserved.is_some());
        if self.disc_at_once() && !reserved {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        Ok(())
    }

    /// RESERVE TRACK in Disc-at-Once mode: only on a blank disc (one session).
    pub(super) fn check_disc_at_once_reservation(&self) -> MediumResult<()> {
        if self.disc_at_once() && self.disc.state() != DiscState::Blank {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        Ok(())
    }

    /// After a flush: a Disc-at-Once reservation written whole closes the track, the
    /// session and the disc. Returns whether it did.
    pub(super) fn complete_disc_at_once(&mut self) -> bool {
        let full = self
            .disc
            .open_track
            .as_ref()
            .is_some_and(|t| t.reserved.is_some_and(|r| t.recorded >= r));
        if !self.disc_at_once() || !full {
            return false;
        }
        self.disc.close_track(&self.recording);
        self.disc.close_session(&self.recording, (), true).is_some()
    }

    /// Whether a test write runs: page 05h has Test Write set.
    pub(super) fn testing(&self) -> bool {
        self.recorded.is_some()
    }

    /// The disc as recorded: what every reply but READ TRACK INFORMATION describes.
    pub(super) fn as_recorded(&self) -> &SequentialLayout {
        self.recorded.as_ref().unwrap_or(&self.disc)
    }

    /// Follows page 05h's Test Write bit: on, the drive simulates from the disc as
    /// recorded; off, it forgets the simulated recording.
    pub(super) fn set_test_write(&mut self, on: bool) {
        match (on, self.recorded.take()) {
            (true, recorded) => self.recorded = Some(recorded.unwrap_or_else(|| self.disc.clone())),
            (false, Some(recorded)) => self.disc = recorded,
            (false, None) => {}
        }
    }

    /// The disc's sectors, for a DVD-RW leaving Sequential recording (`medium::dvd_rw`);
    /// what was not flushed is dropped first, as a blanking or formatting drive drops it.
    pub(crate) fn into_store(mut self) -> Box<dyn SectorStore> {
        self.store.discard_uncommitted();
        self.store
    }

    /// BLANK 110b on a DVD-RW (MMC-6 6.2.3.7): erases the last session, open or closed, and
    /// leaves the disc appendable (or blank when it held one session). Returns the sectors
    /// the session and its border occupied; 05/2C/00 COMMAND SEQUENCE ERROR on a blank disc.
    pub(crate) fn blank_last_session(&mut self) -> MediumResult<u32> {
        self.set_test_write(false);
        let disc = &mut self.disc;
        let index = disc.sessions.len().checked_sub(1);
        let Some(index) = index else {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        };
        let start = disc.lead_in_start(&self.recording, index);
        let end = disc
            .open_track
            .as_ref()
            .map_or(0, |t| t.end())
            .max(disc.sessions.get(index).map_or(0, |s| s.end()));
        disc.open_track = None;
        disc.sessions.truncate(index);
        disc.finalized = false;
        self.store.discard_uncommitted();
        self.synced = self.disc.clone();
        let border = self.recording.lead_out(index);
        let sectors = end.saturating_sub(start).max(0);
        Ok(u32::try_from(sectors)
            .unwrap_or(u32::MAX)
            .saturating_add(border))
    }

    /// A simulated session is over: the drive forgets it.
    pub(super) fn end_simulated_session(&mut self) {
        if let Some(recorded) = &self.recorded {
            self.disc = recorded.clone();
        }
    }
}

/// Format 10h: the physical format information of the control data zone, pre-recorded on a
/// DVD-R (MMC-5 READ DISC STRUCTURE format 10h); dvd+rw-mediainfo reads it on DVD-R for the
/// book type, growisofs on DVD-R DL for the size of layer 0.
const CONTROL_DATA_ZONE: u8 = 0x10;
const PHYSICAL_FORMAT: u8 = 0x00;

/// READ DISC STRUCTURE on a DVD-R: what `answer` gives for the disc's family (on a DVD-R DL
/// the physical format describes both layers and layer 1 answers too, and format 20h gives
/// the layer boundary, as on DVD+R DL), plus format 10h (the pre-recorded physical format:
/// here the same as format 00h, the disc's layout being its pre-recorded one) in the list
/// (format FFh).
pub(crate) fn read_disc_structure(
    cdb: &ReadDiscStructure,
    answer: impl Fn(&ReadDiscStructure) -> MediumResult<Vec<u8>>,
) -> MediumResult<Vec<u8>> {
    let physical = ReadDiscStructure {
        format_code: PHYSICAL_FORMAT,
        ..*cdb
    };
    match cdb.format_code {
        CONTROL_DATA_ZONE => answer(&physical),
        STRUCTURE_LIST => {
            let list = answer(cdb)?;
            let len = answer(&physical).map_or(0, |r| r.len());
            Ok(list_also(&list, CONTROL_DATA_ZONE, len))
        }
        _ => answer(cdb),
    }
}
