//! Building sense data: expected bytes written out by hand from SPC-4 4.5 tables 28 and 36,
//! and the built bytes read back.

use mmc_core::sense::{
    triples, ProgressIndication, Sense, SenseBuilder, SenseFormat, SenseKeySpecific, SenseTriple,
};

#[test]
fn fixed_triple_only_is_18_bytes_with_additional_length_10() {
    let b = SenseBuilder::new(triples::MEDIUM_NOT_PRESENT_TRAY_OPEN).fixed();
    assert_eq!(
        b.as_slice(),
        &[
            0x70, // VALID 0, current
            0x00, // obsolete
            0x02, // NOT READY
            0x00, 0x00, 0x00, 0x00, // INFORMATION
            0x0A, // ADDITIONAL SENSE LENGTH
            0x00, 0x00, 0x00, 0x00, // COMMAND-SPECIFIC INFORMATION
            0x3A, 0x02, // medium not present - tray open
            0x00, // FRU
            0x00, 0x00, 0x00, // sense-key-specific
        ]
    );
}

#[test]
fn fixed_with_every_field() {
    let b = SenseBuilder::new(SenseTriple::new(0x3, 0x0C, 0x00))
        .deferred()
        .information(0x0001_2345)
        .command_specific(0xCAFE)
        .sense_key_specific(SenseKeySpecific::RetryCount(3))
        .fru(0x21)
        .ili()
        .fixed();
    assert_eq!(
        b.as_slice(),
        &[
            0xF1, // VALID, deferred
            0x00, //
            0x23, // ILI, MEDIUM ERROR
            0x00, 0x01, 0x23, 0x45, // INFORMATION
            0x0A, //
            0x00, 0x00, 0xCA, 0xFE, // COMMAND-SPECIFIC INFORMATION
            0x0C, 0x00, // write error
            0x21, // FRU
            0x80, 0x00, 0x03, // SKSV, retry count 3
        ]
    );
}

#[test]
fn fixed_progress_goes_to_the_sense_key_specific_bytes() {
    let b = SenseBuilder::new(triples::FORMAT_IN_PROGRESS)
        .progress(0x1999)
        .fixed();
    assert_eq!(&b[15..18], &[0x80, 0x19, 0x99]);
    assert_eq!(&b[12..14], &[0x04, 0x04]);
}

#[test]
fn fixed_field_pointer() {
    let b = SenseBuilder::new(triples::INVALID_FIELD_IN_CDB)
        .sense_key_specific(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(3),
            byte: 2,
        })
        .fixed();
    assert_eq!(&b[15..18], &[0xCB, 0x00, 0x02]);
}

#[test]
fn fixed_information_wider_than_32_bits_is_sent_not_valid() {
    let b = SenseBuilder::new(triples::LBA_OUT_OF_RANGE)
        .information(0x1_0000_0000)
        .fixed();
    assert_eq!(b[0], 0x70);
    assert_eq!(&b[3..7], &[0, 0, 0, 0]);
    assert_eq!(Sense::parse(&b).unwrap().information, None);
}

#[test]
fn fixed_leaves_out_the_progress_indication_descriptor() {
    let with = SenseBuilder::new(triples::MEDIUM_MAY_HAVE_CHANGED).progress_indication(
        ProgressIndication {
            operation: triples::FORMAT_IN_PROGRESS,
            progress: 5,
        },
    );
    assert_eq!(
        with.fixed(),
        SenseBuilder::new(triples::MEDIUM_MAY_HAVE_CHANGED).fixed()
    );
}

#[test]
fn descriptor_triple_only_is_the_8_byte_header() {
    let b = SenseBuilder::new(triples::WRITE_PROTECTED).descriptor();
    assert_eq!(
        b.as_slice(),
        &[
            0x72, // current, descriptor format
            0x07, // DATA PROTECT
            0x27, 0x00, // write protected
            0x00, 0x00, 0x00, // reserved
            0x00, // ADDITIONAL SENSE LENGTH
        ]
    );
}

#[test]
fn descriptor_with_every_descriptor() {
    let b = SenseBuilder::new(triples::MEDIUM_MAY_HAVE_CHANGED)
        .deferred()
        .information(0x0102_0304_0506_0708)
        .command_specific(0x10)
        .sense_key_specific(SenseKeySpecific::Raw([0x01, 0x02, 0x03]))
        .fru(0x33)
        .filemark()
        .eom()
        .progress_indication(ProgressIndication {
            operation: triples::FORMAT_IN_PROGRESS,
            progress: 0xC000,
        })
        .descriptor();
    assert_eq!(
        b.as_slice(),
        &[
            0x73, // deferred, descriptor format
            0x06, // UNIT ATTENTION
            0x28, 0x00, // medium may have changed
            0x00, 0x00, 0x00, //
            0x30, // ADDITIONAL SENSE LENGTH: 48
            // information descriptor, VALID
            0x00, 0x0A, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
            // command-specific information descriptor
            0x01, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
            // sense-key-specific descriptor
            0x02, 0x06, 0x00, 0x00, 0x81, 0x02, 0x03, 0x00, //
            // FRU descriptor
            0x03, 0x02, 0x00, 0x33, //
            // stream commands descriptor: FILEMARK, EOM
            0x04, 0x02, 0x00, 0xC0, //
            // progress indication descriptor: 02/04/04 at 75 %
            0x0A, 0x06, 0x02, 0x04, 0x04, 0x00, 0xC0, 0x00,
        ]
    );
}

#[test]
fn descriptor_ili_alone_uses_the_block_commands_descriptor() {
    let b = SenseBuilder::new(triples::UNRECOVERED_READ_ERROR)
        .ili()
        .descriptor();
    assert_eq!(&b[7..], &[0x04, 0x05, 0x02, 0x00, 0x20]);
}

#[test]
fn zero_fru_means_none_and_is_not_emitted() {
    let b = SenseBuilder::new(triples::WRITE_ERROR).fru(0).descriptor();
    assert_eq!(b.len(), 8);
}

#[test]
fn build_by_format_matches_the_named_methods() {
    let s = SenseBuilder::new(triples::BECOMING_READY);
    assert_eq!(s.build(SenseFormat::Fixed), s.fixed());
    assert_eq!(s.build(SenseFormat::Descriptor), s.descriptor());
    assert_eq!(s.buffer_len(SenseFormat::Fixed), 18);
}

#[test]
fn emit_into_a_small_buffer_fails_without_panicking() {
    let s = SenseBuilder::new(triples::BECOMING_READY).information(1);
    let mut small = [0u8; 10];
    let err = s.emit(SenseFormat::Fixed, &mut small).unwrap_err();
    assert_eq!((err.need, err.got), (18, 10));
    let mut exact = [0u8; 20];
    assert_eq!(s.emit(SenseFormat::Descriptor, &mut exact), Ok(20));
}

#[test]
fn built_sense_reads_back_in_both_formats() {
    let b = SenseBuilder::new(triples::LONG_WRITE_IN_PROGRESS)
        .information(77)
        .command_specific(5)
        .progress(0x2000)
        .fru(4);
    for format in [SenseFormat::Fixed, SenseFormat::Descriptor] {
        let bytes = b.build(format);
        let s = Sense::parse(&bytes).unwrap();
        assert_eq!(s.format, format);
        assert_eq!(s.triple(), Some(triples::LONG_WRITE_IN_PROGRESS));
        assert_eq!(s.information, Some(77));
        assert_eq!(s.command_specific, Some(5));
        assert_eq!(s.progress(), Some(0.125));
        assert_eq!(s.fru, Some(4));
        assert!(!s.truncated);
    }
}
