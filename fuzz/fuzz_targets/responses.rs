//! Every response parser (INQUIRY, GET CONFIGURATION, disc/track information, mode pages, TOC,
//! capacities, performance, ...): the first byte picks the parser, the rest is the data-in.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmc_core::response::parsers;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let all = parsers();
    if let Some((_, parse)) = all.get(usize::from(which) % all.len()) {
        let _ = parse(bytes);
    }
});
