//! `discwriter read` gives back what was written, as `cmp IMAGE OUT` checks it: on every
//! medium, for an ISO 9660 image and for raw data, after overwrites and formats, per session,
//! for the whole disc, and without leaving anything behind when it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{discwriter, image};
use discwriter::{DataWriter, Recorder, WriteOptions};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

fn ok(o: Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(o: Output, what: &str) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{what}: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Raw data that is no file system, of an odd number of sectors (not a whole ECC block).
fn raw(dir: &Path, sectors: u64, tag: u8) -> PathBuf {
    let path = dir.join(format!("raw-{sectors}-{tag}.bin"));
    std::fs::write(&path, image(sectors, tag)).unwrap();
    path
}

#[test]
fn write_then_read_gives_the_image_back_on_every_medium() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = std::fs::read(SAMPLE).unwrap();
    let data = raw(d, 1001, 1);
    for kind in MediumKind::ALL {
        let medium = kind.name();
        let drive = format!(
            "virt:{medium}@{}",
            d.join(format!("{medium}.disc")).display()
        );
        let out = d.join(format!("{medium}.out"));
        if matches!(kind, MediumKind::DvdRom | MediumKind::Unknown) {
            // A pressed DVD-ROM and a disc of unknown format are not written: refused with
            // IMAPI's codes, and nothing is made.
            let err = fails(discwriter(&["write", SAMPLE, "--drive", &drive], d), medium);
            let code = if kind == MediumKind::Unknown {
                "E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE"
            } else {
                "E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED"
            };
            assert!(err.contains(code), "{medium}: {err}");
            continue;
        }
        for (n, (img, bytes)) in [
            (PathBuf::from(SAMPLE), &sample),
            (data.clone(), &std::fs::read(&data).unwrap()),
        ]
        .into_iter()
        .enumerate()
        {
            if n > 0 && kind == MediumKind::DvdRDl {
                // A DVD-R DL is written once, Disc-at-Once, and closed by it.
                let err = fails(
                    discwriter(&["write", p(&img), "--drive", &drive], d),
                    medium,
                );
                assert!(err.contains("E_IMAPI_DF2DATA_INVALID_MEDIA_STATE"), "{err}");
                continue;
            }
            // A DVD+R (DL) stays appendable for the second image only without the compatible
            // close.
            let mut args = vec!["write", p(&img), "--drive", &drive, "--overwrite"];
            if matches!(kind, MediumKind::DvdPlusR | MediumKind::DvdPlusRDl) {
                args.push("--disable-dvd-compatibility");
            }
            ok(discwriter(&args, d), medium);
            ok(discwriter(&["read", p(&out), "--drive", &drive], d), medium);
            let back = std::fs::read(&out).unwrap();
            assert!(
                back == *bytes,
                "{medium} {}: {} bytes read back, {} written",
                img.display(),
                back.len(),
                bytes.len()
            );
        }
    }
}

#[test]
fn a_cd_r_session_reads_back_without_its_post_gap_and_the_whole_disc_reports_its_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    let first = raw(d, 9766, 2);
    ok(
        discwriter(&["write", p(&first), "--drive", &drive], d),
        "session 1",
    );
    ok(
        discwriter(&["write", SAMPLE, "--drive", &drive], d),
        "session 2",
    );
    let out = d.join("s1.bin");
    // Session 1 holds raw data: its data track, less the 150-sector post-gap the writer added.
    let said = ok(
        discwriter(&["read", p(&out), "--drive", &drive, "--session", "1"], d),
        "session 1",
    );
    assert!(said.contains("without the 150-sector post-gap"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&first).unwrap());
    // Session 2 (the last, read by default) is the ISO image.
    let last = d.join("last.iso");
    ok(
        discwriter(&["read", p(&last), "--drive", &drive], d),
        "last",
    );
    assert_eq!(
        std::fs::read(&last).unwrap(),
        std::fs::read(SAMPLE).unwrap()
    );
    // --all: LBA 0 to the end of session 2's track, the gap between the sessions (run-out,
    // lead-out, lead-in, pre-gap) written as zeros and reported, never silently.
    let all = d.join("all.bin");
    let o = discwriter(&["read", p(&all), "--drive", &drive, "--all"], d);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    ok(o, "--all");
    assert!(
        err.contains("LBA 9916-21317 (11402 sectors) not read"),
        "{err}"
    );
    let bytes = std::fs::read(&all).unwrap();
    assert_eq!(bytes.len(), (21_318 + 248 + 150) * 2048);
    assert_eq!(bytes[..9766 * 2048], std::fs::read(&first).unwrap()[..]);
    assert!(bytes[9916 * 2048..21_318 * 2048].iter().all(|&b| b == 0));
    assert_eq!(
        bytes[21_318 * 2048..(21_318 + 248) * 2048],
        std::fs::read(SAMPLE).unwrap()[..]
    );
}

#[test]
fn a_bd_re_reads_back_the_last_write_not_its_capacity_nor_an_older_longer_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:bd-re@{}", d.join("bd.disc").display());
    let long = raw(d, 3000, 3);
    let short = raw(d, 500, 4);
    let out = d.join("out.bin");
    ok(
        discwriter(&["write", p(&long), "--drive", &drive], d),
        "long",
    );
    ok(discwriter(&["read", p(&out), "--drive", &drive], d), "read");
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&long).unwrap());
    ok(
        discwriter(&["write", p(&short), "--drive", &drive, "--overwrite"], d),
        "short",
    );
    for args in [vec![], vec!["--session", "1"]] {
        let mut a = vec!["read", p(&out), "--drive", &drive];
        a.extend(args);
        ok(discwriter(&a, d), "read after overwrite");
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&short).unwrap());
    }
    // An ISO image written over a longer raw one: the ISO's own size.
    ok(
        discwriter(&["write", SAMPLE, "--drive", &drive, "--overwrite"], d),
        "iso",
    );
    ok(discwriter(&["read", p(&out), "--drive", &drive], d), "read");
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(SAMPLE).unwrap());
    // After a format there is nothing written: not 24 GB of zeros, but a clear error, and
    // no OUT.
    std::fs::remove_file(&out).unwrap();
    ok(
        discwriter(&["format", "--drive", &drive, "--quick"], d),
        "format",
    );
    let err = fails(discwriter(&["read", p(&out), "--drive", &drive], d), "read");
    assert!(err.contains("--sectors N"), "{err}");
    assert!(!out.exists());
    assert_eq!(leftovers(d), Vec::<String>::new());
}

/// Files a failed read would have left: temporary ones.
fn leftovers(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

/// A disc written by another program (through the engine, with no record kept): what it
/// holds is found from its file system.
fn written_elsewhere(kind: MediumKind, path: &Path, data: &[u8]) {
    let drive = DiscFileDrive::open(kind, path, DriveConfig::default()).unwrap();
    let w = DataWriter::new();
    w.set_recorder(Recorder::open(drive).unwrap()).unwrap();
    w.set_client_name("another program").unwrap();
    w.set_options(WriteOptions::default()).unwrap();
    w.write(
        &mut std::io::Cursor::new(data.to_vec()),
        data.len() as u64,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    let mut drive = w.take_recorder().unwrap().unwrap().into_transport();
    drive.commit().unwrap();
}

#[test]
fn without_a_record_of_the_write_the_volume_on_the_disc_gives_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = std::fs::read(SAMPLE).unwrap();
    for kind in [
        MediumKind::DvdPlusRw,
        MediumKind::BdRe,
        MediumKind::DvdPlusR,
    ] {
        let disc = d.join(format!("{}.disc", kind.name()));
        written_elsewhere(kind, &disc, &sample);
        let drive = format!("virt:{}@{}", kind.name(), disc.display());
        let out = d.join("out.iso");
        let said = ok(
            discwriter(&["read", p(&out), "--drive", &drive], d),
            kind.name(),
        );
        assert!(said.contains("the ISO 9660 volume"), "{said}");
        assert_eq!(std::fs::read(&out).unwrap(), sample, "{}", kind.name());
    }
    // Raw data on an overwritable disc with no record: the length is not known.
    let disc = d.join("raw.disc");
    written_elsewhere(MediumKind::DvdPlusRw, &disc, &image(100, 5));
    let drive = format!("virt:dvd+rw@{}", disc.display());
    let out = d.join("raw.out");
    let err = fails(discwriter(&["read", p(&out), "--drive", &drive], d), "raw");
    assert!(err.contains("give --sectors N"), "{err}");
    assert!(!out.exists());
    ok(
        discwriter(&["read", p(&out), "--drive", &drive, "--sectors", "100"], d),
        "--sectors",
    );
    assert_eq!(std::fs::read(&out).unwrap(), image(100, 5));
}

#[test]
fn a_udf_volume_gives_its_size_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let img = d.join("udf.img");
    std::fs::write(&img, vec![0u8; 3000 * 2048]).unwrap();
    let made = std::process::Command::new("mkudffs")
        .args(["--media-type=hd", "--blocksize=2048", p(&img)])
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        _ if std::env::var_os("CI").is_some() => panic!("mkudffs (udftools) is needed in CI"),
        _ => {
            eprintln!(
                "NOTICE: mkudffs (Debian's udftools) is not installed; the UDF case is skipped"
            );
            return;
        }
    }
    let udf = std::fs::read(&img).unwrap();
    let disc = d.join("udf.disc");
    written_elsewhere(MediumKind::BdRe, &disc, &udf);
    let out = d.join("out.udf");
    let drive = format!("virt:bd-re@{}", disc.display());
    let said = ok(discwriter(&["read", p(&out), "--drive", &drive], d), "udf");
    assert!(said.contains("the UDF volume"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), udf);
}

#[test]
fn a_read_that_fails_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-r@{}", d.join("cd.disc").display());
    ok(
        discwriter(&["write", SAMPLE, "--drive", &drive], d),
        "write",
    );
    let out = d.join("out.bin");
    std::fs::write(&out, b"what was there before").unwrap();
    // Past the end of what is recorded: the drive refuses a sector in the middle.
    let err = fails(
        discwriter(
            &[
                "read",
                p(&out),
                "--drive",
                &drive,
                "--start",
                "200",
                "--sectors",
                "500",
            ],
            d,
        ),
        "read past the track",
    );
    assert!(err.contains("could not read the sectors from LBA"), "{err}");
    assert!(err.contains("was not written"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"what was there before");
    assert_eq!(leftovers(d), Vec::<String>::new());
}

#[test]
fn read_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:dvd+r@{}", d.join("r.disc").display());
    ok(
        discwriter(&["write", SAMPLE, "--drive", &drive], d),
        "write",
    );
    let o = discwriter(&["read", "-", "--drive", &drive], d);
    assert!(o.status.success());
    assert_eq!(o.stdout, std::fs::read(SAMPLE).unwrap());
    assert!(String::from_utf8_lossy(&o.stderr).contains("to standard output"));
}
