//! Sending a CDB to any [`Transport`] and checking the answer: GOOD with the data expected,
//! or CHECK CONDITION with the sense expected.
//!
//! Every helper panics with the CDB and the completion when the answer is not the one asked
//! for: these are test assertions.

use std::time::Duration;

use mmc_core::sense::{Sense, SenseKey, SenseKeySpecific, SenseTriple};
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport};
use virtdrive::EmulatedDrive;

use crate::cdb::{
    cd_write_parameters, mode_select, read10, write10, REQUEST_SENSE, TEST_UNIT_READY,
};
use crate::sectors::{blocks, BLOCK};

/// How long the helpers wait for a command.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The timeout libburn gives CLOSE TRACK/SESSION and SYNCHRONIZE CACHE without Immed.
pub const LONG_TIMEOUT: Duration = Duration::from_secs(3600);

/// Sends `cdb` with `phase`, waiting up to `timeout`; expects `status`.
#[track_caller]
fn answered<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    phase: DataPhase<'_>,
    timeout: Duration,
    status: ScsiStatus,
) -> Completion {
    let c = drive
        .execute(cdb, phase, timeout)
        .unwrap_or_else(|e| panic!("CDB {cdb:02X?}: {e}"));
    assert_eq!(c.status, status, "CDB {cdb:02X?}: {c:?}");
    c
}

/// Sends `cdb` with `phase`, waiting up to `timeout`; expects GOOD.
#[track_caller]
pub fn good_within<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    phase: DataPhase<'_>,
    timeout: Duration,
) -> Completion {
    answered(drive, cdb, phase, timeout, ScsiStatus::Good)
}

/// Sends `cdb` with `phase`, waiting up to `timeout`; expects CHECK CONDITION.
#[track_caller]
pub fn check_within<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    phase: DataPhase<'_>,
    timeout: Duration,
) -> Completion {
    answered(drive, cdb, phase, timeout, ScsiStatus::CheckCondition)
}

/// Sends `cdb` with a data-in buffer of `alloc` bytes; expects GOOD and returns the bytes
/// transferred.
#[track_caller]
pub fn command_in<T: Transport>(drive: &mut T, cdb: &[u8], alloc: usize) -> Vec<u8> {
    let mut buf = vec![0xA5u8; alloc];
    let c = good_within(drive, cdb, DataPhase::In(&mut buf), TIMEOUT);
    buf.truncate(c.transferred(alloc));
    buf
}

/// Sends `cdb` without data; expects GOOD.
#[track_caller]
pub fn command_ok<T: Transport>(drive: &mut T, cdb: &[u8]) {
    good_within(drive, cdb, DataPhase::None, TIMEOUT);
}

/// Sends `cdb` without data, waiting up to [`LONG_TIMEOUT`]; expects GOOD.
#[track_caller]
pub fn command_ok_long<T: Transport>(drive: &mut T, cdb: &[u8]) {
    good_within(drive, cdb, DataPhase::None, LONG_TIMEOUT);
}

/// Sends `cdb` with `data` as data-out; expects GOOD.
#[track_caller]
pub fn command_out<T: Transport>(drive: &mut T, cdb: &[u8], data: &[u8]) {
    good_within(drive, cdb, DataPhase::Out(data), TIMEOUT);
}

/// Sends `cdb` without data; expects CHECK CONDITION with `expected` and returns the
/// sense-key-specific field.
#[track_caller]
pub fn command_fails<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    expected: SenseTriple,
) -> Option<SenseKeySpecific> {
    fails_with(drive, cdb, DataPhase::None, expected).sks
}

/// Sends `cdb` with `data` as data-out; expects CHECK CONDITION with `expected`.
#[track_caller]
pub fn command_out_fails<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    data: &[u8],
    expected: SenseTriple,
) -> Failed {
    fails_with(drive, cdb, DataPhase::Out(data), expected)
}

/// Sends `cdb` with a data-in buffer of `alloc` bytes; expects CHECK CONDITION with
/// `expected`.
#[track_caller]
pub fn command_in_fails<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    alloc: usize,
    expected: SenseTriple,
) -> Failed {
    let mut buf = vec![0u8; alloc];
    fails_with(drive, cdb, DataPhase::In(&mut buf), expected)
}

/// The sense fields of a CHECK CONDITION beyond the triple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed {
    pub sks: Option<SenseKeySpecific>,
    pub information: Option<u64>,
}

impl Failed {
    /// The progress indication (NOT READY with SKSV), or a failed test.
    #[track_caller]
    pub fn progress(&self) -> u16 {
        match self.sks {
            Some(SenseKeySpecific::Progress(p)) => p,
            other => panic!("no progress indication in the sense: {other:?}"),
        }
    }
}

/// Runs `cdb` with `phase`; expects CHECK CONDITION with `expected`.
#[track_caller]
pub fn fails_with<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    phase: DataPhase<'_>,
    expected: SenseTriple,
) -> Failed {
    let c = check_within(drive, cdb, phase, TIMEOUT);
    let sense = Sense::parse(&c.sense).expect("the sense parses");
    assert_eq!(sense.triple(), Some(expected), "CDB {cdb:02X?}");
    Failed {
        sks: sense.sense_key_specific,
        information: sense.information,
    }
}

/// Asserts a field pointer into the CDB at `byte` (the bit pointer is optional in SPC-4).
#[track_caller]
pub fn assert_cdb_field(failed: Failed, byte: u16) {
    assert_field_pointer(failed, true, byte);
}

/// Asserts a field pointer into the parameter list at `byte`.
#[track_caller]
pub fn assert_parameter_field(failed: Failed, byte: u16) {
    assert_field_pointer(failed, false, byte);
}

#[track_caller]
fn assert_field_pointer(failed: Failed, in_cdb: bool, byte: u16) {
    let place = if in_cdb { "CDB" } else { "parameter" };
    match failed.sks {
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: i, byte: b, ..
        }) if i == in_cdb => assert_eq!(b, byte, "field pointer"),
        other => panic!("expected a field pointer to {place} byte {byte}, got {other:?}"),
    }
}

/// REQUEST SENSE (fixed format): the sense triple and progress, if any.
#[track_caller]
pub fn request_sense<T: Transport>(drive: &mut T) -> (SenseTriple, Option<SenseKeySpecific>) {
    let data = command_in(drive, &REQUEST_SENSE, 18);
    let sense = Sense::parse(&data).expect("the sense parses");
    (
        sense.triple().expect("a complete sense"),
        sense.sense_key_specific,
    )
}

/// Writes `n` blocks from [`blocks(seed, n)`](blocks) at `lba` with WRITE (10); returns the
/// data.
#[track_caller]
pub fn write_blocks<T: Transport>(drive: &mut T, lba: i32, n: u16, seed: u8) -> Vec<u8> {
    let data = blocks(seed, n.into());
    command_out(drive, &write10(lba, n), &data);
    data
}

/// Reads `n` blocks at `lba` with READ (10).
#[track_caller]
pub fn read_blocks<T: Transport>(drive: &mut T, lba: i32, n: u16) -> Vec<u8> {
    let len = usize::from(n) * BLOCK;
    let data = command_in(drive, &read10(lba, n), len);
    assert_eq!(data.len(), len, "READ (10) transfers every block");
    data
}

/// Sets the Write Parameters page (05h) of a CD in `drive` with MODE SELECT (10): see
/// [`cd_write_parameters`].
#[track_caller]
pub fn select_cd_write_parameters<T: Transport>(
    drive: &mut T,
    write_type: u8,
    multi_session: u8,
    bufe: bool,
) {
    let list = cd_write_parameters(write_type, multi_session, bufe);
    command_out(drive, &mode_select(&list), &list);
}

/// Reads `sectors` sectors at `lba` in READ (10)s of 32 blocks, answering a pending unit
/// attention (a disc change, a reset) by asking again, as every host does.
#[track_caller]
pub fn read_back<T: Transport>(d: &mut T, lba: i64, sectors: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(sectors as usize * BLOCK);
    let mut done = 0u64;
    while done < sectors {
        let n = (sectors - done).min(32);
        let mut buf = vec![0u8; n as usize * BLOCK];
        let cdb = read10((lba + done as i64) as i32, n as u16);
        let mut attempts = 0;
        loop {
            let c = d
                .execute(&cdb, DataPhase::In(&mut buf), Duration::from_secs(30))
                .expect("the drive answers");
            if c.is_good() {
                assert_eq!(c.residual, 0, "READ (10) at {} moved everything", lba);
                break;
            }
            let t = c.sense_triple().expect("sense");
            attempts += 1;
            assert!(
                t.key == SenseKey::UnitAttention && attempts < 4,
                "READ (10) of {n} sectors at LBA {} failed: {t}",
                lba + done as i64
            );
        }
        out.extend_from_slice(&buf);
        done += n;
    }
    out
}

/// Asserts progress indications a host saw while polling rise: several, never falling,
/// the last above the first (no "1.0% done" for the whole run).
#[track_caller]
pub fn assert_rising(progress: &[u16]) {
    assert!(progress.len() > 2, "progress reported: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert!(
        progress.first() < progress.last(),
        "it advances: {progress:?}"
    );
}

/// Polls TEST UNIT READY once a virtual second, as libburn does after an Immed command,
/// while the drive reports NOT READY with ASC 04h; returns the progress values seen.
#[track_caller]
pub fn wait_until_ready(drive: &mut EmulatedDrive) -> Vec<u16> {
    let mut progress = Vec::new();
    for _ in 0..100_000 {
        let c = drive
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .expect("the command completes");
        if c.status == ScsiStatus::Good {
            return progress;
        }
        let sense = Sense::parse(&c.sense).expect("the sense parses");
        let triple = sense.triple().expect("a complete sense");
        assert!(
            triple.key.to_u8() == 0x2 && triple.asc == 0x04,
            "still becoming ready, not {triple:?}"
        );
        if let Some(SenseKeySpecific::Progress(p)) = sense.sense_key_specific {
            progress.push(p);
        }
        drive.advance(Duration::from_secs(1));
    }
    panic!("the drive never became ready");
}
