//! A disc file whose file system fails under it: full (a small tmpfs), read-only, or not
//! writable by the user. The drive answers as a drive that cannot record (CHECK CONDITION,
//! 03/0C/00 WRITE ERROR), `DiscFileDrive::host_io_error` names the real cause, no temp file is
//! left, and once the cause is gone the disc opens at its last good commit.
//!
//! The tmpfs cases mount a tmpfs of their own (root only, and not in every container). Where
//! mounting is not permitted they print a notice and pass, unless `CI` is set: CI runs as
//! root, so there a refused mount fails the test. The permission case needs a user that is
//! not root (root passes every permission check): run as root, it runs this test binary again
//! as user nobody (`setpriv`), the child doing the checks; without such a user it prints a
//! notice and passes (again, fails under `CI`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use mmc_core::sense::Sense;
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport};
use serde_json::json;
use testkit::sense::WRITE_ERROR;
use testkit::{read10, write10, FORMAT_BD_RE_31H, FORMAT_UNIT, SYNCHRONIZE_CACHE, TEST_UNIT_READY};
use virtdrive::medium::MediumKind;
use virtdrive::persist::{DiscFile, PersistError};
use virtdrive::store::{SectorStore, SECTOR};
use virtdrive::{DiscFileDrive, DiscFileOperation, DriveConfig};

const TIMEOUT: Duration = Duration::from_secs(600);
/// Sectors per WRITE (10) here: one BD ECC block, 64 KiB.
const CHUNK: u16 = 32;

#[path = "support/tmpfs.rs"]
mod tmpfs;
use tmpfs::{skip, Tmpfs};

/// Fills the file system holding `dir` to its last byte with a file named `filler`.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = fs::File::create(&path).expect("the filler is created");
    let page = [0x5Au8; 4096];
    loop {
        match file.write(&page) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
                break;
            }
        }
    }
    path
}

/// The temp files in `dir` (a commit's, or a replacement journal's).
fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("the dir lists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The drive, through raw CDBs.

fn open(kind: MediumKind, path: &Path) -> DiscFileDrive {
    DiscFileDrive::open(kind, path, DriveConfig::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn execute(d: &mut DiscFileDrive, cdb: &[u8], data: DataPhase<'_>) -> Completion {
    d.execute(cdb, data, TIMEOUT)
        .unwrap_or_else(|e| panic!("CDB {cdb:02X?}: {e}"))
}

#[track_caller]
fn good(d: &mut DiscFileDrive, cdb: &[u8], data: DataPhase<'_>) {
    let c = execute(d, cdb, data);
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

#[track_caller]
fn write_error(c: &Completion) {
    assert_eq!(c.status, ScsiStatus::CheckCondition, "{c:?}");
    let sense = Sense::parse(&c.sense).expect("the sense parses");
    assert_eq!(sense.triple(), Some(WRITE_ERROR), "{c:?}");
}

/// A BD-RE formatted (FORMAT UNIT, Immed, waited out): the disc's first commit.
fn format_bd_re(d: &mut DiscFileDrive) {
    good(d, &FORMAT_UNIT, DataPhase::Out(&FORMAT_BD_RE_31H));
    d.drive_mut().advance(Duration::from_secs(120));
    good(d, &TEST_UNIT_READY, DataPhase::None);
}

/// Sectors `first..first + blocks` as round `round` writes them: each sector says both.
fn sectors(round: u8, first: u32, blocks: u16) -> Vec<u8> {
    (first..first + u32::from(blocks))
        .flat_map(|lba| {
            let mut s = vec![round; SECTOR];
            s[..4].copy_from_slice(&lba.to_le_bytes());
            s
        })
        .collect()
}

fn write(d: &mut DiscFileDrive, round: u8, lba: u32, blocks: u16) -> Completion {
    execute(
        d,
        &write10(lba, blocks),
        DataPhase::Out(&sectors(round, lba, blocks)),
    )
}

/// Writes `count` sectors from `lba` in chunks, expecting GOOD.
fn write_good(d: &mut DiscFileDrive, round: u8, lba: u32, count: u32) {
    for at in (lba..lba + count).step_by(usize::from(CHUNK)) {
        let c = write(d, round, at, CHUNK);
        assert!(c.is_good(), "WRITE at {at}: {c:?}");
    }
}

fn read(d: &mut DiscFileDrive, lba: u32, blocks: u16) -> Vec<u8> {
    let mut buf = vec![0xA5u8; usize::from(blocks) * SECTOR];
    good(d, &read10(lba, blocks), DataPhase::In(&mut buf));
    buf
}

/// Checks that `count` sectors from `lba` read back as `round` wrote them.
#[track_caller]
fn reads_back(d: &mut DiscFileDrive, round: u8, lba: u32, count: u32) {
    for at in (lba..lba + count).step_by(usize::from(CHUNK)) {
        assert!(
            read(d, at, CHUNK) == sectors(round, at, CHUNK),
            "sectors {at}..+{CHUNK} read back as round {round} wrote them"
        );
    }
}

#[track_caller]
fn reads_zeros(d: &mut DiscFileDrive, lba: u32, count: u32) {
    for at in (lba..lba + count).step_by(usize::from(CHUNK)) {
        assert!(
            read(d, at, CHUNK).iter().all(|&b| b == 0),
            "sectors {at}..+{CHUNK} were never committed and read as zeros"
        );
    }
}

// ---------------------------------------------------------------------------------------
// A full file system.

#[test]
fn writing_past_a_full_file_system_is_a_write_error_naming_enospc_and_the_last_commit_stays() {
    let test = "writing_past_a_full_file_system";
    let Some(tmpfs) = Tmpfs::mount("8m", test) else {
        return;
    };
    let path = tmpfs.path().join("disc.img");
    let mut d = open(MediumKind::BdRe, &path);
    format_bd_re(&mut d);
    // 1 MiB, synchronized: the last good commit.
    write_good(&mut d, 1, 0, 512);
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    assert!(d.host_io_error().is_none(), "{:?}", d.host_io_error());

    // Then more than the file system holds, as a 300 MB image on a small tmpfs.
    let mut lba = 512;
    let failed = loop {
        let c = write(&mut d, 2, lba, CHUNK);
        if !c.is_good() {
            break c;
        }
        lba += u32::from(CHUNK);
        assert!(lba < 8192, "8 MiB of tmpfs cannot take 16 MiB of sectors");
    };
    write_error(&failed);
    // What the failed WRITE managed to store is given back: the data file ends where the
    // last good WRITE did.
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        u64::from(lba) * SECTOR as u64
    );
    let cause = d
        .host_io_error()
        .expect("the host learns why the write failed");
    assert_eq!(cause.kind(), std::io::ErrorKind::StorageFull, "{cause}");
    assert_eq!(cause.raw_os_error(), Some(nix::errno::Errno::ENOSPC as i32));
    assert_eq!(cause.operation(), DiscFileOperation::WritingData);
    assert_eq!(cause.disc_path(), path);
    assert_eq!(cause.path(), path);
    assert_eq!(
        cause.to_string(),
        format!(
            "writing sectors into the data file: no space left on the file system holding {}",
            path.display()
        )
    );
    println!("host_io_error after the WRITE: {cause}");
    // Kept until taken, the first failure only.
    assert_eq!(
        d.take_host_io_error().map(|e| e.operation()),
        Some(DiscFileOperation::WritingData)
    );
    assert!(d.host_io_error().is_none());

    // The failed write gave its space back; fill it, so the commit finds none either.
    let filler = fill(tmpfs.path());
    let c = execute(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    write_error(&c);
    let cause = d
        .host_io_error()
        .expect("the host learns why the commit failed");
    assert_eq!(cause.kind(), std::io::ErrorKind::StorageFull, "{cause}");
    assert_eq!(cause.operation(), DiscFileOperation::CommittingState);
    assert!(
        cause.to_string().starts_with(&format!(
            "committing the disc state: no space left on the file system holding {}",
            path.display()
        )),
        "{cause}"
    );
    println!("host_io_error after SYNCHRONIZE CACHE: {cause}");
    assert_eq!(
        temp_files(tmpfs.path()),
        Vec::<String>::new(),
        "no temp file"
    );
    // And so does committing when the host finishes.
    let e = d.commit().expect_err("no room for the state");
    assert!(
        e.to_string().contains("no space left on the file system"),
        "{e}"
    );
    assert_eq!(
        temp_files(tmpfs.path()),
        Vec::<String>::new(),
        "no temp file"
    );
    drop(d);

    // Room again: the disc is its last good commit, and takes writes that last.
    fs::remove_file(filler).unwrap();
    let mut d = open(MediumKind::BdRe, &path);
    reads_back(&mut d, 1, 0, 512);
    reads_zeros(&mut d, 512, 512);
    write_good(&mut d, 3, 512, 64);
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    drop(d);
    let mut d = open(MediumKind::BdRe, &path);
    reads_back(&mut d, 1, 0, 512);
    reads_back(&mut d, 3, 512, 64);
    assert!(d.host_io_error().is_none());
}

#[test]
fn creating_a_disc_on_a_full_file_system_fails_and_leaves_nothing() {
    let test = "creating_a_disc_on_a_full_file_system";
    let Some(tmpfs) = Tmpfs::mount("1m", test) else {
        return;
    };
    let filler = fill(tmpfs.path());
    let path = tmpfs.path().join("disc.img");
    let e = DiscFileDrive::open(MediumKind::CdR80, &path, DriveConfig::default())
        .expect_err("no room for the disc's state");
    assert!(
        e.to_string()
            .contains("no space left on the file system holding"),
        "{e}"
    );
    println!("creating on a full tmpfs: {e}");
    // Not even the empty data file, which would be taken for a disc without its state.
    let mut left: Vec<String> = fs::read_dir(tmpfs.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["filler"]);
    fs::remove_file(filler).unwrap();
    drop(open(MediumKind::CdR80, &path));
    drop(open(MediumKind::CdR80, &path));
}

#[test]
fn a_commit_failing_after_its_commit_point_is_finished_once_there_is_room() {
    let test = "a_commit_failing_after_its_commit_point";
    let Some(tmpfs) = Tmpfs::mount("8m", test) else {
        return;
    };
    let path = tmpfs.path().join("disc.img");
    let mut d = open(MediumKind::BdRe, &path);
    format_bd_re(&mut d);
    // One block far out: the data file covers 4000 sectors (8 MB), almost all of them holes.
    write_good(&mut d, 1, 3968, 32);
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    // 5 MiB over the committed holes go to the journal; a commit that compacts the journal,
    // copying them into the data file, needs 5 MiB more, which the file system does not
    // have.
    write_good(&mut d, 2, 0, 2560);
    d.disc_file()
        .expect("a disc file")
        .set_compaction_threshold(0);
    let c = execute(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    write_error(&c);
    let cause = d
        .host_io_error()
        .expect("the host learns why the commit failed");
    assert_eq!(cause.kind(), std::io::ErrorKind::StorageFull, "{cause}");
    assert_eq!(cause.operation(), DiscFileOperation::ApplyingJournal);
    println!("host_io_error after SYNCHRONIZE CACHE: {cause}");
    // Past its commit point the commit is finished by reopening, not by trying again.
    write_error(&execute(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None));
    assert_eq!(
        temp_files(tmpfs.path()),
        Vec::<String>::new(),
        "no temp file"
    );
    drop(d);

    // Reopening marks the journal checked, which needs room for the state too, and says so.
    let e = DiscFileDrive::open(MediumKind::BdRe, &path, DriveConfig::default())
        .expect_err("no room to finish the commit");
    assert!(
        e.to_string()
            .contains("no space left on the file system holding"),
        "{e}"
    );
    println!("reopening on the full tmpfs: {e}");
    assert_eq!(
        temp_files(tmpfs.path()),
        Vec::<String>::new(),
        "no temp file"
    );

    // A bigger file system: the commit is finished, and it is the disc's.
    tmpfs.remount("size=16m");
    let mut d = open(MediumKind::BdRe, &path);
    reads_back(&mut d, 2, 0, 2560);
    reads_back(&mut d, 1, 3968, 32);
    assert!(d.host_io_error().is_none());
}

#[test]
fn a_replacement_journal_that_does_not_fit_is_removed_and_the_commit_holds() {
    let test = "a_replacement_journal_that_does_not_fit";
    let Some(tmpfs) = Tmpfs::mount("8m", test) else {
        return;
    };
    let path = tmpfs.path().join("disc");
    let loaded = DiscFile::create(&path, MediumKind::BdRe, &json!({"round": 0})).unwrap();
    let (file, mut store) = (loaded.file, loaded.store);
    let run = |round: u8, first: u64, count: u64| -> Vec<u8> {
        (first..first + count)
            .flat_map(|s| {
                let mut sector = vec![round; SECTOR];
                sector[..8].copy_from_slice(&s.to_le_bytes());
                sector
            })
            .collect()
    };
    // One sector far out (into the tail): the data file covers 4000 sectors of holes.
    store.write(3999, &run(1, 3999, 1)).unwrap();
    store.commit().unwrap();
    file.commit(&json!({"round": 1})).unwrap();
    // 1 MiB synchronized over the holes, then 3.5 MiB pending: a commit compacting the journal
    // copies the first into the data file and the second into a new journal, which does not
    // fit.
    file.set_compaction_threshold(0);
    store.write(0, &run(2, 0, 512)).unwrap();
    store.commit().unwrap();
    for first in (512..2304).step_by(256) {
        store.write(first, &run(3, first, 256)).unwrap();
    }
    let e = file
        .commit(&json!({"round": 2}))
        .expect_err("the new journal does not fit");
    assert!(matches!(e, PersistError::Io { .. }), "{e:?}");
    assert!(
        e.to_string().contains("no space left on the file system"),
        "{e}"
    );
    let cause = file.host_io_error().expect("the cause is kept");
    assert_eq!(cause.kind(), std::io::ErrorKind::StorageFull, "{cause}");
    assert_eq!(cause.operation(), DiscFileOperation::RetiringJournal);
    assert_eq!(
        temp_files(tmpfs.path()),
        Vec::<String>::new(),
        "no temp file"
    );
    drop((file, store));

    // The commit point was passed: the disc opens as round 2, without the pending sectors.
    let loaded = DiscFile::open(&path).expect("the disc opens");
    assert_eq!(loaded.state["round"], 2);
    assert_eq!(loaded.file.generation(), 2);
    let mut out = vec![0u8; 512 * SECTOR];
    loaded.store.read(0, &mut out).unwrap();
    assert!(out == run(2, 0, 512), "the synchronized sectors are there");
    let mut out = vec![0xA5u8; 1792 * SECTOR];
    loaded.store.read(512, &mut out).unwrap();
    assert!(out.iter().all(|&b| b == 0), "the pending sectors are not");
    let mut out = vec![0u8; SECTOR];
    loaded.store.read(3999, &mut out).unwrap();
    assert!(out == run(1, 3999, 1));
}

// ---------------------------------------------------------------------------------------
// A read-only file system.

#[test]
fn a_disc_on_a_read_only_file_system_is_reported_as_such() {
    let test = "a_disc_on_a_read_only_file_system";
    let Some(tmpfs) = Tmpfs::mount("8m", test) else {
        return;
    };
    let path = tmpfs.path().join("disc.img");
    let mut d = open(MediumKind::BdRe, &path);
    format_bd_re(&mut d);
    write_good(&mut d, 1, 0, 64);
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    drop(d);
    tmpfs.remount("ro");

    let read_only = format!("{} is on a read-only file system", path.display());
    let e = DiscFileDrive::open(MediumKind::BdRe, &path, DriveConfig::default())
        .expect_err("a disc cannot be opened for writing there");
    assert!(e.to_string().contains(&read_only), "{e}");
    println!("opening on a read-only tmpfs: {e}");
    let e = DiscFileDrive::open_existing(MediumKind::BdRe, &path, DriveConfig::default())
        .expect_err("a disc cannot be opened for writing there");
    assert!(e.to_string().contains(&read_only), "{e}");
    let new = tmpfs.path().join("new.img");
    let e = DiscFileDrive::open(MediumKind::CdR80, &new, DriveConfig::default())
        .expect_err("no disc can be created there");
    assert!(
        e.to_string()
            .contains(&format!("{} is on a read-only file system", new.display())),
        "{e}"
    );
    println!("creating on a read-only tmpfs: {e}");

    // Writable again: the disc is as it was.
    tmpfs.remount("rw");
    let mut d = open(MediumKind::BdRe, &path);
    reads_back(&mut d, 1, 0, 64);
    assert!(!new.exists());
}

// ---------------------------------------------------------------------------------------
// A directory the user may not write to (EACCES).

/// Set in the child that runs the permission case as user nobody: its directory.
const EACCES_CHILD_DIR: &str = "VIRTDRIVE_DISK_FULL_EACCES_DIR";
/// What the child prints once it has run every check.
const EACCES_DONE: &str = "EACCES checks done";
const NOBODY: u32 = 65534;
/// How the child's lines begin, so the parent can show them.
const UNPRIVILEGED: &str = "[unprivileged] ";

#[test]
fn a_directory_without_write_permission_is_reported_as_permission_denied() {
    let test = "a_directory_without_write_permission";
    if let Some(dir) = std::env::var_os(EACCES_CHILD_DIR) {
        permission_checks(Path::new(&dir));
        println!("{EACCES_DONE}");
        return;
    }
    let base = tempfile::tempdir().unwrap();
    if effective_uid(base.path()) != 0 {
        permission_checks(base.path());
        return;
    }
    // Root passes every permission check: the checks run as nobody, in a folder of theirs.
    let dir = base.path().join("nobody");
    fs::create_dir(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(base.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
        ])
        .arg(&exe)
        .args([
            "--exact",
            "a_directory_without_write_permission_is_reported_as_permission_denied",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(EACCES_CHILD_DIR, &dir)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => return skip(test, &format!("cannot run setpriv ({e})")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stdout.contains("running 1 test") {
        return skip(
            test,
            &format!(
                "cannot run this test as user nobody ({}{})",
                stderr.trim(),
                stdout.trim()
            ),
        );
    }
    // libtest may print the test's name on the same line as its first output.
    for line in stdout.lines() {
        if let Some(at) = line.find(UNPRIVILEGED) {
            println!("{}", &line[at..]);
        }
    }
    assert!(
        out.status.success() && stdout.contains(EACCES_DONE),
        "the checks as nobody failed:\n{stdout}\n{stderr}"
    );
}

/// The user this process runs as, by the owner of a file it makes.
fn effective_uid(dir: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join("uid-probe");
    fs::write(&probe, b"").unwrap();
    let uid = fs::metadata(&probe).unwrap().uid();
    fs::remove_file(probe).unwrap();
    uid
}

/// As a user without root's privileges: a disc in a folder turned read-only (mode 0500) takes
/// no journal and no commit, and the cause is "permission denied".
fn permission_checks(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("disc.img");
    let mut d = open(MediumKind::BdRe, &path);
    format_bd_re(&mut d);
    write_good(&mut d, 1, 0, 64);
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    fs::set_permissions(dir, fs::Permissions::from_mode(0o500)).unwrap();

    // Rewriting a committed sector needs the journal, a new file in the folder.
    write_error(&write(&mut d, 2, 0, CHUNK));
    let cause = d.take_host_io_error().expect("the host learns why");
    assert_eq!(
        cause.kind(),
        std::io::ErrorKind::PermissionDenied,
        "{cause}"
    );
    assert_eq!(cause.operation(), DiscFileOperation::WritingJournal);
    assert_eq!(
        cause.to_string(),
        format!(
            "writing sectors into the journal: {}.journal: permission denied",
            path.display()
        )
    );
    println!("{UNPRIVILEGED}host_io_error after the WRITE: {cause}");
    // Sectors past everything committed go into the data file, which is still writable;
    // committing them needs a new state file in the folder.
    write_good(&mut d, 3, 64, 64);
    write_error(&execute(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None));
    let cause = d.take_host_io_error().expect("the host learns why");
    assert_eq!(
        cause.kind(),
        std::io::ErrorKind::PermissionDenied,
        "{cause}"
    );
    assert_eq!(cause.operation(), DiscFileOperation::CommittingState);
    assert!(
        cause.to_string().ends_with(": permission denied"),
        "{cause}"
    );
    println!("{UNPRIVILEGED}host_io_error after SYNCHRONIZE CACHE: {cause}");
    assert_eq!(temp_files(dir), Vec::<String>::new(), "no temp file");
    // No new disc there either.
    let new = dir.join("new.img");
    let e = DiscFileDrive::open(MediumKind::BdRe, &new, DriveConfig::default())
        .expect_err("no disc can be created there");
    assert!(
        e.to_string()
            .contains(&format!("{}: permission denied", new.display())),
        "{e}"
    );
    println!("{UNPRIVILEGED}creating in the folder: {e}");
    drop(d);

    // Writable again: the disc is its last commit.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).unwrap();
    let mut d = open(MediumKind::BdRe, &path);
    reads_back(&mut d, 1, 0, 64);
    reads_zeros(&mut d, 64, 64);
}
