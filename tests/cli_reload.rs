//! `discwriter write --verify full --reload`: the disc is ejected and loaded again before the
//! full verification reads it back; `--reload` without `--verify full` is refused before the
//! drive is opened.

mod common;

use common::{discwriter, ok, read_session};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

#[test]
fn a_full_verification_after_a_reload_passes_and_the_disc_holds_the_image() {
    let dir = tempfile::tempdir().unwrap();
    for medium in ["cd-r", "dvd+rw", "bd-re"] {
        let spec = format!("virt:{medium}@{}", dir.path().join(medium).display());
        let o = ok(
            discwriter(
                &[
                    "write", SAMPLE, "--drive", &spec, "--verify", "full", "--reload", "--json",
                ],
                dir.path(),
            ),
            medium,
        );
        let out = String::from_utf8_lossy(&o.stdout);
        let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(last["result"]["hresult"], "0x00000000", "{medium}: {out}");
        assert_eq!(last["result"]["verified"], "full", "{medium}: {out}");
        let image = std::fs::read(SAMPLE).unwrap();
        let back = read_session(&spec, dir.path(), None);
        assert!(
            back.starts_with(&image),
            "{medium}: the disc holds the image"
        );
    }
}

#[test]
fn reload_without_full_verification_is_refused_before_the_drive_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let spec = format!("virt:dvd+rw@{}", disc.display());
    for extra in [&["--reload"][..], &["--verify", "quick", "--reload"][..]] {
        let mut args = vec!["write", SAMPLE, "--drive", &spec];
        args.extend_from_slice(extra);
        let o = discwriter(&args, dir.path());
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--verify full"), "{extra:?}: {err}");
        assert!(!disc.exists(), "{extra:?}: no disc file was created");
    }
}
