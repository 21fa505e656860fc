//! Conditions the writer waits out or ignores, as IMAPI does, and the bound on its waits.

mod common;

use std::time::Duration;

use common::*;
use discwriter::writer::Timeouts;
use discwriter::{Error, VerificationLevel, WriteOptions};
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;

const SECTORS: u64 = 320;
const ALL: &[MediumKind] = &[CD_R, DVD_PLUS_RW, BD_RE];
const CD: &[MediumKind] = &[CD_R];

fn options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Full,
        timeouts: Timeouts {
            becoming_ready: Duration::from_secs(30),
            long_operation: Duration::from_secs(600),
            ..Timeouts::default()
        },
        ..WriteOptions::default()
    }
}

/// Conditions IMAPI waits out or ignores: the write succeeds with S_OK and the image reads
/// back.
#[test]
fn faults_the_engine_rides_out() {
    let cases: [(&str, &[MediumKind]); 3] = [
        // 02/04/01 three times, then 06/28/00: the drive was spinning up.
        ("becoming-ready-3-times.json", ALL),
        // 03/0C/09 from SYNCHRONIZE CACHE is ignored (Microsoft's table, row 10).
        ("matrix/finalizing-sync-loss-of-streaming.json", ALL),
        // The host stalls with buffer-underrun-free recording on: the drive pauses and resumes.
        ("matrix/writing-underrun.json", CD),
    ];
    for (plan_file, media) in cases {
        for &kind in media {
            let d = Faulty::for_drive(drive(kind), plan(plan_file));
            let w = writer(d, options());
            let data = image(SECTORS, 3);
            let (r, _) = write_collecting(&w, &data);
            let outcome = r.unwrap_or_else(|e| panic!("{plan_file} on {}: {e}", kind.name()));
            assert_eq!(outcome.code.hresult(), 0, "{plan_file} on {}", kind.name());
            assert_eq!(outcome.code.name(), "S_OK");
            let mut d = w.take_recorder().unwrap().unwrap().into_transport();
            let disc = read_back(&mut d, 0, SECTORS);
            assert_same_sectors(&disc, &data, 0, plan_file);
        }
    }
}

/// A drive that stays "becoming ready" is given up on after the configured budget of the
/// drive's time, not before and not much after.
#[test]
fn waits_are_bounded_by_the_configured_budget() {
    for budget in [10u64, 45] {
        let d = Faulty::for_drive(drive(CD_R), plan("matrix/validating-becoming-ready.json"));
        let start = d.inner().now();
        let w = writer(
            d,
            WriteOptions {
                timeouts: Timeouts {
                    becoming_ready: Duration::from_secs(budget),
                    ..Timeouts::default()
                },
                ..WriteOptions::default()
            },
        );
        let (r, _) = write_collecting(&w, &image(SECTORS, 1));
        assert!(matches!(r, Err(Error::MediaBecomingReady { .. })), "{r:?}");
        let d = w.take_recorder().unwrap().unwrap().into_transport();
        let waited = d.inner().now().since(start).as_secs_f64();
        assert!(
            waited >= budget as f64 && waited < budget as f64 + 2.0,
            "waited {waited} s for a budget of {budget} s"
        );
    }
}
