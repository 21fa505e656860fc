//! `discwriter info` on virtual drives, as a user runs it.

mod common;

use common::discwriter;

fn info_json(drive: &str, home: &std::path::Path) -> serde_json::Value {
    let o = discwriter(&["info", "--drive", drive, "--json"], home);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

#[test]
fn a_blank_disc_of_each_medium_is_described() {
    let dir = tempfile::tempdir().unwrap();
    // (medium, profile, free sectors, total sectors, next writable address), from the
    // capacities of real discs: an 80-minute CD-R has 359,849 sectors before its lead-out, 2
    // of which a TAO track's run-out takes, and an image may have 150 fewer (the post-gap the
    // writer appends); a 74-minute one 333,000; DVD+RW 2,295,104; BD-RE 12,219,392 without
    // spare areas, and no writable address until it is formatted: an image may have the
    // 11,826,176 sectors the default format with spare areas leaves.
    let cases = [
        ("cd-r", "CD-R", 359_847 - 150, 359_847, Some(0)),
        ("cd-r74", "CD-R", 332_998 - 150, 332_998, Some(0)),
        ("dvd+rw", "DVD+RW", 2_295_104, 2_295_104, Some(0)),
        ("bd-re", "BD-RE", 11_826_176, 12_219_392, None),
    ];
    for (medium, profile, free, total, nwa) in cases {
        // A disc in memory: a virtual drive without a file.
        let v = info_json(&format!("virt:{medium}"), dir.path());
        assert_eq!(v["vendor"], "VIRTDRV", "{medium}");
        assert_eq!(v["profile"], profile, "{medium}");
        assert_eq!(v["status"], "blank", "{medium}");
        assert_eq!(v["sessions"], 0, "{medium}");
        assert_eq!(v["free_sectors"], free, "{medium}");
        assert_eq!(v["total_sectors"], total, "{medium}");
        assert_eq!(
            v["next_writable_address"],
            serde_json::json!(nwa),
            "{medium}"
        );
        assert_eq!(v["write_protected"], false, "{medium}");
    }
}

/// The multi-layer write-once discs, with their whole capacity: DVD+R DL 4,173,824 sectors,
/// BD-R DL 24,438,784, BD-R XL 48,878,592 (100 GB) and 62,500,864 (128 GB).
#[test]
fn a_blank_multi_layer_disc_is_described() {
    let dir = tempfile::tempdir().unwrap();
    for (medium, profile, sectors) in [
        ("dvd+r-dl", "DVD+R DL", 4_173_824u64),
        ("bd-r-dl", "BD-R SRM", 24_438_784),
        ("bd-r-xl", "BD-R SRM", 48_878_592),
        ("bd-r-xl4", "BD-R SRM", 62_500_864),
    ] {
        let v = info_json(&format!("virt:{medium}"), dir.path());
        assert_eq!(v["profile"], profile, "{medium}");
        assert_eq!(v["status"], "blank", "{medium}");
        assert_eq!(v["free_sectors"], sectors, "{medium}");
        assert_eq!(v["total_sectors"], sectors, "{medium}");
        assert_eq!(v["next_writable_address"], 0, "{medium}");
    }
    let o = discwriter(&["info", "--drive", "virt:bd-r-xl5"], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bd-r-xl, bd-r-xl4"), "{err}");
}

#[test]
fn info_names_the_imapi_media_type() {
    let dir = tempfile::tempdir().unwrap();
    for (medium, name) in [
        ("bd-r", "BDR"),
        ("dvd+r", "DVDPLUSR"),
        ("cd-r", "CDR"),
        ("dvd-rom", "DVDROM"),
    ] {
        let v = info_json(&format!("virt:{medium}"), dir.path());
        assert_eq!(v["media_type"], name, "{medium}");
        let o = discwriter(&["info", "--drive", &format!("virt:{medium}")], dir.path());
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains(&format!("Media type:  IMAPI_MEDIA_TYPE_{name}\n")),
            "{medium}: {text}"
        );
    }
}

#[test]
fn info_on_a_missing_disc_file_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        dir.path().join("x.disc"),
        dir.path().join("no/such/dir/x.disc"),
    ] {
        for command in ["info", "read", "eject"] {
            let drive = format!("virt:bd-re@{}", path.display());
            let mut args = vec![command, "--drive", &drive];
            let out = dir.path().join("out.bin");
            let out = out.to_str().unwrap();
            if command == "read" {
                args.insert(1, out);
            }
            let o = discwriter(&args, dir.path());
            assert_eq!(o.status.code(), Some(1), "{command} {}", path.display());
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("no such disc"), "{command}: {err}");
            let hint = if path.parent() == Some(dir.path()) {
                "creates it"
            } else {
                "does not exist"
            };
            assert!(err.contains(hint), "{command}: {err}");
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file, no folder"
    );
}

#[test]
fn a_written_disc_is_seen_by_the_next_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cd.disc");
    let drive = format!("virt:cd-r@{}", file.display());
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = info_json(&drive, dir.path());
    assert_eq!(v["status"], "appendable");
    assert_eq!(v["sessions"], 1);
    // Looking changes nothing: a second look sees the same, and the file is not rewritten.
    let state = std::fs::read(dir.path().join("cd.disc.state.json")).unwrap();
    assert_eq!(info_json(&drive, dir.path()), v);
    assert_eq!(
        std::fs::read(dir.path().join("cd.disc.state.json")).unwrap(),
        state
    );
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

#[test]
fn without_drive_the_embedded_bd_re_in_the_data_directory_is_used() {
    let home = tempfile::tempdir().unwrap();
    let disc = home
        .path()
        .join(".local/share/discwriter/default-bd-re.disc");
    // Before the first write it is a blank BD-RE, shown without creating anything.
    let o = discwriter(&["info", "--json"], home.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["profile"], "BD-RE");
    assert_eq!(v["status"], "blank");
    assert!(!home.path().join(".local").exists());
    // The first write makes it, folders included (they are the command's own).
    let o = discwriter(&["write", SAMPLE, "--verify", "none"], home.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(disc.exists());
    let o = discwriter(&["info", "--json"], home.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(v["status"], "blank");
}

#[test]
fn a_disc_of_unknown_format_and_a_wrong_medium_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["info", "--drive", "virt:unknown"], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE"), "{err}");

    let file = dir.path().join("disc");
    let spec = format!("virt:cd-r@{}", file.display());
    assert!(discwriter(&["write", SAMPLE, "--drive", &spec], dir.path())
        .status
        .success());
    let o = discwriter(
        &["info", "--drive", &format!("virt:bd-re@{}", file.display())],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("holds a cd-r disc, not a bd-re"), "{err}");

    let o = discwriter(&["info", "--drive", "/dev/sr0"], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    if cfg!(feature = "sgio") {
        assert!(err.contains("/dev/sr0"), "{err}");
    } else {
        assert!(err.contains("sgio"), "{err}");
    }
}

#[test]
fn a_corrupt_disc_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.disc");
    std::fs::write(&file, b"").unwrap();
    std::fs::write(dir.path().join("bad.disc.state.json"), b"{ not json").unwrap();
    let o = discwriter(
        &["info", "--drive", &format!("virt:cd-r@{}", file.display())],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("bad.disc"), "{err}");
}

/// `info --json`'s `multisession`: the sequential interface of a CD-R says where the next
/// `write` goes and where the last one went; a DVD+RW's random-write interface gives the last
/// LBA written; a DVD-ROM has none.
#[test]
fn the_multisession_object_follows_the_writes() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
    // Blank: a disc in memory (info does not create a disc file).
    let m = &info_json("virt:cd-r", dir.path())["multisession"];
    assert_eq!(m["interface"], "IMultisessionSequential2", "{m}");
    assert_eq!(m["is_first_data_session"], true, "{m}");
    assert_eq!(m["start_address_of_previous_session"], -1, "{m}");
    assert_eq!(m["write_unit_size"], 1, "{m}");
    assert_eq!(m["import_recorder"]["vendor"], "VIRTDRV", "{m}");
    let mut next = m["next_writable_address"].clone();
    let cd = format!("virt:cd-r@{}", dir.path().join("cd").display());
    for _ in 0..2 {
        let o = discwriter(&["write", sample, "--drive", &cd, "--json"], dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout);
        let result: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        // The write went where `multisession` said it would.
        assert_eq!(result["result"]["start_lba"], next, "{out}");
        let v = info_json(&cd, dir.path());
        let m = &v["multisession"];
        assert_eq!(m["is_first_data_session"], false, "{m}");
        assert_eq!(
            m["start_address_of_previous_session"],
            result["result"]["start_lba"]
        );
        assert_eq!(
            m["next_writable_address"], v["next_writable_address"],
            "{v}"
        );
        assert_eq!(m["free_sectors_on_media"], v["free_sectors"], "{v}");
        next = m["next_writable_address"].clone();
    }

    let blank = &info_json("virt:dvd+rw", dir.path())["multisession"];
    assert_eq!(blank["last_written_address"], -1, "{blank}");
    let rw = format!("virt:dvd+rw@{}", dir.path().join("rw").display());
    let o = discwriter(&["write", sample, "--drive", &rw], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = &info_json(&rw, dir.path())["multisession"];
    assert_eq!(m["interface"], "IMultisessionRandomWrite", "{m}");
    // sample.iso has 248 sectors; the drive records whole 16-sector ECC blocks.
    assert_eq!(m["last_written_address"], 255, "{m}");
    assert_eq!(m["write_unit_size"], 16, "{m}");

    assert!(info_json("virt:dvd-rom", dir.path())["multisession"].is_null());
}
