//! Determinism: the same fault plan and seed, fed the same commands, give a byte-identical
//! transcript; another seed gives another; and a transcript recorded once replays against a
//! fresh drive without divergence.

use std::time::Duration;

use mmc_core::trace::{replay_against, TraceOutcome, Tracing};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use testkit::{
    read10, write10, FORMAT_BD_RE_31H, FORMAT_UNIT, INQUIRY, READ_CAPACITY, READ_DISC_INFORMATION,
    READ_FORMAT_CAPACITIES, SYNCHRONIZE_CACHE, TEST_UNIT_READY,
};
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{ActionKind, FaultPlan, Faulty, RandomPlanOptions};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::{MemoryStore, SECTOR};
use virtdrive::{DriveConfig, EmulatedDrive};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A campaign plan: scripted faults among the first 200 occurrences of each writer command and
/// a small chance of one on any command, of every kind but `device_gone` (which would end the
/// script at its first firing).
fn campaign(seed: u64) -> FaultPlan {
    let actions = ActionKind::ALL
        .into_iter()
        .filter(|a| *a != ActionKind::DeviceGone)
        .collect();
    FaultPlan::random(
        seed,
        &RandomPlanOptions {
            density: 0.02,
            horizon: 200,
            probability: 0.01,
            actions,
            opcodes: Vec::new(),
        },
    )
}

/// The host of the script: after every TEST UNIT READY it waits 2 s before its next command,
/// as a host polling a formatting disc does. Being a transport, it waits the same way when a
/// transcript is replayed through it.
#[derive(Debug)]
struct PollingHost(Faulty<EmulatedDrive>);

impl Transport for PollingHost {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let r = self.0.execute(cdb, data, timeout);
        if cdb.first() == Some(&0x00) {
            self.0.inner_mut().advance(Duration::from_secs(2));
        }
        r
    }
}

/// A blank BD-RE in a drive, with `plan` installed.
fn drive_with(plan: Option<FaultPlan>) -> PollingHost {
    let drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(MediumKind::BdRe, Box::new(MemoryStore::new())),
    );
    PollingHost(Faulty::for_drive(drive, plan.unwrap_or_default()))
}

/// Sixteen sectors for write number `n`, different for every `n`.
fn payload(n: u32) -> Vec<u8> {
    (0..16 * SECTOR)
        .map(|i| (i as u32).wrapping_mul(2654435761).wrapping_add(n * 97) as u8)
        .collect()
}

fn none(t: &mut Tracing<PollingHost>, cdb: &[u8]) {
    // Whatever the answer (faults make many of them fail), the script goes on: the transcript
    // holds it.
    let _ = t.execute(cdb, DataPhase::None, TIMEOUT);
}

fn data_in(t: &mut Tracing<PollingHost>, cdb: &[u8], alloc: usize) {
    let mut buf = vec![0u8; alloc];
    let _ = t.execute(cdb, DataPhase::In(&mut buf), TIMEOUT);
}

fn data_out(t: &mut Tracing<PollingHost>, cdb: &[u8], bytes: &[u8]) {
    let _ = t.execute(cdb, DataPhase::Out(bytes), TIMEOUT);
}

const GET_CONFIGURATION: [u8; 10] = [
    0x46, // GET CONFIGURATION
    0x00, // RT 00b: all features
    0x00, 0x00, // starting feature 0
    0x00, 0x00, 0x00, //
    0x01, 0x00, // allocation length 256
    0x00,
];
const GET_EVENT_STATUS: [u8; 10] = [
    0x4A, // GET EVENT STATUS NOTIFICATION
    0x01, // polled
    0x00, 0x00, //
    0x10, // notification class: media
    0x00, 0x00, //
    0x00, 0x08, // allocation length 8
    0x00,
];

/// A burn as an engine does it, a few hundred commands: identify, format, then write,
/// read back, poll and synchronize. The host waits between polls as a real one would.
fn script(t: &mut Tracing<PollingHost>) {
    none(t, &TEST_UNIT_READY);
    data_in(t, &INQUIRY, 36);
    data_in(t, &GET_CONFIGURATION, 256);
    data_in(t, &READ_DISC_INFORMATION, 34);
    data_in(t, &READ_FORMAT_CAPACITIES, 252);
    data_out(t, &FORMAT_UNIT, &FORMAT_BD_RE_31H);
    for _ in 0..30 {
        none(t, &TEST_UNIT_READY);
    }
    data_in(t, &READ_CAPACITY, 8);
    for n in 0..160u32 {
        let lba = (n * 16) % 1024;
        data_out(t, &write10(lba, 16), &payload(n));
        if n % 3 == 0 {
            data_in(t, &read10(lba, 16), 16 * SECTOR);
        }
        if n % 5 == 0 {
            data_in(t, &GET_EVENT_STATUS, 8);
        }
        if n % 10 == 9 {
            none(t, &SYNCHRONIZE_CACHE);
            none(t, &TEST_UNIT_READY);
        }
    }
    none(t, &SYNCHRONIZE_CACHE);
    for lba in (0..1024).step_by(64) {
        data_in(t, &read10(lba, 32), 32 * SECTOR);
    }
}

/// The transcript (data recorded in full, so it can be replayed) and the final virtual time.
fn record(plan: Option<FaultPlan>) -> (Tracing<PollingHost>, VirtualTime) {
    let mut t = Tracing::new(drive_with(plan)).with_max_inline(usize::MAX);
    script(&mut t);
    let now = t.inner().0.inner().now();
    (t, now)
}

#[test]
fn the_same_plan_and_seed_give_byte_identical_transcripts() {
    let (first, first_end) = record(Some(campaign(7)));
    let (second, second_end) = record(Some(campaign(7)));
    assert!(first.records().len() > 300, "a few hundred commands");
    let faults = first.inner().0.plan();
    let fired: u64 = (0..faults.rules().len())
        .map(|r| faults.fire_count(r))
        .sum();
    assert!(fired >= 5, "the plan must actually fire ({fired} faults)");
    assert_eq!(first.to_jsonl(), second.to_jsonl());
    assert_eq!(first_end, second_end, "the virtual clocks end equal too");
}

#[test]
fn another_seed_gives_another_transcript() {
    let (a, _) = record(Some(campaign(7)));
    let (b, _) = record(Some(campaign(8)));
    assert_ne!(campaign(7).to_json_pretty(), campaign(8).to_json_pretty());
    assert_ne!(a.to_jsonl(), b.to_jsonl());
}

#[test]
fn a_transcript_replays_against_a_fresh_drive_with_the_same_plan() {
    let (recorded, _) = record(Some(campaign(11)));
    replay_against(&mut drive_with(Some(campaign(11))), recorded.records())
        .unwrap_or_else(|d| panic!("{d}"));
}

#[test]
fn a_fault_free_transcript_replays_and_a_faulty_drive_diverges_from_it() {
    let (recorded, _) = record(None);
    // Without faults the script burns: every write and read succeeds.
    for r in recorded.records() {
        if r.command == "WRITE (10)" || r.command == "READ (10)" {
            assert!(
                matches!(r.outcome, TraceOutcome::Completed { status: 0, .. }),
                "{r:?}"
            );
        }
    }
    replay_against(&mut drive_with(None), recorded.records()).unwrap_or_else(|d| panic!("{d}"));
    // The same commands against a drive whose plan flips one bit of the third READ (10) are
    // caught at that command.
    let third_read = recorded
        .records()
        .iter()
        .filter(|r| r.command == "READ (10)")
        .nth(2)
        .unwrap()
        .seq;
    let corrupting = FaultPlan::from_json_str(
        r#"{ "rules": [ { "match": { "opcode": "READ (10)", "nth": 3 },
                          "action": { "corrupt_data_in": { "bits": 1 } } } ] }"#,
    )
    .unwrap();
    let d = replay_against(&mut drive_with(Some(corrupting)), recorded.records()).unwrap_err();
    assert_eq!(d.seq, third_read, "{d}");
}
