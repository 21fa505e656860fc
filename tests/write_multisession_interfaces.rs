//! MultisessionInterfaces on every medium, blank and after one and two writes: an
//! IMultisessionSequential2 on CD-R, DVD+R and BD-R, an IMultisessionRandomWrite on DVD+RW
//! and BD-RE, with values checked against what the drive reports (READ TRACK INFORMATION)
//! and against where the next write really goes; and the errors with no disc, no recorder
//! and a disc this writer does not record.

mod common;

use common::*;
use discwriter::writer::{Multisession, MultisessionMedium};
use discwriter::{DataWriter, Error, Recorder, VerificationLevel, WriteOptions};
use mmc_core::cdb::{ReadTrackInformation, TrackAddressType};
use mmc_core::response::TrackInformation;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

fn options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::None,
        force_overwrite: true,
        // A DVD+R stays appendable for the second write.
        disable_consumer_dvd_compatibility_mode: true,
        ..WriteOptions::default()
    }
}

/// READ TRACK INFORMATION of track `number` (FFh: the invisible track), through the writer's
/// recorder.
fn track(w: &DataWriter<EmulatedDrive>, number: u32) -> TrackInformation {
    let mut rec: Recorder<EmulatedDrive> = w.take_recorder().unwrap().unwrap();
    let t = rec
        .query(&ReadTrackInformation {
            open: false,
            address_type: TrackAddressType::TrackNumber,
            address: number,
            allocation_length: 48,
        })
        .unwrap();
    w.set_recorder(rec).unwrap();
    t
}

/// The recorded tracks, through the writer's recorder.
fn tracks(w: &DataWriter<EmulatedDrive>) -> Vec<discwriter::recorder::Track> {
    let mut rec = w.take_recorder().unwrap().unwrap();
    let t = rec.recorded_tracks().unwrap();
    w.set_recorder(rec).unwrap();
    t
}

fn the_one(w: &DataWriter<EmulatedDrive>) -> Multisession {
    let mut all = w.multisession_interfaces().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn write_once_media_get_a_sequential_interface_that_says_where_the_next_session_goes() {
    for (kind, unit) in [
        (MediumKind::CdR80, 1),
        (MediumKind::DvdPlusR, 16),
        (MediumKind::BdR, 32),
    ] {
        let name = kind.name();
        let w = writer(drive(kind), options());
        let mut previous: Option<(i64, u64)> = None;
        for write in 0..=2u8 {
            let m = the_one(&w);
            assert!(m.is_supported_on_current_media_state, "{name} {write}");
            assert!(m.in_use, "{name} {write}");
            assert_eq!(m.import_recorder.vendor, "VIRTDRV");
            let MultisessionMedium::Sequential(s) = m.medium else {
                panic!("{name}: {m:?}");
            };
            assert_eq!(s.write_unit_size, unit, "{name}");
            assert_eq!(s.is_first_data_session, write == 0, "{name} {write}");
            // The invisible track: where the drive takes the next session, and its space.
            let invisible = track(&w, 0xFF);
            assert_eq!(
                Some(s.next_writable_address),
                invisible.next_writable_address.map(i64::from),
                "{name} {write}"
            );
            assert_eq!(s.free_sectors_on_media, w.free_sectors_on_media().unwrap());
            let overhead = if kind == MediumKind::CdR80 { 150 } else { 0 };
            assert_eq!(
                s.free_sectors_on_media,
                invisible.free_blocks - overhead,
                "{name}"
            );
            // The previous session: the last write's track, read back.
            match previous {
                None => {
                    assert_eq!(s.start_address_of_previous_session, -1, "{name}");
                    assert_eq!(s.last_written_address_of_previous_session, -1, "{name}");
                }
                Some((start, sectors)) => {
                    let last = *tracks(&w).last().unwrap();
                    assert_eq!(i64::from(last.start), start, "{name} {write}");
                    assert_eq!(s.start_address_of_previous_session, start, "{name}");
                    assert_eq!(
                        s.last_written_address_of_previous_session,
                        i64::from(last.start + last.recorded) - 1,
                        "{name} {write}"
                    );
                    assert!(
                        s.last_written_address_of_previous_session >= start + sectors as i64 - 1,
                        "{name}: the session holds the data"
                    );
                }
            }
            if write == 2 {
                break;
            }
            let sectors = 200 + u64::from(write) * 100;
            let o = write_collecting(&w, &image(sectors, write + 1)).0.unwrap();
            // The write went where NextWritableAddress said.
            assert_eq!(o.start_lba, s.next_writable_address, "{name} {write}");
            previous = Some((o.start_lba, sectors));
        }
    }
}

#[test]
fn overwritable_media_get_a_random_write_interface_with_the_last_written_address() {
    for (kind, unit) in [(DVD_PLUS_RW, 16), (BD_RE, 32)] {
        let name = kind.name();
        let w = writer(drive(kind), options());
        // Not formatted yet: nothing written.
        let m = the_one(&w);
        assert!(m.is_supported_on_current_media_state && m.in_use, "{name}");
        let MultisessionMedium::RandomWrite(r) = m.medium else {
            panic!("{name}: {m:?}");
        };
        assert_eq!(r.write_unit_size, unit, "{name}");
        assert_eq!(r.last_written_address, -1, "{name}");
        assert_eq!(
            r.total_sectors_on_media,
            w.total_sectors_on_media().unwrap()
        );

        for (tag, sectors) in [(1u8, 640u64), (2, 960)] {
            write_collecting(&w, &image(sectors, tag)).0.unwrap();
            let MultisessionMedium::RandomWrite(r) = the_one(&w).medium else {
                panic!("{name}");
            };
            let t = track(&w, 1);
            let reported = t.last_recorded_address.expect("the drive reports the LRA");
            assert_eq!(r.last_written_address, i64::from(reported), "{name} {tag}");
            assert_eq!(r.last_written_address, sectors as i64 - 1, "{name} {tag}");
            assert_eq!(
                r.total_sectors_on_media,
                t.track_start + t.track_size,
                "{name} {tag}"
            );
            assert_eq!(r.write_unit_size, unit, "{name}");
        }
    }
}

#[test]
fn a_finalized_disc_takes_no_further_session() {
    let w = writer(
        drive(MediumKind::CdR80),
        WriteOptions {
            force_media_to_be_closed: true,
            ..options()
        },
    );
    let o = write_collecting(&w, &image(300, 1)).0.unwrap();
    assert!(o.disc_closed);
    let m = the_one(&w);
    assert!(!m.is_supported_on_current_media_state && !m.in_use);
    let MultisessionMedium::Sequential(s) = m.medium else {
        panic!("{m:?}");
    };
    assert_eq!(s.next_writable_address, -1);
    assert_eq!(s.free_sectors_on_media, 0);
    assert_eq!(s.start_address_of_previous_session, 0);
    assert!(!s.is_first_data_session);
}

#[test]
fn without_a_disc_a_recorder_or_a_writable_medium_the_documented_errors() {
    let mut d = drive(CD_R);
    assert!(d.remove_medium().is_some());
    let w = writer(d, options());
    let e = w.multisession_interfaces().unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_MEDIA_NO_MEDIA", "{e}");

    let w: DataWriter<EmulatedDrive> = DataWriter::new();
    let e = w.multisession_interfaces().unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_REQUIRED", "{e}");

    let w = writer(drive(MediumKind::DvdRom), options());
    let e = w.multisession_interfaces().unwrap_err();
    assert!(matches!(e, Error::InvalidMediaState { .. }), "{e:?}");
    assert_eq!(e.hresult(), 0xC0AA_0402);
}
