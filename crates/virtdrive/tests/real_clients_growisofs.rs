//! growisofs and dvd+rw-mediainfo (dvd+rw-tools), unmodified, against the emulator's DVD+RW,
//! DVD+R, DVD+R DL, BD-R (one and two layers), BD-RE and DVD-RAM through `virtdrive run` and the preload shim at `/dev/sr9`: `growisofs -Z` writes
//! a first tree, `growisofs -M` adds a second (mkisofs reads the first session back through
//! the block node), and every file of both trees reads back from the disc equal to the
//! original; dvd+rw-mediainfo names the medium and its capacity.
//!
//! growisofs copies into any path that does not look like a block device, so each run also
//! asserts that its commands reached the emulator: the transcript holds the INQUIRY the
//! emulator answered with its identity, and the WRITEs.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::trace::{read_jsonl, TraceOutcome, TraceRecord};
use real_clients::{
    field, formatting_progress, keep_transcripts, make_tree, read_disc, tool, transcript_path,
    virtdrive_run_limited, Case, Outcome, PRODUCT, VENDOR,
};

const LIMIT: Duration = Duration::from_secs(120);
const SECTOR: usize = 2048;

/// Sectors of the emulator's DVD+RW (medium/overwritable/dvd_plus_rw.rs: 4.7 GB, ECMA-337).
const DVD_PLUS_RW_SECTORS: u64 = 2_295_104;
/// Sectors of the emulator's DVD-RAM as sold (medium/overwritable/dvd_ram.rs).
const DVD_RAM_SECTORS: u64 = 2_236_704;
/// Sectors of the emulator's DVD-R (medium/sequential/dvd_minus_r.rs).
const DVD_R_SECTORS: u64 = 2_298_496;
/// Sectors of the emulator's DVD-R DL, both layers.
const DVD_R_DL_SECTORS: u64 = 4_171_712;
/// Sectors of the emulator's single-layer BD-RE formatted without spares
/// (medium/overwritable/bd_re.rs: 12,219,392).
const BD_RE_SECTORS: u64 = 12_219_392;
/// The smallest spare a BD-RE format offers: the inner spare area ISA0 alone, 4,096
/// clusters of 32 sectors. growisofs formats with the 30h descriptor of the largest capacity.
const BD_RE_MINIMAL_SPARE_SECTORS: u64 = 4096 * 32;
/// User sectors of a BD-R formatted with the default spare areas: ISA0 4,096 and OSA 8,192
/// clusters (Pioneer BDR-203 manual 4.3.1.1.2).
const BD_R_DEFAULT_USER: u64 = BD_RE_SECTORS - (4096 + 8192) * 32;
/// With the smallest spare offered, ISA0 alone: the format growisofs picks by default.
const BD_R_MIN_SPARE_USER: u64 = BD_RE_SECTORS - BD_RE_MINIMAL_SPARE_SECTORS;

fn first_tree() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("first.txt", b"the first session\n".to_vec()),
        (
            "numbers/one.txt",
            (0..2000)
                .map(|n| format!("{n}\n"))
                .collect::<String>()
                .into_bytes(),
        ),
    ]
}

fn second_tree() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("second.txt", b"added by growisofs -M\n".to_vec()),
        ("more/bytes.bin", (0..=255u8).cycle().take(5000).collect()),
    ]
}

fn run(
    dir: &Path,
    drive: &str,
    transcript: Option<&Path>,
    program: &Path,
    args: &[&str],
) -> Outcome {
    let mut vargs = vec!["--drive", drive];
    if let Some(t) = transcript {
        vargs.extend(["--transcript", t.to_str().unwrap()]);
    }
    virtdrive_run_limited(dir, &vargs, program, args, LIMIT)
}

fn records(transcript: &Path) -> Vec<TraceRecord> {
    read_jsonl(std::io::BufReader::new(
        std::fs::File::open(transcript).unwrap(),
    ))
    .unwrap()
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    hex.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn data_in(r: &TraceRecord) -> Vec<u8> {
    match &r.outcome {
        TraceOutcome::Completed {
            data_in: Some(hex), ..
        } => hex_bytes(hex),
        _ => Vec::new(),
    }
}

/// The run's commands went to the emulator: its INQUIRY answer carries the emulator's vendor
/// and product, and WRITE (10) commands completed with GOOD status.
fn assert_commands_reached_the_emulator(transcript: &Path) {
    let records = records(transcript);
    let inquiry = records
        .iter()
        .find(|r| r.command == "INQUIRY")
        .expect("growisofs sent INQUIRY to the drive");
    let identity = String::from_utf8_lossy(&data_in(inquiry)).into_owned();
    assert!(
        identity.contains(VENDOR) && identity.contains(PRODUCT),
        "{identity:?}"
    );
    let writes = records
        .iter()
        .filter(|r| r.command == "WRITE (10)")
        .filter(|r| matches!(r.outcome, TraceOutcome::Completed { status: 0, .. }))
        .count();
    assert!(writes > 0, "growisofs wrote to the drive");
}

fn make_image_tree(dir: &Path, name: &str, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let root = dir.join(name);
    make_tree(&root, files);
    root
}

/// `growisofs -Z` then `-M` on MEDIUM (with growisofs `options` before the device),
/// dvd+rw-mediainfo before and after, and every file back; returns the disc's image as read
/// back from LBA 0 (empty when a program is missing).
fn grow_twice(
    medium: &str,
    case: &str,
    options: &[&str],
    check_media: impl Fn(&Outcome, bool),
) -> Vec<u8> {
    grow(medium, case, options, 2, check_media).0
}

/// The programs these tests run: growisofs, dvd+rw-mediainfo and isoinfo, and genisoimage
/// (which makes the images); `None` when one is missing (`tool` says which).
struct Tools {
    growisofs: PathBuf,
    mediainfo: PathBuf,
    isoinfo: PathBuf,
}

fn tools() -> Option<Tools> {
    let tools = Tools {
        growisofs: tool("growisofs", "growisofs")?,
        mediainfo: tool("dvd+rw-mediainfo", "dvd+rw-tools")?,
        isoinfo: tool("isoinfo", "genisoimage")?,
    };
    tool("genisoimage", "genisoimage")?;
    Some(tools)
}

/// `growisofs -Z` (and with `sessions` 2 then `-M`) on MEDIUM, as [`grow_twice`]; returns
/// the image read back and the commands of each growisofs run.
fn grow(
    medium: &str,
    case: &str,
    options: &[&str],
    sessions: usize,
    check_media: impl Fn(&Outcome, bool),
) -> (Vec<u8>, Vec<Vec<TraceRecord>>) {
    let Some(Tools {
        growisofs,
        mediainfo,
        isoinfo,
    }) = tools()
    else {
        return (Vec::new(), Vec::new());
    };
    let dir = tempfile::tempdir().unwrap();
    let first = make_image_tree(dir.path(), "first", &first_tree());
    let second = make_image_tree(dir.path(), "second", &second_tree());
    let disc = dir.path().join("disc");
    let drive = format!("virt:{medium}@{}", disc.display());

    let blank = run(dir.path(), &drive, None, &mediainfo, &["/dev/sr9"]);
    blank.expect_code(0);
    check_media(&blank, false);

    // -no-pad: genisoimage's 150 sectors of padding would only fill the transcripts.
    let mut runs = Vec::new();
    let steps = [("-Z", &first), ("-M", &second)];
    for (n, (option, tree)) in steps.into_iter().take(sessions).enumerate() {
        let transcript = transcript_path(dir.path(), n + 1);
        let mut args = options.to_vec();
        args.extend([
            option,
            "/dev/sr9",
            "-R",
            "-J",
            "-no-pad",
            tree.to_str().unwrap(),
        ]);
        let out = run(dir.path(), &drive, Some(&transcript), &growisofs, &args);
        out.expect_code(0);
        assert!(
            out.stdout.contains("builtin_dd of=/dev/sr9"),
            "{}\n{}",
            out.stdout,
            out.stderr
        );
        assert_commands_reached_the_emulator(&transcript);
        // growisofs formats a blank BD-RE itself and polls the drive until it is done. (A
        // DVD+RW formats in the background (format type 26h), and the emulator's BD-R SRM
        // format ends at once: growisofs has nothing to poll there.)
        let formats = records(&transcript)
            .iter()
            .any(|r| r.command == "FORMAT UNIT");
        if formats && medium.starts_with("bd-re") {
            let progress = formatting_progress(&transcript);
            assert!(
                progress.len() >= 2 && progress.windows(2).all(|w| w[0] < w[1]),
                "the drive's progress rises while growisofs formats: {progress:?}"
            );
        }
        runs.push(transcript);
    }
    assert!(
        sessions < 2
            || runs
                .last()
                .is_some_and(|t| records(t).iter().any(|r| r.command == "READ (10)")),
        "growisofs -M read the previous session from the disc"
    );

    let after = run(dir.path(), &drive, None, &mediainfo, &["/dev/sr9"]);
    after.expect_code(0);
    check_media(&after, true);

    // The last session's primary volume descriptor is its sector 16. On an overwritable
    // disc growisofs -M rewrote the one at LBA 16, and its volume size (bytes 80-83,
    // little-endian) spans both sessions from LBA 0. On a write-once disc the last session
    // starts after the first, and the gap between them (closure and intro) holds no
    // sectors: the image is read track by track, each at its own LBA.
    let tracks = recorded_tracks(&after);
    let session = match tracks.as_slice() {
        [_, .., last] => last.0,
        _ => 0,
    };
    let pvd = read_disc(dir.path(), &drive, 1, session + 16);
    assert_eq!(&pvd[..6], b"\x01CD001", "a primary volume descriptor");
    let image = if session == 0 {
        let volume = u32::from_le_bytes(pvd[80..84].try_into().unwrap()) as u64;
        let image = read_disc(dir.path(), &drive, volume, 0);
        assert_eq!(image.len(), volume as usize * SECTOR);
        image
    } else {
        let mut image = Vec::new();
        for &(start, size) in &tracks {
            image.resize(start as usize * SECTOR, 0);
            image.extend(read_disc(dir.path(), &drive, size, start));
        }
        image
    };
    let image_path = dir.path().join("disc.iso");
    std::fs::write(&image_path, &image).unwrap();
    let trees = [first_tree(), second_tree()];
    for (name, data) in trees.into_iter().take(sessions).flatten() {
        let out = std::process::Command::new(&isoinfo)
            .arg("-R")
            .arg("-i")
            .arg(&image_path)
            .arg("-T")
            .arg(session.to_string())
            .arg("-x")
            .arg(format!("/{name}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "isoinfo extracts /{name}");
        assert!(
            out.stdout == data,
            "/{name} reads back equal to the original"
        );
    }

    let options = options.iter().map(|o| format!("{o} ")).collect::<String>();
    let commands = [
        format!("growisofs {options}-Z /dev/sr9 -R -J -no-pad first"),
        format!("growisofs {options}-M /dev/sr9 -R -J -no-pad second"),
    ];
    let commands: Vec<&str> = commands.iter().take(sessions).map(String::as_str).collect();
    keep_transcripts(&Case {
        name: case,
        commands: &commands,
        medium,
        fault_plan: None,
        runs: &runs,
    });
    (image, runs.iter().map(|r| records(r)).collect())
}

/// The recorded tracks dvd+rw-mediainfo lists under READ TRACK INFORMATION (start, size in
/// sectors), blank ones left out.
fn recorded_tracks(out: &Outcome) -> Vec<(u64, u64)> {
    let sectors = |v: &str| v.trim().split('*').next().unwrap().parse::<u64>().unwrap();
    out.stdout
        .split("READ TRACK INFORMATION[#")
        .skip(1)
        .filter_map(|block| {
            let value = |label: &str| field(block, label).map(str::to_owned);
            let state = value(" Track State:")?;
            if state == "blank" {
                return None;
            }
            Some((
                sectors(&value(" Track Start Address:")?),
                sectors(&value(" Track Size:")?),
            ))
        })
        .collect()
}

/// Where the disc's user data area ends, by dvd+rw-mediainfo: the start of the blank track
/// (the invisible track) plus its size.
fn disc_end(out: &Outcome) -> u64 {
    let sectors = |v: &str| v.trim().split('*').next().unwrap().parse::<u64>().unwrap();
    out.stdout
        .split("READ TRACK INFORMATION[#")
        .skip(1)
        .find(|block| field(block, " Track State:") == Some("blank"))
        .map(|block| {
            let value = |label: &str| sectors(field(block, label).unwrap());
            value(" Track Start Address:") + value(" Track Size:")
        })
        .unwrap_or_else(|| panic!("no blank track in\n{}", out.stdout))
}

fn line<'a>(out: &'a Outcome, label: &str) -> &'a str {
    field(&out.stdout, label).unwrap_or_else(|| panic!("no {label:?} in\n{}", out.stdout))
}

#[test]
fn growisofs_writes_and_adds_to_a_dvd_plus_rw() {
    grow_twice("dvd+rw", "growisofs-dvd+rw", &[], |out, written| {
        assert_eq!(line(out, "INQUIRY:"), "[VIRTDRV ][VIRTUAL WRITER  ][0.1 ]");
        assert_eq!(line(out, "Mounted Media:"), "1Ah, DVD+RW");
        let capacity = format!("{DVD_PLUS_RW_SECTORS}*2048={}", DVD_PLUS_RW_SECTORS * 2048);
        // READ FORMAT CAPACITIES: the disc's capacity, unformatted until growisofs formats it.
        let label = if written {
            "formatted:"
        } else {
            "unformatted:"
        };
        assert_eq!(line(out, &format!(" {label}")), capacity);
        assert_eq!(
            line(out, "26h(0):"),
            capacity,
            "the DVD+RW format descriptor"
        );
        assert_eq!(
            line(out, "Legacy lead-out at:"),
            format!("{DVD_PLUS_RW_SECTORS}*2KB={}", DVD_PLUS_RW_SECTORS * 2048)
        );
    });
}

/// DVD+R: growisofs reads mode page 05h and sends it back before writing (it exits when
/// either fails), writes the session, closes track and session, and `-M` appends a second
/// session after the first.
#[test]
fn growisofs_writes_and_adds_to_a_dvd_plus_r() {
    grow_twice("dvd+r", "growisofs-dvd+r", &[], |out, written| {
        assert_eq!(line(out, "INQUIRY:"), "[VIRTDRV ][VIRTUAL WRITER  ][0.1 ]");
        assert_eq!(line(out, "Mounted Media:"), "1Bh, DVD+R");
        let status = if written { "appendable" } else { "blank" };
        assert_eq!(line(out, " Disc status:"), status);
        if written {
            // The two closed sessions and the empty one after them (MMC-6 6.22.3.1.5).
            assert_eq!(line(out, " Number of Sessions:"), "3");
        }
    });
}

/// DVD-R: growisofs finds feature 0021h current and records Incrementally, with page 05h
/// Multi-session 11b; it closes track and session, and `-M` appends a second session after
/// the first session's border.
#[test]
fn growisofs_writes_and_adds_to_a_dvd_minus_r() {
    grow_twice("dvd-r", "growisofs-dvd-r", &[], |out, written| {
        assert_eq!(line(out, "Mounted Media:"), "11h, DVD-R Sequential");
        let status = if written { "appendable" } else { "blank" };
        assert_eq!(line(out, " Disc status:"), status);
        // Its second book type line, from format 00h (the first repeats a stale byte).
        assert!(out.stdout.contains("h, DVD-R book"), "{}", out.stdout);
        if written {
            assert_eq!(line(out, " Number of Sessions:"), "3");
        } else {
            assert_eq!(line(out, " Free Blocks:"), format!("{DVD_R_SECTORS}*2KB"));
        }
    });
}

/// `growisofs -dvd-compat` on DVD-R, as `-use-the-force-luke=dao` makes it Disc-at-Once (or
/// as it would on a drive without feature 0021h): growisofs reserves the image's size
/// (RESERVE TRACK), writes it from LBA 0 and only flushes; the drive closes the disc at the
/// flush, and the image reads back whole. Plain `-dvd-compat` records Incrementally with
/// Multi-session 00b and closes the disc with CLOSE SESSION.
#[test]
fn growisofs_dvd_compat_closes_a_dvd_minus_r_in_either_write_mode() {
    let Some(Tools {
        growisofs,
        mediainfo,
        isoinfo,
    }) = tools()
    else {
        return;
    };
    for (case, options) in [
        (
            "growisofs-dao-dvd-r",
            &["-dvd-compat", "-use-the-force-luke=dao"][..],
        ),
        ("growisofs-dvd-compat-dvd-r", &["-dvd-compat"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let first = make_image_tree(dir.path(), "first", &first_tree());
        let drive = format!("virt:dvd-r@{}", dir.path().join("disc").display());
        let transcript = transcript_path(dir.path(), 1);
        let mut args = options.to_vec();
        args.extend([
            "-Z",
            "/dev/sr9",
            "-R",
            "-J",
            "-no-pad",
            first.to_str().unwrap(),
        ]);
        let out = run(dir.path(), &drive, Some(&transcript), &growisofs, &args);
        out.expect_code(0);
        assert_commands_reached_the_emulator(&transcript);
        let commands: Vec<String> = records(&transcript)
            .into_iter()
            .map(|r| r.command)
            .collect();
        let dao = options.len() == 2;
        let reserved = commands.iter().any(|c| c == "RESERVE TRACK");
        let closed = commands.iter().any(|c| c == "CLOSE TRACK/SESSION");
        assert_eq!((reserved, closed), (dao, !dao), "{case}: {commands:?}");

        let info = run(dir.path(), &drive, None, &mediainfo, &["/dev/sr9"]);
        info.expect_code(0);
        assert_eq!(line(&info, " Disc status:"), "complete", "{case}");
        let tracks = recorded_tracks(&info);
        let &[(0, size)] = tracks.as_slice() else {
            panic!("{case}: one track from LBA 0: {tracks:?}");
        };
        let image_path = dir.path().join("disc.iso");
        std::fs::write(&image_path, read_disc(dir.path(), &drive, size, 0)).unwrap();
        for (name, data) in first_tree() {
            let got = std::process::Command::new(&isoinfo)
                .args(["-R", "-i"])
                .arg(&image_path)
                .args(["-x", &format!("/{name}")])
                .output()
                .unwrap();
            assert!(got.stdout == data, "{case}: /{name} reads back");
        }
        let options = options.join(" ");
        keep_transcripts(&Case {
            name: case,
            commands: &[&format!(
                "growisofs {options} -Z /dev/sr9 -R -J -no-pad first"
            )],
            medium: "dvd-r",
            fault_plan: None,
            runs: &[transcript],
        });
    }
}

/// DVD-R DL: dvd+rw-mediainfo names the medium, its write speeds (8x, 4x, 2x) and its blank
/// capacity, and reads the size of layer 0 from READ DISC STRUCTURE 10h ("Legacy lead-out",
/// from the End Sector Number in Layer 0 of a two-layer disc). growisofs finds feature 0021h
/// not current and engages DAO, then, from the same structure, refuses an image that would
/// not reach layer 1 (growisofs_mmc.cpp: "more than 50% of space will be *wasted*"), without
/// writing.
#[test]
fn mediainfo_describes_a_dvd_minus_r_dl_and_growisofs_refuses_a_small_image_on_it() {
    let Some(Tools {
        growisofs,
        mediainfo,
        ..
    }) = tools()
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = make_image_tree(dir.path(), "first", &first_tree());
    let drive = format!("virt:dvd-r-dl@{}", dir.path().join("disc").display());
    let info = run(dir.path(), &drive, None, &mediainfo, &["/dev/sr9"]);
    info.expect_code(0);
    assert_eq!(
        line(&info, "Mounted Media:"),
        "15h, DVD-R Dual Layer Sequential"
    );
    for (n, speed) in [
        "8.0x1385=11080KB/s",
        "4.0x1385=5540KB/s",
        "2.0x1385=2770KB/s",
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(line(&info, &format!("Write Speed #{n}:")), speed);
    }
    let layer = DVD_R_DL_SECTORS / 2;
    assert_eq!(
        line(&info, "Legacy lead-out at:"),
        format!("{layer}*2KB={}", layer * 2048)
    );
    assert_eq!(line(&info, " Disc status:"), "blank");
    assert_eq!(
        line(&info, " Free Blocks:"),
        format!("{DVD_R_DL_SECTORS}*2KB")
    );

    let transcript = transcript_path(dir.path(), 1);
    let out = run(
        dir.path(),
        &drive,
        Some(&transcript),
        &growisofs,
        &[
            "-Z",
            "/dev/sr9",
            "-R",
            "-J",
            "-no-pad",
            first.to_str().unwrap(),
        ],
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_ne!(out.code, Some(0), "{all}");
    assert!(all.contains("FEATURE 21h is not on, engaging DAO"), "{all}");
    assert!(
        all.contains("more than 50% of space will be *wasted*"),
        "{all}"
    );
    assert!(
        !records(&transcript)
            .iter()
            .any(|r| r.command == "WRITE (10)"),
        "nothing written"
    );
    keep_transcripts(&Case {
        name: "growisofs-refuses-small-dvd-r-dl",
        commands: &["growisofs -Z /dev/sr9 -R -J -no-pad first"],
        medium: "dvd-r-dl",
        fault_plan: None,
        runs: &[transcript],
    });
}

#[test]
fn growisofs_writes_and_adds_to_a_bd_re() {
    grow_twice("bd-re", "growisofs-bd-re", &[], |out, written| {
        assert_eq!(line(out, "INQUIRY:"), "[VIRTDRV ][VIRTUAL WRITER  ][0.1 ]");
        assert_eq!(line(out, "Mounted Media:"), "43h, BD-RE");
        let full = format!("{BD_RE_SECTORS}*2048={}", BD_RE_SECTORS * 2048);
        assert_eq!(line(out, "31h(800):"), full, "the format without spares");
        if written {
            let user = BD_RE_SECTORS - BD_RE_MINIMAL_SPARE_SECTORS;
            let formatted = format!("{user}*2048={}", user * 2048);
            assert_eq!(line(out, " formatted:"), formatted);
            assert_eq!(line(out, "READ CAPACITY:"), formatted);
        } else {
            assert_eq!(line(out, " unformatted:"), full);
        }
    });
}

/// DVD-RAM: sold formatted, written by growisofs through the block node (pwrite64, which
/// the shim turns into WRITE (10) as the sr driver does), `-M` rewriting the volume
/// descriptors at LBA 16 in place.
#[test]
fn growisofs_writes_and_adds_to_a_dvd_ram() {
    grow_twice("dvd-ram", "growisofs-dvd-ram", &[], |out, _| {
        assert_eq!(line(out, "Mounted Media:"), "12h, DVD-RAM");
        let sold = format!("{DVD_RAM_SECTORS}*2048={}", DVD_RAM_SECTORS * 2048);
        assert_eq!(line(out, " formatted:"), sold);
        assert_eq!(line(out, "READ CAPACITY:"), sold);
    });
}

/// BD-R: growisofs pre-formats a blank BD-R (its default `spare:min`: the 32h descriptor of
/// the largest capacity, ISA0 alone) as SRM with Pseudo-OverWrite, writes the first track,
/// and `-M` grows the volume in place as on a rewritable disc: the new track at the next
/// writable address of the one open session, the volume descriptors pseudo-overwritten at
/// LBA 16.
#[test]
fn growisofs_formats_a_bd_r_with_spare_areas_and_grows_it() {
    let image = grow_twice("bd-r", "growisofs-bd-r-spare", &[], |out, written| {
        if written {
            // dvd+rw-mediainfo names the disc by feature 0038h BD-R POW being current.
            assert_eq!(line(out, "Mounted Media:"), "41h, BD-R SRM+POW");
            assert_eq!(
                line(out, " Number of Sessions:"),
                "1",
                "grown in one session"
            );
            assert_eq!(
                disc_end(out),
                BD_R_MIN_SPARE_USER,
                "the spare areas took their room"
            );
        } else {
            assert_eq!(line(out, "Mounted Media:"), "41h, BD-R SRM");
            let full = format!("{BD_RE_SECTORS}*2048={}", BD_RE_SECTORS * 2048);
            assert_eq!(line(out, " unformatted:"), full);
            let default = format!("{BD_R_DEFAULT_USER}*2048={}", BD_R_DEFAULT_USER * 2048);
            assert_eq!(
                line(out, "00h(3000):"),
                default,
                "format 00h, default spares"
            );
            assert_eq!(
                line(out, "32h(3000):"),
                default,
                "format 32h, default spares"
            );
        }
    });
    if image.is_empty() {
        return;
    }
    // The primary volume descriptor at LBA 16, pseudo-overwritten by -M, spans both
    // tracks from LBA 0 (volume space size, bytes 80-83, little-endian).
    let pvd = &image[16 * SECTOR..17 * SECTOR];
    assert_eq!(&pvd[..6], b"\x01CD001", "a primary volume descriptor");
    let volume = u32::from_le_bytes(pvd[80..84].try_into().unwrap()) as usize;
    assert!(
        volume * SECTOR > image.len() / 2,
        "the volume at LBA 16 covers the second track: {volume} sectors of {}",
        image.len() / SECTOR
    );
}

/// `-use-the-force-luke=spare:none`: no format; the BD-R is written in SRM without spare
/// areas, session after session, and keeps its whole capacity.
#[test]
fn growisofs_writes_a_bd_r_without_spare_areas() {
    grow_twice(
        "bd-r",
        "growisofs-bd-r-no-spare",
        &["-use-the-force-luke=spare:none"],
        |out, written| {
            assert_eq!(line(out, "Mounted Media:"), "41h, BD-R SRM");
            let status = if written { "appendable" } else { "blank" };
            assert_eq!(line(out, " Disc status:"), status);
            if written {
                assert_eq!(line(out, " Number of Sessions:"), "3");
                assert_eq!(disc_end(out), BD_RE_SECTORS, "no spare areas");
            }
        },
    );
}

/// The disc turns write-protected at the first WRITE (10) (fixtures/fault-plans): growisofs
/// names the sense, DATA PROTECT / WRITE PROTECTED, and fails with EIO.
#[test]
fn a_write_protect_fault_makes_growisofs_report_write_protection() {
    let (Some(growisofs), Some(_)) = (
        tool("growisofs", "growisofs"),
        tool("genisoimage", "genisoimage"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = make_image_tree(dir.path(), "first", &first_tree());
    let plan = "fixtures/fault-plans/write-protect-on-write.json";
    let plan_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(plan);
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd+rw@{}", disc.display());
    let transcript = transcript_path(dir.path(), 1);
    let out = virtdrive_run_limited(
        dir.path(),
        &[
            "--drive",
            &drive,
            "--fault-plan",
            plan_path.to_str().unwrap(),
            "--transcript",
            transcript.to_str().unwrap(),
        ],
        &growisofs,
        &[
            "-Z",
            "/dev/sr9",
            "-R",
            "-J",
            "-no-pad",
            first.to_str().unwrap(),
        ],
        LIMIT,
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(":-[ WRITE@LBA=0h failed with SK=7h/WRITE PROTECTED]"),
        "{all}"
    );
    // growisofs exits with the errno of the failure: EIO.
    out.expect_code(5);
    let records = records(&transcript);
    let inquiry = records.iter().find(|r| r.command == "INQUIRY").unwrap();
    assert!(String::from_utf8_lossy(&data_in(inquiry)).contains(VENDOR));
    keep_transcripts(&Case {
        name: "growisofs-write-protected-dvd+rw",
        commands: &["growisofs -Z /dev/sr9 -R -J -no-pad first"],
        medium: "dvd+rw",
        fault_plan: Some(plan),
        runs: &[transcript],
    });
}

/// dvd+rw-mediainfo lists every write speed descriptor of a DVD+RW (it asks GET PERFORMANCE
/// for one, then for as many as the data length gives), and `growisofs -speed=4` selects
/// and records at 4x: the SET STREAMING it sends asks 5,540 kB/s, and the drive then reports
/// that speed in effect (growisofs prints it in its own 1x of 1,352 kB/s: 4.1x).
#[test]
fn growisofs_records_a_dvd_plus_rw_at_the_speed_asked_and_mediainfo_lists_every_speed() {
    let Some(Tools {
        growisofs,
        mediainfo,
        ..
    }) = tools()
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = make_image_tree(dir.path(), "first", &first_tree());
    let drive = format!("virt:dvd+rw@{}", dir.path().join("disc").display());

    let info = run(dir.path(), &drive, None, &mediainfo, &["/dev/sr9"]);
    info.expect_code(0);
    for (n, speed) in [
        "8.0x1385=11080KB/s",
        "4.0x1385=5540KB/s",
        "2.4x1385=3324KB/s",
    ]
    .into_iter()
    .enumerate()
    {
        let descriptor = line(&info, &format!("Speed Descriptor#{n}:"));
        assert!(descriptor.ends_with(&format!("W@{speed}")), "{descriptor}");
    }

    let transcript = transcript_path(dir.path(), 1);
    let out = run(
        dir.path(),
        &drive,
        Some(&transcript),
        &growisofs,
        &[
            "-speed=4",
            "-Z",
            "/dev/sr9",
            "-R",
            "-J",
            "-no-pad",
            first.to_str().unwrap(),
        ],
    );
    out.expect_code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("\"Current Write Speed\" is 4.1x1352KBps"),
        "{all}"
    );
    assert_commands_reached_the_emulator(&transcript);
    let records = records(&transcript);
    let streaming = records
        .iter()
        .find(|r| r.command == "SET STREAMING")
        .expect("growisofs sent SET STREAMING");
    let descriptor = hex_bytes(streaming.data_out.as_deref().unwrap_or_default());
    assert_eq!(
        u32::from_be_bytes(descriptor[20..24].try_into().unwrap()),
        5540,
        "write size per second: 4x"
    );
    // The speed in effect, GET PERFORMANCE type 00h with Write set, after SET STREAMING.
    let effect = records
        .iter()
        .rev()
        .find(|r| r.command == "GET PERFORMANCE" && r.cdb.starts_with("AC 04"))
        .map(data_in)
        .expect("growisofs read the write performance in effect");
    assert_eq!(u32::from_be_bytes(effect[12..16].try_into().unwrap()), 5540);
}

/// Sectors of a blank DVD+R DL and its L0 data zone capacity (virtdrive's `dvd_plus_r_dl`,
/// as drives report them).
const DVD_PLUS_R_DL_SECTORS: u64 = 4_173_824;
const DVD_PLUS_R_DL_LAYER0: u64 = 2_086_912;
/// Sectors of a BD-R DL; growisofs formats it with the smallest spare, ISA0 on both layers.
const BD_R_DL_SECTORS: u64 = 24_438_784;
const BD_R_DL_MIN_SPARE_USER: u64 = BD_R_DL_SECTORS - 2 * 4096 * 32;

/// DVD+R DL without `-dvd-compat`: sessions as on a DVD+R, the layer boundary left where the
/// blank disc has it (growisofs sets it only for a `-dvd-compat` image), and no longer
/// settable once written.
#[test]
fn growisofs_writes_and_adds_to_a_dvd_plus_r_dl() {
    grow_twice("dvd+r-dl", "growisofs-dvd+r-dl", &[], |out, written| {
        assert_eq!(line(out, "Mounted Media:"), "2Bh, DVD+R Double Layer");
        let l0 = format!("{DVD_PLUS_R_DL_LAYER0}*2KB");
        let settable = if written { "no longer" } else { "still" };
        assert_eq!(
            line(out, " L0 Data Zone Capacity:"),
            format!("{l0}, can {settable} be set")
        );
        assert_eq!(
            line(out, "Legacy lead-out at:"),
            format!("{l0}={}", DVD_PLUS_R_DL_LAYER0 * 2048),
            "dvd+rw-mediainfo reads a DL disc's end of layer 0"
        );
        if written {
            assert_eq!(line(out, " Disc status:"), "appendable");
            assert_eq!(line(out, " Number of Sessions:"), "3");
            assert_eq!(disc_end(out), DVD_PLUS_R_DL_SECTORS);
        } else {
            assert_eq!(
                line(out, " Free Blocks:"),
                format!("{DVD_PLUS_R_DL_SECTORS}*2KB")
            );
        }
    });
}

/// `-dvd-compat -use-the-force-luke=break:N` on a blank DVD+R DL: growisofs reads the layer
/// boundary (READ DISC STRUCTURE 20h), sends the one it was asked for (SEND DISC STRUCTURE
/// 20h) before the first write, and finalizes the disc; READ DISC STRUCTURE 20h then shows
/// the boundary at N, no longer settable. growisofs takes N only when twice N is more than
/// the blank disc's L0 capacity (it refuses to waste half of the disc), so N is above 1 GB
/// while the image is small: only what is written is stored.
#[test]
fn growisofs_places_the_layer_break_where_asked_on_a_dvd_plus_r_dl() {
    const BREAK: u64 = 1_048_576;
    let (image, runs) = grow(
        "dvd+r-dl",
        "growisofs-dvd+r-dl-break",
        &["-dvd-compat", "-use-the-force-luke=break:1048576"],
        1,
        |out, written| {
            let (l0, settable) = if written {
                (BREAK, "no longer")
            } else {
                (DVD_PLUS_R_DL_LAYER0, "still")
            };
            assert_eq!(
                line(out, " L0 Data Zone Capacity:"),
                format!("{l0}*2KB, can {settable} be set")
            );
            if written {
                assert_eq!(line(out, " Disc status:"), "complete");
                assert_eq!(
                    line(out, "Legacy lead-out at:"),
                    format!("{BREAK}*2KB={}", BREAK * 2048),
                    "layer 0 ends at the break"
                );
            }
        },
    );
    if image.is_empty() {
        return;
    }
    let sent = runs[0]
        .iter()
        .find(|r| r.command == "SEND DISC STRUCTURE")
        .expect("growisofs sent the layer boundary");
    assert!(matches!(
        sent.outcome,
        TraceOutcome::Completed { status: 0, .. }
    ));
    let list = hex_bytes(sent.data_out.as_deref().unwrap_or_default());
    assert_eq!(
        u64::from(u32::from_be_bytes(list[8..12].try_into().unwrap())),
        BREAK,
        "the L0 data zone capacity growisofs sent"
    );
    let first_write = runs[0]
        .iter()
        .position(|r| r.command == "WRITE (10)")
        .unwrap();
    let send = runs[0]
        .iter()
        .position(|r| r.command == "SEND DISC STRUCTURE")
        .unwrap();
    assert!(
        send < first_write,
        "the boundary is set before the first write"
    );
}

/// BD-R DL: growisofs formats the blank disc with its smallest spare (ISA0 on each layer),
/// writes, and `-M` grows the volume in place through Pseudo-OverWrite, as on the single
/// layer BD-R.
#[test]
fn growisofs_formats_a_bd_r_dl_and_grows_it() {
    grow_twice("bd-r-dl", "growisofs-bd-r-dl", &[], |out, written| {
        if written {
            assert_eq!(line(out, "Mounted Media:"), "41h, BD-R SRM+POW");
            assert_eq!(
                disc_end(out),
                BD_R_DL_MIN_SPARE_USER,
                "spare on both layers"
            );
        } else {
            assert_eq!(line(out, "Mounted Media:"), "41h, BD-R SRM");
            let full = format!("{BD_R_DL_SECTORS}*2048={}", BD_R_DL_SECTORS * 2048);
            assert_eq!(line(out, " unformatted:"), full);
            let user = BD_R_DL_SECTORS - 2 * (4096 + 8192) * 32;
            assert_eq!(
                line(out, "00h(6000):"),
                format!("{user}*2048={}", user * 2048),
                "format 00h, the default spare of both layers"
            );
        }
    });
}

/// dvd+rw-mediainfo on each blank multi-layer disc: the profile, the capacity, the speeds.
#[test]
fn mediainfo_names_each_multi_layer_medium_and_its_capacity() {
    let Some(mediainfo) = tool("dvd+rw-mediainfo", "dvd+rw-tools") else {
        return;
    };
    for (medium, mounted, sectors, fastest) in [
        (
            "dvd+r-dl",
            "2Bh, DVD+R Double Layer",
            4_173_824u64,
            "4.0x1385=5540KB/s",
        ),
        ("bd-r-dl", "41h, BD-R SRM", 24_438_784, "6.0x4495=26970KB/s"),
        ("bd-r-xl", "41h, BD-R SRM", 48_878_592, "4.0x4495=17980KB/s"),
        (
            "bd-r-xl4",
            "41h, BD-R SRM",
            62_500_864,
            "4.0x4495=17980KB/s",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let drive = format!("virt:{medium}@{}", dir.path().join("disc").display());
        let transcript = transcript_path(dir.path(), 1);
        let out = run(
            dir.path(),
            &drive,
            Some(&transcript),
            &mediainfo,
            &["/dev/sr9"],
        );
        out.expect_code(0);
        keep_transcripts(&Case {
            name: &format!("mediainfo-{}", medium.replace('+', "-plus-")),
            commands: &["dvd+rw-mediainfo /dev/sr9"],
            medium,
            fault_plan: None,
            runs: &[transcript],
        });
        assert_eq!(line(&out, "Mounted Media:"), mounted, "{medium}");
        assert_eq!(line(&out, "Write Speed #0:"), fastest, "{medium}");
        assert_eq!(
            line(&out, " Free Blocks:"),
            format!("{sectors}*2KB"),
            "{medium}"
        );
        assert_eq!(
            line(&out, " Track Size:"),
            format!("{sectors}*2KB"),
            "{medium}"
        );
    }
}
