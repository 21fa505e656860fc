//! DVD+RW: the answers of a blank disc, the background format on the virtual clock, writes
//! during it, ECC-block read-modify-write, CLOSE (compatible and quick) and overwriting.

use core::time::Duration;

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, DiscStructureMedia, ReadDiscStructure, ReadTocPmaAtip,
    TocFormat, TrackAddressType,
};
use mmc_core::params::{
    FormatDescriptor, FormatUnitParameters, MultiSession, WriteParameters, WriteType,
};
use mmc_core::response::disc_info::BgFormatStatus;
use mmc_core::response::ResponseFormat;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};
use mmc_core::Profile;
use testkit::sense::{INVALID_FIELD_IN_PARAMETER_LIST, LBA_OUT_OF_RANGE, MEDIUM_NOT_FORMATTED};
use testkit::{blocks, secs, MemStore};
use virtdrive::medium::overwritable::DvdPlusRw;
use virtdrive::medium::{Busy, Medium};
use virtdrive::store::SectorStore;

fn blank() -> (DvdPlusRw, MemStore) {
    let store = MemStore::new();
    (DvdPlusRw::new(store.boxed()), store)
}

fn basic_format(restart: bool) -> FormatUnitParameters {
    FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(restart))
}

fn close(function: CloseFunction) -> CloseTrackSession {
    CloseTrackSession {
        immed: true,
        function,
        track_number: 0,
    }
}

fn read(disc: &mut DvdPlusRw, lba: i32, n: usize) -> Vec<u8> {
    let mut out = vec![0xA5; n * 2048];
    disc.read(lba, &mut out).expect("the read succeeds");
    out
}

#[test]
fn a_blank_disc_reports_empty_and_not_formatted() {
    let (disc, _) = blank();
    assert_eq!(disc.profile(), Profile::DvdPlusRw);
    let expected: [u8; 34] = [
        0x00, 0x20, // disc information length: 32
        0x10, // Erasable; last session empty (00b); disc status empty (00b)
        0x01, // first track on disc
        0x01, 0x01, 0x01, // sessions, first and last track in last session (LSB)
        0x20, // URU; BG format status 00b: not formatted
        0x00, // disc type
        0x00, 0x00, 0x00, // the MSBs of bytes 4-6
        0x00, 0x00, 0x00, 0x00, // disc identification
        0xFF, 0xFF, 0xFF, 0xFF, // last session lead-in start: none
        0x00, 0x23, 0x05, 0x40, // last possible lead-out start: 2,295,104
        0, 0, 0, 0, 0, 0, 0, 0,    // disc bar code
        0x00, // disc application code
        0x00, // number of OPC tables
    ];
    assert_eq!(disc.disc_information().to_bytes(), expected);
}

#[test]
fn a_blank_disc_offers_the_basic_format_and_has_no_capacity() {
    let (mut disc, _) = blank();
    let expected: [u8; 20] = [
        0x00, 0x00, 0x00, 0x10, // capacity list length: two descriptors
        0x00, 0x23, 0x05, 0x40, // current/maximum: 2,295,104 blocks
        0x01, // descriptor type 01b: unformatted
        0x00, 0x08, 0x00, // block length 2048
        0x00, 0x23, 0x05, 0x40, // formattable: 2,295,104 blocks
        0x98, // format type 26h (<< 2): DVD+RW basic format
        0x00, 0x00, 0x00, // type dependent parameter
    ];
    assert_eq!(disc.format_capacities().to_bytes(), expected);
    // Pioneer's manuals: an empty disc reports last LBA 0.
    assert_eq!(
        disc.read_capacity().unwrap().to_bytes(),
        [0, 0, 0, 0, 0, 0, 0x08, 0]
    );
    let mut out = vec![0; 2048];
    assert_eq!(
        disc.read(0, &mut out).unwrap_err().triple,
        MEDIUM_NOT_FORMATTED
    );
    let e = disc.write(0, &out, false, secs(0)).unwrap_err();
    assert_eq!(e.triple, MEDIUM_NOT_FORMATTED);
}

#[test]
fn the_single_track_is_writable_from_lba_0_over_the_whole_disc() {
    let (disc, _) = blank();
    let info = disc
        .track_information(TrackAddressType::TrackNumber, 1)
        .unwrap();
    let bytes = info.to_bytes();
    assert_eq!(bytes.len(), 48);
    let head: [u8; 28] = [
        0x00, 0x2E, // data length: 46
        0x01, 0x01, 0x00, // track 1, session 1 (LSB), reserved
        0x04, // track mode 4: data
        0x41, // Blank; data mode 1
        0x01, // NWA_V (no LRA_V: nothing recorded)
        0x00, 0x00, 0x00, 0x00, // track start 0
        0x00, 0x00, 0x00, 0x00, // next writable address 0
        0x00, 0x23, 0x05, 0x40, // free blocks: 2,295,104
        0x00, 0x00, 0x00, 0x10, // blocking factor 16
        0x00, 0x23, 0x05, 0x40, // track size
    ];
    assert_eq!(bytes[..28], head);
    // Track 2 does not exist: the address field (byte 2) is wrong.
    let e = disc
        .track_information(TrackAddressType::TrackNumber, 2)
        .unwrap_err();
    assert_eq!(e.triple, SenseTriple::new(0x5, 0x24, 0x00));
}

#[test]
fn physical_format_information_names_the_dvd_plus_rw_book() {
    let (disc, _) = blank();
    let cdb = ReadDiscStructure {
        media_type: DiscStructureMedia::Dvd,
        address: 0,
        layer_number: 0,
        format_code: 0x00,
        allocation_length: 2052,
        agid: 0,
    };
    let bytes = disc.read_disc_structure(&cdb, None).unwrap();
    assert_eq!(bytes.len(), 4 + 2048);
    let head: [u8; 21] = [
        0x08, 0x02, 0x00, 0x00, // data length 2050, reserved
        0x91, // book type 9 (DVD+RW), part version 1
        0x0F, // 120 mm; maximum rate not specified
        0x04, // one layer, parallel track path, layer type: rewritable
        0x00, // densities
        0x00, 0x03, 0x00, 0x00, // data area starts at PSN 30000h
        0x00, 0x26, 0x05, 0x3F, // and ends at 30000h + 2,295,104 - 1
        0x00, 0x00, 0x00, 0x00, // layer 0 end: single layer
        0x00, // no BCA
    ];
    assert_eq!(bytes[..21], head);
    let bd = ReadDiscStructure {
        media_type: DiscStructureMedia::Bd,
        ..cdb
    };
    let e = disc.read_disc_structure(&bd, None).unwrap_err();
    assert_eq!(e.triple, SenseTriple::new(0x5, 0x30, 0x02));
}

#[test]
fn write_parameters_page_and_speeds_of_a_dvd_plus_rw() {
    let (mut disc, _) = blank();
    let reported = disc.write_parameters().expect("page 05h is reported");
    assert_eq!(reported.write_type, WriteType::Packet);
    // TAO is a CD write type.
    let page = WriteParameters::cd_tao_mode1(MultiSession::NextSessionAllowed);
    let e = disc.set_write_parameters(&page).unwrap_err();
    assert_eq!(e.triple, INVALID_FIELD_IN_PARAMETER_LIST);
    // 8x, 4x and 2.4x of 1385 kB/s; reads at 8x; 16-sector ECC blocks.
    assert_eq!(disc.write_speeds(), vec![11_080, 5_540, 3_324]);
    assert_eq!(disc.read_speed(), 11_080);
    assert_eq!(disc.blocking(), 16);
}

#[test]
fn the_background_format_progresses_with_the_virtual_clock() {
    let (mut disc, _) = blank();
    assert_eq!(
        disc.format(&basic_format(false), secs(0)).unwrap(),
        Busy::default(),
        "FORMAT 26h returns at once"
    );
    let info = disc.disc_information().to_bytes();
    assert_eq!(
        info[2], 0x1E,
        "erasable, last session complete, disc complete"
    );
    assert_eq!(info[7] & 0x03, 2, "BG format in progress");
    assert_eq!(disc.blocking_format_progress(), None, "writes do not wait");

    // De-icing at 2.4x = 3,324,000 B/s = 1623.046875 sectors/s:
    // after 600 s, 973,828 sectors, 973,828 * 65536 / 2,295,104 = 27,807.
    disc.advance(secs(600));
    assert_eq!(disc.formatted_sectors(), 973_828);
    assert_eq!(disc.background_format_progress(), Some(27_807));
    // The whole disc takes 2,295,104 / 1623.046875 = 1414.07 s.
    disc.advance(secs(1414));
    assert_eq!(disc.bg_format_status(), BgFormatStatus::InProgress);
    disc.advance(secs(1415));
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Complete);
    assert_eq!(disc.disc_information().to_bytes()[7] & 0x03, 3);
    let capacities = disc.format_capacities().to_bytes();
    assert_eq!(capacities[8], 0x02, "current descriptor: formatted");
}

#[test]
fn writes_go_anywhere_while_the_format_runs_and_the_rest_reads_zeros() {
    let (mut disc, _) = blank();
    disc.format(&basic_format(false), secs(0)).unwrap();
    // At 10 s only 16,230 sectors are formatted; write far beyond them.
    let data = blocks(0x40, 32);
    disc.write(2_000_000, &data, false, secs(10)).unwrap();
    assert_eq!(read(&mut disc, 2_000_000, 32), data);
    assert_eq!(read(&mut disc, 1_000_000, 4), vec![0; 4 * 2048]);
    // The whole disc is addressable during the format (last LBA 2,295,103 = 23053Fh).
    assert_eq!(
        disc.read_capacity().unwrap().to_bytes(),
        [0x00, 0x23, 0x05, 0x3F, 0x00, 0x00, 0x08, 0x00]
    );
    let mut out = vec![0; 2048];
    let e = disc.read(2_295_104, &mut out).unwrap_err();
    assert_eq!(e.triple, LBA_OUT_OF_RANGE);
    assert_eq!(e.information, Some(2_295_104));
    let e = disc
        .write(2_295_100, &blocks(1, 8), false, secs(11))
        .unwrap_err();
    assert_eq!(e.triple, LBA_OUT_OF_RANGE);
}

#[test]
fn a_partial_ecc_block_is_read_modified_and_written_whole() {
    let (mut disc, store) = blank();
    disc.format(&basic_format(false), secs(0)).unwrap();
    let block = blocks(0x10, 16);
    disc.write(0, &block, false, secs(1)).unwrap();
    assert_eq!(disc.rmw_count(), 0, "a whole ECC block needs no RMW");
    let writes = store.sector_writes();

    let patch = blocks(0xC0, 2);
    disc.write(5, &patch, false, secs(2)).unwrap();
    assert_eq!(disc.rmw_count(), 1);
    assert_eq!(
        store.sector_writes() - writes,
        16,
        "the whole block went back to the store"
    );
    let back = read(&mut disc, 0, 16);
    assert_eq!(back[..5 * 2048], block[..5 * 2048], "sectors 0-4 kept");
    assert_eq!(back[5 * 2048..7 * 2048], patch[..], "sectors 5-6 new");
    assert_eq!(back[7 * 2048..], block[7 * 2048..], "sectors 7-15 kept");

    // LBA 30-49 covers the tail of block 16-31 and the head of block 32-47 and 48-63:
    // sectors 30-31 (partial), 32-47 (whole), 48-49 (partial).
    disc.write(30, &blocks(0x70, 20), false, secs(3)).unwrap();
    assert_eq!(disc.rmw_count(), 3);
}

#[test]
fn a_digest_only_store_still_takes_partial_blocks() {
    let store = MemStore::digest_only();
    let mut disc = DvdPlusRw::new(store.boxed());
    disc.format(&basic_format(false), secs(0)).unwrap();
    disc.write(0, &blocks(1, 16), false, secs(1)).unwrap();
    disc.write(3, &blocks(9, 1), false, secs(1)).unwrap();
    assert_eq!(disc.rmw_count(), 1);
    // Sector 3 holds the new data, sector 4 the old.
    let digest = |fill: u8| *blake3::hash(&blocks(fill, 1)).as_bytes();
    assert_eq!(store.digest(3).unwrap(), digest(9));
    assert_eq!(store.digest(4).unwrap(), digest(5));
}

#[test]
fn compatible_close_fills_the_gap_and_writes_a_lead_out() {
    let (mut disc, _) = blank();
    disc.format(&basic_format(false), secs(0)).unwrap();
    let data = blocks(0x22, 64);
    disc.write(100_000, &data, false, secs(10)).unwrap();
    disc.synchronize().unwrap();
    let busy = disc
        .close(&close(CloseFunction::CloseSession), secs(10))
        .unwrap();
    // Formatted at 10 s: 16,230 sectors. The drive de-ices up to the last written block
    // (LBA 100,064, a multiple of 16) and writes a 32,768-sector lead-out:
    // (100,064 - 16,230 + 32,768) * 2048 B / 3,324,000 B/s = 71.84 s.
    assert!(
        busy.duration > Duration::from_millis(71_800)
            && busy.duration < Duration::from_millis(71_900),
        "{busy:?}"
    );
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Partial);
    assert!(disc.dvd_rom_compatible());
    // Readable up to the lead-out: last LBA 100,063 = 186DFh.
    assert_eq!(
        disc.read_capacity().unwrap().to_bytes(),
        [0x00, 0x01, 0x86, 0xDF, 0x00, 0x00, 0x08, 0x00]
    );
    assert_eq!(read(&mut disc, 100_000, 64), data);
    let mut out = vec![0; 2048];
    assert_eq!(
        disc.read(100_064, &mut out).unwrap_err().triple,
        LBA_OUT_OF_RANGE
    );
    // A later write past the lead-out is allowed and leaves the disc incompatible again.
    disc.write(200_000, &blocks(1, 16), false, secs(100))
        .unwrap();
    assert!(!disc.dvd_rom_compatible());
    assert_eq!(disc.read_capacity().unwrap().last_lba, 200_015);
}

#[test]
fn quick_stop_leaves_a_partial_format_without_lead_out() {
    let (mut disc, _) = blank();
    disc.format(&basic_format(false), secs(0)).unwrap();
    let busy = disc
        .close(&close(CloseFunction::QuickStopBackgroundFormat), secs(60))
        .unwrap();
    assert_eq!(busy.duration, Duration::from_secs(1));
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Partial);
    assert!(!disc.dvd_rom_compatible());
    // 60 s of de-icing: 97,382 sectors, rounded up to an ECC block: 97,392.
    assert_eq!(disc.formatted_sectors(), 97_382);
    assert_eq!(disc.read_capacity().unwrap().last_lba, 97_391);
    assert_eq!(disc.disc_information().to_bytes()[7] & 0x03, 1);
    // The clock no longer moves the format.
    disc.advance(secs(6000));
    assert_eq!(disc.formatted_sectors(), 97_382);
}

#[test]
fn the_restart_bit_resumes_a_stopped_format() {
    let (mut disc, _) = blank();
    let e = disc.format(&basic_format(true), secs(0)).unwrap_err();
    assert_eq!(
        e.triple, INVALID_FIELD_IN_PARAMETER_LIST,
        "nothing to restart"
    );
    assert_eq!(
        e.sks,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit: Some(0),
            byte: 11
        })
    );
    disc.format(&basic_format(false), secs(0)).unwrap();
    disc.close(&close(CloseFunction::QuickStopBackgroundFormat), secs(60))
        .unwrap();
    disc.format(&basic_format(true), secs(100)).unwrap();
    assert_eq!(disc.bg_format_status(), BgFormatStatus::InProgress);
    assert_eq!(disc.formatted_sectors(), 97_382, "resumes where it stopped");
    // The remaining 2,197,722 sectors take 1354.07 s.
    disc.advance(secs(100 + 1354));
    assert_eq!(disc.bg_format_status(), BgFormatStatus::InProgress);
    disc.advance(secs(100 + 1355));
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Complete);
    // Close 010b on a fully formatted disc is harmless and instant.
    let busy = disc
        .close(&close(CloseFunction::CloseSession), secs(2000))
        .unwrap();
    assert_eq!(busy, Busy::default());
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Complete);
}

#[test]
fn a_later_write_overwrites_and_a_fresh_format_reads_as_zeros() {
    let (mut disc, _) = blank();
    disc.format(&basic_format(false), secs(0)).unwrap();
    disc.write(0, &blocks(0x01, 32), false, secs(1)).unwrap();
    disc.close(&close(CloseFunction::CloseSession), secs(2))
        .unwrap();
    let second = blocks(0x80, 32);
    disc.write(0, &second, false, secs(100)).unwrap();
    assert_eq!(read(&mut disc, 0, 32), second);
    // FORMAT 26h without Restart formats afresh: nothing recorded survives.
    disc.format(&basic_format(false), secs(200)).unwrap();
    assert_eq!(disc.bg_format_status(), BgFormatStatus::InProgress);
    assert_eq!(read(&mut disc, 0, 32), vec![0; 32 * 2048]);
}

#[test]
fn format_unit_rejects_what_is_not_a_basic_format() {
    let (mut disc, _) = blank();
    let mut params = basic_format(false);
    params.descriptor.number_of_blocks = 1000;
    let e = disc.format(&params, secs(0)).unwrap_err();
    assert_eq!(e.triple, INVALID_FIELD_IN_PARAMETER_LIST);
    let mut params = basic_format(false);
    params.descriptor.format_type = mmc_core::cdb::FormatType::BdReWithoutSpareAreas;
    let e = disc.format(&params, secs(0)).unwrap_err();
    assert_eq!(
        e.sks,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit: Some(7),
            byte: 8
        })
    );
    assert_eq!(disc.bg_format_status(), BgFormatStatus::NotFormatted);
}

#[test]
fn the_toc_shows_one_track_over_the_readable_area() {
    let (mut disc, _) = blank();
    let toc = ReadTocPmaAtip {
        msf: false,
        format: TocFormat::Toc,
        track_session_number: 0,
        allocation_length: 100,
    };
    // A blank disc has no TOC.
    assert_eq!(
        disc.read_toc(&toc).unwrap_err().triple,
        SenseTriple::new(0x5, 0x24, 0x00)
    );
    disc.format(&basic_format(false), secs(0)).unwrap();
    let expected: [u8; 20] = [
        0x00, 0x12, 0x01, 0x01, // length 18, first and last track 1
        0x00, 0x14, 0x01, 0x00, // ADR 1, CONTROL 4 (data), track 1
        0x00, 0x00, 0x00, 0x00, // starts at LBA 0
        0x00, 0x14, 0xAA, 0x00, // the lead-out
        0x00, 0x23, 0x05, 0x40, // at 2,295,104
    ];
    assert_eq!(disc.read_toc(&toc).unwrap(), expected);
}
