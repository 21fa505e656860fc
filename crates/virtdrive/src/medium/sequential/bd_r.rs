//! BD-R, single layer, in Sequential Recording Mode without Pseudo-OverWrite (profile 0041h
//! BD-R SRM; MMC-6 4.5.3.5; libburn's BD-R cookbook: "very similar to DVD+R").
//!
//! - 12,219,392 sectors (25 GB, no spare areas), written in 32-sector clusters.
//!   FORMAT UNIT 00h/32h gives a blank disc spare areas, defect management and optionally
//!   Pseudo-OverWrite (`bd_r_format`).
//! - CLOSE functions: 001b closes the track (sequential recording range), 010b the session,
//!   keeping the disc appendable; 110b finalizes (cookbook; BDR-203 manual table 3). 101b is
//!   a DVD+R function: 05/24/00.
//! - Sessions cost no room in the user data area (INF: SRM keeps its session and track
//!   structure in the temporary disc management areas): the next session starts at the
//!   next cluster after the last. The session limit is not documented in the sources at
//!   hand; 7,927 is taken (INF), the sequential recording range limit of BD-R SRM.
//! - READ TRACK INFORMATION reports the Last Recorded Address of written tracks (INF).
//! - Write speeds 6x, 4x and 2x, read 6x (1x = 4,495 kB/s).

use mmc_core::cdb::CloseFunction;
use mmc_core::Profile;

use super::geometry::{Layers, SequentialMedium, StructureFamily};
use crate::medium::overwritable::bd_re::BD_1X_KBPS;
use crate::medium::recording::{AddressForm, RecordingGeometry};
use crate::medium::{MediumKind, MediumSpec};

/// Sectors of a single-layer BD-R without spare areas.
pub const BD_R_SECTORS: u32 = 12_219_392;
/// Sectors per cluster.
pub const BD_R_CLUSTER: u32 = 32;
/// Write speeds, fastest first: 6x, 4x, 2x.
pub const BD_R_WRITE_SPEEDS: [u32; 3] = [6 * BD_1X_KBPS, 4 * BD_1X_KBPS, 2 * BD_1X_KBPS];

/// The BD-R's recording rules.
pub const BD_R: SequentialMedium = SequentialMedium {
    spec: MediumSpec {
        kind: MediumKind::BdR,
        profile: Profile::BdRSrm,
        write_speeds: &BD_R_WRITE_SPEEDS,
        read_speed: 6 * BD_1X_KBPS,
        blocking: BD_R_CLUSTER,
    },
    recording: RecordingGeometry {
        capacity: BD_R_SECTORS,
        ecc_block: BD_R_CLUSTER,
        packet_size: BD_R_CLUSTER,
        first_track: 1,
        max_track: u16::MAX,
        max_sessions: 7927,
        track_gap: 0,
        run_out: 0,
        min_track: 0,
        first_lead_in: 0,
        lead_in: 0,
        first_lead_out: 0,
        later_lead_out: 0,
        min_next_session: BD_R_CLUSTER,
        lead_in_recorded_at_close: false,
        finalize_sectors: BD_R_CLUSTER,
        last_recorded_address_valid: true,
        disc_info_addresses: AddressForm::Lba,
    },
    finalize_functions: &[CloseFunction::FinalizeDisc],
    minimal_radius: None,
    structures: StructureFamily::Bd,
    formattable: true,
    write_parameters_page: false,
    layers: Layers::ONE,
    dvd_minus: None,
};
