//! Property tests: any bytes parse without panicking; built sense reads back field by field.

use mmc_core::sense::{
    asc_description, ProgressIndication, Sense, SenseBuilder, SenseDescriptor, SenseFormat,
    SenseKey, SenseKeySpecific, SenseTriple,
};
use proptest::prelude::*;

fn exercise(bytes: &[u8]) {
    if let Ok(s) = Sense::parse(bytes) {
        assert!(s.received == bytes.len());
        for d in s.descriptors() {
            let _ = d;
        }
        let _ = s.to_string();
        let _ = serde_json::to_string(&s).unwrap();
        let _ = s.progress();
        if let Some(p) = s.progress() {
            assert!((0.0..1.0).contains(&p));
        }
        let _ = mmc_core::condition::classify_sense(&s, bytes.first().copied().unwrap_or(0));
        let _ = mmc_core::condition::retry_class(&s);
        // never reads beyond what it was given
        assert!(s.additional_bytes().len() <= bytes.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        exercise(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_response_code_never_panic(
        code in prop::sample::select(vec![0x70u8, 0x71, 0x72, 0x73, 0xF0, 0xF1, 0xF2, 0xF3]),
        rest in proptest::collection::vec(any::<u8>(), 0..260),
    ) {
        let mut bytes = vec![code];
        bytes.extend_from_slice(&rest);
        // fixed format needs 3 bytes (key in byte 2), descriptor format 2 (key in byte 1)
        let needed = if code & 0x7F < 0x72 { 3 } else { 2 };
        prop_assert_eq!(Sense::parse(&bytes).is_ok(), bytes.len() >= needed);
        exercise(&bytes);
    }

    #[test]
    fn arbitrary_descriptor_lists_never_panic(
        key in any::<u8>(),
        area in proptest::collection::vec(any::<u8>(), 0..244),
    ) {
        let mut bytes = vec![0x72, key, 0, 0, 0, 0, 0, area.len() as u8];
        bytes.extend_from_slice(&area);
        let s = Sense::parse(&bytes).unwrap();
        // A descriptor running past the end ends the walk: nothing may follow it. Every other
        // descriptor consumes its header and body, so the walk covers exactly the area.
        let items: Vec<_> = s.descriptors().collect();
        for (i, d) in items.iter().enumerate() {
            if let Err(mmc_core::ParseError::Truncated { .. }) = d {
                prop_assert_eq!(i + 1, items.len());
            }
        }
        prop_assert!(items.len() <= area.len() / 2 + 1);
        exercise(&bytes);
    }

    #[test]
    fn arbitrary_descriptor_bodies_never_panic(
        t in any::<u8>(),
        key in any::<u8>(),
        body in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        if let Ok(d) = SenseDescriptor::decode(t, SenseKey::from_u8(key), &body) {
            prop_assert_eq!(d.descriptor_type(), t);
        }
    }
}

/// A sense-key-specific value in the form the parser gives back for `key`.
fn sks_for(key: SenseKey) -> BoxedStrategy<SenseKeySpecific> {
    match key {
        SenseKey::IllegalRequest => (any::<bool>(), proptest::option::of(0u8..8), any::<u16>())
            .prop_map(|(in_cdb, bit, byte)| SenseKeySpecific::FieldPointer { in_cdb, bit, byte })
            .boxed(),
        SenseKey::NoSense | SenseKey::NotReady => {
            any::<u16>().prop_map(SenseKeySpecific::Progress).boxed()
        }
        SenseKey::RecoveredError | SenseKey::MediumError | SenseKey::HardwareError => {
            any::<u16>().prop_map(SenseKeySpecific::RetryCount).boxed()
        }
        _ => (0u8..0x80, any::<u8>(), any::<u8>())
            .prop_map(|(a, b, c)| SenseKeySpecific::Raw([a, b, c]))
            .boxed(),
    }
}

fn builder() -> impl Strategy<Value = SenseBuilder> {
    (0u8..16, any::<u8>(), any::<u8>())
        .prop_flat_map(|(k, asc, ascq)| {
            let triple = SenseTriple::new(k, asc, ascq);
            (
                Just(triple),
                any::<bool>(),
                proptest::option::of(prop_oneof![any::<u64>(), (0u64..=u64::from(u32::MAX))]),
                proptest::option::of(prop_oneof![any::<u64>(), (0u64..=u64::from(u32::MAX))]),
                proptest::option::of(sks_for(triple.key)),
                proptest::option::of(any::<u8>()),
                (any::<bool>(), any::<bool>(), any::<bool>()),
                proptest::option::of((0u8..16, any::<u8>(), any::<u8>(), any::<u16>())),
            )
        })
        .prop_map(
            |(triple, deferred, information, command_specific, sks, fru, (fm, eom, ili), p)| {
                SenseBuilder {
                    triple,
                    deferred,
                    information,
                    command_specific,
                    sense_key_specific: sks,
                    fru,
                    filemark: fm,
                    eom,
                    ili,
                    progress_indication: p.map(|(k, a, q, progress)| ProgressIndication {
                        operation: SenseTriple::new(k, a, q),
                        progress,
                    }),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn fixed_round_trip(b in builder()) {
        let bytes = b.fixed();
        prop_assert_eq!(bytes.len(), 18);
        let s = Sense::parse(&bytes).unwrap();
        prop_assert_eq!(s.format, SenseFormat::Fixed);
        prop_assert_eq!(s.deferred, b.deferred);
        prop_assert_eq!(s.triple(), Some(b.triple));
        // fixed format: 32-bit fields, zero means none
        prop_assert_eq!(s.information, b.information.filter(|&i| i <= u64::from(u32::MAX)));
        prop_assert_eq!(
            s.command_specific,
            b.command_specific.filter(|&i| i != 0 && i <= u64::from(u32::MAX))
        );
        prop_assert_eq!(s.sense_key_specific, b.sense_key_specific);
        prop_assert_eq!(s.fru, b.fru.filter(|&f| f != 0));
        prop_assert_eq!((s.filemark, s.eom, s.ili), (b.filemark, b.eom, b.ili));
        prop_assert_eq!(s.progress_indication, None);
        prop_assert!(!s.truncated);
    }

    #[test]
    fn descriptor_round_trip(b in builder()) {
        let bytes = b.descriptor();
        prop_assert_eq!(bytes.len(), b.buffer_len(SenseFormat::Descriptor));
        let s = Sense::parse(&bytes).unwrap();
        prop_assert_eq!(s.format, SenseFormat::Descriptor);
        prop_assert_eq!(s.deferred, b.deferred);
        prop_assert_eq!(s.triple(), Some(b.triple));
        prop_assert_eq!(s.information, b.information);
        prop_assert_eq!(s.command_specific, b.command_specific);
        prop_assert_eq!(s.sense_key_specific, b.sense_key_specific);
        prop_assert_eq!(s.fru, b.fru.filter(|&f| f != 0));
        prop_assert_eq!((s.filemark, s.eom, s.ili), (b.filemark, b.eom, b.ili));
        prop_assert_eq!(s.progress_indication, b.progress_indication);
        prop_assert_eq!(s.descriptor_error, None);
        prop_assert!(!s.truncated);
    }

    #[test]
    fn every_prefix_of_built_sense_parses_and_says_truncated(b in builder(), fmt in any::<bool>()) {
        let format = if fmt { SenseFormat::Fixed } else { SenseFormat::Descriptor };
        let bytes = b.build(format);
        let min = if fmt { 3 } else { 2 };
        for n in min..bytes.len() {
            let s = Sense::parse(&bytes[..n]).unwrap();
            prop_assert!(s.truncated, "prefix of {} bytes", n);
            prop_assert_eq!(s.key, b.triple.key);
        }
    }
}

#[test]
fn every_asc_ascq_pair_has_a_description() {
    for asc in 0..=255u8 {
        for ascq in 0..=255u8 {
            let d = asc_description(asc, ascq).to_string();
            assert!(!d.is_empty(), "{asc:02X}/{ascq:02X}");
        }
    }
}
