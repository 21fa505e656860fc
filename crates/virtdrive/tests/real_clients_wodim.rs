//! wodim (cdrkit), unmodified, burns an ISO image onto the emulator's CD-R through
//! `virtdrive run` and the preload shim, in track-at-once and in session-at-once, always with
//! `dev=` given (its bus scan reads /sys, which names no emulated drive). Each test asserts
//! that wodim saw the emulator's identity, then reads the disc back through the emulator and
//! compares it with the image byte for byte. `-dummy` runs the whole burn with the laser off
//! and leaves the disc blank.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::time::Duration;

use real_clients::{
    disc_information, keep_transcripts, make_tree, read_disc, tool, transcript_path,
    virtdrive_run_limited, Case, Outcome, RecordedRuns,
};
use virtdrive::medium::MediumKind;

/// wodim loops forever when TEST UNIT READY and the other commands disagree about readiness;
/// a run that takes longer than this has hung.
const LIMIT: Duration = Duration::from_secs(120);
/// wodim pads a data track to the 4-second (300-sector) minimum of the Red Book.
const MINIMUM_TRACK: usize = 300;
const SECTOR: usize = 2048;

/// An ISO 9660 image of a small fixed tree, made by genisoimage; without the 150 sectors of
/// padding genisoimage adds by default (the transcripts carry every sector written, in hex).
fn make_iso(genisoimage: &Path, dir: &Path) -> PathBuf {
    let tree = dir.join("tree");
    make_tree(
        &tree,
        &[
            (
                "README.TXT",
                b"written by wodim onto a virtual CD-R\n".to_vec(),
            ),
            (
                "data/numbers.txt",
                (0..3000)
                    .map(|n| format!("{n}\n"))
                    .collect::<String>()
                    .into_bytes(),
            ),
        ],
    );
    let iso = dir.join("image.iso");
    let status = std::process::Command::new(genisoimage)
        .args(["-quiet", "-R", "-J", "-no-pad", "-V", "VIRTDRIVE", "-o"])
        .arg(&iso)
        .arg(&tree)
        .status()
        .unwrap();
    assert!(status.success(), "genisoimage made the image");
    iso
}

/// wodim's own lines naming the drive it opened (`wodim -v`).
fn assert_saw_the_emulator(out: &Outcome) {
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("Vendor_info    : 'VIRTDRV '"),
        "wodim did not see the emulator's vendor\n{all}"
    );
    assert!(
        all.contains("Identification : 'VIRTUAL WRITER  '"),
        "wodim did not see the emulator's product\n{all}"
    );
}

/// Burns `image.iso` with `mode` (`-tao` or `-sao`) through `node`, then checks the disc.
fn burn_and_compare(case: &str, mode: &str, node: &str, expect_mode_line: &str) {
    let (Some(wodim), Some(genisoimage)) =
        (tool("wodim", "wodim"), tool("genisoimage", "genisoimage"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let iso = make_iso(&genisoimage, dir.path());
    let image = std::fs::read(&iso).unwrap();
    assert_eq!(image.len() % SECTOR, 0);
    let disc = dir.path().join("disc");
    let drive = format!("virt:cd-r@{}", disc.display());
    let transcript = transcript_path(dir.path(), 1);
    let dev = format!("dev={node}");
    let out = virtdrive_run_limited(
        dir.path(),
        &[
            "--drive",
            &drive,
            "--transcript",
            transcript.to_str().unwrap(),
        ],
        &wodim,
        &["-v", &dev, mode, "gracetime=2", iso.to_str().unwrap()],
        LIMIT,
    );
    out.expect_code(0);
    assert_saw_the_emulator(&out);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains(expect_mode_line), "{all}");
    assert!(all.contains("Starting new track at sector: 0"), "{all}");
    // Every sector wodim wrote went to the drive: the image, then its padding up to the
    // shortest track a CD may hold.
    let written = image.len().max(MINIMUM_TRACK * SECTOR);
    assert!(
        all.contains(&format!(
            "Total bytes read/written: {}/{written}",
            image.len()
        )),
        "{all}"
    );

    let back = read_disc(dir.path(), &drive, (written / SECTOR) as u64, 0);
    assert_eq!(back.len(), written, "the whole track reads back");
    assert!(
        back[..image.len()] == image[..],
        "the track holds the image"
    );
    assert!(
        back[image.len()..].iter().all(|&b| b == 0),
        "wodim's padding is zeros"
    );

    keep_transcripts(&Case {
        name: case,
        commands: &[&format!("wodim -v {dev} {mode} gracetime=2 image.iso")],
        medium: "cd-r",
        fault_plan: None,
        runs: &[transcript],
    });
}

#[test]
fn wodim_burns_an_iso_onto_cd_r_track_at_once() {
    burn_and_compare("wodim-tao-cd-r", "-tao", "/dev/sg9", "in real TAO mode");
}

#[test]
fn wodim_burns_an_iso_onto_cd_r_session_at_once() {
    burn_and_compare("wodim-sao-cd-r", "-sao", "/dev/sr9", "in real SAO mode");
}

/// `wodim -dummy` with `mode` (none: wodim's default) on a blank `kind` (a test write, page
/// 05h Test Write): wodim writes the whole track and fixates with the laser off and exits 0,
/// and the drive still reports a blank disc (READ DISC INFORMATION); a real burn in the same
/// mode then records the image and closes the disc.
fn dummy_then_real(kind: MediumKind, mode: Option<&str>, mode_name: &str, case: &str) {
    let (Some(wodim), Some(genisoimage)) =
        (tool("wodim", "wodim"), tool("genisoimage", "genisoimage"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let iso = make_iso(&genisoimage, dir.path());
    let image = std::fs::read(&iso).unwrap();
    let disc = dir.path().join("disc");
    let medium = kind.name();
    let drive = format!("virt:{medium}@{}", disc.display());
    let mut runs = RecordedRuns::new(dir.path(), &drive, &wodim).limited(LIMIT);
    let mut run = |args: &[&str]| {
        let out = runs.run(args);
        out.expect_code(0);
        assert_saw_the_emulator(&out);
        format!("{}{}", out.stdout, out.stderr)
    };
    let args = |dummy: bool| -> Vec<&str> {
        let mut args = vec!["-v"];
        args.extend(dummy.then_some("-dummy"));
        args.extend(mode);
        args.extend(["dev=/dev/sr9", "gracetime=2"]);
        args
    };
    let iso_arg = iso.to_str().unwrap();

    let dummy = run(&[args(true).as_slice(), &[iso_arg]].concat());
    assert!(
        dummy.contains(&format!("in dummy {mode_name} mode")),
        "{dummy}"
    );
    assert!(dummy.contains("Starting new track at sector: 0"), "{dummy}");
    assert!(dummy.contains("Fixating..."), "{dummy}");
    assert!(!dummy.contains("Cannot fixate"), "{dummy}");
    let info = disc_information(kind, &disc);
    assert_eq!(info[2], 0x00, "disc status blank, last session empty");

    let real = run(&[args(false).as_slice(), &[iso_arg]].concat());
    assert!(
        real.contains(&format!("in real {mode_name} mode")),
        "{real}"
    );
    assert!(real.contains("Starting new track at sector: 0"), "{real}");
    let info = disc_information(kind, &disc);
    assert_eq!(info[2] & 0x0F, 0x0E, "disc and last session complete");
    let back = read_disc(dir.path(), &drive, (image.len() / SECTOR) as u64, 0);
    assert!(back == image, "the track holds the image");

    let commands = [true, false].map(|dummy| format!("wodim {} image.iso", args(dummy).join(" ")));
    keep_transcripts(&Case {
        name: case,
        commands: &[&commands[0], &commands[1]],
        medium,
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

#[test]
fn wodim_dummy_leaves_the_cd_r_blank_and_a_real_burn_follows() {
    dummy_then_real(MediumKind::CdR80, None, "TAO", "wodim-dummy-cd-r");
}

/// On DVD-R, `-dao`: wodim's DVD driver reserves the track (RESERVE TRACK), writes it in
/// Disc-at-Once and flushes; the real burn's flush closes the disc.
#[test]
fn wodim_dummy_dao_leaves_a_dvd_minus_r_blank_and_a_real_burn_follows() {
    dummy_then_real(
        MediumKind::DvdR,
        Some("-dao"),
        "SAO",
        "wodim-dummy-dao-dvd-r",
    );
}

/// The disc turns write-protected at the first WRITE (10) (fixtures/fault-plans): wodim
/// reports the sense it got, DATA PROTECT / WRITE PROTECTED, and fails.
#[test]
fn a_write_protect_fault_makes_wodim_report_write_protection() {
    let (Some(wodim), Some(genisoimage)) =
        (tool("wodim", "wodim"), tool("genisoimage", "genisoimage"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let iso = make_iso(&genisoimage, dir.path());
    let plan = "fixtures/fault-plans/write-protect-on-write.json";
    let plan_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(plan);
    let disc = dir.path().join("disc");
    let drive = format!("virt:cd-r@{}", disc.display());
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
        &wodim,
        &[
            "-v",
            "dev=/dev/sg9",
            "-tao",
            "gracetime=2",
            iso.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_saw_the_emulator(&out);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_ne!(out.code, Some(0), "wodim must fail\n{all}");
    assert!(all.contains("Sense Key: 0x7 Data Protect"), "{all}");
    assert!(
        all.contains("Sense Code: 0x27 Qual 0x00 (write protected)"),
        "{all}"
    );
    assert!(all.contains("A write error occured"), "{all}");
    keep_transcripts(&Case {
        name: "wodim-write-protected-cd-r",
        commands: &["wodim -v dev=/dev/sg9 -tao gracetime=2 image.iso"],
        medium: "cd-r",
        fault_plan: Some(plan),
        runs: &[transcript],
    });
}
