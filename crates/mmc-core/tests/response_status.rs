//! GET EVENT STATUS NOTIFICATION, READ BUFFER CAPACITY, MECHANISM STATUS and READ DISC
//! STRUCTURE (formats 00h and C0h) data, both directions.

use mmc_core::response::buffer_capacity::BufferCapacity;
use mmc_core::response::disc_structure::*;
use mmc_core::response::event_status::*;
use mmc_core::response::mechanism::*;
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

/// A new disc was inserted (media class, libburn's request for classes 1-6).
const NEW_MEDIA: [u8; 8] = [
    0x00, 0x06, // event descriptor length: 6
    0x04, // NEA 0, class 4 (media)
    0x5E, // supported classes: 1, 2, 3, 4, 6
    0x02, // media event: new media
    0x02, // media present, tray closed
    0x00, 0x00, // start and end slot
];

#[test]
fn a_media_event_parses_and_builds() {
    let e = EventStatus::parse(&NEW_MEDIA).unwrap();
    let expected = EventStatus {
        no_event_available: false,
        notification_class: NotificationClass::Media,
        supported_event_classes: 0x5E,
        descriptor: Some(EventDescriptor::Media(MediaEvent {
            event: MediaEventCode::NewMedia,
            media_present: true,
            tray_open: false,
            start_slot: 0,
            end_slot: 0,
        })),
        cut_bytes: 0,
    };
    assert_eq!(e, expected);
    assert_eq!(expected.to_bytes(), NEW_MEDIA);
}

#[test]
fn no_event_available_has_no_descriptor() {
    let b = [0x00, 0x02, 0x80, 0x5E];
    let e = EventStatus::parse(&b).unwrap();
    assert!(e.no_event_available);
    assert_eq!(e.descriptor, None);
    assert_eq!(e.to_bytes(), b);
}

#[test]
fn other_classes_are_kept_raw() {
    let b = [0x00, 0x06, 0x06, 0x40, 0x01, 0x01, 0x00, 0x10]; // device busy
    let e = EventStatus::parse(&b).unwrap();
    assert_eq!(e.notification_class, NotificationClass::DeviceBusy);
    assert_eq!(
        e.descriptor,
        Some(EventDescriptor::Other(vec![0x01, 0x01, 0x00, 0x10]))
    );
    assert_eq!(e.to_bytes(), b);
}

#[test]
fn event_status_malformed() {
    assert!(matches!(
        EventStatus::parse(&NEW_MEDIA[..3]),
        Err(ParseError::Truncated { .. })
    ));
    // A media event cut to the header: its fixed part is missing.
    assert!(matches!(
        EventStatus::parse(&NEW_MEDIA[..6]),
        Err(ParseError::Truncated { .. })
    ));
    let mut b = NEW_MEDIA;
    b[1] = 0x01;
    assert!(matches!(
        EventStatus::parse(&b),
        Err(ParseError::BadLength { value: 1, .. })
    ));
    b[1] = 0x04; // media class announced without room for its descriptor
    assert!(matches!(
        EventStatus::parse(&b),
        Err(ParseError::BadLength { value: 4, .. })
    ));
    let mut b = NEW_MEDIA.to_vec();
    b[1] = 0x0A;
    assert_eq!(EventStatus::parse(&b).unwrap().cut_bytes, 4);
}

#[test]
fn buffer_capacity_in_bytes_and_in_blocks() {
    let bytes = [
        0x00, 0x0A, // data length: 10
        0x00, 0x00, // reserved; Block 0
        0x00, 0x40, 0x00, 0x00, // buffer length 4 MiB
        0x00, 0x10, 0x00, 0x00, // blank length 1 MiB
    ];
    let c = BufferCapacity::parse(&bytes).unwrap();
    assert_eq!(
        c,
        BufferCapacity::Bytes {
            buffer_length: 4 << 20,
            blank_length: 1 << 20
        }
    );
    assert_eq!(c.fill_ratio(), Some(0.75));
    assert_eq!(c.to_bytes(), bytes);
    let blocks = [0x00, 0x0A, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x06, 0x00];
    let c = BufferCapacity::parse(&blocks).unwrap();
    assert_eq!(
        c,
        BufferCapacity::Blocks {
            available_blocks: 1536
        }
    );
    assert_eq!(c.fill_ratio(), None);
    assert_eq!(c.to_bytes(), blocks);
    assert!(matches!(
        BufferCapacity::parse(&bytes[..11]),
        Err(ParseError::Truncated { .. })
    ));
    let mut short = bytes;
    short[1] = 0x08;
    assert!(matches!(
        BufferCapacity::parse(&short),
        Err(ParseError::BadLength { value: 8, .. })
    ));
}

/// A single-slot drive, idle, tray closed, one disc present.
const MECHANISM: [u8; 12] = [
    0x00, // fault 0, changer ready, current slot 0
    0x00, // mechanism idle, door closed
    0x00, 0x00, 0x00, // current LBA
    0x01, // one slot
    0x00, 0x04, // slot table length: 4
    0x80, 0x00, 0x00, 0x00, // disc present
];

#[test]
fn mechanism_status_parses_and_builds() {
    let m = MechanismStatus::parse(&MECHANISM).unwrap();
    let expected = MechanismStatus {
        fault: false,
        changer_state: ChangerState::Ready,
        current_slot: 0,
        mechanism_state: MechanismState::Idle,
        door_open: false,
        current_lba: 0,
        number_of_slots: 1,
        slots: vec![SlotEntry {
            disc_present: true,
            change: false,
            cwp_valid: false,
            cartridge_write_protect: false,
        }],
        cut_bytes: 0,
    };
    assert_eq!(m, expected);
    assert_eq!(expected.to_bytes(), MECHANISM);
}

#[test]
fn mechanism_status_fields_use_every_bit() {
    let b = [0xE5, 0xF2, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00];
    let m = MechanismStatus::parse(&b).unwrap();
    assert!(m.fault);
    assert_eq!(m.changer_state, ChangerState::Initializing);
    assert_eq!(m.current_slot, 0x45); // high bits 010b, low bits 00101b
    assert_eq!(m.mechanism_state, MechanismState::NoStateInformation);
    assert!(m.door_open);
    assert_eq!(m.current_lba, 0x010203);
    assert_eq!(m.to_bytes(), b);
}

#[test]
fn mechanism_status_malformed() {
    assert!(matches!(
        MechanismStatus::parse(&MECHANISM[..7]),
        Err(ParseError::Truncated { .. })
    ));
    let mut b = MECHANISM;
    b[7] = 0x03;
    assert_eq!(
        MechanismStatus::parse(&b),
        Err(ParseError::BadLength {
            what: "MECHANISM STATUS data",
            field: "slot table length",
            value: 3
        })
    );
    let m = MechanismStatus::parse(&MECHANISM[..8]).unwrap();
    assert!(m.slots.is_empty());
    assert_eq!(m.cut_bytes, 4);
}

/// The layer descriptor of a single-layer DVD+RW (READ DISC STRUCTURE format 00h), cut to
/// the 21 bytes decoded.
const DVD_PLUS_RW: [u8; 21] = [
    0x00, 0x13, // data length: 19
    0x00, 0x00, // reserved
    0x92, // book type 9 (DVD+RW), part version 2
    0x02, // disc size 120 mm, maximum rate 10.08 Mbit/s
    0x04, // one layer, parallel track path, layer type: rewritable
    0x00, // densities
    0x00, 0x03, 0x00, 0x00, // data area start 30000h
    0x00, 0x26, 0x05, 0x3F, // data area end 26053Fh
    0x00, 0x00, 0x00, 0x00, // end sector in layer 0
    0x00, // BCA absent
];

fn dvd_plus_rw() -> DvdPhysicalFormat {
    DvdPhysicalFormat {
        book_type: BookType::DvdPlusRw,
        part_version: 2,
        disc_size: 0,
        maximum_rate: 2,
        number_of_layers: 0,
        track_path: false,
        layer_type: 4,
        linear_density: 0,
        track_density: 0,
        data_area_start: 0x30000,
        data_area_end: 0x26053F,
        layer0_end: 0,
        bca: false,
        media_specific: vec![],
        cut_bytes: 0,
    }
}

#[test]
fn dvd_physical_format_parses_and_builds() {
    let d = DvdPhysicalFormat::parse(&DVD_PLUS_RW).unwrap();
    assert_eq!(d, dvd_plus_rw());
    assert_eq!(d.layers(), 1);
    assert_eq!(d.to_bytes(), DVD_PLUS_RW);
}

#[test]
fn dvd_physical_format_full_structure_and_cut() {
    let mut full = DVD_PLUS_RW.to_vec();
    full[0] = 0x08;
    full[1] = 0x02; // 2050: the whole 2048-byte structure
    full.resize(2052, 0xA5);
    let d = DvdPhysicalFormat::parse(&full).unwrap();
    assert_eq!(d.media_specific.len(), 2031);
    assert_eq!(d.to_bytes(), full);
    let mut cut = DVD_PLUS_RW.to_vec();
    cut[0] = 0x08;
    cut[1] = 0x02;
    let d = DvdPhysicalFormat::parse(&cut).unwrap();
    assert_eq!(d.cut_bytes, 2031);
    assert!(matches!(
        DvdPhysicalFormat::parse(&DVD_PLUS_RW[..20]),
        Err(ParseError::Truncated { .. })
    ));
    let mut short = DVD_PLUS_RW;
    short[1] = 0x10;
    assert!(matches!(
        DvdPhysicalFormat::parse(&short),
        Err(ParseError::BadLength { value: 0x10, .. })
    ));
}

#[test]
fn write_protection_status_parses_and_builds() {
    let b = [
        0x00, 0x06, // data length: 6
        0x00, 0x00, // reserved
        0x05, // MSWI 0, CWP 1, PWP 0, SWPP 1
        0x00, 0x00, 0x00, // reserved
    ];
    let w = WriteProtectionStatus::parse(&b).unwrap();
    let expected = WriteProtectionStatus {
        media_specific_write_inhibit: false,
        cartridge_write_protect: true,
        persistent_write_protect: false,
        software_write_protect: true,
        cut_bytes: 0,
    };
    assert_eq!(w, expected);
    assert!(w.is_protected());
    assert_eq!(expected.to_bytes(), b);
    assert!(matches!(
        WriteProtectionStatus::parse(&b[..4]),
        Err(ParseError::Truncated { .. })
    ));
}

fn event_status() -> impl Strategy<Value = EventStatus> {
    let media = (
        0u8..16,
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
        any::<u8>(),
    )
        .prop_map(|(e, p, t, s, end)| {
            (
                NotificationClass::Media,
                Some(EventDescriptor::Media(MediaEvent {
                    event: MediaEventCode::from_u8(e),
                    media_present: p,
                    tray_open: t,
                    start_slot: s,
                    end_slot: end,
                })),
            )
        });
    let other = (
        prop_oneof![0u8..4, 5u8..8],
        proptest::collection::vec(any::<u8>(), 1..12),
    )
        .prop_map(|(c, d)| {
            (
                NotificationClass::from_u8(c),
                Some(EventDescriptor::Other(d)),
            )
        });
    let none = (0u8..8).prop_map(|c| (NotificationClass::from_u8(c), None));
    (any::<u8>(), prop_oneof![media, other, none]).prop_map(|(supported, (class, descriptor))| {
        EventStatus {
            no_event_available: descriptor.is_none(),
            notification_class: class,
            supported_event_classes: supported,
            descriptor,
            cut_bytes: 0,
        }
    })
}

fn mechanism() -> impl Strategy<Value = MechanismStatus> {
    (
        any::<bool>(),
        0u8..4,
        any::<u8>(),
        0u8..8,
        any::<bool>(),
        0u32..0x100_0000,
        any::<u8>(),
        proptest::collection::vec(any::<[bool; 4]>(), 0..20),
    )
        .prop_map(
            |(fault, cs, slot, ms, door, lba, n, slots)| MechanismStatus {
                fault,
                changer_state: ChangerState::from_u8(cs),
                current_slot: slot,
                mechanism_state: MechanismState::from_u8(ms),
                door_open: door,
                current_lba: lba,
                number_of_slots: n,
                slots: slots
                    .into_iter()
                    .map(|[a, b, c, d]| SlotEntry {
                        disc_present: a,
                        change: b,
                        cwp_valid: c,
                        cartridge_write_protect: d,
                    })
                    .collect(),
                cut_bytes: 0,
            },
        )
}

fn dvd_physical() -> impl Strategy<Value = DvdPhysicalFormat> {
    (
        any::<[u8; 4]>(),
        (0u8..4, any::<bool>()),
        any::<[u8; 3]>(),
        (0u32..0x100_0000, 0u32..0x100_0000, 0u32..0x100_0000),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(
            |(n, (layers, path), d, (start, end, l0), bca, ms)| DvdPhysicalFormat {
                book_type: BookType::from_u8(n[0] & 0x0F),
                part_version: n[1] & 0x0F,
                disc_size: n[2] & 0x0F,
                maximum_rate: n[3] & 0x0F,
                number_of_layers: layers,
                track_path: path,
                layer_type: d[0] & 0x0F,
                linear_density: d[1] & 0x0F,
                track_density: d[2] & 0x0F,
                data_area_start: start,
                data_area_end: end,
                layer0_end: l0,
                bca,
                media_specific: ms,
                cut_bytes: 0,
            },
        )
}

proptest! {
    #[test]
    fn event_status_round_trips(e in event_status()) {
        prop_assert_eq!(EventStatus::parse(&e.to_bytes()), Ok(e));
    }

    #[test]
    fn buffer_capacity_round_trips(blocks: bool, a: u32, b: u32) {
        let c = if blocks { BufferCapacity::Blocks { available_blocks: a } } else { BufferCapacity::Bytes { buffer_length: a, blank_length: b } };
        prop_assert_eq!(BufferCapacity::parse(&c.to_bytes()), Ok(c));
    }

    #[test]
    fn mechanism_status_round_trips(m in mechanism()) {
        prop_assert_eq!(MechanismStatus::parse(&m.to_bytes()), Ok(m));
    }

    #[test]
    fn dvd_physical_format_round_trips(d in dvd_physical()) {
        prop_assert_eq!(DvdPhysicalFormat::parse(&d.to_bytes()), Ok(d));
    }

    #[test]
    fn write_protection_status_round_trips(f in any::<[bool; 4]>()) {
        let w = WriteProtectionStatus {
            media_specific_write_inhibit: f[0],
            cartridge_write_protect: f[1],
            persistent_write_protect: f[2],
            software_write_protect: f[3],
            cut_bytes: 0,
        };
        prop_assert_eq!(WriteProtectionStatus::parse(&w.to_bytes()), Ok(w));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_status_parsers(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = EventStatus::parse(&b);
        let _ = BufferCapacity::parse(&b);
        if let Ok(m) = MechanismStatus::parse(&b) {
            prop_assert!(8 + 4 * m.slots.len() <= b.len());
        }
        let _ = DvdPhysicalFormat::parse(&b);
        let _ = WriteProtectionStatus::parse(&b);
    }
}
