//! The disc changer of a served drive (`virtdrive run --changer N`): a host that ejects the
//! disc and waits gets the next disc of the stack, which becomes ready as after an
//! operator's; one that loads the tray again at once gets its disc back; the stack's discs
//! are files beside the first, a used one loaded as it is.

use std::path::Path;

use mmc_core::sense::{triples, Sense, SenseTriple};
use mmc_core::{DataPhase, Transport};
use testkit::*;
use virtdrive::medium::{MediaIdentity, MediumKind};
use virtdrive::serve::{open_drive, DriveOptions, ServedDrive, VirtSpec, DEFAULT_POLL_WAIT};
use virtdrive::{numbered_disc_file, DiscFileDrive, DriveConfig};

fn served(disc: &Path, changer: u32) -> Result<ServedDrive, String> {
    served_by(disc, changer, None)
}

/// A served DVD+R in `disc` with a changer of `changer` discs, made by `maker` (--media-id).
fn served_by(disc: &Path, changer: u32, maker: Option<&str>) -> Result<ServedDrive, String> {
    open_drive(&DriveOptions {
        drive: VirtSpec::parse(&format!("virt:dvd+r@{}", disc.display()))?,
        fault_plan: None,
        transcript: None,
        paced: false,
        poll_wait: DEFAULT_POLL_WAIT,
        media_identity: maker.map(|m| MediaIdentity::parse(m).unwrap()),
        changer,
    })
}

/// The disc kept in `path`, opened again.
fn reopened(path: &Path) -> DiscFileDrive {
    DiscFileDrive::open_existing(MediumKind::DvdPlusR, path, DriveConfig::default()).unwrap()
}

/// Who made the disc kept in `path`, as its file says.
fn maker_of(path: &Path) -> Option<String> {
    reopened(path)
        .drive()
        .config()
        .media_identity
        .as_ref()
        .map(ToString::to_string)
}

/// TEST UNIT READY until GOOD: the sense triples of the answers before it.
fn until_ready(d: &mut ServedDrive) -> Vec<SenseTriple> {
    let mut seen = Vec::new();
    for _ in 0..50 {
        let c = d
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap();
        if c.is_good() {
            return seen;
        }
        seen.push(Sense::parse(&c.sense).unwrap().triple().unwrap());
    }
    panic!("not ready after 50 polls: {seen:?}");
}

/// Disc Status of READ DISC INFORMATION (0 blank, 1 appendable, 2 complete).
fn disc_status(d: &mut ServedDrive) -> u8 {
    command_in(d, &READ_DISC_INFORMATION, 34)[2] & 0x03
}

#[test]
fn each_eject_the_host_waits_after_brings_the_next_blank_disc_until_the_stack_is_used_up() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    let mut d = served(&first, 3).unwrap();
    until_ready(&mut d);
    let data = write_blocks(&mut d, 0, 16, 7);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    // Kept with the disc after its last commit: saved only if the swap saves the disc.
    d.drive_mut().set_note("copy", serde_json::json!(1));
    assert_eq!(d.changer(), Some((1, None)));

    let mut second = Vec::new();
    for n in [2, 3] {
        command_ok(&mut d, &EJECT);
        // The host waits for the next disc: the robot loads it, and it becomes ready as
        // after an insertion.
        let seen = until_ready(&mut d);
        assert_eq!(seen.first(), Some(&triples::BECOMING_READY), "{seen:?}");
        assert_eq!(
            seen.last(),
            Some(&triples::MEDIUM_MAY_HAVE_CHANGED),
            "{seen:?}"
        );
        assert_eq!(d.changer(), Some((n, None)));
        assert_eq!(disc_status(&mut d), 0, "disc {n} is blank");
        assert!(numbered_disc_file(&first, n).exists(), "disc {n}'s file");
        if n == 2 {
            second = write_blocks(&mut d, 0, 16, 8);
            command_ok(&mut d, &SYNCHRONIZE_CACHE);
        }
    }
    // The stack is used up: the tray stays open.
    command_ok(&mut d, &EJECT);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
    );
    assert!(!numbered_disc_file(&first, 4).exists());
    assert_eq!(d.changer(), Some((3, None)));
    d.commit().unwrap();
    drop(d);
    // The first disc was saved as it was taken out, and each disc kept what it got.
    let mut again = reopened(&first);
    assert!(read_back(&mut again, 0, 16) == data);
    assert_eq!(again.note("copy"), Some(&serde_json::json!(1)));
    assert!(read_back(&mut reopened(&numbered_disc_file(&first, 2)), 0, 16) == second);
}

#[test]
fn a_second_eject_while_the_tray_is_open_loads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    let mut d = served(&first, 3).unwrap();
    until_ready(&mut d);
    command_ok(&mut d, &EJECT);
    command_ok(&mut d, &EJECT);
    until_ready(&mut d);
    assert_eq!(d.changer(), Some((2, None)), "one disc further, not two");
    assert!(!numbered_disc_file(&first, 3).exists());
}

#[test]
fn new_discs_are_made_by_the_changers_maker_and_a_used_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    // Disc 2 of the stack was made by another maker.
    let mut used = DiscFileDrive::open(
        MediumKind::DvdPlusR,
        &numbered_disc_file(&first, 2),
        DriveConfig {
            media_identity: Some(MediaIdentity::parse("OTHER/X01/5").unwrap()),
            ..DriveConfig::default()
        },
    )
    .unwrap();
    used.commit().unwrap();
    drop(used);
    let mut d = served_by(&first, 3, Some("MAKER/M01/1")).unwrap();
    until_ready(&mut d);
    for _ in [2, 3] {
        command_ok(&mut d, &EJECT);
        until_ready(&mut d);
    }
    d.commit().unwrap();
    drop(d);
    assert_eq!(maker_of(&first).as_deref(), Some("MAKER/M01/1"));
    assert_eq!(
        maker_of(&numbered_disc_file(&first, 2)).as_deref(),
        Some("OTHER/X01/5")
    );
    assert_eq!(
        maker_of(&numbered_disc_file(&first, 3)).as_deref(),
        Some("MAKER/M01/1"),
        "not the used disc's maker"
    );
}

#[test]
fn an_eject_followed_by_a_load_gives_the_same_disc_back() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    let mut d = served(&first, 3).unwrap();
    until_ready(&mut d);
    let data = write_blocks(&mut d, 0, 16, 9);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &EJECT);
    command_ok(&mut d, &LOAD);
    until_ready(&mut d);
    assert_eq!(d.changer(), Some((1, None)));
    assert!(read_blocks(&mut d, 0, 16) == data, "the same disc");
    assert!(!numbered_disc_file(&first, 2).exists());
}

#[test]
fn a_used_disc_in_the_stack_is_loaded_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    let second = numbered_disc_file(&first, 2);
    assert_eq!(second, dir.path().join("a-2.disc"));
    let mut used =
        DiscFileDrive::open(MediumKind::DvdPlusR, &second, DriveConfig::default()).unwrap();
    until_ready_plain(&mut used);
    let data = write_blocks(&mut used, 0, 16, 3);
    command_ok(&mut used, &SYNCHRONIZE_CACHE);
    used.commit().unwrap();
    drop(used);

    let mut d = served(&first, 2).unwrap();
    until_ready(&mut d);
    command_ok(&mut d, &EJECT);
    until_ready(&mut d);
    assert_eq!(d.changer(), Some((2, None)));
    assert_ne!(disc_status(&mut d), 0, "the used disc is not blank");
    assert!(read_blocks(&mut d, 0, 16) == data);
}

#[test]
fn a_locked_tray_does_not_open_and_no_disc_is_changed() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.disc");
    let mut d = served(&first, 2).unwrap();
    until_ready(&mut d);
    command_ok(&mut d, &PREVENT);
    command_fails(&mut d, &EJECT, triples::MEDIUM_REMOVAL_PREVENTED);
    command_ok(&mut d, &TEST_UNIT_READY);
    assert_eq!(d.changer(), Some((1, None)));
    assert!(!numbered_disc_file(&first, 2).exists());
}

#[test]
fn a_changer_needs_its_discs_in_files() {
    let e = open_drive(&DriveOptions {
        drive: VirtSpec::parse("virt:dvd+r").unwrap(),
        fault_plan: None,
        transcript: None,
        paced: false,
        poll_wait: DEFAULT_POLL_WAIT,
        media_identity: None,
        changer: 3,
    })
    .unwrap_err();
    assert!(e.contains("--changer 3") && e.contains("@FILE"), "{e}");
    // One disc is no changer: a drive in memory is fine.
    let dir = tempfile::tempdir().unwrap();
    assert!(served(&dir.path().join("one.disc"), 1)
        .unwrap()
        .changer()
        .is_none());
}

/// TEST UNIT READY on a drive not served, until GOOD.
fn until_ready_plain(d: &mut DiscFileDrive) {
    for _ in 0..50 {
        if d.execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap()
            .is_good()
        {
            return;
        }
        d.pause(std::time::Duration::from_secs(5));
    }
    panic!("the drive never became ready");
}
