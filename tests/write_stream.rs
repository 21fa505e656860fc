//! `DataWriter::write_stream`: data read once, front to back (standard input, a pipe), with
//! or without its length. Without one, the data is written as it comes; a stream that goes on
//! past the free space, or ends inside a sector, is reported after what was written has been
//! finalized, and that part reads back.

mod common;

use std::io::Read;

use common::*;
use discwriter::{
    ApiMisuse, CancelHandle, DataWriter, DiscState, Error, ProgressEvent, VerificationLevel,
    WriteAction, WriteOptions,
};
use mmc_core::Transport;
use virtdrive::fault::Faulty;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::HashOnlyStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// Hands out its data in pieces of odd sizes, as a pipe does, and never seeks.
struct Pipe {
    data: Vec<u8>,
    at: usize,
    piece: usize,
}

impl Pipe {
    fn new(data: Vec<u8>) -> Self {
        Pipe {
            data,
            at: 0,
            piece: 1000,
        }
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.piece).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        // Vary the piece size between reads.
        self.piece = 1000 + (self.piece * 7 + 13) % 3001;
        Ok(n)
    }
}

fn stream_collecting<T: Transport + Send>(
    w: &DataWriter<T>,
    source: Box<dyn Read + Send>,
    length: Option<u64>,
) -> (Result<discwriter::WriteOutcome, Error>, Vec<ProgressEvent>) {
    let mut events = Vec::new();
    let r = w.write_stream(
        source,
        length,
        &mut |e: &ProgressEvent, _: &CancelHandle| events.push(e.clone()),
    );
    (r, events)
}

/// The disc's state and session count, through a new recorder on the writer's drive.
fn disc<T: Transport + Send>(w: &DataWriter<T>) -> (DiscState, u16, Option<u32>) {
    let mut rec = w.take_recorder().unwrap().unwrap();
    let s = rec.disc_summary().unwrap();
    w.set_recorder(rec).unwrap();
    (s.status, s.sessions, s.next_writable_address)
}

fn drive_of<T: Transport + Send>(w: DataWriter<T>) -> T {
    w.take_recorder().unwrap().unwrap().into_transport()
}

const ALL_WRITABLE: [MediumKind; 6] = [
    MediumKind::CdR74,
    MediumKind::CdR80,
    MediumKind::DvdPlusR,
    MediumKind::BdR,
    MediumKind::DvdPlusRw,
    MediumKind::BdRe,
];

#[test]
fn a_stream_of_unknown_length_is_written_as_it_comes_on_every_medium() {
    for kind in ALL_WRITABLE {
        let w = writer(
            drive(kind),
            // Without the DVD+R compatible close, which closes a DVD+R after every write.
            WriteOptions {
                verification: VerificationLevel::Full,
                disable_consumer_dvd_compatibility_mode: true,
                ..WriteOptions::default()
            },
        );
        let data = image(300, 4);
        let (r, events) = stream_collecting(&w, Box::new(Pipe::new(data.clone())), None);
        let o = r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(o.sectors, 300, "{}", kind.name());
        assert!(!o.disc_closed, "{}", kind.name());
        // While the data comes, its length is not known; the count grows with what was read.
        let writing: Vec<&ProgressEvent> = events
            .iter()
            .filter(|e| e.action == WriteAction::WritingData)
            .collect();
        assert!(writing.iter().all(|e| !e.sector_count_known));
        assert!(events
            .iter()
            .any(|e| e.action == WriteAction::Verifying && e.sectors_verified == 300));
        let (state, sessions, _) = disc(&w);
        let mut d = drive_of(w);
        assert_same_sectors(
            &read_back(&mut d, o.start_lba, 300),
            &data,
            o.start_lba,
            kind.name(),
        );
        if matches!(kind, MediumKind::DvdPlusRw | MediumKind::BdRe) {
            assert_eq!(o.start_lba, 0);
        } else {
            assert_eq!(
                (state, sessions),
                (DiscState::Appendable, 1),
                "{}",
                kind.name()
            );
        }
    }
}

#[test]
fn a_stream_that_ends_inside_a_sector_is_refused_after_its_whole_sectors_are_closed() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusR, MediumKind::BdRe] {
        let w = writer(drive(kind), WriteOptions::default());
        let mut data = image(100, 5);
        data.extend_from_slice(&[0xEE; 100]);
        let (r, _) = stream_collecting(&w, Box::new(Pipe::new(data.clone())), None);
        match r {
            Err(Error::Api(ApiMisuse::StreamNotSupported { bytes })) => {
                assert_eq!(bytes, 100 * 2048 + 100)
            }
            other => panic!("{}: {other:?}", kind.name()),
        }
        // Each disc is blank: the data starts at LBA 0 on every medium.
        let start = 0;
        assert_eq!(w.last_written_lba().unwrap(), Some(start + 99));
        let (state, sessions, nwa) = disc(&w);
        if kind != MediumKind::BdRe {
            assert_eq!(
                (state, sessions),
                (DiscState::Appendable, 1),
                "{}",
                kind.name()
            );
        }
        let mut d = drive_of(w);
        assert_same_sectors(
            &read_back(&mut d, start, 100),
            &data[..100 * 2048],
            start,
            kind.name(),
        );
        // What was closed is followed by another session.
        if let Some(nwa) = nwa.filter(|_| kind != MediumKind::BdRe) {
            let w = writer(d, WriteOptions::default());
            let next = image(20, 6);
            let o = w
                .write_stream(Box::new(Pipe::new(next.clone())), None, &mut |_, _| {})
                .unwrap();
            assert_eq!(o.start_lba, i64::from(nwa));
            let mut d = drive_of(w);
            assert_same_sectors(
                &read_back(&mut d, o.start_lba, 20),
                &next,
                o.start_lba,
                "next",
            );
        }
    }
}

/// Zeros without end, cheaply.
struct Zeros;

impl Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(0);
        Ok(buf.len())
    }
}

#[test]
fn a_stream_longer_than_the_free_space_fills_it_then_is_stream_too_large() {
    // A 74-minute CD-R whose sectors are kept as hashes: 333,000 sectors, of which the drive
    // reports all but its track's 2 run-out blocks free, and the data may take all of those
    // but the post-gap (150).
    let d = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(MediumKind::CdR74, Box::new(HashOnlyStore::new())),
    );
    let w = writer(
        d,
        WriteOptions {
            verification: VerificationLevel::None,
            ..WriteOptions::default()
        },
    );
    let mut rec = w.take_recorder().unwrap().unwrap();
    let free = u64::from(rec.disc_summary().unwrap().free_sectors);
    w.set_recorder(rec).unwrap();
    let r = w.write_stream(Box::new(Zeros), None, &mut |_, _| {});
    match r {
        Err(Error::StreamTooLargeForCurrentMedia {
            needed: None,
            free: f,
        }) => assert_eq!(
            f,
            free - 150,
            "what a stream may have: the post-gap left out"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.last_written_lba().unwrap(), Some((free - 150) as i64 - 1));
    let (state, sessions, _) = disc(&w);
    assert_eq!(sessions, 1, "the data is in a closed session");
    assert_ne!(state, DiscState::Blank);
}

#[test]
fn a_stream_shorter_than_its_given_length_fails_after_closing_what_came() {
    let w = writer(drive(MediumKind::CdR80), WriteOptions::default());
    let data = image(150, 7);
    let r = w.write_stream(
        Box::new(Pipe::new(data.clone())),
        Some(200 * 2048),
        &mut |_, _| {},
    );
    match r {
        Err(e @ Error::Fail { .. }) => {
            let m = e.to_string();
            assert!(m.contains("ended after 307200 bytes"), "{m}");
            assert!(m.contains("409600"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.last_written_lba().unwrap(), Some(149));
    let (state, sessions, _) = disc(&w);
    assert_eq!((state, sessions), (DiscState::Appendable, 1));
    let mut d = drive_of(w);
    assert_same_sectors(&read_back(&mut d, 0, 150), &data, 0, "what came");
}

#[test]
fn a_stream_with_its_length_is_checked_against_the_free_space_before_anything_is_written() {
    let w = writer(traced(MediumKind::CdR74), WriteOptions::default());
    let r = w.write_stream(Box::new(Zeros), Some(333_000 * 2048), &mut |_, _| {});
    assert!(
        matches!(
            r,
            Err(Error::StreamTooLargeForCurrentMedia {
                needed: Some(333_000),
                free: 332_848,
            })
        ),
        "{r:?}"
    );
    let t = drive_of(w);
    assert!(writes_in(t.records()).is_empty(), "nothing was written");
}

#[test]
fn verifying_a_stream_compares_with_digests_taken_while_writing() {
    let d = Faulty::for_drive(
        drive(MediumKind::BdRe),
        plan("matrix/writing-drop-write.json"),
    );
    let w = writer(
        d,
        WriteOptions {
            verification: VerificationLevel::Full,
            ..WriteOptions::default()
        },
    );
    let r = w.write_stream(Box::new(Pipe::new(image(400, 8))), None, &mut |_, _| {});
    match r {
        // The plan drops the WRITE that reaches LBA 160, the first of its 64 KiB chunk.
        Err(Error::BurnVerificationFailed { lba }) => assert_eq!(lba, 160),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cancelled_stream_leaves_a_closed_appendable_session() {
    let w = writer(drive(MediumKind::DvdPlusR), WriteOptions::default());
    let r = w.write_stream(
        Box::new(Pipe::new(image(20_000, 9))),
        None,
        &mut |e: &ProgressEvent, c: &CancelHandle| {
            if e.action == WriteAction::WritingData && e.last_written_lba >= 0 {
                c.cancel()
            }
        },
    );
    let last = match r {
        Err(Error::RequestCancelled {
            last_written_lba: Some(l),
        }) => l,
        other => panic!("{other:?}"),
    };
    assert!(last < 19_999);
    let (state, sessions, _) = disc(&w);
    assert_eq!((state, sessions), (DiscState::Appendable, 1));
}
