//! What several fuzz targets check the same way.

use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;

/// A medium's saved `state` loads again, and saving the loaded disc gives a state that loads
/// to itself. (A state saved while a format runs loads as the disc the format was
/// interrupted on, so the second save is the fixed point, not the first.)
pub fn assert_state_reloads(kind: MediumKind, state: &serde_json::Value) {
    let reload = |state: &serde_json::Value| {
        medium::load(kind, state, Box::new(MemoryStore::new()))
            .unwrap_or_else(|e| panic!("{kind:?}: the saved state does not load: {e}\n{state}"))
            .save_state()
    };
    let once = reload(state);
    assert_eq!(reload(&once), once, "{kind:?}: saved from {state}");
}
