//! Long operations through `virtdrive run`'s accelerated clock: xorriso (libburn), unmodified,
//! formats a BD-RE with full certification, 93 minutes of drive time that libburn follows
//! with a TEST UNIT READY a second. Each poll of the busy drive waits longer than the one
//! before, so the format ends after a few dozen polls instead of a thousand. The disc is
//! then formatted, as READ FORMAT CAPACITIES says through the emulator.
//!
//! And the drive buffer: cdrskin with `modesty_on_drive=1` polls READ BUFFER CAPACITY and
//! sleeps while the buffer is too full to take the next WRITE; the emulated buffer drains
//! while it polls, so the burn runs at full pace and the disc reads back as the image.
#![cfg(target_os = "linux")]

mod real_clients;

use std::time::Duration;

use mmc_core::{DataPhase, ScsiStatus, Transport};
use real_clients::{
    keep_transcripts, read_disc, tool, virtdrive_run_with, Case, RecordedRuns, PRODUCT, VENDOR,
};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig};

/// READ FORMAT CAPACITIES of the BD-RE kept in `disc`: the current descriptor's blocks and its
/// descriptor type (MMC-6 6.24.3.2: 10b formatted).
fn current_format(disc: &std::path::Path) -> (u32, u8) {
    let mut drive = DiscFileDrive::open(MediumKind::BdRe, disc, DriveConfig::default()).unwrap();
    let cdb = [
        0x23, // READ FORMAT CAPACITIES
        0, 0, 0, 0, 0, 0, //
        0x00, 0xFC, // allocation length 252
        0,
    ];
    let mut data = vec![0u8; 252];
    let c = drive
        .execute(&cdb, DataPhase::In(&mut data), Duration::from_secs(60))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good, "{c:?}");
    (
        u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
        data[8] & 0x03,
    )
}

#[test]
fn xorriso_formats_a_bd_re_with_full_certification_in_seconds() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let drive = format!("virt:bd-re@{}", dir.join("disc").display());
    // Guards against a hang; a thousand polls at libburn's second each would take 18 minutes.
    let mut runs = RecordedRuns::new(dir, &drive, &xorriso).limited(Duration::from_secs(120));
    let out = runs.run(&["-outdev", "/dev/sr9", "-format", "full", "-toc"]);
    out.expect_code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(&format!("vendor '{VENDOR}' product '{PRODUCT}'")),
        "xorriso did not see the emulator as its drive:\n{all}"
    );
    // 12,219,392 sectors less the default spare areas (ISA0 4,096 and OSA 8,192 clusters).
    assert_eq!(
        current_format(&dir.join("disc")),
        (12_219_392 - 393_216, 0b10),
        "a formatted disc"
    );
    keep_transcripts(&Case {
        name: "xorriso-full-format-bd-re",
        commands: &["xorriso -outdev /dev/sr9 -format full -toc"],
        medium: "bd-re",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

#[test]
fn cdrskin_waiting_for_room_in_the_drive_buffer_sees_it_drain() {
    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let drive = format!("virt:cd-r@{}", dir.join("disc").display());
    // 6 MiB, half again the drive buffer: sectors of zeros, each stamped with its number (so
    // the transcript packs small).
    let image: Vec<u8> = (0..6 * 1024 * 1024 / 2048)
        .flat_map(|n: u64| {
            let mut sector = vec![0u8; 2048];
            sector[..8].copy_from_slice(&n.to_be_bytes());
            sector
        })
        .collect();
    std::fs::write(dir.join("image.bin"), &image).unwrap();
    // Guards against a hang: without the buffer draining, libburn waits 100 s for room.
    let mut runs = RecordedRuns::new(dir, &drive, &cdrskin).limited(Duration::from_secs(60));
    runs.run(&[
        "-v",
        "dev=/dev/sr9",
        "modesty_on_drive=1",
        "-tao",
        "image.bin",
    ])
    .expect_code(0);
    let sectors = (image.len() / 2048) as u64;
    assert!(
        read_disc(dir, &drive, sectors, 0) == image,
        "the disc holds the image"
    );
    keep_transcripts(&Case {
        name: "cdrskin-modesty-cd-r",
        commands: &["cdrskin -v dev=/dev/sr9 modesty_on_drive=1 -tao image.bin"],
        medium: "cd-r",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// The program's sleeps (shortened tenfold under the accelerated clock, see shim_sleep.c) are
/// not drive time: xorriso burning a BD-RE sends the same commands and gets the same answers,
/// byte for byte in the transcript, whether its sleeps are whole or shortened, and leaves the
/// same disc.
#[test]
fn xorriso_sends_the_same_commands_whether_its_sleeps_are_whole_or_shortened() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // 8 MiB, two drive buffers: sectors stamped with their numbers.
    let image: Vec<u8> = (0..8 * 1024 * 1024 / 2048)
        .flat_map(|n: u64| {
            let mut sector = vec![0x5Au8; 2048];
            sector[..8].copy_from_slice(&n.to_be_bytes());
            sector
        })
        .collect();
    std::fs::write(dir.join("image.bin"), &image).unwrap();
    let burn = |name: &str, divisor: Option<&str>| {
        let disc = dir.join(format!("{name}.disc"));
        let transcript = dir.join(format!("{name}.jsonl"));
        let drive = format!("virt:bd-re@{}", disc.display());
        let env = [("VIRTDRIVE_SHIM_SLEEP_DIVISOR", divisor)];
        virtdrive_run_with(
            dir,
            &env,
            &[
                "--drive",
                &drive,
                "--transcript",
                transcript.to_str().unwrap(),
            ],
            &xorriso,
            &["-as", "cdrecord", "-v", "dev=/dev/sr9", "image.bin"],
        )
        .expect_code(0);
        assert!(
            read_disc(dir, &drive, (image.len() / 2048) as u64, 0) == image,
            "{name}: the disc holds the image"
        );
        std::fs::read_to_string(&transcript).unwrap()
    };
    let whole = burn("whole", Some("1"));
    let shortened = burn("shortened", None);
    assert!(whole.lines().count() > 100, "a burn's worth of commands");
    if whole != shortened {
        let first = whole
            .lines()
            .zip(shortened.lines())
            .position(|(a, b)| a != b);
        panic!(
            "the transcripts differ (first at line {first:?}; {} against {} lines)",
            whole.lines().count(),
            shortened.lines().count()
        );
    }
}
