//! Listing the files of an ISO 9660 volume (what `check` names damaged files with) from any
//! bytes: a listing or nothing, never a panic, and never a hang on directories that loop.
//!
//! Input: the sectors from LBA 16 (the primary volume descriptor) on, 2048 bytes each; the
//! sectors before 16 and past the input read as zeros, as on a disc with an empty system area.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SECTOR: usize = 2048;

fuzz_target!(|data: &[u8]| {
    let mut read = |lba: u32, n: u32| -> Option<Vec<u8>> {
        // A disc of at most 65536 sectors: a read past it fails, as on a drive.
        if u64::from(lba) + u64::from(n) > 65536 {
            return None;
        }
        let mut out = vec![0u8; n as usize * SECTOR];
        for (i, sector) in out.chunks_mut(SECTOR).enumerate() {
            let Some(k) = (lba as usize + i).checked_sub(16) else {
                continue;
            };
            if let Some(src) = data.get(k * SECTOR..) {
                let len = src.len().min(SECTOR);
                sector[..len].copy_from_slice(&src[..len]);
            }
        }
        Some(out)
    };
    if let Some(listing) = discwriter::volume::files::list(0, &mut read) {
        for f in &listing.files {
            assert!(f.path.starts_with('/'), "{}", f.path);
        }
    }
});
