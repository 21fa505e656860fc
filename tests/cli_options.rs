//! Every option of every `discwriter` subcommand, with a valid value and with an invalid one,
//! run as a user runs the command. The table below must name exactly the options the clap
//! definitions declare: a new option without a row fails here. No run may panic.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
const PLANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fault-plans");

/// What a run must show.
#[derive(Clone, Copy)]
enum Expect {
    /// Exit 0 and this text on stdout or stderr.
    Ok(&'static str),
    /// Exit 1 (the drive, the disc or the input failed) and this text on stderr.
    Fails(&'static str),
    /// Exit 2 (the command line does not parse) and this text on stderr.
    Usage(&'static str),
}

struct Row {
    /// `SUBCOMMAND OPTION`, the option by its clap id (`-` for global ones).
    key: &'static str,
    valid: Vec<String>,
    valid_stdin: Option<Vec<u8>>,
    expect_valid: Expect,
    invalid: Vec<String>,
    expect_invalid: Expect,
}

fn row(
    key: &'static str,
    valid: &[&str],
    expect_valid: Expect,
    invalid: &[&str],
    expect_invalid: Expect,
) -> Row {
    Row {
        key,
        valid: valid.iter().map(|s| s.to_string()).collect(),
        valid_stdin: None,
        expect_valid,
        invalid: invalid.iter().map(|s| s.to_string()).collect(),
        expect_invalid,
    }
}

fn run(args: &[String], stdin: Option<&[u8]>, home: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_LOG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run discwriter");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    child.wait_with_output().expect("discwriter ends")
}

fn check(key: &str, which: &str, args: &[String], o: &Output, expect: Expect) {
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    let what = format!("{key} ({which}): discwriter {}", args.join(" "));
    assert_ne!(o.status.code(), Some(101), "{what} panicked: {err}");
    assert!(!err.contains("panicked"), "{what} panicked: {err}");
    match expect {
        Expect::Ok(text) => {
            assert_eq!(o.status.code(), Some(0), "{what}: {err}");
            assert!(
                out.contains(text) || err.contains(text),
                "{what}: {text:?} not in\n{out}\n{err}"
            );
        }
        Expect::Fails(text) | Expect::Usage(text) => {
            let code = if matches!(expect, Expect::Fails(_)) {
                1
            } else {
                2
            };
            assert_eq!(o.status.code(), Some(code), "{what}: {out}\n{err}");
            assert!(err.contains(text), "{what}: {text:?} not in {err}");
            assert_eq!(
                err.trim()
                    .lines()
                    .last()
                    .map(|l| l.starts_with("discwriter: ")),
                Some(true),
                "{what}: the error is one line naming the command: {err}"
            );
        }
    }
}

/// The options clap declares, as `SUBCOMMAND ID` (help and version left out).
fn declared() -> BTreeSet<String> {
    let cmd = discwriter_cli::cli::command();
    let mut keys = BTreeSet::new();
    for a in cmd.get_arguments() {
        if !matches!(a.get_id().as_str(), "help" | "version") {
            keys.insert(format!("- {}", a.get_id()));
        }
    }
    for sub in cmd.get_subcommands() {
        for a in sub.get_arguments() {
            if a.is_global_set() || matches!(a.get_id().as_str(), "help" | "version") {
                continue;
            }
            keys.insert(format!("{} {}", sub.get_name(), a.get_id()));
        }
    }
    keys
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn every_option_of_every_subcommand_with_a_valid_and_an_invalid_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let disc = |name: &str, medium: &str| format!("virt:{medium}@{}", d.join(name).display());
    let sample = std::fs::read(SAMPLE).unwrap();
    // A CD-R holding the sample, for the read and info rows.
    let cd = disc("cd.disc", "cd-r");
    let o = run(
        &["write".into(), SAMPLE.into(), "--drive".into(), cd.clone()],
        None,
        d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A DVD+RW holding data, which only --overwrite writes over.
    let rw = disc("rw.disc", "dvd+rw");
    let o = run(
        &["write".into(), SAMPLE.into(), "--drive".into(), rw.clone()],
        None,
        d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(
        &["write".into(), SAMPLE.into(), "--drive".into(), rw.clone()],
        None,
        d,
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("E_IMAPI_DF2DATA_MEDIA_NOT_BLANK"));
    let out = |name: &str| s(&d.join(name));
    let missing = disc("missing.disc", "cd-r");
    let plan = format!("{PLANS}/write-protect-on-write.json");
    let spin_up = format!("{PLANS}/becoming-ready-3-times.json");
    let bad_plan = d.join("bad-plan.json");
    std::fs::write(
        &bad_plan,
        r#"{"rules":[{"match":{"opcode":"WRTIE (10)"},"action":"timeout_before"}]}"#,
    )
    .unwrap();
    let man_dir = d.join("man");
    std::fs::create_dir(&man_dir).unwrap();
    let sense = [
        "70", "00", "02", "00", "00", "00", "00", "0a", "00", "00", "00", "00", "3a", "01", "00",
        "00", "00", "00",
    ];
    let with = |head: &[&str], tail: &[&str]| -> Vec<String> {
        head.iter().chain(tail).map(|s| s.to_string()).collect()
    };

    let mut rows = vec![
        row(
            "- verbose",
            &[
                "-vv",
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-re",
                "--verify",
                "none",
            ],
            Expect::Ok("WRITE (10)"),
            &["--verbose=loud", "drives"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write image",
            &["write", SAMPLE, "--drive", "virt:dvd+rw"],
            Expect::Ok("Wrote 0.5 MB (248 sectors"),
            &["write", "/no/such/image.iso", "--drive", "virt:dvd+rw"],
            Expect::Fails("No such file"),
        ),
        row(
            "write drive",
            // A DVD+R is closed in compatible mode by default.
            &["write", SAMPLE, "--drive", &disc("r.disc", "dvd+r")],
            Expect::Ok("Disc: closed (no further session)"),
            &["write", SAMPLE, "--drive", "virt:floppy"],
            Expect::Fails("unknown medium \"floppy\""),
        ),
        row(
            "write close",
            &["write", SAMPLE, "--drive", "virt:cd-r", "--close"],
            Expect::Ok("closed (no further session)"),
            &["write", SAMPLE, "--drive", "virt:cd-r", "--close=yes"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write disable_dvd_compatibility",
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:dvd+r",
                "--disable-dvd-compatibility",
            ],
            Expect::Ok("Disc: appendable"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:dvd+r",
                "--disable-dvd-compatibility=no",
            ],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write speed",
            &["write", SAMPLE, "--drive", "virt:cd-r", "--speed", "4x"],
            Expect::Ok("recorded at 4.0x"),
            &["write", SAMPLE, "--drive", "virt:cd-r", "--speed", "fast"],
            Expect::Usage("is not a speed"),
        ),
        row(
            "write verify",
            &["write", SAMPLE, "--drive", "virt:bd-r", "--verify", "full"],
            Expect::Ok("every sector read back"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-r",
                "--verify",
                "sometimes",
            ],
            Expect::Usage("invalid value 'sometimes'"),
        ),
        row(
            "write reload",
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-r",
                "--verify",
                "full",
                "--reload",
            ],
            Expect::Ok("every sector read back"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-r",
                "--verify",
                "none",
                "--reload",
            ],
            Expect::Fails("--reload ejects and loads the disc"),
        ),
        row(
            "write fault_plan",
            // The plan is applied: the drive spins up three times, which the write rides out.
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--fault-plan",
                &spin_up,
            ],
            Expect::Ok("Wrote"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--fault-plan",
                &s(&bad_plan),
            ],
            Expect::Fails("rules[0].match.opcode"),
        ),
        row(
            "write overwrite",
            &["write", SAMPLE, "--drive", &rw, "--overwrite"],
            Expect::Ok("Wrote"),
            &["write", SAMPLE, "--drive", "virt:dvd+rw", "--overwrite=1"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write streaming",
            &["write", SAMPLE, "--drive", "virt:bd-re", "--streaming"],
            Expect::Ok("Wrote"),
            &["write", SAMPLE, "--drive", "virt:bd-re", "--streaming=yes"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write defect_management",
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-re",
                "--defect-management",
                "off",
            ],
            Expect::Ok("Wrote"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-re",
                "--defect-management",
                "half",
            ],
            Expect::Usage("invalid value 'half'"),
        ),
        row(
            "write json",
            &["write", SAMPLE, "--drive", "virt:cd-r74", "--json"],
            Expect::Ok("{\"result\":{"),
            &["write", SAMPLE, "--drive", "virt:cd-r74", "--json=true"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "write manifest",
            &[
                "write",
                SAMPLE,
                "--drive",
                &disc("m.disc", "bd-re"),
                "--manifest",
                &out("m.json"),
            ],
            Expect::Ok("Wrote"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:bd-re",
                "--manifest",
                "/no/such/dir/m.json",
            ],
            Expect::Fails("no such directory"),
        ),
        row(
            "write copies",
            &[
                "write",
                SAMPLE,
                "--drive",
                &disc("copies.disc", "cd-r"),
                "--copies",
                "2",
            ],
            Expect::Ok("2 of 2 copies written"),
            &["write", SAMPLE, "--drive", "virt:cd-r", "--copies", "0"],
            Expect::Usage("invalid value '0'"),
        ),
        row(
            "write stall_timeout",
            &[
                "write",
                SAMPLE,
                "--drive",
                &disc("stall-a.disc", "cd-r"),
                "--drive",
                &disc("stall-b.disc", "cd-r"),
                "--stall-timeout",
                "30",
            ],
            Expect::Ok("2 of 2 drives written"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--stall-timeout",
                "soon",
            ],
            Expect::Usage("invalid value 'soon'"),
        ),
        row(
            "write reject_if_not_blank",
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--reject-if-not-blank",
            ],
            Expect::Ok("Wrote"),
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--reject-if-not-blank=true",
            ],
            Expect::Usage("unexpected value"),
        ),
        row(
            "check manifest",
            &[
                "check",
                "--drive",
                &disc("m.disc", "bd-re"),
                "--manifest",
                &out("m.json"),
            ],
            Expect::Ok("equal to the manifest"),
            &["check", "--drive", &cd, "--manifest", SAMPLE],
            Expect::Fails("not a manifest"),
        ),
        row(
            "check drive",
            &["check", "--drive", &cd],
            Expect::Ok("passed: LBA"),
            &["check", "--drive", &missing],
            Expect::Fails("no such disc"),
        ),
        row(
            "check session",
            &["check", "--drive", &cd, "--session", "1"],
            Expect::Ok("passed: LBA"),
            &["check", "--drive", &cd, "--session", "one"],
            Expect::Usage("invalid value 'one'"),
        ),
        row(
            "check all",
            &["check", "--drive", &cd, "--all"],
            Expect::Ok("passed: LBA 0-"),
            &["check", "--drive", &cd, "--all=yes"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "check image",
            &["check", "--drive", &cd, "--image", SAMPLE],
            Expect::Ok("equal to the image"),
            &["check", "--drive", &cd, "--image", "/no/such/image.iso"],
            Expect::Fails("No such file"),
        ),
        row(
            "check slow_below",
            &["check", "--drive", &cd, "--slow-below", "1"],
            Expect::Ok("passed: LBA"),
            &["check", "--drive", &cd, "--slow-below", "fast"],
            Expect::Usage("invalid value 'fast'"),
        ),
        row(
            "check plot",
            &["check", "--drive", &cd, "--plot", &out("speed.svg")],
            Expect::Ok("read speed: slowest "),
            &["check", "--drive", &cd, "--plot", &out("speed.jpg")],
            Expect::Usage(".svg or .png"),
        ),
        row(
            "check fault_plan",
            // LBA 1000-1009 are unreadable: beyond the sample's 248 sectors.
            &[
                "check",
                "--drive",
                &cd,
                "--fault-plan",
                &format!("{PLANS}/unreadable-range.json"),
            ],
            Expect::Ok("passed: LBA"),
            &["check", "--drive", &cd, "--fault-plan", &s(&bad_plan)],
            Expect::Fails("rules[0].match.opcode"),
        ),
        row(
            "check reload",
            &["check", "--drive", &cd, "--reload"],
            Expect::Ok("passed: LBA"),
            &["check", "--drive", &cd, "--reload=yes"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "check json",
            &["check", "--drive", &cd, "--json"],
            Expect::Ok("\"passed\":true"),
            &["check", "--drive", &cd, "--json=1"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "read out",
            &["read", &out("read-out.iso"), "--drive", &cd],
            Expect::Ok("248 sectors"),
            &["read", &s(d), "--drive", &cd],
            Expect::Fails("is a directory"),
        ),
        row(
            "read drive",
            &["read", &out("read-drive.iso"), "--drive", &cd],
            Expect::Ok("248 sectors"),
            &["read", &out("read-drive.iso"), "--drive", &missing],
            Expect::Fails("no such disc"),
        ),
        row(
            "read session",
            &[
                "read",
                &out("read-session.iso"),
                "--drive",
                &cd,
                "--session",
                "1",
            ],
            Expect::Ok("LBA 0-247"),
            &[
                "read",
                &out("read-session.iso"),
                "--drive",
                &cd,
                "--session",
                "2",
            ],
            Expect::Fails("--session 2"),
        ),
        row(
            "read all",
            &["read", &out("read-all.bin"), "--drive", &cd, "--all"],
            Expect::Ok("the whole recorded area"),
            &[
                "read",
                &out("read-all.bin"),
                "--drive",
                &cd,
                "--all",
                "--session",
                "1",
            ],
            Expect::Usage("cannot be used with"),
        ),
        row(
            "read start",
            &[
                "read",
                &out("read-start.bin"),
                "--drive",
                &cd,
                "--start",
                "16",
                "--sectors",
                "1",
            ],
            Expect::Ok("LBA 16-16"),
            &[
                "read",
                &out("read-start.bin"),
                "--drive",
                &cd,
                "--start",
                "16",
            ],
            Expect::Usage("--sectors"),
        ),
        row(
            "read sectors",
            &[
                "read",
                &out("read-sectors.bin"),
                "--drive",
                &cd,
                "--sectors",
                "17",
            ],
            Expect::Ok("17 sectors"),
            &[
                "read",
                &out("read-sectors.bin"),
                "--drive",
                &cd,
                "--sectors",
                "0",
            ],
            Expect::Fails("nothing to read"),
        ),
        row(
            "format drive",
            &["format", "--drive", &disc("fmt.disc", "bd-re"), "--quick"],
            Expect::Ok("Formatted"),
            &["format", "--drive", "virt:cd-r"],
            Expect::Fails("not formatted"),
        ),
        row(
            "format quick",
            &["format", "--drive", "virt:dvd+rw", "--quick"],
            Expect::Ok("Formatted"),
            &["format", "--drive", "virt:dvd+rw", "--quick=no"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "format spares",
            &["format", "--drive", "virt:bd-re", "--spares", "none"],
            Expect::Ok("Formatted"),
            &["format", "--drive", "virt:bd-re", "--spares", "12"],
            Expect::Fails("no format of this BD-RE has spare areas of 12 sectors"),
        ),
        row(
            "erase drive",
            &["erase", "--drive", "virt:cd-r"],
            Expect::Fails("E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE"),
            &["erase", "--drive", &missing],
            Expect::Fails("no such disc"),
        ),
        row(
            "erase full",
            &["erase", "--drive", "virt:cd-r", "--full"],
            Expect::Fails("E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE"),
            &["erase", "--drive", "virt:cd-r", "--full=no"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "erase json",
            &["erase", "--drive", "virt:bd-re", "--json"],
            Expect::Fails("E_IMAPI_ERASE_MEDIA_IS_NOT_SUPPORTED"),
            &["erase", "--drive", "virt:bd-re", "--json=1"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "eject drive",
            &["eject", "--drive", &cd],
            Expect::Ok("tray is open"),
            &["eject", "--drive", &missing],
            Expect::Fails("no such disc"),
        ),
        row(
            "drives json",
            &["drives", "--json"],
            Expect::Ok("\"virtual\""),
            &["drives", "--json=1"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "info drive",
            &["info", "--drive", &cd],
            Expect::Ok("appendable, 1 session"),
            &["info", "--drive", ""],
            Expect::Fails("--drive is empty"),
        ),
        row(
            "info json",
            &["info", "--drive", &cd, "--json"],
            Expect::Ok("\"write_protected\":false"),
            &["info", "--json=yes"],
            Expect::Usage("unexpected value"),
        ),
        Row {
            key: "sense hex",
            valid: with(&["sense"], &sense),
            valid_stdin: None,
            expect_valid: Expect::Ok("Medium not present"),
            invalid: with(&["sense"], &["zz"]),
            expect_invalid: Expect::Fails("hex"),
        },
        Row {
            key: "sense opcode",
            valid: with(&["sense", "--opcode", "2a"], &sense),
            valid_stdin: None,
            expect_valid: Expect::Ok("Medium not present"),
            invalid: with(&["sense", "--opcode", "xyz"], &sense),
            expect_invalid: Expect::Usage("one-byte hex opcode"),
        },
        Row {
            key: "sense json",
            valid: with(&["sense", "--json"], &sense),
            valid_stdin: None,
            expect_valid: Expect::Ok("\"hresult\""),
            invalid: with(&["sense", "--json=1"], &sense),
            expect_invalid: Expect::Usage("unexpected value"),
        },
        row(
            "cdb hex",
            &[
                "cdb", "2a", "00", "00", "00", "10", "00", "00", "00", "20", "00",
            ],
            Expect::Ok("WRITE (10)"),
            &["cdb", "2a", "00"],
            Expect::Fails(""),
        ),
        row(
            "cdb json",
            &["cdb", "--json", "00", "00", "00", "00", "00", "00"],
            Expect::Ok("{"),
            &["cdb", "--json=0", "00", "00", "00", "00", "00", "00"],
            Expect::Usage("unexpected value"),
        ),
        row(
            "man out_dir",
            &["man", "--out-dir", &s(&man_dir)],
            Expect::Ok("discwriter-write.1"),
            &["man", "--out-dir", &out("no-such-dir")],
            Expect::Fails("not a directory"),
        ),
        row(
            "completions shell",
            &["completions", "bash"],
            Expect::Ok("_discwriter"),
            &["completions", "tcsh"],
            Expect::Usage("invalid value 'tcsh'"),
        ),
    ];
    rows.push(Row {
        key: "write size",
        valid: with(
            &[
                "write",
                "-",
                "--size",
                "507904",
                "--drive",
                "virt:bd-re",
                "--json",
            ],
            &[],
        ),
        valid_stdin: Some(sample.clone()),
        expect_valid: Expect::Ok("\"sectors\":248"),
        invalid: with(
            &["write", "-", "--size", "12Q", "--drive", "virt:bd-re"],
            &[],
        ),
        expect_invalid: Expect::Usage("is not a size"),
    });

    let table: BTreeSet<String> = rows.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(
        table,
        declared(),
        "the table must have one row for each option clap declares"
    );
    for r in &rows {
        let o = run(&r.valid, r.valid_stdin.as_deref(), d);
        check(r.key, "valid", &r.valid, &o, r.expect_valid);
        let o = run(&r.invalid, None, d);
        check(r.key, "invalid", &r.invalid, &o, r.expect_invalid);
    }
    // What the valid rows made, beyond their messages.
    assert_eq!(std::fs::read(d.join("read-out.iso")).unwrap(), sample);
    assert_eq!(std::fs::read(d.join("read-session.iso")).unwrap(), sample);
    assert_eq!(
        std::fs::read(d.join("read-start.bin")).unwrap(),
        sample[16 * 2048..17 * 2048]
    );
    assert!(man_dir.join("discwriter.1").exists());
    // The write-protect plan ended that write with its IMAPI code.
    let o = run(
        &with(
            &[
                "write",
                SAMPLE,
                "--drive",
                "virt:cd-r",
                "--fault-plan",
                &plan,
            ],
            &[],
        ),
        None,
        d,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED"));
}

/// `--speed` in every form a user types, and a bare `--speed`, which is a usage error, not a
/// panic.
#[test]
fn every_form_of_speed_works_and_a_bare_speed_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for speed in ["4x", "4", "8x", "2.4x", "max", "MAX", "16X"] {
        let args: Vec<String> = [
            "write",
            SAMPLE,
            "--drive",
            "virt:cd-r",
            "--speed",
            speed,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = run(&args, None, dir.path());
        check("write speed", speed, &args, &o, Expect::Ok("\"code\":\"S_"));
    }
    for bad in [
        vec!["--speed"],
        vec!["--speed", "0"],
        vec!["--speed", "-4x"],
        vec!["--speed", "nanx"],
    ] {
        let mut args: Vec<String> = ["write", SAMPLE, "--drive", "virt:cd-r"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(bad.iter().map(|s| s.to_string()));
        let o = run(&args, None, dir.path());
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
}

/// Every subcommand's help names what it does, and `--drive`'s names every medium.
#[test]
fn help_describes_every_option_and_the_drive_option_names_every_medium() {
    let cmd = discwriter_cli::cli::command();
    for sub in cmd.get_subcommands() {
        assert!(
            sub.get_about().is_some(),
            "{} has no description",
            sub.get_name()
        );
        for a in sub.get_arguments() {
            if matches!(a.get_id().as_str(), "help" | "version") {
                continue;
            }
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(
                !help.trim().is_empty(),
                "{} {} has no description",
                sub.get_name(),
                a.get_id()
            );
            if a.get_id() == "drive" {
                for kind in virtdrive::medium::MediumKind::ALL {
                    assert!(
                        help.contains(kind.name()),
                        "{}: --drive help lacks {}",
                        sub.get_name(),
                        kind.name()
                    );
                }
            }
        }
    }
    let read = cmd.find_subcommand("read").unwrap();
    let about = read.get_about().unwrap().to_string();
    assert!(about.contains("written last"), "{about}");
    let _ = PathBuf::new();
}
