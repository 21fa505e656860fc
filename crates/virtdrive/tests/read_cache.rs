//! The drive's read cache: READ (10/12) of the sectors written last is answered from the
//! drive's buffer, not from the medium, until a load or eject, a medium change, a power loss
//! or reset, BLANK or FORMAT UNIT drops it; a write the plan drops (`drop_write`) fills it too; a
//! fault plan still matches a READ the cache answers. Off by default.
//!
//! Each test makes the medium and the cache disagree (the data sent by WRITE (10) in the
//! cache, other data put on the medium through the drive's API), so a READ shows where its
//! answer came from.

use std::time::Duration;

use mmc_core::sense::triples;
use mmc_core::{DataPhase, Transport};
use testkit::{
    blocks, command_in_fails, command_ok, command_out, drive_with, dvd_plus_rw_basic_format,
    filled, read10, read12, read_back, select_cd_write_parameters, write10, BLOCK, EJECT,
    FORMAT_UNIT, LOAD, NEXT_SESSION_ALLOWED, SYNCHRONIZE_CACHE, TAO, TEST_UNIT_READY,
};
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{DriveCondition, FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{DriveConfig, EmulatedDrive, MAX_READ_CACHE_BYTES};

const MIB: u32 = 1024 * 1024;

/// A DVD+RW whose format has started (it takes writes at once), with a read cache of
/// `cache` bytes.
fn dvd_plus_rw(cache: Option<u32>) -> EmulatedDrive {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    d.set_read_cache(cache);
    command_out(&mut d, &FORMAT_UNIT, &dvd_plus_rw_basic_format(false));
    d
}

/// Writes `sent` from `lba` with WRITE (10), then puts `recorded` on the medium at the same
/// place behind the drive's back (as if the laser had recorded that instead).
fn write_then_record_otherwise(d: &mut EmulatedDrive, lba: i32, sent: &[u8], recorded: &[u8]) {
    let n = u16::try_from(sent.len() / BLOCK).unwrap();
    command_out(d, &write10(lba, n), sent);
    d.medium_mut()
        .unwrap()
        .write(lba, recorded, false, VirtualTime::ZERO)
        .unwrap();
}

/// Waits out the spin-up after a load or a power cycle and takes the unit attention.
fn wait_until_ready(d: &mut EmulatedDrive) {
    d.advance(Duration::from_secs(10));
    let _ = d.execute(&TEST_UNIT_READY, DataPhase::None, Duration::from_secs(10));
    command_ok(d, &TEST_UNIT_READY);
}

#[test]
fn off_by_default_every_read_reads_the_medium() {
    assert_eq!(DriveConfig::default().read_cache_bytes, None);
    let mut d = dvd_plus_rw(None);
    assert_eq!(d.read_cache_capacity_sectors(), 0);
    write_then_record_otherwise(&mut d, 0, &blocks(0x10, 4), &filled(0xEE, 4));
    assert_eq!(d.read_cache_len(), 0);
    assert_eq!(read_back(&mut d, 0, 4), filled(0xEE, 4));
}

#[test]
fn a_read_of_sectors_just_written_comes_from_the_cache() {
    let mut d = dvd_plus_rw(Some(4 * MIB));
    write_then_record_otherwise(&mut d, 16, &blocks(0x10, 4), &filled(0xEE, 4));
    assert_eq!(d.read_cache_len(), 4);
    // SYNCHRONIZE CACHE records the buffer; it does not empty it.
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_back(&mut d, 16, 4), blocks(0x10, 4));
    // A READ (12) over cached and uncached sectors: each from where it is.
    let mut buf = vec![0xA5; 8 * BLOCK];
    let c = d
        .execute(
            &read12(14, 8),
            DataPhase::In(&mut buf),
            Duration::from_secs(10),
        )
        .unwrap();
    assert!(c.is_good(), "{c:?}");
    assert_eq!(buf[..2 * BLOCK], filled(0, 2)[..], "LBA 14-15: the medium");
    assert_eq!(buf[2 * BLOCK..6 * BLOCK], blocks(0x10, 4)[..], "LBA 16-19");
    assert_eq!(buf[6 * BLOCK..], filled(0, 2)[..], "LBA 20-21: the medium");
}

#[test]
fn eject_and_load_drop_the_cache_and_the_medium_is_read() {
    for (what, cdbs) in [
        ("eject and load", &[EJECT, LOAD][..]),
        ("load", &[LOAD][..]),
    ] {
        let mut d = dvd_plus_rw(Some(4 * MIB));
        write_then_record_otherwise(&mut d, 0, &blocks(0x20, 8), &filled(0xEE, 8));
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        for cdb in cdbs {
            command_ok(&mut d, cdb);
        }
        assert_eq!(d.read_cache_len(), 0, "{what}");
        wait_until_ready(&mut d);
        assert_eq!(read_back(&mut d, 0, 8), filled(0xEE, 8), "{what}");
    }
}

#[test]
fn a_refused_eject_keeps_the_cache() {
    let mut d = dvd_plus_rw(Some(4 * MIB));
    write_then_record_otherwise(&mut d, 0, &blocks(0x20, 2), &filled(0xEE, 2));
    command_ok(&mut d, &testkit::PREVENT);
    testkit::command_fails(&mut d, &EJECT, triples::MEDIUM_REMOVAL_PREVENTED);
    assert_eq!(read_back(&mut d, 0, 2), blocks(0x20, 2));
}

#[test]
fn power_loss_and_reset_drop_the_cache() {
    let lose_power = |d: &mut EmulatedDrive| d.power_cycle();
    let reset = |d: &mut EmulatedDrive| d.enter_condition(&DriveCondition::PowerOnReset);
    for (what, event) in [
        ("power loss", &lose_power as &dyn Fn(&mut EmulatedDrive)),
        ("power-on reset", &reset),
    ] {
        let mut d = dvd_plus_rw(Some(4 * MIB));
        write_then_record_otherwise(&mut d, 32, &blocks(0x30, 4), &filled(0xEE, 4));
        // What the medium holds survives the power loss.
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        assert_eq!(read_back(&mut d, 32, 4), blocks(0x30, 4), "{what}");
        event(&mut d);
        assert_eq!(d.read_cache_len(), 0, "{what}");
        wait_until_ready(&mut d);
        assert_eq!(read_back(&mut d, 32, 4), filled(0xEE, 4), "{what}");
    }
}

#[test]
fn medium_changes_and_formats_drop_the_cache() {
    let conditions = [
        DriveCondition::Eject,
        DriveCondition::NoMedium,
        DriveCondition::BecomingReady {
            duration: Duration::from_secs(1),
        },
    ];
    for condition in &conditions {
        let mut d = dvd_plus_rw(Some(4 * MIB));
        command_out(&mut d, &write10(0, 2), &blocks(0x40, 2));
        assert_eq!(d.read_cache_len(), 2);
        d.enter_condition(condition);
        assert_eq!(d.read_cache_len(), 0, "{condition:?}");
    }
    // A disc taken out through the API and one put in.
    let mut d = dvd_plus_rw(Some(4 * MIB));
    command_out(&mut d, &write10(0, 2), &blocks(0x40, 2));
    let disc = d.remove_medium().unwrap();
    assert_eq!(d.read_cache_len(), 0);
    d.insert(disc);
    wait_until_ready(&mut d);
    command_out(&mut d, &write10(0, 2), &blocks(0x40, 2));
    assert_eq!(d.read_cache_len(), 2);
    d.insert(testkit::blank_disc(MediumKind::DvdPlusRw));
    assert_eq!(d.read_cache_len(), 0);
    // FORMAT UNIT rewrites the medium under the cache (a DVD+RW format restarted).
    let mut d = dvd_plus_rw(Some(4 * MIB));
    command_out(&mut d, &write10(0, 2), &blocks(0x40, 2));
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_out(&mut d, &FORMAT_UNIT, &dvd_plus_rw_basic_format(true));
    assert_eq!(d.read_cache_len(), 0);
}

#[test]
fn blanking_a_cd_rw_drops_the_cache() {
    let mut d = drive_with(MediumKind::CdRw80);
    d.set_read_cache(Some(4 * MIB));
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    command_out(&mut d, &write10(0, 32), &blocks(0x45, 32));
    assert_eq!(d.read_cache_len(), 32);
    #[rustfmt::skip]
    let blank_minimal_immed = [
        0xA1,       // BLANK
        0x10 | 0x01, // Immed, blanking type 001b: minimal
        0, 0, 0, 0, // start address
        0, 0, 0, 0, 0, //
        0x00,       // control
    ];
    command_ok(&mut d, &blank_minimal_immed);
    assert_eq!(d.read_cache_len(), 0);
}

#[test]
fn the_cache_holds_the_last_sectors_written_the_oldest_evicted() {
    // Room for 4 sectors: of 8 written, the first 4 are read from the medium.
    let mut d = dvd_plus_rw(Some(4 * BLOCK as u32));
    assert_eq!(d.read_cache_capacity_sectors(), 4);
    write_then_record_otherwise(&mut d, 0, &blocks(0x50, 8), &filled(0xEE, 8));
    assert_eq!(d.read_cache_len(), 4);
    let back = read_back(&mut d, 0, 8);
    assert_eq!(back[..4 * BLOCK], filled(0xEE, 4)[..]);
    assert_eq!(back[4 * BLOCK..], blocks(0x50, 8)[4 * BLOCK..]);
    // However large a cache is asked for, the model keeps at most MAX_READ_CACHE_BYTES.
    d.set_read_cache(Some(u32::MAX));
    assert_eq!(
        d.read_cache_capacity_sectors(),
        MAX_READ_CACHE_BYTES as usize / BLOCK
    );
}

fn plan(json: &str) -> FaultPlan {
    FaultPlan::from_json_str(json).unwrap_or_else(|e| panic!("{e}"))
}

/// The read cache from the first command, and the WRITE (10) at LBA 32-63 dropped.
const CACHE_AND_DROP: &str = r#"{ "rules": [
    { "match": { "nth": 1 }, "action": { "drive_condition": { "read_cache": { "bytes": 4194304 } } }, "times": "once" },
    { "match": { "opcode": "WRITE (10)", "lba": { "first": 32, "last": 63 } }, "action": "drop_write" }
] }"#;

#[test]
fn a_dropped_write_fills_the_cache_and_only_a_reload_shows_it_was_not_recorded() {
    let mut d = Faulty::for_drive(dvd_plus_rw(None), plan(CACHE_AND_DROP));
    command_ok(&mut d, &TEST_UNIT_READY);
    assert_eq!(d.inner().read_cache_capacity_sectors(), 2048);
    let data = blocks(0x60, 64);
    command_out(&mut d, &write10(0, 32), &data[..32 * BLOCK]);
    command_out(&mut d, &write10(32, 32), &data[32 * BLOCK..]);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(d.fired().len(), 2, "the cache turned on, one write dropped");
    // Read back through the cache: everything as sent.
    assert_eq!(read_back(&mut d, 0, 64), data);
    // After a reload the medium answers: LBA 32-63 were never recorded.
    command_ok(&mut d, &EJECT);
    command_ok(&mut d, &LOAD);
    wait_until_ready(d.inner_mut());
    let back = read_back(&mut d, 0, 64);
    assert_eq!(back[..32 * BLOCK], data[..32 * BLOCK]);
    assert_eq!(back[32 * BLOCK..], filled(0, 32)[..]);
}

#[test]
fn without_the_cache_a_dropped_write_reads_back_as_not_recorded() {
    let only_drop = r#"{ "rules": [
        { "match": { "opcode": "WRITE (10)", "lba": { "first": 32, "last": 63 } }, "action": "drop_write" }
    ] }"#;
    let mut d = Faulty::for_drive(dvd_plus_rw(None), plan(only_drop));
    command_out(&mut d, &write10(32, 32), &blocks(0x60, 32));
    assert_eq!(d.inner().read_cache_len(), 0);
    assert_eq!(read_back(&mut d, 32, 32), filled(0, 32));
}

#[test]
fn a_plan_matches_a_read_the_cache_answers() {
    // The plan decides before the drive runs the command: a sense rule answers instead of
    // the cache, and corrupt_data_in flips bits of what the cache gave.
    let json = r#"{ "seed": 3, "rules": [
        { "match": { "opcode": "READ (10)", "lba": { "first": 0, "last": 0 } },
          "action": { "sense": { "key": "medium_error", "asc": "0x11", "ascq": 0 } }, "times": "once" },
        { "match": { "opcode": "READ (10)", "lba": { "first": 8, "last": 8 } },
          "action": { "corrupt_data_in": { "bits": 1 } }, "times": "once" }
    ] }"#;
    let mut d = Faulty::for_drive(dvd_plus_rw(Some(4 * MIB)), plan(json));
    command_out(&mut d, &write10(0, 16), &blocks(0x70, 16));
    command_in_fails(
        &mut d,
        &read10(0, 1),
        BLOCK,
        triples::UNRECOVERED_READ_ERROR,
    );
    let corrupted = read_back(&mut d, 8, 1);
    let sent = &blocks(0x70, 16)[8 * BLOCK..9 * BLOCK];
    let flipped: u32 = corrupted
        .iter()
        .zip(sent)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert_eq!(flipped, 1);
    // Both rules spent, the cache answers again.
    assert_eq!(read_back(&mut d, 0, 16), blocks(0x70, 16));
}
