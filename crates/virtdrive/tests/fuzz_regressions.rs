//! Inputs the fuzz targets (fuzz/) found crashing, replayed as the commands they decode to.
//! Each input is also kept as a seed of its target (`fuzz/seeds/TARGET/regression-*`).

use std::time::Duration;

use mmc_core::cdb::{CdbRepr, Read10};
use mmc_core::{DataPhase, ScsiStatus, Transport};
use testkit::cdb::{
    close_track_session, dvd_plus_rw_basic_format, read10, read_track_information,
    synchronize_cache, write10, FORMAT_BD_RE_31H,
};
use testkit::command::{command_in, command_ok, command_ok_long, command_out};
use testkit::drive_with;
use testkit::MemStore;
use virtdrive::medium::{self, MediumKind};
use virtdrive::{DriveConfig, EmulatedDrive};

const T: Duration = Duration::from_secs(30);

/// emulator_commands (`regression-read-short-buffer`): READ (10) of one block into a host
/// buffer shorter than a block, on a DVD+RW or BD-RE. The drive moves only whole blocks that
/// fit (none), so the medium was asked for zero sectors and its written-extent lookup panicked
/// on the empty range. A drive transfers what fits and reports the rest as residual.
#[test]
fn a_read_into_a_buffer_shorter_than_a_block_moves_nothing_and_answers() {
    for kind in [MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let mut drive = drive_with(kind);
        // FORMAT UNIT (MMC-6 6.5) as libburn sends it: a BD-RE quick format (31h), a DVD+RW
        // basic format (26h); then sectors 0-31 written, so the disc has written extents.
        let list = match kind {
            MediumKind::BdRe => FORMAT_BD_RE_31H,
            _ => dvd_plus_rw_basic_format(false),
        };
        command_out(&mut drive, &[0x04, 0x11, 0, 0, 0, 0], &list);
        drive.advance(Duration::from_secs(3600));
        command_out(&mut drive, &write10(0, 32), &[0x5A; 32 * 2048]);
        let read = Read10 {
            lba: 0,
            blocks: 1,
            ..Read10::default()
        };
        let mut buf = [0xEEu8; 512];
        let done = drive
            .execute(&read.encode(), DataPhase::In(&mut buf), T)
            .expect("the drive answers");
        assert_eq!(done.status, ScsiStatus::Good, "{kind:?}: {done:?}");
        assert_eq!(done.residual, 512, "{kind:?}: nothing moved");
        assert_eq!(buf, [0xEE; 512], "{kind:?}: the buffer is untouched");
    }
}

/// emulator_commands (`regression-close-reserved-bd-r-track`): RESERVE TRACK of 8.4 million
/// blocks on a BD-R, 32 blocks written, the track closed. Closing pads the reservation to its
/// size (Pioneer R11, CLOSE 001b); the padding went through the sector store as zero sectors,
/// 17 GB of them in memory (or written into a disc file). Never-written sectors read as zeros,
/// so the padding is the disc's layout only, and reads back as zeros.
#[test]
fn closing_a_reserved_track_pads_it_without_storing_the_padding() {
    let store = MemStore::new();
    let mut drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(MediumKind::BdR, store.boxed()),
    );
    // RESERVE TRACK (MMC-6 6.34), ARSV 0: a reservation of 64,000 blocks (2,000 clusters).
    command_ok(&mut drive, &[0x53, 0, 0, 0, 0, 0x00, 0x00, 0xFA, 0x00, 0]);
    command_out(&mut drive, &write10(0, 32), &[0x5A; 32 * 2048]);
    command_ok(&mut drive, &synchronize_cache(false));
    command_ok_long(&mut drive, &close_track_session(0b001, 1, false));
    assert_eq!(
        store.sector_writes(),
        32,
        "only the host's sectors are stored"
    );
    let info = command_in(&mut drive, &read_track_information(1), 48);
    let size = u32::from_be_bytes([info[24], info[25], info[26], info[27]]);
    assert_eq!(size, 64_000, "the track keeps its reserved size");
    let padding = command_in(&mut drive, &read10(63_968, 32), 32 * 2048);
    assert!(
        padding.iter().all(|&b| b == 0),
        "the padding reads as zeros"
    );
    let data = command_in(&mut drive, &read10(0, 32), 32 * 2048);
    assert_eq!(data, [0x5A; 32 * 2048]);
}
