//! Opening a disc file (`virt:MEDIA@FILE`) whose state file, journal and data file hold any
//! bytes: the open gives a disc or an error, never a panic. A disc that opens commits and opens
//! again.
//!
//! Input: a flags byte (bit 0: a journal exists; bits 1-3: the medium asked for), the state
//! file's length (u16 LE) and bytes, the journal's length (u16 LE) and bytes, and the data
//! file: the rest. The files are written through the public file names (`FILE`,
//! `FILE.state.json`, `FILE.journal`), so the target follows the formats as they change.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DiscFileDriveError, DriveConfig};

/// A folder of this process's own, on tmpfs when there is one (the open's fsyncs cost
/// nothing there).
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("fuzz-disc-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the disc files");
        dir
    })
}

fn take<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let len = match data {
        [a, b, ..] => usize::from(u16::from_le_bytes([*a, *b])),
        _ => 0,
    };
    let rest = data.get(2..).unwrap_or(&[]);
    let (head, tail) = rest.split_at(len.min(rest.len()));
    *data = tail;
    head
}

fn open(kind: MediumKind, path: &std::path::Path) -> Result<DiscFileDrive, DiscFileDriveError> {
    match DiscFileDrive::open_existing(kind, path, DriveConfig::default()) {
        // The files hold another medium: open that one, to get past the kind check.
        Err(DiscFileDriveError::WrongMedium { found, .. }) => {
            let found = MediumKind::from_name(found).expect("a medium name the crate gave");
            DiscFileDrive::open_existing(found, path, DriveConfig::default())
        }
        other => other,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let Some((&flags, tail)) = rest.split_first() else {
        return;
    };
    rest = tail;
    let state = take(&mut rest);
    let journal = take(&mut rest);
    let dir = folder();
    for entry in std::fs::read_dir(dir).expect("the folder").flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
    let path = dir.join("disc.img");
    std::fs::write(&path, rest).expect("the data file");
    std::fs::write(dir.join("disc.img.state.json"), state).expect("the state file");
    if flags & 1 != 0 {
        std::fs::write(dir.join("disc.img.journal"), journal).expect("the journal");
    }
    let kind = MediumKind::ALL[usize::from(flags >> 1) % MediumKind::ALL.len()];
    let Ok(mut drive) = open(kind, &path) else {
        return;
    };
    let kind = drive.drive().medium().map(|m| m.kind());
    if drive.commit().is_err() {
        return;
    }
    drop(drive);
    let again = open(kind.unwrap_or(MediumKind::Unknown), &path);
    if let Err(e) = again {
        panic!("a disc that opened and committed does not open again: {e}");
    }
});
