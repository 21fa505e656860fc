//! DVD+R, single layer (profile 001Bh; MMC-6 4.3.6.2, libburn's DVD+R cookbook).
//!
//! - 2,295,104 sectors, like the DVD+RW, written in 16-sector ECC blocks.
//! - Up to 153 sessions (cookbook: "A DVD+R may hold 153 closed sessions").
//! - CLOSE functions (MMC-6 6.3.3.3): 001b closes the fragment (track), 010b the session,
//!   keeping the disc appendable; 101b closes the session and finalizes "with minimal
//!   radius", 110b closes the session and finalizes (Pioneer R11 and BDR-203 manuals list
//!   both for +R; libburn finalizes with 101b, growisofs `-dvd-compat` with 110b on single
//!   layer and 101b on DL).
//! - The minimal radius: a DVD-ROM reader needs the recorded area to reach out to it, so
//!   101b pads a data zone that ends closer to the centre with zero sectors up to it (the
//!   padding becomes part of the last track: READ CAPACITY, the TOC's lead-out and the
//!   track's size count it), while 110b records the lead-out right after the data. Radius
//!   30 mm is taken (INF, not found in the sources at hand): the data zone runs from radius
//!   24 mm (ECMA-267) to 58 mm over 2,295,104 sectors of equal area, so 30 mm lies
//!   (30² - 24²) / (58² - 24²) of the way in, sector 266,717.6: LBA 266,720 in whole ECC
//!   blocks. The padding is not written to the store: sectors never written read as zeros.
//! - Session overhead (INF, not found in the sources at hand): closing a session records a
//!   Closure of 64 ECC blocks, and the next session starts with an Intro of 64 ECC blocks,
//!   so the next session's first track starts 2,048 sectors after the end of the last. The
//!   Intro size matches Pioneer's rule for +R DL that a close leaving "less than 65 ECC
//!   blocks" finalizes the disc: an Intro and one block of data. READ DISC INFORMATION gives
//!   where the next Intro goes as the last session's lead-in start (Pioneer R11 4.18).
//! - READ TRACK INFORMATION reports no Last Recorded Address: "The LRA_V bit is always set
//!   to zero for +R/+RW" (Pioneer R11 4.22).
//! - Write speeds 16x, 8x and 4x, read 16x (1x = 1,385 kB/s; INF table).

use mmc_core::cdb::CloseFunction;
use mmc_core::response::disc_structure::BookType;
use mmc_core::Profile;

use super::geometry::{Layers, MinimalRadius, SequentialMedium, StructureFamily};
use crate::medium::overwritable::dvd_plus_rw::{DVD_1X_KBPS, LEAD_OUT_SECTORS};
use crate::medium::recording::{AddressForm, RecordingGeometry};
use crate::medium::{MediumKind, MediumSpec};

/// Sectors of a single-layer DVD+R.
pub const DVD_PLUS_R_SECTORS: u32 = 2_295_104;
/// Sectors per ECC block.
pub const DVD_PLUS_R_ECC_BLOCK: u32 = 16;
/// The Intro of a session after the first: 64 ECC blocks (INF).
pub const DVD_PLUS_R_INTRO: u32 = 64 * DVD_PLUS_R_ECC_BLOCK;
/// The Closure of a session: 64 ECC blocks (INF).
pub const DVD_PLUS_R_CLOSURE: u32 = 64 * DVD_PLUS_R_ECC_BLOCK;
/// The first LBA at the minimal radius 101b pads to (30 mm, INF; see the module notes).
pub const DVD_PLUS_R_MINIMAL_RADIUS_END: u32 = 266_720;
/// Write speeds, fastest first: 16x, 8x, 4x.
pub const DVD_PLUS_R_WRITE_SPEEDS: [u32; 3] = [16 * DVD_1X_KBPS, 8 * DVD_1X_KBPS, 4 * DVD_1X_KBPS];

/// The DVD+R's recording rules.
pub const DVD_PLUS_R: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::DvdPlusR,
        profile: Profile::DvdPlusR,
        write_speeds: &DVD_PLUS_R_WRITE_SPEEDS,
        read_speed: 16 * DVD_1X_KBPS,
        blocking: DVD_PLUS_R_ECC_BLOCK,
    },
    recording: RecordingGeometry {
        capacity: DVD_PLUS_R_SECTORS,
        ecc_block: DVD_PLUS_R_ECC_BLOCK,
        packet_size: DVD_PLUS_R_ECC_BLOCK,
        first_track: 1,
        max_track: u16::MAX,
        max_sessions: 153,
        track_gap: 0,
        run_out: 0,
        min_track: 0,
        first_lead_in: 0,
        lead_in: DVD_PLUS_R_INTRO,
        first_lead_out: DVD_PLUS_R_CLOSURE,
        later_lead_out: DVD_PLUS_R_CLOSURE,
        min_next_session: DVD_PLUS_R_ECC_BLOCK,
        lead_in_recorded_at_close: false,
        finalize_sectors: LEAD_OUT_SECTORS as u32,
        last_recorded_address_valid: false,
        disc_info_addresses: AddressForm::Lba,
    },
    finalize_functions: &[
        CloseFunction::FinalizeMinimalRadius,
        CloseFunction::FinalizeDisc,
    ],
    minimal_radius: Some(MinimalRadius {
        function: CloseFunction::FinalizeMinimalRadius,
        end_lba: DVD_PLUS_R_MINIMAL_RADIUS_END,
    }),
    structures: StructureFamily::Dvd(BookType::DvdPlusR),
    formattable: false,
    write_parameters_page: true,
    layers: Layers::ONE,
    dvd_minus: None,
};
