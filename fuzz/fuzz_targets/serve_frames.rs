//! `virtdrive serve`'s socket protocol: any byte stream read as frames, and each body decoded
//! as a request (the server's side) and as a reply (the shim's side, which the Rust client
//! mirrors). Nothing panics, and what decodes encodes back to the same body, but for the
//! reserved bytes (which decoding ignores and encoding zeroes) and an ERROR message that is
//! not UTF-8 (decoded lossily).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use virtdrive::serve::protocol::{read_frame, write_frame, Reply, Request};

/// The body bytes a message's decoding ignores: the reserved bytes of each kind.
fn reserved(kind: u8) -> &'static [usize] {
    match kind {
        // OPEN, EXECUTE
        0x01 | 0x03 => &[3],
        // ATTACH, CLOSE, OPENED, ATTACHED, CLOSED, ERROR
        0x02 | 0x04 | 0x81 | 0x82 | 0x84 | 0xFF => &[1, 2, 3],
        _ => &[],
    }
}

fn same_but_reserved(body: &[u8], again: &[u8]) {
    let kind = body[0];
    assert_eq!(
        body.len(),
        again.len(),
        "{body:02X?} re-encoded as {again:02X?}"
    );
    for (i, (a, b)) in body.iter().zip(again).enumerate() {
        assert!(
            a == b || reserved(kind).contains(&i),
            "byte {i}: {body:02X?} re-encoded as {again:02X?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut stream = Cursor::new(data);
    while let Ok(Some(body)) = read_frame(&mut stream) {
        // A frame read writes back as the same bytes.
        let mut framed = Vec::new();
        write_frame(&mut framed, &body).expect("a frame read is one that can be written");
        assert_eq!(framed.get(4..), Some(body.as_slice()));
        if let Ok(request) = Request::parse(&body) {
            let again = request.to_bytes();
            same_but_reserved(&body, &again);
            assert_eq!(Request::parse(&again).ok(), Some(request));
        }
        if let Ok(reply) = Reply::parse(&body) {
            let again = reply.to_bytes();
            let lossy = matches!(reply, Reply::Error(_))
                && (body.len() < 4 || std::str::from_utf8(&body[4..]).is_err());
            if !lossy {
                same_but_reserved(&body, &again);
            }
            assert_eq!(Reply::parse(&again).ok(), Some(reply));
        }
    }
    // Bodies without their frame, as a test would hand them over.
    let _ = Request::parse(data);
    let _ = Reply::parse(data);
});
