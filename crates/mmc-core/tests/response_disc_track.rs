//! READ DISC INFORMATION and READ TRACK INFORMATION data, both directions.

use mmc_core::response::disc_info::*;
use mmc_core::response::track_info::*;
use mmc_core::response::{Msf, ResponseFormat};
use mmc_core::ParseError;
use proptest::prelude::*;

/// An appendable CD-R with two complete sessions and one OPC table entry.
const APPENDABLE_CD_R: [u8; 42] = [
    0x00, 0x28, // disc information length: 40
    0x0D, // data type 000b, not erasable, last session complete (11b), disc incomplete (01b)
    0x01, // first track on disc
    0x02, // number of sessions (LSB)
    0x03, // first track in last session (LSB)
    0x03, // last track in last session (LSB)
    0x20, // URU
    0x20, // disc type: CD-ROM XA
    0x00, 0x00, 0x00, // MSBs
    0x00, 0x00, 0x00, 0x00, // disc identification
    0x00, 0x05, 0x2E, 0x0A, // last session lead-in start 05:46:10
    0x00, 0x4F, 0x3B, 0x4A, // last possible lead-out start 79:59:74
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // disc bar code
    0x00, // disc application code
    0x01, // number of OPC tables
    0x1B, 0x90, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, // OPC: 7056 kB/s
];

fn appendable_cd_r() -> DiscInformation {
    DiscInformation {
        erasable: false,
        last_session_state: LastSessionState::Complete,
        disc_status: DiscStatus::Incomplete,
        first_track: 1,
        sessions: 2,
        first_track_in_last_session: 3,
        last_track_in_last_session: 3,
        disc_id_valid: false,
        disc_bar_code_valid: false,
        unrestricted_use: true,
        disc_application_code_valid: false,
        dirty: false,
        bg_format_status: BgFormatStatus::NotFormatted,
        disc_type: DiscType::CdRomXa,
        disc_identification: 0,
        last_session_lead_in_start: 0x00052E0A,
        last_possible_lead_out_start: 0x004F3B4A,
        disc_bar_code: 0,
        disc_application_code: 0,
        opc_tables: vec![OpcTableEntry {
            speed: 7056,
            opc_values: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66],
        }],
        cut_bytes: 0,
    }
}

#[test]
fn disc_information_parses_every_field() {
    let d = DiscInformation::parse(&APPENDABLE_CD_R).unwrap();
    assert_eq!(d, appendable_cd_r());
    assert_eq!(d.last_possible_lead_out_msf(), Msf::new(79, 59, 74));
    assert_eq!(d.last_possible_lead_out_msf().to_lba(), 359_849);
    assert_eq!(d.last_session_lead_in_msf(), Msf::new(5, 46, 10));
}

#[test]
fn disc_information_builds() {
    assert_eq!(appendable_cd_r().to_bytes(), APPENDABLE_CD_R);
}

#[test]
fn session_and_track_numbers_use_both_bytes() {
    let mut b = APPENDABLE_CD_R;
    b[9] = 0x01; // sessions MSB
    b[11] = 0x02; // last track MSB
    let d = DiscInformation::parse(&b).unwrap();
    assert_eq!(d.sessions, 0x0102);
    assert_eq!(d.last_track_in_last_session, 0x0203);
}

#[test]
fn a_formatted_bd_re_reports_background_format_and_others() {
    let mut b = [0u8; 34];
    b[1] = 0x20;
    b[2] = 0x1F; // erasable, session complete, status "others"
    b[7] = 0x03; // BG format complete
    let d = DiscInformation::parse(&b).unwrap();
    assert!(d.erasable);
    assert_eq!(d.disc_status, DiscStatus::Others);
    assert_eq!(d.bg_format_status, BgFormatStatus::Complete);
    assert!(d.opc_tables.is_empty());
}

#[test]
fn disc_information_cut_by_the_allocation_length() {
    let d = DiscInformation::parse(&APPENDABLE_CD_R[..34]).unwrap();
    assert!(d.opc_tables.is_empty());
    assert_eq!(d.cut_bytes, 8);
    assert_eq!(d.sessions, 2);
    assert!(matches!(
        DiscInformation::parse(&APPENDABLE_CD_R[..33]),
        Err(ParseError::Truncated {
            need: 34,
            got: 33,
            ..
        })
    ));
}

#[test]
fn disc_information_length_fields_that_lie_are_rejected() {
    let mut b = APPENDABLE_CD_R;
    b[1] = 31;
    assert_eq!(
        DiscInformation::parse(&b),
        Err(ParseError::BadLength {
            what: "READ DISC INFORMATION data",
            field: "disc information length",
            value: 31
        })
    );
    b[1] = 0x23; // 37 bytes: 3 bytes of a partial OPC entry
    assert!(matches!(
        DiscInformation::parse(&b),
        Err(ParseError::BadLength { value: 0x23, .. })
    ));
    // The OPC count announces two entries, the length only one: the second counts as cut.
    let mut b = APPENDABLE_CD_R;
    b[33] = 2;
    let d = DiscInformation::parse(&b).unwrap();
    assert_eq!(d.opc_tables.len(), 1);
    assert_eq!(d.cut_bytes, 8);
}

#[test]
fn other_disc_information_data_types_are_refused() {
    let mut b = APPENDABLE_CD_R;
    b[2] |= 0x20; // data type 001b: track resources
    assert_eq!(
        DiscInformation::parse(&b),
        Err(ParseError::InvalidValue {
            what: "READ DISC INFORMATION data",
            field: "disc information data type",
            value: 1
        })
    );
}

/// The invisible track of a blank 80-minute CD-R, MMC-6 48-byte layout.
const BLANK_CD_R_TRACK: [u8; 48] = [
    0x00, 0x2E, // track information length: 46
    0x01, // track number (LSB)
    0x01, // session number (LSB)
    0x00, // reserved
    0x04, // LJRS 0, damage 0, copy 0, track mode 4 (data)
    0x41, // RT 0, blank, packet 0, FP 0, data mode 1
    0x01, // LRA_V 0, NWA_V 1
    0x00, 0x00, 0x00, 0x00, // track start
    0x00, 0x00, 0x00, 0x00, // next writable address
    0x00, 0x05, 0x7D, 0xA7, // free blocks 359,847
    0x00, 0x00, 0x00, 0x00, // fixed packet size
    0x00, 0x05, 0x7D, 0xA7, // track size
    0x00, 0x00, 0x00, 0x00, // last recorded address
    0x00, 0x00, 0x00, 0x00, // track MSB, session MSB, reserved
    0x00, 0x00, 0x00, 0x00, // read compatibility LBA
    0x00, 0x00, 0x00, 0x00, // next layer jump address
    0x00, 0x00, 0x00, 0x00, // last layer jump address
];

fn blank_cd_r_track() -> TrackInformation {
    TrackInformation {
        track_number: 1,
        session_number: 1,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode: 4,
        reserved_track: false,
        blank: true,
        packet: false,
        fixed_packet: false,
        data_mode: 1,
        track_start: 0,
        next_writable_address: Some(0),
        free_blocks: 359_847,
        fixed_packet_size: 0,
        track_size: 359_847,
        last_recorded_address: None,
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    }
}

#[test]
fn track_information_parses_and_builds() {
    let t = TrackInformation::parse(&BLANK_CD_R_TRACK).unwrap();
    assert_eq!(t, blank_cd_r_track());
    assert_eq!(t.writable_limit(), Some(359_847));
    assert_eq!(t.to_bytes(), BLANK_CD_R_TRACK);
}

#[test]
fn the_next_writable_address_exists_only_when_nwa_v_is_set() {
    let mut b = BLANK_CD_R_TRACK;
    b[7] = 0x00;
    b[15] = 0x99; // garbage in the NWA field
    let t = TrackInformation::parse(&b).unwrap();
    assert_eq!(t.next_writable_address, None);
    assert_eq!(t.writable_limit(), None);
    // Damage without NWA_V: a track that is neither closed nor writable.
    b[5] = 0x24;
    assert!(TrackInformation::parse(&b).unwrap().damage);
}

#[test]
fn the_last_recorded_address_exists_only_when_lra_v_is_set() {
    let mut b = BLANK_CD_R_TRACK;
    b[7] = 0x02;
    b[28..32].copy_from_slice(&[0x00, 0x01, 0x00, 0x00]);
    let t = TrackInformation::parse(&b).unwrap();
    assert_eq!(t.last_recorded_address, Some(0x10000));
    assert_eq!(t.next_writable_address, None);
}

#[test]
fn older_drives_send_36_or_40_or_28_bytes() {
    // MMC-3: 36 bytes, length 34.
    let mut b = BLANK_CD_R_TRACK[..36].to_vec();
    b[1] = 34;
    let t = TrackInformation::parse(&b).unwrap();
    assert_eq!(t.read_compatibility_lba, None);
    assert_eq!(t.next_layer_jump_address, None);
    assert_eq!(t.cut_bytes, 0);
    assert_eq!(t.to_bytes(), b);
    // 40 bytes, length 38.
    let mut b = BLANK_CD_R_TRACK[..40].to_vec();
    b[1] = 38;
    let t = TrackInformation::parse(&b).unwrap();
    assert_eq!(t.read_compatibility_lba, Some(0));
    assert_eq!(t.last_layer_jump_address, None);
    assert_eq!(t.to_bytes(), b);
    // MMC-2: 28 bytes, length 26: no last recorded address, no MSBs.
    let mut b = BLANK_CD_R_TRACK[..28].to_vec();
    b[1] = 26;
    b[7] = 0x03;
    let t = TrackInformation::parse(&b).unwrap();
    assert_eq!(t.last_recorded_address, None);
    assert_eq!(t.next_writable_address, Some(0));
    assert_eq!(t.free_blocks, 359_847);
}

#[test]
fn track_information_cut_by_the_allocation_length() {
    let t = TrackInformation::parse(&BLANK_CD_R_TRACK[..32]).unwrap();
    assert_eq!(t.cut_bytes, 16);
    assert_eq!(t.read_compatibility_lba, None);
    assert!(matches!(
        TrackInformation::parse(&BLANK_CD_R_TRACK[..27]),
        Err(ParseError::Truncated {
            need: 28,
            got: 27,
            ..
        })
    ));
    let mut b = BLANK_CD_R_TRACK;
    b[1] = 25;
    assert_eq!(
        TrackInformation::parse(&b),
        Err(ParseError::BadLength {
            what: "READ TRACK INFORMATION data",
            field: "track information length",
            value: 25
        })
    );
}

prop_compose! {
    fn disc_information()(
        erasable: bool, state in 0u8..4, status in 0u8..4, first_track: u8,
        sessions: u16, first: u16, last: u16, flags in any::<[bool; 5]>(), bg in 0u8..4, disc_type: u8,
        disc_identification: u32, lead_in: u32, lead_out: u32, disc_bar_code: u64, app: u8,
        opc in proptest::collection::vec((any::<u16>(), any::<[u8; 6]>()), 0..8),
    ) -> DiscInformation {
        DiscInformation {
            erasable,
            last_session_state: LastSessionState::from_u8(state),
            disc_status: DiscStatus::from_u8(status),
            first_track, sessions,
            first_track_in_last_session: first,
            last_track_in_last_session: last,
            disc_id_valid: flags[0], disc_bar_code_valid: flags[1], unrestricted_use: flags[2],
            disc_application_code_valid: flags[3], dirty: flags[4],
            bg_format_status: BgFormatStatus::from_u8(bg),
            disc_type: DiscType::from_u8(disc_type),
            disc_identification,
            last_session_lead_in_start: lead_in,
            last_possible_lead_out_start: lead_out,
            disc_bar_code,
            disc_application_code: app,
            opc_tables: opc.into_iter().map(|(speed, opc_values)| OpcTableEntry { speed, opc_values }).collect(),
            cut_bytes: 0,
        }
    }
}

prop_compose! {
    fn track_information()(
        track: u16, session: u16, ljrs in 0u8..4, b5 in any::<[bool; 2]>(), mode in 0u8..16,
        b6 in any::<[bool; 4]>(), data_mode in 0u8..16, start: u32, nwa: Option<u32>, free: u32,
        packet: u32, size: u32, lra: Option<u32>, extension in 0u8..3, rc: u32, nlj: u32, llj: u32,
    ) -> TrackInformation {
        TrackInformation {
            track_number: track, session_number: session,
            layer_jump_recording_status: ljrs, damage: b5[0], copy: b5[1], track_mode: mode,
            reserved_track: b6[0], blank: b6[1], packet: b6[2], fixed_packet: b6[3], data_mode,
            track_start: start, next_writable_address: nwa, free_blocks: free,
            fixed_packet_size: packet, track_size: size, last_recorded_address: lra,
            read_compatibility_lba: (extension >= 1).then_some(rc),
            next_layer_jump_address: (extension >= 2).then_some(nlj),
            last_layer_jump_address: (extension >= 2).then_some(llj),
            cut_bytes: 0,
        }
    }
}

proptest! {
    #[test]
    fn disc_information_round_trips(d in disc_information()) {
        let b = d.to_bytes();
        prop_assert_eq!(b.len(), 34 + 8 * d.opc_tables.len());
        prop_assert_eq!(DiscInformation::parse(&b), Ok(d));
    }

    #[test]
    fn track_information_round_trips(t in track_information()) {
        prop_assert_eq!(TrackInformation::parse(&t.to_bytes()), Ok(t));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_disc_information_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(d) = DiscInformation::parse(&b) {
            prop_assert!(34 + 8 * d.opc_tables.len() <= b.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_track_information_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(t) = TrackInformation::parse(&b) {
            prop_assert!(b.len() >= 28);
            prop_assert!(t.last_layer_jump_address.is_none() || b.len() >= 48);
        }
    }
}
