//! Sense data from a drive: parse either format, walk the descriptors, name and classify it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmc_core::condition::{classify_sense, retry_class};
use mmc_core::sense::Sense;

fuzz_target!(|data: &[u8]| {
    if let Ok(sense) = Sense::parse(data) {
        for d in sense.descriptors() {
            let _ = d;
        }
        let _ = sense.to_string();
        let _ = sense.description().map(|d| d.to_string());
        let opcode = data.first().copied().unwrap_or(0);
        let _ = classify_sense(&sense, opcode);
        let _ = retry_class(&sense);
    }
});
