//! `DataWriter::write` on erasable media: the emulated CD-RW, and testkit's `Erasable` (an
//! emulated drive that claims the erasable profile) for the DVD-RAM. A CD-RW gets a session as
//! a CD-R does; a DVD-RAM is written from LBA 0 as a DVD+RW is, under the same ForceOverwrite
//! rule. Every write is read back from the drive and its disc state read. The DVD-RW, which
//! the emulator models in both recording modes, is written in `write_dvd_rw.rs`.

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

type Drive = Tracing<Erasable<EmulatedDrive>>;

/// A DVD+RW fully formatted (the background format run to its end), to stand for a
/// formatted DVD-RAM.
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
fn dvd_ram_needs_force_overwrite_over_data_as_a_dvd_plus_rw() {
    let w = writer(formatted_dvd(DVD_RAM), WriteOptions::default());
    write(&w, &image(64, 1)).unwrap();
    // The first sectors now hold data: a second write without ForceOverwrite is refused.
    let e = write(&w, &image(32, 2)).unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
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
