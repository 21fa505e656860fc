//! The getters on a disc this writer cannot write (a pressed DVD-ROM, a disc the drive cannot
//! identify): the sector and address getters, whose pages list
//! E_IMAPI_DF2DATA_INVALID_MEDIA_STATE ("only valid with supported media"), all answer it;
//! the getters that describe the disc (status flags, protection, type, blankness) answer.

mod common;

use common::*;
use discwriter::writer::{media_state, write_protect_state, MediaPhysicalType};
use discwriter::{DataWriter, Error, WriteOptions};
use mmc_core::Transport;
use virtdrive::medium::MediumKind;

/// The hresult of each sector and address getter, in one list.
fn sector_getters<T: Transport + Send>(
    w: &DataWriter<T>,
) -> Vec<(&'static str, Result<i64, Error>)> {
    vec![
        (
            "TotalSectorsOnMedia",
            w.total_sectors_on_media().map(i64::from),
        ),
        (
            "FreeSectorsOnMedia",
            w.free_sectors_on_media().map(i64::from),
        ),
        ("NextWritableAddress", w.next_writable_address()),
        (
            "StartAddressOfPreviousSession",
            w.previous_session().map(|(start, _)| start),
        ),
        (
            "LastWrittenAddressOfPreviousSession",
            w.previous_session().map(|(_, last)| last),
        ),
    ]
}

#[test]
fn on_a_dvd_rom_every_sector_getter_is_invalid_media_state() {
    let w = writer(drive(MediumKind::DvdRom), WriteOptions::default());
    for (name, r) in sector_getters(&w) {
        let e = r.expect_err(name);
        assert!(
            matches!(e, Error::InvalidMediaState { .. }),
            "{name}: {e:?}"
        );
        assert_eq!(e.hresult(), 0xC0AA_0402, "{name}");
        assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");
    }
    // What describes the disc answers.
    let status = w.current_media_status().unwrap();
    assert_ne!(status & media_state::UNSUPPORTED_MEDIA, 0, "{status:#x}");
    let protect = w.write_protect_status().unwrap();
    assert_ne!(protect & write_protect_state::READ_ONLY_MEDIA, 0);
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvdrom
    );
    assert!(!w.is_current_media_supported().unwrap());
    assert!(!w.media_physically_blank().unwrap());
    assert!(!w.media_heuristically_blank().unwrap());
}

#[test]
fn on_an_unknown_disc_every_sector_getter_has_one_error() {
    let w = writer(drive(MediumKind::Unknown), WriteOptions::default());
    for (name, r) in sector_getters(&w) {
        let e = r.expect_err(name);
        assert_eq!(
            e.imapi_name(),
            "E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE",
            "{name}: {e}"
        );
    }
}
