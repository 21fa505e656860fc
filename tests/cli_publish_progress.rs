//! The progress of a write to several drives as a user sees it on a terminal: one line per
//! drive, labelled with the drive and redrawn in place, each ending as `done` or `failed`
//! with the IMAPI code; with `-v`, plain lines that start with the drive. The command runs
//! under a pseudo-terminal made by `script` (util-linux, in Debian's essential bsdutils).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::image;

const LOSS_OF_STREAMING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/loss-of-streaming-at-lba.json"
);

/// Three DVD+R drives in `home`; the second loses streaming at LBA 5000.
fn three_drives(home: &Path) -> (Vec<String>, Vec<String>) {
    let img = home.join("image.iso");
    std::fs::write(&img, image(6000, 3)).unwrap();
    let drives: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| format!("virt:dvd+r@{}", home.join(n).display()))
        .collect();
    let mut args = vec!["write".to_string(), img.display().to_string()];
    for d in &drives {
        args.extend(["--drive".to_string(), d.clone()]);
    }
    for plan in ["none", LOSS_OF_STREAMING, "none"] {
        args.extend(["--fault-plan".to_string(), plan.to_string()]);
    }
    (drives, args)
}

/// Runs `discwriter ARGS` on a terminal of 120 x 40: its exit status and everything the
/// terminal received (standard output and error together, escape codes included).
fn on_a_terminal(args: &[String], home: &Path) -> (Option<i32>, String) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command = std::iter::once(env!("CARGO_BIN_EXE_discwriter"))
        .chain(args.iter().map(String::as_str))
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let o = Command::new("script")
        .args([
            "-qfec",
            &format!("stty rows 40 cols 120; exec {command}"),
            "/dev/null",
        ])
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("script (util-linux's, in bsdutils): {e}"));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn each_drive_has_one_bar_redrawn_in_place_ending_done_or_failed() {
    let home = tempfile::tempdir().unwrap();
    let (drives, args) = three_drives(home.path());
    let (code, screen) = on_a_terminal(&args, home.path());
    assert_eq!(code, Some(1), "{screen}");
    // Three lines redrawn in place: the cursor goes back up two lines to the first.
    assert!(screen.contains("\x1b[2A"), "{screen}");
    // Not the plain lines of a log.
    for d in &drives {
        assert!(!screen.contains(&format!("{d}: writing data:")), "{screen}");
    }
    // Each line is labelled with its drive, the names padded so the bars line up, and ends
    // with how its write ended.
    let last = |s: &str| {
        screen
            .rfind(s)
            .unwrap_or_else(|| panic!("{s:?} not in {screen}"))
    };
    let (a, b, c) = (&drives[0], &drives[1], &drives[2]);
    let a_done = last(&format!("{a}  done         ["));
    let c_done = last(&format!("{c}  done         ["));
    let b_failed = last(&format!("{b}  failed       ["));
    // Their final state is the last drawn.
    for (d, at) in [(a, a_done), (c, c_done), (b, b_failed)] {
        let after = screen.get(at..).unwrap_or_default();
        assert!(!after.contains(&format!("{d}  writing")), "{after}");
    }
    let failure = screen.get(b_failed..).unwrap_or_default();
    assert!(
        failure
            .lines()
            .next()
            .is_some_and(|l| l.contains("] E_IMAPI_LOSS_OF_STREAMING (0xC0AA0300) after ")),
        "{failure}"
    );
    // The results start on a line of their own, below the bars.
    assert!(screen.contains(&format!("\n{a}:\r\n")), "{screen}");
    assert!(screen.contains("\n2 of 3 drives written\r\n"), "{screen}");
}

#[test]
fn with_verbose_each_drive_has_plain_lines_on_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let (drives, mut args) = three_drives(home.path());
    args.push("-v".into());
    let (code, screen) = on_a_terminal(&args, home.path());
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        !screen.contains("\x1b[2A") && !screen.contains("\x1b[1A"),
        "{screen}"
    );
    for d in &drives {
        assert!(screen.contains(&format!("{d}: writing data: ")), "{screen}");
    }
    assert!(
        screen.contains(&format!(
            "{}: stopped with E_IMAPI_LOSS_OF_STREAMING",
            drives[1]
        )),
        "{screen}"
    );
}
