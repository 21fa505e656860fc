//! Standard INQUIRY data: the 36 bytes SPC-4 6.4.2 lays out, both directions.

use mmc_core::response::inquiry::{PeripheralDeviceType, StandardInquiry};
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

/// A DVD writer as it answers INQUIRY with a 36-byte allocation length.
const PLEXTOR: [u8; 36] = [
    0x05, // qualifier 000b, device type 05h (CD/DVD)
    0x80, // RMB
    0x00, // version
    0x12, // NORMACA 0, HISUP 1, response data format 2
    0x5B, // additional length: 96 bytes in all
    0x00, 0x00, 0x00, // flags
    b'P', b'L', b'E', b'X', b'T', b'O', b'R', b' ', // vendor
    b'D', b'V', b'D', b'R', b' ', b' ', b'P', b'X', b'-', b'8', b'9', b'1', b'S', b'A', b' ',
    b' ', // product
    b'1', b'.', b'0', b'6', // revision
];

#[test]
fn an_mmc_drive_is_recognised_and_its_strings_are_trimmed() {
    let q = StandardInquiry::parse(&PLEXTOR).unwrap();
    assert_eq!(q.peripheral_qualifier, 0);
    assert_eq!(q.peripheral_device_type, PeripheralDeviceType::CdDvd);
    assert!(q.is_mmc_device());
    assert!(q.removable);
    assert!(q.hisup);
    assert!(!q.normaca);
    assert_eq!(q.response_data_format, 2);
    assert_eq!(q.additional_length, 0x5B);
    assert_eq!(q.vendor, "PLEXTOR");
    assert_eq!(q.product, "DVDR  PX-891SA");
    assert_eq!(q.revision, "1.06");
    // 96 bytes announced, 36 received: the allocation length cut 60.
    assert_eq!(q.cut_bytes, 60);
}

#[test]
fn building_gives_the_standard_36_bytes() {
    let q = StandardInquiry::mmc_drive("PLEXTOR", "DVDR  PX-891SA", "1.06");
    let mut expected = PLEXTOR;
    expected[3] = 0x02; // no HISUP
    expected[4] = 31; // additional length of 36-byte data
    assert_eq!(q.to_bytes(), expected.to_vec());
}

#[test]
fn a_hard_disk_is_not_an_mmc_device() {
    let mut disk = PLEXTOR;
    disk[0] = 0x00;
    let q = StandardInquiry::parse(&disk).unwrap();
    assert_eq!(q.peripheral_device_type, PeripheralDeviceType::DirectAccess);
    assert!(!q.is_mmc_device());
    // Qualifier 011b: no device at this LUN, even with type 05h.
    disk[0] = 0x65;
    assert!(!StandardInquiry::parse(&disk).unwrap().is_mmc_device());
    disk[0] = 0x1F;
    assert_eq!(
        StandardInquiry::parse(&disk)
            .unwrap()
            .peripheral_device_type,
        PeripheralDeviceType::NoDeviceType
    );
}

#[test]
fn non_printable_bytes_become_question_marks() {
    let mut b = PLEXTOR;
    b[8] = 0xFF;
    b[9] = 0x07;
    b[15] = 0x00; // NUL padding counts as a space
    let q = StandardInquiry::parse(&b).unwrap();
    assert_eq!(q.vendor, "??EXTOR");
}

#[test]
fn short_or_inconsistent_data_is_rejected() {
    assert!(matches!(
        StandardInquiry::parse(&PLEXTOR[..4]),
        Err(ParseError::Truncated {
            field: "additional length",
            ..
        })
    ));
    assert!(matches!(
        StandardInquiry::parse(&PLEXTOR[..35]),
        Err(ParseError::Truncated {
            need: 36,
            got: 35,
            ..
        })
    ));
    let mut b = PLEXTOR;
    b[4] = 30; // 35 bytes in all: smaller than the standard data
    assert_eq!(
        StandardInquiry::parse(&b),
        Err(ParseError::BadLength {
            what: "standard INQUIRY data",
            field: "additional length",
            value: 30
        })
    );
}

#[test]
fn extra_bytes_beyond_the_additional_length_are_ignored() {
    let mut b = PLEXTOR.to_vec();
    b[4] = 31;
    b.extend_from_slice(&[0xEE; 20]);
    let q = StandardInquiry::parse(&b).unwrap();
    assert_eq!(q.cut_bytes, 0);
    assert_eq!(q.revision, "1.06");
}

#[test]
fn a_longer_additional_length_is_emitted_as_zero_padding() {
    let mut q = StandardInquiry::mmc_drive("A", "B", "C");
    q.additional_length = 0x5B;
    let b = q.to_bytes();
    assert_eq!(b.len(), 96);
    assert_eq!(b[4], 0x5B);
    assert!(b[36..].iter().all(|&x| x == 0));
    assert_eq!(&b[8..12], b"A   ");
}

fn ascii(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "([!-~]([ -~]{{0,{}}}[!-~])?)?",
        max.saturating_sub(2)
    ))
    .unwrap()
}

prop_compose! {
    fn inquiry()(
        q in 0u8..8, t in any::<u8>(), rmb: bool, version: u8, normaca: bool, hisup: bool,
        rdf in 0u8..16, extra in 31u8..=255, b5 in any::<[bool; 4]>(), tpgs in 0u8..4,
        b6 in any::<[bool; 3]>(), b7 in any::<[bool; 3]>(),
        vendor in ascii(8), product in ascii(16), revision in ascii(4),
    ) -> StandardInquiry {
        StandardInquiry {
            peripheral_qualifier: q,
            peripheral_device_type: PeripheralDeviceType::from_u8(t & 0x1F),
            removable: rmb, version, normaca, hisup, response_data_format: rdf,
            additional_length: extra,
            sccs: b5[0], acc: b5[1], tpgs, third_party_copy: b5[2], protect: b5[3],
            encserv: b6[0], multip: b6[1], addr16: b6[2],
            wbus16: b7[0], sync: b7[1], cmdque: b7[2],
            vendor, product, revision, cut_bytes: 0,
        }
    }
}

proptest! {
    #[test]
    fn inquiry_round_trips(q in inquiry()) {
        let bytes = q.to_bytes();
        prop_assert_eq!(bytes.len(), q.buffer_len());
        prop_assert_eq!(StandardInquiry::parse(&bytes), Ok(q));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_inquiry_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(q) = StandardInquiry::parse(&b) {
            prop_assert!(b.len() >= 36);
            prop_assert!(q.vendor.len() <= 8 && q.product.len() <= 16 && q.revision.len() <= 4);
        }
    }
}
