//! The host side of the state-machine test: CDBs built as annotated bytes, sent raw through
//! `Transport`, and the answers reduced to what the reference models predict.

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, ScsiStatus, Transport};
use virtdrive::EmulatedDrive;

pub const SECTOR: usize = 2048;

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
pub fn write_cdb(lba: i64, blocks: u32, twelve: bool, streaming: bool) -> Vec<u8> {
    let [a0, a1, a2, a3] = (lba as i32).to_be_bytes();
    if twelve {
        let [l0, l1, l2, l3] = blocks.to_be_bytes();
        vec![
            0xAA, // WRITE (12)
            0x00, // no FUA
            a0,
            a1,
            a2,
            a3, // logical block address
            l0,
            l1,
            l2,
            l3,                                  // transfer length
            if streaming { 0x80 } else { 0x00 }, // bit 7: Streaming
            0x00,                                // control
        ]
    } else {
        let [l0, l1] = (blocks as u16).to_be_bytes();
        vec![
            0x2A, // WRITE (10)
            0x00, // no FUA
            a0, a1, a2, a3,   // logical block address
            0x00, // group number
            l0, l1,   // transfer length
            0x00, // control
        ]
    }
}

/// READ(10) or READ(12) of `blocks` at `lba`.
pub fn read_cdb(lba: i64, blocks: u32, twelve: bool) -> Vec<u8> {
    let [a0, a1, a2, a3] = (lba as i32).to_be_bytes();
    if twelve {
        let [l0, l1, l2, l3] = blocks.to_be_bytes();
        vec![
            0xA8, // READ (12)
            0x00, a0, a1, a2, a3, // logical block address
            l0, l1, l2, l3, // transfer length
            0x00, 0x00,
        ]
    } else {
        let [l0, l1] = (blocks as u16).to_be_bytes();
        vec![
            0x28, // READ (10)
            0x00, a0, a1, a2, a3, // logical block address
            0x00, l0, l1, // transfer length
            0x00,
        ]
    }
}

pub fn synchronize_cache_cdb(immed: bool) -> [u8; 10] {
    [
        0x35,                            // SYNCHRONIZE CACHE (10)
        if immed { 0x02 } else { 0x00 }, // bit 1: Immed
        0x00,
        0x00,
        0x00,
        0x00, // LBA 0
        0x00,
        0x00,
        0x00, // number of blocks 0: the whole cache
        0x00,
    ]
}

/// CLOSE TRACK/SESSION: function 001b closes track FFh, 010b the session.
pub fn close_cdb(session: bool, immed: bool) -> [u8; 10] {
    [
        0x5B,                              // CLOSE TRACK/SESSION
        if immed { 0x01 } else { 0x00 },   // bit 0: Immed
        if session { 0x02 } else { 0x01 }, // close function
        0x00,
        0x00,
        if session { 0x00 } else { 0xFF }, // track number: FFh, the incomplete track
        0x00,
        0x00,
        0x00,
        0x00,
    ]
}

pub const TEST_UNIT_READY: [u8; 6] = [0x00, 0, 0, 0, 0, 0];

pub const READ_DISC_INFORMATION: [u8; 10] = [
    0x51, // READ DISC INFORMATION
    0x00, // data type 000b: standard
    0x00, 0x00, 0x00, 0x00, 0x00, //
    0x00, 0x22, // allocation length 34
    0x00,
];

pub const READ_TRACK_INFORMATION_FF: [u8; 10] = [
    0x52, // READ TRACK INFORMATION
    0x01, // address type 01b: track number
    0x00, 0x00, 0x00, 0xFF, // track FFh: the invisible (or incomplete) track
    0x00, 0x00, 0x30, // allocation length 48
    0x00,
];

pub const READ_CAPACITY: [u8; 10] = [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// FORMAT UNIT with a format descriptor (FmtData = 1, format code 001b) and the Immed bit in
/// the list header, so the host polls TEST UNIT READY as libburn and growisofs do.
pub const FORMAT_UNIT: [u8; 6] = [0x04, 0x11, 0, 0, 0, 0];

/// A FORMAT UNIT parameter list: header (FOV | Immed), then the format descriptor.
pub fn format_list(blocks: u32, format_type: u8, subtype: u8, type_dependent: u32) -> [u8; 12] {
    let [b0, b1, b2, b3] = blocks.to_be_bytes();
    let [_, t0, t1, t2] = type_dependent.to_be_bytes();
    [
        0x00,
        0x82, // FOV | Immed
        0x00,
        0x08, // format descriptor length 8
        b0,
        b1,
        b2,
        b3,                         // number of blocks
        format_type << 2 | subtype, // format type, sub-type
        t0,
        t1,
        t2, // type dependent parameter
    ]
}

/// MODE SELECT(10) of the Write Parameters page: TAO, BUFE, Mode 1, track mode 4, and the
/// given Multi-session field (00b finalize, 01b no next session, 11b next session allowed).
pub fn mode_select_write_parameters(drive: &mut EmulatedDrive, multi_session: u8) -> Answer {
    let mut list = vec![
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,                      // mode parameter header
        0x05,                      // page 05h
        0x32,                      // page length
        0x40 | 0x01,               // BUFE | write type 1: TAO
        multi_session << 6 | 0x04, // multi-session | track mode 4 (data)
        0x08,                      // data block type 8: Mode 1
        0x00,
        0x00,
        0x00, // link size, reserved, host application code
        0x00, // session format 00h: CD-DA or CD-ROM
        0x00,
        0x00,
        0x00,
        0x00,
        0x00, // reserved, packet size
        0x00,
        0x96, // audio pause length 150
    ];
    list.resize(8 + 2 + 0x32, 0); // MCN, ISRC, sub-header: none
    let [l0, l1] = (list.len() as u16).to_be_bytes();
    let cdb = [
        0x55, // MODE SELECT (10)
        0x10, // PF
        0x00, 0x00, 0x00, 0x00, 0x00, //
        l0, l1, // parameter list length
        0x00,
    ];
    send(drive, &cdb, DataPhase::Out(&list))
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

/// The bytes of sector `lba` written with pattern `tag`: a splitmix64 stream keyed by both,
/// so every sector of every write differs from every other.
pub fn sector_pattern(tag: u64, lba: i64, out: &mut [u8]) {
    let mut x = tag ^ (lba as u64).wrapping_mul(0xD134_2543_DE82_EF95);
    for chunk in out.chunks_exact_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
}

/// `blocks` sectors from `lba` written with `tag`.
pub fn pattern(tag: u64, lba: i64, blocks: u32) -> Vec<u8> {
    let mut v = vec![0u8; blocks as usize * SECTOR];
    for (i, s) in v.chunks_exact_mut(SECTOR).enumerate() {
        sector_pattern(tag, lba + i as i64, s);
    }
    v
}

/// The expected sectors, each `Some(tag)` for a written one or `None` for zeros.
pub fn expected(lba: i64, tags: &[Option<u64>]) -> Vec<u8> {
    let mut v = vec![0u8; tags.len() * SECTOR];
    for (i, (s, tag)) in v.chunks_exact_mut(SECTOR).zip(tags).enumerate() {
        if let Some(tag) = tag {
            sector_pattern(*tag, lba + i as i64, s);
        }
    }
    v
}

/// The first sector where `got` and `want` differ, for a readable failure message.
pub fn first_difference(lba: i64, got: &[u8], want: &[u8]) -> Option<i64> {
    if got.len() != want.len() {
        return Some(lba);
    }
    got.chunks(SECTOR)
        .zip(want.chunks(SECTOR))
        .position(|(a, b)| a != b)
        .map(|i| lba + i as i64)
}

pub fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}
