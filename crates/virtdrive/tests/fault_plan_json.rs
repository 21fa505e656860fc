//! The JSON schema of fault plans: every action and every criterion read from hand-written
//! text, written back and read again unchanged, and malformed plans rejected with errors that
//! name the rule and the field.

use std::time::Duration;

use mmc_core::sense::{SenseFormat, SenseKey, SenseKeySpecific};
use mmc_core::Opcode;
use serde_json::json;
use virtdrive::fault::{
    DriveCondition, FaultAction, FaultPlan, FaultPlanError, FaultPlanSpec, LbaRange, Occurrence,
    RuleMatch, SenseAction, TimeWindow, Times,
};
use virtdrive::medium::MediumKind;

fn sense(key: SenseKey, asc: u8, ascq: u8) -> SenseAction {
    SenseAction {
        key,
        asc,
        ascq,
        information: None,
        command_specific: None,
        sks: None,
        format: SenseFormat::Fixed,
        deferred: false,
        executed: false,
    }
}

/// Reads a plan, writes it back, reads that again: the same rules both times.
fn round_trip(text: &str) -> FaultPlanSpec {
    let first = FaultPlan::from_json_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let written = first.to_json_pretty();
    let second = FaultPlan::from_json_str(&written).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(first.spec(), second.spec(), "written back as:\n{written}");
    second.spec().clone()
}

#[test]
fn every_action_reads_as_written_and_round_trips() {
    let text = r#"{ "rules": [
        { "action": { "sense": { "key": 3, "asc": "0x0C", "ascq": 9 } } },
        { "action": { "sense": { "key": "illegal_request", "asc": 36, "ascq": "00h",
                                 "information": 4294967296, "command_specific": 7,
                                 "sks": { "field_pointer": { "in_cdb": true, "bit": 3, "byte": 1 } },
                                 "format": "descriptor", "deferred": true, "executed": true } } },
        { "action": "timeout_before" },
        { "action": "timeout_after" },
        { "action": "device_gone" },
        { "action": { "delay": { "ms": 750 } } },
        { "action": { "short_transfer": { "bytes": 8 } } },
        { "action": { "corrupt_data_in": { "bits": 3 } } },
        { "action": { "corrupt_data_in": {} } },
        { "action": "drop_write" },
        { "action": "power_loss" },
        { "action": { "drive_condition": "write_protect" } },
        { "action": { "drive_condition": "eject" } },
        { "action": { "drive_condition": "no_medium" } },
        { "action": { "drive_condition": { "becoming_ready": { "duration": { "s": 2.5 } } } } },
        { "action": { "drive_condition": "power_on_reset" } },
        { "action": { "drive_condition": "upside_down" } },
        { "action": { "drive_condition": { "incompatible": { "ascq": "0x02" } } } },
        { "action": { "drive_condition": { "exclusive_access": { "owner": "k3b", "duration": { "us": 1500 } } } } }
    ] }"#;
    let spec = round_trip(text);
    let actions: Vec<FaultAction> = spec.rules.iter().map(|r| r.action.clone()).collect();

    let mut full = sense(SenseKey::IllegalRequest, 0x24, 0x00);
    full.information = Some(1 << 32);
    full.command_specific = Some(7);
    full.sks = Some(SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit: Some(3),
        byte: 1,
    });
    full.format = SenseFormat::Descriptor;
    full.deferred = true;
    full.executed = true;

    assert_eq!(
        actions,
        vec![
            FaultAction::Sense(sense(SenseKey::MediumError, 0x0C, 0x09)),
            FaultAction::Sense(full),
            FaultAction::TimeoutBefore,
            FaultAction::TimeoutAfter,
            FaultAction::DeviceGone,
            FaultAction::Delay(Duration::from_millis(750)),
            FaultAction::ShortTransfer { bytes: 8 },
            FaultAction::CorruptDataIn { bits: 3 },
            FaultAction::CorruptDataIn { bits: 1 },
            FaultAction::DropWrite,
            FaultAction::PowerLoss,
            FaultAction::DriveCondition(DriveCondition::WriteProtect),
            FaultAction::DriveCondition(DriveCondition::Eject),
            FaultAction::DriveCondition(DriveCondition::NoMedium),
            FaultAction::DriveCondition(DriveCondition::BecomingReady {
                duration: Duration::from_millis(2500)
            }),
            FaultAction::DriveCondition(DriveCondition::PowerOnReset),
            FaultAction::DriveCondition(DriveCondition::UpsideDown),
            FaultAction::DriveCondition(DriveCondition::Incompatible { ascq: 2 }),
            FaultAction::DriveCondition(DriveCondition::ExclusiveAccess {
                owner: "k3b".into(),
                duration: Some(Duration::from_micros(1500)),
            }),
        ]
    );
    // Every rule without "times" may fire any number of times.
    assert!(spec.rules.iter().all(|r| r.times == Times::Always));
}

#[test]
fn every_criterion_reads_as_written_and_round_trips() {
    let text = r#"{ "seed": 99, "description": "all criteria", "rules": [
        { "name": "everything",
          "match": { "opcode": "WRITE (10)", "nth": 3, "lba": { "first": -150, "last": 0 },
                     "time": { "from": { "s": 1 }, "until": { "ms": 2500 } },
                     "medium": "dvd+rw", "probability": 0.25 },
          "action": "drop_write", "times": "once" },
        { "match": { "nth": { "every": 5 } }, "action": "drop_write", "times": 4 },
        { "match": { "nth": { "from": 100 }, "medium": "bd-re" }, "action": "drop_write", "times": "always" },
        { "match": { "time": { "until": { "us": 7 } } }, "action": "drop_write" },
        { "action": "drop_write" }
    ] }"#;
    let spec = round_trip(text);
    assert_eq!(spec.seed, 99);
    assert_eq!(spec.description.as_deref(), Some("all criteria"));
    assert_eq!(spec.rules[0].name.as_deref(), Some("everything"));
    assert_eq!(
        spec.rules[0].matcher,
        RuleMatch {
            opcode: Some(Opcode::Write10),
            nth: Some(Occurrence::Nth(3)),
            lba: Some(LbaRange::new(-150, 0)),
            time: Some(TimeWindow {
                from: Some(Duration::from_secs(1)),
                until: Some(Duration::from_millis(2500)),
            }),
            medium: Some(MediumKind::DvdPlusRw),
            probability: Some(0.25),
        }
    );
    assert_eq!(spec.rules[0].times, Times::ONCE);
    assert_eq!(spec.rules[1].matcher.nth, Some(Occurrence::Every(5)));
    assert_eq!(spec.rules[1].times, Times::Count(4));
    assert_eq!(spec.rules[2].matcher.nth, Some(Occurrence::From(100)));
    assert_eq!(spec.rules[2].matcher.medium, Some(MediumKind::BdRe));
    assert_eq!(spec.rules[2].times, Times::Always);
    assert_eq!(
        spec.rules[3].matcher.time,
        Some(TimeWindow {
            from: None,
            until: Some(Duration::from_micros(7)),
        })
    );
    assert_eq!(
        spec.rules[4].matcher,
        RuleMatch::default(),
        "no match: any command"
    );
}

#[test]
fn opcodes_are_read_as_numbers_or_names() {
    for spelling in [
        json!(42),
        json!("0x2A"),
        json!("2Ah"),
        json!("WRITE (10)"),
        json!("WRITE(10)"),
        json!("write10"),
    ] {
        let text =
            json!({ "rules": [ { "match": { "opcode": spelling }, "action": "drop_write" } ] })
                .to_string();
        let plan = FaultPlan::from_json_str(&text).unwrap_or_else(|e| panic!("{spelling}: {e}"));
        assert_eq!(
            plan.rules()[0].matcher.opcode,
            Some(Opcode::Write10),
            "{spelling}"
        );
    }
    // An opcode mmc-core does not name is kept as its byte.
    let plan = FaultPlan::from_json_str(
        r#"{ "rules": [ { "match": { "opcode": 197 }, "action": "drop_write" } ] }"#,
    )
    .unwrap();
    assert_eq!(plan.rules()[0].matcher.opcode, Some(Opcode::Unknown(0xC5)));
}

#[test]
fn values_are_written_in_one_readable_spelling() {
    let text = r#"{ "rules": [
        { "match": { "opcode": 42, "medium": "DVD+RW" },
          "action": { "sense": { "key": 3, "asc": 12, "ascq": 9 } }, "times": 1 },
        { "match": { "opcode": 197 }, "action": { "delay": { "us": 2000000 } } },
        { "action": { "delay": { "s": 0.0015 } } }
    ] }"#;
    let plan = FaultPlan::from_json_str(text).unwrap();
    let written: serde_json::Value = serde_json::from_str(&plan.to_json_pretty()).unwrap();
    assert_eq!(
        written,
        json!({
            "seed": 0,
            "rules": [
                { "match": { "opcode": "WRITE (10)", "medium": "dvd+rw" },
                  "action": { "sense": { "key": "medium_error", "asc": "0x0C", "ascq": "0x09",
                                         "format": "fixed" } },
                  "times": "once" },
                { "match": { "opcode": "0xC5" }, "action": { "delay": { "s": 2 } },
                  "times": "always" },
                { "match": {}, "action": { "delay": { "us": 1500 } }, "times": "always" }
            ]
        })
    );
}

/// The error a plan gives, with its message.
fn error_of(text: &str) -> (FaultPlanError, String) {
    match FaultPlan::from_json_str(text) {
        Ok(plan) => panic!("accepted: {:?}", plan.rules()),
        Err(e) => {
            let message = e.to_string();
            (e, message)
        }
    }
}

/// A plan whose second rule (rules[1]) holds `rule`, after a good first rule.
fn second_rule(rule: serde_json::Value) -> String {
    json!({ "rules": [ { "action": "drop_write" }, rule ] }).to_string()
}

#[test]
fn malformed_plans_name_the_rule_and_the_field() {
    let cases: Vec<(serde_json::Value, &str, &str)> = vec![
        (
            json!({ "match": { "opcode": "WRTIE (10)" }, "action": "drop_write" }),
            "rules[1].match.opcode",
            "WRTIE (10)",
        ),
        (
            json!({ "match": { "opcode": 256 }, "action": "drop_write" }),
            "rules[1].match.opcode",
            "256",
        ),
        (
            json!({ "action": { "sense": { "key": 3, "asc": 300, "ascq": 0 } } }),
            "rules[1].action.sense.asc",
            "300",
        ),
        (
            json!({ "action": { "sense": { "key": 16, "asc": 0, "ascq": 0 } } }),
            "rules[1].action.sense.key",
            "16",
        ),
        (
            json!({ "action": { "sense": { "key": 3, "asc": "12", "ascq": 0 } } }),
            "rules[1].action.sense.asc",
            "0x0C",
        ),
        (
            json!({ "action": { "sense": { "key": 3, "asc": 12 } } }),
            "rules[1].action.sense",
            "ascq",
        ),
        (
            json!({ "action": "timeout" }),
            "rules[1].action",
            "timeout_before",
        ),
        (
            json!({ "match": { "opcdoe": 42 }, "action": "drop_write" }),
            "rules[1].match.opcdoe",
            "expected one of `opcode`",
        ),
        (
            json!({ "match": { "medium": "floppy" }, "action": "drop_write" }),
            "rules[1].match.medium",
            "floppy",
        ),
        (
            json!({ "match": { "time": { "from": { "s": 1, "ms": 5 } } }, "action": "drop_write" }),
            "rules[1].match.time.from",
            "exactly one",
        ),
        (
            json!({ "match": { "nth": { "each": 5 } }, "action": "drop_write" }),
            "rules[1].match.nth",
            "each",
        ),
        (
            json!({ "action": "drop_write", "times": "twice" }),
            "rules[1].times",
            "twice",
        ),
        // Values serde accepts but the plan cannot use.
        (
            json!({ "match": { "lba": { "first": 10, "last": 9 } }, "action": "drop_write" }),
            "rules[1].match.lba",
            "empty",
        ),
        (
            json!({ "match": { "probability": 1.5 }, "action": "drop_write" }),
            "rules[1].match.probability",
            "1.5",
        ),
        (
            json!({ "match": { "nth": 0 }, "action": "drop_write" }),
            "rules[1].match.nth",
            "from 1",
        ),
        (
            json!({ "match": { "nth": { "every": 0 } }, "action": "drop_write" }),
            "rules[1].match.nth",
            "from 1",
        ),
        (
            json!({ "match": { "time": { "from": { "s": 5 }, "until": { "s": 5 } } },
                    "action": "drop_write" }),
            "rules[1].match.time",
            "empty",
        ),
        (
            json!({ "action": "drop_write", "times": 0 }),
            "rules[1].times",
            "never",
        ),
        (
            json!({ "action": { "sense": { "key": 3, "asc": 0x11, "ascq": 0,
                                           "information": 4294967296u64 } } }),
            "rules[1].action.sense.information",
            "descriptor",
        ),
        (
            json!({ "action": { "corrupt_data_in": { "bits": 0 } } }),
            "rules[1].action.corrupt_data_in.bits",
            "1 to 64",
        ),
        (
            json!({ "action": { "drive_condition": { "exclusive_access": { "owner": "" } } } }),
            "rules[1].action.drive_condition.exclusive_access.owner",
            "client",
        ),
    ];
    for (rule, field, detail) in cases {
        let (error, message) = error_of(&second_rule(rule.clone()));
        assert_eq!(error.rule(), Some(1), "{rule}: {message}");
        assert_eq!(error.field().as_deref(), Some(field), "{rule}: {message}");
        assert!(message.starts_with("<string>: "), "{message}");
        assert!(message.contains(field), "{message}");
        assert!(message.contains(detail), "{rule}: {message}");
    }
}

#[test]
fn text_that_is_not_a_plan_is_an_error_with_its_position() {
    let (error, message) = error_of("{ \"rules\": [ ");
    assert_eq!(error.rule(), None);
    assert!(message.contains("line 1"), "{message}");

    let (error, message) = error_of(r#"{ "seed": 1 }"#);
    assert_eq!(error.rule(), None);
    assert!(message.contains("rules"), "{message}");

    let (_, message) = error_of(r#"{ "rules": [] } trailing"#);
    assert!(message.contains("trailing"), "{message}");
}

#[test]
fn errors_from_files_name_the_file() {
    let dir = std::env::temp_dir().join(format!("virtdrive-fault-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad-plan.json");
    std::fs::write(
        &bad,
        r#"{ "rules": [ { "match": { "lba": { "first": 5, "last": 1 } }, "action": "drop_write" } ] }"#,
    )
    .unwrap();
    let message = FaultPlan::from_path(&bad).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!("{}: rules[0].match.lba", bad.display())),
        "{message}"
    );

    let missing = dir.join("missing.json");
    let error = FaultPlan::from_path(&missing).unwrap_err();
    assert!(matches!(error, FaultPlanError::Io { .. }));
    assert!(error.to_string().contains("missing.json"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plans_built_in_code_are_checked_like_loaded_ones() {
    let spec = FaultPlanSpec {
        description: None,
        seed: 0,
        rules: vec![virtdrive::fault::FaultRule::new(
            RuleMatch {
                lba: Some(LbaRange::new(3, 2)),
                ..RuleMatch::default()
            },
            FaultAction::DropWrite,
        )],
    };
    let error = FaultPlan::new(spec).unwrap_err();
    assert_eq!(error.field().as_deref(), Some("rules[0].match.lba"));
}
