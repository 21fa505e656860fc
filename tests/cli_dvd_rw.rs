//! The `discwriter` command on a DVD-RW kept in a disc file (`--drive virt:dvd-rw@FILE`), as a
//! user runs it: writes that append sessions, `erase` and `erase --full` back to a blank disc,
//! `format --quick` and `format` to Restricted Overwrite, written from sector 0 and over with
//! `--overwrite`, `info` telling the modes apart, and `read` giving back what was written.

mod common;

use std::path::{Path, PathBuf};

use common::{discwriter, image, ok};

struct Disc {
    dir: tempfile::TempDir,
    drive: String,
}

impl Disc {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let drive = format!("virt:dvd-rw@{}", dir.path().join("dvd-rw.disc").display());
        Disc { dir, drive }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = args.to_vec();
        all.extend(["--drive", self.drive.as_str()]);
        discwriter(&all, self.dir.path())
    }

    fn ok(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&ok(self.run(args), &args.join(" ")).stdout).into_owned()
    }

    /// An image of `sectors` in the test's directory.
    fn image(&self, name: &str, sectors: u64, seed: u8) -> (PathBuf, Vec<u8>) {
        let path = self.dir.path().join(name);
        let data = image(sectors, seed);
        std::fs::write(&path, &data).unwrap();
        (path, data)
    }

    fn info(&self) -> serde_json::Value {
        serde_json::from_str(self.ok(&["info", "--json"]).trim()).unwrap()
    }

    /// `read OUT` with `extra`, and what it wrote.
    fn read(&self, extra: &[&str]) -> Vec<u8> {
        let out = self.dir.path().join("out.img");
        let mut args = vec!["read", out.to_str().unwrap()];
        args.extend(extra);
        self.ok(&args);
        std::fs::read(out).unwrap()
    }

    fn write(&self, image: &Path, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["write", image.to_str().unwrap()];
        args.extend(extra);
        self.run(&args)
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Profile, status and sessions as `info --json` gives them.
fn state(v: &serde_json::Value) -> (String, String, u64) {
    (
        v["profile_code"].as_str().unwrap().to_string(),
        v["status"].as_str().unwrap().to_string(),
        v["sessions"].as_u64().unwrap(),
    )
}

fn sequential(status: &str, sessions: u64) -> (String, String, u64) {
    ("0x0014".into(), status.into(), sessions)
}

#[test]
fn writes_append_sessions_and_read_back() {
    let disc = Disc::new();
    let (a, first) = disc.image("a.img", 300, 1);
    let (b, second) = disc.image("b.img", 120, 2);
    ok(disc.write(&a, &[]), "first write");
    ok(disc.write(&b, &[]), "second write");
    let v = disc.info();
    assert_eq!(state(&v), sequential("appendable", 2));
    assert_eq!(v["media_type"], "DVDDASHRW");
    let text = disc.ok(&["info"]);
    assert!(
        text.contains("DVD-RW sequential recording (0014h)"),
        "{text}"
    );
    assert!(text.contains("appendable, 2 session(s)"), "{text}");
    assert_eq!(disc.read(&[]), second, "the last write");
    assert_eq!(disc.read(&["--session", "1"])[..first.len()], first[..]);
}

#[test]
fn erase_and_erase_full_leave_a_blank_disc_that_is_written_again() {
    let disc = Disc::new();
    let (a, _) = disc.image("a.img", 200, 3);
    ok(disc.write(&a, &[]), "write");
    let out = disc.ok(&["erase"]);
    assert!(out.contains("Erased (quick)"), "{out}");
    // A minimal blanking: about a minute on the drive's clock.
    assert!(out.contains("(1:00 on the drive's clock)"), "{out}");
    assert_eq!(state(&disc.info()), sequential("blank", 0));
    let (b, second) = disc.image("b.img", 64, 4);
    ok(disc.write(&b, &[]), "write after the erase");
    assert_eq!(state(&disc.info()), sequential("appendable", 1));
    assert_eq!(disc.read(&[]), second);

    let out = disc.ok(&["erase", "--full", "--json"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let result = &lines.last().unwrap()["result"];
    assert_eq!(result["code"], "S_OK", "{out}");
    assert_eq!(result["full"], true);
    // The whole disc at 2x: tens of minutes on the drive's clock.
    let drive_seconds = result["drive_seconds"].as_f64().unwrap();
    assert!((1500.0..1800.0).contains(&drive_seconds), "{drive_seconds}");
    let updates: Vec<(u64, u64)> = lines
        .iter()
        .filter_map(|l| {
            let e = l.get("event")?;
            Some((
                e["elapsed_seconds"].as_u64()?,
                e["expected_seconds"].as_u64()?,
            ))
        })
        .collect();
    assert!(updates.len() > 10, "{out}");
    assert!(updates.windows(2).all(|w| w[0].0 <= w[1].0), "{updates:?}");
    assert!(
        updates.iter().all(|&(_, e)| (1500..1800).contains(&e)),
        "{updates:?}"
    );
    assert_eq!(state(&disc.info()), sequential("blank", 0));
    ok(disc.write(&b, &[]), "write after the full erase");
    assert_eq!(disc.read(&[]), second);
}

#[test]
fn format_quick_gives_restricted_overwrite_written_from_sector_0() {
    let disc = Disc::new();
    let (a, _) = disc.image("a.img", 100, 5);
    ok(disc.write(&a, &[]), "a session first");
    disc.ok(&["format", "--quick"]);
    let v = disc.info();
    assert_eq!(v["profile_code"], "0x0013");
    assert_eq!(v["media_type"], "DVDDASHRW");
    let text = disc.ok(&["info"]);
    assert!(
        text.contains("DVD-RW restricted overwrite (0013h)"),
        "{text}"
    );
    assert!(text.contains("written in place from sector 0"), "{text}");
    // 1000 sectors: the last ECC block padded; read gives back the image exactly.
    let (b, data) = disc.image("b.img", 1000, 6);
    ok(disc.write(&b, &[]), "write");
    assert_eq!(disc.read(&[]), data);
    // Over data only with --overwrite (ForceOverwrite).
    let (c, other) = disc.image("c.img", 48, 7);
    let o = disc.write(&c, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("E_IMAPI_DF2DATA_MEDIA_NOT_BLANK, 0xC0AA0405"),
        "{}",
        stderr(&o)
    );
    assert_eq!(disc.read(&[]), data, "nothing written by the refused write");
    ok(disc.write(&c, &["--overwrite"]), "write --overwrite");
    assert_eq!(disc.read(&[]), other);
    // Erasing brings it back to a blank disc in Sequential recording.
    disc.ok(&["erase"]);
    assert_eq!(state(&disc.info()), sequential("blank", 0));
}

#[test]
fn format_formats_the_whole_disc_in_tens_of_minutes_of_drive_time() {
    let disc = Disc::new();
    let out = disc.ok(&["format"]);
    // 10h over 2,298,496 sectors at 2x (1,352 a second), and the lead-out: about 28 minutes.
    assert!(
        out.contains("(28:") && out.contains("on the drive's clock)"),
        "{out}"
    );
    let quick = disc.ok(&["format", "--quick"]);
    assert!(quick.contains("(1:00 on the drive's clock)"), "{quick}");
    disc.ok(&["format"]);
    let v = disc.info();
    assert_eq!(v["profile_code"], "0x0013");
    assert_eq!(v["total_sectors"], 2_298_496);
    let (a, data) = disc.image("a.img", 17, 8);
    ok(disc.write(&a, &[]), "write");
    assert_eq!(disc.read(&[]), data);
}

#[test]
fn spare_areas_and_a_missing_disc_are_refused() {
    let disc = Disc::new();
    // `format` and `write` create the disc file; `erase` and `info` need it.
    let o = disc.run(&["erase"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no such disc"), "{}", stderr(&o));
    let o = disc.run(&["format", "--spares", "none"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED"),
        "{}",
        stderr(&o)
    );
    let o = disc.run(&["erase", "--full", "--quick"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
