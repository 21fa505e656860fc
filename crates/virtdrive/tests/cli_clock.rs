//! `virtdrive run`'s clock from the command line: accelerated by default, as `run --help`
//! says, real time with `--paced`, which takes no value.
#![cfg(target_os = "linux")]

use std::process::{Command, Output};

fn virtdrive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .args(args)
        .output()
        .expect("virtdrive runs")
}

#[test]
fn run_help_says_the_clock_is_accelerated_unless_paced() {
    for sub in ["run", "serve"] {
        let out = virtdrive(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let paced = help
            .split_once("--paced")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        assert!(paced.contains("accelerated"), "{sub}: {help}");
        assert!(paced.contains("within about 30 polls"), "{sub}: {help}");
        assert!(paced.contains("READ BUFFER CAPACITY"), "{sub}: {help}");
    }
}

#[test]
fn paced_takes_no_value() {
    let out = virtdrive(&["run", "--paced", "--", "true"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = virtdrive(&["run", "--paced=maybe", "--", "true"]);
    // A usage error of virtdrive itself, never the program's status.
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unexpected value 'maybe'"), "{stderr}");
    assert!(stderr.contains("--paced"), "{stderr}");
}
