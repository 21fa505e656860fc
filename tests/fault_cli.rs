//! The fault matrix through the command line: `discwriter write --fault-plan FILE --json`
//! ends with a result line carrying the HRESULT and IMAPI's name of the error, prints one
//! line on stderr, exits non-zero, and leaves a CD-R disc file appendable.

mod common;

use common::{discwriter, fixture, image};

const SECTORS: u64 = 320;

/// The `result` object of `write --json` (its last stdout line).
fn result_line(o: &std::process::Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    let last = out.lines().last().expect("a result line");
    let v: serde_json::Value = serde_json::from_str(last).expect("JSON");
    v["result"].clone()
}

fn info(spec: &str, home: &std::path::Path) -> serde_json::Value {
    let o = discwriter(&["info", "--drive", spec, "--json"], home);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_command_line_reports_the_hresult_of_a_fault() {
    let dir = tempfile::tempdir().unwrap();
    let image_path = dir.path().join("image.bin");
    std::fs::write(&image_path, image(SECTORS, 1)).unwrap();
    let img = image_path.to_str().unwrap();
    // (medium, plan, hresult, error name): typed in from Microsoft's IMAPI2 error list (imapi2error.h).
    let cases = [
        (
            "cd-r",
            "matrix/writing-write-error.json",
            "0xC0AA0301",
            "E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE",
        ),
        (
            "bd-re",
            "matrix/finalizing-timeout.json",
            "0xC0AA020D",
            "E_IMAPI_RECORDER_COMMAND_TIMEOUT",
        ),
        (
            "dvd+rw",
            "device-gone-during-close.json",
            "0x80070037",
            "HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)",
        ),
        (
            "cd-r",
            "write-protect-on-write.json",
            "0xC0AA0209",
            "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
        ),
        (
            "dvd+rw",
            "matrix/validating-upside-down.json",
            "0xC0AA0204",
            "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN",
        ),
    ];
    for (i, (medium, plan_file, hresult, name)) in cases.into_iter().enumerate() {
        let disc = dir.path().join(format!("{i}-{medium}.disc"));
        let spec = format!("virt:{medium}@{}", disc.display());
        let plan_path = fixture(&format!("fault-plans/{plan_file}"));
        let o = discwriter(
            &[
                "write",
                img,
                "--drive",
                &spec,
                "--fault-plan",
                plan_path.to_str().unwrap(),
                "--json",
            ],
            dir.path(),
        );
        assert!(!o.status.success(), "{plan_file}: the write failed");
        let r = result_line(&o);
        assert_eq!(r["hresult"], hresult, "{plan_file}: {r}");
        assert_eq!(r["error"], name, "{plan_file}: {r}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "one line on stderr: {err}");
    }

    // The CD-R of the first case is not closed: the next write goes to its next writable
    // address, and what the failed write sent before the fault is still there.
    let disc = dir.path().join("0-cd-r.disc");
    let spec = format!("virt:cd-r@{}", disc.display());
    let before = info(&spec, dir.path());
    assert_eq!(before["status"], "appendable");
    let nwa = before["next_writable_address"]
        .as_u64()
        .expect("a next writable address");
    let again = dir.path().join("again.bin");
    std::fs::write(&again, image(300, 2)).unwrap();
    let o = discwriter(
        &["write", again.to_str().unwrap(), "--drive", &spec, "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = result_line(&o);
    assert_eq!(r["hresult"], "0x00000000");
    assert_eq!(r["error"], serde_json::Value::Null);
    assert_eq!(r["start_lba"].as_u64(), Some(nwa));
}

#[test]
fn the_command_line_rides_out_a_drive_that_spins_up() {
    let dir = tempfile::tempdir().unwrap();
    let image_path = dir.path().join("image.bin");
    std::fs::write(&image_path, image(SECTORS, 1)).unwrap();
    let disc = dir.path().join("bd.disc");
    let spec = format!("virt:bd-re@{}", disc.display());
    let plan_path = fixture("fault-plans/becoming-ready-3-times.json");
    let o = discwriter(
        &[
            "write",
            image_path.to_str().unwrap(),
            "--drive",
            &spec,
            "--fault-plan",
            plan_path.to_str().unwrap(),
            "--verify",
            "full",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = result_line(&o);
    assert_eq!(r["hresult"], "0x00000000", "{r}");
    assert_eq!(r["code"], "S_OK");
}
