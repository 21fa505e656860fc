//! What a write sets up on the write-once media that need more than a session at the next
//! writable address: the DVD-R recording mode, the DVD+R DL layer boundary, and the BD-R
//! pseudo-overwrite of recorded sectors.

use mmc_core::cdb::LayerBoundary;
use mmc_core::Profile;

use super::DriveFacts;
use crate::error::{ApiMisuse, Error};
use crate::recorder::defect::has_defect_management;
use crate::recorder::{DiscState, DiscSummary};
use crate::writer::{BlockRange, WriteOptions};

/// Whether a DVD-R or DVD-R DL is written Disc-at-Once: DVD-R DL always (drives record it
/// Disc-at-Once; libburn's cookbook: "can only do single-session"), a DVD-R when the drive
/// says incremental recording is not current (feature 0021h), as growisofs decides.
pub(super) fn disc_at_once(dual_layer: bool, facts: &DriveFacts) -> bool {
    dual_layer || facts.incremental_streaming == Some(false)
}

/// Checks a Disc-at-Once write: a blank disc (the one session takes the disc) and a stream
/// whose size is known (RESERVE TRACK comes first).
pub(super) fn check_disc_at_once(disc: &DiscSummary, sectors: Option<u64>) -> Result<(), Error> {
    if disc.status != DiscState::Blank {
        return Err(Error::InvalidMediaState {
            detail: format!(
                "this {} disc is recorded Disc-at-Once, in one session: it must be blank",
                disc.profile
            ),
        });
    }
    if sectors.is_none() {
        return Err(Error::Api(ApiMisuse::StreamLengthRequired {
            needs: "a Disc-at-Once write reserves the stream's size first",
        }));
    }
    Ok(())
}

/// The capacity of layer 0 a DVD+R DL or DVD-R DL write of `sectors` sets before it starts,
/// as growisofs sets it on DVD+R DL: none unless the layer boundary can still be set (a
/// blank disc, and not yet fixed) and the stream, in whole 16-sector ECC blocks, is more
/// than layer 0 now holds; then half the stream's ECC blocks, rounded up, so that both
/// layers hold data. On DVD-R DL it is sent before the Disc-at-Once reservation (MMC-5 READ
/// and SEND DISC STRUCTURE format 20h, Layer Boundary Information, name both media);
/// growisofs and libburn leave that disc's boundary at the middle of the disc, so an image
/// just over layer 0 would put a few blocks on layer 1.
pub(crate) fn layer_break(
    disc: &DiscSummary,
    sectors: Option<u64>,
    boundary: Option<LayerBoundary>,
) -> Option<u32> {
    let (Some(sectors), Some(boundary)) = (sectors, boundary) else {
        return None;
    };
    let dual = matches!(
        Profile::from_u16(disc.profile_code),
        Profile::DvdPlusRDualLayer | Profile::DvdRDualLayerSequential
    );
    if !dual || disc.status != DiscState::Blank || boundary.fixed {
        return None;
    }
    let blocks = sectors.div_ceil(16);
    if blocks * 16 <= u64::from(boundary.layer0_sectors) {
        return None;
    }
    u32::try_from(blocks.div_ceil(2) * 16).ok()
}

/// On a BD-R formatted for Pseudo-OverWrite (feature 0038h current), a write with
/// ForceOverwrite or with block ranges goes from LBA 0, as on a rewritable disc: the
/// sectors below the next writable address are recorded already and are overwritten
/// logically (the drive remaps them to spare clusters); the stream's sectors from that
/// address on are appended there. Returns that address (in stream sectors, the stream
/// starting at LBA 0) when the write is such an overwrite; `None` for a session written at
/// the next writable address, as IMAPI writes every BD-R.
pub(super) fn pseudo_overwrite(
    disc: &DiscSummary,
    options: &WriteOptions,
    ranges: Option<&[BlockRange]>,
    facts: &DriveFacts,
) -> Result<Option<u64>, Error> {
    let asked = options.force_overwrite || ranges.is_some();
    if !facts.pseudo_overwrite || !asked || disc.status != DiscState::Appendable {
        return Ok(None);
    }
    let Some(nwa) = disc.next_writable_address.map(u64::from) else {
        return Ok(None);
    };
    if let Some(ranges) = ranges {
        check_ranges_past(ranges, nwa)?;
    }
    Ok(Some(nwa))
}

/// Sectors past the next writable address `nwa` can only be appended in order from it: the
/// ranges' sectors at and past it must be one run that starts there.
fn check_ranges_past(ranges: &[BlockRange], nwa: u64) -> Result<(), Error> {
    let mut past: Vec<(u64, u64)> = ranges
        .iter()
        .filter(|r| r.end_lba >= nwa)
        .map(|r| (r.start_lba.max(nwa), r.end_lba))
        .collect();
    past.sort_unstable();
    let mut next = nwa;
    for (start, end) in past {
        if start > next {
            return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                "block range {start}..={end} leaves a gap after the disc's next writable address {nwa}: past it sectors are only appended in order"
            ))));
        }
        next = next.max(end + 1);
    }
    Ok(())
}

/// Whether the write uses WRITE (12) with the Streaming bit: defect management turned off,
/// on a medium that has it, with a drive whose Real Time Streaming feature (0107h) sets SW
/// (MMC-6 6.45). A drive without it writes with its defect management, as it must.
pub(super) fn streams(profile: Profile, options: &WriteOptions, facts: &DriveFacts) -> bool {
    let asked = options.defect_management.streaming() && has_defect_management(profile);
    if asked && !facts.stream_writing {
        tracing::warn!(target: "discwriter::write", "the drive does not record WRITE (12) Streaming (feature 0107h, SW): writing with its defect management");
    }
    asked && facts.stream_writing
}
