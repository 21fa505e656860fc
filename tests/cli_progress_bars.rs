//! The bars of the one-drive commands that show one, `erase` and `read`, as a user sees them
//! on a terminal: drawn and redrawn in place while the drive works, gone at the end, the
//! command's summary left on a clean line.

mod common;

use std::path::Path;

use common::terminal::{on_a_terminal, screen};
use common::{discwriter, image_file_of, ok, virt_disc};

/// A CD-RW in `home` holding a session of 3000 sectors: its `--drive`, and the image.
fn written_cd_rw(home: &Path) -> (String, Vec<u8>) {
    let (img, data) = image_file_of(home, 3000, 5);
    let drive = virt_disc(home, "rw.disc", "cd-rw");
    ok(
        discwriter(&["write", &img, "--drive", &drive], home),
        "write",
    );
    (drive, data)
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The lines a terminal shows at the end, without the blank ones.
fn shown(raw: &str) -> Vec<String> {
    screen(raw).into_iter().filter(|l| !l.is_empty()).collect()
}

#[test]
fn erase_draws_a_bar_in_place_and_leaves_only_its_summary() {
    let home = tempfile::tempdir().unwrap();
    let (drive, _) = written_cd_rw(home.path());
    let (code, raw) = on_a_terminal(&owned(&["erase", "--full", "--drive", &drive]), home.path());
    assert_eq!(code, Some(0), "{raw}");
    // A bar, redrawn in place (carriage return, erase the line), not a log's lines.
    assert!(raw.contains("erasing ["), "{raw}");
    assert!(raw.contains("\r\x1b[2Kerasing ["), "{raw}");
    assert!(!raw.contains("erasing: "), "{raw}");
    let lines = shown(&raw);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with("Erased (full) in ") && lines[0].ends_with(" on the drive's clock)."),
        "{lines:#?}"
    );
}

#[test]
fn read_draws_a_bar_in_place_and_leaves_only_its_summary() {
    let home = tempfile::tempdir().unwrap();
    let (drive, data) = written_cd_rw(home.path());
    let out = home.path().join("out.iso");
    let args = owned(&["read", out.to_str().unwrap(), "--drive", &drive]);
    let (code, raw) = on_a_terminal(&args, home.path());
    assert_eq!(code, Some(0), "{raw}");
    assert!(raw.contains("\r\x1b[2Kreading ["), "{raw}");
    assert_eq!(
        shown(&raw),
        [format!(
            "Read 6.1 MB (3000 sectors, LBA 0-2999) into {}: the data of the last write",
            out.display()
        )]
    );
    assert!(
        std::fs::read(&out).unwrap() == data,
        "the read gives the image"
    );
}
