//! Helpers for conformance tests in the annotated-CDB style: send raw bytes, check the answer.
#![allow(dead_code)]

use std::time::Duration;

use mmc_core::sense::{Sense, SenseKeySpecific, SenseTriple};
use mmc_core::{DataPhase, ScsiStatus, Transport};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// 05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM.
pub const CANNOT_FORMAT_INCOMPATIBLE_MEDIUM: SenseTriple = SenseTriple::new(0x5, 0x30, 0x06);
/// 05/30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT.
pub const CANNOT_READ_INCOMPATIBLE_FORMAT: SenseTriple = SenseTriple::new(0x5, 0x30, 0x02);

/// CLOSE TRACK/SESSION without Immed (MMC-6 6.3), for the write-once DVD and BD media.
pub fn close(function: u8, track: u8) -> [u8; 10] {
    [
        0x5B,     // CLOSE TRACK/SESSION
        0x00,     // Immed = 0
        function, // close function (bits 2-0)
        0x00,     //
        0x00, track, // logical track number
        0, 0, 0, 0x00,
    ]
}

/// Close functions (byte 2, bits 2-0).
pub const CLOSE_TRACK: u8 = 0b001;
pub const CLOSE_SESSION: u8 = 0b010;
pub const FINALIZE_MINIMAL_RADIUS: u8 = 0b101;
pub const FINALIZE_DISC: u8 = 0b110;

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

// ---------------------------------------------------------------------------------------
// Conformance helpers: drives holding a disc, data-out commands, failures with their sense
// fields, and the CDBs every topic uses, annotated byte by byte.

/// A drive holding a blank disc of `kind` in a memory store: ready, the power-on unit
/// attention already seen (what a host sees after its first TEST UNIT READY loop).
pub fn drive_with(kind: MediumKind) -> EmulatedDrive {
    EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    )
}

/// A blank disc of `kind` to insert.
pub fn blank_disc(kind: MediumKind) -> Box<dyn virtdrive::medium::Medium> {
    medium::blank(kind, Box::new(MemoryStore::new()))
}

/// The sense fields of a CHECK CONDITION beyond the triple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed {
    pub sks: Option<SenseKeySpecific>,
    pub information: Option<u64>,
}

impl Failed {
    /// The progress indication (NOT READY with SKSV), or a failed test.
    pub fn progress(&self) -> u16 {
        match self.sks {
            Some(SenseKeySpecific::Progress(p)) => p,
            other => panic!("no progress indication in the sense: {other:?}"),
        }
    }
}

/// Runs `cdb` with `phase`; expects CHECK CONDITION with `expected`.
pub fn fails_with<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    phase: DataPhase<'_>,
    expected: SenseTriple,
) -> Failed {
    let c = drive
        .execute(cdb, phase, TIMEOUT)
        .expect("the command completes");
    assert_eq!(
        c.status,
        ScsiStatus::CheckCondition,
        "CDB {cdb:02X?}: {c:?}"
    );
    let sense = Sense::parse(&c.sense).expect("the sense parses");
    assert_eq!(sense.triple(), Some(expected), "CDB {cdb:02X?}");
    Failed {
        sks: sense.sense_key_specific,
        information: sense.information,
    }
}

/// Sends `cdb` with `data` as data-out; expects GOOD.
pub fn command_out<T: Transport>(drive: &mut T, cdb: &[u8], data: &[u8]) {
    let c = drive
        .execute(cdb, DataPhase::Out(data), TIMEOUT)
        .expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

/// Sends `cdb` with `data` as data-out; expects CHECK CONDITION with `expected`.
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
pub fn command_in_fails<T: Transport>(
    drive: &mut T,
    cdb: &[u8],
    alloc: usize,
    expected: SenseTriple,
) -> Failed {
    let mut buf = vec![0u8; alloc];
    fails_with(drive, cdb, DataPhase::In(&mut buf), expected)
}

/// Asserts a field pointer into the CDB at `byte` (the bit pointer is optional in SPC-4).
pub fn assert_cdb_field(failed: Failed, byte: u16) {
    match failed.sks {
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            byte: b,
            ..
        }) => assert_eq!(b, byte, "field pointer"),
        other => panic!("expected a field pointer to CDB byte {byte}, got {other:?}"),
    }
}

/// Asserts a field pointer into the parameter list at `byte`.
pub fn assert_parameter_field(failed: Failed, byte: u16) {
    match failed.sks {
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: false,
            byte: b,
            ..
        }) => assert_eq!(b, byte, "field pointer"),
        other => panic!("expected a field pointer to parameter byte {byte}, got {other:?}"),
    }
}

pub fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

pub fn be24(b: &[u8]) -> u32 {
    u32::from_be_bytes([0, b[0], b[1], b[2]])
}

pub fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// `n` blocks whose every byte tells its block apart: block `i` is filled with
/// `seed.wrapping_add(i)`.
pub fn blocks(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| std::iter::repeat_n(seed.wrapping_add(i as u8), 2048))
        .collect()
}

pub const TEST_UNIT_READY: [u8; 6] = [
    0x00, // TEST UNIT READY
    0, 0, 0, 0,    //
    0x00, // control
];

pub const REQUEST_SENSE: [u8; 6] = [
    0x03, // REQUEST SENSE
    0x00, // DESC = 0: fixed format
    0, 0,    //
    0x12, // allocation length 18
    0x00,
];

pub const READ_CAPACITY: [u8; 10] = [
    0x25, // READ CAPACITY
    0, 0, 0, 0, 0, 0, 0,    //
    0x00, // PMI = 0
    0x00,
];

pub const READ_DISC_INFORMATION: [u8; 10] = [
    0x51, // READ DISC INFORMATION
    0x00, // data type 000b: standard disc information
    0, 0, 0, 0, 0, //
    0x00, 0x22, // allocation length 34
    0x00,
];

pub const READ_FORMAT_CAPACITIES: [u8; 10] = [
    0x23, // READ FORMAT CAPACITIES
    0, 0, 0, 0, 0, 0, //
    0x00, 0xFC, // allocation length 252
    0x00,
];

pub const SYNCHRONIZE_CACHE: [u8; 10] = [
    0x35, // SYNCHRONIZE CACHE (10)
    0x00, // Immed = 0: return when the cache is on the disc
    0, 0, 0, 0, // LBA 0
    0, //
    0x00, 0x00, // blocks 0: everything
    0x00,
];

pub const SYNCHRONIZE_CACHE_IMMED: [u8; 10] = [
    0x35, // SYNCHRONIZE CACHE (10)
    0x02, // Immed = 1: return at once, poll TEST UNIT READY
    0, 0, 0, 0, 0, 0, 0, 0x00,
];

pub const READ_BUFFER_CAPACITY: [u8; 10] = [
    0x5C, // READ BUFFER CAPACITY
    0x00, // Block = 0: in bytes
    0, 0, 0, 0, 0, //
    0x00, 0x0C, // allocation length 12
    0x00,
];

/// WRITE (10) of `blocks` blocks at `lba`.
pub fn write10(lba: i32, blocks: u16) -> [u8; 10] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [n0, n1] = blocks.to_be_bytes();
    [
        0x2A, // WRITE (10)
        0x00, // DPO = 0, FUA = 0
        a0, a1, a2, a3,   // LBA
        0x00, // group number
        n0, n1,   // transfer length
        0x00, // control
    ]
}

/// READ (10) of `blocks` blocks at `lba`.
pub fn read10(lba: i32, blocks: u16) -> [u8; 10] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [n0, n1] = blocks.to_be_bytes();
    [
        0x28, // READ (10)
        0x00, //
        a0, a1, a2, a3,   // LBA
        0x00, //
        n0, n1, // transfer length
        0x00,
    ]
}

/// WRITE (12) of `blocks` blocks at `lba`, with or without the Streaming bit.
pub fn write12(lba: i32, blocks: u32, streaming: bool) -> [u8; 12] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [n0, n1, n2, n3] = blocks.to_be_bytes();
    [
        0xAA, // WRITE (12)
        0x00, //
        a0,
        a1,
        a2,
        a3, // LBA
        n0,
        n1,
        n2,
        n3,                                  // transfer length
        if streaming { 0x80 } else { 0x00 }, // byte 10 bit 7: Streaming
        0x00,
    ]
}

/// READ (12) of `blocks` blocks at `lba`.
pub fn read12(lba: i32, blocks: u32) -> [u8; 12] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [n0, n1, n2, n3] = blocks.to_be_bytes();
    [
        0xA8, // READ (12)
        0x00, //
        a0, a1, a2, a3, // LBA
        n0, n1, n2, n3,   // transfer length
        0x00, // Streaming = 0
        0x00,
    ]
}

/// READ TRACK INFORMATION of track `n` (FFh: the invisible track), 48 bytes.
pub fn read_track_information(n: u8) -> [u8; 10] {
    [
        0x52, // READ TRACK INFORMATION
        0x01, // address/number type 01b: track number
        0x00, 0x00, 0x00, n,    // track number
        0x00, //
        0x00, 0x30, // allocation length 48
        0x00,
    ]
}

/// Writes `n` blocks from `blocks(seed, n)` at `lba` with WRITE (10); returns the data.
pub fn write_blocks<T: Transport>(drive: &mut T, lba: i32, n: u16, seed: u8) -> Vec<u8> {
    let data = blocks(seed, n.into());
    command_out(drive, &write10(lba, n), &data);
    data
}

/// Reads `n` blocks at `lba` with READ (10).
pub fn read_blocks<T: Transport>(drive: &mut T, lba: i32, n: u16) -> Vec<u8> {
    let len = usize::from(n) * 2048;
    let data = command_in(drive, &read10(lba, n), len);
    assert_eq!(data.len(), len, "READ (10) transfers every block");
    data
}

/// REQUEST SENSE (fixed format): the sense triple and progress, if any.
pub fn request_sense<T: Transport>(drive: &mut T) -> (SenseTriple, Option<SenseKeySpecific>) {
    let data = command_in(drive, &REQUEST_SENSE, 18);
    let sense = Sense::parse(&data).expect("the sense parses");
    (
        sense.triple().expect("a complete sense"),
        sense.sense_key_specific,
    )
}

/// Page 05h Write Type field values (MMC-6 7.5.4).
pub const TAO: u8 = 0x01;
pub const SAO: u8 = 0x02;
/// Page 05h Multi-session field values.
pub const FINALIZE: u8 = 0b00;
pub const NO_NEXT_SESSION: u8 = 0b01;
pub const NEXT_SESSION_ALLOWED: u8 = 0b11;

/// The MODE SELECT (10) parameter list for a CD data recording: the 8-byte mode parameter
/// header and the Write Parameters page (05h) with Track Mode 4 and Data Block Type 8.
pub fn cd_write_parameters(write_type: u8, multi_session: u8, bufe: bool) -> Vec<u8> {
    let mut list = vec![
        0x00,
        0x00, // mode data length (reserved in MODE SELECT)
        0x00,
        0x00,
        0x00,
        0x00, //
        0x00,
        0x00,                               // block descriptor length 0
        0x05,                               // PS = 0, page code 05h
        0x32,                               // page length
        (u8::from(bufe) << 6) | write_type, // BUFE, LS_V = 0, Test Write = 0, Write Type
        (multi_session << 6) | 0x04,        // Multi-session, FP = 0, Copy = 0, Track Mode 4: data
        0x08,                               // Data Block Type 8: Mode 1, 2048 bytes
        0x00,                               // link size
        0x00,                               //
        0x00,                               // host application code
        0x00,                               // session format 00h: CD-DA or CD-ROM
        0x00,                               //
        0x00,
        0x00,
        0x00,
        0x00, // packet size
        0x00,
        0x96, // audio pause length 150
    ];
    // Media catalog number, ISRC and sub-header: zeros.
    list.resize(8 + 2 + 0x32, 0x00);
    list
}

/// MODE SELECT (10) of `list`.
pub fn mode_select(list: &[u8]) -> [u8; 10] {
    let [l0, l1] = u16::try_from(list.len()).unwrap().to_be_bytes();
    [
        0x55, // MODE SELECT (10)
        0x10, // PF = 1, SP = 0
        0, 0, 0, 0, 0, //
        l0, l1, // parameter list length
        0x00,
    ]
}

/// Sets page 05h on a CD-R in `drive`.
pub fn select_cd_write_parameters<T: Transport>(
    drive: &mut T,
    write_type: u8,
    multi_session: u8,
    bufe: bool,
) {
    let list = cd_write_parameters(write_type, multi_session, bufe);
    command_out(drive, &mode_select(&list), &list);
}

/// The timeout libburn gives CLOSE TRACK/SESSION and SYNCHRONIZE CACHE without Immed.
pub const LONG_TIMEOUT: Duration = Duration::from_secs(3600);

/// Sends `cdb` without data, waiting up to [`LONG_TIMEOUT`]; expects GOOD.
pub fn command_ok_long<T: Transport>(drive: &mut T, cdb: &[u8]) {
    let c = drive
        .execute(cdb, DataPhase::None, LONG_TIMEOUT)
        .expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

/// Polls TEST UNIT READY once a virtual second, as libburn does after an Immed command,
/// while the drive reports NOT READY with ASC 04h; returns the progress values seen.
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
