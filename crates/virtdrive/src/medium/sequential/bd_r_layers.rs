//! BD-R of two, three and four recording layers (profile 0041h BD-R SRM, as the single
//! layer `bd_r`): BD-R DL (50 GB) and BD-R XL (100 and 128 GB, BDXL). Recorded as the BD-R:
//! sessions, closing functions, FORMAT UNIT with spare areas (per layer, `bd_r_format`) and
//! Pseudo-OverWrite; the layers show in the Disc Information (READ DISC STRUCTURE 00h,
//! media type 1). The layer boundaries are fixed: the host sees one user data area.
//!
//! | medium | sectors | per layer | write speeds | read |
//! |---|---|---|---|---|
//! | BD-R DL | 24,438,784 | 12,219,392, as the single layer | 6x, 4x, 2x | 6x |
//! | BD-R XL, 3 layers | 48,878,592 | 16,292,864 | 4x, 2x | 4x |
//! | BD-R XL, 4 layers | 62,500,864 | 15,625,216 | 4x, 2x | 4x |
//!
//! Capacities as drives report them for blank discs (MMC-6 4.5: 0041h; the BD-R DL's is
//! twice the single layer's). Speeds: BD-R DL media are sold for 6x, BDXL for 4x and 2x
//! (INF: no drive report at hand gives other figures).
//! BDXL is written without spare areas unless the host formats it (as every BD-R here).

use mmc_core::Profile;

use super::bd_r::{BD_R, BD_R_WRITE_SPEEDS};
use super::geometry::{Layers, SequentialMedium};
use crate::medium::overwritable::bd_re::BD_1X_KBPS;
use crate::medium::recording::RecordingGeometry;
use crate::medium::{MediumKind, MediumSpec};

/// Sectors of a BD-R DL without spare areas.
pub const BD_R_DL_SECTORS: u32 = 24_438_784;
/// Sectors of a three-layer BD-R XL (100 GB) without spare areas.
pub const BD_R_XL_SECTORS: u32 = 48_878_592;
/// Sectors of a four-layer BD-R XL (128 GB) without spare areas.
pub const BD_R_XL4_SECTORS: u32 = 62_500_864;
/// BDXL write speeds, fastest first: 4x, 2x.
pub const BD_R_XL_WRITE_SPEEDS: [u32; 2] = [4 * BD_1X_KBPS, 2 * BD_1X_KBPS];

/// A BD-R of `layers` layers over `sectors`, with these speeds.
const fn bd_r_layers(
    kind: MediumKind,
    sectors: u32,
    layers: u8,
    write_speeds: &'static [u32],
) -> SequentialMedium {
    SequentialMedium {
        spec: MediumSpec {
            kind,
            profile: Profile::BdRSrm,
            write_speeds,
            read_speed: match write_speeds.first() {
                Some(fastest) => *fastest,
                None => BD_1X_KBPS,
            },
            ..BD_R.spec
        },
        recording: RecordingGeometry {
            capacity: sectors,
            ..BD_R.recording
        },
        layers: Layers::fixed(layers),
        ..BD_R
    }
}

/// The BD-R DL's recording rules.
pub const BD_R_DL: SequentialMedium =
    bd_r_layers(MediumKind::BdRDl, BD_R_DL_SECTORS, 2, &BD_R_WRITE_SPEEDS);
/// The three-layer BD-R XL's recording rules.
pub const BD_R_XL: SequentialMedium =
    bd_r_layers(MediumKind::BdRXl, BD_R_XL_SECTORS, 3, &BD_R_XL_WRITE_SPEEDS);
/// The four-layer BD-R XL's recording rules.
pub const BD_R_XL4: SequentialMedium = bd_r_layers(
    MediumKind::BdRXl4,
    BD_R_XL4_SECTORS,
    4,
    &BD_R_XL_WRITE_SPEEDS,
);
