//! The write engine end to end on the emulated multi-layer write-once media: DVD+R DL
//! (profile 002Bh) and BD-R DL, BD-R XL (three layers) and BD-R XL (four layers), all
//! profile 0041h; everything read back through the drive (READ DISC INFORMATION, READ
//! TRACK INFORMATION, READ DISC STRUCTURE, the sectors).
//!
//! DVD+R DL: the layer boundary is the L0 data zone capacity (READ DISC STRUCTURE format
//! 20h, MMC-5 6.23.3.2.15; SEND DISC STRUCTURE format 20h sets it on a blank disc, MMC-5
//! 6.33). The engine sets it before the first write when the image, in whole ECC blocks, is
//! more than layer 0 holds: half the image's ECC blocks rounded up, as growisofs does, so
//! both layers hold data. The tests make layer 0 small first (a blank disc takes any
//! ECC-aligned capacity up to the default), so an image of a few thousand sectors spans
//! both layers. Sessions and closing are DVD+R's (MMC-5 6.3.3.2.3).
//!
//! BD-R multi-layer: sequential recording as on a single-layer BD-R, the capacity the
//! drive reports (READ TRACK INFORMATION of the invisible track), a session per write,
//! and a disc formatted with spare areas (FORMAT UNIT 00h, MMC-6 6.5.4.2) written with
//! the drive's defect management or with WRITE (12) Streaming.

mod common;

use common::*;
use discwriter::writer::{media_state as ms, DefectManagement, MediaPhysicalType};
use discwriter::{DataWriter, VerificationLevel, WriteOptions};
use mmc_core::cdb::LayerBoundary;
use mmc_core::response::disc_info::DiscStatus;
use mmc_core::response::{DiscInformation, ResponseFormat, TrackInformation};
use mmc_core::trace::TraceRecord;
use mmc_core::Transport;
use testkit::{command_out, format_list, wait_until_ready, FORMAT_UNIT};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const DVD_PLUS_R_DL: MediumKind = MediumKind::DvdPlusRDl;
/// The capacity of a blank DVD+R DL and of its layer 0, as drives report them.
const DVD_PLUS_R_DL_SECTORS: u64 = 4_173_824;
const DEFAULT_LAYER0: u32 = 2_086_912;
/// The layer 0 capacity the tests set on a blank disc first: the disc then holds twice it
/// (the layers end at the same radius), so a few thousand sectors span both layers.
const SMALL_LAYER0: u32 = 2048;
const ECC_BLOCK: u64 = 16;
const SEND_DISC_STRUCTURE: u8 = SEND_LAYER_BOUNDARY[0];
const BD_MULTI_LAYER: [(MediumKind, u64); 3] = [
    (MediumKind::BdRDl, 24_438_784),
    (MediumKind::BdRXl, 48_878_592),
    (MediumKind::BdRXl4, 62_500_864),
];

fn pad(sectors: u64) -> u64 {
    sectors.div_ceil(ECC_BLOCK) * ECC_BLOCK
}

/// A blank DVD+R DL whose layer 0 holds `layer0` sectors.
fn dvd_plus_r_dl_of(layer0: u32) -> EmulatedDrive {
    let mut d = drive(DVD_PLUS_R_DL);
    set_layer0(&mut d, layer0);
    assert_eq!(
        layer_boundary(&mut d),
        LayerBoundary {
            fixed: false,
            layer0_sectors: layer0
        }
    );
    assert_eq!(room(&mut d), (0, 2 * u64::from(layer0)), "twice layer 0");
    d
}

fn small_dvd_plus_r_dl() -> EmulatedDrive {
    dvd_plus_r_dl_of(SMALL_LAYER0)
}

fn disc_info<T: Transport>(d: &mut T) -> DiscInformation {
    DiscInformation::parse(&testkit::command_in(d, &testkit::READ_DISC_INFORMATION, 34)).unwrap()
}

fn track<T: Transport>(d: &mut T, n: u8) -> TrackInformation {
    TrackInformation::parse(&testkit::command_in(
        d,
        &testkit::read_track_information(n),
        48,
    ))
    .unwrap()
}

/// (status, sessions) as READ DISC INFORMATION gives them.
fn status<T: Transport>(d: &mut T) -> (DiscStatus, u16) {
    let info = disc_info(d);
    (info.disc_status, info.sessions)
}

/// The first LBA and the free blocks of the invisible track (READ TRACK INFORMATION 0xFF).
fn room<T: Transport>(d: &mut T) -> (u64, u64) {
    let t = track(d, 0xFF);
    (
        u64::from(t.next_writable_address.expect("an appendable disc")),
        u64::from(t.free_blocks),
    )
}

fn with_options(disable_compatibility: bool, force: bool) -> WriteOptions {
    WriteOptions {
        disable_consumer_dvd_compatibility_mode: disable_compatibility,
        force_media_to_be_closed: force,
        ..WriteOptions::default()
    }
}

/// Writes `img` and returns the outcome's (start, disc closed), the commands and the drive.
fn write_ok(
    d: EmulatedDrive,
    img: &[u8],
    options: WriteOptions,
) -> ((i64, bool), Vec<TraceRecord>, EmulatedDrive) {
    let (r, records, d) = traced_write(d, img, options);
    let o = r.unwrap_or_else(|e| panic!("{e}"));
    ((o.start_lba, o.disc_closed), records, d)
}

#[test]
fn a_dvd_plus_r_dl_image_longer_than_layer_0_moves_the_break_to_its_middle() {
    let d = small_dvd_plus_r_dl();
    let w: DataWriter<EmulatedDrive> = writer(d, WriteOptions::default());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::DvdplusrDualLayer
    );
    assert_eq!(MediaPhysicalType::DvdplusrDualLayer as u32, 8, "imapi2.h");
    assert!(w.is_current_media_supported().unwrap());
    assert_eq!(
        w.current_media_status().unwrap(),
        ms::BLANK | ms::APPENDABLE
    );
    let d = w.take_recorder().unwrap().unwrap().into_transport();

    let img = image(3000, 1);
    let ((start, closed), records, mut d) = write_ok(d, &img, WriteOptions::default());
    assert_eq!(start, 0);
    // 3000 sectors are 188 ECC blocks: layer 0 takes 94 of them.
    let layer0 = pad(3000).div_ceil(2 * ECC_BLOCK) * ECC_BLOCK;
    assert_eq!(layer0, 1504);
    assert!(sent(&records, SEND_DISC_STRUCTURE));
    assert_eq!(
        layer_boundary(&mut d),
        LayerBoundary {
            fixed: true,
            layer0_sectors: layer0 as u32
        }
    );
    // Compatible close by default (DisableConsumerDvdCompatibilityMode false).
    assert!(closed);
    assert_eq!(status(&mut d), (DiscStatus::Complete, 1));
    assert_same_sectors(&read_back(&mut d, 0, 3000), &img, 0, "across the break");
    // The sectors either side of the break.
    let at = layer0 as i64 - 2;
    assert_same_sectors(
        &read_back(&mut d, at, 4),
        &img[at as usize * 2048..(at as usize + 4) * 2048],
        at,
        "at the break",
    );
}

/// The break at the image's middle leaves the disc holding twice that: the image in whole
/// ECC blocks, and nothing more. With the compatible close disabled the 2 % rule closes the
/// disc; full verification reads every sector back across the break.
#[test]
fn a_dvd_plus_r_dl_image_across_the_break_fills_the_disc_and_verifies_in_full() {
    let img = image(3000, 11);
    let options = WriteOptions {
        verification: VerificationLevel::Full,
        ..with_options(true, false)
    };
    let w: DataWriter<EmulatedDrive> = writer(small_dvd_plus_r_dl(), options);
    let (r, events) = write_collecting(&w, &img);
    let o = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(o.disc_closed, "8 sectors left of 3,008: the 2 % rule");
    assert!(events.iter().any(|e| e.sectors_verified == 3000));
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(layer_boundary(&mut d).layer0_sectors, 1504);
    assert_eq!(status(&mut d), (DiscStatus::Complete, 1));
    assert_same_sectors(&read_back(&mut d, 0, 3000), &img, 0, "across the break");
}

/// A stream of known length (a pipe with its size given) gets the same break; one of
/// unknown length gets none, and goes on into layer 1 over the boundary the disc has.
#[test]
fn a_dvd_plus_r_dl_stream_gets_the_break_only_when_its_length_is_known() {
    let img = image(3000, 12);
    for (length, layer0) in [(Some(img.len() as u64), 1504), (None, SMALL_LAYER0)] {
        let w = writer(
            mmc_core::trace::Tracing::new(small_dvd_plus_r_dl()),
            with_options(true, false),
        );
        let source = Box::new(std::io::Cursor::new(img.clone()));
        let o = w
            .write_stream(source, length, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{length:?}: {e}"));
        assert_eq!((o.start_lba, o.sectors), (0, 3000));
        let (mut d, records) = drive_and_transcript(&w);
        assert_eq!(sent(&records, SEND_DISC_STRUCTURE), length.is_some());
        assert_eq!(layer_boundary(&mut d).layer0_sectors, layer0, "{length:?}");
        assert_same_sectors(&read_back(&mut d, 0, 3000), &img, 0, "the stream");
    }
}

#[test]
fn a_dvd_plus_r_dl_image_that_fits_layer_0_leaves_the_boundary_alone() {
    let img = image(1000, 2);
    for (d, layer0) in [
        (small_dvd_plus_r_dl(), SMALL_LAYER0),
        (drive(DVD_PLUS_R_DL), DEFAULT_LAYER0),
    ] {
        let ((start, _), records, mut d) = write_ok(d, &img, WriteOptions::default());
        assert_eq!(start, 0);
        assert!(!sent(&records, SEND_DISC_STRUCTURE), "layer 0 {layer0}");
        let boundary = layer_boundary(&mut d);
        assert_eq!(boundary.layer0_sectors, layer0);
        assert!(boundary.fixed, "recorded: the boundary is fixed");
        assert_same_sectors(&read_back(&mut d, 0, 1000), &img, 0, "layer 0");
        // The compatible close (101b, MMC-5 6.3.3.2.3) pads the data zone to the minimal
        // radius, but no further than layer 0 ends: past it the Middle Zone, not user data,
        // takes the disc to that radius.
        let t = track(&mut d, 1);
        let end = u64::from(t.track_start) + u64::from(t.track_size);
        assert!(end >= 1000, "layer 0 {layer0}: ends at {end}");
        assert_eq!(
            end.min(u64::from(layer0)),
            end,
            "layer 0 {layer0}: the close recorded past layer 0"
        );
    }
    assert_eq!(2 * u64::from(DEFAULT_LAYER0), DVD_PLUS_R_DL_SECTORS);
}

/// A first session that fits layer 0 sets no boundary; the boundary is fixed once recorded,
/// so the second session, which goes on into layer 1, sets none either.
#[test]
fn a_dvd_plus_r_dl_takes_a_second_session_across_the_fixed_boundary() {
    // Room for the first session, the gap DVD+R leaves after it, and part of the second.
    const LAYER0: u32 = 4096;
    let first = image(1500, 3);
    let second = image(1500, 4);
    let keep_open = with_options(true, false);
    let ((_, closed), records, mut d) =
        write_ok(dvd_plus_r_dl_of(LAYER0), &first, keep_open.clone());
    assert!(
        !closed,
        "compatibility mode disabled: the disc stays appendable"
    );
    assert!(!sent(&records, SEND_DISC_STRUCTURE));
    assert_eq!(status(&mut d), (DiscStatus::Incomplete, 2));
    assert_eq!(
        layer_boundary(&mut d),
        LayerBoundary {
            fixed: true,
            layer0_sectors: LAYER0
        }
    );
    let (nwa, free) = room(&mut d);
    assert_eq!(nwa + free, 2 * u64::from(LAYER0), "twice layer 0");

    let w: DataWriter<EmulatedDrive> = writer(d, keep_open.clone());
    assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE);
    assert_eq!(w.next_writable_address().unwrap() as u64, nwa);
    assert_eq!(w.free_sectors_on_media().unwrap() as u64, free);
    assert_eq!(w.total_sectors_on_media().unwrap() as u64, nwa + free);
    let d = w.take_recorder().unwrap().unwrap().into_transport();

    let ((start, closed), records, mut d) = write_ok(d, &second, keep_open);
    assert_eq!(start as u64, nwa);
    assert!(nwa < u64::from(LAYER0) && nwa + 1500 > u64::from(LAYER0));
    assert!(!closed);
    assert!(!sent(&records, SEND_DISC_STRUCTURE));
    assert_eq!(layer_boundary(&mut d).layer0_sectors, LAYER0);
    assert_eq!(status(&mut d), (DiscStatus::Incomplete, 3));
    assert_same_sectors(&read_back(&mut d, 0, 1500), &first, 0, "session 1");
    assert_same_sectors(
        &read_back(&mut d, start, 1500),
        &second,
        start,
        "session 2, across the break",
    );
}

#[test]
fn a_dvd_plus_r_dl_is_closed_compatibly_by_default_and_on_request_when_disabled() {
    // Default: the compatible close (101b) whatever ForceMediaToBeClosed says.
    for force in [false, true] {
        let ((_, closed), records, mut d) = write_ok(
            drive(DVD_PLUS_R_DL),
            &image(64, 5),
            with_options(false, force),
        );
        assert!(closed);
        let functions: Vec<u8> = closes(&records).into_iter().map(|(f, _)| f).collect();
        assert_eq!(functions, [0b001, 0b101], "force {force}");
        assert_eq!(status(&mut d), (DiscStatus::Complete, 1));
    }
    // Disabled: only the session, unless ForceMediaToBeClosed (110b).
    let ((_, closed), records, mut d) = write_ok(
        drive(DVD_PLUS_R_DL),
        &image(64, 5),
        with_options(true, false),
    );
    assert!(!closed);
    let functions: Vec<u8> = closes(&records).into_iter().map(|(f, _)| f).collect();
    assert_eq!(functions, [0b001, 0b010]);
    assert_eq!(status(&mut d), (DiscStatus::Incomplete, 2));
    let ((_, closed), records, mut d) = write_ok(d, &image(64, 6), with_options(true, true));
    assert!(closed);
    let functions: Vec<u8> = closes(&records).into_iter().map(|(f, _)| f).collect();
    assert_eq!(functions, [0b001, 0b110]);
    assert_eq!(status(&mut d), (DiscStatus::Complete, 2));
}

#[test]
fn bd_r_multi_layer_capacity_comes_from_the_drive_and_sessions_read_back() {
    for (kind, capacity) in BD_MULTI_LAYER {
        let name = kind.name();
        let w: DataWriter<EmulatedDrive> = writer(drive(kind), WriteOptions::default());
        assert_eq!(
            w.current_physical_media_type().unwrap(),
            MediaPhysicalType::Bdr,
            "{name}"
        );
        assert!(w.is_current_media_supported().unwrap(), "{name}");
        let mut d = w.take_recorder().unwrap().unwrap().into_transport();
        assert_eq!(room(&mut d), (0, capacity), "{name} blank");
        let w: DataWriter<EmulatedDrive> = writer(d, WriteOptions::default());
        assert_eq!(w.total_sectors_on_media().unwrap() as u64, capacity);
        assert_eq!(w.free_sectors_on_media().unwrap() as u64, capacity);
        let d = w.take_recorder().unwrap().unwrap().into_transport();

        let first = image(1000, 7);
        let second = image(300, 8);
        let ((start, closed), _, mut d) = write_ok(d, &first, WriteOptions::default());
        assert_eq!((start, closed), (0, false), "{name}");
        assert_eq!(status(&mut d), (DiscStatus::Incomplete, 2), "{name}");
        let (nwa, free) = room(&mut d);
        let w: DataWriter<EmulatedDrive> = writer(d, WriteOptions::default());
        assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE, "{name}");
        assert_eq!(w.next_writable_address().unwrap() as u64, nwa, "{name}");
        assert_eq!(w.free_sectors_on_media().unwrap() as u64, free, "{name}");
        assert_eq!(w.total_sectors_on_media().unwrap() as u64, nwa + free);
        assert_eq!(nwa + free, capacity, "{name}");
        let d = w.take_recorder().unwrap().unwrap().into_transport();

        let ((start, closed), _, mut d) = write_ok(d, &second, WriteOptions::default());
        assert_eq!((start as u64, closed), (nwa, false), "{name}");
        assert_eq!(status(&mut d), (DiscStatus::Incomplete, 3), "{name}");
        assert_same_sectors(&read_back(&mut d, 0, 1000), &first, 0, name);
        assert_same_sectors(&read_back(&mut d, start, 300), &second, start, name);

        // ForceMediaToBeClosed finalizes.
        let force = WriteOptions {
            force_media_to_be_closed: true,
            ..WriteOptions::default()
        };
        let (nwa, _) = room(&mut d);
        let third = image(200, 9);
        let ((start, closed), _, mut d) = write_ok(d, &third, force);
        assert_eq!((start as u64, closed), (nwa, true), "{name}");
        assert_eq!(status(&mut d), (DiscStatus::Complete, 3), "{name}");
        assert_same_sectors(&read_back(&mut d, start, 200), &third, start, name);
        let w: DataWriter<EmulatedDrive> = writer(d, WriteOptions::default());
        assert_eq!(w.current_media_status().unwrap(), ms::FINALIZED, "{name}");
    }
}

#[test]
fn a_bd_r_dl_with_spare_areas_is_written_with_and_without_streaming() {
    // The default spare areas of a BD-R DL: 2 x 12,288 clusters of 32 sectors.
    let user = 24_438_784 - 2 * 12_288 * 32;
    for streaming in [false, true] {
        let mut d = drive(MediumKind::BdRDl);
        command_out(&mut d, &FORMAT_UNIT, &format_list(user, 0x00, 0b01, 0x6000));
        wait_until_ready(&mut d);
        assert_eq!(room(&mut d), (0, u64::from(user)), "the spares taken");
        let w: DataWriter<EmulatedDrive> = writer(d, WriteOptions::default());
        assert_eq!(w.total_sectors_on_media().unwrap(), user);
        let d = w.take_recorder().unwrap().unwrap().into_transport();

        let img = image(640, 10);
        let options = WriteOptions {
            defect_management: if streaming {
                DefectManagement::Off
            } else {
                DefectManagement::default()
            },
            ..WriteOptions::default()
        };
        let ((start, _), records, mut d) = write_ok(d, &img, options);
        assert_eq!(start, 0);
        let writes = write_commands(&records);
        assert!(!writes.is_empty());
        let expected = if streaming {
            (0xAA, true)
        } else {
            (0x2A, false)
        };
        assert!(writes.iter().all(|w| *w == expected), "{writes:?}");
        assert_eq!(status(&mut d), (DiscStatus::Incomplete, 2));
        assert_same_sectors(&read_back(&mut d, 0, 640), &img, 0, "spare areas");
    }
}
