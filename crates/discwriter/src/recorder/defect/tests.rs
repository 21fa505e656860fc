//! The format a spare-area choice picks from READ FORMAT CAPACITIES, and the state `info`
//! reports, on the descriptor lists a BD-RE and a BD-R drive give (sizes in clusters of 32
//! sectors, MMC-6 6.24.3.3).

use mmc_core::cdb::FormatType;
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity, FormattableCapacity};
use mmc_core::response::FormatCapacities;
use mmc_core::Profile;

use super::*;

/// 12,219,392 sectors, as a single-layer BD holds without spare areas.
const WHOLE: u32 = 12_219_392;

fn spare(format_type: FormatType, clusters: u32) -> FormattableCapacity {
    FormattableCapacity {
        blocks: WHOLE - clusters * 32,
        format_type,
        type_dependent: clusters,
    }
}

fn bd_re(formatted_blocks: Option<u32>) -> FormatCapacities {
    FormatCapacities {
        current: CurrentCapacity {
            blocks: formatted_blocks.unwrap_or(WHOLE),
            descriptor_type: if formatted_blocks.is_some() {
                CapacityDescriptorType::Formatted
            } else {
                CapacityDescriptorType::Unformatted
            },
            block_length: 2048,
        },
        formattable: vec![
            spare(FormatType::FullFormat, 12_288),
            spare(FormatType::BdReWithSpareAreas, 12_288),
            spare(FormatType::BdReWithSpareAreas, 20_480),
            spare(FormatType::BdReWithSpareAreas, 4096),
            FormattableCapacity {
                blocks: WHOLE,
                format_type: FormatType::BdReWithoutSpareAreas,
                type_dependent: 2048,
            },
        ],
        cut_bytes: 0,
    }
}

fn bd_r() -> FormatCapacities {
    let mut caps = bd_re(None);
    caps.formattable = vec![
        spare(FormatType::FullFormat, 12_288),
        spare(FormatType::BdRWithSpareAreas, 12_288),
        spare(FormatType::BdRWithSpareAreas, 4096),
    ];
    caps
}

#[test]
fn the_default_is_the_first_format_with_spare_areas() {
    let d = choose_format(Profile::BdRe, &bd_re(None), DefectManagement::default()).unwrap();
    assert_eq!(d.format_type, FormatType::FullFormat);
    assert_eq!(
        (d.number_of_blocks, d.type_dependent),
        (WHOLE - 393_216, 12_288)
    );
}

#[test]
fn a_size_in_sectors_picks_the_descriptor_with_that_spare() {
    let choice = DefectManagement::On(SpareAreas::Sectors(4096 * 32));
    let d = choose_format(Profile::BdRe, &bd_re(None), choice).unwrap();
    assert_eq!(d.format_type, FormatType::BdReWithSpareAreas);
    assert_eq!(d.number_of_blocks, WHOLE - 131_072);
    let d = choose_format(Profile::BdRSrm, &bd_r(), choice).unwrap();
    assert_eq!(d.format_type, FormatType::BdRWithSpareAreas);
    // SRM without Pseudo-OverWrite: the spares stay for defects.
    assert_eq!(d.format_subtype, 0b01);
}

#[test]
fn a_size_no_descriptor_has_is_an_invalid_argument_naming_the_offered_sizes() {
    let e = choose_format(
        Profile::BdRe,
        &bd_re(None),
        DefectManagement::On(SpareAreas::Sectors(1000)),
    )
    .unwrap_err();
    assert_eq!(e.hresult(), 0x8007_0057);
    let text = e.to_string();
    assert!(text.contains("131072, 393216, 655360 sectors"), "{text}");
}

#[test]
fn off_is_the_format_without_spare_areas_on_bd_re_and_refused_on_bd_r() {
    let d = choose_format(Profile::BdRe, &bd_re(None), DefectManagement::Off).unwrap();
    assert_eq!(
        (d.format_type, d.number_of_blocks),
        (FormatType::BdReWithoutSpareAreas, WHOLE)
    );
    let e = choose_format(Profile::BdRSrm, &bd_r(), DefectManagement::Off).unwrap_err();
    assert_eq!(e.hresult(), 0x8007_0057);
}

#[test]
fn state_reports_capacities_and_the_halved_speed() {
    let with = WHOLE - 393_216;
    let s = state_of(Profile::BdRe, Some(&bd_re(Some(with))), Some(8990));
    assert_eq!(s.on, Some(true));
    assert_eq!(
        (s.capacity_with_spares, s.capacity_without_spares),
        (Some(with), Some(WHOLE))
    );
    assert_eq!(
        (s.write_kbps, s.streaming_write_kbps),
        (Some(4495), Some(8990))
    );
    let s = state_of(Profile::BdRe, Some(&bd_re(Some(WHOLE))), Some(8990));
    assert_eq!(s.on, Some(false));
    let s = state_of(Profile::BdRe, Some(&bd_re(None)), None);
    assert_eq!((s.on, s.capacity_with_spares), (None, Some(with)));
    let s = state_of(Profile::BdRSrm, Some(&bd_r()), None);
    assert_eq!(
        (s.on, s.capacity_without_spares),
        (Some(false), Some(WHOLE))
    );
    let s = state_of(Profile::CdR, None, Some(1411));
    assert!(!s.available);
}
