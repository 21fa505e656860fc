//! The `discwriter` command built with `sgio` cannot reach a drive another program holds, by
//! either of its nodes: `virtdrive run` makes `/dev/sr9` and `/dev/sg9` one emulated drive
//! (SCSI address 9:0:0:0, Linux's O_EXCL rules, real fcntl locks), a second program (the
//! holder, `crates/discwriter/tests/sgio_support/holder.c`) takes one node, and discwriter is
//! given the other. It retries for 2.5 s, then says E_IMAPI_RECORDER_LOCKED; once the holder
//! lets go, the same command works.
//!
//! The other direction (discwriter holding, another program refused) is
//! `crates/discwriter/tests/sgio_shim.rs`, with the same `SgDevice` the command uses.
//!
//! Runs with `cargo test --features sgio --test sgio_exclusive` (Linux, a C compiler).
#![cfg(all(feature = "sgio", target_os = "linux"))]

#[path = "../crates/discwriter/tests/sgio_support/mod.rs"]
mod sgio_support;

use std::path::Path;

use virtdrive::medium::MediumKind;
use virtdrive::run::{Devices, RunOptions};
use virtdrive::serve::{DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};

const DISCWRITER: &str = env!("CARGO_BIN_EXE_discwriter");

/// What happened when `command` ran while the holder held `held`.
#[derive(Debug)]
struct Contended {
    /// The holder's report ("/dev/sg9: ok", "held").
    holder: String,
    code: i32,
    stdout: String,
    stderr: String,
    /// The same command once the holder let go.
    code_after: i32,
    stdout_after: String,
}

/// Under `virtdrive run` (a BD-RE kept in `dir`): the holder takes `held` and says so through
/// a FIFO, `command` runs (`$DW` is discwriter), the holder lets go, and `command` runs again.
fn contended(dir: &Path, held: &str, command: &str) -> Contended {
    let script = format!(
        r#"cd '{dir}' && DW='{dw}' && rm -f ready ctl && mkfifo ready ctl || exit 99
'{holder}' hold {held} < ctl > ready &
exec 3> ctl
while read line; do echo "$line" >> holder.txt; case "$line" in held|failed) break;; esac; done < ready
{command} > out.txt 2> err.txt; echo $? > code.txt
exec 3>&-
wait
{command} > out-after.txt 2> err-after.txt; echo $? > code-after.txt
"#,
        dir = dir.display(),
        dw = DISCWRITER,
        holder = sgio_support::holder().display(),
    );
    let options = RunOptions {
        drive: DriveOptions {
            drive: VirtSpec {
                kind: MediumKind::BdRe,
                file: Some(dir.join("bd.disc")),
                media_id: None,
                hash_only: false,
            },
            fault_plan: None,
            transcript: None,
            paced: false,
            poll_wait: DEFAULT_POLL_WAIT,
            media_identity: None,
            changer: 1,
        },
        devices: Devices::default(),
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        verbose: false,
        launcher: None,
    };
    let status = virtdrive::run::run(&options).expect("virtdrive run starts and saves");
    assert_eq!(virtdrive::run::exit_code(status), 0, "the script ran");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let code = |name: &str| read(name).trim().parse().unwrap_or(-1);
    Contended {
        holder: read("holder.txt"),
        code: code("code.txt"),
        stdout: read("out.txt"),
        stderr: read("err.txt"),
        code_after: code("code-after.txt"),
        stdout_after: read("out-after.txt"),
    }
}

fn assert_locked(c: &Contended, what: &str) {
    assert!(c.holder.ends_with("held\n"), "{what}: {c:?}");
    assert_eq!(c.code, 1, "{what}: {c:?}");
    assert!(
        c.stderr.contains("E_IMAPI_RECORDER_LOCKED") && c.stderr.contains("0xC0AA0210"),
        "{what}: {c:?}"
    );
    assert!(!c.stderr.contains("panicked"), "{what}: {c:?}");
    assert_eq!(c.code_after, 0, "{what}, once free: {c:?}");
}

#[test]
fn info_on_dev_sr9_is_locked_while_another_program_holds_dev_sg9_exclusively() {
    let dir = tempfile::tempdir().unwrap();
    let c = contended(dir.path(), "x:/dev/sg9", "$DW info --drive /dev/sr9");
    assert_locked(&c, "sg9 held with O_EXCL, discwriter given sr9");
    assert!(c.stdout_after.contains("VIRTDRV"), "{c:?}");
}

#[test]
fn info_on_dev_sg9_is_locked_while_another_program_locks_dev_sr9() {
    // The libburn convention: a plain open of the block node with an fcntl write lock.
    let dir = tempfile::tempdir().unwrap();
    let c = contended(dir.path(), "l:/dev/sr9", "$DW info --drive /dev/sg9");
    assert_locked(&c, "sr9 locked, discwriter given sg9");
    assert!(c.stdout_after.contains("VIRTDRV"), "{c:?}");
}

#[test]
fn info_on_dev_sr9_is_locked_while_another_program_locks_it() {
    let dir = tempfile::tempdir().unwrap();
    let c = contended(dir.path(), "l:/dev/sr9", "$DW info --drive /dev/sr9");
    assert_locked(&c, "sr9 locked, discwriter given sr9");
}

#[test]
fn write_on_dev_sg9_is_locked_and_writes_nothing_while_dev_sr9_is_held() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("image.iso"), vec![0x5Au8; 64 * 2048]).unwrap();
    let c = contended(
        dir.path(),
        "x:/dev/sr9",
        "$DW write image.iso --drive /dev/sg9 --verify none --json",
    );
    assert_locked(&c, "sr9 held with O_EXCL, discwriter writing through sg9");
    let last = c.stdout.lines().last().unwrap_or_default();
    let result: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{last}: {e}"));
    assert_eq!(
        result["result"]["error"], "E_IMAPI_RECORDER_LOCKED",
        "{result}"
    );
    assert_eq!(result["result"]["sectors"], 0, "{result}");
    assert!(result["result"]["last_written_lba"].is_null(), "{result}");
}
