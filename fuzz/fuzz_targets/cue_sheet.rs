//! SEND CUE SHEET's parameter list (MMC-6 6.32, the CD session layout for Session At Once):
//! any bytes on a blank CD-R set to SAO are refused with sense or accepted as a layout. An
//! accepted layout answers READ TRACK INFORMATION and READ TOC, takes the session's first
//! writes, and its state saves and loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmc_core::cdb::{ReadTocPmaAtip, TrackAddressType};
use mmc_core::params::WriteType;
use virtdrive::clock::VirtualTime;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;

fuzz_target!(|data: &[u8]| {
    let Some((&first, sheet)) = data.split_first() else {
        return;
    };
    let kind = if first & 1 == 0 {
        MediumKind::CdR80
    } else {
        MediumKind::CdR74
    };
    let mut disc = medium::blank(kind, Box::new(MemoryStore::new()));
    let Some(mut page) = disc.write_parameters() else {
        panic!("a CD-R has a write parameters page");
    };
    page.write_type = WriteType::SessionAtOnce;
    page.test_write = first & 2 != 0;
    disc.set_write_parameters(&page)
        .expect("SAO is a CD-R write type");
    if disc.send_cue_sheet(sheet).is_err() {
        return;
    }
    for n in [0, 1, 2, 0xFF] {
        let _ = disc.track_information(TrackAddressType::TrackNumber, n);
    }
    let _ = disc.track_information(TrackAddressType::Lba, 0);
    let _ = disc.read_toc(&ReadTocPmaAtip {
        allocation_length: 0xFFFF,
        ..ReadTocPmaAtip::default()
    });
    let _ = disc.disc_information();
    let sector = [0u8; 2048 * 2];
    let now = VirtualTime::ZERO;
    for lba in [-150, -149, 0] {
        let _ = disc.write(lba, &sector, false, now);
    }
    discwriter_fuzz::assert_state_reloads(kind, &disc.save_state());
});
