//! The example plans in fixtures/fault-plans/ all load, and the ones the README describes do
//! what their description says.

use std::path::PathBuf;
use std::time::Duration;

use mmc_core::sense::{SenseFormat, SenseKey, SenseKeySpecific};
use mmc_core::Opcode;
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{CommandContext, DriveCondition, FaultAction, FaultPlan};
use virtdrive::medium::MediumKind;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fault-plans")
}

fn load(name: &str) -> FaultPlan {
    FaultPlan::from_path(fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_plan_loads_and_round_trips() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let plan = FaultPlan::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!plan.rules().is_empty(), "{}", path.display());
        assert!(
            plan.spec().description.is_some(),
            "{} should say what it is for",
            path.display()
        );
        let again = FaultPlan::from_json_str(&plan.to_json_pretty()).unwrap();
        assert_eq!(again.spec(), plan.spec(), "{}", path.display());
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    for documented in [
        "write-protect-on-write.json",
        "loss-of-streaming-at-lba.json",
        "timeout-on-sync-cache.json",
        "power-loss-mid-write.json",
        "becoming-ready-3-times.json",
        "random-campaign.json",
    ] {
        assert!(
            names.iter().any(|n| n == documented),
            "{documented} missing"
        );
    }
}

fn sense_triple(action: &FaultAction) -> (SenseKey, u8, u8) {
    let s = action
        .sense()
        .unwrap_or_else(|| panic!("{action:?} is not sense"));
    (s.key, s.asc, s.ascq)
}

#[test]
fn becoming_ready_three_times_then_one_unit_attention() {
    let mut plan = load("becoming-ready-3-times.json");
    let tur = CommandContext::new(Opcode::TestUnitReady);
    let answers: Vec<Option<(SenseKey, u8, u8)>> = (0..6)
        .map(|_| plan.evaluate(&tur).map(|f| sense_triple(&f.action)))
        .collect();
    let becoming_ready = Some((SenseKey::NotReady, 0x04, 0x01));
    assert_eq!(
        answers,
        [
            becoming_ready,
            becoming_ready,
            becoming_ready,
            Some((SenseKey::UnitAttention, 0x28, 0x00)),
            None,
            None,
        ]
    );
}

#[test]
fn loss_of_streaming_hits_the_write_that_reaches_lba_5000() {
    let mut plan = load("loss-of-streaming-at-lba.json");
    let write = CommandContext::new(Opcode::Write10);
    assert!(plan.evaluate(&write.with_lba_range(4960, 4999)).is_none());
    let fault = plan.evaluate(&write.with_lba_range(4990, 5021)).unwrap();
    let sense = fault.action.sense().unwrap();
    assert_eq!(
        (sense.key, sense.asc, sense.ascq),
        (SenseKey::MediumError, 0x0C, 0x09)
    );
    assert_eq!(sense.information, Some(5000));
    assert!(
        plan.evaluate(&write.with_lba_range(4990, 5021)).is_none(),
        "once"
    );
}

#[test]
fn the_drive_side_examples_ask_for_what_they_say() {
    let mut plan = load("write-protect-on-write.json");
    let fault = plan
        .evaluate(&CommandContext::new(Opcode::Write10))
        .unwrap();
    assert_eq!(
        fault.action,
        FaultAction::DriveCondition(DriveCondition::WriteProtect)
    );

    let mut plan = load("power-loss-mid-write.json");
    let write = CommandContext::new(Opcode::Write10);
    let fired: Vec<usize> = (1..=150)
        .filter(|_| plan.evaluate(&write).is_some())
        .collect();
    assert_eq!(fired.len(), 1);
    assert_eq!(plan.fire_count(0), 1);

    let mut plan = load("timeout-on-sync-cache.json");
    let sync = CommandContext::new(Opcode::SynchronizeCache);
    assert_eq!(
        plan.evaluate(&sync).map(|f| f.action),
        Some(FaultAction::TimeoutAfter)
    );
    assert!(plan.evaluate(&sync).is_none());
}

#[test]
fn format_progress_is_descriptor_sense_on_bd_re_during_the_first_30_seconds() {
    let plan = load("format-progress-descriptor-sense.json");
    let rule = &plan.rules()[0];
    let sense = rule.action.sense().unwrap();
    assert_eq!(sense.format, SenseFormat::Descriptor);
    assert_eq!(sense.sks, Some(SenseKeySpecific::Progress(0x4000)));
    assert_eq!(rule.matcher.opcode, Some(Opcode::ReadCapacity));

    let mut plan = plan;
    let at = |s: u64| {
        CommandContext::new(Opcode::ReadCapacity)
            .with_medium(MediumKind::BdRe)
            .at(VirtualTime::ZERO.after(Duration::from_secs(s)))
    };
    assert!(plan.evaluate(&at(29)).is_some());
    assert!(plan.evaluate(&at(30)).is_none());
}

#[test]
fn the_random_campaign_is_the_same_every_run() {
    let commands: Vec<CommandContext> = (0..3000)
        .map(|i| match i % 4 {
            0 => CommandContext::new(Opcode::Write10).with_lba_range(i, i + 15),
            1 => CommandContext::new(Opcode::Read10).with_lba_range(i, i + 15),
            2 => CommandContext::new(Opcode::SynchronizeCache),
            _ => CommandContext::new(Opcode::GetEventStatusNotification),
        })
        .collect();
    let run = || {
        let mut plan = load("random-campaign.json");
        commands
            .iter()
            .map(|c| plan.evaluate(c))
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run());
    let timeouts = first
        .iter()
        .flatten()
        .filter(|f| f.action == FaultAction::TimeoutBefore)
        .count();
    assert_eq!(timeouts, 2, "SYNCHRONIZE CACHE times out at most twice");
    let delays = first
        .iter()
        .flatten()
        .filter(|f| matches!(f.action, FaultAction::Delay(_)))
        .count();
    assert_eq!(delays, 750 / 50, "every 50th of 750 status polls");
}
