//! DVD-RAM through the drive: profile 0012h with Random Writable and Hardware Defect
//! Management current, sold formatted (2,236,704 sectors), READ FORMAT CAPACITIES with the
//! 00h and 01h descriptors, FORMAT UNIT 00h (certified or not) and 01h (spare area
//! expansion), random writes in 16-sector ECC blocks, and the drive's sparing of defective
//! sectors under defect management, which a streamed write bypasses.
//! Figures: a Samsung SH-S182M's READ FORMAT CAPACITIES as dvd+rw-mediainfo printed them;
//! MMC-6 6.5.4.2 (format types 00h, 01h) and 6.22 (format 0Ah, spare area information).

use std::time::Duration;

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::fault::{DriveCondition, FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// User sectors as sold: the default supplementary spare area (58,368 sectors) taken.
const SOLD: u32 = 2_236_704;
/// User sectors without a supplementary spare area.
const WITHOUT_SSA: u32 = 2_295_072;

/// FORMAT UNIT with a parameter list (FmtData, format code 001b).
const FORMAT_UNIT_LIST: [u8; 6] = [0x04, 0x11, 0, 0, 0, 0];

/// A format parameter list: FOV and Immed, DCRT when `no_certification`; `blocks`, format
/// type, type dependent parameter 800h (the block length).
fn format_list(blocks: u32, format_type: u8, no_certification: bool) -> [u8; 12] {
    let mut list = testkit::format_list(blocks, format_type, 0, 0x800);
    list[1] = 0x82 | if no_certification { 0x20 } else { 0 };
    list
}

/// READ DISC STRUCTURE for DVD media, format `code`.
fn dvd_structure(code: u8) -> [u8; 12] {
    [
        0xAD, // READ DISC STRUCTURE
        0x00, // media type 0: DVD
        0, 0, 0, 0,    // address
        0,    // layer 0
        code, // format code
        0x08, 0x04, // allocation length 2,052
        0, 0,
    ]
}

/// Format 0Ah: (unused primary, unused supplementary, allocated supplementary) spare
/// sectors.
fn spare_area<T: mmc_core::Transport>(d: &mut T) -> (u32, u32, u32) {
    let data = command_in(d, &dvd_structure(0x0A), 2052);
    assert_eq!(
        be16(&data[0..2]),
        14,
        "data length: 12 bytes and 2 reserved"
    );
    (be32(&data[4..8]), be32(&data[8..12]), be32(&data[12..16]))
}

fn last_lba(d: &mut EmulatedDrive) -> u32 {
    be32(&command_in(d, &READ_CAPACITY, 8)[0..4])
}

fn format(d: &mut EmulatedDrive, list: &[u8; 12]) -> Duration {
    let before = d.now();
    command_out(d, &FORMAT_UNIT_LIST, list);
    wait_until_ready(d);
    d.now().since(before)
}

/// Feature `code`'s descriptor from GET CONFIGURATION (RT 10b: that one feature).
fn feature(d: &mut EmulatedDrive, code: u16) -> Vec<u8> {
    let [hi, lo] = code.to_be_bytes();
    let data = command_in(d, &[0x46, 0x02, hi, lo, 0, 0, 0, 0x01, 0x00, 0], 256);
    data[8..].to_vec()
}

#[test]
fn a_dvd_ram_is_profile_0012h_random_writable_with_defect_management() {
    let mut d = drive_with(MediumKind::DvdRam);
    let config = command_in(&mut d, &[0x46, 0x00, 0, 0, 0, 0, 0, 0x01, 0x00, 0], 256);
    assert_eq!(be16(&config[6..8]), 0x0012, "current profile: DVD-RAM");
    let profiles = feature(&mut d, 0x0000);
    let listed: Vec<(u16, bool)> = profiles[4..]
        .chunks(4)
        .map(|p| (be16(&p[0..2]), p[2] & 1 != 0))
        .collect();
    assert!(listed.contains(&(0x0012, true)), "{listed:x?}");
    let random_writable = feature(&mut d, 0x0020);
    assert_eq!(random_writable[2] & 1, 1, "0020h current");
    assert_eq!(be32(&random_writable[4..8]), SOLD - 1, "last LBA");
    assert_eq!(
        be16(&random_writable[12..14]),
        16,
        "blocking: 16-sector ECC blocks"
    );
    assert_eq!(feature(&mut d, 0x0024)[2] & 1, 1, "0024h current");
    let formattable = feature(&mut d, 0x0023);
    assert_eq!(formattable[2] & 1, 1, "0023h current");
    assert_eq!(formattable[4] & 0x04, 0x04, "Expand: spare area expansion");
}

#[test]
fn a_dvd_ram_is_sold_formatted_with_its_capacities() {
    let mut d = drive_with(MediumKind::DvdRam);
    assert_eq!(last_lba(&mut d), SOLD - 1);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2], 0x1F,
        "Erasable, last session complete, disc status 11b others"
    );
    let mut expected = vec![0x00, 0x00, 0x00, 5 * 8]; // capacity list length
    for descriptor in [
        capacity_descriptor(SOLD, 0x02, 0x800), // current: formatted
        capacity_descriptor(SOLD, 0x00 << 2, 0x800), // 00h with the default SSA
        capacity_descriptor(WITHOUT_SSA, 0x00 << 2, 0x800), // 00h without SSA
        capacity_descriptor(SOLD - 9_728, 0x01 << 2, 0x800), // 01h: one step
        capacity_descriptor(SOLD - 19_456, 0x01 << 2, 0x800), // 01h: two steps
    ] {
        expected.extend(descriptor);
    }
    assert_eq!(command_in(&mut d, &READ_FORMAT_CAPACITIES, 252), expected);
    assert_eq!(spare_area(&mut d), (12_800, 58_368, 58_368));
    // Physical format: book type DVD-RAM (1), rewritable layer.
    let physical = command_in(&mut d, &dvd_structure(0x00), 2052);
    assert_eq!(physical[4] >> 4, 1, "book type DVD-RAM");
    // The structure list names format 0Ah.
    let list = command_in(&mut d, &dvd_structure(0xFF), 2052);
    assert!(list[4..].chunks(4).any(|e| e[0] == 0x0A), "{list:x?}");
}

#[test]
fn a_full_format_certifies_for_the_better_part_of_an_hour_unless_told_not_to() {
    let mut d = drive_with(MediumKind::DvdRam);
    write_blocks(&mut d, 0, 16, 0x33);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let certified = format(&mut d, &format_list(SOLD, 0x00, false));
    assert!(
        certified > Duration::from_secs(45 * 60) && certified < Duration::from_secs(90 * 60),
        "{certified:?}"
    );
    assert_eq!(
        read_blocks(&mut d, 0, 16),
        vec![0u8; 16 * 2048],
        "blank again"
    );
    let quick = format(&mut d, &format_list(SOLD, 0x00, true));
    assert!(quick < Duration::from_secs(5 * 60), "{quick:?}");
    assert_eq!(last_lba(&mut d), SOLD - 1);
}

#[test]
fn formatting_answers_format_in_progress() {
    let mut d = drive_with(MediumKind::DvdRam);
    command_out(&mut d, &FORMAT_UNIT_LIST, &format_list(SOLD, 0x00, false));
    d.advance(Duration::from_secs(60));
    let f = command_in_fails(&mut d, &read10(0, 1), 2048, triples::FORMAT_IN_PROGRESS);
    assert!(f.progress() > 0);
    wait_until_ready(&mut d);
    command_ok(&mut d, &TEST_UNIT_READY);
}

#[test]
fn format_00h_without_ssa_and_too_many_blocks() {
    let mut d = drive_with(MediumKind::DvdRam);
    format(&mut d, &format_list(WITHOUT_SSA, 0x00, true));
    assert_eq!(last_lba(&mut d), WITHOUT_SSA - 1);
    assert_eq!(spare_area(&mut d), (12_800, 0, 0));
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT_LIST,
        &format_list(WITHOUT_SSA + 1, 0x00, true),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 4);
    // A BD-RE format type is not a DVD-RAM one: byte 8.
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT_LIST,
        &format_list(SOLD, 0x30, true),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8);
}

#[test]
fn spare_area_expansion_keeps_the_data_and_shortens_the_disc() {
    let mut d = drive_with(MediumKind::DvdRam);
    let data = write_blocks(&mut d, 1_000, 32, 0x5A);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let took = format(&mut d, &format_list(SOLD - 9_728, 0x01, false));
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert_eq!(last_lba(&mut d), SOLD - 9_728 - 1);
    assert_eq!(read_blocks(&mut d, 1_000, 32), data, "data kept");
    assert_eq!(spare_area(&mut d), (12_800, 68_096, 68_096));
    // The next expansions start from the new size; a size not offered is refused.
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(be32(&formats[28..32]), SOLD - 2 * 9_728);
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT_LIST,
        &format_list(SOLD - 100, 0x01, false),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 4);
}

#[test]
fn random_writes_anywhere_read_back_and_partial_blocks_keep_their_neighbours() {
    let mut d = drive_with(MediumKind::DvdRam);
    let high = write_blocks(&mut d, (SOLD - 16) as i32, 16, 0x11);
    let low = write_blocks(&mut d, 0, 16, 0x22);
    let part = write_blocks(&mut d, 5, 3, 0x33);
    let mut expected = low;
    expected[5 * 2048..8 * 2048].copy_from_slice(&part);
    assert_eq!(read_blocks(&mut d, 0, 16), expected);
    assert_eq!(read_blocks(&mut d, (SOLD - 16) as i32, 16), high);
    command_out_fails(
        &mut d,
        &write10(SOLD, 1),
        &blocks(0, 1),
        triples::LBA_OUT_OF_RANGE,
    );
}

#[test]
fn a_defective_sector_written_under_defect_management_is_spared() {
    let mut d = drive_with(MediumKind::DvdRam);
    d.enter_condition(&DriveCondition::DefectiveSectors {
        lba: 1_000,
        blocks: 3,
    });
    // Unreadable until written: the ECC block 992-1007 holds it.
    let f = command_in_fails(
        &mut d,
        &read10(1_000, 1),
        2048,
        triples::UNRECOVERED_READ_ERROR,
    );
    assert_eq!(f.information, Some(1_000), "the defective LBA");
    let data = write_blocks(&mut d, 992, 32, 0x6C);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(&mut d, 992, 32), data);
    // One ECC block of the primary spare area went to the replacement.
    assert_eq!(spare_area(&mut d), (12_784, 58_368, 58_368));
}

#[test]
fn a_streamed_write_over_a_defective_sector_fails_as_without_defect_management() {
    let mut d = drive_with(MediumKind::DvdRam);
    d.enter_condition(&DriveCondition::DefectiveSectors {
        lba: 2_050,
        blocks: 1,
    });
    let failed = command_out_fails(
        &mut d,
        &write12(2_048, 16, true),
        &blocks(0, 16),
        triples::WRITE_ERROR,
    );
    assert_eq!(failed.information, Some(2_050), "the defective LBA");
    assert_eq!(
        spare_area(&mut d),
        (12_800, 58_368, 58_368),
        "nothing spared"
    );
    command_in_fails(
        &mut d,
        &read10(2_050, 1),
        2048,
        triples::UNRECOVERED_READ_ERROR,
    );
    // Without the Streaming bit the same write succeeds.
    let data = blocks(7, 16);
    command_out(&mut d, &write12(2_048, 16, false), &data);
    assert_eq!(read_blocks(&mut d, 2_048, 16), data);
}

#[test]
fn a_fault_plans_defective_sectors_are_spared_on_dvd_ram_and_fail_a_bd_re_without_spares() {
    let plan = || {
        FaultPlan::from_path(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/fault-plans/defective-sectors.json"),
        )
        .unwrap()
    };
    let mut d = Faulty::for_drive(drive_with(MediumKind::DvdRam), plan());
    command_ok(&mut d, &TEST_UNIT_READY);
    let data = blocks(3, 32);
    command_out(&mut d, &write10(4_096, 32), &data);
    assert_eq!(read_blocks(&mut d, 4_096, 32), data);
    assert_eq!(spare_area(&mut d), (12_784, 58_368, 58_368));

    let mut bd = drive_with(MediumKind::BdRe);
    command_out(&mut bd, &FORMAT_UNIT_LIST, &FORMAT_BD_RE_31H);
    wait_until_ready(&mut bd);
    let mut bd = Faulty::for_drive(bd, plan());
    command_ok(&mut bd, &TEST_UNIT_READY);
    command_out_fails(
        &mut bd,
        &write10(4_096, 32),
        &blocks(3, 32),
        triples::WRITE_ERROR,
    );
}

#[test]
fn a_disc_file_keeps_the_expansion_the_data_and_the_spares_used() {
    use virtdrive::{DiscFileDrive, DriveConfig};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ram.disc");
    let data = {
        let mut d = DiscFileDrive::open(MediumKind::DvdRam, &path, DriveConfig::default()).unwrap();
        command_out(
            &mut d,
            &FORMAT_UNIT_LIST,
            &format_list(SOLD - 19_456, 0x01, false),
        );
        wait_until_ready(d.drive_mut());
        d.drive_mut()
            .enter_condition(&DriveCondition::DefectiveSectors { lba: 40, blocks: 1 });
        let data = write_blocks(&mut d, 32, 32, 0x42);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        data
    };
    let mut d =
        DiscFileDrive::open_existing(MediumKind::DvdRam, &path, DriveConfig::default()).unwrap();
    let last = be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]);
    assert_eq!(last, SOLD - 19_456 - 1);
    assert_eq!(read_blocks(&mut d, 32, 32), data);
    assert_eq!(spare_area(&mut d), (12_784, 77_824, 77_824));
}

#[test]
fn a_saved_state_keeps_the_format_and_refuses_one_no_format_makes() {
    use serde_json::json;
    use virtdrive::medium::overwritable::DvdRam;
    use virtdrive::medium::Medium;
    let store = MemStore::new();
    let mut disc = DvdRam::new(store.boxed());
    disc.write(0, &blocks(1, 16), false, secs(0)).unwrap();
    disc.synchronize().unwrap();
    let state = disc.save_state();
    assert_eq!(
        state,
        json!({
            "medium": "dvd-ram",
            "version": 1,
            "format": "formatted",
            "format_type": 0,
            "ssa_sectors": 58_368,
            "written": [[0, 16]],
        })
    );
    let loaded = DvdRam::load_state(&state, store.boxed()).unwrap();
    assert_eq!(loaded.user_capacity(), Some(u64::from(SOLD)));
    // 100 sectors of supplementary spare area are no step of an expansion.
    let bad = json!({"medium": "dvd-ram", "version": 1, "format": "formatted",
        "format_type": 1, "ssa_sectors": 100, "written": []});
    let e = DvdRam::load_state(&bad, store.boxed()).unwrap_err();
    assert!(e.to_string().contains("ssa_sectors Some(100)"), "{e}");
    let bd = json!({"medium": "bd-re", "version": 1, "format": "unformatted", "written": []});
    assert!(DvdRam::load_state(&bd, store.boxed()).is_err());
}
