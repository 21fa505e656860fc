//! Quick verification (IMAPI_BURN_VERIFICATION_QUICK): READ DISC INFORMATION, READ TRACK
//! INFORMATION on every track of the disc, and a sample of sectors compared. A second
//! session's write is not verified quickly while the drive cannot answer for the first
//! session's track.

mod common;

use std::time::Duration;

use common::*;
use discwriter::{VerificationLevel, WriteOptions};
use mmc_core::sense::{SenseBuilder, SenseTriple};
use mmc_core::trace::Tracing;
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::medium::MediumKind;

const READ_TRACK_INFORMATION: u8 = 0x52;

/// A drive that answers READ TRACK INFORMATION for track `track` (address type 01b) with
/// 03/11/00 UNRECOVERED READ ERROR once `armed`.
struct TrackUnreadable<T> {
    inner: T,
    track: u32,
    armed: bool,
}

impl<T: Transport> Transport for TrackUnreadable<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        // READ TRACK INFORMATION: address type in byte 1 bits 1-0, the address in 2-5
        // (MMC-6 6.27.2).
        let asks_track = cdb.len() >= 6
            && cdb[0] == READ_TRACK_INFORMATION
            && cdb[1] & 0x03 == 0x01
            && u32::from_be_bytes([cdb[2], cdb[3], cdb[4], cdb[5]]) == self.track;
        if self.armed && asks_track {
            let sense = SenseBuilder::new(SenseTriple::new(0x03, 0x11, 0x00)).fixed();
            return Ok(Completion::check_condition(&sense, 0));
        }
        self.inner.execute(cdb, data, timeout)
    }
    mmc_core::forward_transport!(inner);
}

/// Quick verification, and a DVD+R left appendable whatever the compatibility rule.
fn quick() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Quick,
        disable_consumer_dvd_compatibility_mode: true,
        ..WriteOptions::default()
    }
}

/// The track numbers READ TRACK INFORMATION asked about by number (address type 01b).
fn tracks_asked(records: &[mmc_core::trace::TraceRecord]) -> Vec<u32> {
    records
        .iter()
        .filter_map(|r| {
            let c = mmc_core::wire::parse_hex_words([r.cdb.as_str()]).ok()?;
            (c.first() == Some(&READ_TRACK_INFORMATION) && c[1] & 0x03 == 0x01)
                .then(|| u32::from_be_bytes([c[2], c[3], c[4], c[5]]))
        })
        .collect()
}

#[test]
fn quick_verification_reads_the_track_information_of_every_track() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusR, MediumKind::BdR] {
        let w = writer(
            TrackUnreadable {
                inner: drive(kind),
                track: 1,
                armed: false,
            },
            quick(),
        );
        write_collecting(&w, &image(300, 1)).0.unwrap();
        let mut t = w.take_recorder().unwrap().unwrap().into_transport();

        // The first session's track now fails READ TRACK INFORMATION: the second write's
        // quick verification, which covers every track, fails.
        t.armed = true;
        let w = writer(t, quick());
        let r = write_collecting(&w, &image(200, 2)).0;
        assert!(r.is_err(), "{}: {r:?}", kind.name());
        // What was written is on the disc, in its own session.
        let mut d = w.take_recorder().unwrap().unwrap().into_transport().inner;
        let disc = discwriter::Recorder::open(&mut d)
            .unwrap()
            .recorded_tracks()
            .unwrap();
        assert_eq!(disc.len(), 2, "{}: {disc:?}", kind.name());
    }
}

#[test]
fn quick_verification_of_a_third_session_asks_for_tracks_1_to_3() {
    let w = writer(Tracing::new(drive(MediumKind::CdR80)), quick());
    for tag in 1..=3 {
        write_collecting(&w, &image(300, tag)).0.unwrap();
    }
    let (_, records) = drive_and_transcript(&w);
    let asked = tracks_asked(&records);
    for track in 1..=3 {
        assert!(asked.contains(&track), "track {track}: {asked:?}");
    }
}
