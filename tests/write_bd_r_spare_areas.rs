//! The write engine on a BD-R formatted with spare areas (FORMAT UNIT 00h, MMC-6 6.5.4.2):
//! with the drive's defect management by default (WRITE (10)), with WRITE (12) and its
//! Streaming bit when the caller turns defect management off
//! (`WriteOptions::defect_management`, also on BD-RE); and on a
//! BD-R formatted for Pseudo-OverWrite (sub-type 00b, feature 0038h current), a write with
//! ForceOverwrite or block ranges going from LBA 0 over the recorded sectors, as on a
//! rewritable disc, while a plain write adds a session as on any BD-R (IMAPI's behaviour).
//! Every write is read back from the drive and compared.

mod common;

use common::*;
use discwriter::writer::DefectManagement;
use discwriter::{BlockRange, DiscState, Error, Recorder, WriteOptions};
use mmc_core::Transport;
use testkit::{command_out, format_list, wait_until_ready, FORMAT_UNIT};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// Sub-type 00b: SRM with POW; 01b: SRM without.
const SRM_POW: u8 = 0b00;
const SRM_NO_POW: u8 = 0b01;
/// User sectors with the default spare areas (ISA0 4,096 + OSA 8,192 clusters of 32).
const DEFAULT_USER: u32 = 12_219_392 - 12_288 * 32;

/// A blank BD-R formatted with the default spare areas (format type 00h).
fn formatted_bd_r(subtype: u8) -> EmulatedDrive {
    let mut d = drive(MediumKind::BdR);
    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(DEFAULT_USER, 0x00, subtype, 0x3000),
    );
    wait_until_ready(&mut d);
    d
}

/// The disc's status, sessions and next writable address (READ DISC INFORMATION, READ
/// TRACK INFORMATION of the invisible track).
fn disc_state<T: Transport>(d: &mut T) -> (DiscState, u16, Option<u32>) {
    let mut rec = Recorder::open(d).unwrap();
    let s = rec.disc_summary().unwrap();
    (s.status, s.sessions, s.next_writable_address)
}

fn streaming() -> WriteOptions {
    WriteOptions {
        defect_management: DefectManagement::Off,
        ..WriteOptions::default()
    }
}

#[test]
fn a_bd_r_with_spare_areas_is_written_with_defect_management_unless_streaming_is_asked() {
    let data = image(1000, 1);
    for (options, want, what) in [
        (WriteOptions::default(), (0x2A, false), "defect management"),
        (streaming(), (0xAA, true), "streaming"),
    ] {
        let (r, records, mut d) = traced_write(formatted_bd_r(SRM_NO_POW), &data, options);
        let outcome = r.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!((outcome.start_lba, outcome.sectors), (0, 1000), "{what}");
        let writes = write_commands(&records);
        assert!(!writes.is_empty(), "{what}: no WRITE sent");
        assert!(
            writes.iter().all(|w| *w == want),
            "{what}: {writes:?}, every WRITE should be {want:?}"
        );
        assert_same_sectors(&read_back(&mut d, 0, 1000), &data, 0, what);
        assert_eq!(disc_state(&mut d).0, DiscState::Appendable, "{what}");
    }
}

#[test]
fn streaming_is_also_what_a_bd_re_gets_when_asked() {
    let data = image(640, 2);
    let (r, records, mut d) = traced_write(drive(BD_RE), &data, streaming());
    r.unwrap();
    let writes = write_commands(&records);
    assert!(
        !writes.is_empty() && writes.iter().all(|w| *w == (0xAA, true)),
        "{writes:?}"
    );
    assert_same_sectors(&read_back(&mut d, 0, 640), &data, 0, "BD-RE streamed");
}

#[test]
fn streaming_changes_nothing_on_a_dvd() {
    let data = image(64, 3);
    let (r, records, _) = traced_write(drive(MediumKind::DvdPlusR), &data, streaming());
    r.unwrap();
    let writes = write_commands(&records);
    assert!(writes.iter().all(|w| w.0 == 0x2A), "{writes:?}");
}

/// A POW disc with a first session of `first` written by the engine.
fn pow_disc_with(first: &[u8]) -> EmulatedDrive {
    let (r, _, d) = traced_write(formatted_bd_r(SRM_POW), first, WriteOptions::default());
    r.unwrap();
    d
}

fn force_overwrite() -> WriteOptions {
    WriteOptions {
        force_overwrite: true,
        ..WriteOptions::default()
    }
}

#[test]
fn on_pow_a_forced_write_of_the_whole_image_goes_from_lba_0_and_appends_the_rest() {
    let first = image(320, 1);
    let mut d = pow_disc_with(&first);
    let (status, sessions, nwa) = disc_state(&mut d);
    assert_eq!(
        (status, sessions, nwa),
        (DiscState::Appendable, 1, Some(320))
    );

    // The new image: a changed first part (the volume descriptors) and more data after.
    let second = image(1000, 2);
    let (r, records, mut d) = traced_write(d, &second, force_overwrite());
    let outcome = r.unwrap();
    assert_eq!((outcome.start_lba, outcome.sectors), (0, 1000));
    assert_eq!(
        writes_in(&records).first().map(|w| w.0),
        Some(0),
        "from LBA 0"
    );
    assert_same_sectors(&read_back(&mut d, 0, 1000), &second, 0, "POW read back");
    // The appended part is a session of its own; the disc stays appendable after it.
    assert_eq!(disc_state(&mut d), (DiscState::Appendable, 2, Some(1024)));
    assert_eq!(closes(&records), vec![(0b001, 2), (0b010, 0)]);
}

#[test]
fn on_pow_an_overwrite_inside_the_recorded_sectors_closes_nothing() {
    let first = image(320, 1);
    let mut second = image(64, 2);
    second.extend_from_slice(&first[64 * 2048..128 * 2048]);
    let (r, records, mut d) = traced_write(pow_disc_with(&first), &second, force_overwrite());
    r.unwrap();
    assert!(closes(&records).is_empty(), "{:?}", closes(&records));
    let mut expected = second.clone();
    expected.extend_from_slice(&first[128 * 2048..]);
    assert_same_sectors(&read_back(&mut d, 0, 320), &expected, 0, "overwritten");
    assert_eq!(disc_state(&mut d), (DiscState::Appendable, 1, Some(320)));
}

#[test]
fn on_pow_block_ranges_overwrite_only_their_sectors() {
    let first = image(320, 1);
    let second = image(320, 2);
    let ranges = [BlockRange {
        start_lba: 16,
        end_lba: 47,
    }];
    let (r, _, mut d) = traced_write_ranges(
        pow_disc_with(&first),
        &second,
        Some(&ranges),
        WriteOptions::default(),
    );
    r.unwrap();
    let mut expected = first.clone();
    expected[16 * 2048..48 * 2048].copy_from_slice(&second[16 * 2048..48 * 2048]);
    assert_same_sectors(&read_back(&mut d, 0, 320), &expected, 0, "ranges");
}

#[test]
fn on_pow_block_ranges_cannot_leave_a_gap_past_the_next_writable_address() {
    let ranges = [BlockRange {
        start_lba: 400,
        end_lba: 431,
    }];
    let (r, records, _) = traced_write_ranges(
        pow_disc_with(&image(320, 1)),
        &image(480, 2),
        Some(&ranges),
        WriteOptions::default(),
    );
    match r {
        Err(e @ Error::Api(_)) => assert_eq!(e.code().name(), "E_INVALIDARG"),
        other => panic!("{other:?}"),
    }
    assert!(writes_in(&records).is_empty());
}

#[test]
fn on_pow_a_plain_write_adds_a_session_as_on_any_bd_r() {
    let first = image(320, 1);
    let second = image(100, 2);
    let (r, _, mut d) = traced_write(pow_disc_with(&first), &second, WriteOptions::default());
    let outcome = r.unwrap();
    assert_eq!(outcome.start_lba, 320);
    assert_same_sectors(&read_back(&mut d, 0, 320), &first, 0, "first session");
    assert_same_sectors(&read_back(&mut d, 320, 100), &second, 320, "second");
    assert_eq!(disc_state(&mut d).1, 2);
}

#[test]
fn without_pow_a_forced_write_still_adds_a_session() {
    let (r, _, d) = traced_write(
        formatted_bd_r(SRM_NO_POW),
        &image(320, 1),
        WriteOptions::default(),
    );
    r.unwrap();
    let (r, _, _) = traced_write(d, &image(100, 2), force_overwrite());
    assert_eq!(r.unwrap().start_lba, 320);
}
