//! SetWriteSpeed sets the speed on the drive when it is called (SET CD SPEED on CD, SET
//! STREAMING on DVD and BD), and says what the drive chose: S_OK, or
//! S_IMAPI_SPEEDADJUSTED / S_IMAPI_ROTATIONADJUSTED / S_IMAPI_BOTHADJUSTED; CurrentWriteSpeed
//! then holds what the drive uses, before any Write. The emulated drive rounds a request down
//! to a speed the disc supports (the slowest when all are faster) and records CLV only.

mod common;

use common::*;
use discwriter::{DataWriter, DiscState, Recorder, WriteOptions};
use mmc_core::ImapiCode;
use virtdrive::medium::MediumKind;
use virtdrive::{DriveConfig, EmulatedDrive};

/// The disc is still blank: nothing but the speed changed.
fn still_blank(w: &DataWriter<EmulatedDrive>) {
    let mut rec = w.take_recorder().unwrap().unwrap();
    assert_eq!(rec.disc_summary().unwrap().status, DiscState::Blank);
}

#[test]
fn an_unsupported_speed_is_adjusted_at_set_write_speed() {
    // (disc, sectors/s asked, pure CAV, code, CurrentWriteSpeed in sectors/s)
    let rows = [
        // 1x CD (75 sectors/s): the slowest CD-R speed is 4x, 706 kB/s = 300 sectors/s.
        (CD_R, 75, false, ImapiCode::SpeedAdjusted, 300),
        (CD_R, 75, true, ImapiCode::BothAdjusted, 300),
        // 10x CD (750/s) is between 8x (1411 kB/s, 599/s) and 12x: rounded down to 8x.
        (CD_R, 750, false, ImapiCode::SpeedAdjusted, 599),
        // 1.5x DVD (2000/s): the slowest DVD+R speed is 4x, 5540 kB/s = 2705 sectors/s.
        (
            MediumKind::DvdPlusR,
            2000,
            false,
            ImapiCode::SpeedAdjusted,
            2705,
        ),
        // 6x DVD (8100/s) between 4x and 8x.
        (
            MediumKind::DvdPlusR,
            8100,
            true,
            ImapiCode::BothAdjusted,
            5410,
        ),
    ];
    for (kind, asked, cav, code, current) in rows {
        let w = writer(drive(kind), WriteOptions::default());
        let what = format!("{} {asked} CAV {cav}", kind.name());
        assert_eq!(w.set_write_speed(asked, cav).unwrap(), code, "{what}");
        assert_eq!(w.current_write_speed().unwrap(), (current, false), "{what}");
        assert_eq!(w.requested_write_speed().unwrap(), (asked, cav), "{what}");
        still_blank(&w);
    }
}

/// Every speed SupportedWriteSpeeds lists is taken as it is: S_OK, and CurrentWriteSpeed is
/// that speed. On CD, 8x is 1411 kB/s, which is 599 sectors a second (2352-byte frames), and
/// asking for 599 must not fall to 4x.
#[test]
fn a_supported_speed_is_s_ok_and_becomes_the_current_speed() {
    for (kind, listed) in [
        (CD_R, vec![3599, 3000, 2400, 1800, 1199, 599, 300]),
        (MediumKind::DvdPlusR, vec![10820, 5410, 2705]),
        (BD_RE, vec![4389, 2194]),
    ] {
        let w = writer(drive(kind), WriteOptions::default());
        assert_eq!(
            w.supported_write_speeds().unwrap(),
            listed,
            "{}",
            kind.name()
        );
        // The slowest first: the drive starts at its fastest.
        for &speed in listed.iter().rev() {
            let what = format!("{} {speed}", kind.name());
            assert_eq!(
                w.set_write_speed(speed as i32, false).unwrap(),
                ImapiCode::Ok,
                "{what}"
            );
            assert_eq!(w.current_write_speed().unwrap(), (speed, false), "{what}");
        }
        // 8x CD asked as 600 sectors/s (8 x 75) is within 1 % of 599.
        if kind == CD_R {
            assert_eq!(w.set_write_speed(300, false).unwrap(), ImapiCode::Ok);
            assert_eq!(w.set_write_speed(600, false).unwrap(), ImapiCode::Ok);
            assert_eq!(w.current_write_speed().unwrap(), (599, false));
        }
        assert_eq!(w.set_write_speed(-1, false).unwrap(), ImapiCode::Ok);
        assert_eq!(w.current_write_speed().unwrap().0, listed[0]);
    }
}

#[test]
fn pure_cav_on_a_drive_that_records_clv_is_rotation_adjusted() {
    for kind in [CD_R, MediumKind::DvdPlusR, BD_RE] {
        let w = writer(drive(kind), WriteOptions::default());
        let fastest = w.supported_write_speeds().unwrap()[0];
        assert_eq!(
            w.set_write_speed(fastest as i32, true).unwrap(),
            ImapiCode::RotationAdjusted,
            "{}",
            kind.name()
        );
        assert_eq!(
            w.set_write_speed(-1, true).unwrap(),
            ImapiCode::RotationAdjusted
        );
        assert_eq!(w.current_write_speed().unwrap(), (fastest, false));
    }
}

/// With no disc the request is kept (nothing to set a speed for: a drive's speeds are the
/// disc's) and S_OK returned; the Write applies it and reports the adjustment then.
#[test]
fn with_no_disc_the_speed_is_applied_at_write() {
    let w = DataWriter::new();
    w.set_recorder(Recorder::open(EmulatedDrive::new(DriveConfig::default())).unwrap())
        .unwrap();
    w.set_client_name("discwriter e2e").unwrap();
    assert_eq!(w.set_write_speed(75, false).unwrap(), ImapiCode::Ok);
    assert_eq!(w.requested_write_speed().unwrap(), (75, false));
    let mut rec = w.take_recorder().unwrap().unwrap();
    rec.transport_mut().insert(testkit::blank_disc(CD_R));
    rec.transport_mut()
        .advance(std::time::Duration::from_secs(5));
    w.set_recorder(rec).unwrap();
    let (r, _) = write_collecting(&w, &image(300, 1));
    assert_eq!(r.unwrap().code, ImapiCode::SpeedAdjusted);
    assert_eq!(w.current_write_speed().unwrap(), (300, false));
}

/// `--speed` says when the drive chose another speed than asked: when the speed is set, and
/// in the summary of the write.
#[test]
fn the_command_says_the_drive_adjusted_the_speed() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("image.iso");
    std::fs::write(&img, vec![0u8; 300 * 2048]).unwrap();
    let img = img.to_str().unwrap();
    let run = |speed: &str| {
        let drive = format!("virt:cd-r@{}", dir.path().join(speed).display());
        let o = discwriter(
            &["write", img, "--drive", &drive, "--speed", speed],
            dir.path(),
        );
        let o = ok(o, speed);
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (out, err) = run("1x");
    assert!(
        err.contains("the drive chose 4x for --speed 1x"),
        "stderr: {err}"
    );
    assert!(
        out.contains("the drive chose another speed than asked"),
        "{out}"
    );
    let (out, err) = run("8x");
    assert!(!err.contains("the drive chose"), "{err}");
    assert!(!out.contains("the drive chose"), "{out}");
}
