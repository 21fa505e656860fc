//! GET CONFIGURATION data: the header, the descriptor walk, and the typed data of every
//! feature, both directions.

use mmc_core::profile::Profile;
use mmc_core::response::configuration::{Configuration, Feature, FeatureCode, FeatureDescriptors};
use mmc_core::response::features::*;
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

/// A BD-RE drive with a BD-RE loaded: header, Profile List, Core, Random Writable.
const BD_RE_DRIVE: &[u8] = &[
    0x00, 0x00, 0x00, 0x2C, // data length: 44 bytes follow
    0x00, 0x00, // reserved
    0x00, 0x43, // current profile: BD-RE
    // Profile List
    0x00, 0x00, // feature code 0000h
    0x03, // version 0, persistent, current
    0x08, // additional length
    0x00, 0x43, 0x01, 0x00, // BD-RE, CurrentP
    0x00, 0x40, 0x00, 0x00, // BD-ROM
    // Core
    0x00, 0x01, // feature code 0001h
    0x0B, // version 2, persistent, current
    0x08, // additional length
    0x00, 0x00, 0x00, 0x07, // physical interface: Serial ATAPI
    0x03, // INQ2, DBE
    0x00, 0x00, 0x00, // reserved
    // Random Writable
    0x00, 0x20, // feature code 0020h
    0x05, // version 1, current
    0x0C, // additional length
    0x00, 0xB4, 0x73, 0xFF, // last LBA 11,826,175
    0x00, 0x00, 0x08, 0x00, // logical block size 2048
    0x00, 0x20, // blocking 32
    0x01, 0x00, // PP
];

fn bd_re_configuration() -> Configuration {
    Configuration {
        current_profile: Profile::BdRe,
        features: vec![
            Feature::new(
                ProfileList {
                    profiles: vec![
                        ProfileDescriptor {
                            profile: Profile::BdRe,
                            current: true,
                        },
                        ProfileDescriptor {
                            profile: Profile::BdRom,
                            current: false,
                        },
                    ],
                },
                0,
                true,
                true,
            ),
            Feature::new(
                Core {
                    physical_interface: 7,
                    inq2: true,
                    device_busy_event: true,
                },
                2,
                true,
                true,
            ),
            Feature::new(
                RandomWritable {
                    last_lba: 11_826_175,
                    logical_block_size: 2048,
                    blocking: 32,
                    page_present: true,
                },
                1,
                false,
                true,
            ),
        ],
        cut_bytes: 0,
    }
}

#[test]
fn a_bd_re_drive_configuration_parses() {
    let c = Configuration::parse(BD_RE_DRIVE).unwrap();
    assert_eq!(c, bd_re_configuration());
    assert_eq!(c.profile_list().unwrap().current(), Some(Profile::BdRe));
    assert!(c.profile_list().unwrap().supports(Profile::BdRom));
    assert!(c.is_current(FeatureCode::RandomWritable));
    assert!(!c.is_current(FeatureCode::DvdPlusRw));
}

#[test]
fn a_bd_re_drive_configuration_builds() {
    assert_eq!(bd_re_configuration().to_bytes(), BD_RE_DRIVE);
}

#[test]
fn an_eight_byte_allocation_gives_the_current_profile_and_the_cut() {
    let c = Configuration::parse(&BD_RE_DRIVE[..8]).unwrap();
    assert_eq!(c.current_profile, Profile::BdRe);
    assert!(c.features.is_empty());
    assert_eq!(c.cut_bytes, 40);
}

#[test]
fn a_descriptor_cut_by_the_allocation_length_is_dropped() {
    // 30 bytes: Profile List whole, Core cut in its data.
    let c = Configuration::parse(&BD_RE_DRIVE[..30]).unwrap();
    assert_eq!(c.features.len(), 1);
    assert_eq!(c.features[0].code, FeatureCode::ProfileList);
    assert_eq!(c.cut_bytes, 18);
}

#[test]
fn a_descriptor_running_past_the_data_length_is_an_error() {
    let mut b = BD_RE_DRIVE.to_vec();
    b[3] = 0x24; // data length says 36 bytes follow: Random Writable (bytes 32-47) overruns them
    assert!(matches!(
        Configuration::parse(&b),
        Err(ParseError::Truncated {
            what: "feature descriptor",
            ..
        })
    ));
}

#[test]
fn lying_length_fields_are_rejected() {
    let mut b = BD_RE_DRIVE.to_vec();
    b[3] = 0x03; // smaller than the rest of the header
    assert_eq!(
        Configuration::parse(&b),
        Err(ParseError::BadLength {
            what: "GET CONFIGURATION data",
            field: "data length",
            value: 3
        })
    );
    let mut b = BD_RE_DRIVE.to_vec();
    b[11] = 0x07; // Profile List additional length not a multiple of 4
    assert_eq!(
        Configuration::parse(&b),
        Err(ParseError::BadLength {
            what: "feature descriptor",
            field: "additional length",
            value: 7
        })
    );
    assert!(matches!(
        Configuration::parse(&BD_RE_DRIVE[..7]),
        Err(ParseError::Truncated { .. })
    ));
}

#[test]
fn the_descriptor_iterator_reads_lazily_and_stops_after_an_error() {
    let (header, descriptors) = Configuration::descriptors(BD_RE_DRIVE).unwrap();
    assert_eq!(header.data_length, 44);
    assert_eq!(header.current_profile, Profile::BdRe);
    let codes: Vec<_> = descriptors.map(|d| d.unwrap().code).collect();
    assert_eq!(
        codes,
        [
            FeatureCode::ProfileList,
            FeatureCode::Core,
            FeatureCode::RandomWritable
        ]
    );
    let bad = [0x00, 0x01, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut it = FeatureDescriptors::new(&bad, false);
    assert!(it.next().unwrap().is_err());
    assert!(it.next().is_none());
}

#[test]
fn unknown_features_are_kept_raw_and_round_trip() {
    let b = [0xFF, 0x01, 0x01, 0x04, 0xDE, 0xAD, 0xBE, 0xEF];
    let f = Feature::parse(&b).unwrap();
    assert_eq!(f.code, FeatureCode::Unknown(0xFF01));
    assert_eq!(f.body, FeatureBody::Raw(vec![0xDE, 0xAD, 0xBE, 0xEF]));
    assert_eq!(f.to_bytes(), b);
}

#[test]
fn a_known_feature_too_short_for_its_layout_is_kept_raw_in_a_configuration() {
    // Random Writable with only 4 bytes of data.
    let b = [
        0, 0, 0, 0x10, 0, 0, 0, 0, 0x00, 0x20, 0x05, 0x04, 1, 2, 3, 4,
    ];
    let c = Configuration::parse(&b).unwrap();
    assert_eq!(c.features[0].body, FeatureBody::Raw(vec![1, 2, 3, 4]));
    // The strict single-descriptor parser says what was wrong.
    assert!(matches!(
        Feature::parse(&b[8..]),
        Err(ParseError::Truncated {
            what: "Random Writable",
            need: 16,
            got: 8,
            ..
        })
    ));
}

/// One descriptor of every typed feature, as the standard lays it out, and its decoding.
fn every_feature() -> Vec<(Vec<u8>, FeatureBody)> {
    vec![
        (
            vec![0x00, 0x02, 0x07, 0x04, 0x02, 0, 0, 0],
            Morphing {
                oc_event: true,
                asynchronous: false,
            }
            .into(),
        ),
        (
            vec![0x00, 0x03, 0x0B, 0x04, 0x3D, 0, 0, 0], // tray, Load, Eject, Pvnt Jmpr, Lock
            RemovableMedium {
                loading_mechanism: 1,
                load: true,
                eject: true,
                prevent_jumper: true,
                dbml: false,
                lock: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x04, 0x08, 0x04, 0x0A, 0, 0, 0],
            WriteProtect {
                dwp: true,
                wdcb: false,
                spwp: true,
                sswpp: false,
            }
            .into(),
        ),
        (
            vec![0x00, 0x10, 0x01, 0x08, 0, 0, 0x08, 0, 0x00, 0x10, 0x01, 0],
            RandomReadable {
                logical_block_size: 2048,
                blocking: 16,
                page_present: true,
            }
            .into(),
        ),
        (vec![0x00, 0x1D, 0x01, 0x00], MultiRead {}.into()),
        (
            vec![0x00, 0x1E, 0x09, 0x04, 0x83, 0, 0, 0],
            CdRead {
                dap: true,
                c2_flags: true,
                cd_text: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x1F, 0x09, 0x04, 0x01, 0, 0x02, 0],
            DvdRead {
                multi110: true,
                dual_rw: true,
                dual_r: false,
            }
            .into(),
        ),
        (
            vec![
                0x00, 0x21, 0x11, 0x08, 0x00, 0x01, 0x07, 0x02, 0x10, 0x07, 0, 0,
            ],
            IncrementalStreamingWritable {
                data_block_types_supported: 1,
                trio: true,
                arsv: true,
                buf: true,
                link_sizes: vec![16, 7],
            }
            .into(),
        ),
        (vec![0x00, 0x22, 0x01, 0x00], SectorErasable {}.into()),
        (
            vec![0x00, 0x23, 0x09, 0x08, 0x8F, 0, 0, 0, 0x01, 0, 0, 0],
            Formattable {
                frf: true,
                renosa: true,
                expand: true,
                qcert: true,
                cert: true,
                rrm: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x24, 0x05, 0x04, 0x80, 0, 0, 0],
            HardwareDefectManagement { ssa: true }.into(),
        ),
        (
            vec![0x00, 0x25, 0x01, 0x08, 0, 0, 0x08, 0, 0x00, 0x20, 0x00, 0],
            WriteOnce {
                logical_block_size: 2048,
                blocking: 32,
                page_present: false,
            }
            .into(),
        ),
        (vec![0x00, 0x26, 0x01, 0x00], RestrictedOverwrite {}.into()),
        (
            vec![0x00, 0x27, 0x01, 0x04, 0, 0, 0, 0],
            CdRwCavWrite {}.into(),
        ),
        (
            vec![0x00, 0x28, 0x05, 0x04, 0x07, 0, 0, 0],
            Mrw {
                dvd_plus_write: true,
                dvd_plus_read: true,
                cd_write: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x29, 0x01, 0x04, 0x01, 0x03, 0x01, 0x00],
            EnhancedDefectReporting {
                drt_dm: true,
                dbi_cache_zones: 3,
                number_of_entries: 256,
            }
            .into(),
        ),
        (
            vec![0x00, 0x2A, 0x05, 0x04, 0x01, 0x02, 0, 0],
            DvdPlusRw {
                write: true,
                quick_start: true,
                close_only: false,
            }
            .into(),
        ),
        (
            vec![0x00, 0x2B, 0x01, 0x04, 0x01, 0, 0, 0],
            DvdPlusR { write: true }.into(),
        ),
        (
            vec![0x00, 0x2C, 0x01, 0x04, 0x0B, 0, 0, 0],
            RigidRestrictedOverwrite {
                dsdg: true,
                dsdr: false,
                intermediate: true,
                blank: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x2D, 0x09, 0x04, 0x46, 0x00, 0x3F, 0xFF], // BUF, Test Write, CD-RW
            CdTrackAtOnce {
                buf: true,
                rw_raw: false,
                rw_pack: false,
                test_write: true,
                cd_rw: true,
                rw_subcode: false,
                data_types_supported: 0x3FFF,
            }
            .into(),
        ),
        (
            vec![0x00, 0x2E, 0x05, 0x04, 0x7E, 0x00, 0x0F, 0xFF], // BUF SAO RawMS Raw TestWrite CD-RW
            CdMastering {
                buf: true,
                sao: true,
                raw_ms: true,
                raw: true,
                test_write: true,
                cd_rw: true,
                rw: false,
                max_cue_sheet_length: 0xFFF,
            }
            .into(),
        ),
        (
            vec![0x00, 0x2F, 0x09, 0x04, 0x4E, 0, 0, 0],
            DvdRRwWrite {
                buf: true,
                rdl: true,
                test_write: true,
                dvd_rw: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x33, 0x01, 0x08, 0, 0, 0, 0x01, 0x10, 0, 0, 0],
            LayerJumpRecording {
                link_sizes: vec![16],
            }
            .into(),
        ),
        (
            vec![0x00, 0x37, 0x01, 0x04, 0x00, 0x7E, 0, 0],
            CdRwMediaWriteSupport { subtypes: 0x7E }.into(),
        ),
        (vec![0x00, 0x38, 0x01, 0x04, 0, 0, 0, 0], BdRPow {}.into()),
        (
            vec![0x00, 0x3A, 0x01, 0x04, 0x01, 0x01, 0, 0],
            DvdPlusRwDualLayer {
                write: true,
                quick_start: false,
                close_only: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x3B, 0x01, 0x04, 0x01, 0, 0, 0],
            DvdPlusRDualLayer { write: true }.into(),
        ),
        (
            vec![
                0x00, 0x40, 0x05, 0x1C, // BD Read, version 1, current, 28 bytes
                0x01, 0, 0, 0, // BCA
                0x00, 0x06, 0, 0, 0, 0, 0, 0, // BD-RE class 0: versions 1, 2
                0x00, 0x02, 0, 0, 0, 0, 0, 0, // BD-R class 0: version 1
                0x00, 0x02, 0, 0, 0, 0, 0, 0x01, // BD-ROM class 0: version 1; class 3 bit 0
            ],
            BdRead {
                bca: true,
                bd_re: [6, 0, 0, 0],
                bd_r: [2, 0, 0, 0],
                bd_rom: [2, 0, 0, 1],
            }
            .into(),
        ),
        (
            vec![
                0x00, 0x41, 0x09, 0x14, // BD Write, version 2, current, 20 bytes
                0x01, 0, 0, 0, // SVNR
                0x00, 0x06, 0, 0, 0, 0, 0, 0, // BD-RE class 0
                0x00, 0x02, 0, 0, 0, 0, 0, 0, // BD-R class 0
            ],
            BdWrite {
                svnr: true,
                bd_re: [6, 0, 0, 0],
                bd_r: [2, 0, 0, 0],
            }
            .into(),
        ),
        (
            vec![0x00, 0x50, 0x01, 0x04, 0x01, 0, 0x01, 0],
            HdDvdRead {
                hd_dvd_r: true,
                hd_dvd_ram: true,
            }
            .into(),
        ),
        (
            vec![0x00, 0x51, 0x01, 0x04, 0x00, 0, 0x01, 0],
            HdDvdWrite {
                hd_dvd_r: false,
                hd_dvd_ram: true,
            }
            .into(),
        ),
        (vec![0x01, 0x00, 0x03, 0x00], PowerManagement {}.into()),
        (
            vec![0x01, 0x01, 0x01, 0x04, 0x01, 0, 0, 0],
            Smart { page_present: true }.into(),
        ),
        (
            vec![0x01, 0x02, 0x01, 0x04, 0x14, 0, 0, 0x05],
            EmbeddedChanger {
                scc: true,
                sdp: true,
                highest_slot_number: 5,
            }
            .into(),
        ),
        (
            vec![0x01, 0x03, 0x01, 0x04, 0x07, 0, 0x01, 0x00],
            CdAudioExternalPlay {
                scan: true,
                scm: true,
                sv: true,
                volume_levels: 256,
            }
            .into(),
        ),
        (
            vec![0x01, 0x04, 0x07, 0x04, 0x01, 0, 0, 0],
            MicrocodeUpgrade { m5: true }.into(),
        ),
        (
            vec![0x01, 0x05, 0x07, 0x04, 0x01, 0, 0x02, 0x00],
            Timeout {
                group3: true,
                unit_length: 512,
            }
            .into(),
        ),
        (
            vec![0x01, 0x06, 0x01, 0x04, 0, 0, 0, 0x01],
            DvdCss { css_version: 1 }.into(),
        ),
        (
            vec![0x01, 0x07, 0x11, 0x04, 0x3F, 0, 0, 0],
            RealTimeStreaming {
                smp: true,
                rbcb: true,
                scs: true,
                mp2a: true,
                wspd: true,
                sw: true,
            }
            .into(),
        ),
        (
            vec![
                0x01, 0x08, 0x03, 0x08, b'S', b'N', b'1', b'2', b'3', b'4', b' ', b' ',
            ],
            DriveSerialNumber {
                serial_number: "SN1234".into(),
            }
            .into(),
        ),
        (
            vec![
                0x01, 0x0A, 0x01, 0x08, 0x46, 0x44, 0x43, 0x00, 0x57, 0x44, 0x43, 0x00,
            ],
            DiscControlBlocks {
                supported_dcb_entries: vec![0x4644_4300, 0x5744_4300],
            }
            .into(),
        ),
        (
            vec![0x01, 0x0B, 0x01, 0x04, 0, 0, 0, 0x01],
            DvdCprm { cprm_version: 1 }.into(),
        ),
        (
            vec![
                0x01, 0x0C, 0x03, 0x10, //
                b'2', b'0', b'0', b'8', b'0', b'3', b'1', b'4', b'1', b'5', b'9', b'2', b'6', b'5',
                0, 0,
            ],
            FirmwareInformation {
                creation: *b"20080314159265",
            }
            .into(),
        ),
        (
            vec![0x01, 0x0D, 0x09, 0x04, 0x1F, 0x01, 0x04, 0x01],
            Aacs {
                rdc: true,
                rmc: true,
                wbe: true,
                bec: true,
                bng: true,
                binding_nonce_blocks: 1,
                agids: 4,
                aacs_version: 1,
            }
            .into(),
        ),
        (vec![0x01, 0x10, 0x01, 0x04, 0, 0, 0, 0], Vcps {}.into()),
    ]
}

#[test]
fn every_typed_feature_parses_from_and_builds_to_the_standard_layout() {
    for (bytes, body) in every_feature() {
        let f = Feature::parse(&bytes).unwrap_or_else(|e| panic!("{bytes:02X?}: {e}"));
        assert_eq!(f.body, body, "{:?}", f.code);
        assert_eq!(Some(f.code), body.code());
        assert_eq!(f.to_bytes(), bytes, "{:?}", f.code);
    }
}

#[test]
fn older_shorter_versions_read_absent_fields_as_zero() {
    // Core version 0 had only the physical interface.
    let f = Feature::parse(&[0x00, 0x01, 0x03, 0x04, 0, 0, 0, 2]).unwrap();
    assert_eq!(
        f.body,
        Core {
            physical_interface: 2,
            inq2: false,
            device_busy_event: false
        }
        .into()
    );
    // DVD Read version 0 had no data.
    let f = Feature::parse(&[0x00, 0x1F, 0x01, 0x00]).unwrap();
    assert_eq!(f.body, DvdRead::default().into());
}

#[test]
fn link_sizes_are_bounded_by_the_descriptor() {
    // Number of link sizes 9, but only 4 bytes of data follow it.
    let b = [0x00, 0x21, 0x01, 0x08, 0, 1, 0, 9, 16, 0, 0, 0];
    assert!(matches!(
        Feature::parse(&b),
        Err(ParseError::Truncated {
            field: "link sizes",
            ..
        })
    ));
}

#[test]
fn firmware_date_reads_as_a_timestamp() {
    let f = FirmwareInformation {
        creation: *b"20080314159265",
    };
    assert_eq!(f.timestamp().as_deref(), Some("2008-03-14 15:92:65"));
    assert_eq!(
        FirmwareInformation {
            creation: [0xFF; 14]
        }
        .timestamp(),
        None
    );
}

#[test]
fn core_names_its_physical_interface() {
    assert_eq!(
        Core {
            physical_interface: 7,
            ..Core::default()
        }
        .physical_interface_name(),
        "Serial ATAPI"
    );
    assert_eq!(
        Core {
            physical_interface: 8,
            ..Core::default()
        }
        .physical_interface_name(),
        "USB"
    );
}

fn known_codes() -> Vec<FeatureCode> {
    every_feature()
        .into_iter()
        .filter_map(|(_, b)| b.code())
        .chain([
            FeatureCode::ProfileList,
            FeatureCode::Core,
            FeatureCode::RandomWritable,
        ])
        .collect()
}

/// A feature whose typed data comes from random bytes of its full length.
fn feature() -> impl Strategy<Value = Feature> {
    let typed = (
        proptest::sample::select(known_codes()),
        proptest::collection::vec(any::<u8>(), 0..64),
        0u8..16,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_filter_map(
            "data does not fit",
            |(code, data, version, persistent, current)| {
                let body = FeatureBody::parse(code, &data).ok()?;
                Some(Feature::new(body, version, persistent, current))
            },
        );
    let raw = (
        0x0200u16..0xFF00,
        proptest::collection::vec(any::<u8>(), 0..16),
        0u8..16,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(code, mut data, version, p, c)| {
            data.resize(data.len() / 4 * 4, 0);
            Feature::raw(FeatureCode::from_u16(code), version, p, c, data)
        });
    let profiles = proptest::collection::vec((any::<u16>(), any::<bool>()), 0..12).prop_map(|v| {
        Feature::new(
            ProfileList {
                profiles: v
                    .into_iter()
                    .map(|(p, current)| ProfileDescriptor {
                        profile: Profile::from_u16(p),
                        current,
                    })
                    .collect(),
            },
            0,
            true,
            true,
        )
    });
    prop_oneof![typed, raw, profiles]
}

proptest! {
    #[test]
    fn features_round_trip(f in feature()) {
        let bytes = f.to_bytes();
        prop_assert_eq!(bytes.len() % 4, 0);
        prop_assert_eq!(Feature::parse(&bytes), Ok(f));
    }

    #[test]
    fn configurations_round_trip(profile: u16, features in proptest::collection::vec(feature(), 0..12)) {
        let c = Configuration { current_profile: Profile::from_u16(profile), features, cut_bytes: 0 };
        let bytes = c.to_bytes();
        prop_assert_eq!(bytes.len(), c.buffer_len());
        prop_assert_eq!(Configuration::parse(&bytes), Ok(c.clone()));
        // Any prefix of at least the header parses, and says how much was cut.
        for cut in [1usize, 5, 17] {
            if bytes.len() > 8 + cut {
                let short = Configuration::parse(&bytes[..bytes.len() - cut]).unwrap();
                prop_assert_eq!(short.cut_bytes, cut);
                prop_assert!(short.features.len() <= c.features.len());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_configuration_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(c) = Configuration::parse(&b) {
            prop_assert!(c.features.iter().map(|f| f.to_bytes().len()).sum::<usize>() <= b.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_feature_parser(code in proptest::sample::select(known_codes()), b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut d = code.to_u16().to_be_bytes().to_vec();
        d.extend_from_slice(&b);
        let _ = Feature::parse(&d);
        let _ = FeatureBody::parse(code, &b);
    }
}
