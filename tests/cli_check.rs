//! `discwriter check` as a user runs it: a clean disc passes (exit 0); a range the drive
//! cannot read is mapped to its sectors (exit 1); a sector changed on the disc after the
//! write is found against the image (its LBA) and against the manifest (its 16 MiB chunk).

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::discwriter;

const UNREADABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/unreadable-range.json"
);

/// A DVD+R disc file holding an image of 16 MiB and 100 sectors, written with a manifest:
/// (disc drive spec, disc file, image, manifest).
fn written(dir: &Path) -> (String, PathBuf, PathBuf, PathBuf) {
    let w = common::write_with_manifest(dir, "dvd+r", 100);
    (w.drive, w.disc, w.image, w.manifest)
}

/// Changes one bit of the byte at `offset` of `file`, behind the drive's back.
fn flip_bit(file: &Path, offset: u64) {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)
        .unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    let mut byte = [0u8];
    std::io::Read::read_exact(&mut f, &mut byte).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(&[byte[0] ^ 0x10]).unwrap();
}

/// `discwriter check --drive DRIVE ARGS...`.
fn check(dir: &Path, drive: &str, args: &[&str]) -> Output {
    discwriter(&[&["check", "--drive", drive][..], args].concat(), dir)
}

/// `check` against `reference` (`--image` or `--manifest`) FILE, the drive under fault plan
/// `plan`, with `more` arguments.
fn check_faulted(
    dir: &Path,
    drive: &str,
    (reference, file): (&str, &Path),
    plan: &str,
    more: &[&str],
) -> Output {
    let file = file.to_str().unwrap();
    check(
        dir,
        drive,
        &[&[reference, file, "--fault-plan", plan][..], more].concat(),
    )
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(String::from_utf8_lossy(&o.stdout).trim()).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn a_clean_disc_passes_against_its_manifest_and_its_image() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, image, manifest) = written(dir.path());
    for reference in [
        ["--manifest", manifest.to_str().unwrap()],
        ["--image", image.to_str().unwrap()],
    ] {
        let o = check(dir.path(), &drive, &reference);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains("8292 good, 0 slow, 0 unreadable"), "{out}");
    }
    // Without a reference: the last session, read in full.
    let o = check(dir.path(), &drive, &["--json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["unreadable_sectors"], 0);
}

#[test]
fn an_unreadable_range_is_mapped_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, _, manifest) = written(dir.path());
    let o = check_faulted(
        dir.path(),
        &drive,
        ("--manifest", &manifest),
        UNREADABLE,
        &["--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    assert_eq!(r["passed"], false);
    assert_eq!(r["unreadable_sectors"], 10);
    let ranges: Vec<(u64, u64, String)> = r["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["start"].as_u64().unwrap(),
                r["sectors"].as_u64().unwrap(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ranges,
        [
            (0, 1000, "good".to_string()),
            (1000, 10, "unreadable".to_string()),
            (1010, 8292 - 1010, "good".to_string()),
        ]
    );
    // Unreadable sectors are not the data: chunk 0 does not match the manifest.
    assert_eq!(r["comparison"]["differing_chunks"], serde_json::json!([0]));
    // No file system: no file is named.
    assert_eq!(r["damaged_files"], serde_json::json!([]));
}

#[test]
fn a_sector_changed_after_the_write_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, disc, image, manifest) = written(dir.path());
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    // The disc file keeps sector LBA at byte LBA * 2048: one bit of LBA 8250 (chunk 1)
    // changes behind the drive's back.
    let lba = m["start_lba"].as_u64().unwrap() + 8250;
    flip_bit(&disc, lba * 2048 + 100);

    let o = check(
        dir.path(),
        &drive,
        &["--manifest", manifest.to_str().unwrap(), "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    assert_eq!(r["unreadable_sectors"], 0);
    assert_eq!(r["comparison"]["differing_chunks"], serde_json::json!([1]));

    let o = check(dir.path(), &drive, &["--image", image.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "differs from the image from LBA {lba} in 16 MiB chunk(s) 1 "
        )),
        "{out}"
    );
}

#[test]
fn an_image_and_a_manifest_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["check", "--image", "a", "--manifest", "b"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let o = discwriter(&["check", "--manifest", "/nonexistent/m.json"], dir.path());
    assert_eq!(o.status.code(), Some(1));
}

const UNREADABLE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/unreadable-iso-file.json"
);

/// An ISO 9660 image of three files (A.BIN 40 sectors, B.BIN 60, C.BIN 80 less 5 bytes)
/// made by genisoimage, written to a DVD+RW disc file: (drive spec, disc file, image, and
/// each file's first LBA and sectors as `isoinfo -l` lists them).
fn iso_written(dir: &Path) -> (String, PathBuf, PathBuf, Vec<(String, u64, u64)>) {
    iso_written_with(dir, &[], &["a.bin", "b.bin", "c.bin"])
}

/// The same with genisoimage's `options` (-R for Rock Ridge, -J for Joliet) and these file
/// names, listed by `isoinfo -l` with the same options (so with the names they give).
fn iso_written_with(
    dir: &Path,
    options: &[&str],
    names: &[&str; 3],
) -> (String, PathBuf, PathBuf, Vec<(String, u64, u64)>) {
    let root = dir.join("root");
    std::fs::create_dir(&root).unwrap();
    for (name, bytes) in names.iter().zip([40 * 2048, 60 * 2048, 80 * 2048 - 5]) {
        let data: Vec<u8> = (0..bytes).map(|i: usize| (i * 7 + bytes) as u8).collect();
        std::fs::write(root.join(name), data).unwrap();
    }
    let image = dir.join("files.iso");
    let run = |program: &str, args: &[&str]| {
        let o = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by .ci/run): {e}"));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let out = image.to_str().unwrap();
    run(
        "genisoimage",
        &[&["-quiet", "-o", out], options, &[root.to_str().unwrap()]].concat(),
    );
    // isoinfo -l: "... [    64 00]  B.BIN;1": the extent's LBA in brackets, the size before.
    let files: Vec<(String, u64, u64)> = run("isoinfo", &[&["-l", "-i", out], options].concat())
        .lines()
        .filter(|l| l.starts_with('-'))
        .map(|l| {
            let (before, after) = l.split_once('[').unwrap();
            let (lba, name) = after.split_once(']').unwrap();
            let lba: u64 = lba.split_whitespace().next().unwrap().parse().unwrap();
            let size: u64 = before.split_whitespace().nth(4).unwrap().parse().unwrap();
            let name = name.trim().trim_end_matches(";1").to_string();
            (format!("/{name}"), lba, size.div_ceil(2048))
        })
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    let w = common::write_image_with_manifest(dir, "dvd+rw", &image);
    (w.drive, w.disc, image, files)
}

/// The paths `check --json` names as damaged, with the damage.
fn damaged(o: &Output) -> Vec<(String, String)> {
    json(o)["damaged_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["damage"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_iso_9660_file_holding_unreadable_sectors_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, image, files) = iso_written(dir.path());
    // The plan's sectors 70-79 lie in B.BIN only.
    let inside = |(_, lba, n): &(String, u64, u64)| *lba <= 79 && lba + n > 70;
    let hit: Vec<&str> = files
        .iter()
        .filter(|f| inside(f))
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(hit, ["/B.BIN"], "{files:?}");

    let o = check_faulted(
        dir.path(),
        &drive,
        ("--image", &image),
        UNREADABLE_FILE,
        &["--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["unreadable_sectors"], 10);
    assert_eq!(
        damaged(&o),
        [("/B.BIN".to_string(), "unreadable".to_string())]
    );

    let o = check_faulted(
        dir.path(),
        &drive,
        ("--image", &image),
        UNREADABLE_FILE,
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("file  /B.BIN  (unreadable)\n"), "{out}");
    assert!(!out.contains("A.BIN") && !out.contains("C.BIN"), "{out}");
}

#[test]
fn the_iso_9660_file_holding_a_changed_sector_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, disc, image, files) = iso_written(dir.path());
    let (_, c_lba, _) = files.iter().find(|f| f.0 == "/C.BIN").unwrap();
    // The disc file keeps sector LBA at byte LBA * 2048: one bit of C.BIN's 11th sector
    // changes behind the drive's back.
    flip_bit(&disc, (c_lba + 10) * 2048 + 100);

    let o = check(
        dir.path(),
        &drive,
        &["--image", image.to_str().unwrap(), "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["unreadable_sectors"], 0);
    assert_eq!(damaged(&o), [("/C.BIN".to_string(), "differs".to_string())]);

    // A manifest knows which 16 MiB chunk differs, not which sector: every file of the
    // chunk is named.
    let manifest = dir.path().join("m.json");
    let o = check(
        dir.path(),
        &drive,
        &["--manifest", manifest.to_str().unwrap(), "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let names: Vec<String> = damaged(&o).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["/A.BIN", "/B.BIN", "/C.BIN"]);
}

#[test]
fn files_are_named_as_a_mounted_disc_shows_them_rock_ridge_first_then_joliet() {
    let names = ["Report for 2026.pdf", "Holiday photo.jpeg", "notes.v2.txt"];
    for (options, seen) in [(&["-R", "-J"][..], "Rock Ridge"), (&["-J"][..], "Joliet")] {
        let dir = tempfile::tempdir().unwrap();
        let (drive, disc, image, files) = iso_written_with(dir.path(), options, &names);
        let (name, lba, _) = files
            .iter()
            .find(|f| f.0 == "/Holiday photo.jpeg")
            .unwrap_or_else(|| panic!("{seen}: isoinfo lists {files:?}"));
        flip_bit(&disc, (lba + 3) * 2048 + 7);
        let o = check(
            dir.path(),
            &drive,
            &["--image", image.to_str().unwrap(), "--json"],
        );
        assert_eq!(o.status.code(), Some(1), "{seen}");
        assert_eq!(
            damaged(&o),
            [(name.clone(), "differs".to_string())],
            "{seen}"
        );
    }
}

#[test]
fn plot_draws_the_speed_with_the_unreadable_range_marked_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, _, _) = written(dir.path());
    let svg = dir.path().join("speed.svg");
    let o = check(
        dir.path(),
        &drive,
        &["--fault-plan", UNREADABLE, "--plot", svg.to_str().unwrap()],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    // The one-line summary of the speed, in DVD's 1x and MB/s.
    assert!(
        out.lines()
            .any(|l| l.starts_with("read speed: slowest ") && l.contains("x (")),
        "{out}"
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{text}");
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains(r#"<rect class="unreadable" data-start="1000" data-sectors="10""#));
    assert!(text.contains("<title>unreadable: LBA 1000-1009 (10 sectors)</title>"));
    assert!(text.contains("Read speed: DVD+R in virt:dvd+r@"), "{text}");
    assert!(text.contains("read speed (x)") && text.contains("read speed (MB/s)"));

    let png_path = dir.path().join("speed.PNG");
    let o = check(
        dir.path(),
        &drive,
        &[
            "--fault-plan",
            UNREADABLE,
            "--plot",
            png_path.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["unreadable_sectors"], 10);
    let bytes = std::fs::read(&png_path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), (1200, 600));
    let mut pixels = vec![0u8; reader.output_buffer_size()];
    reader.next_frame(&mut pixels).unwrap();
    // Not a blank picture: the speed line is drawn in blue.
    assert!(pixels.chunks(3).any(|p| p == [30, 90, 200]));
}

#[test]
fn plot_takes_svg_or_png_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("speed.txt");
    let o = check(dir.path(), "virt:dvd+r", &["--plot", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--plot") && err.contains(".svg or .png"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn plot_into_a_missing_directory_is_refused_before_the_disc_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, _, _) = written(dir.path());
    let out = dir.path().join("no such dir").join("speed.svg");
    let o = check(dir.path(), &drive, &["--plot", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--plot") && err.contains("no such dir"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // Nothing was read: no map, no summary.
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

const SLOW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/slow-range.json"
);
const SILENTLY_DIFFERENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/silently-different.json"
);

#[test]
fn a_slow_range_is_mapped_and_is_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, _, manifest) = written(dir.path());
    let o = check_faulted(dir.path(), &drive, ("--manifest", &manifest), SLOW, &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    // READs of 32 sectors: the three that touch LBA 2000-2063 are the slow ones.
    assert!(
        out.contains("slow         LBA 1984-2079 (96 sectors)\n"),
        "{out}"
    );
    assert!(
        out.contains(" 96 slow, 0 unreadable; equal to the manifest"),
        "{out}"
    );
    let o = check_faulted(
        dir.path(),
        &drive,
        ("--manifest", &manifest),
        SLOW,
        &["--json"],
    );
    let slow: Vec<(u64, u64)> = json(&o)["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "slow")
        .map(|r| (r["start"].as_u64().unwrap(), r["sectors"].as_u64().unwrap()))
        .collect();
    assert_eq!(slow, [(1984, 96)]);
}

#[test]
fn data_that_comes_back_silently_different_is_found_against_the_image_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (drive, _, image, manifest) = written(dir.path());
    let o = check_faulted(
        dir.path(),
        &drive,
        ("--image", &image),
        SILENTLY_DIFFERENT,
        &["--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    assert_eq!(r["unreadable_sectors"], 0, "read without an error");
    // The flipped bit lies in the 32-sector READ that holds sector 3000.
    let first = r["comparison"]["first_differing_lba"].as_u64().unwrap();
    assert!((2976..3008).contains(&first), "{r}");
    assert_eq!(r["comparison"]["differing_chunks"], serde_json::json!([0]));

    let o = check_faulted(
        dir.path(),
        &drive,
        ("--manifest", &manifest),
        SILENTLY_DIFFERENT,
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("equal to the manifest"), "{out}");
}
