//! Power loss and saved state of a DVD+RW: the disc returns to
//! what was last synchronized; a saved state loads back, and a corrupt one says what is
//! wrong.

use mmc_core::params::{FormatDescriptor, FormatUnitParameters};
use mmc_core::response::disc_info::BgFormatStatus;
use serde_json::json;
use testkit::{blocks, secs, MemStore};
use virtdrive::medium::overwritable::DvdPlusRw;
use virtdrive::medium::Medium;

fn basic_format() -> FormatUnitParameters {
    FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(false))
}

fn read(disc: &mut dyn Medium, lba: i32, n: usize) -> Vec<u8> {
    let mut out = vec![0xA5; n * 2048];
    disc.read(lba, &mut out).expect("the read succeeds");
    out
}

#[test]
fn power_loss_reverts_a_dvd_plus_rw_to_its_last_synchronize() {
    let store = MemStore::new();
    let mut disc = DvdPlusRw::new(store.boxed());
    disc.format(&basic_format(), secs(0)).unwrap();
    let kept = blocks(0x11, 32);
    disc.write(0, &kept, false, secs(1)).unwrap();
    disc.synchronize().unwrap();
    disc.write(0, &blocks(0x99, 32), false, secs(2)).unwrap();
    disc.write(500_000, &blocks(0x77, 16), false, secs(2))
        .unwrap();
    disc.advance(secs(60));
    disc.power_loss();
    assert_eq!(
        read(&mut disc, 0, 32),
        kept,
        "the overwrite was never synchronized"
    );
    // The format was running: it stops where it had got to (60 s: 97,382 sectors), and
    // the unsynchronized write at 500,000 is not there to extend the readable area.
    assert_eq!(disc.bg_format_status(), BgFormatStatus::Partial);
    assert_eq!(disc.formatted_sectors(), 97_382);
    assert_eq!(disc.read_capacity().unwrap().last_lba, 97_391);
    assert_eq!(store.committed(0), blocks(0x11, 1));
}

#[test]
fn a_dvd_plus_rw_state_saves_and_loads() {
    let store = MemStore::new();
    let mut disc = DvdPlusRw::new(store.boxed());
    disc.format(&basic_format(), secs(0)).unwrap();
    let data = blocks(0x42, 48);
    disc.write(1000, &data, false, secs(5)).unwrap();
    disc.synchronize().unwrap();
    disc.advance(secs(60));
    let state = disc.save_state();
    assert_eq!(
        state,
        json!({
            "medium": "dvd+rw",
            "version": 1,
            "bg_format": "in-progress",
            "formatted": 97_382,
            "written": [[992, 1056]],
            "lead_out": null,
        }),
        "the partial blocks at 1000 and 1040 were written whole: 992..1056"
    );
    let mut loaded = DvdPlusRw::load_state(&state, store.boxed()).unwrap();
    // Loading is inserting the disc: the format is stopped, the data is there.
    assert_eq!(loaded.bg_format_status(), BgFormatStatus::Partial);
    assert_eq!(read(&mut loaded, 1000, 48), data);
    assert_eq!(read(&mut loaded, 992, 8), vec![0; 8 * 2048]);
}

#[test]
fn a_corrupt_dvd_plus_rw_state_names_what_is_wrong() {
    let store = MemStore::new();
    let cases = [
        (
            json!({"medium": "bd-re", "version": 1, "bg_format": "complete", "written": []}),
            "bd-re",
        ),
        (
            json!({"medium": "dvd+rw", "version": 7, "bg_format": "complete", "written": []}),
            "version 7",
        ),
        (
            json!({"medium": "dvd+rw", "version": 1, "bg_format": "stopped", "written": []}),
            "stopped",
        ),
        (
            json!({"medium": "dvd+rw", "version": 1, "bg_format": "complete", "written": [[10, 5]]}),
            "[10, 5)",
        ),
        (
            json!({"medium": "dvd+rw", "version": 1, "bg_format": "complete", "written": [[0, 3_000_000]]}),
            "beyond",
        ),
        (
            json!({"medium": "dvd+rw", "version": 1, "written": []}),
            "bg_format",
        ),
        (json!("not an object"), "not a DVD+RW state"),
    ];
    for (state, needle) in cases {
        let e = DvdPlusRw::load_state(&state, store.boxed()).unwrap_err();
        let message = e.to_string();
        assert!(message.starts_with("dvd+rw disc state: "), "{message}");
        assert!(
            message.contains(needle),
            "{message:?} should mention {needle:?}"
        );
    }
}
