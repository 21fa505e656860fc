//! What makes a DVD+R, a BD-R and a DVD-R differ to the shared recording code: the recording
//! geometry (size, ECC block, what sessions cost, the session limit), the closing functions,
//! the speeds, the disc structures and, on DVD-R, what page 05h may select. Each medium's
//! file declares one [`SequentialMedium`].

use core::time::Duration;

use mmc_core::cdb::CloseFunction;

use crate::clock::transfer_time;
use crate::medium::recording::RecordingGeometry;
use crate::medium::MediumSpec;

/// The family of disc structures READ DISC STRUCTURE answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructureFamily {
    /// DVD structures (media type 0): the physical format carries this book type.
    Dvd(mmc_core::response::disc_structure::BookType),
    /// BD structures (media type 1).
    Bd,
}

/// The recording rules of one write-once DVD or BD medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequentialMedium {
    /// Kind, profile, speeds and ECC block.
    pub spec: MediumSpec,
    /// Sessions, tracks and the room they take.
    pub(crate) recording: RecordingGeometry,
    /// The CLOSE TRACK/SESSION functions that finalize the disc.
    pub finalize_functions: &'static [CloseFunction],
    /// The finalization that extends the recorded area out to the radius DVD-ROM readers
    /// need, where the medium has one.
    pub minimal_radius: Option<MinimalRadius>,
    pub structures: StructureFamily,
    /// MODE SENSE reports the Write Parameters page (05h) with this disc loaded, and MODE
    /// SELECT takes it (`medium::dvd_plus_write_parameters`): DVD+R.
    pub write_parameters_page: bool,
    /// FORMAT UNIT can give a blank disc spare areas (BD-R, `bd_r_format`).
    pub formattable: bool,
    /// The recording layers.
    pub layers: Layers,
    /// A DVD-R: page 05h steers the recording (`dvd_minus_r`).
    pub dvd_minus: Option<DvdMinus>,
}

/// The recording layers of a medium (`layers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layers {
    /// Recording layers: 1 to 4 (BD-R XL 128 GB).
    pub count: u8,
    /// DVD+R DL and DVD-R DL: the L0 data zone capacity of a blank disc, which the host may
    /// change before the first write (SEND DISC STRUCTURE 20h); `None` where the layer
    /// boundary is fixed (single layer, BD).
    pub settable_layer0: Option<u32>,
}

impl Layers {
    /// A single recording layer.
    pub const ONE: Layers = Layers {
        count: 1,
        settable_layer0: None,
    };

    /// `count` layers whose boundaries the host cannot move (BD).
    pub const fn fixed(count: u8) -> Self {
        Layers {
            count,
            settable_layer0: None,
        }
    }
}

/// What page 05h lets a DVD-R (profile 0011h) or DVD-R DL (0015h) do (`dvd_minus_r`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DvdMinus {
    /// Incremental recording (feature 0021h current); else Disc-at-Once only.
    pub incremental: bool,
}

/// A finalization "with minimal radius" (DVD+R 101b, MMC-6 6.3.3.3): a data zone that ends
/// closer to the centre is padded with zero sectors up to `end_lba`, the first LBA at the
/// minimal radius, so that the lead-out starts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinimalRadius {
    pub function: CloseFunction,
    pub end_lba: u32,
}

impl SequentialMedium {
    /// The name saved in the disc state: the medium's command-line name (`dvd+r`, `bd-r-xl`).
    pub fn name(&self) -> &'static str {
        self.spec.kind.name()
    }

    /// User sectors of a blank disc.
    pub fn capacity(&self) -> u32 {
        self.recording.capacity
    }

    /// Sectors per ECC block (16 DVD, 32 BD).
    pub fn ecc_block(&self) -> u32 {
        self.recording.ecc_block
    }

    /// How long recording `sectors` takes at the slowest speed (closing and padding).
    pub fn recording_time(&self, sectors: u32) -> Duration {
        let slowest = self.spec.write_speeds.last().copied().unwrap_or(1);
        transfer_time(u64::from(sectors), slowest)
    }

    pub fn finalizes(&self, function: CloseFunction) -> bool {
        self.finalize_functions.contains(&function)
    }

    /// Where finalizing with `function` pads the data zone to, if it does.
    pub fn pads_to(&self, function: CloseFunction) -> Option<u32> {
        self.minimal_radius
            .filter(|m| m.function == function)
            .map(|m| m.end_lba)
    }
}
