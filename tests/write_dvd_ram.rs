//! `DataWriter` on the emulated DVD-RAM (`virt:dvd-ram`, profile 0012h), in memory and in a
//! disc file: written from LBA 0 as a DVD+RW is, under the same ForceOverwrite rule; with
//! defect management (WRITE (10), the drive verifying at half its speed, a fault plan's
//! defective sectors spared) or without it (WRITE (12) with the Streaming bit, full speed,
//! a defective sector failing the write). What was written is read back from the drive.

mod common;

use common::*;
use discwriter::writer::{DefectManagement, MediaPhysicalType};
use discwriter::{Error, Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::Transport;
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig};

const DVD_RAM: MediumKind = MediumKind::DvdRam;
/// User sectors of a DVD-RAM as sold: the default supplementary spare area.
const SOLD: u32 = 2_236_704;
/// The drive's fastest DVD-RAM write speed, 3x, in kB/s (GET PERFORMANCE).
const FULL_KBPS: u32 = 3 * 1385;
/// The first sector the fault plan marks defective (fixtures/fault-plans/defective-sectors.json).
const DEFECTIVE_LBA: u64 = 4100;

fn with(defect_management: DefectManagement) -> WriteOptions {
    WriteOptions {
        defect_management,
        ..WriteOptions::default()
    }
}

/// Two writes over the same sectors: the second needs ForceOverwrite. The drive given back.
fn first_then_forced<T: Transport + Send>(d: T) -> T {
    let w = writer(d, WriteOptions::default());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvdram
    );
    // IMAPI_MEDIA_TYPE_DVDRAM.
    assert_eq!(w.current_physical_media_type().unwrap() as u32, 5);
    assert!(w.is_current_media_supported().unwrap());
    assert!(w.media_heuristically_blank().unwrap(), "a DVD-RAM as sold");
    let first = image(300, 1);
    let a = write_collecting(&w, &first).0.unwrap();
    assert_eq!((a.start_lba, a.sectors), (0, 300));
    let second = image(32, 3);
    overwrite_needs_force_overwrite(&w, &second);
    let mut d = give_back(w);
    let s = disc_summary(&mut d);
    assert_eq!(s.profile_code, 0x0012);
    assert_eq!(s.total_sectors, SOLD, "{s:?}");
    assert_same_sectors(&read_back(&mut d, 0, 32), &second, 0, "overwritten");
    assert_same_sectors(
        &read_back(&mut d, 32, 268),
        &first[32 * 2048..],
        32,
        "the first write's tail",
    );
    d
}

#[test]
fn a_dvd_ram_is_written_from_lba_0_and_needs_force_overwrite_over_data() {
    first_then_forced(drive(DVD_RAM));
}

#[test]
fn a_dvd_ram_in_a_disc_file_reads_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ram.disc");
    let d = DiscFileDrive::open(DVD_RAM, &path, DriveConfig::default()).unwrap();
    let mut d = first_then_forced(d);
    d.commit().unwrap();
    drop(d);
    let mut again = DiscFileDrive::open_existing(DVD_RAM, &path, DriveConfig::default()).unwrap();
    assert_same_sectors(&read_back(&mut again, 0, 32), &image(32, 3), 0, "reopened");
    let w = writer(again, WriteOptions::default());
    assert!(!w.media_heuristically_blank().unwrap());
}

/// A write of `data` with `dm`: the write commands sent (opcode, Streaming bit), the write
/// speed the drive reports afterwards (CurrentWriteSpeed, sectors/s) with the fastest it
/// offers, and the drive.
fn write_with(
    dm: DefectManagement,
    data: &[u8],
) -> (Vec<(u8, bool)>, (u32, u32), virtdrive::EmulatedDrive) {
    let w = writer(Tracing::new(drive(DVD_RAM)), with(dm));
    let (r, events) = write_collecting(&w, data);
    r.unwrap();
    // The speed the last progress event reports, as a multiple of DVD's 1x: 3x streaming,
    // 1.5x while the drive verifies.
    let reported = events.last().and_then(|e| e.speed_x).unwrap();
    let expected = if dm.streaming() { 3.0 } else { 1.5 };
    assert!((reported - expected).abs() < 0.05, "{dm:?}: {reported}x");
    let (current, _) = w.current_write_speed().unwrap();
    let fastest = w
        .supported_write_speeds()
        .unwrap()
        .into_iter()
        .max()
        .unwrap();
    let (d, records) = drive_and_transcript(&w);
    (write_commands(&records), (current, fastest), d)
}

#[test]
fn without_defect_management_a_dvd_ram_streams_at_full_speed() {
    let data = image(640, 4);
    let (writes, (current, fastest), mut d) = write_with(DefectManagement::Off, &data);
    assert!(!writes.is_empty());
    assert!(writes.iter().all(|&w| w == (0xAA, true)), "{writes:?}");
    assert_eq!(current, fastest, "the drive does not verify");
    assert_same_sectors(&read_back(&mut d, 0, 640), &data, 0, "the image");
}

#[test]
fn with_defect_management_a_dvd_ram_is_written_with_write_10_at_half_speed() {
    let data = image(640, 5);
    let (writes, (current, fastest), mut d) = write_with(DefectManagement::default(), &data);
    assert!(!writes.is_empty());
    assert!(writes.iter().all(|&w| w == (0x2A, false)), "{writes:?}");
    assert_eq!(current, fastest / 2, "the drive verifies after writing");
    assert_same_sectors(&read_back(&mut d, 0, 640), &data, 0, "the image");
}

/// A write over the fault plan's defective sectors with `dm`: the result and the drive.
fn write_over_defects(
    dm: DefectManagement,
    data: &[u8],
) -> (
    Result<discwriter::WriteOutcome, Error>,
    Faulty<virtdrive::EmulatedDrive>,
) {
    let d = Faulty::for_drive(drive(DVD_RAM), plan("defective-sectors.json"));
    let w = writer(d, with(dm));
    let r = write_collecting(&w, data).0;
    (r, give_back(w))
}

#[test]
fn defective_sectors_are_spared_under_defect_management() {
    let data = image(DEFECTIVE_LBA + 100, 6);
    let (r, mut d) = write_over_defects(DefectManagement::default(), &data);
    r.unwrap();
    assert_same_sectors(
        &read_back(&mut d, 0, DEFECTIVE_LBA + 100),
        &data,
        0,
        "the image over the spared sectors",
    );
}

#[test]
fn defective_sectors_fail_a_write_without_defect_management_naming_the_lba() {
    let data = image(DEFECTIVE_LBA + 100, 7);
    let (r, _) = write_over_defects(DefectManagement::Off, &data);
    let e = r.unwrap_err();
    assert_eq!(
        (e.imapi_name(), e.hresult()),
        ("E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE", 0xC0AA_0301),
        "{e}"
    );
    let text = e.to_string();
    assert!(text.contains(&DEFECTIVE_LBA.to_string()), "{text}");
}

#[test]
fn the_recorder_reports_defect_management_on_a_dvd_ram() {
    let mut rec = Recorder::open(drive(DVD_RAM)).unwrap();
    let dm = rec.defect_management().unwrap();
    assert!(dm.available);
    assert_eq!(dm.on, Some(true));
    assert_eq!(dm.capacity_with_spares, Some(SOLD));
    // Format type 00h without a supplementary spare area (MMC-6 6.5.4.2.1).
    assert_eq!(dm.capacity_without_spares, Some(2_295_072));
    assert_eq!(dm.streaming_write_kbps, Some(FULL_KBPS));
    assert_eq!(dm.write_kbps, Some(FULL_KBPS / 2));
}
