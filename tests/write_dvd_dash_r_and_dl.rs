//! The DVD-R, DVD-R DL and DVD+R DL write paths, through a transport that presents the
//! emulated DVD+R as one of those media: it reports their profile in GET CONFIGURATION (and,
//! for an incremental DVD-R drive, feature 0021h Incremental Streaming Writable as current),
//! and answers READ and SEND DISC STRUCTURE format 20h (the layer boundary) itself. The DVD+R
//! model records what the engine sends (page 05h, RESERVE TRACK, WRITE, CLOSE), so the tests
//! check the commands MMC and the real programs use on those media, and read the data back.
//! Once the emulator has `virt:dvd-r`, `virt:dvd-r-dl` and `virt:dvd+r-dl`, the same engine
//! runs end to end on them.

mod common;

use std::time::Duration;

use common::*;
use discwriter::WriteOptions;
use mmc_core::trace::{TraceRecord, Tracing};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const DVD_R: u16 = 0x0011;
const DVD_R_DL: u16 = 0x0015;
const DVD_PLUS_R_DL: u16 = 0x002B;

/// The emulated DVD+R shown as another profile.
#[derive(Debug)]
struct Disguise {
    drive: EmulatedDrive,
    profile: u16,
    /// Feature 0021h current (a DVD-R drive that records incrementally).
    incremental: bool,
    /// The layer 0 capacity READ DISC STRUCTURE format 20h gives, and whether it is fixed.
    layer0: Option<(u32, bool)>,
}

impl Disguise {
    fn new(profile: u16) -> Self {
        Disguise {
            drive: drive(MediumKind::DvdPlusR),
            profile,
            incremental: false,
            layer0: None,
        }
    }
}

/// Feature 0021h, current: data block type 8, BUF, one link size, 16 (MMC-5 5.3.11).
const FEATURE_21H: [u8; 12] = [0x00, 0x21, 0x01, 0x08, 0x01, 0x00, 0x01, 0x01, 16, 0, 0, 0];

impl Transport for Disguise {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match (cdb[0], data) {
            // READ DISC STRUCTURE format 20h: the layer boundary (4-byte header, InitStatus in
            // data byte 0 bit 7, L0 Data Zone Capacity in data bytes 4-7).
            (0xAD, DataPhase::In(buf)) if cdb[7] == 0x20 => {
                let Some((layer0, fixed)) = self.layer0 else {
                    // 05/24/00 INVALID FIELD IN CDB.
                    let sense = [
                        0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0,
                    ];
                    return Ok(Completion::check_condition(&sense, buf.len()));
                };
                let mut s = [0u8; 12];
                s[1] = 10;
                s[4] = if fixed { 0x80 } else { 0 };
                s[8..12].copy_from_slice(&layer0.to_be_bytes());
                let n = buf.len().min(12);
                buf[..n].copy_from_slice(&s[..n]);
                Ok(Completion::good_with_residual(buf.len() - n))
            }
            // SEND DISC STRUCTURE: recorded by the trace, taken.
            (0xBF, _) => Ok(Completion::good()),
            (0x46, DataPhase::In(buf)) => {
                let c = self.drive.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                let mut got = c.transferred(buf.len());
                if got >= 8 && buf[6..8] == [0x00, 0x1B] {
                    buf[6..8].copy_from_slice(&self.profile.to_be_bytes());
                }
                // Current features only, from feature 0: feature 0021h is current.
                let current_list = cdb[1] & 0x03 == 0x01 && cdb[2..4] == [0, 0];
                if self.incremental && current_list && got >= 8 && buf.len() >= got + 12 {
                    buf[got..got + 12].copy_from_slice(&FEATURE_21H);
                    got += 12;
                    let len = u32::try_from(got - 4).unwrap();
                    buf[0..4].copy_from_slice(&len.to_be_bytes());
                }
                Ok(Completion {
                    residual: buf.len() - got,
                    ..c
                })
            }
            (_, data) => self.drive.execute(cdb, data, timeout),
        }
    }

    mmc_core::forward_transport!(drive);
}

/// Writes `data` with `options` through a transcript: the outcome, the commands, the drive.
fn write(
    d: Disguise,
    data: &[u8],
    options: WriteOptions,
) -> (discwriter::WriteOutcome, Vec<TraceRecord>, Disguise) {
    let w = writer(Tracing::new(d), options);
    let outcome = w
        .write(
            &mut std::io::Cursor::new(data.to_vec()),
            data.len() as u64,
            None,
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (d, records) = drive_and_transcript(&w);
    (outcome, records, d)
}

/// Index of the first command with this opcode.
fn first(records: &[TraceRecord], opcode: u8) -> Option<usize> {
    cdbs(records).iter().position(|c| c[0] == opcode)
}

/// Page 05h as MMC-6 7.5.4 lays it out: (write type, multi-session, FP, track mode, data
/// block type, LS_V, link size, packet size).
fn page_fields(p: &[u8]) -> (u8, u8, bool, u8, u8, bool, u8, u32) {
    (
        p[2] & 0x0F,
        p[3] >> 6,
        p[3] & 0x20 != 0,
        p[3] & 0x0F,
        p[4] & 0x0F,
        p[2] & 0x20 != 0,
        p[5],
        u32::from_be_bytes([p[10], p[11], p[12], p[13]]),
    )
}

#[test]
fn a_dvd_r_is_written_incrementally_and_stays_appendable() {
    let data = image(1000, 1);
    let mut d = Disguise::new(DVD_R);
    d.incremental = true;
    let (outcome, records, mut d) = write(d, &data, WriteOptions::default());
    assert_eq!((outcome.start_lba, outcome.sectors), (0, 1000));
    // Incremental (00h), next session allowed (11b), fixed packets of 16 sectors, link size
    // 16, track mode 5, Mode 1 blocks: libburn's and growisofs's page.
    let pages = pages_05h(&records);
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert_eq!(
        page_fields(&pages[0]),
        (0x00, 0b11, true, 5, 8, true, 16, 16)
    );
    assert!(pages[0][2] & 0x40 != 0, "BUFE");
    assert_eq!(first(&records, 0x53), None, "no RESERVE TRACK");
    assert_eq!(closes(&records), [(0b001, 1), (0b010, 0)]);
    assert_same_sectors(&read_back(&mut d, 0, 1000), &data, 0, "DVD-R");
}

#[test]
fn force_media_to_be_closed_sets_no_next_session_on_a_dvd_r() {
    let mut d = Disguise::new(DVD_R);
    d.incremental = true;
    let options = WriteOptions {
        force_media_to_be_closed: true,
        ..WriteOptions::default()
    };
    let (outcome, records, _) = write(d, &image(100, 1), options);
    let pages = pages_05h(&records);
    assert_eq!(page_fields(&pages[0]).1, 0b00, "multi-session 00b");
    // The disc is closed by CLOSE SESSION with the page saying no next session.
    assert_eq!(closes(&records), [(0b001, 1), (0b010, 0)]);
    assert_eq!(outcome.sectors, 100);
}

#[test]
fn disc_at_once_reserves_the_image_writes_it_and_sends_no_close() {
    // A DVD-R DL, and a DVD-R in a drive without incremental recording.
    for profile in [DVD_R_DL, DVD_R] {
        let data = image(1000, 2);
        let (outcome, records, mut d) =
            write(Disguise::new(profile), &data, WriteOptions::default());
        assert_eq!(
            (outcome.start_lba, outcome.sectors),
            (0, 1000),
            "{profile:04X}"
        );
        let pages = pages_05h(&records);
        assert_eq!(pages.len(), 1, "{profile:04X}: {pages:?}");
        // Session At Once (02h), no next session, track mode 5, Mode 1, no packets.
        let (write_type, multi, fp, mode, block, ..) = page_fields(&pages[0]);
        assert_eq!(
            (write_type, multi, fp, mode, block),
            (0x02, 0b00, false, 5, 8)
        );
        // RESERVE TRACK (ARSV 0) of the image's sectors, before the first WRITE.
        let reserve = first(&records, 0x53).expect("RESERVE TRACK");
        let c = &cdbs(&records)[reserve];
        assert_eq!(u32::from_be_bytes([c[5], c[6], c[7], c[8]]), 1000);
        assert!(reserve < first(&records, 0x2A).unwrap());
        assert!(closes(&records).is_empty(), "{:?}", closes(&records));
        assert!(sent(&records, 0x35), "SYNCHRONIZE CACHE");
        assert_same_sectors(&read_back(&mut d, 0, 1000), &data, 0, "DAO");
    }
}

#[test]
fn disc_at_once_refuses_a_disc_that_is_not_blank() {
    let (_, _, d) = write(
        Disguise::new(DVD_R_DL),
        &image(100, 1),
        WriteOptions::default(),
    );
    let w = writer(d, WriteOptions::default());
    let e = w
        .write(
            &mut std::io::Cursor::new(image(100, 2)),
            100 * 2048,
            None,
            &mut |_, _| {},
        )
        .unwrap_err();
    assert_eq!(e.code().name(), "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");
}

#[test]
fn the_dvd_plus_r_dl_layer_break_goes_at_the_middle_of_an_image_spanning_both_layers() {
    // Layer 0 holds 1,024 sectors here; the image's 3,000 are 188 ECC blocks, half of them
    // rounded up 94: layer 0 set to 1,504 sectors before anything is written.
    let data = image(3000, 3);
    let mut d = Disguise::new(DVD_PLUS_R_DL);
    d.layer0 = Some((1024, false));
    let (_, records, mut d) = write(d, &data, WriteOptions::default());
    let send = first(&records, 0xBF).expect("SEND DISC STRUCTURE");
    let c = &cdbs(&records)[send];
    assert_eq!((c[7], u16::from_be_bytes([c[8], c[9]])), (0x20, 12));
    let list =
        mmc_core::wire::parse_hex_words([records[send].data_out.as_deref().unwrap()]).unwrap();
    assert_eq!(
        u32::from_be_bytes([list[8], list[9], list[10], list[11]]),
        1504
    );
    assert!(
        send < first(&records, 0x2A).unwrap(),
        "before the first WRITE"
    );
    assert!(pages_05h(&records).is_empty(), "no page 05h on DVD+R DL");
    assert_same_sectors(&read_back(&mut d, 0, 3000), &data, 0, "DVD+R DL");

    // An image that fits layer 0, or a boundary fixed already: none sent.
    for (sectors, fixed) in [(1024, false), (3000, true)] {
        let mut d = Disguise::new(DVD_PLUS_R_DL);
        d.layer0 = Some((1024, fixed));
        let (_, records, _) = write(d, &image(sectors, 4), WriteOptions::default());
        assert_eq!(first(&records, 0xBF), None, "{sectors} {fixed}");
    }
    // A drive without the structure: the write goes on without a break.
    let (_, records, _) = write(
        Disguise::new(DVD_PLUS_R_DL),
        &image(3000, 5),
        WriteOptions::default(),
    );
    assert_eq!(first(&records, 0xBF), None);
}
