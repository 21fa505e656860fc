//! `discwriter write` from standard input and named pipes, with and without `--size`; what
//! it refuses before creating anything; signals that cancel a write cleanly; the JSON result
//! schema and the plain progress lines when stderr is not a terminal.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{assert_result_schema, discwriter, image};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

fn spawn(args: &[&str], home: &Path, stdin: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_LOG")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run discwriter")
}

/// Kills the child after two minutes, so that a write that never ends fails its test (the
/// reads of its output end) instead of hanging the run.
fn watchdog(child: &Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(120));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    });
}

/// Runs with `data` on standard input.
fn with_stdin(args: &[&str], home: &Path, data: Vec<u8>) -> Output {
    let mut child = spawn(args, home, Stdio::piped());
    let mut pipe = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    child.wait_with_output().unwrap()
}

fn read_back(drive: &str, home: &Path, extra: &[&str]) -> Vec<u8> {
    let out = home.join("back.bin");
    let mut args = vec!["read", out.to_str().unwrap(), "--drive", drive];
    args.extend(extra);
    let o = discwriter(&args, home);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

fn last_result(o: &Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    assert_result_schema(out.lines().last().expect("a result line"))
}

#[test]
fn standard_input_of_unknown_length_is_written_as_it_comes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for medium in ["cd-r", "dvd+r", "bd-r", "dvd+rw", "bd-re"] {
        let drive = format!(
            "virt:{medium}@{}",
            d.join(format!("{medium}.disc")).display()
        );
        let data = image(1001, 1);
        let o = with_stdin(
            &[
                "write", "-", "--drive", &drive, "--json", "--verify", "full",
            ],
            d,
            data.clone(),
        );
        assert!(
            o.status.success(),
            "{medium}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r = last_result(&o);
        assert_eq!(r["sectors"], 1001, "{medium}");
        assert_eq!(r["verified"], "full", "{medium}");
        assert_eq!(read_back(&drive, d, &[]), data, "{medium}");
    }
}

#[test]
fn an_iso_on_standard_input_is_as_long_as_its_volume_says() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    let mut data = std::fs::read(SAMPLE).unwrap();
    // Trailing bytes after the volume (as a pipe from a tool that pads) are not written,
    // and the user is told.
    data.extend_from_slice(&[0u8; 10 * 2048]);
    let o = with_stdin(
        &["write", "/dev/stdin", "--drive", &drive, "--json"],
        d,
        data,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(last_result(&o)["sectors"], 248);
    assert!(String::from_utf8_lossy(&o.stderr).contains("the rest was not written"));
    assert_eq!(read_back(&drive, d, &[]), std::fs::read(SAMPLE).unwrap());
}

#[test]
fn a_named_pipe_with_and_without_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (i, size) in [Some("2050048"), None].into_iter().enumerate() {
        let drive = format!("virt:bd-re@{}", d.join(format!("p{i}.disc")).display());
        let data = image(1001, 2 + i as u8);
        let feeder = {
            let fifo = fifo.clone();
            let data = data.clone();
            std::thread::spawn(move || std::fs::write(fifo, data).unwrap())
        };
        let mut args = vec!["write", fifo.to_str().unwrap(), "--drive", &drive, "--json"];
        if let Some(s) = size {
            args.extend(["--size", s]);
        }
        let o = discwriter(&args, d);
        feeder.join().unwrap();
        assert!(
            o.status.success(),
            "{size:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(last_result(&o)["sectors"], 1001);
        assert_eq!(read_back(&drive, d, &[]), data, "{size:?}");
    }
    // A size the pipe does not deliver: what came is written and closed, then the error.
    let drive = format!("virt:cd-r@{}", d.join("short.disc").display());
    let feeder = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, image(300, 9)).unwrap())
    };
    let o = discwriter(
        &[
            "write",
            fifo.to_str().unwrap(),
            "--size",
            "1024000",
            "--drive",
            &drive,
            "--json",
        ],
        d,
    );
    feeder.join().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let r = last_result(&o);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("ended after 614400 bytes, before the 1024000"),
        "{r}"
    );
    assert_eq!(r["sectors"], 300);
    assert_eq!(read_back(&drive, d, &[]), image(300, 9));
}

#[test]
fn a_stream_that_ends_inside_a_sector_is_refused_after_closing_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    let mut data = image(100, 3);
    data.extend_from_slice(&[7u8; 1000]);
    let o = with_stdin(
        &["write", "-", "--drive", &drive, "--json"],
        d,
        data.clone(),
    );
    assert_eq!(o.status.code(), Some(1));
    let r = last_result(&o);
    assert_eq!(r["error"], "E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED");
    assert_eq!(r["sectors"], 100);
    assert_eq!(r["last_written_lba"], 99);
    assert_eq!(r["disc_status"], "appendable");
    assert_eq!(read_back(&drive, d, &[]), data[..100 * 2048]);
}

#[test]
fn nothing_is_created_for_an_image_that_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let disc = d.join("never.disc");
    let drive = format!("virt:cd-r@{}", disc.display());
    let empty = d.join("empty.iso");
    std::fs::write(&empty, b"").unwrap();
    let cases: Vec<(Vec<&str>, Vec<u8>, &str)> = vec![
        (vec!["write", "-", "--drive", &drive], vec![], "is empty"),
        (
            vec!["write", "-", "--drive", &drive, "--json"],
            vec![],
            "is empty",
        ),
        (
            vec!["write", empty.to_str().unwrap(), "--drive", &drive],
            vec![],
            "is empty",
        ),
        (
            vec!["write", d.to_str().unwrap(), "--drive", &drive],
            vec![],
            "is a directory",
        ),
        (
            vec!["write", "-", "--drive", &drive],
            vec![1u8; 3000],
            "not a whole number of 2048-byte sectors",
        ),
        (
            vec!["write", "-", "--size", "0", "--drive", &drive],
            vec![],
            "is empty",
        ),
        (
            vec!["write", SAMPLE, "--size", "4096", "--drive", &drive],
            vec![],
            "not the 4096",
        ),
    ];
    for (args, stdin, says) in cases {
        let o = with_stdin(&args, d, stdin);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        if args.contains(&"--json") {
            let r = last_result(&o);
            assert!(!r["error"].is_null());
        }
        assert!(!disc.exists(), "{args:?} created the disc");
    }
    assert!(!d.join("never.disc.state.json").exists());
}

/// Starts a write from a pipe, feeds it 6,000 sectors, waits until the data moves, then
/// sends `signal`: the write stops, closes what it wrote, and says so.
fn cancel_with(signal: i32, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    let mut child = spawn(
        &["write", "-", "--drive", &drive, "--json", "--speed", "4x"],
        d,
        Stdio::piped(),
    );
    watchdog(&child);
    let mut input = child.stdin.take().unwrap();
    let data = image(6000, 4);
    input.write_all(&data).unwrap();
    // The pipe stays open: the writer waits for more, so the signal comes mid-write.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the write ended early: {lines:?}"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        lines.push(line);
        let e = &v["event"];
        if e["action"] == "WRITING_DATA" && e["last_written_lba"].as_i64().unwrap_or(-1) >= 5000 {
            break;
        }
        assert!(Instant::now() < deadline, "no data moved");
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::try_from(signal).unwrap(),
    )
    .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let o = child.wait_with_output().unwrap();
    drop(input);
    assert_eq!(o.status.code(), Some(128 + signal), "{name}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{name}: cancelling")), "{err}");
    let r = assert_result_schema(rest.lines().last().unwrap());
    assert_eq!(r["error"], "E_IMAPI_REQUEST_CANCELLED", "{name}");
    let sectors = r["sectors"].as_u64().unwrap();
    assert!(sectors > 5000 && sectors <= 6000, "{name}: {sectors}");
    assert_eq!(r["last_written_lba"], sectors - 1);
    assert_eq!(r["disc_status"], "appendable", "{name}");
    // What was written reads back, and the CD-R takes another session.
    assert_eq!(
        read_back(&drive, d, &[]),
        data[..sectors as usize * 2048],
        "{name}"
    );
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], d);
    assert!(
        o.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        read_back(&drive, d, &["--session", "2"]),
        std::fs::read(SAMPLE).unwrap()
    );
}

#[test]
fn sigterm_cancels_a_write_and_leaves_a_readable_appendable_cd_r() {
    cancel_with(15, "SIGTERM");
}

#[test]
fn sighup_cancels_a_write_and_leaves_a_readable_appendable_cd_r() {
    cancel_with(1, "SIGHUP");
}

#[test]
fn sigint_cancels_a_write_and_leaves_a_readable_appendable_cd_r() {
    cancel_with(2, "SIGINT");
}

#[test]
fn json_results_have_one_schema_for_success_and_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = discwriter(
        &[
            "write",
            SAMPLE,
            "--drive",
            "virt:cd-r",
            "--json",
            "--verify",
            "full",
        ],
        d,
    );
    let r = last_result(&o);
    assert_eq!(r["code"], "S_OK");
    assert_eq!(r["verified"], "full");
    assert_eq!(
        (
            r["start_lba"].clone(),
            r["sectors"].clone(),
            r["last_written_lba"].clone()
        ),
        (0.into(), 248.into(), 247.into())
    );
    assert!(r["drive_seconds"].as_f64().unwrap() > 0.0);
    // A failure mid-write: the write-protect plan stops the first WRITE.
    let plan = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/fault-plans/write-protect-on-write.json"
    );
    let o = discwriter(
        &[
            "write",
            SAMPLE,
            "--drive",
            "virt:cd-r",
            "--json",
            "--fault-plan",
            plan,
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1));
    let r = last_result(&o);
    assert_eq!(r["hresult"], "0xC0AA0209");
    assert_eq!(r["error"], "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED");
    assert_eq!(r["start_lba"], 0);
    // A failure before the drive: the same schema.
    let o = discwriter(
        &["write", "/no/such.iso", "--drive", "virt:cd-r", "--json"],
        d,
    );
    let r = last_result(&o);
    assert_eq!(r["error"], "E_INVALIDARG");
    assert!(r["start_lba"].is_null());
}

#[test]
fn progress_on_a_pipe_is_plain_lines_and_the_summary_says_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = discwriter(
        &["write", SAMPLE, "--drive", "virt:cd-r", "--verify", "full"],
        d,
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains('\x1b'), "no escape codes: {err:?}");
    for phase in [
        "validating media:",
        "writing data:",
        "finalizing:",
        "verifying:",
        "completed:",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(phase)),
            "{phase} missing: {err}"
        );
    }
    assert!(err.contains("drive clock"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Wrote 0.5 MB (248 sectors, LBA 0-247)"),
        "{out}"
    );
    assert!(out.contains("on average"), "{out}");
    assert!(out.contains("Drive time:"), "{out}");
    assert!(out.contains("every sector read back and compared"), "{out}");
    assert!(out.contains("Disc: appendable"), "{out}");
    assert!(out.contains("next writable address 11800"), "{out}");
}

#[test]
fn a_second_signal_says_that_closing_is_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    // At 4x the data takes seconds of drive time: progress events come while it moves.
    let mut child = spawn(
        &["write", "-", "--drive", &drive, "--json", "--speed", "4x"],
        d,
        Stdio::piped(),
    );
    watchdog(&child);
    let mut input = child.stdin.take().unwrap();
    input.write_all(&image(3000, 6)).unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    // Once data moves, give the writer time to write what was fed: it then waits for more
    // (looking at the cancel flag between waits of 200 ms), so there is time for both
    // signals to arrive before it ends.
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the write ended early"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["event"]["last_written_lba"].as_i64().unwrap_or(-1) >= 0 {
            break;
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    // Two different signals back to back (one of a kind could merge while pending): the
    // first cancels, the second hears that closing is under way.
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).unwrap();
    let o = child.wait_with_output().unwrap();
    drop(input);
    // Both may be pending at once, and the kernel hands the lower-numbered one out first:
    // whichever came first cancels, and sets the exit status.
    let err = String::from_utf8_lossy(&o.stderr);
    let first = match o.status.code() {
        Some(143) => "SIGTERM",
        Some(129) => "SIGHUP",
        other => panic!("exit status {other:?}: {err}"),
    };
    assert!(err.contains(&format!("{first}: cancelling")), "{err}");
    assert!(err.contains("closing is in progress"), "{err}");
    assert!(err.contains("up to about 3 minutes"), "{err}");
}

#[test]
fn verbose_shows_the_phases_and_very_verbose_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = discwriter(&["-v", "write", SAMPLE, "--drive", "virt:dvd+rw"], d);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("discwriter::write: writing data"), "{err}");
    assert!(!err.contains("discwriter::drive"), "{err}");
    let o = discwriter(&["-vv", "write", SAMPLE, "--drive", "virt:dvd+rw"], d);
    let err = String::from_utf8_lossy(&o.stderr);
    // The CDB decoded and in hex, and the answer.
    assert!(err.contains("-> WRITE (10): Write10"), "{err}");
    assert!(err.contains("[2A 00 00 00 00 00 00 00 20 00]"), "{err}");
    assert!(err.contains("<- GOOD"), "{err}");
    // Without -v: progress and the summary only, no log lines.
    let o = discwriter(&["write", SAMPLE, "--drive", "virt:dvd+rw"], d);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("discwriter::"));
}

#[test]
fn the_man_page_and_completions_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["man"], dir.path());
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains(".TH discwriter"), "{page}");
    for sub in [
        "write", "read", "info", "format", "eject", "drives", "sense", "cdb",
    ] {
        assert!(page.contains(sub), "{sub}");
    }
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = discwriter(&["completions", shell], dir.path());
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("fault-plan"), "{shell}");
    }
}

#[test]
fn a_closed_standard_output_does_not_stop_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    let mut child = spawn(
        &["write", "-", "--drive", &drive, "--json"],
        d,
        Stdio::piped(),
    );
    watchdog(&child);
    let mut input = child.stdin.take().unwrap();
    let data = image(3000, 7);
    input.write_all(&data[..1000 * 2048]).unwrap();
    // Read one event, then close the reading end, as `| head -1` does.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("{\"event\":"), "{first}");
    drop(out);
    // Every line from now on meets a closed pipe (EPIPE).
    input.write_all(&data[1000 * 2048..]).unwrap();
    drop(input);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(read_back(&drive, d, &[]), data);
}

/// The free space `info --json` reports on a CD-R is a size an image may have: a stream of
/// exactly that many sectors fills the disc (the drive's free blocks, less the post-gap the
/// writer appends).
#[test]
fn the_free_sectors_info_reports_on_a_cd_r_are_a_stream_size_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let disc = home.join("cd.img");
    let drive = format!("virt:cd-r74@{}", disc.display());
    // `info` never creates a disc file: a blank disc of the same medium in memory says what
    // the new disc file will hold.
    let o = discwriter(&["info", "--drive", "virt:cd-r74", "--json"], home);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let free = info["free_sectors"].as_u64().expect("free_sectors");
    let size = (free * 2048).to_string();
    let zeros = std::fs::File::open("/dev/zero").unwrap();
    let child = spawn(
        &[
            "write", "-", "--size", &size, "--drive", &drive, "--verify", "none", "--json",
        ],
        home,
        Stdio::from(zeros),
    );
    watchdog(&child);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let result: serde_json::Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| v.get("result").cloned())
        .expect("a result line");
    assert_eq!(result["sectors"], free, "{result}");
    assert_eq!(result["disc_closed"], true, "{result}");
}
