//! `DataWriter::write` on erasable media: the emulated CD-RW, and testkit's `Erasable` (an
//! emulated drive that claims the erasable profile) for the DVD-RW and DVD-RAM. A CD-RW gets
//! a session as a CD-R does, a sequential DVD-RW one as a DVD-R written incrementally; a DVD-RW in restricted overwrite and a DVD-RAM are
//! written from LBA 0 as a DVD+RW is, under the same ForceOverwrite rule, the former in whole
//! 16-sector ECC blocks. Every write is read back from the drive and its disc state read.

mod common;

use common::*;
use discwriter::writer::{DefectManagement, MediaPhysicalType};
use discwriter::{DataWriter, DiscState, Error, Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::Transport;
use testkit::Erasable;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const DVD_RAM: u16 = 0x0012;
const DVD_RW_RESTRICTED_OVERWRITE: u16 = 0x0013;
const DVD_RW_SEQUENTIAL: u16 = 0x0014;

type Drive = Tracing<Erasable<EmulatedDrive>>;

fn erasable(kind: MediumKind, profile: u16) -> Drive {
    Tracing::new(Erasable::new(drive(kind), profile))
}

/// A DVD+RW fully formatted (the background format run to its end), to stand for a
/// formatted DVD-RW in restricted overwrite or a DVD-RAM.
fn formatted_dvd(profile: u16) -> Drive {
    let mut rec = Recorder::open(drive(MediumKind::DvdPlusRw)).unwrap();
    rec.format_medium(false, &discwriter::writer::Timeouts::default(), &mut |_| {})
        .unwrap();
    Tracing::new(Erasable::new(rec.into_transport(), profile))
}

/// Writes `data` with `options`; gives back the writer for the next write.
fn write(w: &DataWriter<Drive>, data: &[u8]) -> Result<discwriter::WriteOutcome, Error> {
    write_collecting(w, data).0
}

/// The drive and the transcript of everything sent through the writer.
fn finish(w: DataWriter<Drive>) -> (EmulatedDrive, Vec<mmc_core::trace::TraceRecord>) {
    let (erasable, records) = drive_and_transcript(&w);
    (erasable.into_inner(), records)
}

fn summary<T: Transport>(d: &mut T) -> discwriter::DiscSummary {
    Recorder::open(d).unwrap().disc_summary().unwrap()
}

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
    let s = summary(&mut d);
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

#[test]
fn a_sequential_dvd_rw_gets_a_session_per_write_as_a_dvd_r_written_incrementally() {
    let w = writer(
        erasable(MediumKind::DvdR, DVD_RW_SEQUENTIAL),
        WriteOptions::default(),
    );
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvddashrw
    );
    let (first, second) = (image(160, 1), image(64, 2));
    let a = write(&w, &first).unwrap();
    let b = write(&w, &second).unwrap();
    assert!(b.start_lba > a.start_lba);
    let (mut d, records) = finish(w);
    // Incremental recording (write type 00h), no reservation: a session per write.
    assert!(!pages_05h(&records).is_empty());
    assert!(pages_05h(&records).iter().all(|p| p[2] & 0x0F == 0x00));
    assert!(!sent(&records, 0x53), "no RESERVE TRACK");
    let s = summary(&mut d);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 2));
    assert_same_sectors(
        &read_back(&mut d, b.start_lba, 64),
        &second,
        b.start_lba,
        "session 2",
    );
}

#[test]
fn restricted_overwrite_is_written_from_lba_0_in_whole_ecc_blocks() {
    let w = writer(
        formatted_dvd(DVD_RW_RESTRICTED_OVERWRITE),
        WriteOptions::default(),
    );
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvddashrw
    );
    // 1000 sectors: 62 ECC blocks and 8 sectors, the last block padded with zeros.
    let data = image(1000, 3);
    let outcome = write(&w, &data).unwrap();
    assert_eq!((outcome.start_lba, outcome.sectors), (0, 1000));
    let (mut d, records) = finish(w);
    let writes = writes_in(&records);
    assert!(
        writes
            .iter()
            .all(|&(lba, n, _)| lba % 16 == 0 && n % 16 == 0),
        "{writes:?}"
    );
    assert_eq!(writes.iter().map(|w| w.1).sum::<u64>(), 1008);
    assert_same_sectors(&read_back(&mut d, 0, 1000), &data, 0, "the image");
    assert!(
        read_back(&mut d, 1000, 8).iter().all(|&b| b == 0),
        "the padding"
    );
}

#[test]
fn overwritable_erasable_media_need_force_overwrite_over_data_as_a_dvd_plus_rw() {
    for profile in [DVD_RW_RESTRICTED_OVERWRITE, DVD_RAM] {
        let w = writer(formatted_dvd(profile), WriteOptions::default());
        write(&w, &image(64, 1)).unwrap();
        // The first sectors now hold data: a second write without ForceOverwrite is refused.
        let e = write(&w, &image(32, 2)).unwrap_err();
        assert_eq!(
            e.imapi_name(),
            "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK",
            "profile {profile:04X}h"
        );
        w.set_options(WriteOptions {
            force_overwrite: true,
            ..WriteOptions::default()
        })
        .unwrap();
        let data = image(32, 3);
        assert_eq!(write(&w, &data).unwrap().start_lba, 0);
        let (mut d, _) = finish(w);
        assert_same_sectors(&read_back(&mut d, 0, 32), &data, 0, "overwritten");
    }
}

#[test]
fn dvd_ram_without_defect_management_is_written_with_write_12_streaming() {
    let w = writer(
        formatted_dvd(DVD_RAM),
        WriteOptions {
            defect_management: DefectManagement::Off,
            ..WriteOptions::default()
        },
    );
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvdram
    );
    let data = image(64, 4);
    write(&w, &data).unwrap();
    let (mut d, records) = finish(w);
    let writes = write_commands(&records);
    assert!(!writes.is_empty());
    assert!(writes.iter().all(|&w| w == (0xAA, true)), "{writes:?}");
    assert_same_sectors(&read_back(&mut d, 0, 64), &data, 0, "the image");
}
