//! The error-path media: a pressed DVD-ROM refuses every write-class command; a disc of
//! unknown format refuses every access.

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, Reservation, ReserveTrack, TrackAddressType,
};
use mmc_core::params::{FormatDescriptor, FormatUnitParameters};
use mmc_core::response::ResponseFormat;
use mmc_core::sense::SenseTriple;
use mmc_core::Profile;
use serde_json::json;
use testkit::sense::{
    CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, CANNOT_READ_UNKNOWN_FORMAT, CANNOT_WRITE_INCOMPATIBLE_FORMAT,
};
use testkit::{blocks, secs, MemStore};
use virtdrive::medium::rom::{DvdRom, UnknownDisc};
use virtdrive::medium::Medium;
use virtdrive::store::SectorStore;

#[test]
fn a_pressed_dvd_is_complete_and_not_erasable() {
    let disc = DvdRom::new(MemStore::new().boxed());
    assert_eq!(disc.profile(), Profile::DvdRom);
    let info = disc.disc_information().to_bytes();
    // Microsoft's sample: disc status complete (10b) and Erasable clear means -ROM.
    assert_eq!(
        info[2], 0x0E,
        "not erasable, last session complete, disc complete"
    );
    // 2,000,000 sectors recorded: last LBA 1,999,999 = 1E847Fh.
    assert_eq!(
        disc.read_capacity().unwrap().to_bytes(),
        [0x00, 0x1E, 0x84, 0x7F, 0x00, 0x00, 0x08, 0x00]
    );
    let track = disc
        .track_information(TrackAddressType::TrackNumber, 1)
        .unwrap();
    assert!(!track.blank);
    assert_eq!(track.next_writable_address, None, "nothing is writable");
    assert_eq!(track.free_blocks, 0);
    assert_eq!(track.track_size, 2_000_000);
    assert!(disc.write_speeds().is_empty());
}

#[test]
fn a_pressed_dvd_reads_what_its_store_holds() {
    let mut store = MemStore::new();
    let data = blocks(0x55, 4);
    store.write(16, &data).unwrap();
    let mut disc = DvdRom::with_sectors(store.boxed(), 1000);
    let mut out = vec![0; 4 * 2048];
    disc.read(16, &mut out).unwrap();
    assert_eq!(out, data);
    let e = disc.read(999, &mut out).unwrap_err();
    assert_eq!(e.triple, SenseTriple::new(0x5, 0x21, 0x00));
}

#[test]
fn every_write_class_command_is_refused_on_a_pressed_dvd() {
    let mut disc = DvdRom::new(MemStore::new().boxed());
    let e = disc.write(0, &blocks(1, 16), false, secs(0)).unwrap_err();
    assert_eq!(e.triple, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    let close = CloseTrackSession {
        immed: true,
        function: CloseFunction::CloseSession,
        track_number: 0,
    };
    let e = disc.close(&close, secs(0)).unwrap_err();
    assert_eq!(e.triple, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    let reserve = ReserveTrack {
        rmz: false,
        reservation: Reservation::Size(1000),
    };
    let e = disc.reserve_track(&reserve).unwrap_err();
    assert_eq!(e.triple, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    let e = disc.send_cue_sheet(&[0; 8]).unwrap_err();
    assert_eq!(e.triple, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    let format = FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(false));
    let e = disc.format(&format, secs(0)).unwrap_err();
    assert_eq!(e.triple, CANNOT_FORMAT_INCOMPATIBLE_MEDIUM);
    assert!(disc.format_capacities().formattable.is_empty());
}

#[test]
fn an_unknown_disc_refuses_every_access() {
    let mut disc = UnknownDisc::new();
    assert_eq!(disc.profile(), Profile::NoProfile);
    assert_eq!(
        disc.access_error().map(|e| e.triple),
        Some(CANNOT_READ_UNKNOWN_FORMAT),
        "the drive answers this before READ DISC INFORMATION"
    );
    let mut out = vec![0; 2048];
    assert_eq!(
        disc.read(0, &mut out).unwrap_err().triple,
        CANNOT_READ_UNKNOWN_FORMAT
    );
    assert_eq!(
        disc.write(0, &out, false, secs(0)).unwrap_err().triple,
        CANNOT_READ_UNKNOWN_FORMAT
    );
    assert_eq!(
        disc.read_capacity().unwrap_err().triple,
        CANNOT_READ_UNKNOWN_FORMAT
    );
    assert_eq!(
        disc.track_information(TrackAddressType::TrackNumber, 1)
            .unwrap_err()
            .triple,
        CANNOT_READ_UNKNOWN_FORMAT
    );
    // READ FORMAT CAPACITIES: descriptor type 11b, unknown capacity.
    assert_eq!(
        disc.format_capacities().to_bytes(),
        [0x00, 0x00, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x00, 0x08, 0x00]
    );
}

#[test]
fn usable_discs_have_no_access_error() {
    assert!(DvdRom::new(MemStore::new().boxed())
        .access_error()
        .is_none());
}

#[test]
fn a_dvd_rom_state_saves_its_recorded_size() {
    let store = MemStore::new();
    let disc = DvdRom::with_sectors(store.boxed(), 1234);
    let state = disc.save_state();
    assert_eq!(
        state,
        json!({"medium": "dvd-rom", "version": 1, "recorded_sectors": 1234})
    );
    let loaded = DvdRom::load_state(&state, store.boxed()).unwrap();
    assert_eq!(loaded.read_capacity().unwrap().last_lba, 1233);
    let e = DvdRom::load_state(
        &json!({"medium": "dvd-rom", "version": 1, "recorded_sectors": 0}),
        store.boxed(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("recorded_sectors 0"), "{e}");
}
