//! `discwriter write IMAGE --drive A --drive B ...`: one image read once and written to every
//! drive at once; every disc checked before any drive starts; one result per drive, a
//! summary, and exit status 0 only when every drive succeeded.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const SECTORS: u64 = 600;
const WRITE_PROTECT: &str = WRITE_PROTECT_MID_WRITE;

/// An image whose sectors name themselves, in `home`.
fn image_file(home: &Path) -> (String, Vec<u8>) {
    image_file_of(home, SECTORS, 9)
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v: &serde_json::Value| v.get("event").is_none())
        .collect()
}

#[test]
fn two_drives_are_written_and_read_back_equal_to_the_image() {
    let home = tempfile::tempdir().unwrap();
    let (img, data) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "cd-r");
    let o = ok(
        discwriter(&["write", &img, "--drive", &a, "--drive", &b], home.path()),
        "write",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("2 of 2 drives written"), "{out}");
    // Progress: plain lines, each naming its drive.
    let err = String::from_utf8_lossy(&o.stderr);
    for d in [&a, &b] {
        assert!(
            err.lines()
                .any(|l| l.starts_with(&format!("{d}: writing data"))),
            "{err}"
        );
        assert_same_sectors(&read_session(d, home.path(), None), &data, 0, d);
    }
}

#[test]
fn a_drive_write_protected_mid_write_fails_alone_with_one_json_result_per_drive() {
    let home = tempfile::tempdir().unwrap();
    let (img, data) = image_file(home.path());
    let drives = [
        virt_disc(home.path(), "a.disc", "dvd+rw"),
        virt_disc(home.path(), "b.disc", "dvd+rw"),
        virt_disc(home.path(), "c.disc", "dvd+rw"),
    ];
    let o = discwriter(
        &[
            "write",
            &img,
            "--json",
            "--verify",
            "full",
            "--drive",
            &drives[0],
            "--drive",
            &drives[1],
            "--drive",
            &drives[2],
            "--fault-plan",
            "none",
            "--fault-plan",
            WRITE_PROTECT,
            "--fault-plan",
            "none",
        ],
        home.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 4, "three results and a summary: {lines:?}");
    let codes: Vec<_> = lines[..3]
        .iter()
        .map(|l| {
            let r = assert_result_schema(&l.to_string());
            (
                r["drive"].as_str().unwrap().to_string(),
                r["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            (drives[0].clone(), "S_OK".to_string()),
            (
                drives[1].clone(),
                "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED".to_string()
            ),
            (drives[2].clone(), "S_OK".to_string()),
        ]
    );
    let s = &lines[3]["summary"];
    assert_eq!(s["drives"], 3);
    assert_eq!(s["succeeded"], 2);
    assert_eq!(s["failed"], 1);
    assert_eq!(s["bytes_read"], SECTORS * 2048, "the image is read once");
    for d in [&drives[0], &drives[2]] {
        assert_same_sectors(&read_session(d, home.path(), None), &data, 0, d);
    }
}

#[test]
fn a_pipe_with_its_size_is_read_once_for_every_drive() {
    let home = tempfile::tempdir().unwrap();
    let data = image(SECTORS, 4);
    let a = virt_disc(home.path(), "a.disc", "bd-r");
    let b = virt_disc(home.path(), "b.disc", "dvd+r");
    let size = (SECTORS * 2048).to_string();
    let o = discwriter_with_stdin(
        &[
            "write", "-", "--size", &size, "--json", "--drive", &a, "--drive", &b,
        ],
        home.path(),
        data.clone(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines = json_lines(&o);
    let s = &lines.last().unwrap()["summary"];
    assert_eq!(s["succeeded"], 2);
    assert_eq!(s["bytes_read"], SECTORS * 2048);
    for d in [&a, &b] {
        assert_same_sectors(&read_session(d, home.path(), None), &data, 0, d);
    }
}

#[test]
fn a_stream_without_its_size_is_refused_for_several_drives() {
    let home = tempfile::tempdir().unwrap();
    let o = discwriter_with_stdin(
        &[
            "write",
            "-",
            "--drive",
            "virt:dvd+r",
            "--drive",
            "virt:cd-r",
        ],
        home.path(),
        image(100, 2),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("needs the image's length") && err.contains("--size"),
        "{err}"
    );
}

#[test]
fn one_closed_disc_refuses_the_whole_job_before_any_drive_writes() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let closed = virt_disc(home.path(), "closed.disc", "dvd+r");
    ok(
        discwriter(&["write", &img, "--drive", &closed, "--close"], home.path()),
        "first write",
    );
    let blank = virt_disc(home.path(), "blank.disc", "dvd+r");
    let o = discwriter(
        &["write", &img, "--drive", &blank, "--drive", &closed],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("--drive {closed}")), "{err}");
    assert!(err.contains("E_IMAPI_DF2DATA_INVALID_MEDIA_STATE"), "{err}");
    // Read back with READ DISC INFORMATION: the other disc was not touched.
    assert_eq!(disc_info_json(&blank, home.path())["status"], "blank");
}

#[test]
fn a_disc_too_small_for_the_image_refuses_the_whole_job() {
    let home = tempfile::tempdir().unwrap();
    let big = home.path().join("big.iso");
    // More than a CD-R 80 holds (about 360 000 sectors), sparse.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(400_000 * 2048)
        .unwrap();
    let dvd = virt_disc(home.path(), "a.disc", "dvd+r");
    let cd = virt_disc(home.path(), "b.disc", "cd-r");
    let o = discwriter(
        &[
            "write",
            big.to_str().unwrap(),
            "--json",
            "--drive",
            &dvd,
            "--drive",
            &cd,
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&o);
    let r = assert_result_schema(&lines[0].to_string());
    assert_eq!(r["drive"], cd.as_str());
    assert_eq!(
        r["code"],
        "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
    );
    assert_eq!(lines[1]["summary"]["refused_by"], cd.as_str());
    assert_eq!(lines[1]["summary"]["bytes_read"], 0);
    assert_eq!(disc_info_json(&dvd, home.path())["status"], "blank");
}

#[test]
fn one_drive_keeps_one_result_line_and_no_summary() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let o = ok(
        discwriter(&["write", &img, "--json", "--drive", &a], home.path()),
        "write",
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(assert_result_schema(&lines[0].to_string())["code"], "S_OK");
}

#[test]
fn fault_plans_are_given_once_or_once_per_drive() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let o = discwriter(
        &[
            "write",
            &img,
            "--drive",
            "virt:dvd+r",
            "--drive",
            "virt:dvd+r@x.disc",
            "--drive",
            "virt:cd-r",
            "--fault-plan",
            "none",
            "--fault-plan",
            WRITE_PROTECT,
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--fault-plan is given 2 times for 3 --drive"),
        "{err}"
    );
}

#[test]
fn a_manifest_with_several_drives_is_one_per_copy_named_with_its_number() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let a = virt_disc(home.path(), "a", "dvd+r");
    let b = virt_disc(home.path(), "b", "dvd+r");
    // A folder that does not exist is refused before any disc is made.
    let o = discwriter(
        &[
            "write",
            &img,
            "--drive",
            &a,
            "--drive",
            &b,
            "--manifest",
            "no/such/m.json",
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--manifest"), "{err}");
    assert!(!home.path().join("a").exists(), "no disc file made");

    let m = home.path().join("m.json");
    ok(
        discwriter(
            &[
                "write",
                &img,
                "--drive",
                &a,
                "--drive",
                &b,
                "--manifest",
                m.to_str().unwrap(),
            ],
            home.path(),
        ),
        "write",
    );
    assert!(!m.exists());
    // Copy 1 on the first drive, copy 2 on the second: each disc checks with its own.
    for (d, n) in [(&a, 1), (&b, 2)] {
        let mine = home.path().join(format!("m-{n}.json"));
        ok(
            discwriter(
                &["check", "--drive", d, "--manifest", mine.to_str().unwrap()],
                home.path(),
            ),
            "check",
        );
    }
}

#[test]
fn the_stall_timeout_takes_whole_seconds_and_refuses_anything_else() {
    let home = tempfile::tempdir().unwrap();
    let (img, data) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "dvd+r");
    let drives = ["--drive", a.as_str(), "--drive", b.as_str()];
    for bad in ["0", "soon", "86401"] {
        let mut args = vec!["write", img.as_str(), "--stall-timeout", bad];
        args.extend(drives);
        let o = discwriter(&args, home.path());
        assert_eq!(o.status.code(), Some(2), "--stall-timeout {bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--stall-timeout"), "{err}");
    }
    assert!(!home.path().join("a.disc").exists(), "nothing made");
    let mut args = vec!["write", img.as_str(), "--stall-timeout", "30"];
    args.extend(drives);
    ok(discwriter(&args, home.path()), "write --stall-timeout 30");
    for d in [&a, &b] {
        assert_same_sectors(&read_session(d, home.path(), None), &data, 0, d);
    }
}

#[test]
fn a_signal_ends_a_job_whose_pipe_has_stalled_without_waiting_for_more_data() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    let home = tempfile::tempdir().unwrap();
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "dvd+r");
    let mut child = Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(["write", "-", "--size", &(6000 * 2048).to_string()])
        .args(["--drive", &a, "--drive", &b])
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // 5000 of the 6000 sectors, and the pipe kept open: the drives wait for the rest.
    let mut input = child.stdin.take().unwrap();
    input.write_all(&image(5000, 5)).unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while seen.matches(": writing data").count() < 2 {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "{seen}");
        seen.push_str(&line);
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    // The pipe stays open until the command has ended: it must not wait for it.
    let status = child.wait().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    drop(input);
    assert_eq!(status.code(), Some(128 + 15), "{out}");
    for d in [&a, &b] {
        assert!(
            out.contains(&format!("{d}: failed: the write was cancelled"))
                && out.contains("(E_IMAPI_REQUEST_CANCELLED, 0xC0AA0002)"),
            "{out}"
        );
    }
}
