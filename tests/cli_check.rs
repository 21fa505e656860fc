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

/// `discwriter check --drive DRIVE ARGS...`.
fn check(dir: &Path, drive: &str, args: &[&str]) -> Output {
    discwriter(&[&["check", "--drive", drive][..], args].concat(), dir)
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
    let o = check(
        dir.path(),
        &drive,
        &[
            "--manifest",
            manifest.to_str().unwrap(),
            "--fault-plan",
            UNREADABLE,
            "--json",
        ],
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
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&disc)
        .unwrap();
    f.seek(SeekFrom::Start(lba * 2048 + 100)).unwrap();
    let mut byte = [0u8];
    std::io::Read::read_exact(&mut f, &mut byte).unwrap();
    f.seek(SeekFrom::Start(lba * 2048 + 100)).unwrap();
    f.write_all(&[byte[0] ^ 0x10]).unwrap();
    drop(f);

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
