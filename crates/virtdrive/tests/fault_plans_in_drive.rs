//! Every example plan in fixtures/fault-plans/, installed in a drive, does to the host what
//! its name and description say; so do `delay` (on the virtual clock) and `corrupt_data_in`.

use std::time::Duration;

use mmc_core::sense::{triples, Sense, SenseFormat, SenseKeySpecific, SenseTriple};
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport, TransportError};
use testkit::sense::{MISCOMPARE_DURING_VERIFY, WRITE_ERROR};
use testkit::{
    drive_with as drive, dvd_plus_rw_basic_format, fault_plan as plan, filled as sectors, read10,
    write10, CLOSE_TRACK, FORMAT_BD_RE_31H, FORMAT_UNIT, INQUIRY, READ_CAPACITY,
    READ_DISC_INFORMATION, READ_TRACK_INFORMATION_FF, SYNCHRONIZE_CACHE, TEST_UNIT_READY,
};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::store::SECTOR;
use virtdrive::EmulatedDrive;

const TIMEOUT: Duration = Duration::from_secs(60);

fn exec(
    d: &mut impl Transport,
    cdb: &[u8],
    data: DataPhase<'_>,
) -> Result<Completion, TransportError> {
    d.execute(cdb, data, TIMEOUT)
}

#[track_caller]
fn good(d: &mut impl Transport, cdb: &[u8], data: DataPhase<'_>) {
    let c = exec(d, cdb, data).expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

/// The sense triple of a CHECK CONDITION.
#[track_caller]
fn check(d: &mut impl Transport, cdb: &[u8], data: DataPhase<'_>) -> SenseTriple {
    let c = exec(d, cdb, data).expect("the command completes");
    assert_eq!(
        c.status,
        ScsiStatus::CheckCondition,
        "CDB {cdb:02X?}: {c:?}"
    );
    c.sense_triple().unwrap()
}

#[track_caller]
fn read(d: &mut impl Transport, lba: u32, blocks: u16) -> Vec<u8> {
    let mut buf = vec![0xA5; usize::from(blocks) * SECTOR];
    good(d, &read10(lba, blocks), DataPhase::In(&mut buf));
    buf
}

const GET_CONFIGURATION: [u8; 10] = [
    0x46, // GET CONFIGURATION
    0x02, // RT 10b: one feature
    0x00, 0x00, // feature 0000h: profile list
    0x00, 0x00, 0x00, //
    0x00, 0x08, // allocation length 8: the header
    0x00,
];

/// A DVD+RW whose background format has been started (writes are allowed at once).
fn formatted_dvd_plus_rw() -> EmulatedDrive {
    let mut d = drive(MediumKind::DvdPlusRw);
    let list = dvd_plus_rw_basic_format(false);
    good(&mut d, &FORMAT_UNIT, DataPhase::Out(&list));
    d
}

/// A BD-RE formatted 31h, quick, and ready.
fn formatted_bd_re() -> EmulatedDrive {
    let mut d = drive(MediumKind::BdRe);
    good(&mut d, &FORMAT_UNIT, DataPhase::Out(&FORMAT_BD_RE_31H));
    d.advance(Duration::from_secs(60));
    good(&mut d, &TEST_UNIT_READY, DataPhase::None);
    d
}

#[test]
fn write_protect_on_write_refuses_that_write_and_every_later_one() {
    let mut d = Faulty::for_drive(formatted_bd_re(), plan("write-protect-on-write.json"));
    let data = sectors(0x11, 32);
    let at0 = check(&mut d, &write10(0, 32), DataPhase::Out(&data));
    assert_eq!(at0, triples::WRITE_PROTECTED);
    assert!(d.inner().is_write_protected());
    let write12 = [
        0xAA, // WRITE (12)
        0x00, 0x00, 0x00, 0x01, 0x00, // LBA 256
        0x00, 0x00, 0x00, 0x20, // 32 blocks
        0x80, 0x00, // Streaming
    ];
    assert_eq!(
        check(&mut d, &write12, DataPhase::Out(&data)),
        triples::WRITE_PROTECTED
    );
    assert_eq!(
        check(&mut d, &CLOSE_TRACK, DataPhase::None),
        triples::WRITE_PROTECTED
    );
    assert_eq!(
        check(&mut d, &FORMAT_UNIT, DataPhase::Out(&FORMAT_BD_RE_31H)),
        triples::WRITE_PROTECTED
    );
    // Reading still works, and nothing was written.
    assert_eq!(read(&mut d, 0, 32), sectors(0, 32));
}

#[test]
fn loss_of_streaming_hits_the_cd_r_write_that_reaches_lba_5000() {
    let mut d = Faulty::for_drive(
        drive(MediumKind::CdR80),
        plan("loss-of-streaming-at-lba.json"),
    );
    let data = sectors(0x5A, 32);
    let mut lba = 0u32;
    let failure = loop {
        let c = exec(&mut d, &write10(lba, 32), DataPhase::Out(&data)).unwrap();
        if !c.is_good() {
            break c;
        }
        lba += 32;
    };
    assert_eq!(
        lba, 4992,
        "the write of 4992-5023 is the first to reach 5000"
    );
    let sense = Sense::parse(&failure.sense).unwrap();
    assert_eq!(sense.triple(), Some(triples::LOSS_OF_STREAMING));
    assert_eq!(sense.information, Some(5000));
    // The failed write recorded nothing: the NWA is still 4992, and the plan fired once.
    let mut info = vec![0u8; 48];
    good(&mut d, &READ_TRACK_INFORMATION_FF, DataPhase::In(&mut info));
    assert_eq!(&info[12..16], 4992u32.to_be_bytes());
    good(&mut d, &write10(4992, 32), DataPhase::Out(&data));
}

#[test]
fn a_timed_out_synchronize_cache_still_made_the_data_durable() {
    let mut d = Faulty::for_drive(formatted_bd_re(), plan("timeout-on-sync-cache.json"));
    good(&mut d, &write10(64, 32), DataPhase::Out(&sectors(0x77, 32)));
    assert_eq!(
        exec(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None).unwrap_err(),
        TransportError::Timeout
    );
    // The completion was lost, not the flush: a power loss keeps the data.
    d.inner_mut().power_cycle();
    d.inner_mut().advance(Duration::from_secs(5));
    assert_eq!(
        check(&mut d, &TEST_UNIT_READY, DataPhase::None),
        triples::POWER_ON_RESET
    );
    assert_eq!(read(&mut d, 64, 32), sectors(0x77, 32));
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
}

#[test]
fn power_loss_at_the_100th_write_reverts_to_the_last_synchronize() {
    let mut d = Faulty::for_drive(formatted_bd_re(), plan("power-loss-mid-write.json"));
    for n in 1..=99u32 {
        good(
            &mut d,
            &write10(n * 32, 32),
            DataPhase::Out(&sectors(n as u8, 32)),
        );
        if n == 50 {
            good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
        }
    }
    let hundredth = exec(
        &mut d,
        &write10(100 * 32, 32),
        DataPhase::Out(&sectors(100, 32)),
    );
    assert_eq!(hundredth.unwrap_err(), TransportError::Timeout);
    assert_eq!(
        check(&mut d, &TEST_UNIT_READY, DataPhase::None),
        triples::POWER_ON_RESET
    );
    // The host's 60 s timeout covered the spin-up: the disc is ready.
    good(&mut d, &TEST_UNIT_READY, DataPhase::None);
    for n in [1u32, 25, 50] {
        assert_eq!(read(&mut d, n * 32, 32), sectors(n as u8, 32), "write {n}");
    }
    for n in [51u32, 75, 99, 100] {
        assert_eq!(read(&mut d, n * 32, 32), sectors(0, 32), "write {n}");
    }
}

#[test]
fn becoming_ready_three_times_then_a_medium_change_then_ready() {
    let mut d = Faulty::for_drive(formatted_bd_re(), plan("becoming-ready-3-times.json"));
    for _ in 0..3 {
        assert_eq!(
            check(&mut d, &TEST_UNIT_READY, DataPhase::None),
            triples::BECOMING_READY
        );
    }
    assert_eq!(
        check(&mut d, &TEST_UNIT_READY, DataPhase::None),
        triples::MEDIUM_MAY_HAVE_CHANGED
    );
    good(&mut d, &TEST_UNIT_READY, DataPhase::None);
}

#[test]
fn a_dropped_write_says_good_stores_nothing_and_only_verify_finds_out() {
    let mut d = Faulty::for_drive(
        formatted_dvd_plus_rw(),
        plan("drop-write-false-success.json"),
    );
    good(&mut d, &write10(0, 16), DataPhase::Out(&sectors(0xCD, 16)));
    good(&mut d, &write10(32, 16), DataPhase::Out(&sectors(0xEF, 16)));
    assert_eq!(read(&mut d, 0, 16), sectors(0, 16), "LBA 0-15 never stored");
    assert_eq!(
        read(&mut d, 32, 16),
        sectors(0xEF, 16),
        "LBA 32 is outside the rule"
    );
    let verify = [
        0x2F, // VERIFY (10)
        0x02, // BytChk: compare with the data-out
        0x00, 0x00, 0x00, 0x00, // LBA 0
        0x00, 0x00, 0x10, // 16 blocks
        0x00,
    ];
    assert_eq!(
        check(&mut d, &verify, DataPhase::Out(&sectors(0xCD, 16))),
        MISCOMPARE_DURING_VERIFY
    );
}

#[test]
fn the_device_vanishes_during_close_and_stays_gone() {
    let mut d = Faulty::for_drive(
        drive(MediumKind::CdR80),
        plan("device-gone-during-close.json"),
    );
    good(&mut d, &write10(0, 32), DataPhase::Out(&sectors(1, 32)));
    assert_eq!(
        exec(&mut d, &CLOSE_TRACK, DataPhase::None).unwrap_err(),
        TransportError::DeviceGone
    );
    for cdb in [&TEST_UNIT_READY[..], &INQUIRY[..]] {
        let mut buf = [0u8; 36];
        assert_eq!(
            exec(&mut d, cdb, DataPhase::In(&mut buf)).unwrap_err(),
            TransportError::DeviceGone
        );
    }
}

#[test]
fn disc_information_comes_short_twice_with_a_residual() {
    let mut d = drive(MediumKind::CdR80);
    let mut full = [0u8; 34];
    good(&mut d, &READ_DISC_INFORMATION, DataPhase::In(&mut full));
    let mut d = Faulty::for_drive(d, plan("short-disc-information.json"));
    for _ in 0..2 {
        let mut buf = [0xA5u8; 34];
        let c = exec(&mut d, &READ_DISC_INFORMATION, DataPhase::In(&mut buf)).unwrap();
        assert_eq!(c.status, ScsiStatus::Good);
        assert_eq!(c.residual, 26, "8 of 34 bytes moved");
        assert_eq!(buf[..8], full[..8]);
    }
    let mut buf = [0u8; 34];
    let c = exec(&mut d, &READ_DISC_INFORMATION, DataPhase::In(&mut buf)).unwrap();
    assert_eq!(c.residual, 0);
    assert_eq!(buf, full);
}

#[test]
fn read_capacity_gets_descriptor_format_progress_during_the_first_30_seconds() {
    let mut d = Faulty::for_drive(
        drive(MediumKind::BdRe),
        plan("format-progress-descriptor-sense.json"),
    );
    let mut buf = [0u8; 8];
    let c = exec(&mut d, &READ_CAPACITY, DataPhase::In(&mut buf)).unwrap();
    assert_eq!(c.status, ScsiStatus::CheckCondition);
    assert_eq!(c.sense[0] & 0x7F, 0x72, "descriptor format");
    let sense = Sense::parse(&c.sense).unwrap();
    assert_eq!(sense.format, SenseFormat::Descriptor);
    assert_eq!(sense.triple(), Some(triples::FORMAT_IN_PROGRESS));
    assert_eq!(
        sense.sense_key_specific,
        Some(SenseKeySpecific::Progress(0x4000)),
        "25 %"
    );
    d.inner_mut().advance(Duration::from_secs(30));
    good(&mut d, &READ_CAPACITY, DataPhase::In(&mut buf));
}

#[test]
fn the_disc_turns_out_upside_down_after_two_seconds() {
    // The plan's time window is on the drive's clock, which starts at power-on.
    let mut d = Faulty::for_drive(drive(MediumKind::BdRe), plan("upside-down-disc.json"));
    good(&mut d, &TEST_UNIT_READY, DataPhase::None);
    d.inner_mut().advance(Duration::from_secs(2));
    let mut buf = [0u8; 8];
    assert_eq!(
        check(&mut d, &READ_CAPACITY, DataPhase::In(&mut buf)),
        triples::NO_REFERENCE_POSITION_FOUND
    );
    assert_eq!(
        check(&mut d, &TEST_UNIT_READY, DataPhase::None),
        triples::NO_REFERENCE_POSITION_FOUND
    );
    let mut config = [0xA5u8; 8];
    good(&mut d, &GET_CONFIGURATION, DataPhase::In(&mut config));
    assert_eq!(config[6..8], [0, 0], "no current profile");
}

#[test]
fn the_random_campaign_runs_without_panics_and_its_faults_are_the_ones_described() {
    let campaign = plan("random-campaign.json");
    let mut d = Faulty::for_drive(formatted_dvd_plus_rw(), campaign);
    let mut written: Vec<Option<u8>> = vec![None; 256];
    let (mut write_errors, mut corrupted_reads, mut sync_timeouts) = (0u64, 0u64, 0u64);
    for n in 0..1500u32 {
        let slot = (n * 7 % 256) as usize;
        let lba = slot as u32 * 16;
        let fill = (n % 251) as u8 + 1;
        match exec(
            &mut d,
            &write10(lba, 16),
            DataPhase::Out(&sectors(fill, 16)),
        ) {
            Ok(c) if c.is_good() => written[slot] = Some(fill),
            Ok(c) => {
                assert_eq!(c.sense_triple(), Some(WRITE_ERROR));
                write_errors += 1;
            }
            Err(e) => panic!("WRITE (10): {e}"),
        }
        let mut buf = vec![0u8; 16 * SECTOR];
        let c = exec(&mut d, &read10(lba, 16), DataPhase::In(&mut buf)).unwrap();
        assert!(c.is_good(), "{c:?}");
        let want = sectors(written[slot].unwrap_or(0), 16);
        let flipped: u32 = buf
            .iter()
            .zip(&want)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum();
        match flipped {
            0 => {}
            1 => corrupted_reads += 1,
            n => panic!("READ (10) of LBA {lba}: {n} bits differ"),
        }
        if n % 10 == 0 {
            match exec(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None) {
                Ok(c) => assert!(c.is_good()),
                Err(TransportError::Timeout) => sync_timeouts += 1,
                Err(e) => panic!("SYNCHRONIZE CACHE: {e}"),
            }
        }
    }
    let plan = d.plan();
    assert!(write_errors > 0 && corrupted_reads > 0);
    assert_eq!(write_errors, plan.fire_count(0));
    assert_eq!(corrupted_reads, plan.fire_count(1));
    assert_eq!(sync_timeouts, plan.fire_count(2));
    assert!(sync_timeouts <= 2, "at most twice");
    let mut inquiry = [0u8; 36];
    good(&mut d, &INQUIRY, DataPhase::In(&mut inquiry));
}

#[test]
fn a_delay_moves_the_virtual_clock_by_exactly_its_length() {
    let elapsed = |delayed: bool| {
        let plan = if delayed {
            FaultPlan::from_json_str(
                r#"{ "rules": [ { "match": { "opcode": "TEST UNIT READY" },
                                  "action": { "delay": { "ms": 750 } } } ] }"#,
            )
            .unwrap()
        } else {
            FaultPlan::empty()
        };
        let mut d = Faulty::for_drive(formatted_bd_re(), plan);
        let before = d.inner().now();
        good(&mut d, &TEST_UNIT_READY, DataPhase::None);
        d.inner().now().since(before)
    };
    assert_eq!(elapsed(true) - elapsed(false), Duration::from_millis(750));
}

#[test]
fn corrupt_data_in_flips_the_bits_it_names_in_read_data() {
    let mut d = formatted_bd_re();
    good(&mut d, &write10(0, 32), DataPhase::Out(&sectors(0x3C, 32)));
    let mut d = Faulty::for_drive(
        d,
        FaultPlan::from_json_str(
            r#"{ "rules": [ { "match": { "opcode": "READ (10)", "nth": 2 },
                              "action": { "corrupt_data_in": { "bits": 5 } } } ] }"#,
        )
        .unwrap(),
    );
    assert_eq!(
        read(&mut d, 0, 32),
        sectors(0x3C, 32),
        "the first read is clean"
    );
    let second = read(&mut d, 0, 32);
    let flipped: u32 = second
        .iter()
        .zip(sectors(0x3C, 32))
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert_eq!(flipped, 5);
    assert_eq!(read(&mut d, 0, 32), sectors(0x3C, 32), "the disc is intact");
}
