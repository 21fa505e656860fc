//! Defect management as a user chooses it: `format --spares SIZE|none|default`, `write
//! --defect-management on|off` (and its alias `--streaming`), and what `info` reports, on the
//! virtual BD-RE and BD-R. Each option is tried with a valid and an invalid value.

mod common;

use common::{disc_info_json, discwriter, ok};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
/// A single-layer BD without spare areas.
const WHOLE: u64 = 12_219_392;
/// The spare areas the drive offers, in sectors: ISA0 alone, the default, the largest.
const SMALLEST_SPARE: u64 = 4096 * 32;
const DEFAULT_SPARE: u64 = 12_288 * 32;

fn spec(dir: &std::path::Path, medium: &str) -> String {
    format!("virt:{medium}@{}", dir.join(medium).display())
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn format_spares_size_gives_a_bd_re_that_capacity_and_info_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "bd-re");
    // In bytes: 256 MiB is 131,072 sectors, ISA0 alone.
    ok(
        discwriter(
            &["format", "--drive", &drive, "--spares", "256MiB"],
            dir.path(),
        ),
        "format --spares 256MiB",
    );
    let info = disc_info_json(&drive, dir.path());
    assert_eq!(info["total_sectors"], WHOLE - SMALLEST_SPARE);
    let dm = &info["defect_management"];
    assert_eq!(dm["available"], true, "{info}");
    assert_eq!(dm["on"], true, "{info}");
    assert_eq!(dm["capacity_with_spares"], WHOLE - SMALLEST_SPARE);
    assert_eq!(dm["capacity_without_spares"], WHOLE);
    // With defect management the drive verifies what it writes: half its 2x.
    assert_eq!(
        dm["write_kbps"],
        dm["streaming_write_kbps"].as_u64().unwrap() / 2
    );
    let text = String::from_utf8_lossy(
        &ok(discwriter(&["info", "--drive", &drive], dir.path()), "info").stdout,
    )
    .into_owned();
    assert!(text.contains("Defect management: on"), "{text}");

    // In sectors, the default size.
    ok(
        discwriter(
            &[
                "format",
                "--drive",
                &drive,
                "--spares",
                &DEFAULT_SPARE.to_string(),
            ],
            dir.path(),
        ),
        "format --spares 393216",
    );
    assert_eq!(
        disc_info_json(&drive, dir.path())["total_sectors"],
        WHOLE - DEFAULT_SPARE
    );
}

#[test]
fn format_spares_none_turns_defect_management_off_on_a_bd_re() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "bd-re");
    ok(
        discwriter(
            &["format", "--drive", &drive, "--spares", "none"],
            dir.path(),
        ),
        "format --spares none",
    );
    let info = disc_info_json(&drive, dir.path());
    assert_eq!(info["total_sectors"], WHOLE, "{info}");
    assert_eq!(info["defect_management"]["on"], false, "{info}");
    let dm = &info["defect_management"];
    assert_eq!(dm["write_kbps"], dm["streaming_write_kbps"]);
}

#[test]
fn a_spare_size_no_format_offers_is_refused_naming_the_sizes_offered() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "bd-re");
    let o = discwriter(
        &["format", "--drive", &drive, "--spares", "1000"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("1000 sectors"), "{err}");
    assert!(err.contains("131072, 393216, 655360 sectors"), "{err}");
    assert!(err.contains("E_INVALIDARG"), "{err}");
    // Not a size at all: the command line is refused.
    let o = discwriter(
        &["format", "--drive", &drive, "--spares", "lots"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--spares"), "{}", stderr(&o));
    // Bytes that are not whole sectors.
    let o = discwriter(
        &["format", "--drive", &drive, "--spares", "1000k"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_bd_r_is_formatted_with_spare_areas_but_not_without() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "bd-r");
    // Unformatted: no spare areas, the whole disc.
    let info = disc_info_json("virt:bd-r", dir.path());
    assert_eq!(info["defect_management"]["on"], false, "{info}");
    assert_eq!(info["defect_management"]["capacity_without_spares"], WHOLE);
    let o = discwriter(
        &["format", "--drive", &drive, "--spares", "none"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no format without spare areas"),
        "{}",
        stderr(&o)
    );
    ok(
        discwriter(
            &["format", "--drive", &drive, "--spares", "default"],
            dir.path(),
        ),
        "format --spares default",
    );
    let info = disc_info_json(&drive, dir.path());
    assert_eq!(info["defect_management"]["on"], true, "{info}");
    assert_eq!(info["free_sectors"], WHOLE - DEFAULT_SPARE, "{info}");
}

/// The WRITE commands of a `write -vv` run: (WRITE (12), its Streaming bit).
fn writes_sent(args: &[&str], home: &std::path::Path) -> Vec<(bool, bool)> {
    let mut all = vec!["write", SAMPLE, "-vv"];
    all.extend_from_slice(args);
    let o = ok(discwriter(&all, home), "write");
    stderr(&o)
        .lines()
        .filter(|l| l.contains("-> WRITE ("))
        .map(|l| (l.contains("WRITE (12)"), l.contains("streaming: true")))
        .collect()
}

#[test]
fn write_defect_management_off_streams_and_on_lets_the_drive_verify() {
    let dir = tempfile::tempdir().unwrap();
    for medium in ["bd-re", "bd-r"] {
        let drive = spec(dir.path(), medium);
        if medium == "bd-r" {
            ok(
                discwriter(
                    &["format", "--drive", &drive, "--spares", "default"],
                    dir.path(),
                ),
                "format bd-r",
            );
        }
        for (value, streaming) in [("off", true), ("on", false)] {
            let writes = writes_sent(
                &[
                    "--drive",
                    &drive,
                    "--defect-management",
                    value,
                    "--overwrite",
                ],
                dir.path(),
            );
            assert!(!writes.is_empty(), "{medium} {value}");
            assert!(
                writes.iter().all(|&w| w == (streaming, streaming)),
                "{medium} {value}: {writes:?}"
            );
        }
    }
    // --streaming stays an alias of --defect-management off, and cannot contradict it.
    let drive = spec(dir.path(), "bd-re");
    let writes = writes_sent(
        &["--drive", &drive, "--streaming", "--overwrite"],
        dir.path(),
    );
    assert!(writes.iter().all(|&w| w == (true, true)), "{writes:?}");
    let o = discwriter(
        &[
            "write",
            SAMPLE,
            "--drive",
            &drive,
            "--streaming",
            "--defect-management",
            "on",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = discwriter(
        &[
            "write",
            SAMPLE,
            "--drive",
            &drive,
            "--defect-management",
            "maybe",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("maybe"), "{}", stderr(&o));
}
