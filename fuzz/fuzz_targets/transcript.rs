//! Transcript files (JSON lines) read back for replay.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmc_core::trace::{read_jsonl, Replay};
use mmc_core::{DataPhase, Transport};

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = read_jsonl(data) {
        // Replaying whatever was read must fail cleanly, never panic.
        let mut replay = Replay::new(records.clone());
        for r in records.iter().take(8) {
            let mut buf = vec![0u8; r.length.min(4096)];
            let _ = replay.execute(&[0, 0, 0, 0, 0, 0], DataPhase::In(&mut buf), std::time::Duration::from_secs(1));
        }
    }
});
