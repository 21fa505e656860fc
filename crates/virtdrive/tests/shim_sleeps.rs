//! The program's own sleeps under `virtdrive run` (shim_sleep.c): with the accelerated clock
//! (the default) each relative sleep of 1 ms or more lasts a tenth as long, whichever way the
//! program sleeps (sleep, usleep, nanosleep, clock_nanosleep, poll or select on no
//! descriptor); sleeps until an absolute time, shorter ones and polls of real descriptors are
//! left alone; `--paced` or `VIRTDRIVE_SHIM_SLEEP_DIVISOR=1` keeps every sleep whole. Each call
//! still returns what libc returns for it.
//!
//! `shim_sleeps_support/probe.c` sleeps every way; the shim's trace says which sleeps it
//! shortened and to what, so nothing here measures time.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use real_clients::{build_c_program, virtdrive_run_with, Outcome};

fn probe() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_c_program("probe", include_str!("shim_sleeps_support/probe.c")))
}

/// Runs the probe under `virtdrive run EXTRA` with the shim's trace on and `env` set (a
/// divisor of the caller's own removed first).
fn run_probe(extra: &[&str], env: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = vec![
        ("VIRTDRIVE_SHIM_SLEEP_DIVISOR", None),
        ("VIRTDRIVE_SHIM_TRACE", Some("1")),
    ];
    vars.extend(env.iter().map(|&(k, v)| (k, Some(v))));
    let mut args = vec!["--drive", "virt:cd-r"];
    args.extend_from_slice(extra);
    let out = virtdrive_run_with(dir.path(), &vars, &args, probe(), &[]);
    out.expect_code(0);
    out
}

/// For each of the probe's calls (its "probe: ..." line), the sleeps the shim traced for it:
/// (nanoseconds slept, nanoseconds asked).
fn shortened(stderr: &str) -> Vec<(String, Vec<(u64, u64)>)> {
    let mut calls: Vec<(String, Vec<(u64, u64)>)> = Vec::new();
    for line in stderr.lines() {
        if let Some(call) = line.strip_prefix("probe: ") {
            calls.push((call.to_string(), Vec::new()));
        } else if let Some(rest) = line.split_once("]: sleep ").map(|(_, r)| r) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let pair = match words.as_slice() {
                [slept, "ns", "for", asked, "ns"] => {
                    (slept.parse().unwrap(), asked.parse().unwrap())
                }
                _ => panic!("an unexpected trace line: {line}"),
            };
            calls
                .last_mut()
                .expect("a sleep traced before the probe's first call")
                .1
                .push(pair);
        }
    }
    calls
}

/// What every call returned: the same whether the shim shortened it or not.
fn expect_results(stdout: &str) {
    for line in [
        "usleep: 0",
        "nanosleep: 0",
        "clock_nanosleep: 0",
        "clock_nanosleep absolute: 0",
        "sleep: 0",
        "poll: 0",
        "select: 0 left 0.000000",
        "usleep short: 0",
        "poll pipe: 0",
        "nanosleep bad: -1 EINVAL",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no {line:?} in:\n{stdout}"
        );
    }
}

#[test]
fn accelerated_runs_shorten_each_relative_sleep_tenfold() {
    let run = run_probe(&[], &[]);
    expect_results(&run.stdout);
    let ms = 1_000_000;
    let calls = shortened(&run.stderr);
    let expected: Vec<(String, Vec<(u64, u64)>)> = [
        ("usleep 500 ms", vec![(50 * ms, 500 * ms)]),
        ("nanosleep 300 ms", vec![(30 * ms, 300 * ms)]),
        ("clock_nanosleep 200 ms", vec![(20 * ms, 200 * ms)]),
        // Until a time on the clock the program reads: as asked.
        ("clock_nanosleep absolute", vec![]),
        ("sleep 1 s", vec![(100 * ms, 1000 * ms)]),
        ("poll no descriptors 400 ms", vec![(40 * ms, 400 * ms)]),
        ("select no descriptors 250 ms", vec![(25 * ms, 250 * ms)]),
        // Under 1 ms: left alone, so a short wait never becomes a spin.
        ("usleep 500 us", vec![]),
        // A poll that watches a descriptor waits for it, not for the drive.
        ("poll a pipe 30 ms", vec![]),
        ("bad nanosleep", vec![]),
    ]
    .into_iter()
    .map(|(c, v)| (c.to_string(), v))
    .collect();
    assert_eq!(calls, expected, "{}", run.stderr);
}

#[test]
fn paced_runs_and_a_divisor_of_one_keep_every_sleep_whole() {
    for (extra, env) in [
        (&["--paced"][..], &[][..]),
        (&[][..], &[("VIRTDRIVE_SHIM_SLEEP_DIVISOR", "1")][..]),
    ] {
        let run = run_probe(extra, env);
        expect_results(&run.stdout);
        let calls = shortened(&run.stderr);
        assert_eq!(calls.len(), 10, "{}", run.stderr);
        assert!(
            calls.iter().all(|(_, sleeps)| sleeps.is_empty()),
            "{extra:?} {env:?}: {calls:?}"
        );
    }
}

#[test]
fn a_divisor_the_caller_sets_is_used_and_a_bad_one_is_said_and_ignored() {
    let run = run_probe(&[], &[("VIRTDRIVE_SHIM_SLEEP_DIVISOR", "4")]);
    let calls = shortened(&run.stderr);
    assert_eq!(
        calls[0].1,
        vec![(125_000_000, 500_000_000)],
        "{}",
        run.stderr
    );

    let run = run_probe(&[], &[("VIRTDRIVE_SHIM_SLEEP_DIVISOR", "ten")]);
    expect_results(&run.stdout);
    assert!(
        run.stderr.contains(
            "virtdrive shim: VIRTDRIVE_SHIM_SLEEP_DIVISOR=ten is ignored: expected a number from 1 to 1000"
        ),
        "{}",
        run.stderr
    );
    assert!(
        shortened(&run.stderr).iter().all(|(_, s)| s.is_empty()),
        "{}",
        run.stderr
    );
}
