//! Speeds and the drive buffer through raw CDBs: GET PERFORMANCE (write speeds of each
//! medium, nominal performance), SET CD SPEED and SET STREAMING rounding to a speed the disc
//! supports (seen in GET PERFORMANCE and page 2Ah), READ BUFFER CAPACITY filling while
//! writing and draining with time, the time writes and SYNCHRONIZE CACHE take at a speed,
//! defect management on BD-RE, SEND OPC INFORMATION, and a served drive's buffer draining
//! while a host polls READ BUFFER CAPACITY. Speeds in kB/s with k = 1000:
//! CD 1x = 176.4 (75 sectors of 2,352 bytes a second), DVD 1x = 1,385, BD 1x = 4,495.

use std::time::Duration;

use mmc_core::Transport;
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::serve::ServedDrive;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const BUFFER: u32 = 4 * 1024 * 1024;

/// GET PERFORMANCE type 03h (write speed descriptors), up to `max` descriptors.
fn write_speeds(max: u16) -> [u8; 12] {
    let [m0, m1] = max.to_be_bytes();
    [
        0xAC, // GET PERFORMANCE
        0x00, // data type: none for type 03h
        0, 0, 0, 0, // starting LBA
        0, 0, //
        m0, m1,   // maximum number of descriptors
        0x03, // type 03h: write speed
        0x00,
    ]
}

/// GET PERFORMANCE type 00h, write (`true`) or read performance, nominal.
fn nominal_performance(write: bool) -> [u8; 12] {
    [
        0xAC,                            // GET PERFORMANCE
        if write { 0x04 } else { 0x00 }, // byte 1 bit 2: Write; Except 00b: nominal
        0,
        0,
        0,
        0, // starting LBA 0
        0,
        0, //
        0x00,
        0x01, // one descriptor
        0x00, // type 00h: performance
        0x00,
    ]
}

const SET_STREAMING: [u8; 12] = [
    0xB6, // SET STREAMING
    0, 0, 0, 0, 0, 0, 0,    //
    0x00, // type 00h: performance descriptor
    0x00, 0x1C, // parameter list length 28
    0x00,
];

/// A SET STREAMING performance descriptor asking to write `kbps` (size per 1000 ms, as
/// libburn and the Microsoft sample send it); `restore_defaults` sets RDD.
fn performance_descriptor(kbps: u32, restore_defaults: bool) -> Vec<u8> {
    let mut d = vec![if restore_defaults { 0x04 } else { 0x00 }, 0, 0, 0]; // WRC 0, RDD, Exact 0, RA 0
    d.extend(0u32.to_be_bytes()); // start LBA
    d.extend(0x0023_1260u32.to_be_bytes()); // end LBA (the Microsoft sample's)
    d.extend(11_080u32.to_be_bytes()); // read size, kB
    d.extend(1000u32.to_be_bytes()); // read time, ms
    d.extend(kbps.to_be_bytes()); // write size, kB
    d.extend(1000u32.to_be_bytes()); // write time, ms
    d
}

/// The write speeds of the type 03h descriptors.
fn listed_write_speeds(d: &mut EmulatedDrive) -> Vec<u32> {
    let data = command_in(d, &write_speeds(32), 8 + 32 * 16);
    assert_eq!(be32(&data[0..4]) as usize, data.len() - 4, "data length");
    data[8..].chunks(16).map(|c| be32(&c[12..16])).collect()
}

/// The current write speed as GET PERFORMANCE type 00h and page 2Ah report it; both must
/// agree.
fn current_write_speed(d: &mut EmulatedDrive) -> u32 {
    let perf = command_in(d, &nominal_performance(true), 8 + 16);
    assert_eq!(be32(&perf[0..4]), 4 + 16, "data length");
    assert_eq!(perf[4] & 0x03, 0x02, "Write = 1, Except = 0");
    let start = be32(&perf[12..16]);
    assert_eq!(
        be32(&perf[20..24]),
        start,
        "end performance: constant speed"
    );
    let page = capabilities_page(d);
    assert_eq!(
        u32::from(be16(&page[28..30])),
        start,
        "page 2Ah current write speed"
    );
    start
}

/// Page 2Ah (MM Capabilities and Mechanical Status), without the header.
fn capabilities_page(d: &mut EmulatedDrive) -> Vec<u8> {
    let data = command_in(
        d,
        &[
            0x5A, // MODE SENSE (10)
            0x08, // DBD
            0x2A, // PC 00b, page 2Ah
            0, 0, 0, 0, //
            0x01, 0x00, // allocation length 256
            0x00,
        ],
        256,
    );
    data[8..].to_vec()
}

/// READ BUFFER CAPACITY: (buffer length, blank length) in bytes.
fn buffer<T: Transport>(d: &mut T) -> (u32, u32) {
    let data = command_in(d, &READ_BUFFER_CAPACITY, 12);
    assert_eq!(be16(&data[0..2]), 10, "data length");
    (be32(&data[4..8]), be32(&data[8..12]))
}

#[test]
fn get_performance_type_03h_lists_each_mediums_write_speeds() {
    for (kind, speeds) in [
        // 48x, 40x, 32x, 24x, 16x, 8x, 4x of 176.4
        (
            MediumKind::CdR80,
            vec![8467, 7056, 5645, 4234, 2822, 1411, 706],
        ),
        (
            MediumKind::CdR74,
            vec![8467, 7056, 5645, 4234, 2822, 1411, 706],
        ),
        (MediumKind::DvdPlusRw, vec![11_080, 5540, 3324]), // 8x, 4x, 2.4x of 1,385
        (MediumKind::BdRe, vec![8990, 4495]),              // 2x, 1x of 4,495
    ] {
        let mut d = drive_with(kind);
        assert_eq!(listed_write_speeds(&mut d), speeds, "{kind:?}");
    }
}

#[test]
fn write_speed_descriptors_end_at_the_last_lba_the_disc_can_hold() {
    // Notes §4.2: End LBA = capacity - 1, even on a blank disc (READ CAPACITY says 0).
    for (kind, end_lba) in [
        (MediumKind::CdR80, 359_846u32), // 359,847 writable blocks before the run-out
        (MediumKind::CdR74, 332_997),
        (MediumKind::DvdPlusRw, 2_295_103),
        (MediumKind::BdRe, 12_219_391), // unformatted: the whole disc
    ] {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &write_speeds(32), 8 + 32 * 16);
        for descriptor in data[8..].chunks(16) {
            assert_eq!(be32(&descriptor[4..8]), end_lba, "{kind:?}");
        }
    }
}

/// MMC-6 6.8.2: the Performance Data Length gives what the drive has, whatever the Maximum
/// Number of Descriptors; only the transfer stops at that number.
#[test]
fn get_performance_returns_no_more_descriptors_than_asked() {
    let mut d = drive_with(MediumKind::CdR80);
    let data = command_in(&mut d, &write_speeds(2), 8 + 32 * 16);
    assert_eq!(data.len(), 8 + 2 * 16);
    assert_eq!(be32(&data[0..4]), 4 + 7 * 16, "the length of all seven");
}

/// libburn asks with 0 descriptors first and sizes its buffer from the data length.
#[test]
fn get_performance_with_no_descriptors_asked_gives_the_length_of_all() {
    for (kind, speeds) in [
        (MediumKind::CdR80, 7),
        (MediumKind::DvdPlusR, 3),
        (MediumKind::DvdPlusRw, 3),
        (MediumKind::BdRe, 2),
    ] {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &write_speeds(0), 8 + 32 * 16);
        assert_eq!(data.len(), 8, "{kind:?}: the header only");
        assert_eq!(be32(&data[0..4]), 4 + speeds * 16, "{kind:?}");
        for write in [false, true] {
            let mut cdb = nominal_performance(write);
            cdb[9] = 0; // no descriptors
            let data = command_in(&mut d, &cdb, 8 + 16);
            assert_eq!(data.len(), 8, "{kind:?}");
            assert_eq!(
                be32(&data[0..4]),
                4 + 16,
                "{kind:?}: one nominal descriptor"
            );
            assert_eq!(data[4] & 0x02 != 0, write, "{kind:?}: the Write bit");
        }
    }
}

/// growisofs -speed=4 on a DVD+RW (growisofs_mmc.cpp, set_speed_B6h): one write speed
/// descriptor first, then as many as the data length gives; it takes the slowest as its
/// base, picks the descriptor nearest 4x, sets it with SET STREAMING (write size = the
/// speed, write time 1000 ms) and reads the speed in effect back with GET PERFORMANCE type
/// 00h, Write set.
#[test]
fn growisofs_asks_for_one_write_speed_then_all_and_gets_the_4x_it_sets() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let first = command_in(&mut d, &write_speeds(1), 8 + 16);
    let available = (be32(&first[0..4]) as usize - 4) / 16;
    assert_eq!(available, 3);
    let all = command_in(&mut d, &write_speeds(available as u16), 8 + available * 16);
    let speeds: Vec<u32> = all[8..].chunks(16).map(|c| be32(&c[12..16])).collect();
    assert_eq!(speeds, vec![11_080, 5540, 3324]);
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(5540, false));
    assert_eq!(current_write_speed(&mut d), 5540, "4x of 1,385 kB/s");
}

#[test]
fn a_new_disc_is_written_at_its_fastest_speed() {
    for (kind, fastest) in [
        (MediumKind::CdR80, 8467),
        (MediumKind::DvdPlusRw, 11_080),
        (MediumKind::BdRe, 8990),
    ] {
        let mut d = drive_with(kind);
        assert_eq!(current_write_speed(&mut d), fastest, "{kind:?}");
    }
}

#[test]
fn set_cd_speed_rounds_down_to_a_speed_the_disc_supports() {
    let mut d = drive_with(MediumKind::CdR80);
    for (requested, selected) in [
        (3000, 2822),   // between 16x and 24x: 16x
        (1411, 1411),   // exactly 8x
        (100, 706),     // below the slowest: 4x
        (0xFFFF, 8467), // FFFFh: the fastest
    ] {
        command_ok(&mut d, &set_cd_speed(requested));
        assert_eq!(current_write_speed(&mut d), selected, "asked {requested}");
    }
}

#[test]
fn set_streaming_rounds_to_a_supported_speed_and_rdd_restores_the_default() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(6000, false));
    assert_eq!(current_write_speed(&mut d), 5540, "4x");
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(1000, false));
    assert_eq!(current_write_speed(&mut d), 3324, "the slowest: 2.4x");
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(0, true));
    assert_eq!(current_write_speed(&mut d), 11_080, "RDD: the default, 8x");

    let mut d = drive_with(MediumKind::BdRe);
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(5000, false));
    assert_eq!(current_write_speed(&mut d), 4495, "1x");
}

#[test]
fn page_2ah_lists_the_write_speed_descriptors_of_the_disc() {
    let mut d = drive_with(MediumKind::CdR80);
    let page = capabilities_page(&mut d);
    assert_eq!(page[0] & 0x3F, 0x2A);
    assert_eq!(be16(&page[12..14]), 4096, "buffer size: 4 MiB in KiB");
    assert_eq!(
        be16(&page[18..20]),
        8467,
        "maximum write speed (obsolete field)"
    );
    let n = usize::from(be16(&page[30..32]));
    assert_eq!(n, 7, "number of write speed descriptors");
    assert_eq!(
        usize::from(page[1]) + 2,
        32 + 4 * n,
        "page length covers them"
    );
    let speeds: Vec<u16> = page[32..32 + 4 * n]
        .chunks(4)
        .map(|c| be16(&c[2..4]))
        .collect();
    assert_eq!(speeds, [8467, 7056, 5645, 4234, 2822, 1411, 706]);
}

#[test]
fn the_buffer_fills_while_writing_and_drains_as_time_passes() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    command_ok(&mut d, &set_cd_speed(706)); // 4x: 300 sectors a second
    assert_eq!(buffer(&mut d), (BUFFER, BUFFER), "empty");
    write_blocks(&mut d, 0, 256, 1);
    let (_, after_one) = buffer(&mut d);
    write_blocks(&mut d, 256, 256, 2);
    let (_, after_two) = buffer(&mut d);
    assert!(after_two < after_one && after_one < BUFFER);
    // 1 MiB in the buffer; a few milliseconds of recording between the commands.
    assert!(BUFFER - after_two <= 1024 * 1024 && BUFFER - after_two > 1000 * 1024);
    d.advance(Duration::from_millis(500));
    let (_, later) = buffer(&mut d);
    // Half a second at 4x records 150 sectors.
    let drained = later - after_two;
    assert!(
        drained.abs_diff(150 * 2048) < 4 * 2048,
        "{drained} bytes in 0.5 s"
    );
    d.advance(Duration::from_secs(5));
    assert_eq!(buffer(&mut d), (BUFFER, BUFFER), "all recorded");
    // In blocks (Block = 1): byte 3 bit 0 says so; the blank length counts blocks.
    let blocks_reply = command_in(&mut d, &[0x5C, 0x01, 0, 0, 0, 0, 0, 0x00, 0x0C, 0x00], 12);
    assert_eq!(blocks_reply[3] & 0x01, 0x01);
    assert_eq!(be32(&blocks_reply[8..12]), BUFFER / 2048);
}

/// libburn with modesty_on_drive (cdrskin's `modesty_on_drive=1`) reads the buffer's fill
/// with READ BUFFER CAPACITY (MMC-6 6.21) and sleeps until enough is free. A served drive does
/// not see the host's sleep, so under its accelerated clock each READ BUFFER CAPACITY counts
/// as the host waiting for room: the drive records while the host waits, and the next answer
/// shows the buffer drained, never to empty (a CD without BUFE would underrun).
#[test]
fn polling_read_buffer_capacity_on_a_served_drive_sees_a_full_buffer_drain() {
    let mut d = ServedDrive::new(DiscFileDrive::in_memory(
        MediumKind::CdR80,
        DriveConfig::default(),
    ));
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, false);
    command_ok(&mut d, &set_cd_speed(706)); // 4x: 300 sectors a second
                                            // 8 MiB through the 4 MiB buffer: full when the last WRITE returns.
    for i in 0..16 {
        write_blocks(&mut d, i * 256, 256, 1);
    }
    let free: Vec<u32> = (0..6).map(|_| buffer(&mut d).1).collect();
    assert!(free[0] < 64 * 1024, "full after the writes: {free:?}");
    assert!(free.windows(2).all(|w| w[0] < w[1]), "draining: {free:?}");
    assert!(free[2] >= BUFFER / 2, "half free after two polls: {free:?}");
    assert!(
        free[5] < BUFFER,
        "never empty while the host polls: {free:?}"
    );
    // The stream goes on without an underrun (no BUFE: 03/0C/09 otherwise).
    write_blocks(&mut d, 16 * 256, 256, 2);
}

#[test]
fn a_cd_records_75_sectors_a_second_at_1x() {
    // At 4x the drive records 300 sectors of 2,048 bytes a second (the CD 1x speed of
    // 176.4 kB/s counts 2,352-byte frames): a full 4 MiB buffer (2,048 sectors) takes
    // 6.83 s to flush.
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    command_ok(&mut d, &set_cd_speed(706));
    for i in 0..32 {
        write_blocks(&mut d, i * 64, 64, 0);
    }
    let before = d.now();
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let took = d.now().since(before);
    let expected = Duration::from_micros(2048 * 1_000_000 / 300);
    assert!(
        took.abs_diff(expected) < Duration::from_millis(100),
        "{took:?} to record 2,048 sectors at 4x, expected about {expected:?}"
    );
}

#[test]
fn writes_beyond_the_buffer_wait_for_room_at_the_write_speed() {
    // DVD+RW at 2.4x (3,324 kB/s of user data): 8 MiB through a 4 MiB buffer waits for
    // 4 MiB to be recorded, about 1.26 s.
    let mut d = drive_with(MediumKind::DvdPlusRw);
    command_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[
            0x00, 0x82, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x98, 0x00, 0x00, 0x00,
        ],
    );
    command_out(&mut d, &SET_STREAMING, &performance_descriptor(3324, false));
    let before = d.now();
    for i in 0..64 {
        write_blocks(&mut d, i * 64, 64, 0);
    }
    let took = d.now().since(before);
    let expected = Duration::from_micros(4 * 1024 * 1024 * 1_000 / 3324);
    assert!(
        took.abs_diff(expected) < Duration::from_millis(50),
        "{took:?}, expected about {expected:?}"
    );
    // Full but for what was recorded during READ BUFFER CAPACITY itself.
    assert!(buffer(&mut d).1 < 2048, "the buffer is full");
}

/// A BD-RE formatted with the default spare areas (defect management on).
fn bd_re_with_spares() -> EmulatedDrive {
    let mut d = drive_with(MediumKind::BdRe);
    command_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[
            0x00, 0x82, 0x00, 0x08, // FOV, Immed
            0x00, 0xB4, 0x74, 0x00, // 11,826,176 blocks
            0x00, 0x00, 0x30, 0x00, // type 00h: default spare areas
        ],
    );
    wait_until_ready(&mut d);
    d
}

#[test]
fn defect_management_halves_the_bd_re_write_rate_unless_streaming() {
    let time_to_write = |streaming: bool| {
        let mut d = bd_re_with_spares();
        let data = blocks(0, 64);
        let before = d.now();
        for i in 0..64 {
            command_out(&mut d, &write12(i * 64, 64, streaming), &data);
        }
        d.now().since(before)
    };
    let verified = time_to_write(false).as_secs_f64();
    let streamed = time_to_write(true).as_secs_f64();
    let ratio = verified / streamed;
    assert!(
        (1.8..2.2).contains(&ratio),
        "{verified} s with verify-after-write, {streamed} s streaming"
    );
}

#[test]
fn the_reported_write_speed_halves_under_defect_management_and_is_whole_when_streaming() {
    // BD-RE at 2x (8,990 kB/s) with spare areas: the drive reports the 1x it delivers with
    // verify-after-write, 2x while the host streams (WRITE(12) with the Streaming bit), and
    // 1x again after a WRITE without it. Page 2Ah and GET PERFORMANCE agree; the speeds the
    // host can select (type 03h) stay 2x and 1x.
    let mut d = bd_re_with_spares();
    assert_eq!(current_write_speed(&mut d), 4495);
    command_out(&mut d, &write12(0, 32, true), &blocks(0, 32));
    assert_eq!(current_write_speed(&mut d), 8990);
    command_out(&mut d, &write10(32, 32), &blocks(0, 32));
    assert_eq!(current_write_speed(&mut d), 4495);
    assert_eq!(listed_write_speeds(&mut d), vec![8990, 4495]);
    // Without spare areas (31h) there is no defect management: 2x.
    let mut d = drive_with(MediumKind::BdRe);
    command_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &FORMAT_BD_RE_31H);
    wait_until_ready(&mut d);
    assert_eq!(current_write_speed(&mut d), 8990);
    // A BD-R formatted with the default spare areas (00h): 6x delivers 3x.
    let mut d = drive_with(MediumKind::BdR);
    assert_eq!(
        current_write_speed(&mut d),
        26_970,
        "no spare areas as sold"
    );
    command_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &format_list(12_219_392 - 12_288 * 32, 0x00, 0b01, 0x3000),
    );
    wait_until_ready(&mut d);
    assert_eq!(current_write_speed(&mut d), 13_485);
    // DVD-RAM, always under defect management: 3x (4,155 kB/s) delivers 1.5x.
    let mut d = drive_with(MediumKind::DvdRam);
    assert_eq!(current_write_speed(&mut d), 2077);
    command_out(&mut d, &write12(0, 16, true), &blocks(0, 16));
    assert_eq!(current_write_speed(&mut d), 4155);
}

#[test]
fn dvd_ram_records_at_half_speed_unless_streaming() {
    let time_to_write = |streaming: bool| {
        let mut d = drive_with(MediumKind::DvdRam);
        let data = blocks(0, 64);
        let before = d.now();
        for i in 0..64 {
            command_out(&mut d, &write12(i * 64, 64, streaming), &data);
        }
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        d.now().since(before).as_secs_f64()
    };
    let verified = time_to_write(false);
    let streamed = time_to_write(true);
    assert!(
        (1.8..2.2).contains(&(verified / streamed)),
        "{verified} s with verify-after-write, {streamed} s streaming"
    );
}

#[test]
fn verify_after_write_also_slows_the_flush_of_what_the_buffer_holds() {
    // 1 MiB fits the buffer: the WRITEs do not wait; SYNCHRONIZE CACHE records it at 1x
    // with verify-after-write, at 2x when streamed.
    let time_to_flush = |streaming: bool| {
        let mut d = bd_re_with_spares();
        command_out(&mut d, &write12(0, 512, streaming), &blocks(0, 512));
        let before = d.now();
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        d.now().since(before).as_secs_f64()
    };
    let verified = time_to_flush(false);
    let streamed = time_to_flush(true);
    assert!(
        (1.8..2.2).contains(&(verified / streamed)),
        "{verified} s with verify-after-write, {streamed} s streaming"
    );
}

#[test]
fn send_opc_information_calibrates_on_writable_discs() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let mut d = drive_with(kind);
        command_ok(
            &mut d,
            &[0x54, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x00], // DoOpc = 1
        );
    }
}
