//! The served drive's accelerated clock (what `virtdrive run` and `virtdrive serve` use unless
//! `--paced`), through raw CDBs: a host that polls a drive busy with a long operation (here a
//! BD-RE full certification format, 93 minutes of drive time) sees it complete within a
//! bounded number of polls, with progress rising at every poll, and the same command sequence
//! gives the same progress sequence. The polls are those of libburn (TEST UNIT READY) and
//! growisofs (REQUEST SENSE); MMC-6 6.5.3 (FORMAT UNIT with Immed): the drive reports
//! 02/04/04 FORMAT IN PROGRESS with the progress indication in the sense-key specific bytes
//! until the format ends.

use std::time::Duration;

use mmc_core::sense::{triples, Sense, SenseKeySpecific};
use mmc_core::{DataPhase, ScsiStatus, Transport};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::serve::ServedDrive;
use virtdrive::{DiscFileDrive, DriveConfig};

/// A BD-RE in a served drive, as `virtdrive run` serves it (the default poll wait, 5 s).
fn served_bd_re() -> ServedDrive {
    ServedDrive::new(DiscFileDrive::in_memory(
        MediumKind::BdRe,
        DriveConfig::default(),
    ))
}

/// FORMAT UNIT type 30h, sub-type 10b (full certification), with the default spare areas:
/// a write and a verify pass over the whole disc.
fn full_certification() -> [u8; 12] {
    format_list(12_219_392 - 393_216, 0x30, 0b10, 0x3000)
}

/// Polls with `poll` (TEST UNIT READY or REQUEST SENSE) until the drive is ready; returns the
/// progress each poll reported. At most `limit` polls.
fn poll_until_ready(drive: &mut ServedDrive, poll: &[u8], limit: usize) -> Vec<u16> {
    let mut progress = Vec::new();
    for _ in 0..limit {
        let mut data = [0u8; 18];
        let phase = if poll == REQUEST_SENSE {
            DataPhase::In(&mut data)
        } else {
            DataPhase::None
        };
        let c = drive
            .execute(poll, phase, TIMEOUT)
            .expect("the poll completes");
        let sense = if poll == REQUEST_SENSE {
            assert_eq!(c.status, ScsiStatus::Good);
            data.to_vec()
        } else if c.status == ScsiStatus::Good {
            return progress;
        } else {
            c.sense.to_vec()
        };
        let sense = Sense::parse(&sense).expect("the sense parses");
        match (sense.triple(), sense.sense_key_specific) {
            (Some(t), Some(SenseKeySpecific::Progress(p))) if t == triples::FORMAT_IN_PROGRESS => {
                progress.push(p)
            }
            (Some(t), _) if t.key.to_u8() == 0 => return progress,
            other => panic!("unexpected answer to a poll: {other:?}"),
        }
    }
    panic!("the format had not ended after {limit} polls: {progress:?}");
}

#[test]
fn a_full_certification_format_completes_within_thirty_polls() {
    for poll in [TEST_UNIT_READY.as_slice(), REQUEST_SENSE.as_slice()] {
        let mut d = served_bd_re();
        command_out(&mut d, &FORMAT_UNIT, &full_certification());
        let started = d.device_time().expect("a drive clock");
        let progress = poll_until_ready(&mut d, poll, 30);
        // Each poll reported more done than the one before.
        assert!(
            progress.windows(2).all(|w| w[0] < w[1]),
            "{poll:02X?}: {progress:?}"
        );
        // The drive's clock says the format took its 93 minutes.
        let took = d.device_time().expect("a drive clock") - started;
        assert!(took >= Duration::from_secs(93 * 60), "{took:?}");
        command_ok(&mut d, &TEST_UNIT_READY);
    }
}

#[test]
fn the_same_polls_give_the_same_progress() {
    let run = || {
        let mut d = served_bd_re();
        command_out(&mut d, &FORMAT_UNIT, &full_certification());
        poll_until_ready(&mut d, &TEST_UNIT_READY, 30)
    };
    assert_eq!(run(), run());
}

#[test]
fn the_next_long_operation_starts_again_with_the_poll_wait() {
    // A quick reformat (20 s) after the full certification: its first poll comes 5 s after
    // it began, so it is still in progress, however long the previous wait grew.
    let mut d = served_bd_re();
    command_out(&mut d, &FORMAT_UNIT, &full_certification());
    poll_until_ready(&mut d, &TEST_UNIT_READY, 30);
    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(12_219_392, 0x31, 0, 2048),
    );
    let progress = poll_until_ready(&mut d, &TEST_UNIT_READY, 30);
    assert!(progress.len() >= 3, "{progress:?}");
}
