//! Static CDB and parameter list vectors for formatting, disc and track structure and speed
//! commands, checked in both directions, with malformed parameter lists.

mod cdb_support;

use cdb_support::both_ways;
use mmc_core::cdb::*;
use mmc_core::params::*;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};

// ---- format ------------------------------------------------------------------------------

#[test]
fn format_unit_with_parameter_list() {
    let bytes = [
        0x04, // FORMAT UNIT
        0x11, // FmtData, format code 001b
        0x00, // vendor specific
        0x00, 0x00, // interleave (obsolete)
        0x00,
    ];
    both_ways(&bytes, FormatUnit::with_parameters());
    assert_eq!(
        FormatUnit::with_parameters().expected_transfer(),
        Transfer::Out(12)
    );
    assert_eq!(FormatUnit::default().expected_transfer(), Transfer::None);
    both_ways(
        &[0x04, 0x19, 0, 0, 0, 0],
        FormatUnit {
            fmt_data: true,
            cmp_list: true,
            format_code: 1,
        },
    );
}

#[test]
fn format_parameters_dvd_plus_rw_basic_restart() {
    let list = [
        0x00, // reserved
        0x82, // FOV, Immed
        0x00, 0x08, // format descriptor length
        0xFF, 0xFF, 0xFF, 0xFF, // number of blocks: the whole disc
        0x98, // format type 26h << 2, sub-type 0
        0x00, 0x00, 0x01, // type dependent: restart
    ];
    let repr = FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(true));
    assert_eq!(FormatUnitParameters::parse(&list), Ok(repr));
    assert_eq!(repr.to_bytes(), list);
    assert!(repr.descriptor.is_restart());
    let mut buf = [0u8; 16];
    assert_eq!(repr.emit(&mut buf), Ok(12));
    assert_eq!(buf[..12], list);
    assert!(repr.emit(&mut [0u8; 11]).is_err());
}

#[test]
fn format_parameters_bd_re_types() {
    // BD-RE with spare areas, quick certification.
    let with_spares = [
        0x00, 0x82, 0x00, 0x08, // header: FOV, Immed, length 8
        0x00, 0xB7, 0xE0, 0x00, // 12,050,432 blocks
        0xC3, // type 30h << 2 | sub-type 11b
        0x00, 0x30, 0x00, // type dependent as READ FORMAT CAPACITIES gave it
    ];
    let repr = FormatUnitParameters::parse(&with_spares).unwrap();
    assert_eq!(
        repr.descriptor,
        FormatDescriptor::bd_re_with_spare_areas(
            12_050_432,
            0x003000,
            BdCertification::QuickCertification
        )
    );
    assert_eq!(
        repr.descriptor.bd_certification(),
        Some(BdCertification::QuickCertification)
    );
    assert_eq!(repr.to_bytes(), with_spares);

    // BD-RE without spare areas; full format 00h with block length 2048.
    for (type_byte, format_type) in [
        (0xC4, FormatType::BdReWithoutSpareAreas),
        (0x00, FormatType::FullFormat),
    ] {
        let list = [
            0x00, 0x02, 0x00, 0x08, // Immed
            0x00, 0xBA, 0x00, 0x00, // blocks
            type_byte, 0x00, 0x08, 0x00, // block length 2048
        ];
        let repr = FormatUnitParameters::parse(&list).unwrap();
        assert_eq!(repr.descriptor.format_type, format_type);
        assert_eq!(repr.descriptor.type_dependent, 2048);
        assert!(repr.immed && !repr.format_options_valid);
        assert_eq!(repr.to_bytes(), list);
    }
}

#[test]
fn format_parameters_malformed() {
    let good =
        FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(false)).to_bytes();
    assert_eq!(
        FormatUnitParameters::parse(&good[..11]),
        Err(CdbError::ParameterListLength {
            opcode: Opcode::FormatUnit,
            expected: 12,
            got: 11
        })
    );
    let mut bad_len = good;
    bad_len[3] = 0x10;
    let err = FormatUnitParameters::parse(&bad_len).unwrap_err();
    assert_eq!(
        err.sense(),
        (
            SenseTriple::new(0x05, 0x26, 0x00),
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: false,
                bit: Some(7),
                byte: 2
            })
        )
    );
    let mut reserved = good;
    reserved[1] |= 0x04;
    assert_eq!(
        FormatUnitParameters::parse(&reserved),
        Err(CdbError::ParameterReservedBit {
            opcode: Opcode::FormatUnit,
            byte: 1,
            bit: 2
        })
    );
    let mut reserved0 = good;
    reserved0[0] = 0x01;
    assert_eq!(
        FormatUnitParameters::parse(&reserved0),
        Err(CdbError::ParameterReservedBit {
            opcode: Opcode::FormatUnit,
            byte: 0,
            bit: 0
        })
    );
    // A drive reads exactly 12 bytes; anything after them is not part of the list.
    let mut long = good.to_vec();
    long.extend_from_slice(&[0xEE; 4]);
    assert!(FormatUnitParameters::parse(&long).is_ok());
}

#[test]
fn read_format_capacities() {
    let bytes = [
        0x23, // READ FORMAT CAPACITIES
        0, 0, 0, 0, 0, 0, // reserved
        0x00, 0xFC, // allocation length 252
        0x00,
    ];
    let repr = ReadFormatCapacities {
        allocation_length: 252,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(252));
}

// ---- disc --------------------------------------------------------------------------------

#[test]
fn read_disc_information_standard() {
    let bytes = [
        0x51, // READ DISC INFORMATION
        0x00, // data type 000b
        0, 0, 0, 0, 0, //
        0x00, 0x22, // allocation length 34
        0x00,
    ];
    let repr = ReadDiscInformation {
        data_type: DiscInformationType::Standard,
        allocation_length: 34,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(34));
}

#[test]
fn read_track_information_invisible_track() {
    let bytes = [
        0x52, // READ TRACK INFORMATION
        0x01, // address type 01b: track number
        0x00, 0x00, 0x00, 0xFF, // track FFh
        0x00, //
        0x00, 0x30, // allocation length 48
        0x00,
    ];
    let repr = ReadTrackInformation::track(0xFF, 48);
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(48));
    let open_session = [0x52, 0x06, 0, 0, 0, 2, 0, 0, 0x30, 0];
    both_ways(
        &open_session,
        ReadTrackInformation {
            open: true,
            address_type: TrackAddressType::SessionNumber,
            address: 2,
            allocation_length: 48,
        },
    );
}

#[test]
fn read_toc_libburn_requests() {
    let full_toc = [
        0x43, // READ TOC/PMA/ATIP
        0x02, // MSF
        0x02, // format 2: full TOC
        0, 0, 0,    //
        0x01, // session 1
        0x10, 0x00, // allocation length 4096
        0x00,
    ];
    let repr = ReadTocPmaAtip::full_toc(4096);
    both_ways(&full_toc, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(4096));
    let atip = [0x43, 0x02, 0x04, 0, 0, 0, 0, 0x00, 0x1C, 0];
    both_ways(
        &atip,
        ReadTocPmaAtip {
            msf: true,
            format: TocFormat::Atip,
            track_session_number: 0,
            allocation_length: 28,
        },
    );
    let multisession = [0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0];
    both_ways(
        &multisession,
        ReadTocPmaAtip {
            msf: false,
            format: TocFormat::SessionInfo,
            track_session_number: 0,
            allocation_length: 12,
        },
    );
    // Formats beyond 5 are kept as a number.
    let odd = [0x43, 0x00, 0x0E, 0, 0, 0, 0, 0, 4, 0];
    both_ways(
        &odd,
        ReadTocPmaAtip {
            format: TocFormat::Unknown(0x0E),
            allocation_length: 4,
            ..ReadTocPmaAtip::default()
        },
    );
}

#[test]
fn read_toc_old_cdrecord_format_in_control_byte() {
    let old = [
        0x43, // READ TOC/PMA/ATIP
        0x02, // MSF
        0x00, // format 0 in byte 2 ...
        0, 0, 0, 0x01, 0x03, 0x24, //
        0x80, // ... and 10b in Control bits 7-6: full TOC
    ];
    let repr = ReadTocPmaAtip::decode(&old).unwrap();
    assert_eq!(repr.format, TocFormat::FullToc);
    // Encoding moves the format into byte 2 and clears Control.
    assert_eq!(
        repr.encode().as_slice(),
        [0x43, 0x02, 0x02, 0, 0, 0, 0x01, 0x03, 0x24, 0x00]
    );
    // A format in byte 2 wins; the vendor bits are then ignored.
    let both = [0x43, 0x00, 0x01, 0, 0, 0, 0, 0, 12, 0x80];
    assert_eq!(
        ReadTocPmaAtip::decode(&both).unwrap().format,
        TocFormat::SessionInfo
    );
}

#[test]
fn read_disc_structure_bd_and_dvd() {
    let bytes = [
        0xAD, // READ DISC STRUCTURE
        0x01, // media type: BD
        0x00, 0x00, 0x00, 0x00, // address
        0x00, // layer
        0x00, // format 00h: disc information
        0x10, 0x04, // allocation length 4100
        0x40, // AGID 1
        0x00,
    ];
    let repr = ReadDiscStructure {
        media_type: DiscStructureMedia::Bd,
        address: 0,
        layer_number: 0,
        format_code: 0,
        allocation_length: 4100,
        agid: 1,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(4100));
    let write_protection = [0xAD, 0x00, 0, 0, 0, 0, 0x01, 0xC0, 0x00, 0x08, 0x00, 0x00];
    both_ways(
        &write_protection,
        ReadDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            layer_number: 1,
            format_code: 0xC0,
            allocation_length: 8,
            ..ReadDiscStructure::default()
        },
    );
}

#[test]
fn send_disc_structure_layer_boundary() {
    // What growisofs sends before splitting the layers of a DVD+R DL.
    let bytes = [
        0xBF, // SEND DISC STRUCTURE
        0x00, // media type: DVD
        0x00, 0x00, 0x00, 0x00, 0x00, // reserved
        0x20, // format 20h: layer boundary information
        0x00, 0x0C, // parameter list length 12
        0x00, // AGID 0
        0x00,
    ];
    let repr = SendDiscStructure::layer_boundary();
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(12));
    assert!(Opcode::SendDiscStructure.is_decoded());
    // Bytes 2-6 are reserved.
    let mut reserved = bytes;
    reserved[4] = 0x01;
    assert!(SendDiscStructure::decode(&reserved).is_err());
}

#[test]
fn read_capacity() {
    let bytes = [
        0x25, // READ CAPACITY
        0x00, //
        0, 0, 0, 0, // LBA (obsolete)
        0, 0,    //
        0x00, // PMI (obsolete)
        0x00,
    ];
    both_ways(&bytes, ReadCapacity::default());
    assert_eq!(ReadCapacity::default().expected_transfer(), Transfer::In(8));
}

// ---- track -------------------------------------------------------------------------------

#[test]
fn reserve_track_by_size_and_by_lba() {
    let size = [
        0x53, // RESERVE TRACK
        0x00, // ARSV = 0
        0, 0, 0, // reserved
        0x00, 0x23, 0x05, 0x40, // 2,295,104 blocks
        0x00,
    ];
    both_ways(
        &size,
        ReserveTrack {
            rmz: false,
            reservation: Reservation::Size(2_295_104),
        },
    );
    let lba = [
        0x53, // RESERVE TRACK
        0x01, // ARSV = 1
        0x00, 0x00, 0x80, 0x00, // reservation LBA 32768
        0, 0, 0, // reserved
        0x00,
    ];
    both_ways(
        &lba,
        ReserveTrack {
            rmz: false,
            reservation: Reservation::Lba(32768),
        },
    );
    // The bytes that are reserved depend on ARSV.
    assert_eq!(
        ReserveTrack::decode(&[0x53, 0x00, 0, 0x01, 0, 0, 0, 0, 1, 0]),
        Err(CdbError::ReservedBit {
            opcode: Opcode::ReserveTrack,
            byte: 3,
            bit: 0
        })
    );
    assert_eq!(
        ReserveTrack::decode(&[0x53, 0x01, 0, 0, 0, 1, 0, 0x20, 0, 0]),
        Err(CdbError::ReservedBit {
            opcode: Opcode::ReserveTrack,
            byte: 7,
            bit: 5
        })
    );
}

#[test]
fn close_session_libburn() {
    let bytes = [
        0x5B, // CLOSE TRACK/SESSION
        0x01, // Immed
        0x02, // close function 010b: session
        0x00, //
        0x00, 0x00, // track number
        0, 0, 0, //
        0x00,
    ];
    let repr = CloseTrackSession {
        immed: true,
        function: CloseFunction::CloseSession,
        track_number: 0,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::None);
    for (code, function) in [
        (0, CloseFunction::QuickStopBackgroundFormat),
        (1, CloseFunction::CloseTrack),
        (5, CloseFunction::FinalizeMinimalRadius),
        (6, CloseFunction::FinalizeDisc),
        (7, CloseFunction::Unknown(7)),
    ] {
        let cdb = [0x5B, 0x00, code, 0, 0x00, 0xFF, 0, 0, 0, 0];
        both_ways(
            &cdb,
            CloseTrackSession {
                immed: false,
                function,
                track_number: 0xFF,
            },
        );
    }
}

#[test]
fn send_opc_information_do_opc() {
    let bytes = [
        0x54, // SEND OPC INFORMATION
        0x01, // DoOpc
        0x00, // Exclude0/1
        0, 0, 0, 0, //
        0x00, 0x00, // parameter list length
        0x00,
    ];
    let repr = SendOpcInformation {
        do_opc: true,
        ..SendOpcInformation::default()
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::None);
    both_ways(
        &[0x54, 0x00, 0x03, 0, 0, 0, 0, 0x00, 0x08, 0x00],
        SendOpcInformation {
            do_opc: false,
            exclude0: true,
            exclude1: true,
            parameter_list_length: 8,
        },
    );
}

#[test]
fn send_cue_sheet() {
    let bytes = [
        0x5D, // SEND CUE SHEET
        0, 0, 0, 0, 0, //
        0x00, 0x00, 0x20, // cue sheet size 32 (4 entries)
        0x00,
    ];
    let repr = SendCueSheet { cue_sheet_size: 32 };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(32));
}

#[test]
fn blank_minimal_immed() {
    let bytes = [
        0xA1, // BLANK
        0x11, // Immed, type 001b minimal
        0, 0, 0, 0, // start address
        0, 0, 0, 0, 0, //
        0x00,
    ];
    let repr = Blank {
        immed: true,
        blanking_type: BlankingType::Minimal,
        start_address: 0,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::None);
    both_ways(
        &[0xA1, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        Blank {
            immed: false,
            blanking_type: BlankingType::Session,
            start_address: 0,
        },
    );
}

// ---- speed -------------------------------------------------------------------------------

#[test]
fn get_performance_write_speeds_and_nominal() {
    let bytes = [
        0xAC, // GET PERFORMANCE
        0x00, // data type
        0, 0, 0, 0, // start LBA
        0, 0, //
        0x00, 0x10, // 16 descriptors
        0x03, // type 03h: write speed
        0x00,
    ];
    let repr = GetPerformance::write_speeds(16);
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(8 + 16 * 16));
    let nominal = [
        0xAC, // GET PERFORMANCE
        0x14, // tolerance 10b, Write
        0, 0, 0, 0, 0, 0, //
        0x00, 0x01, // one descriptor
        0x00, // type 00h
        0x00,
    ];
    let repr = GetPerformance::nominal(true, 1);
    both_ways(&nominal, repr);
    assert!(repr.write());
    assert_eq!(repr.tolerance(), 0b10);
    assert_eq!(repr.except(), 0);
    assert_eq!(repr.expected_transfer(), Transfer::In(24));
}

#[test]
fn set_streaming_and_descriptor() {
    let bytes = [
        0xB6, // SET STREAMING
        0, 0, 0, 0, 0, 0, 0,    //
        0x00, // type: performance descriptor
        0x00, 0x1C, // parameter list length 28
        0x00,
    ];
    both_ways(&bytes, SetStreaming::performance());
    assert_eq!(
        SetStreaming::performance().expected_transfer(),
        Transfer::Out(28)
    );
    // The Microsoft sample's descriptor: 0..0x231260, 1000 ms periods.
    let descriptor = [
        0x00, 0, 0, 0, // WRC 00b, RDD 0, Exact 0, RA 0
        0x00, 0x00, 0x00, 0x00, // start LBA
        0x00, 0x23, 0x12, 0x60, // end LBA 2,298,464
        0x00, 0x00, 0x2B, 0x11, // read size 11025 kB
        0x00, 0x00, 0x03, 0xE8, // read time 1000 ms
        0x00, 0x00, 0x15, 0xA2, // write size 5538 kB (4x DVD)
        0x00, 0x00, 0x03, 0xE8, // write time 1000 ms
    ];
    let repr = PerformanceDescriptor::speeds(0, 0x0023_1260, 11025, 5538);
    assert_eq!(PerformanceDescriptor::parse(&descriptor), Ok(repr));
    assert_eq!(repr.to_bytes(), descriptor);
    assert_eq!(repr.write_kbps(), Some(5538));
    let mut buf = [0u8; 28];
    assert_eq!(repr.emit(&mut buf), Ok(28));
    assert_eq!(buf, descriptor);

    let flags = PerformanceDescriptor {
        rotation_control: RotationControl::Cav,
        restore_defaults: true,
        exact: true,
        random_access: true,
        ..repr
    };
    assert_eq!(flags.to_bytes()[0], 0x17);
    assert_eq!(PerformanceDescriptor::parse(&flags.to_bytes()), Ok(flags));
}

#[test]
fn performance_descriptor_malformed() {
    let good = PerformanceDescriptor::speeds(0, 100, 1, 1).to_bytes();
    assert_eq!(
        PerformanceDescriptor::parse(&good[..27]),
        Err(CdbError::ParameterListLength {
            opcode: Opcode::SetStreaming,
            expected: 28,
            got: 27
        })
    );
    let mut reserved = good;
    reserved[0] = 0x20;
    assert_eq!(
        PerformanceDescriptor::parse(&reserved),
        Err(CdbError::ParameterReservedBit {
            opcode: Opcode::SetStreaming,
            byte: 0,
            bit: 5
        })
    );
    let mut reserved3 = good;
    reserved3[3] = 0x01;
    assert_eq!(
        PerformanceDescriptor::parse(&reserved3),
        Err(CdbError::ParameterReservedBit {
            opcode: Opcode::SetStreaming,
            byte: 3,
            bit: 0
        })
    );
}

#[test]
fn set_cd_speed_max_read_16x_write() {
    let bytes = [
        0xBB, // SET CD SPEED
        0x00, // CLV
        0xFF, 0xFF, // read speed: maximum
        0x0B, 0x05, // write speed 2821 kB/s (16x)
        0, 0, 0, 0, 0, //
        0x00,
    ];
    let repr = SetCdSpeed {
        rotational_control: CdRotationalControl::ClvOrNonPureCav,
        read_speed: 0xFFFF,
        write_speed: 2821,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::None);
}
