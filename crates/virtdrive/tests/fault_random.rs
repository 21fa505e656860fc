//! Determinism: the same plan and seed decide the same faults for the same commands, and
//! seeded random plans are concrete, reproducible and saved without loss.

use mmc_core::Opcode;
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{
    ActionKind, CommandContext, Fault, FaultAction, FaultPlan, Occurrence, RandomPlanOptions,
};
use virtdrive::medium::MediumKind;

/// A long, varied command sequence from a fixed linear congruential generator (Knuth's MMIX
/// constants), independent of the code under test.
fn commands(count: usize) -> Vec<CommandContext> {
    const OPCODES: [Opcode; 8] = [
        Opcode::Write10,
        Opcode::Write12,
        Opcode::Read10,
        Opcode::Verify10,
        Opcode::TestUnitReady,
        Opcode::SynchronizeCache,
        Opcode::ReadDiscInformation,
        Opcode::GetEventStatusNotification,
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let mut now = 0u64;
    (0..count)
        .map(|_| {
            let opcode = OPCODES[(next() % OPCODES.len() as u64) as usize];
            now += next() % 20_000;
            let mut ctx = CommandContext::new(opcode)
                .at(VirtualTime::from_micros(now))
                .with_medium(MediumKind::BdRe);
            if matches!(
                opcode,
                Opcode::Write10 | Opcode::Write12 | Opcode::Read10 | Opcode::Verify10
            ) {
                let first = (next() % 100_000) as i64;
                ctx = ctx.with_lba_range(first, first + 31);
            }
            ctx
        })
        .collect()
}

fn decisions(plan: &mut FaultPlan, commands: &[CommandContext]) -> Vec<Option<Fault>> {
    commands.iter().map(|c| plan.evaluate(c)).collect()
}

const CAMPAIGN: &str = r#"{ "seed": SEED, "rules": [
    { "match": { "opcode": "TEST UNIT READY", "nth": { "every": 7 } }, "action": "drop_write" },
    { "match": { "opcode": "WRITE (10)", "probability": 0.03 },
      "action": { "sense": { "key": 3, "asc": "0x0C", "ascq": 0 } } },
    { "match": { "opcode": "READ (10)", "probability": 0.05 }, "action": { "corrupt_data_in": { "bits": 2 } } },
    { "match": { "probability": 0.01 }, "action": "timeout_after" }
] }"#;

fn campaign(seed: u64) -> FaultPlan {
    FaultPlan::from_json_str(&CAMPAIGN.replace("SEED", &seed.to_string())).unwrap()
}

#[test]
fn the_same_plan_and_seed_decide_the_same_faults() {
    let sequence = commands(20_000);
    let first = decisions(&mut campaign(7), &sequence);
    let second = decisions(&mut campaign(7), &sequence);
    assert_eq!(first, second);

    // The sequence does exercise the draws: every rule fired, and not on every command.
    let fired = first.iter().flatten().count();
    assert!(fired > 500 && fired < 5_000, "{fired} faults");
    for rule in 0..4 {
        assert!(
            first.iter().flatten().any(|f| f.rule == rule),
            "rule {rule} never fired"
        );
    }
}

#[test]
fn a_different_seed_decides_differently() {
    let sequence = commands(20_000);
    let seven = decisions(&mut campaign(7), &sequence);
    let eight = decisions(&mut campaign(8), &sequence);
    assert_ne!(seven, eight);
    // The scripted rule comes first, so no draw can hide it: every 7th TEST UNIT READY,
    // whatever the seed.
    let scripted = |d: &[Option<Fault>]| -> Vec<u64> {
        d.iter()
            .flatten()
            .filter(|f| f.rule == 0)
            .map(|f| f.occurrence)
            .collect()
    };
    let every_seventh: Vec<u64> = (1..=scripted(&seven).len() as u64).map(|i| 7 * i).collect();
    assert!(every_seventh.len() > 100);
    assert_eq!(scripted(&seven), every_seventh);
    assert_eq!(scripted(&eight), every_seventh);
}

#[test]
fn a_probability_rule_fires_about_as_often_as_it_says() {
    let mut plan = FaultPlan::from_json_str(
        r#"{ "seed": 1, "rules": [ { "match": { "probability": 0.1 }, "action": "drop_write" } ] }"#,
    )
    .unwrap();
    let tur = CommandContext::new(Opcode::TestUnitReady);
    let fired = (0..10_000)
        .filter(|_| plan.evaluate(&tur).is_some())
        .count();
    // Binomial(10000, 0.1): mean 1000, standard deviation 30; six deviations either side.
    assert!((820..=1180).contains(&fired), "{fired} of 10000");
}

#[test]
fn a_reset_plan_replays_the_same_decisions() {
    let sequence = commands(5_000);
    let mut plan = campaign(11);
    let first = decisions(&mut plan, &sequence);
    plan.reset();
    assert_eq!(decisions(&mut plan, &sequence), first);
}

#[test]
fn random_plans_are_reproducible_from_their_seed() {
    let options = RandomPlanOptions::default();
    let a = FaultPlan::random(42, &options);
    let b = FaultPlan::random(42, &options);
    assert_eq!(a.to_json_pretty(), b.to_json_pretty());
    assert_ne!(
        a.to_json_pretty(),
        FaultPlan::random(43, &options).to_json_pretty()
    );
    assert_eq!(a.seed(), 42);
}

#[test]
fn a_saved_random_plan_replays_exactly() {
    let options = RandomPlanOptions {
        density: 0.02,
        horizon: 500,
        probability: 0.02,
        ..RandomPlanOptions::default()
    };
    let mut generated = FaultPlan::random(2024, &options);
    let saved = generated.to_json_pretty();
    let mut loaded = FaultPlan::from_json_str(&saved).unwrap();
    assert_eq!(loaded.spec(), generated.spec());
    let sequence = commands(20_000);
    let original = decisions(&mut generated, &sequence);
    assert_eq!(decisions(&mut loaded, &sequence), original);
    assert!(original.iter().flatten().count() > 0);
}

#[test]
fn random_plans_keep_to_their_options() {
    let options = RandomPlanOptions {
        density: 0.05,
        horizon: 200,
        probability: 0.0,
        actions: vec![ActionKind::Sense, ActionKind::ShortTransfer],
        opcodes: vec![Opcode::Write10, Opcode::SynchronizeCache],
    };
    let plan = FaultPlan::random(5, &options);
    // 0.05 faults per occurrence over 200 occurrences of 2 commands: 20 rules.
    assert_eq!(plan.rules().len(), 20);
    for rule in plan.rules() {
        let m = &rule.matcher;
        assert!(matches!(
            m.opcode,
            Some(Opcode::Write10 | Opcode::SynchronizeCache)
        ));
        match m.nth {
            Some(Occurrence::Nth(n)) => assert!((1..=200).contains(&n), "{n}"),
            other => panic!("scripted rules fire at one occurrence, got {other:?}"),
        }
        assert!(m.probability.is_none());
        assert!(matches!(
            rule.action,
            FaultAction::Sense(_) | FaultAction::ShortTransfer { .. }
        ));
    }
    // The generated plan passes the same checks as a loaded one.
    assert!(FaultPlan::new(plan.spec().clone()).is_ok());
}

#[test]
fn random_plans_with_a_probability_get_one_rule_per_command() {
    let options = RandomPlanOptions {
        density: 0.0,
        probability: 0.5,
        opcodes: vec![Opcode::Read10, Opcode::Write10, Opcode::TestUnitReady],
        ..RandomPlanOptions::default()
    };
    let plan = FaultPlan::random(9, &options);
    let targets: Vec<(Option<Opcode>, Option<f64>)> = plan
        .rules()
        .iter()
        .map(|r| (r.matcher.opcode, r.matcher.probability))
        .collect();
    assert_eq!(
        targets,
        [
            (Some(Opcode::Read10), Some(0.5)),
            (Some(Opcode::Write10), Some(0.5)),
            (Some(Opcode::TestUnitReady), Some(0.5)),
        ]
    );
}

#[test]
fn default_random_plans_only_use_what_any_transport_can_suffer() {
    for seed in 0..20 {
        let plan = FaultPlan::random(seed, &RandomPlanOptions::default());
        for rule in plan.rules() {
            let kind = rule.action.kind();
            assert!(!kind.needs_drive(), "{kind}");
            assert_ne!(kind, ActionKind::DeviceGone, "ends the campaign at once");
        }
    }
}
