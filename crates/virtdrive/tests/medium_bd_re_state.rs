//! Power loss and saved state of a BD-RE: a format cut short leaves the disc
//! unformatted; a finished format and synchronized data survive.

use mmc_core::cdb::FormatType;
use mmc_core::params::{BdCertification, FormatDescriptor, FormatUnitParameters};
use serde_json::json;
use testkit::{blocks, secs, MemStore};
use virtdrive::medium::overwritable::BdRe;
use virtdrive::medium::Medium;

fn read(disc: &mut dyn Medium, lba: i32, n: usize) -> Vec<u8> {
    let mut out = vec![0xA5; n * 2048];
    disc.read(lba, &mut out).expect("the read succeeds");
    out
}

#[test]
fn power_loss_during_a_bd_re_format_leaves_it_unformatted() {
    let store = MemStore::new();
    let mut disc = BdRe::new(store.boxed());
    let params = FormatUnitParameters::immediate(FormatDescriptor {
        number_of_blocks: 11_826_176,
        format_type: FormatType::BdReWithSpareAreas,
        format_subtype: BdCertification::FullCertification.to_u8(),
        type_dependent: 0x3000,
    });
    disc.format(&params, secs(0)).unwrap();
    disc.advance(secs(100));
    disc.power_loss();
    assert_eq!(disc.user_capacity(), None);
    assert_eq!(disc.blocking_format_progress(), None);
    let mut out = vec![0; 2048];
    assert_eq!(
        disc.read(0, &mut out).unwrap_err().triple,
        mmc_core::sense::SenseTriple::new(0x2, 0x30, 0x10)
    );
}

#[test]
fn a_bd_re_keeps_its_format_and_synchronized_data_across_power_loss_and_saving() {
    let store = MemStore::new();
    let mut disc = BdRe::new(store.boxed());
    let params = FormatUnitParameters::immediate(FormatDescriptor {
        number_of_blocks: 12_219_392,
        format_type: FormatType::BdReWithoutSpareAreas,
        format_subtype: 0,
        type_dependent: 0x800,
    });
    let busy = disc.format(&params, secs(0)).unwrap();
    disc.advance(secs(0).after(busy.duration));
    let kept = blocks(0x21, 32);
    disc.write(64, &kept, true, secs(30)).unwrap();
    disc.synchronize().unwrap();
    disc.write(96, &blocks(0x66, 32), true, secs(31)).unwrap();
    disc.power_loss();
    assert_eq!(
        disc.user_capacity(),
        Some(12_219_392),
        "the format survives"
    );
    assert_eq!(read(&mut disc, 64, 32), kept);
    assert_eq!(read(&mut disc, 96, 32), vec![0; 32 * 2048]);

    let state = disc.save_state();
    assert_eq!(
        state,
        json!({
            "medium": "bd-re",
            "version": 1,
            "format": "formatted",
            "format_type": 0x31,
            "spare_clusters": 0,
            "written": [[64, 96]],
        })
    );
    let mut loaded = BdRe::load_state(&state, store.boxed()).unwrap();
    assert!(!loaded.defect_management_active());
    assert_eq!(read(&mut loaded, 64, 32), kept);

    let bad = json!({"medium": "bd-re", "version": 1, "format": "formatted",
        "format_type": 0x30, "spare_clusters": 100, "written": []});
    let e = BdRe::load_state(&bad, store.boxed()).unwrap_err();
    assert!(e.to_string().contains("spare_clusters Some(100)"), "{e}");
}
