//! cdrdao 1.2.4, unmodified, against the emulator through `virtdrive run`: it finds the drive
//! in sysfs (`scanbus` globs `/sys/bus/scsi/devices/*`, which the shim shows from the run's
//! folder), talks to it with SG_IO headers whose direction it leaves 0 for commands without
//! data (as the sg driver accepts), and writes a MODE1 data track in disc-at-once that reads
//! back byte for byte.
#![cfg(target_os = "linux")]

mod real_clients;

use real_clients::{read_disc, tool, virtdrive_run, Bench, Outcome, PRODUCT, VENDOR};

/// cdrdao prints its reports on stderr.
fn report(out: &Outcome) -> String {
    format!("{}{}", out.stdout, out.stderr)
}

/// The value after `label` in cdrdao's `disk-info` report (`CD-R empty           : yes`).
fn info<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == label).then(|| v.trim())
    })
}

/// `cdrdao scanbus` lists the drive at its block node with INQUIRY's identity.
#[test]
fn cdrdao_scanbus_finds_the_drive_in_sysfs() {
    let Some(cdrdao) = tool("cdrdao", "cdrdao") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = virtdrive_run(dir.path(), &["--drive", "virt:cd-r"], &cdrdao, &["scanbus"]);
    out.expect_code(0);
    let text = report(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("/dev/sr9"))
        .unwrap_or_else(|| panic!("no /dev/sr9 in scanbus:\n{text}"));
    let fields: Vec<&str> = line.split([':', ',']).map(str::trim).collect();
    assert_eq!(fields, ["/dev/sr9", VENDOR, PRODUCT, "0.1"], "{line}");
}

/// disk-info on a blank CD-R, then a disc-at-once write of one MODE1 track from a .toc file:
/// disk-info and read-toc see the written disc, and its sectors read back as written.
#[test]
fn cdrdao_writes_a_mode1_track_that_reads_back() {
    let Some(cdrdao) = tool("cdrdao", "cdrdao") else {
        return;
    };
    let mut b = Bench::new("cd-r");
    let blank = b.run(&cdrdao, &["disk-info", "--device", "/dev/sr9"]);
    blank.expect_code(0);
    let text = report(&blank);
    assert_eq!(info(&text, "CD-RW"), Some("no"), "{text}");
    assert_eq!(info(&text, "CD-R empty"), Some("yes"), "{text}");

    const SECTORS: usize = 600;
    let data: Vec<u8> = (0..SECTORS * 2048)
        .map(|i| (i / 2048 * 7 + i % 251) as u8)
        .collect();
    std::fs::write(b.path("data.bin"), &data).unwrap();
    std::fs::write(
        b.path("data.toc"),
        "CD_ROM\nTRACK MODE1\nDATAFILE \"data.bin\"\n",
    )
    .unwrap();
    let toc = b.path("data.toc");
    // -n: no 10-second pause before writing.
    let write = b.run(
        &cdrdao,
        &["write", "--device", "/dev/sr9", "-n", toc.to_str().unwrap()],
    );
    write.expect_code(0);
    assert!(
        report(&write).contains(&format!("Wrote {SECTORS} blocks")),
        "{}",
        report(&write)
    );

    let written = b.run(&cdrdao, &["disk-info", "--device", "/dev/sr9"]);
    written.expect_code(0);
    let text = report(&written);
    assert_eq!(info(&text, "CD-R empty"), Some("no"), "{text}");
    assert_eq!(info(&text, "Sessions"), Some("1"), "{text}");
    assert_eq!(info(&text, "Last Track"), Some("1"), "{text}");
    // Disc-at-once closes the disc.
    assert_eq!(info(&text, "Appendable"), Some("no"), "{text}");

    let back = b.path("back.toc");
    let read_toc = b.run(
        &cdrdao,
        &["read-toc", "--device", "/dev/sr9", back.to_str().unwrap()],
    );
    read_toc.expect_code(0);
    let text = report(&read_toc);
    // READ SUB-CHANNEL answers the catalog number (none: MCVAL 0), READ CD the data track's
    // sector header, from which cdrdao takes its mode rather than assuming MODE1.
    for complaint in [
        "Cannot get catalog number",
        "Cannot determine mode",
        "Cannot read",
    ] {
        assert!(!text.contains(complaint), "{text}");
    }
    let toc = std::fs::read_to_string(&back).unwrap();
    assert!(toc.contains("TRACK MODE1"), "{toc}");
    assert!(
        !toc.contains("CATALOG"),
        "no catalog number on the disc: {toc}"
    );
    // 600 sectors are 8 seconds at 75 sectors a second: length 00:08:00.
    assert!(toc.contains("00:08:00"), "{toc}");

    b.keep("cdrdao_mode1_track");
    let read = read_disc(b.dir.path(), &b.drive, SECTORS as u64, 0);
    assert!(read == data, "the track reads back as written");
}
