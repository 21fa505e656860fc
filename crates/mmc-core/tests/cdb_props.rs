//! Property tests: every CDB struct and `Command` round-trip (struct -> bytes -> struct), and
//! `Command::decode` never panics on any bytes and, when it accepts them, `encode` gives them
//! back (vendor Control bits aside).

use std::fmt::Debug;

use mmc_core::cdb::*;
use mmc_core::params::*;
use proptest::prelude::*;

/// A field `bits` wide: in range, or (`wild`) any byte, to check that encoding drops what
/// does not fit.
fn field(bits: u32, wild: bool) -> std::ops::RangeInclusive<u8> {
    if wild {
        0..=u8::MAX
    } else {
        0..=((1u16 << bits) - 1) as u8
    }
}

fn test_unit_ready() -> impl Strategy<Value = TestUnitReady> {
    Just(TestUnitReady)
}

fn request_sense() -> impl Strategy<Value = RequestSense> {
    (any::<bool>(), any::<u8>()).prop_map(|(descriptor_format, allocation_length)| RequestSense {
        descriptor_format,
        allocation_length,
    })
}

fn format_unit(wild: bool) -> impl Strategy<Value = FormatUnit> {
    (any::<bool>(), any::<bool>(), field(3, wild)).prop_map(|(fmt_data, cmp_list, format_code)| {
        FormatUnit {
            fmt_data,
            cmp_list,
            format_code,
        }
    })
}

fn inquiry() -> impl Strategy<Value = Inquiry> {
    (proptest::option::of(any::<u8>()), any::<u16>()).prop_map(|(vpd_page, allocation_length)| {
        Inquiry {
            vpd_page,
            allocation_length,
        }
    })
}

fn start_stop_unit(wild: bool) -> impl Strategy<Value = StartStopUnit> {
    (
        any::<bool>(),
        field(2, wild),
        field(4, wild).prop_map(PowerCondition::from_u8),
        any::<[bool; 3]>(),
    )
        .prop_map(
            |(immed, format_layer_number, power_condition, [format_layer, load_eject, start])| {
                StartStopUnit {
                    immed,
                    format_layer_number,
                    power_condition,
                    format_layer,
                    load_eject,
                    start,
                }
            },
        )
}

fn prevent_allow() -> impl Strategy<Value = PreventAllowMediumRemoval> {
    any::<[bool; 2]>().prop_map(|[persistent, prevent]| PreventAllowMediumRemoval {
        persistent,
        prevent,
    })
}

fn read_format_capacities() -> impl Strategy<Value = ReadFormatCapacities> {
    any::<u16>().prop_map(|allocation_length| ReadFormatCapacities { allocation_length })
}

fn read_capacity() -> impl Strategy<Value = ReadCapacity> {
    (any::<i32>(), any::<bool>()).prop_map(|(lba, partial_medium_indicator)| ReadCapacity {
        lba,
        partial_medium_indicator,
    })
}

fn read10() -> impl Strategy<Value = Read10> {
    (any::<[bool; 2]>(), any::<i32>(), any::<u16>()).prop_map(|([dpo, fua], lba, blocks)| Read10 {
        dpo,
        fua,
        lba,
        blocks,
    })
}

fn write10() -> impl Strategy<Value = Write10> {
    (any::<[bool; 3]>(), any::<i32>(), any::<u16>()).prop_map(
        |([dpo, fua, timely_safe_recording], lba, blocks)| Write10 {
            dpo,
            fua,
            timely_safe_recording,
            lba,
            blocks,
        },
    )
}

fn verify10() -> impl Strategy<Value = Verify10> {
    (any::<[bool; 3]>(), any::<i32>(), any::<u16>()).prop_map(
        |([dpo, byte_check, group3_timeout], lba, blocks)| Verify10 {
            dpo,
            byte_check,
            lba,
            group3_timeout,
            blocks,
        },
    )
}

fn synchronize_cache() -> impl Strategy<Value = SynchronizeCache> {
    (any::<bool>(), any::<i32>(), any::<u16>()).prop_map(|(immed, lba, blocks)| SynchronizeCache {
        immed,
        lba,
        blocks,
    })
}

fn read_toc(wild: bool) -> impl Strategy<Value = ReadTocPmaAtip> {
    (
        any::<bool>(),
        field(4, wild).prop_map(TocFormat::from_u8),
        any::<u8>(),
        any::<u16>(),
    )
        .prop_map(
            |(msf, format, track_session_number, allocation_length)| ReadTocPmaAtip {
                msf,
                format,
                track_session_number,
                allocation_length,
            },
        )
}

fn get_configuration(wild: bool) -> impl Strategy<Value = GetConfiguration> {
    (
        field(2, wild).prop_map(ConfigurationRequest::from_u8),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |(requested_type, starting_feature, allocation_length)| GetConfiguration {
                requested_type,
                starting_feature,
                allocation_length,
            },
        )
}

fn gesn(wild: bool) -> impl Strategy<Value = GetEventStatusNotification> {
    (
        any::<bool>(),
        any::<u8>().prop_map(move |c| if wild { c } else { c & 0x7E }),
        any::<u16>(),
    )
        .prop_map(
            |(polled, class_request, allocation_length)| GetEventStatusNotification {
                polled,
                class_request,
                allocation_length,
            },
        )
}

fn read_disc_information(wild: bool) -> impl Strategy<Value = ReadDiscInformation> {
    (
        field(3, wild).prop_map(DiscInformationType::from_u8),
        any::<u16>(),
    )
        .prop_map(|(data_type, allocation_length)| ReadDiscInformation {
            data_type,
            allocation_length,
        })
}

fn read_track_information(wild: bool) -> impl Strategy<Value = ReadTrackInformation> {
    (
        any::<bool>(),
        field(2, wild).prop_map(TrackAddressType::from_u8),
        any::<u32>(),
        any::<u16>(),
    )
        .prop_map(
            |(open, address_type, address, allocation_length)| ReadTrackInformation {
                open,
                address_type,
                address,
                allocation_length,
            },
        )
}

fn reserve_track() -> impl Strategy<Value = ReserveTrack> {
    (
        any::<bool>(),
        prop_oneof![
            any::<u32>().prop_map(Reservation::Size),
            any::<i32>().prop_map(Reservation::Lba)
        ],
    )
        .prop_map(|(rmz, reservation)| ReserveTrack { rmz, reservation })
}

fn send_opc() -> impl Strategy<Value = SendOpcInformation> {
    (any::<[bool; 3]>(), any::<u16>()).prop_map(
        |([do_opc, exclude0, exclude1], parameter_list_length)| SendOpcInformation {
            do_opc,
            exclude0,
            exclude1,
            parameter_list_length,
        },
    )
}

fn mode_select() -> impl Strategy<Value = ModeSelect10> {
    (any::<[bool; 2]>(), any::<u16>()).prop_map(
        |([page_format, save_pages], parameter_list_length)| ModeSelect10 {
            page_format,
            save_pages,
            parameter_list_length,
        },
    )
}

fn mode_sense(wild: bool) -> impl Strategy<Value = ModeSense10> {
    (
        any::<[bool; 2]>(),
        field(2, wild).prop_map(PageControl::from_u8),
        field(6, wild),
        any::<u8>(),
        any::<u16>(),
    )
        .prop_map(
            |(
                [long_lba_accepted, disable_block_descriptors],
                page_control,
                page_code,
                subpage_code,
                allocation_length,
            )| ModeSense10 {
                long_lba_accepted,
                disable_block_descriptors,
                page_control,
                page_code,
                subpage_code,
                allocation_length,
            },
        )
}

fn close_track_session(wild: bool) -> impl Strategy<Value = CloseTrackSession> {
    (
        any::<bool>(),
        field(3, wild).prop_map(CloseFunction::from_u8),
        any::<u16>(),
    )
        .prop_map(|(immed, function, track_number)| CloseTrackSession {
            immed,
            function,
            track_number,
        })
}

fn read_buffer_capacity() -> impl Strategy<Value = ReadBufferCapacity> {
    (any::<bool>(), any::<u16>()).prop_map(|(block, allocation_length)| ReadBufferCapacity {
        block,
        allocation_length,
    })
}

fn send_cue_sheet(wild: bool) -> impl Strategy<Value = SendCueSheet> {
    any::<u32>().prop_map(move |size| SendCueSheet {
        cue_sheet_size: if wild { size } else { size & 0x00FF_FFFF },
    })
}

fn blank(wild: bool) -> impl Strategy<Value = Blank> {
    (
        any::<bool>(),
        field(3, wild).prop_map(BlankingType::from_u8),
        any::<u32>(),
    )
        .prop_map(|(immed, blanking_type, start_address)| Blank {
            immed,
            blanking_type,
            start_address,
        })
}

fn read12() -> impl Strategy<Value = Read12> {
    (any::<[bool; 3]>(), any::<i32>(), any::<u32>()).prop_map(
        |([dpo, fua, streaming], lba, blocks)| Read12 {
            dpo,
            fua,
            lba,
            blocks,
            streaming,
        },
    )
}

fn write12() -> impl Strategy<Value = Write12> {
    (any::<[bool; 4]>(), any::<i32>(), any::<u32>()).prop_map(
        |([dpo, fua, timely_safe_recording, streaming], lba, blocks)| Write12 {
            dpo,
            fua,
            timely_safe_recording,
            lba,
            blocks,
            streaming,
        },
    )
}

fn get_performance() -> impl Strategy<Value = GetPerformance> {
    (
        field(5, false),
        any::<i32>(),
        any::<u16>(),
        any::<u8>().prop_map(PerformanceType::from_u8),
    )
        .prop_map(
            |(data_type, start_lba, max_descriptors, performance_type)| GetPerformance {
                data_type,
                start_lba,
                max_descriptors,
                performance_type,
            },
        )
}

fn send_disc_structure(wild: bool) -> impl Strategy<Value = SendDiscStructure> {
    (
        field(4, wild).prop_map(DiscStructureMedia::from_u8),
        any::<u8>(),
        any::<u16>(),
        field(2, wild),
    )
        .prop_map(
            |(media_type, format_code, parameter_list_length, agid)| SendDiscStructure {
                media_type,
                format_code,
                parameter_list_length,
                agid,
            },
        )
}

fn read_disc_structure(wild: bool) -> impl Strategy<Value = ReadDiscStructure> {
    (
        field(4, wild).prop_map(DiscStructureMedia::from_u8),
        any::<u32>(),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        field(2, wild),
    )
        .prop_map(
            |(media_type, address, layer_number, format_code, allocation_length, agid)| {
                ReadDiscStructure {
                    media_type,
                    address,
                    layer_number,
                    format_code,
                    allocation_length,
                    agid,
                }
            },
        )
}

fn set_streaming() -> impl Strategy<Value = SetStreaming> {
    (any::<u8>().prop_map(StreamingType::from_u8), any::<u16>()).prop_map(
        |(streaming_type, parameter_list_length)| SetStreaming {
            streaming_type,
            parameter_list_length,
        },
    )
}

fn set_cd_speed(wild: bool) -> impl Strategy<Value = SetCdSpeed> {
    (
        field(2, wild).prop_map(CdRotationalControl::from_u8),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(rotational_control, read_speed, write_speed)| SetCdSpeed {
            rotational_control,
            read_speed,
            write_speed,
        })
}

fn mechanism_status() -> impl Strategy<Value = MechanismStatus> {
    any::<u16>().prop_map(|allocation_length| MechanismStatus { allocation_length })
}

/// Every command, with in-range fields (`wild = false`) or any field values.
fn command(wild: bool) -> impl Strategy<Value = Command> {
    prop_oneof![
        test_unit_ready().prop_map(Command::from),
        request_sense().prop_map(Command::from),
        format_unit(wild).prop_map(Command::from),
        inquiry().prop_map(Command::from),
        start_stop_unit(wild).prop_map(Command::from),
        prevent_allow().prop_map(Command::from),
        read_format_capacities().prop_map(Command::from),
        read_capacity().prop_map(Command::from),
        read10().prop_map(Command::from),
        write10().prop_map(Command::from),
        verify10().prop_map(Command::from),
        synchronize_cache().prop_map(Command::from),
        read_toc(wild).prop_map(Command::from),
        get_configuration(wild).prop_map(Command::from),
        gesn(wild).prop_map(Command::from),
        read_disc_information(wild).prop_map(Command::from),
        read_track_information(wild).prop_map(Command::from),
        reserve_track().prop_map(Command::from),
        send_opc().prop_map(Command::from),
        mode_select().prop_map(Command::from),
        mode_sense(wild).prop_map(Command::from),
        close_track_session(wild).prop_map(Command::from),
        read_buffer_capacity().prop_map(Command::from),
        send_cue_sheet(wild).prop_map(Command::from),
        blank(wild).prop_map(Command::from),
        read12().prop_map(Command::from),
        write12().prop_map(Command::from),
        get_performance().prop_map(Command::from),
        read_disc_structure(wild).prop_map(Command::from),
        send_disc_structure(wild).prop_map(Command::from),
        set_streaming().prop_map(Command::from),
        set_cd_speed(wild).prop_map(Command::from),
        mechanism_status().prop_map(Command::from),
    ]
}

/// struct -> bytes -> struct, through the struct and through `Command`; the CDB has the
/// command's length and a zero Control byte.
fn round_trip<T>(repr: T) -> Result<(), TestCaseError>
where
    T: CdbRepr + PartialEq + Debug,
    Command: From<T>,
{
    let bytes = repr.encode();
    prop_assert_eq!(bytes.len(), T::LEN);
    prop_assert_eq!(bytes.first().copied(), Some(T::OPCODE.to_u8()));
    prop_assert_eq!(bytes.last().copied(), Some(0));
    prop_assert_eq!(T::decode(&bytes), Ok(repr));
    prop_assert_eq!(Command::decode(&bytes), Ok(Command::from(repr)));
    prop_assert_eq!(
        Command::from(repr).expected_transfer(),
        repr.expected_transfer()
    );
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident: $strategy:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(repr in $strategy) {
                    round_trip(repr)?;
                }
            )*
        }
    };
}

round_trips! {
    test_unit_ready_round_trips: test_unit_ready();
    request_sense_round_trips: request_sense();
    format_unit_round_trips: format_unit(false);
    inquiry_round_trips: inquiry();
    start_stop_unit_round_trips: start_stop_unit(false);
    prevent_allow_round_trips: prevent_allow();
    read_format_capacities_round_trips: read_format_capacities();
    read_capacity_round_trips: read_capacity();
    read10_round_trips: read10();
    write10_round_trips: write10();
    verify10_round_trips: verify10();
    synchronize_cache_round_trips: synchronize_cache();
    read_toc_round_trips: read_toc(false);
    get_configuration_round_trips: get_configuration(false);
    gesn_round_trips: gesn(false);
    read_disc_information_round_trips: read_disc_information(false);
    read_track_information_round_trips: read_track_information(false);
    reserve_track_round_trips: reserve_track();
    send_opc_round_trips: send_opc();
    mode_select_round_trips: mode_select();
    mode_sense_round_trips: mode_sense(false);
    close_track_session_round_trips: close_track_session(false);
    read_buffer_capacity_round_trips: read_buffer_capacity();
    send_cue_sheet_round_trips: send_cue_sheet(false);
    blank_round_trips: blank(false);
    read12_round_trips: read12();
    write12_round_trips: write12();
    get_performance_round_trips: get_performance();
    read_disc_structure_round_trips: read_disc_structure(false);
    send_disc_structure_round_trips: send_disc_structure(false);
    set_streaming_round_trips: set_streaming();
    set_cd_speed_round_trips: set_cd_speed(false);
    mechanism_status_round_trips: mechanism_status();
}

fn format_descriptor(wild: bool) -> impl Strategy<Value = FormatDescriptor> {
    (
        any::<u32>(),
        field(6, wild).prop_map(FormatType::from_u8),
        field(2, wild),
        any::<u32>().prop_map(move |v| if wild { v } else { v & 0x00FF_FFFF }),
    )
        .prop_map(
            |(number_of_blocks, format_type, format_subtype, type_dependent)| FormatDescriptor {
                number_of_blocks,
                format_type,
                format_subtype,
                type_dependent,
            },
        )
}

fn format_parameters(wild: bool) -> impl Strategy<Value = FormatUnitParameters> {
    (any::<[bool; 7]>(), format_descriptor(wild)).prop_map(
        |([fov, dpry, dcrt, stpf, ip, immed, vs], descriptor)| FormatUnitParameters {
            format_options_valid: fov,
            disable_primary: dpry,
            disable_certification: dcrt,
            stop_format: stpf,
            initialization_pattern: ip,
            immed,
            vendor_specific: vs,
            descriptor,
        },
    )
}

fn performance_descriptor(wild: bool) -> impl Strategy<Value = PerformanceDescriptor> {
    (
        field(2, wild).prop_map(RotationControl::from_u8),
        any::<[bool; 3]>(),
        any::<[i32; 2]>(),
        any::<[u32; 4]>(),
    )
        .prop_map(
            |(
                rotation_control,
                [restore_defaults, exact, random_access],
                [start_lba, end_lba],
                [read_size, read_time, write_size, write_time],
            )| PerformanceDescriptor {
                rotation_control,
                restore_defaults,
                exact,
                random_access,
                start_lba,
                end_lba,
                read_size,
                read_time,
                write_size,
                write_time,
            },
        )
}

/// The bytes `Command::decode(input)` must encode back to: the input with the Control
/// byte's vendor bits cleared, and for READ TOC/PMA/ATIP with format 0 in byte 2, the old
/// format from Control bits 7-6 moved into byte 2. Written from the standard, not from the
/// crate.
fn expected_reencoding(input: &[u8]) -> Vec<u8> {
    // Zeros after the length the operation code's group gives (SPC-4 4.2.5.1) are transport
    // padding: the command is the bytes before them.
    let len = mmc_core::cdb::group_cdb_len(input[0])
        .unwrap_or(input.len())
        .min(input.len());
    let mut expected = input[..len].to_vec();
    if len == 10 && input[0] == 0x43 && input[2] & 0x0F == 0 && input[9] & 0xC0 != 0 {
        expected[2] = input[9] >> 6;
    }
    if let Some(control) = expected.last_mut() {
        *control &= 0x3F;
    }
    expected
}

fn decode_contract(input: &[u8]) -> Result<bool, TestCaseError> {
    match Command::decode(input) {
        Ok(command) => {
            let encoded = command.encode();
            prop_assert_eq!(encoded.as_slice(), &expected_reencoding(input)[..]);
            prop_assert_eq!(command.opcode().to_u8(), input[0]);
            Ok(true)
        }
        Err(err) => {
            // Every error carries ILLEGAL REQUEST sense and a one-line message.
            let (triple, _) = err.sense();
            prop_assert_eq!(triple.key.to_u8(), 0x05);
            prop_assert!(!err.to_string().contains('\n'));
            Ok(false)
        }
    }
}

proptest! {
    #[test]
    fn command_round_trips(command in command(false)) {
        let bytes = command.encode();
        prop_assert_eq!(Command::decode(&bytes), Ok(command));
        prop_assert_eq!(Some(bytes.len()), command.opcode().cdb_len());
    }

    /// Out-of-range field values are cut to their width, never into a neighbouring field
    /// or a reserved bit: what `encode` produces always decodes, and is stable.
    #[test]
    fn encoding_any_field_values_gives_a_valid_cdb(command in command(true)) {
        let bytes = command.encode();
        let decoded = Command::decode(&bytes);
        prop_assert!(decoded.is_ok(), "{:?} -> {:02X?}: {:?}", command, bytes.as_slice(), decoded);
        prop_assert_eq!(decoded.unwrap().encode(), bytes);
    }

    #[test]
    fn format_parameters_round_trip(list in format_parameters(false)) {
        let bytes = list.to_bytes();
        prop_assert_eq!(FormatUnitParameters::parse(&bytes), Ok(list));
        let mut buf = [0u8; 12];
        prop_assert_eq!(list.emit(&mut buf), Ok(12));
        prop_assert_eq!(buf, bytes);
    }

    #[test]
    fn format_parameters_with_any_values_parse_back(list in format_parameters(true)) {
        let bytes = list.to_bytes();
        let parsed = FormatUnitParameters::parse(&bytes);
        prop_assert!(parsed.is_ok());
        prop_assert_eq!(parsed.unwrap().to_bytes(), bytes);
    }

    #[test]
    fn performance_descriptor_round_trips(descriptor in performance_descriptor(false)) {
        let bytes = descriptor.to_bytes();
        prop_assert_eq!(PerformanceDescriptor::parse(&bytes), Ok(descriptor));
        let mut buf = [0u8; 28];
        prop_assert_eq!(descriptor.emit(&mut buf), Ok(28));
        prop_assert_eq!(buf, bytes);
    }

    #[test]
    fn performance_descriptor_with_any_values_parses_back(descriptor in performance_descriptor(true)) {
        let bytes = descriptor.to_bytes();
        let parsed = PerformanceDescriptor::parse(&bytes);
        prop_assert!(parsed.is_ok());
        prop_assert_eq!(parsed.unwrap().to_bytes(), bytes);
    }

    /// Transfers computed from the standard's rule: 2048-byte blocks, in for READ, out for
    /// WRITE.
    #[test]
    fn read_and_write_transfers_count_2048_byte_blocks(lba in any::<i32>(), blocks in any::<u16>()) {
        let bytes = u32::from(blocks) * 2048;
        let read = Read10 { lba, blocks, ..Read10::default() }.expected_transfer();
        let write = Write10 { lba, blocks, ..Write10::default() }.expected_transfer();
        if blocks == 0 {
            prop_assert_eq!(read, Transfer::None);
            prop_assert_eq!(write, Transfer::None);
        } else {
            prop_assert_eq!(read, Transfer::In(bytes));
            prop_assert_eq!(write, Transfer::Out(bytes));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Any 0..20 bytes: no panic; when accepted, `encode` returns the input except the
    /// vendor Control bits (see `expected_reencoding`).
    #[test]
    fn decode_arbitrary_bytes_never_panics(input in proptest::collection::vec(any::<u8>(), 0..20)) {
        decode_contract(&input)?;
    }

    /// Valid CDBs with random bits flipped and random lengths: reaches the accepting paths
    /// that random bytes rarely do.
    #[test]
    fn decode_mutated_samples(
        index in 0..34usize,
        flips in proptest::collection::vec((0..16usize, any::<u8>()), 0..3),
        vendor in 0..4u8,
        cut in proptest::option::weighted(0.1, 0..20usize),
    ) {
        let mut input = sample_cdbs()[index].clone();
        for (at, mask) in flips {
            if let Some(b) = input.get_mut(at) {
                *b ^= mask;
            }
        }
        if let Some(control) = input.last_mut() {
            *control |= vendor << 6;
        }
        if let Some(len) = cut {
            input.resize(len, 0);
        }
        decode_contract(&input)?;
    }

    #[test]
    fn format_parameters_parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(list) = FormatUnitParameters::parse(&data) {
            prop_assert_eq!(&list.to_bytes()[..], &data[..12]);
        }
    }

    #[test]
    fn performance_descriptor_parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(descriptor) = PerformanceDescriptor::parse(&data) {
            prop_assert_eq!(&descriptor.to_bytes()[..], &data[..28]);
        }
    }
}
