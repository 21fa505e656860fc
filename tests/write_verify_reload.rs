//! Full verification after a reload (`WriteOptions::reload_before_verify`): the tray's lock
//! released, START STOP UNIT ejects and loads the disc (MMC-6 6.40), TEST UNIT READY waits
//! for the drive, and only then are the written sectors read back, so that they come from
//! the medium and not from the drive's buffer. A drive that cannot load a disc is refused
//! before anything is written; one that refuses to load fails the write's verification. A
//! drive whose read cache (the emulator's) hides sectors the medium lacks passes a full
//! verification, and fails it once the disc is reloaded.

mod common;

use std::time::Duration;

use common::*;
use discwriter::{Error, VerificationLevel, WriteOptions};
use mmc_core::sense::{SenseBuilder, SenseTriple};
use mmc_core::trace::TraceOutcome;
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const START_STOP_UNIT: u8 = 0x1B;
const PREVENT_ALLOW_MEDIUM_REMOVAL: u8 = 0x1E;
const TEST_UNIT_READY: u8 = 0x00;
const READ_10: u8 = 0x28;
const WRITE_10: u8 = 0x2A;
const GET_CONFIGURATION: u8 = 0x46;

fn full(reload: bool) -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Full,
        reload_before_verify: reload,
        ..WriteOptions::default()
    }
}

/// START STOP UNIT with LoEj set: Some(true) for a load (Start = 1), Some(false) for an
/// eject (MMC-6 6.40: byte 4 bit 1 LoEj, bit 0 Start).
fn load_or_eject(cdb: &[u8]) -> Option<bool> {
    (cdb.first() == Some(&START_STOP_UNIT) && cdb.get(4)? & 0x02 != 0)
        .then(|| cdb.get(4).is_some_and(|b| b & 0x01 != 0))
}

#[test]
fn reload_ejects_loads_waits_for_the_drive_then_reads_the_disc_back() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let data = image(300, 7);
        let (r, records, mut d) = traced_write(drive(kind), &data, full(true));
        r.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let cdbs = cdbs(&records);
        let position = |what: &dyn Fn(&[u8]) -> bool, after: usize| {
            cdbs.iter()
                .skip(after)
                .position(|c| what(c))
                .map(|i| i + after)
                .unwrap_or_else(|| panic!("{kind:?}: not found after command {after}"))
        };
        let last_write = cdbs.iter().rposition(|c| c[0] == WRITE_10).unwrap();
        // The lock of the write released (Prevent = 0), then eject, then load.
        let allow = position(
            &|c| c[0] == PREVENT_ALLOW_MEDIUM_REMOVAL && c[4] & 0x01 == 0,
            last_write,
        );
        let eject = position(&|c| load_or_eject(c) == Some(false), allow);
        let load = position(&|c| load_or_eject(c) == Some(true), eject);
        // The drive answered TEST UNIT READY with GOOD before the first READ.
        let ready = records
            .iter()
            .enumerate()
            .skip(load)
            .find(|(_, r)| {
                r.cdb.starts_with("00")
                    && matches!(r.outcome, TraceOutcome::Completed { status: 0, .. })
            })
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("{kind:?}: no TEST UNIT READY answered GOOD"));
        let first_read = position(&|c| c[0] == READ_10, load);
        assert!(
            ready < first_read,
            "{kind:?}: read before the drive was ready"
        );
        assert_eq!(
            cdbs[..last_write]
                .iter()
                .filter(|c| load_or_eject(c).is_some())
                .count(),
            0,
            "{kind:?}: no tray movement before the data is written"
        );
        assert!(
            cdbs[load..].iter().any(|c| c[0] == TEST_UNIT_READY),
            "{kind:?}"
        );
        // The disc holds the image, read back from the drive.
        assert_same_sectors(&read_back(&mut d, 0, 300), &data, 0, &format!("{kind:?}"));
    }
}

#[test]
fn full_verification_without_reload_leaves_the_tray_alone() {
    let data = image(100, 3);
    let (r, records, _) = traced_write(drive(MediumKind::DvdPlusRw), &data, full(false));
    r.unwrap();
    assert!(!cdbs(&records).iter().any(|c| load_or_eject(c).is_some()));
}

/// A drive whose Removable Medium feature (0003h, MMC-6 5.3.4) says it cannot load a
/// disc (Load = 0: a caddy or slot without a loading mechanism the host can drive), and
/// that refuses START STOP UNIT's load with 05/24/00 when `refuse_load` is set.
struct NoLoad<T> {
    inner: T,
    feature_says_no: bool,
    refuse_load: bool,
}

impl<T: Transport> Transport for NoLoad<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        if self.refuse_load && load_or_eject(cdb) == Some(true) {
            let sense = SenseBuilder::new(SenseTriple::new(0x05, 0x24, 0x00)).fixed();
            return Ok(Completion::check_condition(&sense, 0));
        }
        match data {
            DataPhase::In(buf)
                if self.feature_says_no && cdb.first() == Some(&GET_CONFIGURATION) =>
            {
                let done = self.inner.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                clear_load_bit(buf);
                Ok(done)
            }
            data => self.inner.execute(cdb, data, timeout),
        }
    }
    mmc_core::forward_transport!(inner);
}

/// Clears Load (byte 4 bit 4) of feature 0003h in a GET CONFIGURATION answer: an 8-byte
/// header, then descriptors of a 4-byte header and their additional length (MMC-6 5.2).
fn clear_load_bit(answer: &mut [u8]) {
    let mut at = 8;
    while at + 4 <= answer.len() {
        let code = u16::from_be_bytes([answer[at], answer[at + 1]]);
        let len = usize::from(answer[at + 3]);
        if code == 0x0003 && at + 4 < answer.len() {
            answer[at + 4] &= !0x10;
        }
        at += 4 + len;
    }
}

#[test]
fn a_drive_that_cannot_load_is_refused_before_anything_is_written() {
    let d = NoLoad {
        inner: drive(MediumKind::DvdPlusRw),
        feature_says_no: true,
        refuse_load: false,
    };
    let w = writer(mmc_core::trace::Tracing::new(d), full(true));
    let (r, _) = write_collecting(&w, &image(50, 1));
    assert!(
        matches!(r, Err(Error::RecorderNotSupported { .. })),
        "{r:?}"
    );
    let records = give_back(w).into_parts().1;
    assert!(!sent(&records, WRITE_10), "nothing is written");
    // Without the reload the same drive writes and verifies.
    let d = NoLoad {
        inner: drive(MediumKind::DvdPlusRw),
        feature_says_no: true,
        refuse_load: false,
    };
    let w = writer(d, full(false));
    write_collecting(&w, &image(50, 1)).0.unwrap();
}

#[test]
fn a_refused_load_fails_the_write_with_the_drives_answer() {
    let d = NoLoad {
        inner: drive(MediumKind::DvdPlusRw),
        feature_says_no: false,
        refuse_load: true,
    };
    let w = writer(d, full(true));
    let (r, _) = write_collecting(&w, &image(50, 1));
    let e = r.unwrap_err();
    let cause = e.cause().expect("the drive's answer");
    assert_eq!(cause.opcode, mmc_core::cdb::Opcode::StartStopUnit);
    assert_eq!(cause.sense, Some(SenseTriple::new(0x05, 0x24, 0x00)));
}

/// A drive with the emulator's read cache (4 MiB) whose WRITE (10) commands from LBA 192 (the
/// last of a 200-sector image, and the padding a CD-R track gets after it) are acknowledged
/// but not recorded (`drop_write`): their data is in the cache, not on the medium, which only
/// a read of the medium finds. (On a disc recorded in sequence a WRITE after a dropped one
/// would find the next writable address where the dropped one should have left it.)
fn caching(kind: MediumKind) -> Faulty<EmulatedDrive> {
    let plan = FaultPlan::from_json_str(
        r#"{ "rules": [
            { "match": { "opcode": "WRITE (10)", "lba": { "first": 192, "last": 4095 } },
              "action": "drop_write" }
        ] }"#,
    )
    .unwrap();
    let mut d = drive(kind);
    d.set_read_cache(Some(4 * 1024 * 1024));
    Faulty::for_drive(d, plan)
}

const SECTOR: usize = 2048;
const LOST: usize = 192;

#[test]
fn only_a_reload_finds_sectors_the_drive_cached_but_did_not_record() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusRw] {
        let data = image(200, 9);
        // Through the cache, the full verification compares the buffer with itself.
        let w = writer(caching(kind), full(false));
        write_collecting(&w, &data)
            .0
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        // The medium itself lacks the sectors (read after the drive dropped its cache).
        let mut d = give_back(w).into_inner();
        d.open_tray();
        d.close_tray();
        d.advance(Duration::from_secs(10));
        let back = read_back(&mut d, 0, 200);
        assert_eq!(back[..LOST * SECTOR], data[..LOST * SECTOR], "{kind:?}");
        assert_ne!(back[LOST * SECTOR..], data[LOST * SECTOR..], "{kind:?}");

        // After a reload the verification reads the medium and finds them.
        let w = writer(caching(kind), full(true));
        let r = write_collecting(&w, &data).0;
        assert!(
            matches!(r, Err(Error::BurnVerificationFailed { lba: 192 })),
            "{kind:?}: {r:?}"
        );
        assert_eq!(
            r.unwrap_err().imapi_name(),
            "E_IMAPI_BURN_VERIFICATION_FAILED"
        );
    }
}

#[test]
fn a_check_right_after_the_write_reads_the_medium_only_after_a_reload() {
    use discwriter::check::{CheckOptions, Checker, Reference};
    let data = image(200, 9);
    let w = writer(caching(MediumKind::DvdPlusRw), full(false));
    write_collecting(&w, &data).0.unwrap();
    let mut rec = w.take_recorder().unwrap().unwrap();
    let checker = Checker::new(CheckOptions::default());
    let check = |rec: &mut discwriter::Recorder<_>| {
        checker
            .run(
                rec,
                0,
                200,
                Some(Reference::Image(&mut data.as_slice())),
                &mut |_, _| true,
            )
            .unwrap()
    };
    // The drive still holds the lost sectors in its buffer: the check reads them from it.
    assert!(check(&mut rec).passed());
    Checker::reload(&mut rec).unwrap();
    let report = check(&mut rec);
    assert!(!report.passed());
    let compared = report.comparison.as_ref().expect("compared with the image");
    assert_eq!(compared.first_differing_lba, Some(LOST as u32));
}
