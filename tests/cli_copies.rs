//! `discwriter write IMAGE --drive A [--drive B ...] --copies N`: more copies than drives,
//! each drive taking the next copy on a new disc (for a virtual drive, a new disc file named
//! with the copy number); one manifest per copy; `--reject-if-not-blank`.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const SECTORS: u64 = 600;
const WRITE_PROTECT: &str = WRITE_PROTECT_MID_WRITE;

/// An image whose sectors name themselves, in `home`.
fn image_file(home: &Path) -> (String, Vec<u8>) {
    image_file_of(home, SECTORS, 5)
}

/// The result lines and the summary of `write --json`.
fn results(o: &Output) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v: &serde_json::Value| v.get("event").is_none())
        .collect();
    let summary = lines.pop().expect("a summary")["summary"].clone();
    let results = lines
        .iter()
        .map(|l| assert_result_schema(&l.to_string()))
        .collect();
    (results, summary)
}

/// `discwriter read` of what was written last on the virtual disc `spec`: equal to `data`,
/// byte for byte (as `cmp` would say).
fn assert_reads_back(spec: &str, home: &Path, data: &[u8]) {
    let back = read_session(spec, home, None);
    assert_eq!(back.len(), data.len(), "{spec}");
    assert!(back == data, "{spec}: the disc differs from the image");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn five_copies_on_two_drives_give_five_discs_equal_to_the_image_read_once() {
    let home = tempfile::tempdir().unwrap();
    let (img, data) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "dvd+r");
    let o = ok(
        discwriter(
            &[
                "write", &img, "--json", "--drive", &a, "--drive", &b, "--copies", "5",
            ],
            home.path(),
        ),
        "write",
    );
    let (results, summary) = results(&o);
    assert_eq!(summary["copies"], 5);
    assert_eq!(summary["succeeded"], 5);
    assert_eq!(
        summary["bytes_read"],
        SECTORS * 2048,
        "the image is read once"
    );
    let copies: Vec<u64> = results
        .iter()
        .map(|r| r["copy"].as_u64().unwrap())
        .collect();
    assert_eq!(copies, [1, 2, 3, 4, 5]);
    // The first round on the drives' own discs; each later copy on a new file named with
    // its number, beside the disc of the drive that made it.
    assert_eq!(
        results[0]["disc_file"],
        home.path().join("a.disc").to_str().unwrap()
    );
    assert_eq!(
        results[1]["disc_file"],
        home.path().join("b.disc").to_str().unwrap()
    );
    let mut files = Vec::new();
    for r in &results {
        assert_eq!(r["code"], "S_OK", "{r}");
        let file = r["disc_file"].as_str().unwrap().to_string();
        let copy = r["copy"].as_u64().unwrap();
        let drive = r["drive"].as_str().unwrap();
        assert!(drive == a || drive == b, "{drive}");
        if copy > 2 {
            let own = if drive == a { "a" } else { "b" };
            assert_eq!(
                file,
                home.path()
                    .join(format!("{own}-{copy}.disc"))
                    .to_str()
                    .unwrap()
            );
        }
        files.push(file);
    }
    files.sort();
    files.dedup();
    assert_eq!(files.len(), 5, "five discs: {files:?}");
    for f in &files {
        assert_reads_back(&format!("virt:dvd+r@{f}"), home.path(), &data);
    }
}

#[test]
fn a_pipe_with_its_size_makes_more_copies_than_drives() {
    let home = tempfile::tempdir().unwrap();
    let data = image(SECTORS, 6);
    let a = virt_disc(home.path(), "p.disc", "cd-r");
    let size = (SECTORS * 2048).to_string();
    let o = discwriter_with_stdin(
        &[
            "write", "-", "--size", &size, "--json", "--drive", &a, "--copies", "3",
        ],
        home.path(),
        data.clone(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (results, summary) = results(&o);
    assert_eq!(summary["succeeded"], 3);
    assert_eq!(
        summary["bytes_read"],
        SECTORS * 2048,
        "standard input is read once"
    );
    for (r, name) in results.iter().zip(["p.disc", "p-2.disc", "p-3.disc"]) {
        let file = home.path().join(name);
        assert_eq!(r["disc_file"], file.to_str().unwrap());
        assert_reads_back(&format!("virt:cd-r@{}", file.display()), home.path(), &data);
    }
}

#[test]
fn a_copy_under_a_fault_plan_fails_alone_and_gets_no_manifest() {
    let home = tempfile::tempdir().unwrap();
    let (img, data) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+rw");
    let b = virt_disc(home.path(), "b.disc", "dvd+rw");
    let manifest = home.path().join("burn.json");
    // The plan turns drive B's first disc write-protected; B's later discs are written.
    let o = discwriter(
        &[
            "write",
            &img,
            "--json",
            "--drive",
            &a,
            "--drive",
            &b,
            "--copies",
            "4",
            "--fault-plan",
            "none",
            "--fault-plan",
            WRITE_PROTECT,
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 of 4 copies failed"),
        "{}",
        stderr(&o)
    );
    let (results, summary) = results(&o);
    assert_eq!(summary["succeeded"], 3);
    assert_eq!(summary["failed"], 1);
    let codes: Vec<(u64, &str)> = results
        .iter()
        .map(|r| (r["copy"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            (1, "S_OK"),
            (2, "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED"),
            (3, "S_OK"),
            (4, "S_OK")
        ]
    );
    assert!(
        !home.path().join("burn-2.json").exists(),
        "no manifest for a failed copy"
    );
    for r in results.iter().filter(|r| r["code"] == "S_OK") {
        let copy = r["copy"].as_u64().unwrap();
        assert!(home.path().join(format!("burn-{copy}.json")).exists());
        let file = r["disc_file"].as_str().unwrap();
        assert_reads_back(&format!("virt:dvd+rw@{file}"), home.path(), &data);
    }
}

#[test]
fn each_copy_has_its_own_manifest_and_check_passes_with_it() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "cd-r");
    let manifest = home.path().join("burn.json");
    let o = ok(
        discwriter(
            &[
                "write",
                &img,
                "--json",
                "--drive",
                &a,
                "--drive",
                &b,
                "--copies",
                "3",
                "--manifest",
                manifest.to_str().unwrap(),
            ],
            home.path(),
        ),
        "write",
    );
    assert!(
        !manifest.exists(),
        "only the numbered manifests are written"
    );
    let (results, _) = results(&o);
    for copy in 1..=3 {
        let m = home.path().join(format!("burn-{copy}.json"));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
        // Each records its own disc: a DVD+R in drive A, a CD-R in drive B.
        let r = &results[copy - 1];
        let profile = if r["drive"] == a.as_str() {
            "DVD+R"
        } else {
            "CD-R"
        };
        assert_eq!(v["medium"]["profile_name"], profile, "{m:?}");
    }
    let third = &results[2];
    let medium = if third["drive"] == a.as_str() {
        "dvd+r"
    } else {
        "cd-r"
    };
    let spec = format!("virt:{medium}@{}", third["disc_file"].as_str().unwrap());
    let m = home.path().join("burn-3.json");
    ok(
        discwriter(
            &["check", "--drive", &spec, "--manifest", m.to_str().unwrap()],
            home.path(),
        ),
        "check of copy 3 with its manifest",
    );
}

#[test]
fn copies_must_be_a_number_of_at_least_one_per_drive() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    let b = virt_disc(home.path(), "b.disc", "dvd+r");
    for (copies, says) in [
        ("0", "'0' for '--copies <N>'"),
        ("two", "'two' for '--copies <N>'"),
        ("1", "--copies 1 is fewer than the 2 drives"),
    ] {
        let o = discwriter(
            &[
                "write", &img, "--drive", &a, "--drive", &b, "--copies", copies,
            ],
            home.path(),
        );
        assert_eq!(
            o.status.code(),
            Some(2),
            "--copies {copies}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
    assert!(!home.path().join("a.disc").exists(), "no disc file made");
    // As many copies as drives is the default, and valid.
    ok(
        discwriter(
            &["write", &img, "--drive", &a, "--drive", &b, "--copies", "2"],
            home.path(),
        ),
        "two copies on two drives",
    );
}

#[test]
fn a_disc_file_a_copy_would_go_to_is_never_written_over() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let a = virt_disc(home.path(), "a.disc", "dvd+r");
    std::fs::write(home.path().join("a-3.disc"), b"someone's disc").unwrap();
    let o = discwriter(
        &["write", &img, "--drive", &a, "--copies", "3"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("a-3.disc exists already"),
        "{}",
        stderr(&o)
    );
    assert!(!home.path().join("a.disc").exists(), "nothing written");
    assert_eq!(
        std::fs::read(home.path().join("a-3.disc")).unwrap(),
        b"someone's disc"
    );
}

#[test]
fn reject_if_not_blank_refuses_an_appendable_disc_and_takes_a_blank_one() {
    let home = tempfile::tempdir().unwrap();
    let (img, _) = image_file(home.path());
    let used = virt_disc(home.path(), "used.disc", "cd-r");
    ok(
        discwriter(&["write", &img, "--drive", &used], home.path()),
        "first write",
    );
    assert_eq!(disc_info_json(&used, home.path())["status"], "appendable");

    // One drive.
    let o = discwriter(
        &["write", &img, "--drive", &used, "--reject-if-not-blank"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("--drive {used}")), "{err}");
    assert!(
        err.contains("not blank") && err.contains("appendable"),
        "{err}"
    );
    assert!(err.contains("E_IMAPI_DF2DATA_INVALID_MEDIA_STATE"), "{err}");
    // Several drives: the blank one is not written either.
    let blank = virt_disc(home.path(), "blank.disc", "cd-r");
    let o = discwriter(
        &[
            "write",
            &img,
            "--drive",
            &blank,
            "--drive",
            &used,
            "--reject-if-not-blank",
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("--drive {used}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(disc_info_json(&used, home.path())["sessions"], 1);
    assert_eq!(disc_info_json(&blank, home.path())["status"], "blank");

    // A blank disc is written.
    let o = ok(
        discwriter(
            &[
                "write",
                &img,
                "--json",
                "--drive",
                &blank,
                "--reject-if-not-blank",
            ],
            home.path(),
        ),
        "write to a blank disc",
    );
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert_eq!(assert_result_schema(&line)["code"], "S_OK");
}
