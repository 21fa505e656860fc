use super::*;

#[test]
fn open_request_bytes() {
    let body = [
        0x01, // OPEN
        0x00, // node: /dev/srN
        0x07, // write | O_EXCL | O_NONBLOCK
        0x00, // reserved
        0x39, 0x30, 0, 0, // pid 12345
    ];
    let req = Request::Open {
        node: Node::Block,
        mode: OpenMode {
            write: true,
            exclusive: true,
            nonblocking: true,
        },
        pid: 12345,
    };
    assert_eq!(Request::parse(&body).unwrap(), req);
    assert_eq!(req.to_bytes(), body);
}

#[test]
fn execute_request_bytes() {
    let body = [
        0x03, // EXECUTE
        0x02, // data-out
        0x0A, // CDB length
        0x00, // reserved
        0x10, 0x27, 0, 0, // timeout 10000 ms
        0x04, 0, 0, 0, // dxfer_len 4
        0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0, // WRITE (10) LBA 16, 1 block
        0xDE, 0xAD, 0xBE, 0xEF, // data-out
    ];
    let req = Request::Execute(ExecuteRequest {
        direction: Direction::Out,
        cdb: vec![0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0],
        timeout_ms: 10_000,
        dxfer_len: 4,
        data_out: vec![0xDE, 0xAD, 0xBE, 0xEF],
    });
    assert_eq!(Request::parse(&body).unwrap(), req);
    assert_eq!(req.to_bytes(), body);
}

#[test]
fn malformed_requests_are_errors() {
    // Empty, unknown kind, short OPEN, bad node, bad mode bits.
    for body in [
        &[][..],
        &[0x42],
        &[0x01, 0, 0],
        &[0x01, 9, 0, 0, 0, 0, 0, 0],
        &[0x01, 0, 0x80, 0, 0, 0, 0, 0],
    ] {
        assert!(Request::parse(body).is_err(), "{body:02X?}");
    }
    let execute = |direction: u8, cdb_len: u8, dxfer: u32, extra: usize| {
        let mut b = vec![0x03, direction, cdb_len, 0, 0, 0, 0, 0];
        b.extend_from_slice(&dxfer.to_le_bytes());
        b.extend(std::iter::repeat_n(0u8, usize::from(cdb_len) + extra));
        b
    };
    // Good: a 6-byte CDB, data-in of 36 bytes, nothing after the CDB.
    assert!(Request::parse(&execute(1, 6, 36, 0)).is_ok());
    // A CDB of 0 or 17 bytes, an unknown direction, data-out shorter than announced,
    // data after a data-in request, a data phase over the limit.
    for body in [
        execute(1, 0, 36, 0),
        execute(1, 17, 36, 0),
        execute(3, 6, 0, 0),
        execute(2, 10, 2048, 100),
        execute(1, 6, 36, 1),
        execute(1, 6, MAX_DATA as u32 + 1, 0),
    ] {
        assert!(Request::parse(&body).is_err(), "{body:02X?}");
    }
    // Cut at every length: never a panic, always an error.
    let full = execute(2, 10, 8, 8);
    for n in 0..full.len() {
        assert!(Request::parse(&full[..n]).is_err());
    }
}

#[test]
fn completed_reply_bytes() {
    let reply = Reply::Completed(SgReply {
        errno: 0,
        status: 0x02,
        masked_status: 0x01,
        host_status: 0,
        driver_status: 0x08,
        info: 1,
        resid: 2048,
        duration_ms: 3,
        sense: vec![0x70, 0, 0x07],
        data_in: vec![],
    });
    let bytes = [
        0x83, // COMPLETED
        0x02, 0x01, // status CHECK CONDITION, masked 01
        0x03, // sense length
        0, 0, 0, 0, // errno
        0, 0, // host_status
        0x08, 0, // driver_status DRIVER_SENSE
        1, 0, 0, 0, // info: SG_INFO_CHECK
        0x00, 0x08, 0, 0, // resid 2048
        3, 0, 0, 0, // duration
        0, 0, 0, 0, // data-in length
        0x70, 0, 0x07, // sense
    ];
    assert_eq!(reply.to_bytes(), bytes);
    assert_eq!(Reply::parse(&bytes).unwrap(), reply);
}

#[test]
fn frames_round_trip_and_refuse_bad_lengths() {
    let mut buf = Vec::new();
    write_frame(&mut buf, &[0x04, 0, 0, 0]).unwrap();
    assert_eq!(buf, [4, 0, 0, 0, 0x04, 0, 0, 0]);
    let mut r = &buf[..];
    assert_eq!(read_frame(&mut r).unwrap(), Some(vec![0x04, 0, 0, 0]));
    assert_eq!(read_frame(&mut r).unwrap(), None);
    // A zero length, a length over the limit, a frame cut short.
    assert!(read_frame(&mut &[0u8, 0, 0, 0][..]).is_err());
    assert!(read_frame(&mut &[0xFFu8, 0xFF, 0xFF, 0xFF][..]).is_err());
    assert!(matches!(
        read_frame(&mut &[8u8, 0, 0, 0, 1, 2][..]),
        Err(ProtocolError::Truncated)
    ));
    assert!(matches!(
        read_frame(&mut &[8u8, 0][..]),
        Err(ProtocolError::Truncated)
    ));
}
