//! `discwriter` on a DVD-R and a DVD-R DL kept in disc files, as a user runs it: two writes
//! make two sessions on a DVD-R, `info` reports them, `read` gives each back byte for byte,
//! `--close` finalizes it and a further write is refused with IMAPI's code; a DVD-R DL is
//! written once (Disc-at-Once) and closed by it, and takes an image from standard input only
//! with its size.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Sectors from the end of a DVD-R's first session (its last ECC block) to the next: the
/// border the drive records (border-out, then the next border-in).
const FIRST_BORDER: u64 = 16_384;
const LATER_BORDER: u64 = 3_072;
const DVD_R_SECTORS: u64 = 2_298_496;

/// `discwriter write IMAGE --drive SPEC --json EXTRA...`: whether it succeeded, and its
/// result line.
fn write_json(image: &Path, spec: &str, home: &Path, extra: &[&str]) -> (bool, Value) {
    let mut args = vec!["write", image.to_str().unwrap(), "--drive", spec, "--json"];
    args.extend(extra);
    let o = discwriter(&args, home);
    let out = String::from_utf8_lossy(&o.stdout);
    let result = assert_result_schema(out.lines().last().expect("a result line"));
    (o.status.success(), result)
}

#[test]
fn two_writes_make_two_sessions_that_read_back_and_close_finalizes_the_dvd_r() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let spec = format!("virt:dvd-r@{}", home.join("r.disc").display());
    // Whole 16-sector ECC blocks, so a session reads back as exactly its image.
    let images = [image(1_600, 1), image(2_400, 2)];
    let starts = [0, 1_600 + FIRST_BORDER];
    let nexts = [starts[1], starts[1] + 2_400 + LATER_BORDER];
    for (i, img) in images.iter().enumerate() {
        let path = home.join(format!("s{}.img", i + 1));
        std::fs::write(&path, img).unwrap();
        let (_, r) = write_json(&path, &spec, home, &[]);
        assert_eq!(r["code"], "S_OK", "{r}");
        assert_eq!(r["start_lba"], starts[i], "session {}", i + 1);
        assert_eq!(r["disc_closed"], false);
        assert_eq!(r["disc_status"], "appendable");

        let info = disc_info_json(&spec, home);
        assert_eq!(info["profile_code"], "0x0011");
        assert_eq!(info["media_type"], "DVDDASHR");
        assert_eq!(info["status"], "appendable");
        assert_eq!(info["sessions"], i + 1);
        assert_eq!(info["next_writable_address"], nexts[i]);
        assert_eq!(info["free_sectors"], DVD_R_SECTORS - nexts[i]);
        assert_eq!(info["total_sectors"], DVD_R_SECTORS);
    }
    for (i, img) in images.iter().enumerate() {
        let back = read_session(&spec, home, Some(i as u32 + 1));
        assert!(back == *img, "session {} reads back byte for byte", i + 1);
    }

    // A third write with --close finalizes the disc (and is verified in full).
    let third = home.join("s3.img");
    std::fs::write(&third, image(64, 3)).unwrap();
    let (_, r) = write_json(&third, &spec, home, &["--close", "--verify", "full"]);
    assert_eq!(r["code"], "S_OK", "{r}");
    assert_eq!(
        (&r["disc_closed"], &r["verified"]),
        (&Value::from(true), &Value::from("full"))
    );
    let info = disc_info_json(&spec, home);
    assert_eq!(info["status"], "complete");
    assert_eq!(info["sessions"], 3);
    assert!(read_session(&spec, home, None) == image(64, 3));

    // A finalized disc takes no more: IMAPI's code, and the disc as it was.
    let (success, r) = write_json(&third, &spec, home, &[]);
    assert!(!success);
    assert_eq!(r["code"], "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE", "{r}");
    assert_eq!(r["hresult"], "0xC0AA0402");
    assert_eq!(r["sectors"], 0);
    assert_eq!(disc_info_json(&spec, home)["sessions"], 3);
}

#[test]
fn a_dvd_r_dl_is_written_once_and_takes_a_stream_only_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let spec = format!("virt:dvd-r-dl@{}", home.join("dl.disc").display());
    let img = image(2_000, 4);
    let path = home.join("dl.img");
    std::fs::write(&path, &img).unwrap();
    let (_, r) = write_json(&path, &spec, home, &[]);
    assert_eq!(
        (&r["code"], &r["start_lba"], &r["disc_closed"]),
        (&Value::from("S_OK"), &Value::from(0), &Value::from(true)),
        "{r}"
    );
    let info = disc_info_json(&spec, home);
    assert_eq!(info["profile_code"], "0x0015");
    assert_eq!(info["media_type"], "DVDDASHR_DUALLAYER");
    assert_eq!(info["status"], "complete");
    assert_eq!(info["sessions"], 1);
    assert!(read_session(&spec, home, None) == img);

    // One session: a second write is refused with IMAPI's code.
    let (success, r) = write_json(&path, &spec, home, &[]);
    assert!(!success);
    assert_eq!(r["code"], "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");

    // Standard input of unknown size: Disc-at-Once reserves the size first, so the write
    // is refused before anything is recorded, saying why; with --size it is written.
    let other = format!("virt:dvd-r-dl@{}", home.join("dl2.disc").display());
    let o = discwriter_with_stdin(&["write", "-", "--drive", &other], home, image(100, 5));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E_INVALIDARG"), "{err}");
    assert!(err.contains("length must be known"), "{err}");
    assert!(
        err.contains("--size"),
        "the command says how to give the length: {err}"
    );
    assert_eq!(disc_info_json(&other, home)["status"], "blank");
    let bytes = (100 * 2048).to_string();
    let o = discwriter_with_stdin(
        &["write", "-", "--size", &bytes, "--drive", &other],
        home,
        image(100, 5),
    );
    ok(o, "write - --size");
    assert!(read_session(&other, home, None) == image(100, 5));
}
