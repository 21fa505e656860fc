//! End-to-end tests of `discwriter sense` and `discwriter cdb`, run as a user runs them.

use std::process::{Command, Output};

fn discwriter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(args)
        .output()
        .expect("run discwriter")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "failed: {}", stderr(o));
    let text = stdout(o);
    assert_eq!(text.trim().lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(text.trim()).expect("valid JSON")
}

#[test]
fn fixed_sense_is_decoded_readably() {
    // sg_decode_sense 70 00 02 00 00 00 00 0a 00 00 00 00 3a 01 prints
    // "Fixed format, current; Sense key: Not Ready / Additional sense: Medium not present - tray closed"
    let o = discwriter(&[
        "sense", "70", "00", "02", "00", "00", "00", "00", "0a", "00", "00", "00", "00", "3a",
        "01", "00", "00", "00", "00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o).to_lowercase();
    assert!(text.contains("fixed format, current"), "{text}");
    assert!(text.contains("not ready"), "{text}");
    assert!(text.contains("medium not present - tray closed"), "{text}");
    assert!(text.contains("e_imapi_recorder_media_no_media"), "{text}");
}

#[test]
fn descriptor_sense_json_has_every_field() {
    // NOT READY, format in progress, sense-key-specific progress 0x1234 / 65536 = 7.11 %
    let o = discwriter(&[
        "sense",
        "--json",
        "72 02 04 04 00 00 00 08 02 06 00 00 80 12 34 00",
    ]);
    let v = json(&o);
    assert_eq!(v["format"], "descriptor");
    assert_eq!(v["current"], true);
    assert_eq!(v["sense_key"], 2);
    assert_eq!(v["sense_key_name"], "Not Ready");
    assert_eq!(v["asc"], 0x04);
    assert_eq!(v["ascq"], 0x04);
    assert_eq!(
        v["description"].as_str().map(str::to_lowercase).as_deref(),
        Some("logical unit not ready, format in progress")
    );
    assert_eq!(v["sense_key_specific"]["progress"], 0x1234, "{v}");
    assert_eq!(v["condition"], "E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS");
    assert_eq!(v["truncated"], false);
    let d = v["descriptors"].as_array().expect("descriptors");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["type"], "sense_key_specific", "{v}");
}

#[test]
fn illegal_request_shows_the_field_pointer() {
    // 05/24/00, SKSV, C/D = 1, BPV = 1, bit 5, byte 1
    let o = discwriter(&[
        "sense",
        "--json",
        "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 cd 00 01",
    ]);
    let v = json(&o);
    assert_eq!(v["sense_key_name"], "Illegal Request");
    let p = &v["sense_key_specific"];
    assert_eq!(p["field_pointer"]["in_cdb"], true, "{v}");
    assert_eq!(p["field_pointer"]["byte"], 1, "{v}");
    assert_eq!(p["field_pointer"]["bit"], 5, "{v}");
}

#[test]
fn truncated_sense_says_so() {
    let o = discwriter(&[
        "sense",
        "--json",
        "70 00 03 00 00 00 00 0a 00 00 00 00 0c 09",
    ]);
    let v = json(&o);
    assert_eq!(v["truncated"], true);
    assert_eq!(v["asc"], 0x0C);
    assert_eq!(v["ascq"], 0x09);
}

#[test]
fn write10_cdb_fields_by_name() {
    let o = discwriter(&["cdb", "--json", "2a 08 00 00 10 00 00 00 20 00"]);
    let v = json(&o);
    assert_eq!(v["command"], "WRITE (10)");
    assert_eq!(v["opcode"], 0x2A);
    let f = &v["fields"];
    assert_eq!(f["lba"], 4096, "{v}");
    assert_eq!(f["blocks"], 32, "{v}");
    assert_eq!(f["fua"], true, "{v}");
    let o = discwriter(&["cdb", "2a,08,00,00,10,00,00,00,20,00"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("WRITE (10)"), "{text}");
    assert!(text.contains("4096"), "{text}");
}

#[test]
fn malformed_cdb_names_the_problem_and_the_sense() {
    // byte 1 bit 5 of WRITE (10) is reserved in MMC
    let o = discwriter(&["cdb", "2a 20 00 00 10 00 00 00 20 00"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("byte 1"), "{err}");
    assert!(err.contains("05/24/00"), "{err}");
    let o = discwriter(&["cdb", "ff 00 00 00 00 00"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("05/20/00"), "{}", stderr(&o));
}

#[test]
fn bad_hex_is_one_line_and_non_zero() {
    for args in [
        &["sense", "70", "zz"][..],
        &["sense", "700"][..],
        &["cdb", "0x"][..],
        &["sense", "12"][..],
        &["sense"][..],
        &["sense", "--opcode", "zz", "70"][..],
        &["frobnicate"][..],
    ] {
        let o = discwriter(args);
        assert!(!o.status.success(), "{args:?} should fail");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("discwriter: "), "{err}");
    }
}

#[test]
fn the_condition_depends_on_the_opcode_when_given() {
    let sense = "70 00 03 00 00 00 00 0a 00 00 00 00 0c 09 00 00 00 00";
    let v = json(&discwriter(&["sense", "--json", sense]));
    assert_eq!(v["condition"], "E_IMAPI_LOSS_OF_STREAMING");
    assert_eq!(v["hresult"], "0xC0AA0300");
    // Microsoft's table ignores loss of streaming reported by SYNCHRONIZE CACHE (35h).
    let v = json(&discwriter(&["sense", "--json", "--opcode", "35", sense]));
    assert_eq!(v["condition"], "S_OK");
}
