//! `virtdrive serve` over its socket, spoken to directly (no shim, no Debian program): the
//! exclusive-open rule, malformed requests and clients that vanish mid-request end only their
//! own connection, and the disc is committed when the server stops.
#![cfg(unix)]

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use virtdrive::medium::MediumKind;
use virtdrive::serve::protocol::{
    read_frame, write_frame, Direction, ExecuteRequest, Node, OpenMode, Reply, Request,
};
use virtdrive::serve::{ServedDrive, Server};
use virtdrive::{DiscFileDrive, DriveConfig};

const EXCL: OpenMode = OpenMode {
    write: true,
    exclusive: true,
    nonblocking: true,
};

fn ask(s: &mut UnixStream, r: &Request) -> Reply {
    write_frame(s, &r.to_bytes()).unwrap();
    Reply::parse(&read_frame(s).unwrap().expect("a reply")).unwrap()
}

fn open(path: &Path, node: Node, mode: OpenMode) -> (UnixStream, Reply) {
    let mut s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let r = ask(&mut s, &Request::Open { node, mode, pid: 1 });
    (s, r)
}

fn inquiry() -> Request {
    Request::Execute(ExecuteRequest {
        direction: Direction::In,
        cdb: vec![0x12, 0, 0, 0, 36, 0], // INQUIRY, 36 bytes
        timeout_ms: 5000,
        dxfer_len: 36,
        data_out: vec![],
    })
}

/// A server on a fresh socket with a blank BD-RE kept in `disc`, running on a thread.
fn start(
    dir: &Path,
    disc: &Path,
) -> (
    std::path::PathBuf,
    virtdrive::serve::StopHandle,
    std::thread::JoinHandle<()>,
) {
    let socket = dir.join("s.sock");
    let drive = DiscFileDrive::open(MediumKind::BdRe, disc, DriveConfig::default()).unwrap();
    let server = Server::bind(&socket, ServedDrive::new(drive)).unwrap();
    let stop = server.stop_handle();
    let t = std::thread::spawn(move || server.serve().unwrap());
    (socket, stop, t)
}

#[test]
fn an_exclusive_open_is_refused_busy_while_another_holds_the_drive() {
    let dir = tempfile::tempdir().unwrap();
    let (socket, stop, t) = start(dir.path(), &dir.path().join("d.disc"));
    let (mut first, r) = open(&socket, Node::Block, EXCL);
    assert!(matches!(r, Reply::Opened { errno: 0, .. }), "{r:?}");
    let (_, r) = open(&socket, Node::Block, EXCL);
    assert!(
        matches!(r, Reply::Opened { errno: 16, .. }),
        "EBUSY expected: {r:?}"
    );
    // After CLOSE (what the shim sends on close()), the drive is free at once.
    assert_eq!(ask(&mut first, &Request::Close), Reply::Closed);
    let (_, r) = open(&socket, Node::Block, EXCL);
    assert!(matches!(r, Reply::Opened { errno: 0, .. }), "{r:?}");
    stop.stop();
    t.join().unwrap();
}

#[test]
fn malformed_and_abandoned_requests_end_only_their_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (socket, stop, t) = start(dir.path(), &dir.path().join("d.disc"));
    let (mut good, _) = open(
        &socket,
        Node::Char,
        OpenMode {
            exclusive: false,
            ..EXCL
        },
    );

    // An unknown message kind: an ERROR reply, then the connection is closed.
    let mut bad = UnixStream::connect(&socket).unwrap();
    write_frame(&mut bad, &[0x42, 0, 0, 0]).unwrap();
    let reply = Reply::parse(&read_frame(&mut bad).unwrap().unwrap()).unwrap();
    assert!(
        matches!(&reply, Reply::Error(m) if m.contains("unknown message kind")),
        "{reply:?}"
    );
    assert!(read_frame(&mut bad).unwrap().is_none());

    // A frame longer than the limit.
    let mut huge = UnixStream::connect(&socket).unwrap();
    huge.write_all(&u32::MAX.to_le_bytes()).unwrap();
    let reply = Reply::parse(&read_frame(&mut huge).unwrap().unwrap()).unwrap();
    assert!(matches!(reply, Reply::Error(_)), "{reply:?}");

    // A command before OPEN.
    let mut early = UnixStream::connect(&socket).unwrap();
    assert!(matches!(ask(&mut early, &inquiry()), Reply::Error(_)));

    // A client that sends half a WRITE (10) and goes away.
    let (mut gone, _) = open(&socket, Node::Block, EXCL);
    let mut body = Request::Execute(ExecuteRequest {
        direction: Direction::Out,
        cdb: vec![0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        timeout_ms: 5000,
        dxfer_len: 2048,
        data_out: vec![0xAB; 2048],
    })
    .to_bytes();
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.append(&mut body);
    gone.write_all(&frame[..frame.len() / 2]).unwrap();
    drop(gone);

    // The well-behaved client is served throughout, and the abandoned exclusive open was
    // released.
    match ask(&mut good, &inquiry()) {
        Reply::Completed(c) => {
            assert_eq!((c.errno, c.status), (0, 0));
            assert_eq!(&c.data_in[8..15], b"VIRTDRV");
        }
        other => panic!("{other:?}"),
    }
    let mut freed = false;
    for _ in 0..200 {
        let (_, r) = open(&socket, Node::Block, EXCL);
        if matches!(r, Reply::Opened { errno: 0, .. }) {
            freed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(freed, "the abandoned O_EXCL open was never released");
    stop.stop();
    t.join().unwrap();
}

#[test]
fn check_condition_carries_driver_sense_and_the_disc_is_saved_on_stop() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("d.disc");
    let (socket, stop, t) = start(dir.path(), &disc);
    let (mut c, _) = open(&socket, Node::Block, EXCL);
    // READ (10) of LBA 0 on a blank, unformatted BD-RE: CHECK CONDITION.
    let read = Request::Execute(ExecuteRequest {
        direction: Direction::In,
        cdb: vec![0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        timeout_ms: 5000,
        dxfer_len: 2048,
        data_out: vec![],
    });
    match ask(&mut c, &read) {
        Reply::Completed(r) => {
            assert_eq!(
                (r.status, r.masked_status, r.driver_status, r.info & 1),
                (2, 1, 8, 1)
            );
            assert!(
                r.sense.len() >= 14 && r.sense[0] & 0x7F == 0x70,
                "{:02X?}",
                r.sense
            );
            assert_eq!(r.resid, 2048);
            assert!(r.data_in.is_empty());
        }
        other => panic!("{other:?}"),
    }
    stop.stop();
    t.join().unwrap();
    // The socket is gone, and the disc file reopens.
    assert!(!socket.exists());
    DiscFileDrive::open(MediumKind::BdRe, &disc, DriveConfig::default()).unwrap();
}
