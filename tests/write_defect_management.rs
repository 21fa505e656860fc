//! `WriteOptions::defect_management` on an unformatted BD-RE: the format the write runs
//! first has the spare areas it names (READ FORMAT CAPACITIES' descriptor with that spare,
//! MMC-6 6.24.3.3), a size no descriptor has is refused before anything is formatted, and
//! with it off the disc gets the default spares while this write streams past them.

mod common;

use common::*;
use discwriter::writer::{DefectManagement, SpareAreas};
use discwriter::{Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::{Completion, DataPhase, Transport, TransportError};

/// A single-layer BD without spare areas.
const WHOLE: u32 = 12_219_392;

fn with(defect_management: DefectManagement) -> WriteOptions {
    WriteOptions {
        defect_management,
        ..WriteOptions::default()
    }
}

#[test]
fn a_spare_size_picks_the_format_with_that_spare() {
    let data = image(64, 1);
    let spares = DefectManagement::On(SpareAreas::Sectors(4096 * 32));
    let (r, records, mut d) = traced_write(drive(BD_RE), &data, with(spares));
    r.unwrap();
    // Format type 30h with 4,096 spare clusters (ISA0 alone).
    assert_eq!(format_units(&records), vec![(0x30, 4096)]);
    let s = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
    assert_eq!(s.total_sectors, WHOLE - 4096 * 32);
    assert_same_sectors(&read_back(&mut d, 0, 64), &data, 0, "the image");
}

#[test]
fn a_spare_size_no_format_has_is_refused_before_formatting() {
    let spares = DefectManagement::On(SpareAreas::Sectors(1000));
    let (r, records, mut d) = traced_write(drive(BD_RE), &image(64, 1), with(spares));
    let e = r.unwrap_err();
    assert_eq!(e.hresult(), 0x8007_0057, "E_INVALIDARG: {e}");
    assert!(format_units(&records).is_empty());
    let s = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
    assert!(s.needs_formatting, "still unformatted");
}

#[test]
fn off_formats_with_the_default_spares_and_streams_this_write() {
    let (r, records, _) = traced_write(drive(BD_RE), &image(64, 1), with(DefectManagement::Off));
    r.unwrap();
    // Format type 00h, the drive's default with 12,288 spare clusters.
    assert_eq!(format_units(&records), vec![(0x00, 12_288)]);
    assert!(write_commands(&records).iter().all(|&w| w == (0xAA, true)));
}

#[test]
fn a_stream_too_large_for_the_spares_asked_for_is_refused_before_formatting() {
    // The default format's capacity, and the largest spare areas (20,480 clusters).
    let sectors = u64::from(WHOLE - 12_288 * 32);
    let w = writer(
        Tracing::new(drive(BD_RE)),
        with(DefectManagement::On(SpareAreas::Sectors(20_480 * 32))),
    );
    let zeros = std::io::Read::take(std::io::repeat(0), sectors * 2048);
    let e = w
        .write_stream(Box::new(zeros), Some(sectors * 2048), &mut |_, _| {})
        .unwrap_err();
    assert_eq!(
        e.imapi_name(),
        "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
    );
    let (_, records) = drive_and_transcript(&w);
    assert!(format_units(&records).is_empty());
    assert!(write_commands(&records).is_empty());
}

/// A drive whose Real Time Streaming feature (0107h) does not set SW: GET CONFIGURATION's
/// answer with that bit cleared (MMC-6 5.3: descriptors after the 8-byte header, each a
/// 4-byte header and its additional length; SW is bit 0 of the feature's byte 4).
#[derive(Debug)]
struct NoStreamWriting<T>(T);

impl<T: Transport> Transport for NoStreamWriting<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: std::time::Duration,
    ) -> Result<Completion, TransportError> {
        let DataPhase::In(buf) = data else {
            return self.0.execute(cdb, data, timeout);
        };
        let c = self.0.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
        if cdb[0] == 0x46 && c.is_good() {
            let end = c.transferred(buf.len());
            let mut at = 8;
            while at + 4 <= end {
                let code = u16::from_be_bytes([buf[at], buf[at + 1]]);
                if code == 0x0107 && at + 4 < end {
                    buf[at + 4] &= !0x01;
                }
                at += 4 + usize::from(buf[at + 3]);
            }
        }
        Ok(c)
    }

    mmc_core::forward_transport!(0);
}

#[test]
fn a_drive_without_stream_writing_keeps_its_defect_management() {
    let data = image(64, 5);
    let w = writer(
        Tracing::new(NoStreamWriting(drive(BD_RE))),
        with(DefectManagement::Off),
    );
    write_collecting(&w, &data).0.unwrap();
    let (NoStreamWriting(mut d), records) = drive_and_transcript(&w);
    let writes = write_commands(&records);
    assert!(!writes.is_empty());
    assert!(writes.iter().all(|&w| w == (0x2A, false)), "{writes:?}");
    assert_same_sectors(&read_back(&mut d, 0, 64), &data, 0, "the image");
}

#[test]
fn the_speed_reported_is_the_one_the_drive_records_at_after_the_format() {
    // An unformatted BD-RE has no defect management yet: its 2x halves once the write's
    // format has given it spare areas, unless the write streams.
    for (dm, x) in [
        (DefectManagement::default(), 1.0),
        (DefectManagement::Off, 2.0),
    ] {
        let w = writer(Tracing::new(drive(BD_RE)), with(dm));
        let (r, events) = write_collecting(&w, &image(640, 6));
        r.unwrap();
        let reported = events.last().and_then(|e| e.speed_x).unwrap();
        assert!((reported - x).abs() < 0.05, "{dm:?}: {reported}x");
    }
}
