//! The fuzz seeds and the parser table: every format has a valid sample, every sample parses
//! with the parser named for it, and no parser panics on any bytes.

use std::collections::BTreeSet;

use mmc_core::response::{parse_any, parsers, sample_responses};
use proptest::prelude::*;

#[test]
fn every_parser_has_a_sample_and_every_sample_parses() {
    let samples = sample_responses();
    let names: BTreeSet<_> = parsers().iter().map(|(n, _)| *n).collect();
    let sampled: BTreeSet<_> = samples.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, sampled);
    assert_eq!(names.len(), parsers().len(), "parser names are unique");
    for (name, bytes) in &samples {
        assert_eq!(parse_any(name, bytes), Some(Ok(())), "{name}: {bytes:02X?}");
    }
    assert_eq!(parse_any("no such format", &[]), None);
}

#[test]
fn every_parser_rejects_empty_input() {
    for (name, parse) in parsers() {
        assert!(parse(&[]).is_err(), "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn no_parser_panics_on_arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        for (_, parse) in parsers() {
            let _ = parse(&b);
        }
    }

    #[test]
    fn no_parser_panics_on_mutated_samples(
        which: prop::sample::Index,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut: prop::sample::Index,
    ) {
        let samples = sample_responses();
        let (name, mut bytes) = samples[which.index(samples.len())].clone();
        if !bytes.is_empty() {
            for (at, x) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        prop_assert!(parse_any(name, &bytes).is_some());
    }
}

#[test]
fn every_sample_prints_as_json_with_named_fields_and_reads_back() {
    use mmc_core::params::ModeParameters;
    use mmc_core::response::*;
    fn check<
        T: ResponseFormat
            + serde::Serialize
            + serde::de::DeserializeOwned
            + PartialEq
            + std::fmt::Debug,
    >(
        bytes: &[u8],
        field: &str,
    ) {
        let v = T::parse(bytes).unwrap();
        let json = serde_json::to_value(&v).unwrap();
        assert!(json.get(field).is_some(), "{field} missing in {json}");
        assert_eq!(serde_json::from_value::<T>(json).unwrap(), v);
    }
    for (name, b) in sample_responses() {
        match name {
            "inquiry" => check::<StandardInquiry>(&b, "vendor"),
            "configuration" => check::<Configuration>(&b, "current_profile"),
            "disc_information" => check::<DiscInformation>(&b, "disc_status"),
            "track_information" => check::<TrackInformation>(&b, "next_writable_address"),
            "mode_sense" => check::<ModeParameters>(&b, "pages"),
            "read_capacity" => check::<CapacityData>(&b, "last_lba"),
            "format_capacities" => check::<FormatCapacities>(&b, "formattable"),
            "performance" => check::<NominalPerformance>(&b, "descriptors"),
            "write_speeds" => check::<WriteSpeeds>(&b, "descriptors"),
            "event_status" => check::<EventStatus>(&b, "notification_class"),
            "toc" => check::<FormattedToc>(&b, "tracks"),
            "multi_session" => check::<MultiSessionInfo>(&b, "first_track_in_last_session"),
            "raw_toc" => check::<RawToc>(&b, "entries"),
            "mechanism_status" => check::<MechanismStatus>(&b, "slots"),
            "dvd_physical_format" => check::<DvdPhysicalFormat>(&b, "book_type"),
            "write_protection_status" => {
                check::<WriteProtectionStatus>(&b, "software_write_protect")
            }
            "feature" => check::<Feature>(&b, "body"),
            _ => {}
        }
    }
}
