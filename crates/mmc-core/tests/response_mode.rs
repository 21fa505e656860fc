//! MODE SENSE(10) data, MODE SELECT(10) parameter lists, and the Write Parameters (05h) and
//! MM Capabilities (2Ah) pages, both directions.

use mmc_core::params::mode::*;
use mmc_core::params::*;
use mmc_core::response::capabilities::*;
use mmc_core::response::disc_info::DiscType;
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

/// MODE SENSE(10) of page 05h on a CD writer set up for Track At Once, Mode 1.
const SENSE_PAGE_05: [u8; 60] = [
    0x00, 0x3A, // mode data length: 58
    0x00, // medium type
    0x00, // device-specific parameter
    0x00, 0x00, // LONGLBA 0, reserved
    0x00, 0x00, // block descriptor length
    0x85, // PS, page code 05h
    0x32, // page length
    0x41, // BUFE, LS_V 0, test write 0, write type 1 (TAO)
    0xC4, // multi-session 11b, FP 0, copy 0, track mode 4
    0x08, // data block type 8 (Mode 1)
    0x00, // link size
    0x00, // reserved
    0x00, // host application code
    0x00, // session format: CD-DA or CD-ROM
    0x00, // reserved
    0x00, 0x00, 0x00, 0x00, // packet size
    0x00, 0x96, // audio pause length 150
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // media catalog number
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ISRC
    0, 0, 0, 0, // sub-header
];

fn tao_mode1() -> WriteParameters {
    WriteParameters {
        ps: true,
        ..WriteParameters::cd_tao_mode1(MultiSession::NextSessionAllowed)
    }
}

#[test]
fn write_parameters_page_parses() {
    let m = ModeParameters::parse(&SENSE_PAGE_05).unwrap();
    assert_eq!(m.pages, vec![ModePage::WriteParameters(tao_mode1())]);
    let w = m.write_parameters().unwrap();
    assert_eq!(w.write_type, WriteType::TrackAtOnce);
    assert_eq!(w.multi_session, MultiSession::NextSessionAllowed);
    assert_eq!(w.data_block_type, DataBlockType::Mode1);
    assert_eq!(w.session_format, DiscType::CdDaOrCdRom);
    assert!(w.bufe && !w.test_write);
    assert!(!w.mcn_valid() && !w.isrc_valid());
    assert_eq!(m.cut_bytes, 0);
}

#[test]
fn write_parameters_page_builds_for_sense_and_for_select() {
    let m = ModeParameters::with_page(ModePage::WriteParameters(tao_mode1()));
    assert_eq!(m.to_bytes(), SENSE_PAGE_05);
    // MODE SELECT: mode data length reserved (0) and PS clear.
    let mut select = SENSE_PAGE_05;
    select[1] = 0x00;
    select[8] = 0x05;
    assert_eq!(m.select_bytes(), select);
    // The emulator reads the select list back, bounded by the bytes sent.
    let back = ModeParameters::parse_select(&select).unwrap();
    assert_eq!(
        back.write_parameters(),
        Some(&WriteParameters {
            ps: false,
            ..tao_mode1()
        })
    );
}

#[test]
fn the_0x36_page_length_carries_vendor_bytes() {
    let mut b = SENSE_PAGE_05.to_vec();
    b[1] = 0x3E;
    b[9] = 0x36;
    b.extend_from_slice(&[1, 2, 3, 4]);
    let m = ModeParameters::parse(&b).unwrap();
    assert_eq!(
        m.write_parameters().unwrap().vendor_specific,
        Some([1, 2, 3, 4])
    );
    assert_eq!(m.to_bytes(), b);
}

#[test]
fn a_write_parameters_page_too_short_is_kept_raw_and_refused_strictly() {
    let mut b = SENSE_PAGE_05[..58].to_vec();
    b[1] = 0x38;
    b[9] = 0x30;
    let m = ModeParameters::parse(&b).unwrap();
    assert!(matches!(
        &m.pages[0],
        ModePage::Raw(RawPage { page_code: 5, .. })
    ));
    let (_, mut pages) = ModeParameters::pages_of(&b).unwrap();
    assert_eq!(
        pages.next().unwrap().unwrap().page(),
        Err(ParseError::BadLength {
            what: "Write Parameters mode page",
            field: "page length",
            value: 0x30
        })
    );
}

/// MODE SENSE(10) of page 2Ah from an MMC-3 CD/DVD writer with two write speeds.
const SENSE_PAGE_2A: [u8; 48] = [
    0x00, 0x2E, // mode data length: 46
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header
    0x2A, // PS 0, page 2Ah
    0x26, // page length: 38 (30 + 4 x 2)
    0x3F, // reads DVD-RAM, DVD-R, DVD-ROM, method 2, CD-RW, CD-R
    0x37, // writes DVD-RAM, DVD-R, test write, CD-RW, CD-R
    0xF1, // BUF, multi-session, mode 2 form 2, mode 2 form 1, audio play
    0x73, // UPC, ISRC, C2 pointers, CD-DA stream accurate, CD-DA commands
    0x29, // loading mechanism 001b (tray), eject, lock
    0x03, // separate channel mute, separate volume levels
    0x1B, 0x90, // maximum read speed 7056 kB/s
    0x01, 0x00, // 256 volume levels
    0x08, 0x00, // buffer 2048 KiB
    0x1B, 0x90, // current read speed
    0x00, // obsolete
    0x10, // digital output format
    0x1B, 0x90, // maximum write speed
    0x1B, 0x90, // current write speed
    0x00, 0x01, // copy management revision
    0x00, 0x00, 0x00, // reserved
    0x01, // rotation control selected: CAV
    0x1B, 0x90, // current write speed selected
    0x00, 0x02, // two write speed descriptors
    0x00, 0x01, 0x1B, 0x90, // CAV, 7056 kB/s
    0x00, 0x00, 0x0D, 0xC8, // CLV, 3528 kB/s
];

fn mmc3_capabilities() -> CapabilitiesPage {
    CapabilitiesPage {
        ps: false,
        dvd_ram_read: true,
        dvd_r_read: true,
        dvd_rom_read: true,
        method2: true,
        cd_rw_read: true,
        cd_r_read: true,
        dvd_ram_write: true,
        dvd_r_write: true,
        test_write: true,
        cd_rw_write: true,
        cd_r_write: true,
        buf: true,
        multi_session: true,
        mode2_form2: true,
        mode2_form1: true,
        audio_play: true,
        upc: true,
        isrc: true,
        c2_pointers: true,
        cdda_stream_accurate: true,
        cdda_commands: true,
        loading_mechanism: 1,
        eject: true,
        lock: true,
        separate_channel_mute: true,
        separate_volume_levels: true,
        max_read_speed: 7056,
        volume_levels: 256,
        buffer_size: 2048,
        current_read_speed: 7056,
        digital_output_format: 0x10,
        max_write_speed: 7056,
        current_write_speed: Some(7056),
        copy_management_revision: Some(1),
        write_speeds: Some(WriteSpeedReport {
            rotation_control_selected: 1,
            current_write_speed_selected: 7056,
            descriptors: vec![
                WriteSpeedDescriptor2A {
                    rotation_control: 1,
                    write_speed: 7056,
                },
                WriteSpeedDescriptor2A {
                    rotation_control: 0,
                    write_speed: 3528,
                },
            ],
        }),
        ..CapabilitiesPage::default()
    }
}

#[test]
fn capabilities_page_parses_and_builds() {
    let m = ModeParameters::parse(&SENSE_PAGE_2A).unwrap();
    assert_eq!(m.capabilities(), Some(&mmc3_capabilities()));
    assert_eq!(m.page(0x2A).map(ModePage::page_code), Some(0x2A));
    assert_eq!(
        ModeParameters::with_page(ModePage::Capabilities(mmc3_capabilities())).to_bytes(),
        SENSE_PAGE_2A
    );
}

#[test]
fn an_mmc1_capabilities_page_has_no_write_speed_fields() {
    // qemu's drive: page length 18 (through the maximum write speed).
    let mut b = SENSE_PAGE_2A[..28].to_vec();
    b[1] = 26;
    b[9] = 18;
    let c = ModeParameters::parse(&b)
        .unwrap()
        .capabilities()
        .cloned()
        .unwrap();
    assert_eq!(c.buffer_size, 2048);
    assert_eq!(c.max_write_speed, 7056);
    assert_eq!(c.current_write_speed, None);
    assert_eq!(c.copy_management_revision, None);
    assert_eq!(c.write_speeds, None);
    assert_eq!(
        ModeParameters::with_page(ModePage::Capabilities(c)).to_bytes(),
        b
    );
}

#[test]
fn write_speed_descriptors_are_bounded_by_the_page() {
    let mut b = SENSE_PAGE_2A;
    b[39] = 0x09; // nine descriptors announced, two present
    let c = ModeParameters::parse(&b)
        .unwrap()
        .capabilities()
        .cloned()
        .unwrap();
    assert_eq!(c.write_speeds.unwrap().descriptors.len(), 2);
}

#[test]
fn block_descriptors_are_skipped() {
    let mut b = vec![0x00, 0x3C, 0, 0, 0, 0, 0x00, 0x08];
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x08, 0x00]); // one block descriptor
    b.extend_from_slice(&SENSE_PAGE_2A[8..]);
    b[1] = (b.len() - 2) as u8;
    let m = ModeParameters::parse(&b).unwrap();
    assert_eq!(m.block_descriptors.len(), 8);
    assert_eq!(m.capabilities(), Some(&mmc3_capabilities()));
    assert_eq!(m.to_bytes(), b);
}

#[test]
fn a_page_cut_by_the_allocation_length_is_dropped() {
    let m = ModeParameters::parse(&SENSE_PAGE_05[..20]).unwrap();
    assert!(m.pages.is_empty());
    assert_eq!(m.cut_bytes, 40);
    // libburn's first probe: 10 bytes, header and page header only.
    let (header, mut pages) = ModeParameters::pages_of(&SENSE_PAGE_05[..10]).unwrap();
    assert_eq!(header.mode_data_length, 0x3A);
    assert!(pages.next().is_none());
}

#[test]
fn mode_length_fields_that_lie_are_rejected() {
    let mut b = SENSE_PAGE_05;
    b[1] = 0x05;
    assert_eq!(
        ModeParameters::parse(&b),
        Err(ParseError::BadLength {
            what: "MODE SENSE(10) data",
            field: "mode data length",
            value: 5
        })
    );
    // The mode data length ends inside the page: the page overruns the data.
    let mut b = SENSE_PAGE_05;
    b[1] = 0x20;
    assert!(matches!(
        ModeParameters::parse(&b),
        Err(ParseError::Truncated {
            what: "mode page",
            ..
        })
    ));
    // Block descriptors longer than the data.
    let mut b = SENSE_PAGE_05;
    b[7] = 0x80;
    assert!(matches!(
        ModeParameters::parse(&b),
        Err(ParseError::Truncated {
            field: "block descriptors",
            ..
        })
    ));
    assert!(matches!(
        ModeParameters::parse_select(&SENSE_PAGE_05[..7]),
        Err(ParseError::Truncated { .. })
    ));
}

#[test]
fn subpage_format_pages_are_kept_raw() {
    let b = [
        0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0x5C, 0x01, 0x00, 0x02, 0xAB, 0xCD,
    ];
    let m = ModeParameters::parse(&b).unwrap();
    assert_eq!(
        m.pages,
        vec![ModePage::Raw(RawPage {
            ps: false,
            page_code: 0x1C,
            subpage_code: Some(1),
            data: vec![0xAB, 0xCD]
        })]
    );
    assert_eq!(m.to_bytes(), b);
}

prop_compose! {
    fn write_parameters()(
        ps: bool, f2 in any::<[bool; 3]>(), wt in 0u8..16, ms in 0u8..4, f3 in any::<[bool; 2]>(),
        track_mode in 0u8..16, dbt in 0u8..16, link_size: u8, hac in 0u8..64, sf: u8, packet_size: u32,
        pause: u16, mcn: [u8; 16], isrc: [u8; 16], subheader: [u8; 4], vendor: Option<[u8; 4]>,
    ) -> WriteParameters {
        WriteParameters {
            ps, bufe: f2[0], link_size_valid: f2[1], test_write: f2[2],
            write_type: WriteType::from_u8(wt), multi_session: MultiSession::from_u8(ms),
            fixed_packet: f3[0], copy: f3[1], track_mode, data_block_type: DataBlockType::from_u8(dbt),
            link_size, host_application_code: hac, session_format: DiscType::from_u8(sf),
            packet_size, audio_pause_length: pause, media_catalog_number: mcn, isrc, subheader,
            vendor_specific: vendor,
        }
    }
}

fn capabilities() -> impl Strategy<Value = CapabilitiesPage> {
    (
        any::<[bool; 32]>(),
        any::<[bool; 10]>(),
        0u8..8,
        any::<[u16; 5]>(),
        any::<u8>(),
        0u8..4,
        (any::<u16>(), any::<u16>()),
        (
            0u8..4,
            any::<u16>(),
            proptest::collection::vec((0u8..8, any::<u16>()), 0..10),
        ),
    )
        .prop_map(
            |(a, b, lm, s, dof, level, (cws, cmr), (rcs, cwss, d))| CapabilitiesPage {
                ps: a[0],
                dvd_ram_read: a[1],
                dvd_r_read: a[2],
                dvd_rom_read: a[3],
                method2: a[4],
                cd_rw_read: a[5],
                cd_r_read: a[6],
                dvd_ram_write: a[7],
                dvd_r_write: a[8],
                test_write: a[9],
                cd_rw_write: a[10],
                cd_r_write: a[11],
                buf: a[12],
                multi_session: a[13],
                mode2_form2: a[14],
                mode2_form1: a[15],
                digital_port2: a[16],
                digital_port1: a[17],
                composite: a[18],
                audio_play: a[19],
                read_bar_code: a[20],
                upc: a[21],
                isrc: a[22],
                c2_pointers: a[23],
                rw_deinterleaved_corrected: a[24],
                rw_supported: a[25],
                cdda_stream_accurate: a[26],
                cdda_commands: a[27],
                eject: a[28],
                prevent_jumper: a[29],
                lock_state: a[30],
                lock: a[31],
                rw_in_lead_in: b[0],
                side_change_capable: b[1],
                software_slot_selection: b[2],
                changer_disc_present: b[3],
                separate_channel_mute: b[4],
                separate_volume_levels: b[5],
                loading_mechanism: lm,
                max_read_speed: s[0],
                volume_levels: s[1],
                buffer_size: s[2],
                current_read_speed: s[3],
                max_write_speed: s[4],
                digital_output_format: dof,
                current_write_speed: (level >= 1).then_some(cws),
                copy_management_revision: (level >= 2).then_some(cmr),
                write_speeds: (level >= 3).then(|| WriteSpeedReport {
                    rotation_control_selected: rcs,
                    current_write_speed_selected: cwss,
                    descriptors: d
                        .into_iter()
                        .map(|(rotation_control, write_speed)| WriteSpeedDescriptor2A {
                            rotation_control,
                            write_speed,
                        })
                        .collect(),
                }),
            },
        )
}

fn page() -> impl Strategy<Value = ModePage> {
    prop_oneof![
        write_parameters().prop_map(ModePage::WriteParameters),
        capabilities().prop_map(ModePage::Capabilities),
        (
            any::<bool>(),
            0u8..0x40,
            proptest::option::of(1u8..=255),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_filter(
                "typed pages have their own strategy",
                |(_, code, sub, _)| sub.is_some() || (*code != 0x05 && *code != 0x2A)
            )
            .prop_map(
                |(ps, page_code, subpage_code, data)| ModePage::Raw(RawPage {
                    ps,
                    page_code,
                    subpage_code,
                    data
                })
            ),
    ]
}

proptest! {
    #[test]
    fn mode_sense_data_round_trips(
        medium_type: u8, device_specific: u8, long_lba: bool,
        bd in proptest::collection::vec(any::<u8>(), 0..3).prop_map(|v| v.into_iter().flat_map(|b| [b; 8]).collect::<Vec<u8>>()),
        pages in proptest::collection::vec(page(), 0..4),
    ) {
        let m = ModeParameters { medium_type, device_specific, long_lba, block_descriptors: bd, pages, cut_bytes: 0 };
        let b = m.to_bytes();
        prop_assert_eq!(b.len(), m.buffer_len());
        prop_assert_eq!(ModeParameters::parse(&b), Ok(m.clone()));
        // The select form of the same list parses to the same pages with PS clear.
        let s = ModeParameters::parse_select(&m.select_bytes()).unwrap();
        prop_assert_eq!(s.pages.len(), m.pages.len());
        prop_assert!(m.select_bytes()[..2] == [0, 0]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_mode_sense_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = ModeParameters::parse(&b);
        if let Ok((_, pages)) = ModeParameters::pages_of(&b) {
            for p in pages.flatten() {
                let _ = p.page();
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_mode_select_parser(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(m) = ModeParameters::parse_select(&b) {
            prop_assert!(m.buffer_len() <= b.len());
        }
    }

    #[test]
    fn arbitrary_page_data_never_panics_the_page_parsers(ps: bool, b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = WriteParameters::parse_data(ps, &b);
        let _ = CapabilitiesPage::parse_data(ps, &b);
    }
}
