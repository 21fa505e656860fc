//! DVD+R, BD-R (Sequential Recording Mode) and DVD-R recorded Incrementally against a
//! reference model written from the recording rules (MMC-6 4.5 DVD+R, 4.6 BD-R, 4.3.5 DVD-R;
//! 6.3.3 CLOSE TRACK/SESSION; libburn's DVD+R, BD-R and DVD-R cookbooks), not from the
//! emulator's layout code:
//!
//! - writes only at the next writable address (NWA) of the incomplete track, else 05/21/02;
//! - SYNCHRONIZE CACHE pads the data written so far to the recording unit (the 16-sector ECC
//!   block of DVD+R, the 32-sector cluster of BD-R) and leaves the track open: the NWA moves
//!   to the next unit;
//! - CLOSE TRACK (001b) pads and closes the track: the next track starts right after it;
//!   with no track open it does nothing;
//! - CLOSE SESSION (010b) needs the session's last track closed (05/72/03 while a track is
//!   incomplete) and a track in the session (05/2C/00 otherwise); it leaves the disc
//!   appendable. A DVD+R session then costs its Closure and the next session's Intro
//!   (2 × 1,024 sectors) before the next track; BD-R sessions follow without a gap; a DVD-R,
//!   whose page 05h the host sets to Incremental with Multi-session 11b (again after each
//!   power loss: the page is the drive's memory), its border zone (INF: 16,384 sectors after
//!   the first session, 3,072 after later ones);
//! - reading past the recorded area is 05/21/00; a power loss returns to the last synchronize
//!   or close.

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::DataPhase;
use proptest::prelude::*;
use virtdrive::medium::MediumKind;

use super::host::*;

#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Inside the recorded area of a track.
    Recorded(u32),
    /// At or past the NWA, within 100 sectors.
    PastNwa(u32),
}

#[derive(Debug, Clone)]
pub enum Op {
    WriteAtNwa {
        blocks: u32,
        twelve: bool,
        tag: u64,
    },
    /// A write `offset` sectors before (negative) or after the NWA.
    WriteElsewhere {
        offset: i32,
        blocks: u32,
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
        immed: bool,
    },
    PowerLoss,
    Wait {
        ms: u32,
    },
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => any::<u32>().prop_map(Target::Recorded),
        1 => (0u32..100).prop_map(Target::PastNwa),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (1u32..=40, any::<bool>(), any::<u64>())
            .prop_map(|(blocks, twelve, tag)| Op::WriteAtNwa { blocks, twelve, tag }),
        2 => (prop_oneof![-300i32..0, 1i32..300], 1u32..=8, any::<u64>())
            .prop_map(|(offset, blocks, tag)| Op::WriteElsewhere { offset, blocks, tag }),
        6 => (target(), 1u32..=8, any::<bool>())
            .prop_map(|(at, blocks, twelve)| Op::Read { at, blocks, twelve }),
        2 => any::<bool>().prop_map(|immed| Op::Synchronize { immed }),
        2 => any::<bool>().prop_map(|immed| Op::CloseTrack { immed }),
        2 => any::<bool>().prop_map(|immed| Op::CloseSession { immed }),
        1 => Just(Op::PowerLoss),
        1 => (0u32..5000).prop_map(|ms| Op::Wait { ms }),
    ]
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 10..40)
}

/// The rules that differ between the two media.
#[derive(Debug, Clone, Copy)]
struct Rules {
    /// Sectors in one recording unit (ECC block or cluster).
    unit: i64,
    /// Sectors between the end of the first session's last track and the next session's
    /// first.
    first_session_gap: i64,
    /// The same after a later session.
    session_gap: i64,
}

fn rules(kind: MediumKind) -> Rules {
    match kind {
        // MMC-6 4.5.3: 16-sector ECC blocks; a session's Closure and the next Intro.
        MediumKind::DvdPlusR | MediumKind::DvdPlusRDl => Rules {
            unit: 16,
            first_session_gap: 2 * 1024,
            session_gap: 2 * 1024,
        },
        // MMC-6 4.3.5: 16-sector ECC blocks; a border-out and the next border-in (INF). A
        // DVD-RW in Sequential recording records as a DVD-R.
        MediumKind::DvdR | MediumKind::DvdRw => Rules {
            unit: 16,
            first_session_gap: 16_384,
            session_gap: 3_072,
        },
        // MMC-6 4.6: 32-sector clusters; SRM sessions need no room in the user data area.
        _ => Rules {
            unit: 32,
            first_session_gap: 0,
            session_gap: 0,
        },
    }
}

#[derive(Debug, Clone)]
struct Track {
    number: u32,
    start: i64,
    /// The pattern of each sector written (`None`: padding of an earlier flush); sectors past
    /// these up to `recorded` are padding too.
    tags: Vec<Option<u64>>,
    /// Sectors recorded: the data, and the padding of the last synchronize or close.
    recorded: i64,
}

impl Track {
    fn end(&self) -> i64 {
        self.start + self.recorded
    }
}

/// What is on the disc.
#[derive(Debug, Clone, Default)]
struct Recording {
    /// Closed tracks.
    closed: Vec<Track>,
    closed_sessions: u32,
    /// Tracks of the open session among `closed`: those after this index.
    session_first: usize,
    /// The incomplete track.
    open: Option<Track>,
}

impl Recording {
    fn track_count(&self) -> u32 {
        self.closed.len() as u32 + u32::from(self.open.is_some())
    }

    fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.closed.iter().chain(&self.open)
    }

    fn next_track_start(&self, rules: Rules) -> i64 {
        if let Some(t) = &self.open {
            return t.start;
        }
        match self.closed.last() {
            // The last session was closed right after this track.
            Some(t) if self.session_first == self.closed.len() => {
                let gap = if self.closed_sessions == 1 {
                    rules.first_session_gap
                } else {
                    rules.session_gap
                };
                t.end() + gap
            }
            Some(t) => t.end(),
            None => 0,
        }
    }

    fn next_writable_address(&self, rules: Rules) -> i64 {
        self.next_track_start(rules) + self.open.as_ref().map_or(0, |t| t.recorded)
    }

    fn write(&mut self, rules: Rules, blocks: u32, tag: u64) {
        let start = self.next_track_start(rules);
        let number = self.track_count() + 1;
        let t = self.open.get_or_insert(Track {
            number,
            start,
            tags: Vec::new(),
            recorded: 0,
        });
        // Writing on after a flush continues after its padding.
        let padding = t.recorded - t.tags.len() as i64;
        t.tags
            .extend(std::iter::repeat_n(None, padding.max(0) as usize));
        t.tags
            .extend(std::iter::repeat_n(Some(tag), blocks as usize));
        t.recorded = t.tags.len() as i64;
    }

    /// SYNCHRONIZE CACHE: the open track's data padded to the recording unit.
    fn flush(&mut self, rules: Rules) {
        if let Some(t) = &mut self.open {
            t.recorded = (t.tags.len() as i64 + rules.unit - 1) / rules.unit * rules.unit;
        }
    }

    fn close_track(&mut self, rules: Rules) {
        self.flush(rules);
        if let Some(t) = self.open.take() {
            self.closed.push(t);
        }
    }

    fn close_session(&mut self) -> Result<(), SenseTriple> {
        if self.open.is_some() {
            return Err(triples::INCOMPLETE_TRACK_IN_SESSION);
        }
        if self.session_first == self.closed.len() {
            return Err(triples::COMMAND_SEQUENCE_ERROR);
        }
        self.closed_sessions += 1;
        self.session_first = self.closed.len();
        Ok(())
    }

    /// What sector `lba` holds (`None`: padding), or the sense reading it gives.
    fn sector(&self, lba: i64) -> Result<Option<u64>, SenseTriple> {
        self.tracks()
            .find(|t| lba >= t.start && lba < t.end())
            .map(|t| t.tags.get((lba - t.start) as usize).copied().flatten())
            .ok_or(triples::LBA_OUT_OF_RANGE)
    }
}

struct Model {
    rules: Rules,
    now: Recording,
    synchronized: Recording,
}

impl Model {
    fn synchronized(&mut self) {
        self.synchronized = self.now.clone();
    }

    fn resolve(&self, target: Target) -> i64 {
        let tracks: Vec<&Track> = self.now.tracks().filter(|t| t.recorded > 0).collect();
        match target {
            Target::Recorded(k) if !tracks.is_empty() => {
                let t = tracks[k as usize % tracks.len()];
                t.start + i64::from(k >> 8) % t.recorded
            }
            Target::Recorded(k) | Target::PastNwa(k) => {
                self.now.next_writable_address(self.rules) + i64::from(k % 100)
            }
        }
    }
}

/// Checks READ DISC INFORMATION and READ TRACK INFORMATION of the invisible or incomplete
/// track (FFh) against the model.
fn check_information(drive: &mut TestDrive, model: &Model, ctx: &str) {
    let r = &model.now;
    let disc = send_in(drive, &READ_DISC_INFORMATION, 34).data(ctx);
    let session_has_tracks = r.open.is_some() || r.session_first < r.closed.len();
    // Disc status: empty 00b, incomplete 01b; last session: empty 00b, incomplete 01b.
    let status = match (r.track_count(), session_has_tracks) {
        (0, _) => 0b0000,
        (_, false) => 0b0001,
        (_, true) => 0b0101,
    };
    assert_eq!(
        disc[2] & 0x0F,
        status,
        "{ctx}: disc and last session status"
    );
    let sessions = r.closed_sessions + 1;
    assert_eq!(
        u32::from(disc[4]) | u32::from(disc[9]) << 8,
        sessions,
        "{ctx}: number of sessions"
    );
    // The open track, or the invisible track that comes next.
    let current = r.open.as_ref().map_or(r.track_count() + 1, |t| t.number);
    let first_in_last = r.closed.get(r.session_first).map_or(current, |t| t.number);
    assert_eq!(
        u32::from(disc[5]) | u32::from(disc[10]) << 8,
        first_in_last,
        "{ctx}: first track in last session"
    );
    assert_eq!(
        u32::from(disc[6]) | u32::from(disc[11]) << 8,
        current,
        "{ctx}: last track in last session"
    );

    let t = send_in(drive, &READ_TRACK_INFORMATION_FF, 48).data(ctx);
    assert_eq!(
        u32::from(t[2]) | u32::from(t[32]) << 8,
        current,
        "{ctx}: track number"
    );
    assert_eq!(
        u32::from(t[3]) | u32::from(t[33]) << 8,
        sessions,
        "{ctx}: session number"
    );
    assert_eq!(
        i64::from(be32(&t, 8)),
        r.next_track_start(model.rules),
        "{ctx}: track start"
    );
    assert_eq!(t[7] & 0x01, 0x01, "{ctx}: NWA_V");
    assert_eq!(
        i64::from(be32(&t, 12)),
        r.next_writable_address(model.rules),
        "{ctx}: next writable address"
    );
}

/// One of the write-once media of more than one layer (recorded as DVD+R or BD-R).
pub fn layered_kind() -> impl Strategy<Value = MediumKind> {
    prop_oneof![
        Just(MediumKind::DvdPlusRDl),
        Just(MediumKind::BdRDl),
        Just(MediumKind::BdRXl),
        Just(MediumKind::BdRXl4),
    ]
}

/// The host's page 05h on a DVD-R or DVD-RW: Incremental, Multi-session 11b (as growisofs -M
/// and libburn with -multi send it); nothing on the other media.
fn select_incremental_multi_session(drive: &mut TestDrive, kind: MediumKind) {
    if !matches!(kind, MediumKind::DvdR | MediumKind::DvdRw) {
        return;
    }
    let list =
        testkit::cd_write_parameters(testkit::INCREMENTAL, testkit::NEXT_SESSION_ALLOWED, true);
    send(drive, &testkit::mode_select(&list), DataPhase::Out(&list)).good("MODE SELECT");
}

/// Runs `ops` against a blank disc of `kind` and the model; panics at the first divergence.
pub fn run(kind: MediumKind, ops: &[Op], backing: Backing) {
    let mut drive = TestDrive::blank(kind, backing);
    select_incremental_multi_session(&mut drive, kind);
    let rules = rules(kind);
    let mut model = Model {
        rules,
        now: Recording::default(),
        synchronized: Recording::default(),
    };
    check_information(&mut drive, &model, "blank");
    for (step, op) in ops.iter().enumerate() {
        let ctx = format!("{kind:?}, step {step}: {op:?}");
        let mut immediate = false;
        match *op {
            Op::WriteAtNwa {
                blocks,
                twelve,
                tag,
            } => {
                let lba = model.now.next_writable_address(rules);
                let data = pattern(tag, lba, blocks);
                let got = send(
                    &mut drive,
                    &write_cdb(lba, blocks, twelve, false),
                    DataPhase::Out(&data),
                );
                assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                model.now.write(rules, blocks, tag);
            }
            Op::WriteElsewhere {
                offset,
                blocks,
                tag,
            } => {
                let lba = model.now.next_writable_address(rules) + i64::from(offset);
                if lba < 0 {
                    continue;
                }
                check_write_refused(&mut drive, lba, blocks, false, tag, &ctx);
            }
            Op::Read { at, blocks, twelve } => {
                let lba = model.resolve(at);
                let want = (lba..lba + i64::from(blocks))
                    .map(|l| model.now.sector(l))
                    .collect();
                check_read(&mut drive, lba, blocks, twelve, want, &ctx);
            }
            Op::Synchronize { immed } => {
                send_none(&mut drive, &synchronize_cache_cdb(immed)).good(&ctx);
                model.now.flush(rules);
                model.synchronized();
                immediate = immed;
            }
            Op::CloseTrack { immed } => {
                send_none(&mut drive, &close_cdb(false, immed)).good(&ctx);
                model.now.close_track(rules);
                model.synchronized();
                immediate = immed;
            }
            Op::CloseSession { immed } => {
                let got = send_none(&mut drive, &close_cdb(true, immed));
                match model.now.close_session() {
                    Ok(()) => {
                        assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                        model.synchronized();
                        immediate = immed;
                    }
                    Err(sense) => assert_eq!(got, Answer::Check(sense), "{ctx}"),
                }
            }
            Op::PowerLoss => {
                drive.power_loss();
                select_incremental_multi_session(&mut drive, kind);
                model.now = model.synchronized.clone();
            }
            Op::Wait { ms } => drive.advance(Duration::from_millis(u64::from(ms))),
        }
        if immediate {
            wait_while(
                &mut drive,
                triples::LONG_WRITE_IN_PROGRESS,
                Duration::from_millis(500),
            );
        }
        check_information(&mut drive, &model, &ctx);
    }
    // A last power loss: the disc holds exactly what was synchronized, sector for sector.
    drive.power_loss();
    model.now = model.synchronized.clone();
    let ctx = format!("{kind:?}, after a last power loss");
    check_information(&mut drive, &model, &ctx);
    for t in model.now.tracks() {
        check_recorded_track(&mut drive, t.start, t.recorded, &t.tags, &ctx);
    }
}
