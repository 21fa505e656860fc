//! The host side of the state-machine test: CDBs from the test kit, sent raw through
//! `Transport`, and the answers reduced to what the reference models predict.

use std::path::PathBuf;
use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{CdbBytes, Completion, DataPhase, ScsiStatus, Transport, TransportError};
use testkit::{cd_write_parameters, close_function, close_track_session, mode_select, TAO};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

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

/// Where the disc under test lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backing {
    /// In memory; a power loss is the drive's power cycle.
    Memory,
    /// In a disc file; a power loss drops the drive without saving anything (as a killed
    /// process would) and opens the disc file again.
    File,
}

/// The drive under test.
pub enum TestDrive {
    Memory(EmulatedDrive),
    File {
        /// `None` only while the disc file is being opened again.
        drive: Option<DiscFileDrive>,
        kind: MediumKind,
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
}

impl TestDrive {
    /// A drive holding a blank disc of `kind`.
    pub fn blank(kind: MediumKind, backing: Backing) -> TestDrive {
        match backing {
            Backing::Memory => TestDrive::Memory(EmulatedDrive::with_medium(
                DriveConfig::default(),
                medium::blank(kind, Box::new(MemoryStore::new())),
            )),
            Backing::File => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let path = dir.path().join("disc");
                let drive = DiscFileDrive::open(kind, &path, DriveConfig::default())
                    .expect("a new disc file");
                TestDrive::File {
                    drive: Some(drive),
                    kind,
                    path,
                    _dir: dir,
                }
            }
        }
    }

    fn execute(&mut self, cdb: &[u8], data: DataPhase<'_>) -> Result<Completion, TransportError> {
        match self {
            TestDrive::Memory(d) => d.execute(cdb, data, TIMEOUT),
            TestDrive::File { drive, .. } => drive
                .as_mut()
                .expect("an open disc file")
                .execute(cdb, data, TIMEOUT),
        }
    }

    /// Lets virtual time pass, as the host waiting: a disc file sees the time pass (a
    /// background format that ends meanwhile is committed).
    pub fn advance(&mut self, d: Duration) {
        match self {
            TestDrive::Memory(drive) => drive.advance(d),
            TestDrive::File { drive, .. } => {
                Transport::pause(drive.as_mut().expect("an open disc file"), d)
            }
        }
    }

    /// A power loss as the host lives it (see [`Backing`]), until the disc is ready again.
    #[track_caller]
    pub fn power_loss(&mut self) {
        match self {
            TestDrive::Memory(_) => power_cycle(self),
            TestDrive::File {
                drive, kind, path, ..
            } => {
                drop(drive.take());
                *drive = Some(
                    DiscFileDrive::open_existing(*kind, path, DriveConfig::default())
                        .unwrap_or_else(|e| panic!("the disc file does not open again: {e}")),
                );
                wait_ready(self);
            }
        }
    }
}

/// Sends `cdb` with `data`; a transport error is never expected in these tests.
pub fn send(drive: &mut TestDrive, cdb: &[u8], data: DataPhase<'_>) -> Answer {
    let mut phase = data;
    let in_len = match &phase {
        DataPhase::In(b) => Some(b.len()),
        _ => None,
    };
    let c = drive
        .execute(cdb, reborrow(&mut phase))
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

pub fn send_in(drive: &mut TestDrive, cdb: &[u8], alloc: usize) -> Answer {
    let mut buf = vec![0xA5u8; alloc];
    send(drive, cdb, DataPhase::In(&mut buf))
}

pub fn send_none(drive: &mut TestDrive, cdb: &[u8]) -> Answer {
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
pub fn mode_select_write_parameters(drive: &mut TestDrive, multi_session: u8) -> Answer {
    let list = cd_write_parameters(TAO, multi_session, true);
    send(drive, &mode_select(&list), DataPhase::Out(&list))
}

/// Polls TEST UNIT READY while the drive answers `busy` (a format, a long write), letting
/// virtual time pass; fails on anything else than GOOD.
#[track_caller]
pub fn wait_while(drive: &mut TestDrive, busy: SenseTriple, step: Duration) {
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
fn power_cycle(drive: &mut TestDrive) {
    if let TestDrive::Memory(d) = drive {
        d.power_cycle();
    }
    assert_eq!(
        send_none(drive, &TEST_UNIT_READY),
        Answer::Check(triples::POWER_ON_RESET),
        "the first command after a power loss"
    );
    wait_ready(drive);
}

/// Polls TEST UNIT READY through the unit attentions and the spin-up of a disc just loaded
/// or powered on, until GOOD.
#[track_caller]
fn wait_ready(drive: &mut TestDrive) {
    for _ in 0..1000 {
        match send_none(drive, &TEST_UNIT_READY) {
            Answer::Good(_) => return,
            Answer::Check(t) if t == triples::BECOMING_READY => {
                drive.advance(Duration::from_millis(250))
            }
            Answer::Check(t)
                if t == triples::MEDIUM_MAY_HAVE_CHANGED || t == triples::POWER_ON_RESET => {}
            Answer::Check(t) => panic!("after a power loss: {t}"),
        }
    }
    panic!("the disc never became ready after a power loss");
}

/// Reads the sectors from `lba` in pieces of 40 and checks each holds what `tags` says (the
/// pattern of a tag, zeros for `None`).
#[track_caller]
pub fn check_blocks(drive: &mut TestDrive, lba: i64, tags: &[Option<u64>], ctx: &str) {
    for (k, piece) in tags.chunks(40).enumerate() {
        let at = lba + 40 * k as i64;
        let got = send_in(
            drive,
            &read_cdb(at, piece.len() as u32, false),
            piece.len() * SECTOR,
        )
        .data(&format!("{ctx}: READ at {at}"));
        if let Some(bad) = first_difference(at, &got, &expected(at, piece)) {
            panic!("{ctx}: sector {bad} is not what the model holds there");
        }
    }
}

/// A WRITE where the model says nothing can be written: 05/21/02 INVALID ADDRESS FOR WRITE.
#[track_caller]
pub fn check_write_refused(
    drive: &mut TestDrive,
    lba: i64,
    blocks: u32,
    twelve: bool,
    tag: u64,
    ctx: &str,
) {
    let data = pattern(tag, lba, blocks);
    let got = send(
        drive,
        &write_cdb(lba, blocks, twelve, false),
        DataPhase::Out(&data),
    );
    assert_eq!(
        got,
        Answer::Check(triples::INVALID_ADDRESS_FOR_WRITE),
        "{ctx}: LBA {lba}"
    );
}

/// A READ of `blocks` at `lba` against the model: the pattern (or zeros) of each sector, or
/// the sense the read must end with.
#[track_caller]
pub fn check_read(
    drive: &mut TestDrive,
    lba: i64,
    blocks: u32,
    twelve: bool,
    want: Result<Vec<Option<u64>>, SenseTriple>,
    ctx: &str,
) {
    let got = send_in(
        drive,
        &read_cdb(lba, blocks, twelve),
        blocks as usize * SECTOR,
    );
    match want {
        Ok(tags) => {
            let got = got.data(&format!("{ctx}: LBA {lba}"));
            if let Some(bad) = first_difference(lba, &got, &expected(lba, &tags)) {
                panic!("{ctx}: sector {bad} is not what was written there");
            }
        }
        Err(sense) => assert_eq!(got, Answer::Check(sense), "{ctx}: LBA {lba}"),
    }
}

/// A recorded track of `recorded` sectors from `start`, `tags` its written sectors (`None`:
/// padding): its data, the first padding after it, and its last sector read back.
#[track_caller]
pub fn check_recorded_track(
    drive: &mut TestDrive,
    start: i64,
    recorded: i64,
    tags: &[Option<u64>],
    ctx: &str,
) {
    let upto = (tags.len() as i64 + 8).min(recorded);
    for (from, to) in [(0, upto), (recorded - 1, recorded)] {
        let piece: Vec<Option<u64>> = (from..to)
            .map(|k| tags.get(k as usize).copied().flatten())
            .collect();
        check_blocks(drive, start + from, &piece, ctx);
    }
}

pub fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}
