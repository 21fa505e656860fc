//! GET CONFIGURATION (MMC-6 6.6): the current profile and the current and persistent bits
//! of the features, on each disc, with RT 00b (all), 01b (current) and 10b (one feature).

use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::DiscCondition;

/// GET CONFIGURATION with `rt` from `start`, allocation length 65,530.
fn get_configuration(rt: u8, start: u16) -> [u8; 10] {
    let [s0, s1] = start.to_be_bytes();
    [
        0x46, // GET CONFIGURATION
        rt,   // byte 1 bits 1-0: RT
        s0, s1, // starting feature number
        0, 0, 0, //
        0xFF, 0xFA, // allocation length 65,530
        0x00,
    ]
}

/// One feature descriptor as received.
#[derive(Debug)]
struct Feature {
    code: u16,
    persistent: bool,
    current: bool,
    data: Vec<u8>,
}

/// The header's current profile and the feature descriptors, checking the data length.
fn parse(reply: &[u8]) -> (u16, Vec<Feature>) {
    assert_eq!(
        be32(&reply[0..4]) as usize,
        reply.len() - 4,
        "data length counts every byte after itself"
    );
    let profile = be16(&reply[6..8]);
    let mut features = Vec::new();
    let mut at = 8;
    while at < reply.len() {
        let len = usize::from(reply[at + 3]);
        assert_eq!(len % 4, 0, "additional length is a multiple of 4");
        features.push(Feature {
            code: be16(&reply[at..at + 2]),
            persistent: reply[at + 2] & 0x02 != 0,
            current: reply[at + 2] & 0x01 != 0,
            data: reply[at + 4..at + 4 + len].to_vec(),
        });
        at += 4 + len;
    }
    assert_eq!(at, reply.len(), "descriptors end with the data");
    (profile, features)
}

fn configuration(kind: MediumKind, rt: u8, start: u16) -> (u16, Vec<Feature>) {
    let mut d = drive_with(kind);
    parse(&command_in(&mut d, &get_configuration(rt, start), 65_530))
}

fn find(features: &[Feature], code: u16) -> &Feature {
    features
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("feature {code:04X}h is listed"))
}

/// The profiles of the Profile List (0000h) with their CurrentP bits.
fn profiles(features: &[Feature]) -> Vec<(u16, bool)> {
    find(features, 0x0000)
        .data
        .chunks(4)
        .map(|p| (be16(&p[0..2]), p[2] & 0x01 != 0))
        .collect()
}

/// Checks the current profile and which features are (not) current.
fn check(kind: MediumKind, profile: u16, current: &[u16], not_current: &[u16]) {
    let (p, features) = configuration(kind, 0x00, 0x0000);
    assert_eq!(p, profile, "{kind:?}: current profile");
    for &code in current {
        assert!(
            find(&features, code).current,
            "{kind:?}: {code:04X}h current"
        );
    }
    for &code in not_current {
        assert!(
            !find(&features, code).current,
            "{kind:?}: {code:04X}h not current"
        );
    }
    let list = profiles(&features);
    assert!(list.contains(&(profile, true)), "{kind:?}: CurrentP set");
    assert_eq!(
        list.iter().filter(|(_, c)| *c).count(),
        1,
        "{kind:?}: exactly one current profile"
    );
}

/// A CD-RW records as a CD-R does, and adds 0037h CD-RW Media Write Support; it is not
/// formattable (no fixed-packet or MRW formatting).
#[test]
fn a_cd_r_or_cd_rw_makes_its_profile_current_with_track_at_once_and_session_at_once() {
    for (kind, profile) in [
        (MediumKind::CdR74, 0x0009), // CD-R
        (MediumKind::CdR80, 0x0009),
        (MediumKind::CdRw74, 0x000A), // CD-RW
        (MediumKind::CdRw80, 0x000A),
    ] {
        let mut current = vec![
            0x0010, // Random Readable
            0x001D, // Multi-Read
            0x001E, // CD Read
            0x0021, // Incremental Streaming Writable
            0x002D, // CD Track at Once
            0x002E, // CD Mastering (SAO)
        ];
        if profile == 0x000A {
            current.push(0x0037); // CD-RW Media Write Support
        }
        check(
            kind,
            profile,
            &current,
            &[
                0x0004, // Write Protect
                0x001F, // DVD Read
                0x0020, // Random Writable
                0x0023, // Formattable
                0x002A, // DVD+RW
                0x0040, // BD Read
                0x0041, // BD Write
            ],
        );
    }
}

#[test]
fn a_dvd_plus_rw_makes_the_dvd_plus_rw_feature_current() {
    check(
        MediumKind::DvdPlusRw,
        0x001A, // DVD+RW
        &[0x0010, 0x001F, 0x0023, 0x002A],
        &[0x0004, 0x001E, 0x002D, 0x002E, 0x0040, 0x0041],
    );
}

#[test]
fn a_bd_re_makes_bd_write_current() {
    check(
        MediumKind::BdRe,
        0x0043, // BD-RE
        &[
            0x0010, 0x0023, // Formattable
            0x0024, // Hardware Defect Management
            0x0040, 0x0041,
        ],
        &[0x0004, 0x001E, 0x001F, 0x002A, 0x002D],
    );
}

#[test]
fn a_dvd_rom_makes_only_reading_current() {
    check(
        MediumKind::DvdRom,
        0x0010, // DVD-ROM
        &[0x0010, 0x001F],
        &[0x0020, 0x0021, 0x0023, 0x002A, 0x002D, 0x0040, 0x0041],
    );
}

#[test]
fn a_disc_of_unknown_format_has_no_current_profile() {
    let (p, features) = configuration(MediumKind::Unknown, 0x00, 0x0000);
    assert_eq!(p, 0x0000);
    assert!(profiles(&features).iter().all(|(_, c)| !c));
    assert!(!find(&features, 0x0010).current, "nothing to read");
}

#[test]
fn the_drive_features_are_persistent_and_current_whatever_the_disc() {
    for kind in MediumKind::ALL {
        let (_, features) = configuration(kind, 0x00, 0x0000);
        for code in [
            0x0000, // Profile List
            0x0001, // Core
            0x0003, // Removable Medium
        ] {
            let f = find(&features, code);
            assert!(f.persistent && f.current, "{kind:?}: {code:04X}h");
        }
        // Features of the medium come and go with it (MMC-6 5.2.3: persistent 0).
        for code in [0x0010, 0x002D, 0x002A, 0x0041] {
            assert!(!find(&features, code).persistent, "{kind:?}: {code:04X}h");
        }
        let codes: Vec<u16> = features.iter().map(|f| f.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted, "{kind:?}: features in ascending order");
    }
}

#[test]
fn write_protection_makes_the_write_protect_feature_current() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let mut d = drive_with(kind);
        d.set_write_protected(true);
        let (_, features) = parse(&command_in(&mut d, &get_configuration(0, 0), 65_530));
        assert!(find(&features, 0x0004).current, "{kind:?}: 0004h current");
        assert!(find(&features, 0x0010).current, "{kind:?}: still readable");
        for code in [0x0020, 0x002D, 0x0041] {
            assert!(
                !find(&features, code).current,
                "{kind:?}: {code:04X}h cannot record on a protected disc"
            );
        }
    }
}

#[test]
fn an_upside_down_disc_has_no_current_profile() {
    let mut d = drive_with(MediumKind::CdR80);
    d.set_disc_condition(DiscCondition::UpsideDown);
    let (p, features) = parse(&command_in(&mut d, &get_configuration(0, 0), 65_530));
    assert_eq!(p, 0x0000);
    assert!(profiles(&features).iter().all(|(_, c)| !c));
    assert!(!find(&features, 0x002D).current);
}

#[test]
fn rt_01b_returns_only_current_features() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let (_, all) = configuration(kind, 0x00, 0x0000);
        let (_, current) = configuration(kind, 0x01, 0x0000);
        assert!(current.iter().all(|f| f.current), "{kind:?}");
        let expected: Vec<u16> = all.iter().filter(|f| f.current).map(|f| f.code).collect();
        let got: Vec<u16> = current.iter().map(|f| f.code).collect();
        assert_eq!(got, expected, "{kind:?}");
    }
}

#[test]
fn rt_10b_returns_the_one_feature_asked_for_current_or_not() {
    let (p, one) = configuration(MediumKind::CdR80, 0x02, 0x002D);
    assert_eq!(p, 0x0009);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].code, 0x002D);
    assert!(one[0].current);
    let (_, one) = configuration(MediumKind::DvdPlusRw, 0x02, 0x002D);
    assert_eq!(one.len(), 1, "listed even when not current");
    assert!(!one[0].current);
    let (_, one) = configuration(MediumKind::BdRe, 0x02, 0x0041);
    assert_eq!((one.len(), one[0].code, one[0].current), (1, 0x0041, true));
    // A feature the drive does not have: the header alone.
    let (p, none) = configuration(MediumKind::BdRe, 0x02, 0x0028);
    assert_eq!(p, 0x0043);
    assert!(none.is_empty());
}

#[test]
fn rt_00b_starts_at_the_starting_feature() {
    let (_, features) = configuration(MediumKind::CdR80, 0x00, 0x0020);
    assert!(!features.is_empty());
    assert!(features.iter().all(|f| f.code >= 0x0020));
    assert_eq!(
        features[0].code, 0x0020,
        "Random Writable is the first at or after 0020h"
    );
}

#[test]
fn a_short_allocation_length_cuts_the_data_but_not_the_data_length() {
    let mut d = drive_with(MediumKind::BdRe);
    let full = command_in(&mut d, &get_configuration(0, 0), 65_530);
    let header = command_in(
        &mut d,
        &[
            0x46, 0x00, 0x00, 0x00, 0, 0, 0, //
            0x00, 0x08, // allocation length 8: the header only
            0x00,
        ],
        8,
    );
    assert_eq!(header.len(), 8);
    assert_eq!(
        header[..],
        full[..8],
        "the data length still tells the full size"
    );
}

/// The BD Write feature's descriptor (MMC-6, Feature 0041h): byte 4 bit 0 SVNR, bytes
/// 5-7 reserved, then the eight version bitmaps, BD-RE classes 0-3 at bytes 8-15 and BD-R
/// classes 0-3 at bytes 16-23: additional length 14h. sg_get_config (sg3-utils 1.46) reads it
/// like the BD Read feature, which has four more bitmaps (BD-ROM, bytes 24-31), and calls a
/// 14h length "too short": MMC defines no BD-ROM write bitmaps, so the descriptor stays MMC's.
#[test]
fn the_bd_write_feature_descriptor_has_mmc_6_layout() {
    let mut d = drive_with(MediumKind::BdRe);
    let reply = command_in(
        &mut d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT 10b: the one feature named
            0x00, 0x41, // starting feature: BD Write
            0, 0, 0, //
            0x00, 0x40, // allocation length 64
            0x00,
        ],
        64,
    );
    let descriptor = &reply[8..];
    assert_eq!(be16(&descriptor[0..2]), 0x0041);
    assert_eq!(descriptor[2] & 0x01, 0x01, "current with a BD-RE loaded");
    assert_eq!(descriptor[3], 0x14, "additional length: bytes 4-23");
    assert_eq!(descriptor.len(), 4 + 0x14, "nothing after the descriptor");
    assert_eq!(&descriptor[5..8], [0, 0, 0], "reserved");
    assert_ne!(
        be16(&descriptor[8..10]),
        0,
        "class 0 BD-RE versions written"
    );
    assert_ne!(
        be16(&descriptor[16..18]),
        0,
        "class 0 BD-R versions written"
    );
}
