//! A disc kept in a file through `DiscFileDrive::open`, written with CDBs: what was
//! synchronized (SYNCHRONIZE CACHE, CLOSE TRACK/SESSION, FORMAT UNIT) is there when a new
//! process opens the file again (here: the drive dropped and opened anew); what was not, is
//! not; a damaged state file is reported with its name.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::{DataPhase, ScsiStatus, Transport};
use testkit::{
    cd_write_parameters, dvd_plus_rw_basic_format, format_list, mode_select, read10, write10,
    CLOSE_SESSION, CLOSE_TRACK, FORMAT_BD_RE_31H, FORMAT_UNIT, INCREMENTAL, NEXT_SESSION_ALLOWED,
    READ_DISC_INFORMATION, READ_TRACK_INFORMATION_FF, SYNCHRONIZE_CACHE, TAO,
};
use virtdrive::medium::MediumKind;
use virtdrive::store::SECTOR;
use virtdrive::{DiscFileDrive, DriveConfig};

/// Closing a CD session takes about 40 s of virtual time at 4x; hosts allow minutes.
const TIMEOUT: Duration = Duration::from_secs(600);

fn open(kind: MediumKind, path: &Path) -> DiscFileDrive {
    DiscFileDrive::open(kind, path, DriveConfig::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn good(d: &mut DiscFileDrive, cdb: &[u8], data: DataPhase<'_>) {
    let c = d
        .execute(cdb, data, TIMEOUT)
        .expect("the command completes");
    assert_eq!(c.status, ScsiStatus::Good, "CDB {cdb:02X?}: {c:?}");
}

#[track_caller]
fn data_in(d: &mut DiscFileDrive, cdb: &[u8], len: usize) -> Vec<u8> {
    let mut buf = vec![0xA5u8; len];
    good(d, cdb, DataPhase::In(&mut buf));
    buf
}

/// Sectors `first..first + blocks`, each filled with a byte of its own.
fn sectors(first: u32, blocks: u16) -> Vec<u8> {
    (first..first + u32::from(blocks))
        .flat_map(|lba| std::iter::repeat_n((lba % 251) as u8 + 1, SECTOR))
        .collect()
}

fn read(d: &mut DiscFileDrive, lba: u32, blocks: u16) -> Vec<u8> {
    data_in(d, &read10(lba, blocks), usize::from(blocks) * SECTOR)
}

/// MODE SELECT(10) of page 05h: TAO, BUFE, Mode 1, Multi-session 11b (next session allowed).
fn mode_select_multisession(d: &mut DiscFileDrive) {
    let list = cd_write_parameters(TAO, NEXT_SESSION_ALLOWED, true);
    good(d, &mode_select(&list), DataPhase::Out(&list));
}

fn disc_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn a_cd_r_session_closed_in_one_process_is_appendable_in_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "disc.cdr");
    {
        let mut d = open(MediumKind::CdR80, &path);
        mode_select_multisession(&mut d);
        for lba in (0..500).step_by(20) {
            good(&mut d, &write10(lba, 20), DataPhase::Out(&sectors(lba, 20)));
        }
        good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
        good(&mut d, &CLOSE_TRACK, DataPhase::None);
        good(&mut d, &CLOSE_SESSION, DataPhase::None);
    }
    let mut d = open(MediumKind::CdR80, &path);
    let track = data_in(&mut d, &READ_TRACK_INFORMATION_FF, 48);
    assert_eq!(track[2], 2, "track 2 comes next");
    assert_eq!(track[3], 2, "in session 2");
    // Track 1: 500 blocks and 2 run-out; then lead-out 6,750, lead-in 4,500, pre-gap 150.
    assert_eq!(&track[8..12], 11_902u32.to_be_bytes(), "track start");
    assert_eq!(
        &track[12..16],
        11_902u32.to_be_bytes(),
        "next writable address"
    );
    let disc = data_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        disc[2] & 0x0F,
        0b0001,
        "incomplete disc, empty last session"
    );
    assert_eq!(disc[4], 2, "one closed session and the empty one to come");
    assert_eq!(read(&mut d, 0, 20), sectors(0, 20));
    assert_eq!(read(&mut d, 480, 20), sectors(480, 20));
    // The second session is written where the NWA says.
    good(
        &mut d,
        &write10(11_902, 20),
        DataPhase::Out(&sectors(11_902, 20)),
    );
}

/// A DVD+R, BD-R or DVD-R session closed in one process is appendable in the next, with its
/// next session where the medium's rules put it (`next`); a second session written but not
/// flushed when the process ends is gone, the first still there. On DVD-R the host asks for
/// Incremental recording with Multi-session 11b first.
fn a_sequential_session_survives_the_process(kind: MediumKind, next: u32) {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "disc.seq");
    {
        let mut d = open(kind, &path);
        if kind == MediumKind::DvdR {
            let list = cd_write_parameters(INCREMENTAL, NEXT_SESSION_ALLOWED, true);
            good(&mut d, &mode_select(&list), DataPhase::Out(&list));
        }
        for lba in (0..100).step_by(20) {
            good(&mut d, &write10(lba, 20), DataPhase::Out(&sectors(lba, 20)));
        }
        good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
        good(&mut d, &CLOSE_TRACK, DataPhase::None);
        good(&mut d, &CLOSE_SESSION, DataPhase::None);
    }
    {
        let mut d = open(kind, &path);
        let track = data_in(&mut d, &READ_TRACK_INFORMATION_FF, 48);
        assert_eq!(&track[2..4], &[2, 2], "{kind:?}: track 2 in session 2");
        assert_eq!(
            &track[12..16],
            next.to_be_bytes(),
            "{kind:?}: next writable address"
        );
        let disc = data_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(disc[2] & 0x0F, 0b0001, "{kind:?}: appendable");
        assert_eq!(read(&mut d, 0, 100), sectors(0, 100), "{kind:?}");
        // Not flushed: gone when the process ends.
        good(
            &mut d,
            &write10(next, 20),
            DataPhase::Out(&sectors(next, 20)),
        );
    }
    let mut d = open(kind, &path);
    let track = data_in(&mut d, &READ_TRACK_INFORMATION_FF, 48);
    assert_eq!(
        &track[12..16],
        next.to_be_bytes(),
        "{kind:?}: still blank there"
    );
    assert_eq!(read(&mut d, 0, 100), sectors(0, 100), "{kind:?}");
}

#[test]
fn a_dvd_plus_r_session_closed_in_one_process_is_appendable_in_the_next() {
    // 100 sectors padded to 112, then the 1,024-sector Closure and Intro.
    a_sequential_session_survives_the_process(MediumKind::DvdPlusR, 112 + 2048);
}

#[test]
fn a_dvd_r_session_closed_in_one_process_is_appendable_in_the_next() {
    // 100 sectors padded to 112, then the first border zone (16,384 sectors, INF).
    a_sequential_session_survives_the_process(MediumKind::DvdR, 112 + 16_384);
}

/// A DVD-R written Disc-at-Once and flushed is complete in the next process, its data there.
#[test]
fn a_dvd_r_disc_at_once_recording_survives_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "disc.dvd-r");
    {
        let mut d = open(MediumKind::DvdR, &path);
        let list = cd_write_parameters(0x02, 0b00, true);
        good(&mut d, &mode_select(&list), DataPhase::Out(&list));
        // RESERVE TRACK of 64 sectors.
        good(&mut d, &[0x53, 0, 0, 0, 0, 0, 0, 0, 64, 0], DataPhase::None);
        good(&mut d, &write10(0, 64), DataPhase::Out(&sectors(0, 64)));
        good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    }
    let mut d = open(MediumKind::DvdR, &path);
    let disc = data_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(disc[2] & 0x0F, 0b1110, "complete disc, complete session");
    assert_eq!(read(&mut d, 0, 64), sectors(0, 64));
}

#[test]
fn a_bd_r_session_closed_in_one_process_is_appendable_in_the_next() {
    // 100 sectors padded to 4 clusters; no gap between BD-R sessions.
    a_sequential_session_survives_the_process(MediumKind::BdR, 128);
}

/// Formats an overwritable disc through FORMAT UNIT (Immed), waiting the format out.
fn format(d: &mut DiscFileDrive, list: &[u8; 12]) {
    good(d, &FORMAT_UNIT, DataPhase::Out(list));
    d.drive_mut().advance(Duration::from_secs(120));
    good(d, &[0x00, 0, 0, 0, 0, 0], DataPhase::None);
}

/// Writes, synchronizes, writes again without synchronizing, and drops the drive; the reopened
/// disc holds the first writes and not the second.
fn synchronized_writes_survive_and_others_do_not(kind: MediumKind, list: &[u8; 12]) {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "disc");
    {
        let mut d = open(kind, &path);
        format(&mut d, list);
        // An ECC block and a half, and a partial block far out.
        good(&mut d, &write10(0, 48), DataPhase::Out(&sectors(0, 48)));
        good(
            &mut d,
            &write10(100_003, 7),
            DataPhase::Out(&sectors(100_003, 7)),
        );
        good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
        // Not synchronized: gone when the process ends.
        good(&mut d, &write10(48, 16), DataPhase::Out(&sectors(48, 16)));
        good(&mut d, &write10(0, 8), DataPhase::Out(&sectors(1000, 8)));
    }
    let mut d = open(kind, &path);
    assert_eq!(read(&mut d, 0, 48), sectors(0, 48), "{kind:?}");
    assert_eq!(read(&mut d, 100_003, 7), sectors(100_003, 7), "{kind:?}");
    assert_eq!(read(&mut d, 48, 16), vec![0; 16 * SECTOR], "{kind:?}");
    // And a third process sees what the second synchronized.
    good(&mut d, &write10(48, 16), DataPhase::Out(&sectors(48, 16)));
    good(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
    drop(d);
    let mut d = open(kind, &path);
    assert_eq!(read(&mut d, 0, 64), sectors(0, 64), "{kind:?}");
}

#[test]
fn dvd_plus_rw_synchronized_writes_survive_a_new_process_and_others_do_not() {
    synchronized_writes_survive_and_others_do_not(
        MediumKind::DvdPlusRw,
        &dvd_plus_rw_basic_format(false),
    );
}

#[test]
fn bd_re_synchronized_writes_survive_a_new_process_and_others_do_not() {
    synchronized_writes_survive_and_others_do_not(MediumKind::BdRe, &FORMAT_BD_RE_31H);
}

#[test]
fn dvd_ram_synchronized_writes_survive_a_new_process_and_others_do_not() {
    // FORMAT UNIT 00h without certification (FOV, DCRT, Immed): the default spare areas.
    let mut list = format_list(2_236_704, 0x00, 0, 0x800);
    list[1] = 0xA2;
    synchronized_writes_survive_and_others_do_not(MediumKind::DvdRam, &list);
}

#[test]
fn bd_re_dl_and_xl_synchronized_writes_survive_a_new_process_and_others_do_not() {
    synchronized_writes_survive_and_others_do_not(
        MediumKind::BdReDl,
        &format_list(24_438_784, 0x31, 0b01, 0x800),
    );
    synchronized_writes_survive_and_others_do_not(
        MediumKind::BdReXl,
        &format_list(48_878_592, 0x31, 0b01, 0x800),
    );
}

#[test]
fn a_state_file_that_is_not_json_is_reported_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "broken.bdre");
    drop(open(MediumKind::BdRe, &path));
    let state = dir.path().join("broken.bdre.state.json");
    std::fs::write(
        &state,
        b"{ \"format\": \"virtdrive disc\", \"version\": 1, ",
    )
    .unwrap();
    let e = DiscFileDrive::open(MediumKind::BdRe, &path, DriveConfig::default()).unwrap_err();
    let message = e.to_string();
    assert!(message.contains("broken.bdre"), "{message}");
    assert!(message.contains("corrupt"), "{message}");
}

#[test]
fn a_medium_state_that_makes_no_sense_is_reported_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "odd.cdr");
    drop(open(MediumKind::CdR80, &path));
    let state_path = dir.path().join("odd.cdr.state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    // The saved disc state (the caller's part of the file) replaced by something no CD-R has.
    state["state"]["medium"] = serde_json::json!({ "sessions": "many" });
    // Edited by hand, so written as format version 1, which carries no check.
    state["version"] = serde_json::json!(1);
    state.as_object_mut().unwrap().remove("check");
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    let e = DiscFileDrive::open(MediumKind::CdR80, &path, DriveConfig::default()).unwrap_err();
    let message = e.to_string();
    assert!(message.contains("odd.cdr"), "{message}");
    assert!(
        message.contains("not usable"),
        "the medium's state: {message}"
    );
}

#[test]
fn open_existing_refuses_a_missing_disc_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.disc");
    let e = DiscFileDrive::open_existing(MediumKind::BdRe, &path, DriveConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing.disc"), "{e}");
    assert!(e.contains("no virtual disc"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Nor does `open` make a missing directory.
    let deep = dir.path().join("no/such/dir/x.disc");
    assert!(DiscFileDrive::open(MediumKind::BdRe, &deep, DriveConfig::default()).is_err());
    assert!(!dir.path().join("no").exists());
}

#[test]
fn notes_are_kept_with_the_disc_until_its_contents_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = disc_path(&dir, "notes.dvdrw");
    let mut d = open(MediumKind::DvdPlusRw, &path);
    d.set_note("discwriter", serde_json::json!({ "sectors": 0 }));
    format(&mut d, &dvd_plus_rw_basic_format(false));
    assert_eq!(d.note("discwriter"), None, "FORMAT UNIT forgets the notes");
    good(&mut d, &write10(0, 16), DataPhase::Out(&sectors(0, 16)));
    d.set_note("discwriter", serde_json::json!({ "sectors": 16 }));
    d.commit().unwrap();
    drop(d);

    let mut d = DiscFileDrive::open_existing(MediumKind::DvdPlusRw, &path, DriveConfig::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        d.note("discwriter"),
        Some(&serde_json::json!({ "sectors": 16 }))
    );
    // A read leaves the note; a write by anyone forgets it, on disk too.
    data_in(&mut d, &read10(0, 1), SECTOR);
    assert!(d.note("discwriter").is_some());
    good(&mut d, &write10(16, 16), DataPhase::Out(&sectors(16, 16)));
    assert_eq!(d.note("discwriter"), None);
    d.commit().unwrap();
    drop(d);
    let d = open(MediumKind::DvdPlusRw, &path);
    assert_eq!(d.note("discwriter"), None);
}
