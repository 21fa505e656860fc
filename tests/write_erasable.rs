//! `DataWriter::write` on the emulated CD-RW: a session per write, as on a CD-R, read back
//! from the drive with its disc state. The DVD-RW is written in `write_dvd_rw.rs`, the
//! DVD-RAM in `write_dvd_ram.rs`.

mod common;

use common::*;
use discwriter::writer::MediaPhysicalType;
use discwriter::{DiscState, WriteOptions};
use virtdrive::medium::MediumKind;

#[test]
fn a_cd_rw_gets_a_session_per_write_as_a_cd_r() {
    let w = writer(traced(MediumKind::CdRw80), WriteOptions::default());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Cdrw
    );
    assert!(w.is_current_media_supported().unwrap());
    let (first, second) = (image(300, 1), image(200, 2));
    let a = write_collecting(&w, &first).0.unwrap();
    let b = write_collecting(&w, &second).0.unwrap();
    assert_eq!(a.start_lba, 0);
    assert!(
        b.start_lba > a.start_lba + 300,
        "a new session after the first: {b:?}"
    );
    let (mut d, records) = drive_and_transcript(&w);
    // Track-at-Once through page 05h, as on CD-R (write type 01h).
    assert!(!pages_05h(&records).is_empty());
    assert!(pages_05h(&records).iter().all(|p| p[2] & 0x0F == 0x01));
    let s = disc_summary(&mut d);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 2));
    assert!(s.erasable, "READ DISC INFORMATION's Erasable bit");
    assert_same_sectors(&read_back(&mut d, 0, 300), &first, 0, "session 1");
    assert_same_sectors(
        &read_back(&mut d, b.start_lba, 200),
        &second,
        b.start_lba,
        "session 2",
    );
}
