//! `virtdrive serve` killed with SIGKILL while a client is writing (issue 5, bad input: "no
//! disc file is left torn"): the disc file reopens, at exactly what the drive had committed at
//! the last SYNCHRONIZE CACHE; the writes after it, over committed data and past it, are gone
//! as a drive's cache is after a power cut.
#![cfg(unix)]

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mmc_core::{DataPhase, Transport};
use virtdrive::medium::MediumKind;
use virtdrive::serve::protocol::{
    read_frame, write_frame, Direction, ExecuteRequest, Node, OpenMode, Reply, Request,
};
use virtdrive::{DiscFileDrive, DriveConfig};

const SECTORS: u32 = 16; // one DVD ECC block

fn serve(socket: &Path, disc: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .args(["serve", "--socket"])
        .arg(socket)
        .arg("--drive")
        .arg(format!("virt:dvd+rw@{}", disc.display()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !socket.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server binds its socket"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Sends one command; returns the SCSI status and the data-in.
fn execute(
    s: &mut UnixStream,
    cdb: &[u8],
    direction: Direction,
    data: Vec<u8>,
    len: u32,
) -> (u8, Vec<u8>) {
    let request = Request::Execute(ExecuteRequest {
        direction,
        cdb: cdb.to_vec(),
        timeout_ms: 60_000,
        dxfer_len: len,
        data_out: data,
    });
    write_frame(s, &request.to_bytes()).unwrap();
    match Reply::parse(&read_frame(s).unwrap().expect("a reply")).unwrap() {
        Reply::Completed(r) => (r.status, r.data_in),
        other => panic!("{other:?}"),
    }
}

fn write10(lba: u32, fill: u8) -> (Vec<u8>, Vec<u8>) {
    let cdb = testkit::write10(lba, SECTORS as u16).to_vec();
    (cdb, testkit::filled(fill, SECTORS as usize))
}

#[test]
fn a_server_killed_mid_write_leaves_the_disc_at_its_last_synchronize() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("s.sock");
    let disc = dir.path().join("d.disc");
    let mut server = serve(&socket, &disc);

    let mut c = UnixStream::connect(&socket).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let open = Request::Open {
        node: Node::Block,
        mode: OpenMode {
            write: true,
            exclusive: true,
            nonblocking: true,
        },
        pid: 1,
    };
    write_frame(&mut c, &open.to_bytes()).unwrap();
    assert!(matches!(
        Reply::parse(&read_frame(&mut c).unwrap().unwrap()).unwrap(),
        Reply::Opened { errno: 0, .. }
    ));
    // The first command after power-on gets the unit attention; TEST UNIT READY takes it.
    execute(&mut c, &[0; 6], Direction::None, vec![], 0);
    // FORMAT UNIT (FmtData, format code 1), Immed: DVD+RW basic format 26h of the whole disc
    // (MMC-6 6.5: header 00 02 00 08, then blocks FFFFFFFFh, type 26h << 2, parameter 0).
    let params = vec![0, 0x02, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0x26 << 2, 0, 0, 0];
    let (status, _) = execute(
        &mut c,
        &[0x04, 0x11, 0, 0, 0, 0],
        Direction::Out,
        params,
        12,
    );
    assert_eq!(status, 0, "FORMAT UNIT");
    let (cdb, data) = write10(0, 0xA1);
    assert_eq!(
        execute(&mut c, &cdb, Direction::Out, data, SECTORS * 2048).0,
        0
    );
    let synchronize = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        execute(&mut c, &synchronize, Direction::None, vec![], 0).0,
        0
    );
    // After the synchronize: over the committed block, and past it.
    for (lba, fill) in [(0, 0xB2), (SECTORS, 0xB3)] {
        let (cdb, data) = write10(lba, fill);
        assert_eq!(
            execute(&mut c, &cdb, Direction::Out, data, SECTORS * 2048).0,
            0
        );
    }
    server.kill().unwrap(); // SIGKILL: no commit, no cleanup
    server.wait().unwrap();

    // The disc opens (the dead server's lock went with it) at the synchronized state.
    let mut drive =
        DiscFileDrive::open(MediumKind::DvdPlusRw, &disc, DriveConfig::default()).unwrap();
    let mut read = |lba: u32| {
        let [a, b, c, d] = lba.to_be_bytes();
        let cdb = [0x28, 0, a, b, c, d, 0, 0, SECTORS as u8, 0];
        let mut buf = vec![0xEEu8; SECTORS as usize * 2048];
        // Power-on unit attention first, then the read.
        for _ in 0..2 {
            let done = drive
                .execute(&cdb, DataPhase::In(&mut buf), Duration::from_secs(10))
                .unwrap();
            if done.is_good() {
                return Some(buf);
            }
        }
        None
    };
    let first = read(0).expect("the synchronized block reads");
    assert!(first.iter().all(|&b| b == 0xA1), "the synchronized block");
    // Past it: the background format stopped where it was at the synchronize, so the block
    // may be outside the readable area; if it reads, it is blank.
    if let Some(next) = read(SECTORS) {
        assert!(next.iter().all(|&b| b == 0), "never synchronized");
    }
}
