//! DVD+R DL, two layers in opposite track path (profile 002Bh DVD+R Double Layer; MMC-6
//! 4.3.7; feature 003Bh DVD+R Dual Layer). Recorded as the DVD+R (`dvd_plus_r`): the same
//! sessions, Intro and Closure, CLOSE functions and write parameters page; what differs is
//! the layer boundary.
//!
//! - 4,173,824 sectors, the L0 data zone capacity of a blank disc 2,086,912, half of it
//!   (dvd+rw-mediainfo on blank discs in Pioneer DVR-111D, LG GSA-H10N and HL-DT-ST BT20N:
//!   "L0 Data Zone Capacity: 2086912*2KB, can still be set", "Free Blocks: 4173824*2KB").
//! - The layer boundary (READ DISC STRUCTURE 20h) can be moved before anything is recorded
//!   (SEND DISC STRUCTURE 20h, as growisofs does for `-dvd-compat` images that span both
//!   layers). Layer 1 runs back over the radii layer 0 used, so the disc then holds twice
//!   the L0 capacity: Pioneer BDR-203 manual 4.18, +R DL "Last Possible Lead-out Start
//!   Address = (L0 Data Zone Capacity + 1 - 30000h) x 2". Accepted: whole ECC blocks, at
//!   least one, up to the blank disc's L0 capacity (INF: a drive may round up instead;
//!   otherwise 05/26/00 INVALID FIELD IN PARAMETER LIST on bytes 8-11). Once something is
//!   recorded (or a track reserved) InitStatus is set and SEND DISC STRUCTURE 20h is 05/2C/00
//!   COMMAND SEQUENCE ERROR (INF: growisofs and libburn read InitStatus and never send it
//!   then; the sense a drive gives is not in the sources at hand).
//! - Write speeds 4x and 2.4x, read 8x (Pioneer BDR-203 manual 4.21.2, +R DL write speed
//!   table; HL-DT-ST BT20N: "Write Speed #0: 4.0x1385", "#1: 2.4x1385", "R@8.0x1385").

use mmc_core::response::disc_structure::BookType;
use mmc_core::Profile;

use super::dvd_plus_r::DVD_PLUS_R;
use super::geometry::{Layers, SequentialMedium, StructureFamily};
use crate::medium::overwritable::dvd_plus_rw::DVD_1X_KBPS;
use crate::medium::recording::RecordingGeometry;
use crate::medium::{MediumKind, MediumSpec};

/// Sectors of a DVD+R DL with the layer boundary where a blank disc has it.
pub const DVD_PLUS_R_DL_SECTORS: u32 = 4_173_824;
/// The L0 data zone capacity of a blank DVD+R DL.
pub const DVD_PLUS_R_DL_LAYER0: u32 = DVD_PLUS_R_DL_SECTORS / 2;
/// Write speeds, fastest first: 4x and 2.4x (2.4 x 1,385 = 3,324 kB/s).
pub const DVD_PLUS_R_DL_WRITE_SPEEDS: [u32; 2] = [4 * DVD_1X_KBPS, 3324];

/// The DVD+R DL's recording rules.
pub const DVD_PLUS_R_DL: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::DvdPlusRDl,
        profile: Profile::DvdPlusRDualLayer,
        write_speeds: &DVD_PLUS_R_DL_WRITE_SPEEDS,
        read_speed: 8 * DVD_1X_KBPS,
        ..DVD_PLUS_R.spec
    },
    recording: RecordingGeometry {
        capacity: DVD_PLUS_R_DL_SECTORS,
        ..DVD_PLUS_R.recording
    },
    structures: StructureFamily::Dvd(BookType::DvdPlusRDualLayer),
    layers: Layers {
        count: 2,
        settable_layer0: Some(DVD_PLUS_R_DL_LAYER0),
    },
    ..DVD_PLUS_R
};
