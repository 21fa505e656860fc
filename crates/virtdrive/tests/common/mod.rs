//! Helpers for conformance tests in the annotated-CDB style: send raw bytes, check the answer.
#![allow(dead_code)]

use std::time::Duration;

use mmc_core::sense::{Sense, SenseKeySpecific, SenseTriple};
use mmc_core::{DataPhase, ScsiStatus, Transport};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `cdb` with a data-in buffer of `alloc` bytes; expects GOOD and returns the bytes
/// transferred.
pub fn command_in<T: Transport>(drive: &mut T, cdb: &[u8], alloc: usize) -> Vec<u8> {
    let mut buf = vec![0xA5u8; alloc];
    let c = drive
        .execute(cdb, DataPhase::In(&mut buf), TIMEOUT)
        .expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
    buf.truncate(c.transferred(alloc));
    buf
}

/// Sends `cdb` without data; expects GOOD.
pub fn command_ok<T: Transport>(drive: &mut T, cdb: &[u8]) {
    let c = drive
        .execute(cdb, DataPhase::None, TIMEOUT)
        .expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

/// Sends `cdb` (with an empty data phase of the given direction); expects CHECK CONDITION with
/// `expected` and returns the sense-key-specific field.
pub fn command_fails<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    expected: SenseTriple,
) -> Option<SenseKeySpecific> {
    let c = drive
        .execute(cdb, DataPhase::None, TIMEOUT)
        .expect("the command completes");
    assert_eq!(
        c.status,
        ScsiStatus::CheckCondition,
        "CDB {cdb:02X?}: {c:?}"
    );
    let sense = Sense::parse(&c.sense).expect("the sense parses");
    assert_eq!(sense.triple(), Some(expected), "CDB {cdb:02X?}");
    sense.sense_key_specific
}
