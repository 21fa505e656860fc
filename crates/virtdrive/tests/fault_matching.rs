//! Which commands a rule takes: each criterion on its own, occurrences and fire counts, LBA
//! overlap at the edges, precedence between rules, and the sticky device_gone.

use mmc_core::Opcode;
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{block_range, CommandContext, Fault, FaultAction, FaultPlan};
use virtdrive::medium::MediumKind;

fn plan(text: &str) -> FaultPlan {
    FaultPlan::from_json_str(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Feeds `commands` to the plan, returning the index of the rule that fired for each.
fn rules_fired(plan: &mut FaultPlan, commands: &[CommandContext]) -> Vec<Option<usize>> {
    commands
        .iter()
        .map(|c| plan.evaluate(c).map(|f| f.rule))
        .collect()
}

const WRITE: CommandContext = CommandContext::new(Opcode::Write10);
const READ: CommandContext = CommandContext::new(Opcode::Read10);
const TUR: CommandContext = CommandContext::new(Opcode::TestUnitReady);

#[test]
fn a_rule_without_criteria_takes_every_command() {
    let mut p = plan(r#"{ "rules": [ { "action": "drop_write" } ] }"#);
    assert_eq!(rules_fired(&mut p, &[WRITE, TUR, READ]), [Some(0); 3]);
    assert_eq!(p.fire_count(0), 3);
}

#[test]
fn opcode_takes_only_that_command() {
    let mut p =
        plan(r#"{ "rules": [ { "match": { "opcode": "READ (10)" }, "action": "drop_write" } ] }"#);
    assert_eq!(
        rules_fired(&mut p, &[WRITE, READ, TUR, READ]),
        [None, Some(0), None, Some(0)]
    );
}

#[test]
fn nth_counts_occurrences_of_the_opcode_only() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": 3 }, "action": "drop_write" } ] }"#,
    );
    // Other commands between the writes do not move the count.
    let fired = rules_fired(&mut p, &[WRITE, TUR, WRITE, READ, TUR, WRITE, WRITE, WRITE]);
    assert_eq!(
        fired,
        [None, None, None, None, None, Some(0), None, None],
        "only the third WRITE"
    );
}

#[test]
fn nth_without_an_opcode_counts_every_command() {
    let mut p = plan(r#"{ "rules": [ { "match": { "nth": 3 }, "action": "drop_write" } ] }"#);
    assert_eq!(
        rules_fired(&mut p, &[WRITE, TUR, READ, WRITE]),
        [None, None, Some(0), None]
    );
}

#[test]
fn every_nth_and_from_nth() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": { "every": 3 } }, "action": "drop_write" } ] }"#,
    );
    let fired = rules_fired(&mut p, &[WRITE; 9]);
    assert_eq!(
        fired,
        [
            None,
            None,
            Some(0),
            None,
            None,
            Some(0),
            None,
            None,
            Some(0)
        ]
    );

    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": { "from": 4 } }, "action": "drop_write" } ] }"#,
    );
    let fired = rules_fired(&mut p, &[WRITE; 6]);
    assert_eq!(fired, [None, None, None, Some(0), Some(0), Some(0)]);
}

#[test]
fn the_fault_says_which_occurrence_it_hit() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": { "every": 2 } }, "action": "drop_write" } ] }"#,
    );
    let occurrences: Vec<u64> = [WRITE; 6]
        .iter()
        .filter_map(|c| p.evaluate(c))
        .map(|f| f.occurrence)
        .collect();
    assert_eq!(occurrences, [2, 4, 6]);
}

#[test]
fn times_limits_how_often_a_rule_fires() {
    let mut p = plan(
        r#"{ "rules": [
            { "match": { "opcode": "WRITE (10)" }, "action": "drop_write", "times": "once" },
            { "match": { "opcode": "READ (10)" }, "action": "drop_write", "times": 3 },
            { "match": { "opcode": "TEST UNIT READY" }, "action": "drop_write", "times": "always" }
        ] }"#,
    );
    let fired = rules_fired(&mut p, &[WRITE, WRITE, WRITE]);
    assert_eq!(fired, [Some(0), None, None]);
    let fired = rules_fired(&mut p, &[READ, READ, READ, READ, READ]);
    assert_eq!(fired, [Some(1), Some(1), Some(1), None, None]);
    let fired = rules_fired(&mut p, &[TUR; 10]);
    assert_eq!(fired, [Some(2); 10]);
    assert_eq!(
        (p.fire_count(0), p.fire_count(1), p.fire_count(2)),
        (1, 3, 10)
    );
    assert_eq!(p.fire_count(3), 0, "no such rule");
    assert_eq!(p.commands_seen(), 18);
}

/// A WRITE (10) of the inclusive blocks `first..=last`.
fn write(first: i64, last: i64) -> CommandContext {
    WRITE.with_lba_range(first, last)
}

#[test]
fn lba_ranges_match_on_any_overlap() {
    let rule = r#"{ "rules": [ { "match": { "lba": { "first": 100, "last": 199 } }, "action": "drop_write" } ] }"#;
    let cases = [
        (write(90, 99), false, "ends just before the range"),
        (write(90, 100), true, "last block is the range's first"),
        (write(100, 100), true, "one block, the first of the range"),
        (write(150, 160), true, "inside"),
        (write(199, 230), true, "first block is the range's last"),
        (write(200, 231), false, "starts just after the range"),
        (write(0, 1000), true, "covers the whole range"),
        (
            write(-150, -1),
            false,
            "negative CD addresses before the range",
        ),
        (TUR, false, "a command without blocks"),
    ];
    for (command, expected, why) in cases {
        let mut p = plan(rule);
        assert_eq!(p.evaluate(&command).is_some(), expected, "{why}");
    }
}

#[test]
fn negative_lba_ranges_take_cd_pregap_addresses() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "lba": { "first": -150, "last": -1 } }, "action": "drop_write" } ] }"#,
    );
    assert!(p.evaluate(&write(-150, -119)).is_some());
    assert!(p.evaluate(&write(0, 31)).is_none());
}

#[test]
fn block_ranges_are_read_from_the_cdb() {
    let write10 = [
        0x2A, // WRITE (10)
        0x00, // flags
        0x00, 0x00, 0x00, 0x64, // LBA 100
        0x00, // group
        0x00, 0x10, // 16 blocks
        0x00, // control
    ];
    assert_eq!(block_range(&write10), Some((100, 115)));

    let read12_sao = [
        0xA8, // READ (12)
        0x00, // flags
        0xFF, 0xFF, 0xFF, 0x6A, // LBA -150
        0x00, 0x00, 0x00, 0x02, // 2 blocks
        0x00, // streaming, group
        0x00, // control
    ];
    assert_eq!(block_range(&read12_sao), Some((-150, -149)));

    let verify10 = [
        0x2F, // VERIFY (10)
        0x00, // flags, BYTCHK 0
        0x00, 0x01, 0x00, 0x00, // LBA 65536
        0x00, // group
        0x00, 0x20, // 32 blocks
        0x00, // control
    ];
    assert_eq!(block_range(&verify10), Some((65536, 65567)));

    let write10_no_blocks = [
        0x2A, // WRITE (10)
        0x00, 0x00, 0x00, 0x00, 0x64, // LBA 100
        0x00, 0x00, 0x00, // 0 blocks: nothing is touched
        0x00,
    ];
    assert_eq!(block_range(&write10_no_blocks), None);

    let sync_cache = [
        0x35, // SYNCHRONIZE CACHE: has an LBA field, but is not a block transfer
        0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
    ];
    assert_eq!(block_range(&sync_cache), None);
    assert_eq!(block_range(&[0x2A, 0x00]), None, "a truncated CDB");
    assert_eq!(block_range(&[]), None);

    let ctx = CommandContext::from_cdb(&write10, VirtualTime::from_micros(5), None).unwrap();
    assert_eq!(ctx.opcode, Opcode::Write10);
    assert_eq!(ctx.lba_range, Some((100, 115)));
    assert_eq!(ctx.now, VirtualTime::from_micros(5));
    assert!(CommandContext::from_cdb(&[], VirtualTime::ZERO, None).is_none());
}

#[test]
fn time_windows_include_from_and_exclude_until() {
    let rule = r#"{ "rules": [ { "match": { "time": { "from": { "s": 2 }, "until": { "s": 3 } } }, "action": "drop_write" } ] }"#;
    let at = |us: u64| TUR.at(VirtualTime::from_micros(us));
    let cases = [
        (0, false),
        (1_999_999, false),
        (2_000_000, true),
        (2_999_999, true),
        (3_000_000, false),
    ];
    for (us, expected) in cases {
        let mut p = plan(rule);
        assert_eq!(p.evaluate(&at(us)).is_some(), expected, "at {us} µs");
    }
}

#[test]
fn medium_takes_only_that_disc_and_never_an_empty_drive() {
    let rule = r#"{ "rules": [ { "match": { "medium": "bd-re" }, "action": "drop_write" } ] }"#;
    let mut p = plan(rule);
    assert!(p.evaluate(&TUR.with_medium(MediumKind::BdRe)).is_some());
    assert!(p
        .evaluate(&TUR.with_medium(MediumKind::DvdPlusRw))
        .is_none());
    assert!(p.evaluate(&TUR).is_none(), "no disc");
}

#[test]
fn all_criteria_must_hold() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "lba": { "first": 0, "last": 15 },
                                     "medium": "dvd+rw" }, "action": "drop_write" } ] }"#,
    );
    let dvd = MediumKind::DvdPlusRw;
    assert!(p.evaluate(&write(0, 15).with_medium(dvd)).is_some());
    assert!(p.evaluate(&write(16, 31).with_medium(dvd)).is_none(), "LBA");
    assert!(p.evaluate(&write(0, 15)).is_none(), "medium");
    let read = READ.with_lba_range(0, 15).with_medium(dvd);
    assert!(p.evaluate(&read).is_none(), "opcode");
}

#[test]
fn the_first_rule_that_fires_wins() {
    let mut p = plan(
        r#"{ "rules": [
            { "match": { "opcode": "WRITE (10)", "nth": 2 }, "action": "timeout_before" },
            { "match": { "opcode": "WRITE (10)" }, "action": "drop_write", "times": 2 },
            { "match": { "opcode": "WRITE (10)" }, "action": "device_gone" }
        ] }"#,
    );
    let actions: Vec<FaultAction> = (0..4).map(|_| p.evaluate(&WRITE).unwrap().action).collect();
    assert_eq!(
        actions,
        [
            FaultAction::DropWrite,     // rule 1, first time
            FaultAction::TimeoutBefore, // rule 0 comes first and hides rule 1
            FaultAction::DropWrite,     // rule 1, second and last time
            FaultAction::DeviceGone,    // rule 1 is spent: rule 2
        ]
    );
    assert_eq!(p.fire_count(1), 2, "a hidden rule does not spend a firing");
}

#[test]
fn a_rule_that_loses_its_draw_does_not_hide_the_next() {
    let mut p = plan(
        r#"{ "rules": [
            { "match": { "probability": 0 }, "action": "timeout_before" },
            { "action": "drop_write" }
        ] }"#,
    );
    assert_eq!(rules_fired(&mut p, &[TUR, TUR]), [Some(1), Some(1)]);

    let mut p =
        plan(r#"{ "rules": [ { "match": { "probability": 1 }, "action": "drop_write" } ] }"#);
    assert_eq!(rules_fired(&mut p, &[TUR; 5]), [Some(0); 5]);
}

#[test]
fn device_gone_stays_gone() {
    let mut p = plan(
        r#"{ "rules": [
            { "match": { "opcode": "WRITE (10)", "nth": 2 }, "action": "device_gone", "times": "once" },
            { "match": { "opcode": "READ (10)" }, "action": "drop_write" }
        ] }"#,
    );
    assert!(p.evaluate(&WRITE).is_none());
    assert!(!p.device_gone());
    let gone = p.evaluate(&WRITE).unwrap();
    assert_eq!((gone.rule, gone.action), (0, FaultAction::DeviceGone));
    assert!(p.device_gone());
    for later in [TUR, READ, WRITE] {
        let fault = p.evaluate(&later).unwrap();
        assert_eq!(fault.action, FaultAction::DeviceGone, "{:?}", later.opcode);
        assert_eq!(fault.rule, 0);
    }
    assert_eq!(p.fire_count(0), 1);
    assert_eq!(
        p.fire_count(1),
        0,
        "nothing else fires once the device is gone"
    );
}

#[test]
fn reset_decides_again_as_when_loaded() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": 2 }, "action": "device_gone" } ] }"#,
    );
    let first = rules_fired(&mut p, &[WRITE, WRITE, TUR]);
    p.reset();
    assert_eq!(p.commands_seen(), 0);
    assert!(!p.device_gone());
    assert_eq!(rules_fired(&mut p, &[WRITE, WRITE, TUR]), first);
    assert_eq!(first, [None, Some(0), Some(0)]);
}

#[test]
fn an_empty_plan_never_fires() {
    let mut p = FaultPlan::empty();
    assert_eq!(rules_fired(&mut p, &[WRITE, READ, TUR]), [None; 3]);
}

/// The number of bits that differ between two buffers.
fn bits_differing(a: &[u8], b: &[u8]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[test]
fn corruption_flips_exactly_the_bits_asked_for() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "READ (10)" }, "action": { "corrupt_data_in": { "bits": 3 } } } ] }"#,
    );
    let original = vec![0x5Au8; 2048];
    for _ in 0..50 {
        let fault = p.evaluate(&READ).unwrap();
        let mut data = original.clone();
        fault.corrupt(&mut data);
        assert_eq!(bits_differing(&original, &data), 3);
        // The same fault applied again flips the same bits back.
        fault.corrupt(&mut data);
        assert_eq!(data, original);
    }
    // A one-byte transfer cannot hold more than 8 flipped bits; an empty one none.
    let fault = Fault {
        rule: 0,
        action: FaultAction::CorruptDataIn { bits: 64 },
        occurrence: 1,
        entropy: 12345,
    };
    let mut one = [0u8];
    fault.corrupt(&mut one);
    assert_eq!(one, [0xFF]);
    fault.corrupt(&mut []);
}

#[test]
fn corruption_draws_differ_from_firing_to_firing() {
    let mut p = plan(
        r#"{ "rules": [ { "match": { "opcode": "READ (10)" }, "action": { "corrupt_data_in": {} } } ] }"#,
    );
    let original = vec![0u8; 4096];
    let mut corrupted: Vec<Vec<u8>> = Vec::new();
    for _ in 0..10 {
        let mut data = original.clone();
        p.evaluate(&READ).unwrap().corrupt(&mut data);
        corrupted.push(data);
    }
    corrupted.sort();
    corrupted.dedup();
    assert!(corrupted.len() > 1, "every firing flipped the same bit");
}
