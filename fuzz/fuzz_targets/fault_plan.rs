//! Fault plans (JSON, from a file or `--faults`): any text parses to a plan or an error. A plan
//! that parses writes back as JSON that parses to the same plan, and applies to an emulated
//! drive running a short write (every kind of action fires on some command) without a panic.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mmc_core::cdb::{
    CdbRepr, Inquiry, Read10, ReadCapacity, ReadDiscInformation, SynchronizeCache, TestUnitReady,
    Write10,
};
use mmc_core::{DataPhase, Transport};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(plan) = FaultPlan::from_json_str(text) else {
        return;
    };
    let json = plan.to_json_pretty();
    let again = FaultPlan::from_json_str(&json)
        .unwrap_or_else(|e| panic!("the plan written back does not parse: {e}\n{json}"));
    assert_eq!(again.to_json_pretty(), json);

    let kind = plan.rules().len() % 2;
    let kind = [MediumKind::CdR80, MediumKind::BdRe][kind];
    let drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    );
    let mut faulty = Faulty::for_drive(drive, plan).with_medium(Some(kind));
    let t = Duration::from_secs(30);
    let sector = [0xA5u8; 2048];
    let mut buf = [0u8; 2048];
    for round in 0..3u32 {
        let _ = faulty.execute(&TestUnitReady.encode(), DataPhase::None, t);
        let _ = faulty.execute(
            &Inquiry {
                allocation_length: 96,
                ..Inquiry::default()
            }
            .encode(),
            DataPhase::In(&mut buf[..96]),
            t,
        );
        let _ = faulty.execute(
            &ReadDiscInformation {
                allocation_length: 34,
                ..ReadDiscInformation::default()
            }
            .encode(),
            DataPhase::In(&mut buf[..34]),
            t,
        );
        let _ = faulty.execute(
            &ReadCapacity::default().encode(),
            DataPhase::In(&mut buf[..8]),
            t,
        );
        let write = Write10 {
            lba: round as i32,
            blocks: 1,
            ..Write10::default()
        };
        let _ = faulty.execute(&write.encode(), DataPhase::Out(&sector), t);
        let _ = faulty.execute(&SynchronizeCache::default().encode(), DataPhase::None, t);
        let read = Read10 {
            lba: round as i32,
            blocks: 1,
            ..Read10::default()
        };
        let _ = faulty.execute(&read.encode(), DataPhase::In(&mut buf), t);
        faulty.pause(Duration::from_secs(1));
    }
    let _ = faulty.fired().len();
});
