use super::*;

#[test]
fn reader_reports_the_field_that_did_not_fit() {
    let mut r = Reader::new(&[0x12, 0x34, 0x56], "test structure");
    assert_eq!(r.u16("first"), Ok(0x1234));
    assert_eq!(
        r.u16("second"),
        Err(ParseError::Truncated {
            what: "test structure",
            field: "second",
            need: 4,
            got: 3
        })
    );
    // a failed read does not advance
    assert_eq!(r.u8("third"), Ok(0x56));
    assert_eq!(r.remaining(), 0);
}

#[test]
fn reader_reads_big_endian_fields() {
    let b = [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
    ];
    let mut r = Reader::new(&b, "t");
    assert_eq!(r.u24("a"), Ok(0x010203));
    assert_eq!(r.u32("b"), Ok(0x04050607));
    assert_eq!(r.u64("c"), Ok(0x08090A0B0C0D0E0F));
    assert_eq!(r.i32("d"), Err(r.truncated("d", 19)));
}

#[test]
fn writer_flags_overflow_instead_of_panicking() {
    let mut buf = [0u8; 3];
    let mut w = Writer::new(&mut buf, "t");
    w.u16(0xABCD).u16(0x1234);
    assert_eq!(
        w.finish(),
        Err(EmitError {
            what: "t",
            need: 4,
            got: 3
        })
    );
    let mut buf = [0u8; 4];
    let mut w = Writer::new(&mut buf, "t");
    w.u8(1).u24(0x020304);
    assert_eq!(w.finish(), Ok(4));
    assert_eq!(buf, [1, 2, 3, 4]);
}

#[test]
fn inline_bytes_cut_long_sources() {
    let b = CdbBytes::from_slice(&[0xAA; 20]);
    assert_eq!(b.len(), 16);
    assert_eq!(format!("{:?}", CdbBytes::from_slice(&[0x2A, 0])), "[2A 00]");
}

#[test]
fn hex_words_accept_the_usual_spellings() {
    assert_eq!(
        parse_hex_words(["70", "0x00", "0a0b", "f"]),
        Ok(vec![0x70, 0, 0x0A, 0x0B, 0x0F])
    );
    assert_eq!(parse_hex_words(["70,00 02"]), Ok(vec![0x70, 0, 2]));
    assert!(matches!(
        parse_hex_words(["70", "zz"]),
        Err(HexError::NotHex { index: 1, .. })
    ));
    assert!(matches!(
        parse_hex_words(["700"]),
        Err(HexError::OddLength { index: 0, .. })
    ));
}
