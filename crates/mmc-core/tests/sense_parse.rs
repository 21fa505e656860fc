//! Parsing sense data: static vectors laid out as in SPC-4 4.5 tables 28 and 36, truncated and
//! malformed buffers.

use mmc_core::sense::{
    triples, ProgressIndication, Sense, SenseDescriptor, SenseFormat, SenseKey, SenseKeySpecific,
    SenseTriple,
};
use mmc_core::ParseError;

/// A WRITE failing with 03/0C/09 at LBA 0x1234, fixed format, 18 bytes.
const FIXED_LOSS_OF_STREAMING: [u8; 18] = [
    0xF0, // VALID, response code 70h (current)
    0x00, // obsolete
    0x03, // no FILEMARK/EOM/ILI, sense key 3 MEDIUM ERROR
    0x00, 0x00, 0x12, 0x34, // INFORMATION: LBA 1234h
    0x0A, // ADDITIONAL SENSE LENGTH: 10
    0x00, 0x00, 0x00, 0x00, // COMMAND-SPECIFIC INFORMATION
    0x0C, // ASC: write error
    0x09, // ASCQ: loss of streaming
    0x00, // FRU
    0x00, 0x00, 0x00, // sense-key-specific (SKSV 0)
];

#[test]
fn fixed_write_error_gives_triple_and_failing_lba() {
    let s = Sense::parse(&FIXED_LOSS_OF_STREAMING).unwrap();
    assert_eq!(s.format, SenseFormat::Fixed);
    assert!(!s.deferred);
    assert_eq!(s.response_code, 0x70);
    assert_eq!(s.triple(), Some(triples::LOSS_OF_STREAMING));
    assert_eq!(s.information, Some(0x1234));
    assert_eq!(s.command_specific, None);
    assert_eq!(s.sense_key_specific, None);
    assert_eq!(s.fru, None);
    assert!(!s.filemark && !s.eom && !s.ili);
    assert_eq!(s.additional_length, Some(10));
    assert!(!s.truncated);
    assert_eq!(s.missing(), Some(0));
    assert_eq!(s.descriptors().count(), 0);
    assert_eq!(
        s.description().unwrap().to_string(),
        "Write error - loss of streaming"
    );
}

#[test]
fn fixed_information_without_valid_bit_is_not_reported() {
    let mut b = FIXED_LOSS_OF_STREAMING;
    b[0] = 0x70; // VALID cleared
    assert_eq!(Sense::parse(&b).unwrap().information, None);
}

#[test]
fn fixed_deferred_error_with_flags_fru_and_command_specific() {
    let b = [
        0x71, // VALID 0, 71h deferred
        0x00, // obsolete
        0xE4, // FILEMARK, EOM, ILI, key 4 HARDWARE ERROR
        0x00, 0x00, 0x00, 0x00, // INFORMATION (not valid)
        0x0A, // ADDITIONAL SENSE LENGTH
        0xDE, 0xAD, 0xBE, 0xEF, // COMMAND-SPECIFIC INFORMATION
        0x09, // ASC: track following error family
        0x01, // ASCQ: tracking servo failure
        0x42, // FRU code
        0x80, 0x00, 0x07, // SKSV, actual retry count 7
    ];
    let s = Sense::parse(&b).unwrap();
    assert!(s.deferred);
    assert_eq!(s.key, SenseKey::HardwareError);
    assert_eq!(s.triple(), Some(SenseTriple::new(4, 0x09, 0x01)));
    assert!(s.filemark && s.eom && s.ili);
    assert_eq!(s.command_specific, Some(0xDEAD_BEEF));
    assert_eq!(s.fru, Some(0x42));
    assert_eq!(s.sense_key_specific, Some(SenseKeySpecific::RetryCount(7)));
}

#[test]
fn fixed_not_ready_format_in_progress_reports_progress() {
    let b = [
        0x70, 0x00, 0x02, // current, NOT READY
        0x00, 0x00, 0x00, 0x00, // INFORMATION
        0x0A, // ADDITIONAL SENSE LENGTH
        0x00, 0x00, 0x00, 0x00, // COMMAND-SPECIFIC
        0x04, 0x04, // logical unit not ready, format in progress
        0x00, // FRU
        0x80, 0x40, 0x00, // SKSV, progress 4000h = 25 %
    ];
    let s = Sense::parse(&b).unwrap();
    assert_eq!(
        s.sense_key_specific,
        Some(SenseKeySpecific::Progress(0x4000))
    );
    assert_eq!(s.progress(), Some(0.25));
}

#[test]
fn fixed_illegal_request_field_pointer() {
    let b = [
        0x70, 0x00, 0x05, // ILLEGAL REQUEST
        0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, //
        0x24, 0x00, // invalid field in CDB
        0x00, //
        0xCD, 0x00, 0x01, // SKSV, C/D = CDB, BPV, bit 5; byte 1
    ];
    let s = Sense::parse(&b).unwrap();
    assert_eq!(
        s.sense_key_specific,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(5),
            byte: 1
        })
    );
}

#[test]
fn fixed_14_bytes_still_give_key_asc_ascq_and_say_truncated() {
    let s = Sense::parse(&FIXED_LOSS_OF_STREAMING[..14]).unwrap();
    assert_eq!(s.triple(), Some(triples::LOSS_OF_STREAMING));
    assert!(s.truncated);
    assert_eq!(s.missing(), Some(4));
    assert_eq!(s.fru, None);
    assert_eq!(s.sense_key_specific, None);
    assert_eq!(s.information, Some(0x1234));
}

#[test]
fn fixed_3_bytes_give_the_key_only() {
    let s = Sense::parse(&[0x70, 0x00, 0x02]).unwrap();
    assert_eq!(s.key, SenseKey::NotReady);
    assert_eq!((s.asc, s.ascq), (None, None));
    assert_eq!(s.triple(), None);
    assert!(s.truncated);
    assert_eq!(s.additional_length, None);
    assert_eq!(s.missing(), None);
}

#[test]
fn fixed_13_bytes_give_asc_without_ascq() {
    let s = Sense::parse(&FIXED_LOSS_OF_STREAMING[..13]).unwrap();
    assert_eq!((s.asc, s.ascq), (Some(0x0C), None));
    assert_eq!(s.triple(), None);
}

#[test]
fn additional_length_is_never_trusted_beyond_the_bytes_present() {
    let mut b = FIXED_LOSS_OF_STREAMING;
    b[7] = 0xF4; // claims 244 more bytes
    let s = Sense::parse(&b).unwrap();
    assert!(s.truncated);
    assert_eq!(s.missing(), Some(8 + 0xF4 - 18));
    assert_eq!(s.triple(), Some(triples::LOSS_OF_STREAMING));
    assert!(s.additional_bytes().is_empty());
}

#[test]
fn short_additional_length_limits_the_valid_fields() {
    // A device that sends 18 bytes but says only 6 follow byte 7: ASC and ASCQ are valid,
    // FRU and sense-key-specific are not (Linux scsi_normalize_sense reads it the same way).
    let mut b = FIXED_LOSS_OF_STREAMING;
    b[7] = 6;
    b[14] = 0x11; // FRU beyond the stated length
    b[15] = 0x80;
    let s = Sense::parse(&b).unwrap();
    assert_eq!(s.triple(), Some(triples::LOSS_OF_STREAMING));
    assert_eq!(s.fru, None);
    assert_eq!(s.sense_key_specific, None);
    assert!(!s.truncated);
}

#[test]
fn fixed_additional_sense_bytes_are_kept() {
    let mut b = [0u8; 22];
    b[..18].copy_from_slice(&FIXED_LOSS_OF_STREAMING);
    b[7] = 14; // 4 additional sense bytes after byte 17
    b[18..].copy_from_slice(&[0xA1, 0xA2, 0xA3, 0xA4]);
    let s = Sense::parse(&b).unwrap();
    assert_eq!(s.additional_bytes(), &[0xA1, 0xA2, 0xA3, 0xA4]);
}

#[test]
fn bytes_past_the_additional_length_are_ignored() {
    let mut b = [0xEEu8; 30];
    b[..18].copy_from_slice(&FIXED_LOSS_OF_STREAMING);
    let s = Sense::parse(&b).unwrap();
    assert!(s.additional_bytes().is_empty());
    assert!(!s.truncated);
}

#[test]
fn empty_buffer_is_an_error_naming_the_response_code() {
    assert_eq!(
        Sense::parse(&[]),
        Err(ParseError::Truncated {
            what: "sense data",
            field: "response code",
            need: 1,
            got: 0
        })
    );
}

#[test]
fn unknown_response_codes_are_errors_naming_the_code() {
    for code in [0x00u8, 0x6F, 0x74, 0x7E, 0x7F, 0x01] {
        let err = Sense::parse(&[code, 0, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(
            err,
            ParseError::InvalidValue {
                what: "sense data",
                field: "response code",
                value: u32::from(code)
            }
        );
        assert!(err.to_string().contains("response code"));
    }
}

#[test]
fn buffers_too_short_for_the_key_are_errors() {
    assert!(matches!(
        Sense::parse(&[0x70, 0x00]),
        Err(ParseError::Truncated {
            field: "sense key",
            need: 3,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        Sense::parse(&[0x72]),
        Err(ParseError::Truncated {
            field: "sense key",
            need: 2,
            got: 1,
            ..
        })
    ));
}

/// Descriptor format with every descriptor type the parser knows, and one it does not.
const DESCRIPTOR_ALL: [u8; 60] = [
    0x72, // response code 72h (current)
    0x02, // sense key NOT READY
    0x04, // ASC
    0x04, // ASCQ: format in progress
    0x00, 0x00, 0x00, // reserved
    0x34, // ADDITIONAL SENSE LENGTH: 52
    // 00h information descriptor
    0x00, 0x0A, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20,
    // 01h command-specific information descriptor
    0x01, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
    // 02h sense-key-specific descriptor: SKSV, progress 8000h
    0x02, 0x06, 0x00, 0x00, 0x80, 0x80, 0x00, 0x00, //
    // 03h FRU descriptor
    0x03, 0x02, 0x00, 0x09, //
    // 04h stream commands descriptor: FILEMARK, ILI
    0x04, 0x02, 0x00, 0xA0, //
    // 0Ah progress indication: 02/04/07 operation in progress, 1/4 done
    0x0A, 0x06, 0x02, 0x04, 0x07, 0x00, 0x40, 0x00, //
    // 80h vendor descriptor, 2 bytes
    0x80, 0x02, 0xAB, 0xCD,
];

#[test]
fn descriptor_format_reads_every_known_descriptor() {
    let s = Sense::parse(&DESCRIPTOR_ALL).unwrap();
    assert_eq!(s.format, SenseFormat::Descriptor);
    assert_eq!(s.triple(), Some(triples::FORMAT_IN_PROGRESS));
    assert_eq!(s.information, Some(0x1_0000_0020));
    assert_eq!(s.command_specific, Some(7));
    assert_eq!(
        s.sense_key_specific,
        Some(SenseKeySpecific::Progress(0x8000))
    );
    assert_eq!(s.fru, Some(9));
    assert!(s.filemark && !s.eom && s.ili);
    let progress = ProgressIndication {
        operation: triples::OPERATION_IN_PROGRESS,
        progress: 0x4000,
    };
    assert_eq!(s.progress_indication, Some(progress));
    // the sense-key-specific progress is the one of this sense; it wins
    assert_eq!(s.progress(), Some(0.5));
    assert!(!s.truncated);
    assert_eq!(s.descriptor_error, None);

    let d: Vec<_> = s.descriptors().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        d,
        vec![
            SenseDescriptor::Information {
                valid: true,
                information: 0x1_0000_0020
            },
            SenseDescriptor::CommandSpecific { information: 7 },
            SenseDescriptor::SenseKeySpecific {
                sense_key_specific: Some(SenseKeySpecific::Progress(0x8000))
            },
            SenseDescriptor::FieldReplaceableUnit { code: 9 },
            SenseDescriptor::StreamCommands {
                filemark: true,
                eom: false,
                ili: true
            },
            SenseDescriptor::ProgressIndication(progress),
            SenseDescriptor::Other {
                descriptor_type: 0x80,
                bytes: &[0xAB, 0xCD]
            },
        ]
    );
}

#[test]
fn descriptor_format_header_only() {
    let b = [
        0x73, // deferred
        0x07, // DATA PROTECT
        0x27, 0x00, // write protected
        0x00, 0x00, 0x00, //
        0x00, // no descriptors
    ];
    let s = Sense::parse(&b).unwrap();
    assert!(s.deferred);
    assert_eq!(s.triple(), Some(triples::WRITE_PROTECTED));
    assert_eq!(s.information, None);
    assert_eq!(s.descriptors().count(), 0);
    assert!(!s.truncated);
}

#[test]
fn descriptor_block_commands_gives_ili() {
    let b = [
        0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x04, //
        0x05, 0x02, 0x00, 0x20, // block commands descriptor, ILI
    ];
    let s = Sense::parse(&b).unwrap();
    assert!(s.ili && !s.filemark && !s.eom);
}

#[test]
fn descriptor_information_without_valid_is_not_reported() {
    let b = [
        0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x0C, //
        0x00, 0x0A, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x10, 0x00, // VALID 0
    ];
    let s = Sense::parse(&b).unwrap();
    assert_eq!(s.information, None);
    assert_eq!(
        s.descriptors().next(),
        Some(Ok(SenseDescriptor::Information {
            valid: false,
            information: 0x1000
        }))
    );
}

#[test]
fn descriptor_format_cut_mid_descriptor_says_truncated_and_where() {
    let s = Sense::parse(&DESCRIPTOR_ALL[..14]).unwrap();
    assert!(s.truncated);
    assert_eq!(s.missing(), Some(60 - 14));
    assert_eq!(s.triple(), Some(triples::FORMAT_IN_PROGRESS));
    assert_eq!(s.information, None);
    let items: Vec<_> = s.descriptors().collect();
    assert_eq!(
        items,
        vec![Err(ParseError::Truncated {
            what: "sense data descriptor",
            field: "descriptor additional length",
            need: 20,
            got: 14
        })]
    );
    assert_eq!(s.descriptor_error, items[0].err());
}

#[test]
fn descriptor_format_4_bytes_give_triple() {
    let s = Sense::parse(&DESCRIPTOR_ALL[..4]).unwrap();
    assert_eq!(s.triple(), Some(triples::FORMAT_IN_PROGRESS));
    assert!(s.truncated);
    assert_eq!(s.missing(), None);
}

#[test]
fn descriptor_with_length_shorter_than_its_layout_is_an_error_and_the_walk_goes_on() {
    let b = [
        0x72, 0x05, 0x24, 0x00, 0x00, 0x00, 0x00, 0x0C, //
        0x02, 0x02, 0x00, 0x00, // sense-key-specific descriptor with 2 bytes: too short
        0x03, 0x02, 0x00, 0x05, // FRU 5
        0x04, 0x00, // stream commands descriptor with no body: too short
        0x81, 0x00, // vendor descriptor, empty (fine)
    ];
    let s = Sense::parse(&b).unwrap();
    let items: Vec<_> = s.descriptors().collect();
    assert_eq!(items.len(), 4);
    assert!(matches!(
        items[0],
        Err(ParseError::BadLength {
            field: "sense-key-specific descriptor additional length",
            value: 2,
            ..
        })
    ));
    assert_eq!(
        items[1],
        Ok(SenseDescriptor::FieldReplaceableUnit { code: 5 })
    );
    assert!(items[2].is_err());
    assert_eq!(
        items[3],
        Ok(SenseDescriptor::Other {
            descriptor_type: 0x81,
            bytes: &[]
        })
    );
    assert_eq!(s.fru, Some(5));
    assert_eq!(s.sense_key_specific, None);
    assert_eq!(s.descriptor_error, items[0].err());
}

#[test]
fn descriptor_area_cut_by_the_stated_length_is_an_error_not_an_overread() {
    // ADDITIONAL SENSE LENGTH 6 cuts the 12-byte information descriptor; the bytes after it
    // were sent but are not part of the sense.
    let mut b = [0u8; 20];
    b[..8].copy_from_slice(&[0x72, 0x03, 0x11, 0x00, 0x00, 0x00, 0x00, 0x06]);
    b[8..].copy_from_slice(&[0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]);
    let s = Sense::parse(&b).unwrap();
    assert!(!s.truncated);
    assert_eq!(s.information, None);
    assert!(s.descriptor_error.is_some());
}

#[test]
fn descriptors_stop_after_a_truncated_header() {
    let b = [0x72, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80];
    let s = Sense::parse(&b).unwrap();
    let mut it = s.descriptors();
    assert!(matches!(
        it.next(),
        Some(Err(ParseError::Truncated {
            field: "descriptor header",
            ..
        }))
    ));
    assert_eq!(it.next(), None);
}

#[test]
fn display_is_one_line_in_sg_decode_sense_words() {
    let s = Sense::parse(&FIXED_LOSS_OF_STREAMING).unwrap();
    assert_eq!(
        s.to_string(),
        "Fixed format, current; Sense key: Medium Error; 0C/09 Write error - loss of streaming; information 0x1234"
    );
    let s = Sense::parse(&FIXED_LOSS_OF_STREAMING[..14]).unwrap();
    assert!(s.to_string().ends_with("(truncated)"));
}

#[test]
fn json_names_every_field() {
    let s = Sense::parse(&DESCRIPTOR_ALL).unwrap();
    let v = serde_json::to_value(s).unwrap();
    assert_eq!(v["format"], "descriptor");
    assert_eq!(v["sense_key"], 2);
    assert_eq!(v["sense_key_name"], "Not Ready");
    assert_eq!(v["asc"], 4);
    assert_eq!(v["ascq"], 4);
    assert_eq!(
        v["description"],
        "Logical unit not ready, format in progress"
    );
    assert_eq!(v["information"], 0x1_0000_0020u64);
    assert_eq!(v["truncated"], false);
    assert_eq!(v["descriptors"][0]["type"], "information");
    assert_eq!(v["descriptors"][6]["type"], "other");
    assert_eq!(v["descriptors"][6]["bytes"], "AB CD");
    let cut = Sense::parse(&DESCRIPTOR_ALL[..14]).unwrap();
    let v = serde_json::to_value(cut).unwrap();
    assert!(v["descriptors"][0]["error"]
        .as_str()
        .unwrap()
        .contains("descriptor additional length"));
}
