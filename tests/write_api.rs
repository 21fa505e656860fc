//! The codes `DataWriter::write` and its setters return for what the caller did, checked
//! before anything is recorded, and the success codes that say the drive adjusted the speed.
//! Every HRESULT is typed in from Microsoft's IMAPI2 error list (imapi2error.h).

mod common;

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use discwriter::{
    ApiMisuse, BlockRange, CancelHandle, DataWriter, Error, ProgressEvent, Recorder, WriteAction,
    WriteOptions,
};
use mmc_core::trace::Tracing;
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const FORMAT_UNIT: u8 = 0x04;
const CLOSE_TRACK_SESSION: u8 = 0x5B;

/// A stream of zeros of any length that costs no memory: for sizes no disc holds.
struct Zeros {
    len: u64,
    pos: u64,
}

impl Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        buf[..n].fill(0);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Zeros {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = match to {
            SeekFrom::Start(p) => p,
            SeekFrom::End(d) => (self.len as i64 + d) as u64,
            SeekFrom::Current(d) => (self.pos as i64 + d) as u64,
        };
        Ok(self.pos)
    }
}

fn write_len<T: Transport + Send>(
    w: &DataWriter<T>,
    len: u64,
    ranges: Option<&[BlockRange]>,
) -> Result<discwriter::WriteOutcome, Error> {
    w.write(&mut Zeros { len, pos: 0 }, len, ranges, &mut |_, _| {})
}

/// A traced writer, and a check that nothing but what `allowed` lists reached the drive
/// after it was identified.
fn traced_writer(kind: MediumKind) -> DataWriter<Tracing<EmulatedDrive>> {
    writer(Tracing::new(drive(kind)), WriteOptions::default())
}

fn nothing_recorded(w: &DataWriter<Tracing<EmulatedDrive>>) {
    let rec = w.take_recorder().unwrap().unwrap();
    let (_, records) = rec.into_transport().into_parts();
    assert!(writes_in(&records).is_empty(), "no WRITE was sent");
    assert!(!sent(&records, FORMAT_UNIT), "no FORMAT UNIT was sent");
    assert!(!sent(&records, CLOSE_TRACK_SESSION), "no CLOSE was sent");
}

/// The commands sent after put_Recorder (INQUIRY, then GET CONFIGURATION for the write
/// features).
fn commands_after_inquiry(w: &DataWriter<Tracing<EmulatedDrive>>) -> usize {
    let rec = w.take_recorder().unwrap().unwrap();
    let (_, records) = rec.into_transport().into_parts();
    records.len() - 2
}

#[test]
fn no_recorder_is_e_imapi_recorder_required() {
    let w: DataWriter<EmulatedDrive> = DataWriter::new();
    w.set_client_name("discwriter e2e").unwrap();
    let e = write_len(&w, 2048, None).unwrap_err();
    assert!(matches!(e, Error::Api(ApiMisuse::RecorderRequired)));
    assert_eq!(e.hresult(), 0xC0AA_0003);
    assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_REQUIRED");
    let e = w.set_write_speed(-1, false).unwrap_err();
    assert_eq!(e.hresult(), 0xC0AA_0003);
}

#[test]
fn a_client_name_imapi_refuses_is_client_name_is_not_valid() {
    let w = traced_writer(CD_R);
    // Empty, too long for CDROM_EXCLUSIVE_ACCESS (CDROM_EXCLUSIVE_CALLER_LENGTH is 64 bytes,
    // the terminating NUL included), or outside its character set.
    for name in ["", &"x".repeat(64), "tab\there", "back\\slash", "ümlaut"] {
        let e = w.set_client_name(name).unwrap_err();
        assert!(
            matches!(e, Error::Api(ApiMisuse::ClientNameIsNotValid { .. })),
            "{name:?}"
        );
        assert_eq!(e.hresult(), 0xC0AA_0408, "{name:?}");
        assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_CLIENT_NAME_IS_NOT_VALID");
    }
    // The name set before stays.
    assert_eq!(w.client_name().unwrap().as_deref(), Some("discwriter e2e"));
    // 63 characters and the NUL fill CDROM_EXCLUSIVE_CALLER_LENGTH exactly.
    let longest = "x".repeat(63);
    w.set_client_name(&longest).unwrap();
    assert_eq!(w.client_name().unwrap(), Some(longest));

    // A writer that never got a name cannot write; the drive is not asked anything.
    let fresh: DataWriter<Tracing<EmulatedDrive>> = DataWriter::new();
    fresh
        .set_recorder(Recorder::open(Tracing::new(drive(CD_R))).unwrap())
        .unwrap();
    let e = write_len(&fresh, 2048 * 300, None).unwrap_err();
    assert_eq!(e.hresult(), 0xC0AA_0408);
    assert_eq!(commands_after_inquiry(&fresh), 0);
}

#[test]
fn a_size_not_a_multiple_of_2048_is_stream_not_supported_before_the_drive_is_asked() {
    for len in [1, 2047, 2049, 300 * 2048 + 512] {
        let w = traced_writer(BD_RE);
        let e = write_len(&w, len, None).unwrap_err();
        assert!(matches!(e, Error::Api(ApiMisuse::StreamNotSupported { bytes }) if bytes == len));
        assert_eq!(e.hresult(), 0xC0AA_0403);
        assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED");
        assert_eq!(commands_after_inquiry(&w), 0, "{len}: nothing sent");
    }
}

#[test]
fn a_stream_larger_than_the_free_space_is_stream_too_large() {
    // (medium, sectors that fit: the free blocks a blank disc's drive reports, its track's 2
    // run-out blocks already left out, less the 150-sector post-gap IMAPI adds to a CD track).
    let cases = [
        (MediumKind::CdR74, 332_998 - 150),
        (MediumKind::CdR80, 359_847 - 150),
        (DVD_PLUS_RW, 2_295_104),
    ];
    for (kind, fits) in cases {
        let w = traced_writer(kind);
        let e = write_len(&w, (fits + 1) * 2048, None).unwrap_err();
        assert!(
            matches!(e, Error::StreamTooLargeForCurrentMedia { .. }),
            "{}: {e:?}",
            kind.name()
        );
        assert_eq!(e.hresult(), 0xC0AA_0404);
        assert_eq!(
            e.imapi_name(),
            "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
        );
        nothing_recorded(&w);
    }
}

#[test]
fn a_second_write_while_one_runs_is_write_in_progress() {
    let w = writer(drive(BD_RE), WriteOptions::default());
    let data = image(2000, 1);
    let (to_other, from_writer) = mpsc::channel::<()>();
    let (to_writer, from_other) = mpsc::channel::<Vec<Error>>();
    // The event sink is Send; a receiver is shared through a mutex.
    let from_other = std::sync::Mutex::new(from_other);
    std::thread::scope(|s| {
        let w = &w;
        s.spawn(move || {
            from_writer.recv().unwrap();
            // The other thread, while the first write is in WRITING_DATA.
            let mut errors = vec![write_len(w, 2048, None).unwrap_err()];
            errors.push(w.set_client_name("another").unwrap_err());
            errors.push(w.set_options(WriteOptions::default()).unwrap_err());
            errors.push(w.take_recorder().unwrap_err());
            // The properties a caller set stay readable (their pages list no
            // WRITE_IN_PROGRESS): an event handler may read them.
            assert_eq!(w.client_name().unwrap().as_deref(), Some("discwriter e2e"));
            let options = w.options().unwrap();
            assert_eq!(options.verification, WriteOptions::default().verification);
            assert_eq!(w.requested_write_speed().unwrap(), (-1, false));
            to_writer.send(errors).unwrap();
        });
        let mut asked = false;
        let mut seen = Vec::new();
        let outcome = w.write(
            &mut Cursor::new(data.clone()),
            data.len() as u64,
            None,
            &mut |e: &ProgressEvent, _: &CancelHandle| {
                if e.action == WriteAction::WritingData && !asked {
                    asked = true;
                    to_other.send(()).unwrap();
                    seen = from_other.lock().unwrap().recv().unwrap();
                }
            },
        );
        assert_eq!(
            outcome.unwrap().code.hresult(),
            0,
            "the first write is not disturbed"
        );
        assert_eq!(seen.len(), 4);
        for e in seen {
            assert!(matches!(e, Error::Api(ApiMisuse::WriteInProgress)), "{e:?}");
            assert_eq!(e.hresult(), 0xC0AA_0400);
            assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_WRITE_IN_PROGRESS");
        }
    });
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_same_sectors(&read_back(&mut d, 0, 2000), &data, 0, "the first write");
}

#[test]
fn a_pressed_dvd_rom_is_media_is_not_supported_and_an_unknown_disc_incompatible() {
    let w = traced_writer(MediumKind::DvdRom);
    let e = write_len(&w, 300 * 2048, None).unwrap_err();
    assert!(matches!(e, Error::MediaIsNotSupported { .. }), "{e:?}");
    assert_eq!(e.hresult(), 0xC0AA_0406);
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED");
    nothing_recorded(&w);

    let w = traced_writer(MediumKind::Unknown);
    let e = write_len(&w, 300 * 2048, None).unwrap_err();
    assert_eq!(e.hresult(), 0xC0AA_0203, "{e:?}");
    nothing_recorded(&w);
}

#[test]
fn a_written_rewritable_disc_is_media_not_blank_without_force_overwrite() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        let w = writer(drive(kind), WriteOptions::default());
        let first = image(300, 1);
        let (r, _) = write_collecting(&w, &first);
        r.unwrap();
        let (r, _) = write_collecting(&w, &image(300, 2));
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::MediaNotBlank { .. }),
            "{}: {e:?}",
            kind.name()
        );
        assert_eq!(e.hresult(), 0xC0AA_0405);
        assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
        let mut d = w.take_recorder().unwrap().unwrap().into_transport();
        assert_same_sectors(&read_back(&mut d, 0, 300), &first, 0, "the first write");
    }
}

#[test]
fn a_finalized_cd_r_is_invalid_media_state() {
    let w = writer(
        drive(CD_R),
        WriteOptions {
            force_media_to_be_closed: true,
            ..WriteOptions::default()
        },
    );
    let (r, _) = write_collecting(&w, &image(300, 1));
    assert!(r.unwrap().disc_closed);
    let (r, _) = write_collecting(&w, &image(300, 2));
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidMediaState { .. }), "{e:?}");
    assert_eq!(e.hresult(), 0xC0AA_0402);
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");
}

#[test]
fn block_ranges_outside_the_stream_and_a_zero_speed_are_invalidarg() {
    let bad: [&[BlockRange]; 3] = [
        &[BlockRange {
            start_lba: 0,
            end_lba: 300,
        }],
        &[BlockRange {
            start_lba: 10,
            end_lba: 9,
        }],
        &[
            BlockRange {
                start_lba: 0,
                end_lba: 31,
            },
            BlockRange {
                start_lba: 290,
                end_lba: 1000,
            },
        ],
    ];
    for ranges in bad {
        let w = traced_writer(DVD_PLUS_RW);
        let e = write_len(&w, 300 * 2048, Some(ranges)).unwrap_err();
        assert!(
            matches!(e, Error::Api(ApiMisuse::InvalidArg(_))),
            "{ranges:?}: {e:?}"
        );
        assert_eq!(e.hresult(), 0x8007_0057);
        assert_eq!(e.imapi_name(), "E_INVALIDARG");
        assert_eq!(commands_after_inquiry(&w), 0, "{ranges:?}: nothing sent");
    }
    let w = traced_writer(DVD_PLUS_RW);
    for speed in [0, -2] {
        let e = w.set_write_speed(speed, false).unwrap_err();
        assert_eq!(e.hresult(), 0x8007_0057, "{speed}");
    }
}

#[test]
fn cancel_write_when_idle_is_write_not_in_progress() {
    let w = writer(drive(CD_R), WriteOptions::default());
    let e = w.cancel_write().unwrap_err();
    assert!(matches!(e, Error::Api(ApiMisuse::WriteNotInProgress)));
    assert_eq!(e.hresult(), 0xC0AA_0401);
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_WRITE_NOT_IN_PROGRESS");
    // A cancel asked for while idle does not cancel the next write.
    let (r, _) = write_collecting(&w, &image(300, 1));
    assert_eq!(r.unwrap().code.hresult(), 0);
}

#[test]
fn a_fifo_that_cannot_be_allocated_is_e_outofmemory() {
    for kind in [CD_R, BD_RE] {
        let w = traced_writer(kind);
        w.set_options(WriteOptions {
            fifo_bytes: usize::MAX,
            ..WriteOptions::default()
        })
        .unwrap();
        let e = write_len(&w, 300 * 2048, None).unwrap_err();
        assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
        assert_eq!(e.hresult(), 0x8007_000E);
        assert_eq!(e.imapi_name(), "E_OUTOFMEMORY");
        // No data was sent. (The fifo is allocated when the data starts, after a BD-RE was
        // formatted: the format is not undone.)
        let (_, records) = w
            .take_recorder()
            .unwrap()
            .unwrap()
            .into_transport()
            .into_parts();
        assert!(writes_in(&records).is_empty(), "{}: no WRITE", kind.name());
    }
}

/// A device that answers INQUIRY as something else than an MMC drive, for example a hard
/// disk named by mistake.
#[derive(Debug)]
struct NotAnOpticalDrive(EmulatedDrive);

impl Transport for NotAnOpticalDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        mut data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let again = match &mut data {
            DataPhase::None => DataPhase::None,
            DataPhase::In(b) => DataPhase::In(b),
            DataPhase::Out(b) => DataPhase::Out(b),
        };
        let c = self.0.execute(cdb, again, timeout)?;
        if let (Some(0x12), DataPhase::In(buf)) = (cdb.first(), data) {
            // Byte 0: peripheral qualifier 0, device type 00h (direct access block device).
            buf[0] = 0x00;
        }
        Ok(c)
    }
}

#[test]
fn a_device_that_is_not_an_optical_drive_is_recorder_not_supported() {
    let e = Recorder::open(NotAnOpticalDrive(drive(CD_R))).unwrap_err();
    assert!(matches!(e, Error::RecorderNotSupported { .. }), "{e:?}");
    assert_eq!(e.hresult(), 0xC0AA_0407);
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED");
}

/// put_Recorder refuses an MMC drive that records none of the media this writer writes (a
/// DVD-ROM or BD-ROM reader), as IMAPI does, with E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED;
/// the writer keeps the recorder it had.
#[test]
fn a_drive_without_a_write_feature_is_recorder_not_supported() {
    let reader = || {
        let config = virtdrive::DriveConfig {
            class: virtdrive::DriveClass::Reader,
            ..virtdrive::DriveConfig::default()
        };
        EmulatedDrive::with_medium(config, testkit::blank_disc(MediumKind::DvdPlusR))
    };
    let w = writer(drive(CD_R), WriteOptions::default());
    let e = w
        .set_recorder(Recorder::open(reader()).unwrap())
        .unwrap_err();
    assert!(matches!(e, Error::RecorderNotSupported { .. }), "{e:?}");
    assert_eq!(e.hresult(), 0xC0AA_0407);
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED");
    assert_eq!(
        w.current_write_speed().unwrap().0,
        3599,
        "the CD-R writer stays"
    );
    // The reader cannot record: WRITE is an unknown command to it (05/20/00).
    let mut r = reader();
    testkit::command_fails(
        &mut r,
        &testkit::cdb::write10(0, 1),
        mmc_core::sense::SenseTriple::new(0x05, 0x20, 0x00),
    );
}

#[test]
fn a_garbled_inquiry_is_invalid_response_from_device() {
    let d = Faulty::for_drive(
        drive(CD_R),
        virtdrive::fault::FaultPlan::from_json_str(
            r#"{"rules":[{"match":{"opcode":"INQUIRY"},"action":{"short_transfer":{"bytes":3}}}]}"#,
        )
        .unwrap(),
    );
    let e = Recorder::open(d).unwrap_err();
    assert_eq!(e.hresult(), 0xC0AA_02FF, "{e:?}");
}

/// S_IMAPI_SPEEDADJUSTED, S_IMAPI_ROTATIONADJUSTED and S_IMAPI_BOTHADJUSTED: the write
/// succeeds, and the code says what the drive chose differently. The emulated drive's
/// slowest CD-R speed is 4x and it records CLV only.
#[test]
fn speeds_the_drive_adjusts_are_success_codes() {
    // (sectors per second requested, pure CAV, HRESULT, name)
    let cases = [
        (-1, false, 0x0000_0000, "S_OK"),
        (75, false, 0x00AA_0004, "S_IMAPI_SPEEDADJUSTED"),
        (-1, true, 0x00AA_0005, "S_IMAPI_ROTATIONADJUSTED"),
        (75, true, 0x00AA_0006, "S_IMAPI_BOTHADJUSTED"),
    ];
    for (speed, cav, hresult, name) in cases {
        let w = writer(drive(CD_R), WriteOptions::default());
        w.set_write_speed(speed, cav).unwrap();
        let (r, _) = write_collecting(&w, &image(300, 1));
        let o = r.unwrap();
        assert_eq!(o.code.hresult(), hresult, "{speed} {cav}");
        assert_eq!(o.code.name(), name);
    }
}

/// FreeSectorsOnMedia is what a stream may hold (Microsoft: it "filters sectors consumed in
/// managing the disc space ... such as run-out blocks and postgaps"): a stream of exactly that
/// many sectors fills a blank CD-R, whose drive reports 332,998 free blocks (its track's 2
/// run-out blocks already left out); with the post-gap in the image, the stream may have the
/// post-gap's 150 sectors too.
#[test]
fn a_stream_of_exactly_free_sectors_on_media_fills_a_cd_r() {
    for (postgap_already_in_image, free) in [(false, 332_998 - 150), (true, 332_998)] {
        let options = WriteOptions {
            postgap_already_in_image,
            verification: discwriter::VerificationLevel::None,
            ..WriteOptions::default()
        };
        let w = writer(drive(MediumKind::CdR74), options);
        assert_eq!(w.free_sectors_on_media().unwrap(), free);
        let outcome = write_len(&w, u64::from(free) * 2048, None)
            .unwrap_or_else(|e| panic!("postgap in image {postgap_already_in_image}: {e}"));
        assert_eq!(outcome.sectors, u64::from(free));
        assert!(outcome.disc_closed, "a full disc is closed");
        // The drive agrees: the disc is complete and its last data sector reads back.
        let mut rec = w.take_recorder().unwrap().unwrap();
        let s = rec.disc_summary().unwrap();
        assert_eq!(s.status, discwriter::DiscState::Complete);
        let mut d = rec.into_transport();
        let last = read_back(&mut d, i64::from(free) - 1, 1);
        assert_eq!(last, vec![0u8; 2048]);
    }
}

/// With no disc in the drive, IsCurrentMediaSupported and CurrentPhysicalMediaType are
/// E_IMAPI_RECORDER_MEDIA_NO_MEDIA (as on Windows 7 and later), not "unsupported" and
/// UNKNOWN; an unknown disc is still answered with false and UNKNOWN.
#[test]
fn media_getters_without_a_disc_are_no_media() {
    let mut d = drive(CD_R);
    assert!(d.remove_medium().is_some());
    let w = writer(d, WriteOptions::default());
    let e = w.is_current_media_supported().unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_MEDIA_NO_MEDIA", "{e}");
    assert_eq!(e.hresult(), 0xC0AA_0202);
    let e = w.current_physical_media_type().unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_MEDIA_NO_MEDIA", "{e}");

    let w = writer(drive(MediumKind::Unknown), WriteOptions::default());
    assert!(!w.is_current_media_supported().unwrap());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        discwriter::writer::MediaPhysicalType::Unknown
    );
}
