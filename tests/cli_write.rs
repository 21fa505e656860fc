//! `discwriter write`, `read`, `format`, `eject` and `drives` as a user runs them.

use std::process::Output;

mod common;

use common::discwriter;

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

#[test]
fn an_image_written_to_each_medium_reads_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let image = std::fs::read(SAMPLE).unwrap();
    for medium in ["cd-r", "dvd+rw", "bd-re"] {
        let drive = format!("virt:{medium}@{}", dir.path().join(medium).display());
        let out = ok(&discwriter(
            &[
                "write", SAMPLE, "--drive", &drive, "--verify", "full", "--json",
            ],
            dir.path(),
        ));
        let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(last["result"]["hresult"], "0x00000000", "{medium}: {out}");
        assert_eq!(last["result"]["error"], serde_json::Value::Null);
        // every line before the result is a progress event
        assert!(
            out.lines()
                .rev()
                .skip(1)
                .all(|l| l.starts_with("{\"event\":")),
            "{out}"
        );
        let back = dir.path().join(format!("{medium}.out"));
        ok(&discwriter(
            &["read", back.to_str().unwrap(), "--drive", &drive],
            dir.path(),
        ));
        assert_eq!(std::fs::read(&back).unwrap(), image, "{medium}");
    }
}

#[test]
fn a_rewritable_disc_with_data_needs_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let drive = format!("virt:dvd+rw@{}", dir.path().join("d").display());
    ok(&discwriter(
        &["write", SAMPLE, "--drive", &drive],
        dir.path(),
    ));
    let o = discwriter(&["write", SAMPLE, "--drive", &drive, "--json"], dir.path());
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["result"]["error"], "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
    assert_eq!(last["result"]["hresult"], "0xC0AA0405");
    ok(&discwriter(
        &["write", SAMPLE, "--drive", &drive, "--overwrite"],
        dir.path(),
    ));
}

/// A BD-RE formatted by another program, holding data only in its last 2 MB (past the 2 MB
/// at its start that a check of the first 2 MB alone reads).
#[test]
fn a_rewritable_disc_with_data_only_at_its_end_needs_overwrite() {
    use discwriter::recorder::Timeouts;
    use testkit::{be32, command_in, command_ok, command_out, READ_CAPACITY, SYNCHRONIZE_CACHE};
    use virtdrive::{medium::MediumKind, DiscFileDrive, DriveConfig};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d");
    let drive = DiscFileDrive::open(MediumKind::BdRe, &path, DriveConfig::default()).unwrap();
    let mut rec = discwriter::Recorder::open(drive).unwrap();
    rec.format_medium(true, &Timeouts::default(), &mut |_| {})
        .unwrap();
    let mut d = rec.into_transport();
    let end = be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]) + 1;
    let tail = testkit::image(32, 9);
    command_out(&mut d, &testkit::write10(end - 100, 32), &tail);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    d.commit().unwrap();
    drop(d);

    let drive = format!("virt:bd-re@{}", path.display());
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E_IMAPI_DF2DATA_MEDIA_NOT_BLANK")
            && err.contains(&format!("LBA {}", end - 100))
            && err.contains("--overwrite"),
        "says what was found and how to write over it: {err}"
    );
    // The JSON result line carries the code.
    let o = discwriter(&["write", SAMPLE, "--drive", &drive, "--json"], dir.path());
    let out = String::from_utf8_lossy(&o.stdout);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["result"]["error"], "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
    ok(&discwriter(
        &["write", SAMPLE, "--drive", &drive, "--overwrite"],
        dir.path(),
    ));
}

#[test]
fn bad_images_are_one_line_errors_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd.img");
    std::fs::write(&odd, vec![0u8; 3000]).unwrap();
    let drive = format!("virt:cd-r@{}", dir.path().join("c").display());
    for args in [
        vec!["write", "/no/such/image.iso", "--drive", &drive],
        vec!["write", odd.to_str().unwrap(), "--drive", &drive],
        vec!["write", SAMPLE, "--drive", "virt:floppy"],
        vec!["write", SAMPLE, "--drive", &drive, "--speed", "fast"],
    ] {
        let o = discwriter(&args, dir.path());
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let o = discwriter(
        &["write", odd.to_str().unwrap(), "--drive", &drive],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED"));
    // Every image was refused before the drive was opened: no disc file was made.
    assert!(!dir.path().join("c").exists());
    assert!(!dir.path().join("c.state.json").exists());
}

#[test]
fn format_eject_and_drives() {
    let dir = tempfile::tempdir().unwrap();
    let drive = format!("virt:bd-re@{}", dir.path().join("b").display());
    ok(&discwriter(
        &["format", "--drive", &drive, "--quick"],
        dir.path(),
    ));
    let info: serde_json::Value = serde_json::from_str(&ok(&discwriter(
        &["info", "--drive", &drive, "--json"],
        dir.path(),
    )))
    .unwrap();
    // BD-RE default format: 12,219,392 sectors less 393,216 of spare areas.
    assert_eq!(info["total_sectors"], 11_826_176);
    assert_eq!(info["next_writable_address"], 0);
    ok(&discwriter(&["eject", "--drive", &drive], dir.path()));
    let o = discwriter(&["format", "--drive", "virt:cd-r"], dir.path());
    assert!(!o.status.success());
    let v: serde_json::Value =
        serde_json::from_str(&ok(&discwriter(&["drives", "--json"], dir.path()))).unwrap();
    assert!(v["virtual"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d == "virt:bd-re"));
}

/// A DVD+R write closes the disc by default (IMAPI's DisableConsumerDvdCompatibilityMode
/// off: the compatible close), stays appendable with `--disable-dvd-compatibility`, and is
/// closed with that and `--close`; the result's `disc_closed` is what `info` then reads.
#[test]
fn dvd_plus_r_is_closed_by_default_and_appendable_with_disable_dvd_compatibility() {
    let dir = tempfile::tempdir().unwrap();
    // (options, disc closed, status `info` reports)
    let rows: [(&[&str], bool, &str); 3] = [
        (&[], true, "complete"),
        (&["--disable-dvd-compatibility"], false, "appendable"),
        (
            &["--disable-dvd-compatibility", "--close"],
            true,
            "complete",
        ),
    ];
    for (i, (options, closed, status)) in rows.into_iter().enumerate() {
        let drive = format!(
            "virt:dvd+r@{}",
            dir.path().join(format!("{i}.disc")).display()
        );
        let mut args = vec!["write", SAMPLE, "--drive", &drive, "--json"];
        args.extend_from_slice(options);
        let out = ok(&discwriter(&args, dir.path()));
        let result = common::assert_result_schema(out.lines().last().unwrap());
        assert_eq!(result["hresult"], "0x00000000", "{options:?}: {out}");
        assert_eq!(result["disc_closed"], closed, "{options:?}: {out}");
        let info: serde_json::Value = serde_json::from_str(&ok(&discwriter(
            &["info", "--drive", &drive, "--json"],
            dir.path(),
        )))
        .unwrap();
        assert_eq!(info["status"], status, "{options:?}: {info}");

        // The text result says the same.
        let drive = format!(
            "virt:dvd+r@{}",
            dir.path().join(format!("t{i}.disc")).display()
        );
        let mut args = vec!["write", SAMPLE, "--drive", &drive];
        args.extend_from_slice(options);
        let text = ok(&discwriter(&args, dir.path()));
        assert_eq!(
            text.contains("Disc: closed (no further session)"),
            closed,
            "{options:?}: {text}"
        );
    }
    // The option is a flag: a value is refused, and nothing is written.
    let drive = format!("virt:dvd+r@{}", dir.path().join("bad.disc").display());
    let o = discwriter(
        &[
            "write",
            SAMPLE,
            "--drive",
            &drive,
            "--disable-dvd-compatibility=yes",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--disable-dvd-compatibility"));
    assert!(!dir.path().join("bad.disc").exists());
}

/// `--streaming`: a BD-RE (spare areas, defect management) written with WRITE (12) and its
/// Streaming bit, as `-vv` shows every command; without it WRITE (10). Either reads back
/// byte for byte; a value given to the flag is refused.
#[test]
fn streaming_writes_a_bd_with_write_12_streaming() {
    let dir = tempfile::tempdir().unwrap();
    let image = std::fs::read(SAMPLE).unwrap();
    for (flag, command) in [
        (None, "-> WRITE (10)"),
        (Some("--streaming"), "-> WRITE (12)"),
    ] {
        let name = flag.unwrap_or("default");
        let drive = format!("virt:bd-re@{}", dir.path().join(name).display());
        let mut args = vec!["write", SAMPLE, "--drive", &drive, "-vv"];
        args.extend(flag);
        let o = discwriter(&args, dir.path());
        ok(&o);
        let log = String::from_utf8_lossy(&o.stderr);
        let writes: Vec<&str> = log.lines().filter(|l| l.contains("-> WRITE (")).collect();
        assert!(!writes.is_empty(), "{name}: {log}");
        assert!(
            writes
                .iter()
                .all(|l| l.contains(command) && (flag.is_none() || l.contains("streaming: true"))),
            "{name}: {writes:?}"
        );
        let back = dir.path().join(format!("{name}.out"));
        ok(&discwriter(
            &["read", back.to_str().unwrap(), "--drive", &drive],
            dir.path(),
        ));
        assert_eq!(std::fs::read(&back).unwrap(), image, "{name}");
    }
    let drive = format!("virt:bd-re@{}", dir.path().join("bad").display());
    let o = discwriter(
        &["write", SAMPLE, "--drive", &drive, "--streaming=yes"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--streaming"));
    assert!(!dir.path().join("bad").exists(), "nothing written");
}
