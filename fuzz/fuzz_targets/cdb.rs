//! CDBs from a host (what the emulator receives), and the parameter lists that come with them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmc_core::cdb::Command;
use mmc_core::params::{FormatUnitParameters, PerformanceDescriptor};

fuzz_target!(|data: &[u8]| {
    match Command::decode(data) {
        Ok(command) => {
            // What decodes must encode to a CDB that decodes to the same command.
            let again = Command::decode(&command.encode());
            assert_eq!(again, Ok(command), "re-decoding {data:02X?}");
            let _ = command.expected_transfer();
        }
        Err(e) => {
            let _ = e.sense();
            let _ = e.to_string();
        }
    }
    let _ = FormatUnitParameters::parse(data);
    let _ = PerformanceDescriptor::parse(data);
});
