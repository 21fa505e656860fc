//! READ CAPACITY, READ FORMAT CAPACITIES and GET PERFORMANCE data, both directions.

use mmc_core::response::capacity::*;
use mmc_core::response::performance::*;
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

#[test]
fn read_capacity_parses_and_builds() {
    let b = [
        0x00, 0x23, 0x12, 0x5F, // last LBA 2,298,463
        0x00, 0x00, 0x08, 0x00, // block length 2048
    ];
    let c = CapacityData::parse(&b).unwrap();
    assert_eq!(
        c,
        CapacityData {
            last_lba: 2_298_463,
            block_length: 2048
        }
    );
    assert_eq!(c.blocks(), Some(2_298_464));
    assert!(c.block_length_is_plausible());
    assert_eq!(c.to_bytes(), b);
    assert!(matches!(
        CapacityData::parse(&b[..7]),
        Err(ParseError::Truncated {
            need: 8,
            got: 7,
            ..
        })
    ));
}

#[test]
fn read_capacity_empty_answers_and_odd_block_lengths() {
    assert_eq!(
        CapacityData {
            last_lba: 0,
            block_length: 2048
        }
        .blocks(),
        None
    );
    assert_eq!(
        CapacityData {
            last_lba: u32::MAX,
            block_length: 2048
        }
        .blocks(),
        None
    );
    assert!(!CapacityData {
        last_lba: 10,
        block_length: 2352
    }
    .block_length_is_plausible());
}

/// An unformatted BD-RE: maximum capacity, then three formats.
const BD_RE_FORMATS: [u8; 36] = [
    0x00, 0x00, 0x00, // reserved
    0x20, // capacity list length: 32 (four descriptors)
    0x00, 0xBA, 0x73, 0x00, // current/maximum: 12,219,136 blocks
    0x01, // descriptor type 01b: unformatted
    0x00, 0x08, 0x00, // block length 2048
    0x00, 0xB4, 0x74, 0x00, // 11,826,176 blocks
    0x00, // format type 00h (full format), sub-type 0
    0x00, 0x30, 0x00, // type dependent: spare area
    0x00, 0xB4, 0x74, 0x00, // 11,826,176 blocks
    0xC2, // format type 30h; bits 1-0 reserved (set here: a sloppy drive)
    0x00, 0x30, 0x00, //
    0x00, 0xBA, 0x73, 0x00, // 12,219,136 blocks
    0xC4, // format type 31h
    0x00, 0x08, 0x00, //
];

#[test]
fn format_capacities_parse() {
    let f = FormatCapacities::parse(&BD_RE_FORMATS).unwrap();
    assert_eq!(
        f.current,
        CurrentCapacity {
            blocks: 12_219_136,
            descriptor_type: CapacityDescriptorType::Unformatted,
            block_length: 2048
        }
    );
    let types: Vec<_> = f.formattable.iter().map(|d| d.format_type).collect();
    assert_eq!(
        types,
        [
            FormatType::FullFormat,
            FormatType::BdReWithSpareAreas,
            FormatType::BdReWithoutSpareAreas
        ]
    );
    assert_eq!(f.formattable[0].blocks, 11_826_176);
    assert_eq!(f.formattable[0].type_dependent, 0x3000);
    assert_eq!(f.cut_bytes, 0);
}

#[test]
fn reserved_bits_of_format_descriptors_are_not_kept() {
    // Byte 4 bits 1-0 are reserved in READ FORMAT CAPACITIES (the sub-type exists only in
    // the FORMAT UNIT descriptor): they are ignored when parsing and sent as zero.
    let mut expected = BD_RE_FORMATS;
    expected[24] = 0xC0;
    assert_eq!(
        FormatCapacities::parse(&BD_RE_FORMATS).unwrap().to_bytes(),
        expected
    );
}

#[test]
fn format_capacities_malformed() {
    let f = FormatCapacities::parse(&BD_RE_FORMATS[..20]).unwrap();
    assert_eq!(f.formattable.len(), 1);
    assert_eq!(f.cut_bytes, 16);
    assert!(matches!(
        FormatCapacities::parse(&BD_RE_FORMATS[..11]),
        Err(ParseError::Truncated { .. })
    ));
    let mut b = BD_RE_FORMATS;
    b[3] = 0x1C; // not a multiple of 8
    assert_eq!(
        FormatCapacities::parse(&b),
        Err(ParseError::BadLength {
            what: "READ FORMAT CAPACITIES data",
            field: "capacity list length",
            value: 0x1C
        })
    );
    b[3] = 0x00; // no current/maximum descriptor
    assert!(matches!(
        FormatCapacities::parse(&b),
        Err(ParseError::BadLength { value: 0, .. })
    ));
    // The list length ends before the last descriptor: only what it covers is read.
    b[3] = 0x10;
    assert_eq!(FormatCapacities::parse(&b).unwrap().formattable.len(), 1);
}

/// GET PERFORMANCE type 03h on a DVD+RW drive: two write speeds.
const DVD_WRITE_SPEEDS: [u8; 40] = [
    0x00, 0x00, 0x00, 0x24, // performance data length: 36
    0x00, 0x00, 0x00, 0x00, // reserved
    0x02, // WRC 00b, RDD 0, Exact 1, MRW 0
    0x00, 0x00, 0x00, //
    0x00, 0x23, 0x05, 0x3F, // end LBA 2,295,103
    0x00, 0x00, 0x2B, 0x48, // read 11,080 kB/s
    0x00, 0x00, 0x2B, 0x48, // write 11,080 kB/s (8x)
    0x08, // WRC 01b (CAV)
    0x00, 0x00, 0x00, //
    0x00, 0x23, 0x05, 0x3F, //
    0x00, 0x00, 0x2B, 0x48, //
    0x00, 0x00, 0x15, 0xA4, // write 5540 kB/s (4x)
];

fn dvd_write_speeds() -> WriteSpeeds {
    let d = |wrc, exact, write_speed| WriteSpeedDescriptor {
        wrc,
        rdd: false,
        exact,
        mrw: false,
        end_lba: 2_295_103,
        read_speed: 11_080,
        write_speed,
    };
    WriteSpeeds {
        descriptors: vec![d(0, true, 11_080), d(1, false, 5540)],
        cut_bytes: 0,
    }
}

#[test]
fn write_speed_descriptors_parse_and_build() {
    let w = WriteSpeeds::parse(&DVD_WRITE_SPEEDS).unwrap();
    assert_eq!(w, dvd_write_speeds());
    assert!(w.descriptors[1].is_cav());
    assert_eq!(w.to_bytes(), DVD_WRITE_SPEEDS);
    let (lazy, cut) = WriteSpeeds::descriptors(&DVD_WRITE_SPEEDS[..30]).unwrap();
    assert_eq!(cut, 10);
    assert_eq!(lazy.count(), 1);
}

#[test]
fn write_speed_length_fields_that_lie_are_rejected() {
    let mut b = DVD_WRITE_SPEEDS;
    b[3] = 0x03;
    assert!(matches!(
        WriteSpeeds::parse(&b),
        Err(ParseError::BadLength { value: 3, .. })
    ));
    b[3] = 0x20; // 28 bytes of descriptors: not a multiple of 16
    assert_eq!(
        WriteSpeeds::parse(&b),
        Err(ParseError::BadLength {
            what: "GET PERFORMANCE write speed data",
            field: "performance data length",
            value: 0x20
        })
    );
    assert!(matches!(
        WriteSpeeds::parse(&b[..7]),
        Err(ParseError::Truncated { .. })
    ));
}

/// GET PERFORMANCE type 00h, nominal write performance of a BD-RE.
const BD_NOMINAL: [u8; 24] = [
    0x00, 0x00, 0x00, 0x14, // performance data length: 20
    0x02, // Write 1, Except 0
    0x00, 0x00, 0x00, //
    0x00, 0x00, 0x00, 0x00, // start LBA
    0x00, 0x00, 0x11, 0x8F, // start performance 4495 kB/s
    0x00, 0xBA, 0x73, 0xFF, // end LBA
    0x00, 0x00, 0x23, 0x1E, // end performance 8990 kB/s
];

#[test]
fn nominal_performance_parses_and_builds() {
    let p = NominalPerformance::parse(&BD_NOMINAL).unwrap();
    let expected = NominalPerformance {
        write: true,
        descriptors: PerformanceList::Nominal(vec![PerformanceDescriptor {
            start_lba: 0,
            start_performance: 4495,
            end_lba: 0xBA73FF,
            end_performance: 8990,
        }]),
        cut_bytes: 0,
    };
    assert_eq!(p, expected);
    assert_eq!(expected.to_bytes(), BD_NOMINAL);
}

#[test]
fn exception_descriptors_are_six_bytes() {
    let b = [
        0x00, 0x00, 0x00, 0x10, // 16 bytes follow
        0x01, 0x00, 0x00, 0x00, // Write 0, Except 1
        0x00, 0x01, 0x00, 0x00, 0x00, 0x0A, // LBA 65536, 1.0 ms
        0x00, 0x02, 0x00, 0x00, 0x00, 0x14, // LBA 131072, 2.0 ms
    ];
    let p = NominalPerformance::parse(&b).unwrap();
    assert_eq!(
        p.descriptors,
        PerformanceList::Exceptions(vec![
            ExceptionDescriptor {
                lba: 0x10000,
                time: 10
            },
            ExceptionDescriptor {
                lba: 0x20000,
                time: 20
            },
        ])
    );
    assert_eq!(p.to_bytes(), b);
    let mut odd = b;
    odd[3] = 0x0D;
    assert!(matches!(
        NominalPerformance::parse(&odd),
        Err(ParseError::BadLength { value: 0x0D, .. })
    ));
}

fn format_capacities() -> impl Strategy<Value = FormatCapacities> {
    (
        any::<u32>(),
        0u8..4,
        0u32..0x100_0000,
        proptest::collection::vec((any::<u32>(), 0u8..64, 0u32..0x100_0000), 0..30),
    )
        .prop_map(|(blocks, t, bl, f)| FormatCapacities {
            current: CurrentCapacity {
                blocks,
                descriptor_type: CapacityDescriptorType::from_u8(t),
                block_length: bl,
            },
            formattable: f
                .into_iter()
                .map(|(blocks, ft, td)| FormattableCapacity {
                    blocks,
                    format_type: FormatType::from_u8(ft),
                    type_dependent: td,
                })
                .collect(),
            cut_bytes: 0,
        })
}

fn write_speed() -> impl Strategy<Value = WriteSpeedDescriptor> {
    (0u8..4, any::<[bool; 3]>(), any::<[u32; 3]>()).prop_map(|(wrc, f, s)| WriteSpeedDescriptor {
        wrc,
        rdd: f[0],
        exact: f[1],
        mrw: f[2],
        end_lba: s[0],
        read_speed: s[1],
        write_speed: s[2],
    })
}

fn performance() -> impl Strategy<Value = NominalPerformance> {
    let nominal = proptest::collection::vec(any::<[u32; 4]>(), 0..12).prop_map(|v| {
        PerformanceList::Nominal(
            v.into_iter()
                .map(|[a, b, c, d]| PerformanceDescriptor {
                    start_lba: a,
                    start_performance: b,
                    end_lba: c,
                    end_performance: d,
                })
                .collect(),
        )
    });
    let exceptions = proptest::collection::vec((any::<u32>(), any::<u16>()), 0..12).prop_map(|v| {
        PerformanceList::Exceptions(
            v.into_iter()
                .map(|(lba, time)| ExceptionDescriptor { lba, time })
                .collect(),
        )
    });
    (any::<bool>(), prop_oneof![nominal, exceptions]).prop_map(|(write, descriptors)| {
        NominalPerformance {
            write,
            descriptors,
            cut_bytes: 0,
        }
    })
}

proptest! {
    #[test]
    fn read_capacity_round_trips(last_lba: u32, block_length: u32) {
        let c = CapacityData { last_lba, block_length };
        prop_assert_eq!(CapacityData::parse(&c.to_bytes()), Ok(c));
    }

    #[test]
    fn format_capacities_round_trip(f in format_capacities()) {
        prop_assert_eq!(FormatCapacities::parse(&f.to_bytes()), Ok(f));
    }

    #[test]
    fn write_speeds_round_trip(d in proptest::collection::vec(write_speed(), 0..12)) {
        let w = WriteSpeeds { descriptors: d, cut_bytes: 0 };
        prop_assert_eq!(WriteSpeeds::parse(&w.to_bytes()), Ok(w));
    }

    #[test]
    fn performance_round_trips(p in performance()) {
        prop_assert_eq!(NominalPerformance::parse(&p.to_bytes()), Ok(p));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_capacity_parsers(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(CapacityData::parse(&b).is_ok(), b.len() >= 8);
        if let Ok(f) = FormatCapacities::parse(&b) {
            prop_assert!(12 + 8 * f.formattable.len() <= b.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_performance_parsers(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(w) = WriteSpeeds::parse(&b) {
            prop_assert!(8 + 16 * w.descriptors.len() <= b.len());
        }
        let _ = NominalPerformance::parse(&b);
    }
}
