//! Inputs the fuzz targets (fuzz/) found crashing, replayed as the commands they decode to.
//! Each input is also kept as a seed of its target (`fuzz/seeds/TARGET/regression-*`).

use std::time::Duration;

use mmc_core::cdb::{CdbRepr, Read10};
use mmc_core::{DataPhase, ScsiStatus, Transport};
use testkit::cdb::{dvd_plus_rw_basic_format, write10, FORMAT_BD_RE_31H};
use testkit::command::command_out;
use testkit::drive_with;
use virtdrive::medium::MediumKind;

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
