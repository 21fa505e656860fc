//! CD-R Track At Once against a reference model written from the recording rules (MMC-6
//! 4.2.3, 6.3; libburn's cookbook), not from the emulator's layout code:
//!
//! - writes only at the next writable address (NWA), else 05/21/02;
//! - a track closed by CLOSE TRACK or SYNCHRONIZE CACHE is padded to 300 blocks and ends with 2
//!   unreadable run-out blocks; the next track starts 150 pre-gap blocks later;
//! - a closed session is followed by its lead-out (6,750 blocks for the first session, 2,250
//!   later), the next session's lead-in (4,500) and pre-gap (150): the next track starts at
//!   lead-out + 11,400 after the first session, + 6,900 after later ones;
//! - CLOSE SESSION with Multi-session 11b leaves the disc appendable, 00b and 01b complete;
//! - a power loss returns to the last synchronize or close;
//! - on a CD-RW, BLANK full or minimal (MMC-6 6.2) leaves a blank disc, at once durable (a
//!   power loss while blanking keeps it blank); a CD-R refuses BLANK with 05/30/06.

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::DataPhase;
use proptest::prelude::*;
use virtdrive::medium::MediumKind;

use super::host::*;

/// ATIP start of the lead-in the emulated discs carry (97:26:65): blocks before it are off
/// the disc.
const LEAD_IN_START: i64 = -11_635;
const PREGAP: i64 = 150;
const RUN_OUT: i64 = 2;
const MIN_TRACK: i64 = 300;
const FIRST_SESSION_GAP: i64 = 6_750 + 4_500 + 150;
const LATER_SESSION_GAP: i64 = 2_250 + 4_500 + 150;

#[derive(Debug, Clone, Copy)]
pub enum Elsewhere {
    Before(u32),
    After(u32),
    Zero,
    FirstPregap,
}

#[derive(Debug, Clone, Copy)]
pub enum Target {
    Written(u32),
    RunOut(u32),
    Pregap(u32),
    Unwritten(u32),
    OffDisc(u32),
    Anywhere(u32),
}

#[derive(Debug, Clone)]
pub enum Op {
    WriteAtNwa {
        blocks: u32,
        twelve: bool,
        tag: u64,
    },
    WriteElsewhere {
        at: Elsewhere,
        blocks: u32,
        twelve: bool,
        tag: u64,
    },
    Read {
        at: Target,
        blocks: u32,
        twelve: bool,
    },
    Synchronize {
        immed: bool,
    },
    CloseTrack {
        immed: bool,
    },
    CloseSession {
        multi_session: u8,
        immed: bool,
    },
    Blank {
        minimal: bool,
        immed: bool,
    },
    PowerLoss,
    Wait {
        ms: u32,
    },
}

fn elsewhere() -> impl Strategy<Value = Elsewhere> {
    prop_oneof![
        (1u32..400).prop_map(Elsewhere::Before),
        (1u32..400).prop_map(Elsewhere::After),
        Just(Elsewhere::Zero),
        Just(Elsewhere::FirstPregap),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => any::<u32>().prop_map(Target::Written),
        1 => any::<u32>().prop_map(Target::RunOut),
        1 => any::<u32>().prop_map(Target::Pregap),
        1 => any::<u32>().prop_map(Target::Unwritten),
        1 => any::<u32>().prop_map(Target::OffDisc),
        1 => any::<u32>().prop_map(Target::Anywhere),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (prop_oneof![1 => Just(0u32), 20 => 1u32..=40], any::<bool>(), any::<u64>())
            .prop_map(|(blocks, twelve, tag)| Op::WriteAtNwa { blocks, twelve, tag }),
        2 => (elsewhere(), 1u32..=8, any::<bool>(), any::<u64>()).prop_map(
            |(at, blocks, twelve, tag)| Op::WriteElsewhere { at, blocks, twelve, tag }
        ),
        6 => (target(), 1u32..=4, any::<bool>())
            .prop_map(|(at, blocks, twelve)| Op::Read { at, blocks, twelve }),
        2 => any::<bool>().prop_map(|immed| Op::Synchronize { immed }),
        2 => any::<bool>().prop_map(|immed| Op::CloseTrack { immed }),
        2 => (prop_oneof![6 => Just(0b11u8), 1 => Just(0b01), 1 => Just(0b00)], any::<bool>())
            .prop_map(|(multi_session, immed)| Op::CloseSession { multi_session, immed }),
        1 => (prop_oneof![4 => Just(true), 1 => Just(false)], any::<bool>())
            .prop_map(|(minimal, immed)| Op::Blank { minimal, immed }),
        1 => Just(Op::PowerLoss),
        1 => (0u32..5000).prop_map(|ms| Op::Wait { ms }),
    ]
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 10..40)
}

pub fn kind() -> impl Strategy<Value = MediumKind> {
    prop_oneof![
        Just(MediumKind::CdR80),
        Just(MediumKind::CdR74),
        Just(MediumKind::CdRw80),
        Just(MediumKind::CdRw74),
    ]
}

#[derive(Debug, Clone)]
struct Track {
    number: u32,
    start: i64,
    /// Blocks of user data, padding included.
    recorded: i64,
    /// The pattern of each written block; blocks past these are padding (zeros).
    tags: Vec<u64>,
}

impl Track {
    /// The first block after the run-out.
    fn end(&self) -> i64 {
        self.start + self.recorded + RUN_OUT
    }
}

/// What is on the disc.
#[derive(Debug, Clone, Default)]
struct Recording {
    closed_sessions: Vec<Vec<Track>>,
    /// Closed tracks of the open session.
    session_tracks: Vec<Track>,
    /// The TAO track being written: `recorded` equals its written blocks.
    open: Option<Track>,
    complete: bool,
}

impl Recording {
    fn track_count(&self) -> u32 {
        (self.closed_sessions.iter().map(Vec::len).sum::<usize>() + self.session_tracks.len())
            as u32
    }

    fn is_blank(&self) -> bool {
        self.closed_sessions.is_empty() && self.session_tracks.is_empty() && self.open.is_none()
    }

    fn session_open(&self) -> bool {
        !self.session_tracks.is_empty() || self.open.is_some()
    }

    fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.closed_sessions
            .iter()
            .flatten()
            .chain(&self.session_tracks)
            .chain(&self.open)
    }

    /// Index 1 of the track the next write goes to.
    fn next_track_start(&self) -> i64 {
        if let Some(t) = &self.open {
            return t.start;
        }
        if let Some(t) = self.session_tracks.last() {
            return t.end() + PREGAP;
        }
        match self.closed_sessions.last().and_then(|s| s.last()) {
            Some(t) if self.closed_sessions.len() == 1 => t.end() + FIRST_SESSION_GAP,
            Some(t) => t.end() + LATER_SESSION_GAP,
            None => 0,
        }
    }

    fn next_writable_address(&self) -> i64 {
        self.next_track_start() + self.open.as_ref().map_or(0, |t| t.recorded)
    }

    fn write(&mut self, blocks: u32, tag: u64) {
        let start = self.next_track_start();
        let number = self.track_count() + 1;
        let t = self.open.get_or_insert(Track {
            number,
            start,
            recorded: 0,
            tags: Vec::new(),
        });
        t.recorded += i64::from(blocks);
        t.tags.extend(std::iter::repeat_n(tag, blocks as usize));
    }

    fn close_track(&mut self) {
        if let Some(mut t) = self.open.take() {
            t.recorded = t.recorded.max(MIN_TRACK);
            self.session_tracks.push(t);
        }
    }

    fn close_session(&mut self, multi_session: u8) -> Result<(), SenseTriple> {
        if self.complete {
            return Err(triples::COMMAND_SEQUENCE_ERROR);
        }
        self.close_track();
        if self.session_tracks.is_empty() {
            return Err(triples::COMMAND_SEQUENCE_ERROR);
        }
        self.closed_sessions
            .push(std::mem::take(&mut self.session_tracks));
        self.complete = multi_session != 0b11;
        Ok(())
    }

    /// What block `lba` holds: `Ok(Some(tag))` written data, `Ok(None)` padding, `Err` the
    /// sense reading it gives.
    fn block(&self, lba: i64, limit: i64) -> Result<Option<u64>, SenseTriple> {
        if lba < LEAD_IN_START || lba >= limit {
            return Err(triples::LBA_OUT_OF_RANGE);
        }
        self.tracks()
            .find(|t| lba >= t.start && lba < t.start + t.recorded)
            .map(|t| t.tags.get((lba - t.start) as usize).copied())
            .ok_or(triples::ILLEGAL_MODE_FOR_THIS_TRACK)
    }

    /// The last block READ CAPACITY reports: the last closed track's, run-out included.
    fn last_recorded_block(&self) -> i64 {
        self.session_tracks
            .last()
            .or(self.closed_sessions.last().and_then(|s| s.last()))
            .map_or(0, |t| t.end() - 1)
    }
}

struct Model {
    limit: i64,
    /// A CD-RW: READ DISC INFORMATION sets Erasable, BLANK erases.
    erasable: bool,
    now: Recording,
    synchronized: Recording,
}

impl Model {
    fn synchronize(&mut self) {
        self.now.close_track();
        self.synchronized = self.now.clone();
    }

    /// The LBA a read aimed at `target` starts at.
    fn resolve(&self, target: Target) -> i64 {
        let r = &self.now;
        let tracks: Vec<&Track> = r.tracks().collect();
        let pick = |k: u32, n: usize| k as usize % n.max(1);
        match target {
            Target::Written(k) if !tracks.is_empty() => {
                let t = tracks[pick(k, tracks.len())];
                t.start + (i64::from(k >> 8) % t.recorded.max(1))
            }
            Target::RunOut(k) => {
                let closed: Vec<&&Track> = tracks
                    .iter()
                    .filter(|t| Some(t.number) != r.open.as_ref().map(|o| o.number))
                    .collect();
                match closed.get(pick(k, closed.len())) {
                    Some(t) => t.end() - 1 - i64::from(k >> 16) % RUN_OUT,
                    None => self.reference() + 1,
                }
            }
            Target::Pregap(k) => {
                let starts: Vec<i64> = tracks
                    .iter()
                    .map(|t| t.start)
                    .chain([self.reference()])
                    .collect();
                starts[pick(k, starts.len())] - 1 - i64::from(k >> 8) % PREGAP
            }
            Target::Unwritten(k) | Target::Written(k) => self.reference() + i64::from(k % 2000),
            Target::OffDisc(k) if k % 2 == 0 => self.limit + i64::from(k % 500),
            Target::OffDisc(k) => LEAD_IN_START - 1 - i64::from(k % 500),
            Target::Anywhere(k) => LEAD_IN_START + i64::from(k % 60_000),
        }
    }

    /// The NWA, or on a complete disc the end of its last track.
    fn reference(&self) -> i64 {
        if self.now.complete {
            self.now.last_recorded_block() + 1
        } else {
            self.now.next_writable_address()
        }
    }
}

/// Checks READ DISC INFORMATION, READ TRACK INFORMATION (track FFh) and READ CAPACITY
/// against the model.
fn check_information(drive: &mut TestDrive, model: &Model, ctx: &str) {
    let r = &model.now;
    let disc = send_in(drive, &READ_DISC_INFORMATION, 34).data(ctx);
    let (status, last_session) = if r.is_blank() {
        (0b00, 0b00)
    } else if r.complete {
        (0b10, 0b11)
    } else if r.session_open() {
        (0b01, 0b01)
    } else {
        (0b01, 0b00) // appendable: the empty session to come is the last
    };
    let invisible = r.track_count() + 1;
    let sessions = r.closed_sessions.len() as u32 + u32::from(!r.complete);
    let first_in_last = if r.complete {
        r.closed_sessions
            .last()
            .and_then(|s| s.first())
            .map_or(0, |t| t.number)
    } else {
        r.session_tracks
            .first()
            .or(r.open.as_ref())
            .map_or(invisible, |t| t.number)
    };
    let last_in_last = if r.complete {
        r.track_count()
    } else {
        invisible
    };
    assert_eq!(disc[2] & 0x03, status, "{ctx}: disc status");
    assert_eq!(disc[2] & 0x10 != 0, model.erasable, "{ctx}: Erasable");
    assert_eq!(
        (disc[2] >> 2) & 0x03,
        last_session,
        "{ctx}: last session state"
    );
    assert_eq!(
        u32::from(disc[4]) | u32::from(disc[9]) << 8,
        sessions,
        "{ctx}: number of sessions"
    );
    assert_eq!(
        u32::from(disc[5]) | u32::from(disc[10]) << 8,
        first_in_last,
        "{ctx}: first track in last session"
    );
    assert_eq!(
        u32::from(disc[6]) | u32::from(disc[11]) << 8,
        last_in_last,
        "{ctx}: last track in last session"
    );

    let track = send_in(drive, &READ_TRACK_INFORMATION_FF, 48);
    if r.complete {
        assert_eq!(
            track,
            Answer::Check(triples::INVALID_FIELD_IN_CDB),
            "{ctx}: a complete disc has no invisible track"
        );
    } else {
        let t = track.data(ctx);
        let nwa = r.next_writable_address();
        assert_eq!(
            u32::from(t[2]) | u32::from(t[32]) << 8,
            invisible,
            "{ctx}: track number"
        );
        assert_eq!(
            u32::from(t[3]) | u32::from(t[33]) << 8,
            sessions,
            "{ctx}: session number"
        );
        assert_eq!(
            be32(&t, 8) as i32 as i64,
            r.next_track_start(),
            "{ctx}: track start"
        );
        assert_eq!(t[7] & 0x01, 0x01, "{ctx}: NWA_V");
        assert_eq!(
            be32(&t, 12) as i32 as i64,
            nwa,
            "{ctx}: next writable address"
        );
        assert_eq!(
            i64::from(be32(&t, 16)),
            model.limit - RUN_OUT - nwa,
            "{ctx}: free blocks"
        );
    }

    let capacity = send_in(drive, &READ_CAPACITY, 8).data(ctx);
    assert_eq!(
        be32(&capacity, 0) as i64,
        r.last_recorded_block(),
        "{ctx}: READ CAPACITY last block"
    );
}

/// Runs `ops` against a blank disc of `kind` and the model; panics at the first divergence.
pub fn run(kind: MediumKind, ops: &[Op], backing: Backing) {
    let mut drive = TestDrive::blank(kind, backing);
    let mut model = Model {
        limit: if matches!(kind, MediumKind::CdR74 | MediumKind::CdRw74) {
            333_000
        } else {
            359_849
        },
        erasable: matches!(kind, MediumKind::CdRw80 | MediumKind::CdRw74),
        now: Recording::default(),
        synchronized: Recording::default(),
    };
    check_information(&mut drive, &model, "blank");
    for (step, op) in ops.iter().enumerate() {
        let ctx = format!("{kind:?}, step {step}: {op:?}");
        match *op {
            Op::WriteAtNwa {
                blocks,
                twelve,
                tag,
            } => {
                let lba = model.reference();
                let data = pattern(tag, lba, blocks);
                let got = send(
                    &mut drive,
                    &write_cdb(lba, blocks, twelve, false),
                    DataPhase::Out(&data),
                );
                if blocks == 0 {
                    // SBC: a transfer length of 0 moves nothing and is not an error.
                    assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                } else if model.now.complete {
                    assert_eq!(
                        got,
                        Answer::Check(triples::INVALID_ADDRESS_FOR_WRITE),
                        "{ctx}"
                    );
                } else {
                    assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                    model.now.write(blocks, tag);
                }
            }
            Op::WriteElsewhere {
                at,
                blocks,
                twelve,
                tag,
            } => {
                let nwa = model.reference();
                let lba = match at {
                    Elsewhere::Before(k) => (nwa - i64::from(k)).max(LEAD_IN_START),
                    Elsewhere::After(k) => nwa + i64::from(k),
                    Elsewhere::Zero => 0,
                    Elsewhere::FirstPregap => -PREGAP,
                };
                if lba == nwa && !model.now.complete {
                    continue;
                }
                check_write_refused(&mut drive, lba, blocks, twelve, tag, &ctx);
            }
            Op::Read { at, blocks, twelve } => {
                let lba = model.resolve(at);
                // The sense of the first block when it cannot be read; a read that runs
                // from readable blocks into others ends with 05/64/00.
                let want = (lba..lba + i64::from(blocks))
                    .map(|l| model.now.block(l, model.limit))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        model
                            .now
                            .block(lba, model.limit)
                            .err()
                            .unwrap_or(triples::ILLEGAL_MODE_FOR_THIS_TRACK)
                    });
                check_read(&mut drive, lba, blocks, twelve, want, &ctx);
            }
            Op::Synchronize { immed } => {
                send_none(&mut drive, &synchronize_cache_cdb(immed)).good(&ctx);
                model.synchronize();
            }
            Op::CloseTrack { immed } => {
                let got = send_none(&mut drive, &close_cdb(false, immed));
                if model.now.complete {
                    // Nothing on a complete disc can be closed.
                    assert_eq!(got, Answer::Check(triples::COMMAND_SEQUENCE_ERROR), "{ctx}");
                } else {
                    // With no open track (nothing written, or SYNCHRONIZE CACHE closed it)
                    // there is nothing to do, and that is no error.
                    got.good(&ctx);
                    model.synchronize();
                }
            }
            Op::CloseSession {
                multi_session,
                immed,
            } => {
                mode_select_write_parameters(&mut drive, multi_session).good(&ctx);
                let got = send_none(&mut drive, &close_cdb(true, immed));
                match model.now.close_session(multi_session) {
                    Ok(()) => {
                        assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                        model.synchronized = model.now.clone();
                    }
                    Err(sense) => assert_eq!(got, Answer::Check(sense), "{ctx}"),
                }
            }
            Op::Blank { minimal, immed } => {
                let mut cdb = [0u8; 12];
                cdb[0] = 0xA1; // BLANK
                cdb[1] = (u8::from(immed) << 4) | u8::from(minimal); // Immed, type 000b or 001b
                let got = send_none(&mut drive, &cdb);
                if model.erasable {
                    got.good(&ctx);
                    model.now = Recording::default();
                    model.synchronized = Recording::default();
                } else {
                    assert_eq!(
                        got,
                        Answer::Check(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM),
                        "{ctx}"
                    );
                }
            }
            Op::PowerLoss => {
                drive.power_loss();
                model.now = model.synchronized.clone();
            }
            Op::Wait { ms } => drive.advance(Duration::from_millis(u64::from(ms))),
        }
        if matches!(
            op,
            Op::Synchronize { immed: true }
                | Op::CloseTrack { immed: true }
                | Op::CloseSession { immed: true, .. }
        ) {
            wait_while(
                &mut drive,
                triples::LONG_WRITE_IN_PROGRESS,
                Duration::from_millis(500),
            );
        }
        if matches!(op, Op::Blank { immed: true, .. }) {
            wait_while(
                &mut drive,
                triples::OPERATION_IN_PROGRESS,
                Duration::from_secs(1),
            );
        }
        check_information(&mut drive, &model, &ctx);
    }
    // A last power loss: the disc holds exactly what was synchronized, block for block.
    drive.power_loss();
    model.now = model.synchronized.clone();
    let ctx = format!("{kind:?}, after a last power loss");
    check_information(&mut drive, &model, &ctx);
    for t in model.now.tracks() {
        let tags: Vec<Option<u64>> = t.tags.iter().copied().map(Some).collect();
        check_recorded_track(&mut drive, t.start, t.recorded, &tags, &ctx);
    }
}
