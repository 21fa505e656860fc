//! `discwriter erase` as a user runs it: refused on discs that are not erased, with the IMAPI
//! code in the message and in the `--json` result; its help; a bad option.

mod common;

use common::discwriter;

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
