//! What a real drive can do to a write, on the emulated drive: a blank check whose reads
//! fail, a reset or a disc change mid-write, a busy drive, deferred errors, short transfers,
//! recovered errors, a path that moves less than 64 KiB, and the commands around the write
//! (the tray lock, the timeouts, INQUIRY's length, the poll after an Immed CLOSE). Each is a
//! way a real drive could cost a disc or the data on it.

mod common;

use std::time::Duration;

use common::*;
use discwriter::{Error, VerificationLevel, WriteOptions};
use mmc_core::sense::SenseTriple;
use mmc_core::trace::{TraceRecord, Tracing};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::FaultPlan;
use virtdrive::fault::Faulty;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

const WRITABLE: [MediumKind; 5] = [
    MediumKind::CdR80,
    MediumKind::DvdPlusR,
    MediumKind::BdR,
    MediumKind::DvdPlusRw,
    MediumKind::BdRe,
];

fn plan_json(json: &str) -> FaultPlan {
    FaultPlan::from_json_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn opcode(r: &TraceRecord) -> u8 {
    u8::from_str_radix(&r.cdb[..2], 16).unwrap()
}

fn cdb(r: &TraceRecord) -> Vec<u8> {
    mmc_core::wire::parse_hex_words([r.cdb.as_str()]).unwrap()
}

/// A BD-RE holding `data` from LBA 0, written with default options.
fn written_bd_re(data: &[u8]) -> EmulatedDrive {
    let w = writer(drive(MediumKind::BdRe), WriteOptions::default());
    write_collecting(&w, data).0.unwrap();
    w.take_recorder().unwrap().unwrap().into_transport()
}

#[test]
fn a_blank_check_whose_reads_fail_never_makes_data_look_absent() {
    let old = image(600, 1);
    // ABORTED COMMAND on every READ (10) of the first 2 MB; a CHECK CONDITION without sense;
    // a medium error: the check fails with the error, the disc is not written.
    let faults = [
        r#"{"sense": {"key": "aborted_command", "asc": 0, "ascq": 0}}"#,
        r#"{"sense": {"key": "medium_error", "asc": "0x11", "ascq": 0}}"#,
        r#""timeout_before""#,
    ];
    for action in faults {
        let d = Faulty::for_drive(
            written_bd_re(&old),
            plan_json(&format!(
                r#"{{"rules": [{{"match": {{"opcode": "READ (10)", "lba": {{"first": 0, "last": 1023}}}},
                "action": {action}, "times": "always"}}]}}"#
            )),
        );
        let mut t = Tracing::new(d);
        let w = writer(&mut t, WriteOptions::default());
        let (r, _) = write_collecting(&w, &image(100, 2));
        let e = r.expect_err(action);
        assert!(
            !matches!(e, Error::MediaNotBlank { .. }),
            "{action}: the check itself failed, not a verdict: {e}"
        );
        drop(w);
        assert!(
            !t.records().iter().any(|r| opcode(r) == 0x2A),
            "{action}: nothing was written"
        );
        let mut d = t.into_parts().0.into_inner();
        assert_eq!(
            read_back(&mut d, 0, 600),
            old,
            "{action}: the data is intact"
        );
    }
    // A unit attention during the check is retried: the check then sees the data.
    let d = Faulty::for_drive(
        written_bd_re(&old),
        plan_json(
            r#"{"rules": [{"match": {"opcode": "READ (10)", "lba": {"first": 0, "last": 31}},
            "action": {"sense": {"key": "unit_attention", "asc": "0x29", "ascq": 0}},
            "times": 2}]}"#,
        ),
    );
    let w = writer(d, WriteOptions::default());
    let (r, _) = write_collecting(&w, &image(100, 2));
    assert!(matches!(r, Err(Error::MediaNotBlank { .. })), "{r:?}");
}

#[test]
fn a_reset_or_a_disc_change_mid_write_ends_the_write() {
    for (asc, ascq) in [(0x29, 0x00), (0x28, 0x00)] {
        for kind in WRITABLE {
            let d = Faulty::for_drive(
                drive(kind),
                plan_json(&format!(
                    r#"{{"rules": [{{"match": {{"opcode": "WRITE (10)", "nth": 4}},
                    "action": {{"sense": {{"key": "unit_attention", "asc": {asc}, "ascq": {ascq}}}}},
                    "times": "once"}}]}}"#
                )),
            );
            let mut t = Tracing::new(d);
            let w = writer(
                &mut t,
                WriteOptions {
                    force_overwrite: true,
                    ..WriteOptions::default()
                },
            );
            let (r, _) = write_collecting(&w, &image(400, 3));
            let what = format!("06/{asc:02X} on {}", kind.name());
            let e = r.expect_err(&what);
            let expected = if asc == 0x28 { 0xC0AA0205 } else { 0xC0AA0301 };
            assert_eq!(e.hresult(), expected, "{what}: {e}");
            drop(w);
            // The WRITE that heard it was not sent again, and none after it.
            let writes: Vec<Vec<u8>> = t
                .records()
                .iter()
                .filter(|r| opcode(r) == 0x2A)
                .map(cdb)
                .collect();
            assert_eq!(writes.len(), 4, "{what}");
            // Nor was the session closed over what the drive may have lost.
            assert!(
                !t.records().iter().any(|r| opcode(r) == 0x5B),
                "{what}: no CLOSE TRACK/SESSION"
            );
        }
    }
}

/// The drive's clock at each command, to see how long the host waited between them.
struct Clocked<T> {
    inner: T,
    log: Vec<(u8, Duration)>,
}

impl<T: Transport> Transport for Clocked<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.log.push((
            cdb.first().copied().unwrap_or(0),
            self.inner.device_time().unwrap_or_default(),
        ));
        self.inner.execute(cdb, data, timeout)
    }
    mmc_core::forward_transport!(inner);
}

#[test]
fn a_write_the_drive_answers_busy_is_sent_again_within_25_ms() {
    let d = Faulty::for_drive(
        drive(MediumKind::DvdPlusRw),
        plan_json(
            r#"{"rules": [{"match": {"opcode": "WRITE (10)", "nth": 3},
            "action": {"sense": {"key": "not_ready", "asc": 4, "ascq": 8}}, "times": "once"},
            {"match": {"opcode": "WRITE (10)", "nth": 4},
            "action": {"sense": {"key": "not_ready", "asc": 4, "ascq": 7}}, "times": "once"}]}"#,
        ),
    );
    let mut c = Clocked {
        inner: d,
        log: Vec::new(),
    };
    let w = writer(&mut c, WriteOptions::default());
    let data = image(320, 4);
    write_collecting(&w, &data).0.unwrap();
    drop(w);
    let writes: Vec<Duration> = c
        .log
        .iter()
        .filter(|(op, _)| *op == 0x2A)
        .map(|(_, t)| *t)
        .collect();
    // The 3rd WRITE was answered busy, and its repeat (the 4th sent) busy again.
    for pair in [(2, 3), (3, 4)] {
        let gap = writes[pair.1] - writes[pair.0];
        assert!(
            gap <= Duration::from_millis(26),
            "a busy WRITE waited {gap:?} before being sent again"
        );
    }
    assert_eq!(read_back(&mut c.inner, 0, 320), data);
}

#[test]
fn a_deferred_loss_of_streaming_on_synchronize_cache_fails_the_write() {
    for kind in WRITABLE {
        let d = Faulty::for_drive(
            drive(kind),
            plan_json(
                r#"{"rules": [{"match": {"opcode": "SYNCHRONIZE CACHE"},
                "action": {"sense": {"key": "medium_error", "asc": "0x0C", "ascq": 9,
                                     "deferred": true, "executed": true}},
                "times": "once"}]}"#,
            ),
        );
        let w = writer(d, WriteOptions::default());
        let (r, _) = write_collecting(&w, &image(200, 5));
        let e = r.expect_err(kind.name());
        assert_eq!(e.hresult(), 0xC0AA0300, "{}: {e}", kind.name());
        assert_eq!(
            e.cause().map(|c| c.opcode.to_u8()),
            Some(0x35),
            "{}",
            kind.name()
        );
    }
}

/// Answers the `nth` WRITE with GOOD and a residual: the drive says all is well but took
/// only 4096 bytes.
struct ShortWrite<T> {
    inner: T,
    writes: u32,
    nth: u32,
}

impl<T: Transport> Transport for ShortWrite<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let len = data.len();
        let mut c = self.inner.execute(cdb, data, timeout)?;
        if cdb.first() == Some(&0x2A) {
            self.writes += 1;
            if self.writes == self.nth && c.is_good() {
                c.residual = len - 4096;
            }
        }
        Ok(c)
    }
    mmc_core::forward_transport!(inner);
}

#[test]
fn a_write_answered_good_with_a_residual_fails() {
    for kind in WRITABLE {
        let d = ShortWrite {
            inner: drive(kind),
            writes: 0,
            nth: 2,
        };
        let w = writer(
            d,
            WriteOptions {
                force_overwrite: true,
                ..WriteOptions::default()
            },
        );
        let (r, _) = write_collecting(&w, &image(200, 6));
        let e = r.expect_err(kind.name());
        assert_eq!(e.hresult(), 0xC0AA02FF, "{}: {e}", kind.name());
        assert!(e.to_string().contains("4096 of 65536"), "{e}");
    }
}

#[test]
fn a_recovered_error_is_success() {
    for kind in WRITABLE {
        let d = Faulty::for_drive(
            drive(kind),
            plan_json(
                r#"{"rules": [{"match": {"opcode": "WRITE (10)", "nth": 2},
                "action": {"sense": {"key": "recovered_error", "asc": "0x17", "ascq": 1,
                                     "executed": true}}, "times": "once"},
                {"match": {"opcode": "READ DISC INFORMATION", "nth": 2},
                "action": {"sense": {"key": "recovered_error", "asc": "0x18", "ascq": 0,
                                     "executed": true}}, "times": "once"}]}"#,
            ),
        );
        let w = writer(
            d,
            WriteOptions {
                verification: VerificationLevel::Full,
                ..WriteOptions::default()
            },
        );
        let data = image(200, 7);
        let (r, _) = write_collecting(&w, &data);
        let o = r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let mut d = w.take_recorder().unwrap().unwrap().into_transport();
        assert_eq!(read_back(&mut d, o.start_lba, 200), data, "{}", kind.name());
    }
}

#[test]
fn a_path_that_moves_32_kib_gets_transfers_of_32_kib_in_whole_ecc_blocks() {
    for kind in WRITABLE {
        let d = EmulatedDrive::with_medium(
            DriveConfig {
                max_transfer_bytes: Some(32 * 1024),
                ..DriveConfig::default()
            },
            medium::blank(kind, Box::new(MemoryStore::new())),
        );
        let mut t = Tracing::new(d);
        let w = writer(
            &mut t,
            WriteOptions {
                verification: VerificationLevel::Full,
                ..WriteOptions::default()
            },
        );
        let data = image(301, 8);
        let (r, _) = write_collecting(&w, &data);
        r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        drop(w);
        for r in t.records() {
            assert!(
                r.length <= 32 * 1024,
                "{}: {} of {} bytes",
                kind.name(),
                r.command,
                r.length
            );
        }
        // DVD's ECC block is 16 sectors (32 KiB): every WRITE but the last is one.
        let writes: Vec<usize> = t
            .records()
            .iter()
            .filter(|r| opcode(r) == 0x2A)
            .map(|r| r.length)
            .collect();
        assert!(
            writes.iter().filter(|&&l| l == 32 * 1024).count() >= 18,
            "{writes:?}"
        );
    }
}

/// The commands a write sends, on every medium: the tray locked from before the first WRITE
/// to after the last command, on success and on failure; the timeouts of each command class
/// at least libburn's; INQUIRY of 36 bytes.
#[test]
fn the_tray_is_locked_over_the_write_and_every_command_class_has_its_timeout() {
    let failing = r#"{"rules": [{"match": {"opcode": "WRITE (10)", "nth": 3},
        "action": {"sense": {"key": "medium_error", "asc": "0x0C", "ascq": 0}}, "times": "once"}]}"#;
    for kind in WRITABLE {
        for fail in [false, true] {
            let plan = if fail {
                plan_json(failing)
            } else {
                FaultPlan::empty()
            };
            let mut t = Tracing::new(Faulty::for_drive(drive(kind), plan));
            let w = writer(&mut t, WriteOptions::default());
            let (r, _) = write_collecting(&w, &image(3000, 9));
            assert_eq!(r.is_err(), fail, "{}", kind.name());
            drop(w);
            let recs = t.records();
            let what = format!("{} (failing: {fail})", kind.name());
            let inquiry = recs.iter().find(|r| opcode(r) == 0x12).expect("INQUIRY");
            assert_eq!(inquiry.length, 36, "{what}");
            let prevent: Vec<(usize, u8)> = recs
                .iter()
                .enumerate()
                .filter(|(_, r)| opcode(r) == 0x1E)
                .map(|(i, r)| (i, cdb(r)[4] & 1))
                .collect();
            let first_write = recs.iter().position(|r| opcode(r) == 0x2A).unwrap();
            assert_eq!(prevent.len(), 2, "{what}: {prevent:?}");
            assert_eq!(prevent[0].1, 1, "{what}: locked first");
            assert!(prevent[0].0 < first_write, "{what}");
            assert_eq!(prevent[1].1, 0, "{what}: unlocked");
            assert_eq!(prevent[1].0, recs.len() - 1, "{what}: unlocked last");
            for r in recs {
                let min_ms = match opcode(r) {
                    // WRITE, READ (10), READ BUFFER CAPACITY: libburn gives WRITE 200 s.
                    0x2A | 0x28 | 0x5C => 200_000,
                    // SYNCHRONIZE CACHE, CLOSE TRACK/SESSION, FORMAT UNIT, SEND OPC with Immed.
                    0x35 | 0x5B | 0x04 | 0x54 => 200_000,
                    _ => 10_000,
                };
                assert!(
                    r.timeout_ms >= min_ms,
                    "{what}: {} with {} ms",
                    r.command,
                    r.timeout_ms
                );
            }
        }
    }
}

/// Answers the first TEST UNIT READY after a CLOSE TRACK/SESSION with 02/3A/00, as some
/// drives do while they finish a close.
struct NoMediumAfterClose<T> {
    inner: T,
    armed: bool,
}

impl<T: Transport> Transport for NoMediumAfterClose<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match cdb.first() {
            // CLOSE TRACK (function 001b).
            Some(0x5B) if cdb.get(2).is_some_and(|f| f & 0x07 == 1) => self.armed = true,
            Some(0x00) if self.armed => {
                self.armed = false;
                let sense =
                    mmc_core::sense::SenseBuilder::new(SenseTriple::new(0x02, 0x3A, 0x00)).fixed();
                return Ok(Completion::check_condition(&sense, 0));
            }
            _ => {}
        }
        self.inner.execute(cdb, data, timeout)
    }
    mmc_core::forward_transport!(inner);
}

#[test]
fn no_medium_in_the_poll_after_close_track_does_not_stop_the_close() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusR, MediumKind::BdR] {
        let d = NoMediumAfterClose {
            inner: Tracing::new(drive(kind)),
            armed: false,
        };
        let w = writer(d, WriteOptions::default());
        let (r, _) = write_collecting(&w, &image(200, 10));
        r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let t = w.take_recorder().unwrap().unwrap().into_transport().inner;
        let closes: Vec<u8> = t
            .records()
            .iter()
            .filter(|r| opcode(r) == 0x5B)
            .map(|r| cdb(r)[2] & 0x07)
            .collect();
        // DVD+R closes the disc in compatible mode (101b) by default.
        let close = if kind == MediumKind::DvdPlusR { 5 } else { 2 };
        assert_eq!(
            closes,
            [1, close],
            "{}: CLOSE TRACK then CLOSE SESSION (or the disc)",
            kind.name()
        );
    }
}

#[test]
fn a_format_is_waited_for_while_its_progress_moves() {
    // A full certification of a BD-RE takes longer than the (here 2 s) budget for a long
    // operation without progress; it moves, so the engine waits.
    use discwriter::writer::Timeouts;
    let mut rec = discwriter::Recorder::open(drive(MediumKind::BdRe)).unwrap();
    let timeouts = Timeouts {
        long_operation: Duration::from_secs(2),
        ..Timeouts::default()
    };
    let mut seen = Vec::new();
    rec.format_medium(false, &timeouts, &mut |p| seen.extend(p))
        .unwrap();
    let d = rec.into_transport();
    assert!(
        d.device_time().unwrap() > Duration::from_secs(10),
        "the format took {:?} of drive time",
        d.device_time()
    );
    assert!(seen.windows(2).any(|w| w[1] > w[0]), "{seen:?}");
}

/// Reports the invisible track's next writable address 150 sectors further on until the
/// write parameters page is selected, as a drive whose address depends on the write type
/// (MMC-6 6.27.3.9) does before it knows it.
struct AddressFollowsPage<T> {
    inner: T,
    selected: bool,
}

impl<T: Transport> Transport for AddressFollowsPage<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        if cdb.first() == Some(&0x55) {
            self.selected = true;
        }
        let track_info = cdb.first() == Some(&0x52) && !self.selected;
        match data {
            DataPhase::In(buf) if track_info => {
                let c = self.inner.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                // Next Writable Address, bytes 12-15, valid when byte 7 bit 0 (NWA_V) is set.
                if c.is_good() && buf.len() >= 16 && buf[7] & 1 == 1 {
                    let nwa = u32::from_be_bytes([buf[12], buf[13], buf[14], buf[15]]) + 150;
                    buf[12..16].copy_from_slice(&nwa.to_be_bytes());
                }
                Ok(c)
            }
            other => self.inner.execute(cdb, other, timeout),
        }
    }
    mmc_core::forward_transport!(inner);
}

#[test]
fn on_cd_the_address_is_the_one_the_drive_gives_once_the_write_parameters_are_set() {
    let d = AddressFollowsPage {
        inner: drive(MediumKind::CdR80),
        selected: false,
    };
    let w = writer(d, WriteOptions::default());
    let data = image(300, 11);
    let (r, _) = write_collecting(&w, &data);
    let o = r.unwrap();
    assert_eq!(o.start_lba, 0);
    let mut d = w.take_recorder().unwrap().unwrap().into_transport().inner;
    assert_eq!(read_back(&mut d, 0, 300), data);
}
