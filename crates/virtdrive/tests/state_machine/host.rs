//! The host side of the state-machine test: CDBs from the test kit, sent raw through
//! `Transport`, and the answers reduced to what the reference models predict.

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{CdbBytes, DataPhase, ScsiStatus, Transport};
use testkit::{cd_write_parameters, close_function, close_track_session, mode_select, TAO};
use virtdrive::EmulatedDrive;

pub use testkit::{
    expected, first_difference, format_list, pattern, synchronize_cache as synchronize_cache_cdb,
    FORMAT_UNIT, READ_CAPACITY, READ_DISC_INFORMATION, READ_TRACK_INFORMATION_FF, TEST_UNIT_READY,
};
pub use virtdrive::store::SECTOR;

/// Long enough for the slowest command of the test (closing a CD session at 4x takes about
/// 40 s of virtual time); a real host gives CLOSE TRACK/SESSION minutes.
pub const TIMEOUT: Duration = Duration::from_secs(600);

/// How a command ended, as far as the models can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// GOOD with the data-in bytes actually transferred.
    Good(Vec<u8>),
    Check(SenseTriple),
}

impl Answer {
    #[track_caller]
    pub fn data(self, what: &str) -> Vec<u8> {
        match self {
            Answer::Good(d) => d,
            Answer::Check(t) => panic!("{what}: CHECK CONDITION {t}"),
        }
    }

    #[track_caller]
    pub fn good(self, what: &str) {
        self.data(what);
    }
}

/// Sends `cdb` with `data`; a transport error is never expected in these tests.
pub fn send(drive: &mut EmulatedDrive, cdb: &[u8], data: DataPhase<'_>) -> Answer {
    let mut phase = data;
    let in_len = match &phase {
        DataPhase::In(b) => Some(b.len()),
        _ => None,
    };
    let c = drive
        .execute(cdb, reborrow(&mut phase), TIMEOUT)
        .unwrap_or_else(|e| panic!("CDB {cdb:02X?}: transport error {e}"));
    match c.status {
        ScsiStatus::Good => {
            let data = match (phase, in_len) {
                (DataPhase::In(b), Some(n)) => b[..c.transferred(n)].to_vec(),
                _ => Vec::new(),
            };
            Answer::Good(data)
        }
        ScsiStatus::CheckCondition => Answer::Check(
            c.sense_triple()
                .unwrap_or_else(|| panic!("CDB {cdb:02X?}: sense {:02X?}", c.sense)),
        ),
        other => panic!("CDB {cdb:02X?}: status {other:?}"),
    }
}

fn reborrow<'a>(phase: &'a mut DataPhase<'_>) -> DataPhase<'a> {
    match phase {
        DataPhase::In(b) => DataPhase::In(b),
        DataPhase::Out(b) => DataPhase::Out(b),
        DataPhase::None => DataPhase::None,
    }
}

pub fn send_in(drive: &mut EmulatedDrive, cdb: &[u8], alloc: usize) -> Answer {
    let mut buf = vec![0xA5u8; alloc];
    send(drive, cdb, DataPhase::In(&mut buf))
}

pub fn send_none(drive: &mut EmulatedDrive, cdb: &[u8]) -> Answer {
    send(drive, cdb, DataPhase::None)
}

/// WRITE(10), or WRITE(12) (with the Streaming bit when asked), of `blocks` at `lba`.
pub fn write_cdb(lba: i64, blocks: u32, twelve: bool, streaming: bool) -> CdbBytes {
    if twelve {
        testkit::write12(lba, blocks, streaming)
    } else {
        testkit::write10(lba, blocks as u16)
    }
}

/// READ(10) or READ(12) of `blocks` at `lba`.
pub fn read_cdb(lba: i64, blocks: u32, twelve: bool) -> CdbBytes {
    if twelve {
        testkit::read12(lba, blocks)
    } else {
        testkit::read10(lba, blocks as u16)
    }
}

/// CLOSE TRACK/SESSION: function 001b closes track FFh, 010b the session.
pub fn close_cdb(session: bool, immed: bool) -> CdbBytes {
    if session {
        close_track_session(close_function::CLOSE_SESSION, 0, immed)
    } else {
        close_track_session(close_function::CLOSE_TRACK, 0xFF, immed)
    }
}

/// MODE SELECT(10) of the Write Parameters page: TAO, BUFE, Mode 1, track mode 4, and the
/// given Multi-session field (00b finalize, 01b no next session, 11b next session allowed).
pub fn mode_select_write_parameters(drive: &mut EmulatedDrive, multi_session: u8) -> Answer {
    let list = cd_write_parameters(TAO, multi_session, true);
    send(drive, &mode_select(&list), DataPhase::Out(&list))
}

/// Polls TEST UNIT READY while the drive answers `busy` (a format, a long write), letting
/// virtual time pass; fails on anything else than GOOD.
#[track_caller]
pub fn wait_while(drive: &mut EmulatedDrive, busy: SenseTriple, step: Duration) {
    for _ in 0..100_000 {
        match send_none(drive, &TEST_UNIT_READY) {
            Answer::Good(_) => return,
            Answer::Check(t) if t == busy => drive.advance(step),
            Answer::Check(t) => panic!("waiting out {busy}: TEST UNIT READY got {t}"),
        }
    }
    panic!("{busy} never ended");
}

/// A power cycle as the host lives it: the next command gets 06/29/00 POWER ON, RESET; then
/// the disc spins up (02/04/01, and the medium change it reports once, 06/28/00) until TEST
/// UNIT READY is GOOD.
#[track_caller]
pub fn power_cycle(drive: &mut EmulatedDrive) {
    drive.power_cycle();
    assert_eq!(
        send_none(drive, &TEST_UNIT_READY),
        Answer::Check(triples::POWER_ON_RESET),
        "the first command after a power loss"
    );
    for _ in 0..1000 {
        match send_none(drive, &TEST_UNIT_READY) {
            Answer::Good(_) => return,
            Answer::Check(t) if t == triples::BECOMING_READY => {
                drive.advance(Duration::from_millis(250))
            }
            Answer::Check(t) if t == triples::MEDIUM_MAY_HAVE_CHANGED => {}
            Answer::Check(t) => panic!("after a power loss: {t}"),
        }
    }
    panic!("the disc never became ready after a power loss");
}

pub fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}
