//! `discwriter write --json`'s event lines (README, "The result line"): the fields of IMAPI's
//! IDiscFormat2DataEventArgs and the engine's own, each action announced once, and a failed
//! write's last events: the action it failed in, then COMPLETED with the error the result
//! line names. The plain progress lines say how the write ended.

mod common;

use common::{discwriter, fixture, image};
use serde_json::Value;
use std::process::Output;

/// The fields of an event line, as the README lists them.
const EVENT_FIELDS: [&str; 19] = [
    "action",
    "elapsed_time",
    "remaining_time",
    "total_time",
    "start_lba",
    "sector_count",
    "sector_count_known",
    "last_read_lba",
    "last_written_lba",
    "total_system_buffer",
    "used_system_buffer",
    "free_system_buffer",
    "drive_buffer_fill",
    "speed_x",
    "operation_progress",
    "sectors_verified",
    "sectors_to_verify",
    "error",
    "wall_seconds",
];

/// Writes a 320-sector image to a new CD-R disc file with `extra` arguments.
fn write(extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("image.bin");
    std::fs::write(&img, image(320, 1)).unwrap();
    let drive = format!("virt:cd-r@{}", dir.path().join("cd").display());
    let mut args = vec!["write", img.to_str().unwrap(), "--drive", &drive];
    args.extend_from_slice(extra);
    discwriter(&args, dir.path())
}

/// [`write`] with `--json`: the event objects and the result object.
fn write_json(extra: &[&str]) -> (Vec<Value>, Value) {
    let o = write(&[extra, &["--json"]].concat());
    let out = String::from_utf8_lossy(&o.stdout);
    let mut lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let result = lines.pop().expect("a result line")["result"].clone();
    let events = lines.into_iter().map(|l| l["event"].clone()).collect();
    (events, result)
}

fn actions(events: &[Value]) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for e in events {
        let a = e["action"].as_str().unwrap();
        if v.last() != Some(&a) {
            v.push(a);
        }
    }
    v
}

#[test]
fn every_event_line_carries_the_documented_fields() {
    let (events, result) = write_json(&[]);
    assert_eq!(result["error"], Value::Null, "{result}");
    assert_eq!(
        actions(&events),
        [
            "VALIDATING_MEDIA",
            "INITIALIZING_HARDWARE",
            "CALIBRATING_POWER",
            "WRITING_DATA",
            "FINALIZATION",
            "VERIFYING",
            "COMPLETED"
        ]
    );
    for e in &events {
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        let mut documented = EVENT_FIELDS.to_vec();
        keys.sort_unstable();
        documented.sort_unstable();
        assert_eq!(keys, documented, "{e}");
        assert_eq!(e["error"], Value::Null, "{e}");
        let (elapsed, remaining, total) = (
            e["elapsed_time"].as_f64().unwrap(),
            e["remaining_time"].as_f64().unwrap(),
            e["total_time"].as_f64().unwrap(),
        );
        assert!((total - elapsed - remaining).abs() < 1e-6, "{e}");
        assert!(
            e["last_read_lba"].as_i64().unwrap() >= e["last_written_lba"].as_i64().unwrap(),
            "{e}"
        );
    }
    // The first WRITING_DATA event's estimate counts the session's close: a CD-R's lead-in
    // and lead-out take most of the write.
    let first = events
        .iter()
        .find(|e| e["action"] == "WRITING_DATA")
        .unwrap();
    let took = events.last().unwrap()["elapsed_time"].as_f64().unwrap()
        - first["elapsed_time"].as_f64().unwrap();
    let estimate = first["remaining_time"].as_f64().unwrap();
    assert!(
        estimate >= took / 2.0 && estimate <= took * 2.0,
        "{estimate} s estimated, {took} s taken"
    );
}

#[test]
fn a_failed_write_ends_with_its_action_then_completed_with_the_error() {
    let plan = fixture("fault-plans/matrix/writing-write-error.json");
    let (events, result) = write_json(&["--fault-plan", plan.to_str().unwrap()]);
    assert_eq!(result["error"], "E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE");
    let n = events.len();
    assert!(n >= 2);
    assert_eq!(events[n - 2]["action"], "WRITING_DATA", "{}", events[n - 2]);
    assert_eq!(events[n - 2]["error"], Value::Null);
    assert_eq!(events[n - 1]["action"], "COMPLETED");
    assert_eq!(events[n - 1]["error"], result["error"]);
    assert_eq!(events[n - 1]["remaining_time"], 0.0);
    assert_eq!(
        events[n - 1]["last_written_lba"],
        result["last_written_lba"],
        "{result}"
    );

    // The plain lines say the write stopped, and with what.
    let o = write(&["--fault-plan", plan.to_str().unwrap(), "-v"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("stopped with E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE: ")),
        "{err}"
    );
    assert!(!err.lines().any(|l| l.starts_with("completed:")), "{err}");
}
