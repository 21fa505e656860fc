//! `discwriter erase` as a user runs it: a CD-RW disc file written, erased (quick, then
//! full), found blank by `info`, written again and read back; its progress lines and its
//! `--json` events and result line; refused on discs that are not erased, with the IMAPI code
//! in the message and in the `--json` result; its help; a bad option.

mod common;

use std::path::Path;

use common::{discwriter, image, ok};
use serde_json::Value;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_cd_r_is_refused_as_not_erasable_with_the_imapi_code() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["erase", "--drive", "virt:cd-r"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot be erased"), "{err}");
    assert!(
        err.contains("E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE, 0x80AA0904"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");

    let o = discwriter(
        &["erase", "--drive", "virt:cd-r", "--full", "--json"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let r = &last["result"];
    assert_eq!(r["hresult"], "0x80AA0904", "{out}");
    assert_eq!(r["error"], "E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE");
    assert_eq!(r["code"], "E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE");
    assert_eq!(r["full"], true);
    assert_eq!(r["drive"], "virt:cd-r");
}

#[test]
fn a_bd_re_is_refused_as_not_supported_by_erase() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["erase", "--drive", "virt:bd-re", "--json"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("\"hresult\":\"0xC0AA0909\""), "{out}");
    assert!(stderr(&o).contains("E_IMAPI_ERASE_MEDIA_IS_NOT_SUPPORTED"));
}

#[test]
fn a_missing_disc_file_is_not_created_by_erase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.disc");
    let spec = format!("virt:cd-r@{}", path.display());
    let o = discwriter(&["erase", "--drive", &spec], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!path.exists());
}

#[test]
fn help_names_the_options_and_a_bad_option_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = discwriter(&["erase", "--help"], dir.path());
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for word in ["--full", "--drive", "--json", "CD-RW"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    let o = discwriter(&["erase", "--quick-ish"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--quick-ish"), "{}", stderr(&o));
    let o = discwriter(&["erase", "--full=yes"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `discwriter write IMAGE` then `discwriter read` of the last session, compared as `cmp`
/// would.
fn write_and_read_back(drive: &str, dir: &Path, tag: u8) {
    let img = dir.join(format!("image-{tag}.bin"));
    let out = dir.join(format!("back-{tag}.bin"));
    std::fs::write(&img, image(150 + u64::from(tag) * 10, tag)).unwrap();
    ok(
        discwriter(&["write", img.to_str().unwrap(), "--drive", drive], dir),
        "write",
    );
    ok(
        discwriter(&["read", out.to_str().unwrap(), "--drive", drive], dir),
        "read",
    );
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(&img).unwrap(),
        "image {tag} read back differs"
    );
}

/// What `info --json` reports of the disc.
fn info(drive: &str, dir: &Path) -> Value {
    let o = ok(
        discwriter(&["info", "--json", "--drive", drive], dir),
        "info",
    );
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

#[track_caller]
fn assert_blank(drive: &str, dir: &Path) {
    let i = info(drive, dir);
    assert_eq!(i["profile"], "CD-RW", "{i}");
    assert_eq!(i["status"], "blank", "{i}");
    assert_eq!(i["sessions"], 0, "{i}");
    assert_eq!(i["next_writable_address"], 0, "{i}");
    assert_eq!(i["erasable"], true, "{i}");
}

#[test]
fn a_written_cd_rw_is_erased_quick_then_full_and_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-rw@{}", d.join("rw.disc").display());
    write_and_read_back(&drive, d, 1);
    write_and_read_back(&drive, d, 2);
    let i = info(&drive, d);
    assert_eq!(
        (&i["status"], &i["sessions"]),
        (&"appendable".into(), &2.into()),
        "{i}"
    );

    // Quick: the summary names the erase and the drive's time.
    let o = ok(discwriter(&["erase", "--drive", &drive], d), "erase");
    let said = stdout(&o);
    assert!(said.starts_with("Erased (quick)"), "{said}");
    assert!(said.contains("on the drive's clock"), "{said}");
    assert_blank(&drive, d);
    write_and_read_back(&drive, d, 3);

    // Full, with --json: events whose elapsed time rises on the drive's clock to minutes,
    // then one result line.
    let o = ok(
        discwriter(&["erase", "--full", "--json", "--drive", &drive], d),
        "erase --full --json",
    );
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (result, events) = lines.split_last().unwrap();
    assert!(events.len() > 10, "{} events", events.len());
    let elapsed: Vec<u64> = events
        .iter()
        .map(|e| {
            assert_eq!(e["event"]["action"], "erasing", "{e}");
            assert!(e["event"]["expected_seconds"].as_u64().unwrap() > 0, "{e}");
            e["event"]["elapsed_seconds"].as_u64().unwrap()
        })
        .collect();
    assert!(elapsed.windows(2).all(|w| w[0] <= w[1]), "{elapsed:?}");
    assert_eq!(elapsed[0], 0);
    let r = &result["result"];
    assert_eq!(r["hresult"], "0x00000000", "{r}");
    assert_eq!(r["code"], "S_OK");
    assert!(r["error"].is_null());
    assert_eq!(r["full"], true);
    assert_eq!(r["drive"], drive.as_str());
    assert!(r["message"].as_str().is_some_and(|m| !m.is_empty()));
    let drive_seconds = r["drive_seconds"].as_f64().unwrap();
    assert!(
        drive_seconds > 300.0 && drive_seconds < 1800.0,
        "a full blank of an 80-minute disc takes minutes: {drive_seconds} s"
    );
    assert!(
        elapsed.last().unwrap().abs_diff(drive_seconds as u64) <= 1,
        "{elapsed:?} {drive_seconds}"
    );
    assert!(r["elapsed_seconds"].as_f64().is_some_and(|s| s >= 0.0));
    assert_blank(&drive, d);
    write_and_read_back(&drive, d, 4);
}

#[test]
fn progress_lines_advance_while_the_drive_blanks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let drive = format!("virt:cd-rw@{}", d.join("rw.disc").display());
    write_and_read_back(&drive, d, 1);
    // Standard error is a pipe: plain lines, whose share done rises.
    let o = ok(
        discwriter(&["erase", "--full", "--drive", &drive], d),
        "erase",
    );
    let err = stderr(&o);
    let percents: Vec<u32> = err
        .lines()
        .filter(|l| l.starts_with("erasing: "))
        .filter_map(|l| l.rsplit_once('(')?.1.strip_suffix("%)")?.parse().ok())
        .collect();
    assert!(percents.len() >= 5, "{err}");
    assert!(percents.windows(2).all(|w| w[0] < w[1]), "{err}");
    assert!(*percents.last().unwrap() >= 90, "{err}");
}

#[test]
fn a_drive_that_cannot_be_opened_still_gives_one_json_result_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cd_r = format!("virt:cd-r@{}", d.join("r.disc").display());
    let img = d.join("i.bin");
    std::fs::write(&img, image(150, 1)).unwrap();
    ok(
        discwriter(&["write", img.to_str().unwrap(), "--drive", &cd_r], d),
        "write",
    );
    for drive in [
        format!("virt:cd-rw@{}", d.join("missing.disc").display()),
        // The file holds a CD-R: not opened as a CD-RW.
        format!("virt:cd-rw@{}", d.join("r.disc").display()),
    ] {
        let o = discwriter(&["erase", "--json", "--drive", &drive], d);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        assert_eq!(out.lines().count(), 1, "{out}");
        let r = &serde_json::from_str::<Value>(&out).unwrap()["result"];
        assert_eq!(r["hresult"], "0x80070057", "{r}");
        assert_eq!(r["error"], "E_INVALIDARG", "{r}");
        assert_eq!(r["drive"], drive.as_str());
        assert_eq!(
            r["message"].as_str().unwrap(),
            stderr(&o).trim().trim_start_matches("discwriter: ")
        );
    }
    assert!(!d.join("missing.disc").exists());
}
