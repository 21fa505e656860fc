//! cdrskin (libburn's cdrecord-compatible command), unmodified, burns an ISO image onto the
//! emulator's CD-R at `dev=/dev/sr9` through `virtdrive run`, in TAO and in SAO; `-toc` and
//! `-minfo` then name the emulator and show the track, and the disc kept in the file holds
//! the image byte for byte. `-dummy` runs the whole burn with the laser off and leaves the
//! disc blank.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;
use std::time::Duration;

use mmc_core::{DataPhase, ScsiStatus, Transport};
use real_clients::{
    cd_r_disc_information, disc_information, field, keep_transcripts, read_disc as read_through,
    ready_disc, tool, transcript_path, virtdrive_run, Bench, Case, RecordedRuns, PRODUCT, VENDOR,
};
use virtdrive::medium::MediumKind;

const SECTOR: usize = 2048;

/// Deterministic bytes (xorshift64*).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// An ISO 9660 image of a small tree, made by genisoimage (no padding: the image is the
/// file system alone, so its size is what the track must hold).
fn make_iso(dir: &Path, genisoimage: &Path) -> Vec<u8> {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    let listing: String = (0..800)
        .map(|n| format!("listing line {n:04}: nothing but deterministic text\n"))
        .collect();
    std::fs::write(tree.join("listing.txt"), listing).unwrap();
    std::fs::write(tree.join("sub/data.bin"), noise(11, 70_001)).unwrap();
    let iso = dir.join("image.iso");
    let status = std::process::Command::new(genisoimage)
        .args(["-quiet", "-R", "-V", "VIRTDRIVE_TEST", "-o"])
        .arg(&iso)
        .arg(&tree)
        .status()
        .unwrap();
    assert!(status.success(), "genisoimage failed");
    let image = std::fs::read(&iso).unwrap();
    assert_eq!(image.len() % SECTOR, 0);
    image
}

/// What a burn needs: cdrskin, a folder holding `image.iso` (its bytes in `image`), and a
/// disc file there in the drive `virt:MEDIUM@DISC`.
struct Setup {
    cdrskin: std::path::PathBuf,
    dir: tempfile::TempDir,
    image: Vec<u8>,
    disc: std::path::PathBuf,
    drive: String,
}

/// The [`Setup`] for a blank `medium`; `None` when cdrskin or genisoimage is missing.
fn setup(medium: &str) -> Option<Setup> {
    let cdrskin = tool("cdrskin", "cdrskin")?;
    let genisoimage = tool("genisoimage", "genisoimage")?;
    let dir = tempfile::tempdir().unwrap();
    let image = make_iso(dir.path(), &genisoimage);
    let disc = dir.path().join("disc");
    let drive = format!("virt:{medium}@{}", disc.display());
    Some(Setup {
        cdrskin,
        dir,
        image,
        disc,
        drive,
    })
}

/// The first `blocks` user-data blocks of the CD-R kept in `disc`, read with READ (10)
/// through the virtdrive library.
fn read_disc(disc: &Path, blocks: usize) -> Vec<u8> {
    read_disc_of(MediumKind::CdR80, disc, 0, blocks)
}

/// `blocks` sectors from `lba` of the disc of `kind` kept in `disc`, through the library.
fn read_disc_of(kind: MediumKind, disc: &Path, lba: usize, blocks: usize) -> Vec<u8> {
    let timeout = Duration::from_secs(60);
    let mut drive = ready_disc(kind, disc);
    let mut data = Vec::with_capacity(blocks * SECTOR);
    for first in (lba..lba + blocks).step_by(16) {
        let n = (lba + blocks - first).min(16);
        let [a0, a1, a2, a3] = u32::try_from(first).unwrap().to_be_bytes();
        let cdb = [
            0x28, // READ (10)
            0, a0, a1, a2, a3, // LBA
            0, 0, n as u8, // transfer length
            0,
        ];
        let mut buf = vec![0u8; n * SECTOR];
        let c = drive
            .execute(&cdb, DataPhase::In(&mut buf), timeout)
            .unwrap();
        assert_eq!(c.status, ScsiStatus::Good, "READ at {first}: {c:?}");
        data.extend_from_slice(&buf);
    }
    data
}

/// The LBA of the lead-out on cdrskin's `-toc` (`track:lout lba:       369 ...`).
fn lead_out(toc: &str) -> u64 {
    let line = toc
        .lines()
        .find(|l| l.starts_with("track:lout"))
        .unwrap_or_else(|| panic!("no lead-out in\n{toc}"));
    line.split_whitespace()
        .nth(2)
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

/// Burns the image in `mode` (`tao` or `sao`) and checks what the disc holds.
fn burn(mode: &str, mode_name: &str) {
    let (Some(cdrskin), Some(genisoimage)) = (
        tool("cdrskin", "cdrskin"),
        tool("genisoimage", "genisoimage"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let image = make_iso(dir.path(), &genisoimage);
    let sectors = image.len() / SECTOR;
    let disc = dir.path().join("disc");
    let drive = format!("virt:cd-r@{}", disc.display());
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    let mut run = |args: &[&str]| runs.run(args);

    let flag = format!("-{mode}");
    let out = run(&["-v", "dev=/dev/sr9", &flag, "image.iso"]);
    out.expect_code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(&format!("in real {mode_name} mode for single session")),
        "{all}"
    );
    // The image is shorter than the shortest track a CD may hold (300 blocks, 4 s: MMC-6
    // 6.3.3.1.2), so cdrskin pads it with zeros up to that.
    let track = sectors.max(300);
    assert!(
        all.contains(&format!(
            "Track 01: Total bytes read/written: {}/{} ({track} sectors)",
            image.len(),
            track * SECTOR
        )),
        "{all}"
    );

    // The TOC: one track at LBA 0; in TAO the drive ends it with 2 run-out blocks, which the
    // TOC counts (MMC-6 4.2.3.5.2, Orange Book), so the lead-out starts 2 blocks after the
    // data; in SAO the lead-out follows the data directly.
    let out = run(&["dev=/dev/sr9", "-toc"]);
    out.expect_code(0);
    let toc = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        field(&toc, "Vendor_info    :"),
        Some(&*format!("'{VENDOR}'"))
    );
    assert_eq!(
        field(&toc, "Identifikation :"),
        Some(&*format!("'{PRODUCT}'"))
    );
    assert!(toc.contains("first: 1 last 1"), "{toc}");
    assert!(
        toc.lines()
            .any(|l| l.starts_with("track:   1 lba:         0 ") && l.contains("mode: 1")),
        "{toc}"
    );
    let run_out = if mode == "tao" { 2 } else { 0 };
    assert_eq!(lead_out(&toc), track as u64 + run_out, "{toc}");
    assert!(
        toc.contains("Media summary: 1 sessions, 1 tracks, closed CD-R"),
        "{toc}"
    );

    let out = run(&["dev=/dev/sr9", "-minfo"]);
    out.expect_code(0);
    let minfo = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        field(&minfo, "Vendor_info    :"),
        Some(&*format!("'{VENDOR}'"))
    );
    assert_eq!(field(&minfo, "Mounted media type:"), Some("CD-R"));
    assert_eq!(field(&minfo, "disk status:"), Some("complete"));
    assert_eq!(field(&minfo, "number of sessions:"), Some("1"));
    // cdrskin's track table: track 1, session 1, data, from 0 over the track's blocks
    // (libburn reports the readable size, without the run-out).
    let row = minfo
        .lines()
        .find(|l| l.trim_start().starts_with("1     1 Data"))
        .unwrap_or_else(|| panic!("no track row in\n{minfo}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cols[3..6],
        ["0", &(track - 1).to_string(), &track.to_string()],
        "{row}"
    );

    // The disc kept in the file holds the image byte for byte, then the zero padding.
    let data = read_disc(&disc, track);
    let (data, padding) = data.split_at(image.len());
    assert!(
        data == image,
        "the disc's first {sectors} blocks differ from the image"
    );
    assert!(padding.iter().all(|&b| b == 0), "the padding is not zeros");

    let name = format!("cdrskin-{mode}-cd-r");
    keep_transcripts(&Case {
        name: &name,
        commands: &[
            &format!("cdrskin -v dev=/dev/sr9 {flag} image.iso"),
            "cdrskin dev=/dev/sr9 -toc",
            "cdrskin dev=/dev/sr9 -minfo",
        ],
        medium: "cd-r",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

#[test]
fn cdrskin_burns_an_iso_onto_cd_r_in_tao() {
    burn("tao", "TAO");
}

#[test]
fn cdrskin_burns_an_iso_onto_cd_r_in_sao() {
    burn("sao", "SAO");
}

/// `cdrskin -dummy` (a test write, page 05h Test Write): the burn runs to its end and
/// cdrskin reports it done, yet the drive and cdrskin's `-minfo` say the disc is blank; a real
/// burn then records the image as usual.
#[test]
fn cdrskin_dummy_leaves_the_cd_r_blank_and_a_real_burn_follows() {
    let Some(Setup {
        cdrskin,
        dir,
        image,
        disc,
        drive,
    }) = setup("cd-r")
    else {
        return;
    };
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);

    let dummy = runs.ok(&["-v", "-dummy", "dev=/dev/sr9", "image.iso"]);
    assert!(dummy.contains("in dummy SAO mode"), "{dummy}");
    assert!(dummy.contains("cdrskin: burning done"), "{dummy}");
    let info = cd_r_disc_information(&disc);
    assert_eq!(info[2], 0x00, "disc status blank, last session empty");
    let minfo = runs.ok(&["dev=/dev/sr9", "-minfo"]);
    assert_eq!(field(&minfo, "disk status:"), Some("empty"), "{minfo}");

    let real = runs.ok(&["-v", "dev=/dev/sr9", "image.iso"]);
    assert!(real.contains("in real SAO mode"), "{real}");
    assert_eq!(cd_r_disc_information(&disc)[2] & 0x03, 0x02, "complete");
    assert!(
        read_disc(&disc, image.len() / SECTOR) == image,
        "the image was recorded"
    );

    keep_transcripts(&Case {
        name: "cdrskin-dummy-cd-r",
        commands: &[
            "cdrskin -v -dummy dev=/dev/sr9 image.iso",
            "cdrskin dev=/dev/sr9 -minfo",
            "cdrskin -v dev=/dev/sr9 image.iso",
        ],
        medium: "cd-r",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

#[test]
fn two_burners_on_two_virtual_drives_hold_their_drive_locks_at_once() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The first cdrskin grabs its drive (libburn opens it with O_EXCL and takes an fcntl
    // write lock on it) and, burning from stdin, waits for the track's data while holding it.
    let track = 300 * SECTOR;
    let mut first = Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .current_dir(dir.path())
        .args(["run", "--drive", "virt:cd-r", "--"])
        .arg(&cdrskin)
        .args(["-v", "dev=/dev/sr9", "-tao", &format!("tsize={track}"), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = first.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 512];
    while !String::from_utf8_lossy(&seen).contains("Waiting for reader process") {
        let n = stdout.read(&mut chunk).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&chunk[..n]);
    }

    // Meanwhile a second cdrskin, on a virtual drive of its own at the same path, gets its
    // lock too: the two drives are different devices, whose locks must not collide.
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:cd-r"],
        &cdrskin,
        &["dev=/dev/sr9", "-toc"],
    );
    out.expect_code(0);
    assert_eq!(
        field(&out.stdout, "Vendor_info    :"),
        Some(&*format!("'{VENDOR}'"))
    );

    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(&vec![0u8; track]).unwrap();
    drop(stdin);
    stdout.read_to_end(&mut seen).unwrap();
    let output = first.wait_with_output().unwrap();
    let seen = String::from_utf8_lossy(&seen);
    assert!(
        output.status.success(),
        "{seen}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(seen.contains("cdrskin: burning done"), "{seen}");
}

#[test]
fn a_write_protect_fault_makes_cdrskin_report_data_protect() {
    let (Some(cdrskin), Some(genisoimage)) = (
        tool("cdrskin", "cdrskin"),
        tool("genisoimage", "genisoimage"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    make_iso(dir.path(), &genisoimage);
    let plan = "fixtures/fault-plans/write-protect-on-write.json";
    let plan_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(plan);
    let transcript = transcript_path(dir.path(), 1);
    // The disc turns write-protected at the first WRITE (10): every write-class command from
    // there on answers 07/27/00 WRITE PROTECTED.
    let out = virtdrive_run(
        dir.path(),
        &[
            "--drive",
            "virt:cd-r",
            "--fault-plan",
            plan_path.to_str().unwrap(),
            "--transcript",
            transcript.to_str().unwrap(),
        ],
        &cdrskin,
        &["-v", "dev=/dev/sr9", "-tao", "image.iso"],
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_ne!(out.code, Some(0), "{all}");
    // libburn decodes the sense of the failed WRITE (10) and of CLOSE TRACK/SESSION.
    assert!(
        all.contains("SCSI error on write")
            && all.contains("[7 27 00] Data protected. Write protected."),
        "{all}"
    );
    assert!(all.contains("burning failed"), "{all}");
    keep_transcripts(&Case {
        name: "cdrskin-tao-write-protect-cd-r",
        commands: &["cdrskin -v dev=/dev/sr9 -tao image.iso"],
        medium: "cd-r",
        fault_plan: Some(plan),
        runs: std::slice::from_ref(&transcript),
    });
}

/// cdrskin burns the image twice onto a BD-R XL (100 GB) with `-multi`, each a session of
/// one track padded to whole 32-sector clusters; `-minfo` lists both and the rest of the disc
/// blank, and both tracks read back as the image.
#[test]
fn cdrskin_burns_two_sessions_onto_a_bd_r_xl() {
    let (Some(cdrskin), Some(genisoimage)) = (
        tool("cdrskin", "cdrskin"),
        tool("genisoimage", "genisoimage"),
    ) else {
        return;
    };
    const XL_SECTORS: usize = 48_878_592;
    let mut bench = Bench::new("bd-r-xl");
    let image = make_iso(bench.dir.path(), &genisoimage);
    let track = (image.len() / SECTOR).div_ceil(32) * 32;
    for _ in 0..2 {
        let out = bench.run(&cdrskin, &["-v", "dev=/dev/sr9", "-multi", "image.iso"]);
        out.expect_code(0);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains("for multi session"), "{all}");
    }
    let out = bench.run(&cdrskin, &["dev=/dev/sr9", "-minfo"]);
    out.expect_code(0);
    let minfo = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(
        field(&minfo, "Mounted media type:"),
        Some("BD-R sequential recording")
    );
    assert_eq!(field(&minfo, "disk status:"), Some("incomplete/appendable"));
    assert_eq!(field(&minfo, "number of sessions:"), Some("3"));
    let rows: Vec<Vec<String>> = minfo
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|c| c.len() >= 6 && (c[2] == "Data" || c[2] == "Blank"))
        .collect();
    let expect = |n: usize, kind: &str, start: usize, size: usize| {
        vec![
            n.to_string(),
            n.to_string(),
            kind.to_string(),
            start.to_string(),
            (start + size - 1).to_string(),
            size.to_string(),
        ]
    };
    assert_eq!(
        rows,
        vec![
            expect(1, "Data", 0, track),
            expect(2, "Data", track, track),
            expect(3, "Blank", 2 * track, XL_SECTORS - 2 * track),
        ],
        "{minfo}"
    );
    for start in [0, track] {
        let data = read_through(bench.dir.path(), &bench.drive, track as u64, start as u64);
        let (data, padding) = data.split_at(image.len());
        assert!(data == image, "the track at {start} differs from the image");
        assert!(padding.iter().all(|&b| b == 0));
    }
    bench.keep("cdrskin-bd-r-xl");
}

/// Sectors of the emulator's DVD-R, and the border zone after its first session (INF: see
/// medium/sequential/dvd_minus_r.rs).
const DVD_R_SECTORS: usize = 2_298_496;
const DVD_R_FIRST_BORDER: usize = 16_384;

/// `sectors` sectors from `lba` of the DVD-R kept in `disc`.
fn read_dvd_r(disc: &Path, lba: usize, sectors: usize) -> Vec<u8> {
    read_disc_of(MediumKind::DvdR, disc, lba, sectors)
}

/// The track rows of cdrskin's `-minfo` (track, session, type, start, size).
fn minfo_tracks(minfo: &str) -> Vec<(u32, u32, String, usize, usize)> {
    minfo
        .lines()
        .skip_while(|l| !l.starts_with("Track  Sess"))
        .skip(2)
        .map_while(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            match c.as_slice() {
                [t, s, kind, start, _, size] => Some((
                    t.parse().ok()?,
                    s.parse().ok()?,
                    kind.to_string(),
                    start.parse().ok()?,
                    size.parse().ok()?,
                )),
                _ => None,
            }
        })
        .collect()
}

/// `cdrskin -multi -tao` twice on DVD-R: libburn finds feature 0021h current and records
/// Incrementally (page 05h Write Type 00h, Multi-session 11b), closing track and session; the
/// second session starts after the first session's border; `-minfo` shows both and the
/// blank track after them, and both images read back.
#[test]
fn cdrskin_records_two_incremental_sessions_on_dvd_minus_r() {
    let Some(Setup {
        cdrskin,
        dir,
        image,
        disc,
        drive,
    }) = setup("dvd-r")
    else {
        return;
    };
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    for _ in 0..2 {
        let out = runs.ok(&["-v", "dev=/dev/sr9", "-multi", "-tao", "image.iso"]);
        assert!(out.contains("in real TAO mode for multi session"), "{out}");
    }
    let minfo = runs.ok(&["dev=/dev/sr9", "-minfo"]);
    assert_eq!(
        field(&minfo, "Mounted media type:"),
        Some("DVD-R sequential recording")
    );
    assert_eq!(field(&minfo, "disk status:"), Some("incomplete/appendable"));
    assert_eq!(field(&minfo, "number of sessions:"), Some("3"));
    // Each track: the image, padded by libburn to whole 32 KiB buffers.
    let tracks = minfo_tracks(&minfo);
    let [(1, 1, _, 0, size), (2, 2, _, second, size2), (3, 3, blank, third, free)] =
        tracks.as_slice()
    else {
        panic!("{minfo}");
    };
    assert_eq!(size, size2, "{minfo}");
    assert_eq!(
        *second,
        size.div_ceil(16) * 16 + DVD_R_FIRST_BORDER,
        "{minfo}"
    );
    assert_eq!(blank, "Blank");
    assert_eq!(third + free, DVD_R_SECTORS, "{minfo}");
    let sectors = image.len() / SECTOR;
    assert!(
        read_dvd_r(&disc, 0, sectors) == image,
        "session 1 reads back"
    );
    assert!(
        read_dvd_r(&disc, *second, sectors) == image,
        "session 2 reads back"
    );
    assert_eq!(
        disc_information(MediumKind::DvdR, &disc)[2],
        0x01,
        "appendable"
    );
    keep_transcripts(&Case {
        name: "cdrskin-multi-dvd-r",
        commands: &[
            "cdrskin -v dev=/dev/sr9 -multi -tao image.iso",
            "cdrskin -v dev=/dev/sr9 -multi -tao image.iso",
            "cdrskin dev=/dev/sr9 -minfo",
        ],
        medium: "dvd-r",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// `cdrskin -sao` on DVD-R: Disc-at-Once (page 05h Write Type 02h, RESERVE TRACK of the
/// image, WRITEs from LBA 0, SYNCHRONIZE CACHE and no CLOSE); the drive closes the disc.
/// `-dummy` before it runs the same burn with the laser off: the disc stays blank.
#[test]
fn cdrskin_sao_closes_a_dvd_minus_r_and_dummy_leaves_it_blank() {
    let Some(Setup {
        cdrskin,
        dir,
        image,
        disc,
        drive,
    }) = setup("dvd-r")
    else {
        return;
    };
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    for dummy in [&["-dummy", "-sao"][..], &["-dummy", "-tao"][..]] {
        let mut args = vec!["-v", "dev=/dev/sr9"];
        args.extend(dummy);
        args.push("image.iso");
        let out = runs.ok(&args);
        assert!(out.contains("cdrskin: burning done"), "{out}");
        assert_eq!(
            disc_information(MediumKind::DvdR, &disc)[2],
            0x00,
            "{dummy:?}: disc blank, last session empty"
        );
    }
    let minfo = runs.ok(&["dev=/dev/sr9", "-minfo"]);
    assert_eq!(field(&minfo, "disk status:"), Some("empty"), "{minfo}");

    let out = runs.ok(&["-v", "dev=/dev/sr9", "-sao", "image.iso"]);
    assert!(out.contains("in real SAO mode for single session"), "{out}");
    assert_eq!(
        disc_information(MediumKind::DvdR, &disc)[2] & 0x0F,
        0x0E,
        "disc and session complete"
    );
    let minfo = runs.ok(&["dev=/dev/sr9", "-minfo"]);
    assert_eq!(field(&minfo, "disk status:"), Some("complete"), "{minfo}");
    assert_eq!(field(&minfo, "number of sessions:"), Some("1"), "{minfo}");
    assert!(
        read_dvd_r(&disc, 0, image.len() / SECTOR) == image,
        "the image reads back"
    );
    keep_transcripts(&Case {
        name: "cdrskin-sao-dummy-dvd-r",
        commands: &[
            "cdrskin -v dev=/dev/sr9 -dummy -sao image.iso",
            "cdrskin -v dev=/dev/sr9 -dummy -tao image.iso",
            "cdrskin dev=/dev/sr9 -minfo",
            "cdrskin -v dev=/dev/sr9 -sao image.iso",
            "cdrskin dev=/dev/sr9 -minfo",
        ],
        medium: "dvd-r",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// cdrskin on DVD-R DL: the drive offers no Incremental Streaming for it (feature 0021h not
/// current), so cdrskin writes Disc-at-Once without being asked (page 05h Write Type 02h,
/// RESERVE TRACK of the image, WRITEs from LBA 0, SYNCHRONIZE CACHE and no CLOSE); the drive
/// closes the disc, `-minfo` shows one complete session and the image reads back.
#[test]
fn cdrskin_writes_a_dvd_minus_r_dl_disc_at_once() {
    let Some(Setup {
        cdrskin,
        dir,
        image,
        disc,
        drive,
    }) = setup("dvd-r-dl")
    else {
        return;
    };
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    let out = runs.ok(&["-v", "dev=/dev/sr9", "image.iso"]);
    assert!(out.contains("cdrskin: burning done"), "{out}");
    assert_eq!(
        disc_information(MediumKind::DvdRDl, &disc)[2] & 0x0F,
        0x0E,
        "disc and session complete"
    );
    let minfo = runs.ok(&["dev=/dev/sr9", "-minfo"]);
    assert_eq!(field(&minfo, "disk status:"), Some("complete"), "{minfo}");
    assert_eq!(field(&minfo, "number of sessions:"), Some("1"), "{minfo}");
    assert!(
        read_disc_of(MediumKind::DvdRDl, &disc, 0, image.len() / SECTOR) == image,
        "the image reads back"
    );
    keep_transcripts(&Case {
        name: "cdrskin-dvd-r-dl",
        commands: &[
            "cdrskin -v dev=/dev/sr9 image.iso",
            "cdrskin dev=/dev/sr9 -minfo",
        ],
        medium: "dvd-r-dl",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}
