//! `--drive virt:MEDIA+hash`: a virtual disc in the hash-only store (a CRC-32 per sector, in
//! bounded memory), as a user writes to it.

mod common;

use common::{assert_result_schema, discwriter, ok};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_image_is_written_to_a_hash_only_disc_without_verification() {
    let dir = tempfile::tempdir().unwrap();
    let sectors = std::fs::metadata(SAMPLE).unwrap().len() / 2048;
    for medium in ["bd-r", "bd-r-xl", "dvd+r"] {
        let drive = format!("virt:{medium}+hash");
        // No --verify: on a hash-only disc the default is none.
        let o = ok(
            discwriter(&["write", SAMPLE, "--drive", &drive, "--json"], dir.path()),
            &drive,
        );
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let r = assert_result_schema(out.lines().last().unwrap());
        assert_eq!(r["drive"], drive.as_str(), "named as given: {out}");
        assert_eq!(r["hresult"], "0x00000000", "{medium}: {out}");
        assert_eq!(r["sectors"], sectors, "{medium}: {out}");
        assert_eq!(r["verified"], "none", "{medium}: {out}");
    }
    // Nothing was kept anywhere: the disc lived in the command's memory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_hash_only_disc_refuses_a_verification_asked_for_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    for verify in ["quick", "full"] {
        let args = [
            "write",
            SAMPLE,
            "--drive",
            "virt:bd-r+hash",
            "--json",
            "--verify",
            verify,
        ];
        let o = discwriter(&args, dir.path());
        assert!(!o.status.success(), "{verify}");
        let e = stderr(&o);
        assert!(e.contains("--verify none"), "{verify}: {e}");
        assert!(e.contains("+hash"), "{verify}: {e}");
        // Refused before the drive was opened: nothing was written.
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let r = assert_result_schema(out.lines().last().unwrap());
        assert_eq!(r["code"], "E_INVALIDARG", "{out}");
        assert_eq!(r["sectors"], 0, "{out}");
    }
}

#[test]
fn a_hash_only_disc_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("back.iso");
    let o = discwriter(
        &["read", out.to_str().unwrap(), "--drive", "virt:bd-r+hash"],
        dir.path(),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("hash-only"), "{e}");
    assert!(!out.exists());
}

#[test]
fn hash_only_with_a_disc_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.disc");
    let drive = format!("virt:bd-r+hash@{}", file.display());
    let o = discwriter(
        &["write", SAMPLE, "--drive", &drive, "--verify", "none"],
        dir.path(),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("either +hash or @FILE"), "{e}");
    assert!(!file.exists());
}
