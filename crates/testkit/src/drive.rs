//! Emulated drives and discs for tests, and the shared fixtures.

use std::path::{Path, PathBuf};

use virtdrive::fault::FaultPlan;
use virtdrive::medium::{self, Medium, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// A drive holding a blank disc of `kind` in a memory store: ready, the power-on unit
/// attention already seen (what a host sees after its first TEST UNIT READY loop).
pub fn drive_with(kind: MediumKind) -> EmulatedDrive {
    EmulatedDrive::with_medium(DriveConfig::default(), blank_disc(kind))
}

/// A blank disc of `kind` in a memory store, to insert.
pub fn blank_disc(kind: MediumKind) -> Box<dyn Medium> {
    medium::blank(kind, Box::new(MemoryStore::new()))
}

/// `path` under the workspace's `fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    let kit = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = kit
        .ancestors()
        .nth(2)
        .expect("the kit lives in crates/testkit");
    workspace.join("fixtures").join(path)
}

/// The fault plan `fixtures/fault-plans/<path>`.
#[track_caller]
pub fn fault_plan(path: &str) -> FaultPlan {
    let p = fixture(&format!("fault-plans/{path}"));
    FaultPlan::from_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Virtual seconds as a point on the drive's clock.
pub fn secs(s: u64) -> virtdrive::clock::VirtualTime {
    virtdrive::clock::VirtualTime::from_micros(s * 1_000_000)
}
