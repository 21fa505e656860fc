//! `discwriter write --reload`: the disc is ejected and loaded again before the verification
//! (quick or full) reads it back; `--reload` with `--verify none` is refused before the drive
//! is opened. With a drive whose read cache holds writes it acknowledged but did not
//! record (fixtures/fault-plans/cached-lost-write.json), only the reload finds the loss; a
//! later `read` or `check`, in a process of its own, reads the medium and finds it too.

mod common;

use common::{assert_result_schema, discwriter, image, ok, read_session};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
const CACHED_LOST_WRITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/cached-lost-write.json"
);
/// The first sector the plan's dropped WRITEs should have recorded.
const FIRST_LOST: usize = 448;
const SECTOR: usize = 2048;

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
fn reload_without_a_verification_is_refused_before_the_drive_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let spec = format!("virt:dvd+rw@{}", disc.display());
    let o = discwriter(
        &[
            "write", SAMPLE, "--drive", &spec, "--verify", "none", "--reload",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("verifies nothing (--verify none)"), "{err}");
    assert!(!disc.exists(), "no disc file was created");
}

/// A 1 MiB image (512 sectors, each unlike any other and unlike a blank one), written to a
/// DVD+R in `dir` with the cached-lost-write plan, `--verify LEVEL` and `extra` options; the
/// disc, the image and the command's result line.
fn write_with_cached_lost_writes(
    dir: &std::path::Path,
    name: &str,
    level: &str,
    extra: &[&str],
) -> (String, Vec<u8>, std::process::Output) {
    let data = image(512, 0xC5);
    let path = dir.join(format!("{name}.iso"));
    std::fs::write(&path, &data).unwrap();
    let spec = format!("virt:dvd+r@{}", dir.join(format!("{name}.disc")).display());
    let mut args = vec![
        "write",
        path.to_str().unwrap(),
        "--drive",
        &spec,
        "--verify",
        level,
        "--fault-plan",
        CACHED_LOST_WRITE,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = discwriter(&args, dir);
    (spec, data, o)
}

fn result_line(o: &std::process::Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    assert_result_schema(out.lines().last().unwrap_or(""))
}

#[test]
fn a_drive_cache_hides_writes_it_did_not_record_from_a_full_verification() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, data, o) = write_with_cached_lost_writes(dir.path(), "cached", "full", &[]);
    // The false success the cache makes: every sector "read back and compared".
    let o = ok(o, "write without --reload");
    let result = result_line(&o);
    assert_eq!(result["hresult"], "0x00000000", "{result}");
    assert_eq!(result["verified"], "full", "{result}");
    // Read afterwards (another process, another drive: no cache), the disc lacks them.
    let back = read_session(&spec, dir.path(), None);
    assert_eq!(back.len(), data.len());
    assert_eq!(back[..FIRST_LOST * SECTOR], data[..FIRST_LOST * SECTOR]);
    let first_differing = back
        .chunks(SECTOR)
        .zip(data.chunks(SECTOR))
        .position(|(b, d)| b != d);
    assert_eq!(first_differing, Some(FIRST_LOST));
}

#[test]
fn a_reload_before_the_verification_finds_the_writes_the_cache_hid() {
    // The quick verification's sample includes the last sectors, where the writes were lost.
    for level in ["full", "quick"] {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, o) = write_with_cached_lost_writes(dir.path(), "plain", level, &[]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{level} without --reload: the cache hides it"
        );
        let (_, _, o) = write_with_cached_lost_writes(dir.path(), "reloaded", level, &["--reload"]);
        reload_found_the_loss(&o);
    }
}

fn reload_found_the_loss(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(1));
    let result = result_line(o);
    assert_eq!(
        result["code"], "E_IMAPI_BURN_VERIFICATION_FAILED",
        "{result}"
    );
    assert_eq!(result["hresult"], "0xC0AA0007", "{result}");
    assert!(result["verified"].is_null(), "{result}");
    let message = result["message"].as_str().unwrap_or("");
    assert!(
        message.contains(&format!("sector {FIRST_LOST}")),
        "{message}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E_IMAPI_BURN_VERIFICATION_FAILED"), "{err}");
}

#[test]
fn check_after_the_cached_false_success_finds_the_differing_sectors() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, _, o) = write_with_cached_lost_writes(dir.path(), "checked", "full", &[]);
    ok(o, "write without --reload");
    let image_path = dir.path().join("checked.iso");
    // A check opens the disc in a fresh drive, whose cache (the plan's included) holds
    // nothing written: it reads the medium.
    for plan in [None, Some(CACHED_LOST_WRITE)] {
        let mut args = vec![
            "check",
            "--drive",
            &spec,
            "--image",
            image_path.to_str().unwrap(),
            "--json",
        ];
        if let Some(plan) = plan {
            args.extend(["--fault-plan", plan]);
        }
        let o = discwriter(&args, dir.path());
        assert_eq!(o.status.code(), Some(1), "{plan:?}");
        let out = String::from_utf8_lossy(&o.stdout);
        let report: serde_json::Value =
            serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{plan:?}: {e}: {out}"));
        assert_eq!(report["passed"], false, "{plan:?}: {report}");
        assert_eq!(report["unreadable_sectors"], 0, "{plan:?}: {report}");
        assert_eq!(
            report["comparison"]["first_differing_lba"], FIRST_LOST,
            "{plan:?}: {report}"
        );
    }
}
