//! The progress of a write to several drives as a user sees it on a terminal: one line per
//! drive, labelled with the drive and redrawn in place, each ending as `done` or `failed`
//! with the IMAPI code, and a signal's message printed above the lines instead of through
//! them; with `-v`, plain lines that start with the drive. The command runs under a
//! pseudo-terminal made by `script` (util-linux, in Debian's essential bsdutils), and what the
//! terminal shows is worked out from what it received.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::image;
use common::terminal::{line_starting, on_a_terminal, screen, script};

const LOSS_OF_STREAMING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/loss-of-streaming-at-lba.json"
);

/// Three DVD+R drives in `home`: their names, and `write IMAGE --drive ...` for them.
fn three_drives(home: &Path, image_arg: &str) -> (Vec<String>, Vec<String>) {
    let drives: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| format!("virt:dvd+r@{}", home.join(n).display()))
        .collect();
    let mut args = vec!["write".to_string(), image_arg.to_string()];
    for d in &drives {
        args.extend(["--drive".to_string(), d.clone()]);
    }
    (drives, args)
}

/// An image of 6000 sectors in `home`, written to three drives of which the second loses
/// streaming at LBA 5000.
fn one_of_three_fails(home: &Path) -> (Vec<String>, Vec<String>) {
    let img = home.join("image.iso");
    std::fs::write(&img, image(6000, 3)).unwrap();
    let (drives, mut args) = three_drives(home, img.to_str().unwrap());
    for plan in ["none", LOSS_OF_STREAMING, "none"] {
        args.extend(["--fault-plan".to_string(), plan.to_string()]);
    }
    (drives, args)
}

#[test]
fn each_drive_has_one_bar_redrawn_in_place_ending_done_or_failed() {
    let home = tempfile::tempdir().unwrap();
    let (drives, args) = one_of_three_fails(home.path());
    let (code, raw) = on_a_terminal(&args, home.path());
    assert_eq!(code, Some(1), "{raw}");
    // Three lines redrawn in place: the cursor goes back up two lines to the first.
    assert!(raw.contains("\x1b[2A"), "{raw}");
    // Not the plain lines of a log.
    for d in &drives {
        assert!(!raw.contains(&format!("{d}: writing data:")), "{raw}");
    }
    // What the terminal shows at the end: one line per drive, labelled with it (the names
    // padded so the bars line up) and ending with how its write ended; the results below.
    let (a, b, c) = (&drives[0], &drives[1], &drives[2]);
    let lines = screen(&raw);
    let first = line_starting(&lines, a);
    let shown = lines.get(first..first + 4).unwrap_or_default();
    assert_eq!(shown.len(), 4, "{lines:#?}");
    for (line, drive) in [(&shown[0], a), (&shown[2], c)] {
        assert!(
            line.starts_with(&format!(
                "{drive}  done         [================] 12.3 MB written, "
            )),
            "{lines:#?}"
        );
    }
    assert!(
        shown[1].starts_with(&format!("{b}  failed       ["))
            && shown[1].contains("] E_IMAPI_LOSS_OF_STREAMING (0xC0AA0300) after "),
        "{lines:#?}"
    );
    assert_eq!(shown[3], format!("{a}:"), "{lines:#?}");
    assert!(
        lines.iter().any(|l| l == "2 of 3 drives written"),
        "{lines:#?}"
    );
}

#[test]
fn a_signals_message_is_printed_above_the_bars() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("image.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (drives, mut args) = three_drives(home.path(), "-");
    args.extend(["--size".to_string(), (6000 * 2048).to_string()]);
    let mut child = script(&args, home.path(), Some(&fifo))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("script (util-linux's, in bsdutils): {e}"));
    // 5000 of the 6000 sectors: the drives wait for the rest, so the signal comes mid-write.
    // The pipe is kept open until the test says so: the command must not wait for it (and
    // may end before the feeder has written everything, which then fails with EPIPE).
    let (close, closed) = std::sync::mpsc::channel::<()>();
    let feeder = std::thread::spawn({
        let fifo = fifo.clone();
        move || {
            let mut input = std::fs::OpenOptions::new().write(true).open(fifo).ok()?;
            input.write_all(&image(5000, 5)).ok()?;
            closed.recv().ok()
        }
    });
    let mut out = child.stdout.take().unwrap();
    let mut raw = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut read_until = |done: &dyn Fn(&[String]) -> bool| loop {
        let lines = screen(&String::from_utf8_lossy(&raw));
        if done(&lines) {
            return;
        }
        let mut chunk = [0u8; 4096];
        let n = out.read(&mut chunk).unwrap();
        assert!(n > 0 && Instant::now() < deadline, "{lines:#?}");
        raw.extend_from_slice(&chunk[..n]);
    };
    read_until(&|lines| {
        drives.iter().all(|d| {
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{d}  writing")))
        })
    });
    // `script` runs the command in a shell that execs it: the shell's process is the command.
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id()))
        .unwrap_or_default();
    let pid: i32 = children.split_whitespace().next().unwrap().parse().unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    read_until(&|lines| lines.iter().any(|l| l.contains("SIGTERM: cancelling")));
    // The feeder may be gone already (the command stopped reading and its write failed).
    let _ = close.send(());
    out.read_to_end(&mut raw).unwrap();
    let status = child.wait().unwrap();
    assert!(feeder.join().is_ok(), "the feeder thread panicked");
    let raw = String::from_utf8_lossy(&raw);
    assert_eq!(status.code(), Some(128 + 15), "{raw}");
    let lines = screen(&raw);
    let message = line_starting(&lines, "discwriter: SIGTERM: cancelling every drive");
    assert!(
        lines[message].ends_with("closes what it wrote, so the discs stay readable"),
        "{lines:#?}"
    );
    // The bars, redrawn below the message, end cancelled.
    for (i, d) in drives.iter().enumerate() {
        let line = lines.get(message + 1 + i).map_or("", String::as_str);
        assert!(
            line.starts_with(&format!("{d}  failed       ["))
                && line.contains("] E_IMAPI_REQUEST_CANCELLED (0xC0AA0002) after "),
            "{lines:#?}"
        );
    }
}

#[test]
fn with_verbose_each_drive_has_plain_lines_on_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let (drives, mut args) = one_of_three_fails(home.path());
    args.push("-v".into());
    let (code, raw) = on_a_terminal(&args, home.path());
    assert_eq!(code, Some(1), "{raw}");
    assert!(
        !raw.contains("\x1b[2A") && !raw.contains("\x1b[1A"),
        "{raw}"
    );
    for d in &drives {
        assert!(raw.contains(&format!("{d}: writing data: ")), "{raw}");
    }
    assert!(
        raw.contains(&format!(
            "{}: stopped with E_IMAPI_LOSS_OF_STREAMING",
            drives[1]
        )),
        "{raw}"
    );
}
