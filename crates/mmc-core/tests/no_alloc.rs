//! Encoding and decoding CDBs, and parsing, building and naming sense, must not touch the
//! heap: a counting global allocator checks it.
// A global allocator needs `unsafe impl GlobalAlloc`; it only forwards to the system allocator.
#![allow(unsafe_code)]

use mmc_core::cdb::CdbRepr;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;

use mmc_core::condition::{classify, retry_class};
use mmc_core::sense::{
    asc_description, triples, ProgressIndication, Sense, SenseBuilder, SenseFormat,
    SenseKeySpecific,
};

struct Counting;

thread_local! {
    // Counts per thread, so that the test harness's own threads do not disturb the count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A fixed-capacity text sink, so formatting can be checked without a String.
struct StackText {
    buf: [u8; 256],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[test]
fn counting_allocator_sees_allocations() {
    // guards the test itself: a Vec must be counted
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) >= 1);
}

#[test]
fn build_parse_describe_and_classify_do_not_allocate() {
    let builder = SenseBuilder::new(triples::FORMAT_IN_PROGRESS)
        .information(0x1234)
        .command_specific(9)
        .sense_key_specific(SenseKeySpecific::Progress(0x4000))
        .fru(3)
        .ili()
        .progress_indication(ProgressIndication {
            operation: triples::FORMAT_IN_PROGRESS,
            progress: 1,
        });
    let n = allocations_in(|| {
        for format in [SenseFormat::Fixed, SenseFormat::Descriptor] {
            let bytes = std::hint::black_box(builder.build(format));
            let sense = Sense::parse(&bytes).unwrap();
            assert_eq!(sense.triple(), Some(triples::FORMAT_IN_PROGRESS));
            for d in sense.descriptors() {
                std::hint::black_box(d.unwrap());
            }
            let mut text = StackText {
                buf: [0; 256],
                len: 0,
            };
            write!(text, "{}", sense.description().unwrap()).unwrap();
            write!(text, "{}", asc_description(0x40, 0x90)).unwrap();
            write!(text, "{}", asc_description(0x99, 0x01)).unwrap();
            std::hint::black_box(classify(sense.triple().unwrap(), 0x2A));
            std::hint::black_box(retry_class(&sense));
        }
    });
    assert_eq!(n, 0, "sense handling allocated {n} times");
}

#[test]
fn encoding_and_decoding_every_cdb_does_not_allocate() {
    use mmc_core::cdb::{sample_cdbs, Command, Write10};
    let cdbs = sample_cdbs();
    let commands: Vec<Command> = cdbs
        .iter()
        .map(|c| Command::decode(c).expect("sample CDBs decode"))
        .collect();
    assert!(commands.len() >= 32, "a sample of every command");
    let n = allocations_in(|| {
        for (bytes, command) in cdbs.iter().zip(&commands) {
            let decoded = Command::decode(bytes);
            let encoded = command.encode();
            let _ = std::hint::black_box((decoded, encoded, command.expected_transfer()));
        }
        let w = Write10 {
            lba: 4096,
            blocks: 32,
            ..Write10::default()
        };
        let _ = std::hint::black_box(Write10::decode(&w.encode()));
    });
    assert_eq!(n, 0, "CDB encode/decode allocated {n} times");
}

#[test]
fn rejecting_a_malformed_cdb_and_building_its_sense_does_not_allocate() {
    use mmc_core::cdb::Command;
    let n = allocations_in(|| {
        for cdb in [
            &[0x2A, 0x20, 0, 0, 0x10, 0, 0, 0, 0x20, 0][..],
            &[0xFF, 0, 0, 0, 0, 0],
            &[],
        ] {
            if let Err(e) = Command::decode(cdb) {
                let (triple, sks) = e.sense();
                let mut b = SenseBuilder::new(triple);
                if let Some(sks) = sks {
                    b = b.sense_key_specific(sks);
                }
                std::hint::black_box(b.fixed());
            }
        }
    });
    assert_eq!(n, 0);
}
