//! Programs that use the Linux cdrom layer's ioctls on the block node rather than SG_IO:
//! libcdio's `cd-info` (CDROMREADTOCHDR, CDROMREADTOCENTRY, CDROMMULTISESSION,
//! CDROM_DISC_STATUS, CDROM_SEND_PACKET) and util-linux's `eject` (the sysfs `removable`
//! attribute, CDROM_LOCKDOOR, CDROMEJECT, CDROMCLOSETRAY). The shim answers them as the
//! kernel does, with the MMC commands the kernel sends (see the shim's shim_cdrom.c).
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;

use real_clients::{ready_cd_r, tool, Bench};

/// The formatted TOC of the disc `drive` holds, read through the virtdrive library with
/// READ TOC/PMA/ATIP format 0h in LBA form (MMC-6 6.26.3.2): (track number, start) for
/// every track and the lead-out (AAh).
fn toc(mut drive: impl mmc_core::Transport) -> Vec<(u8, u32)> {
    use mmc_core::{DataPhase, ScsiStatus};
    let cdb = [0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24, 0]; // 804 bytes: 100 descriptors
    let mut data = vec![0u8; 804];
    let c = drive
        .execute(
            &cdb,
            DataPhase::In(&mut data),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good, "READ TOC: {c:?}");
    let len = usize::from(u16::from_be_bytes([data[0], data[1]])) + 2;
    data[4..len.min(data.len())]
        .chunks_exact(8)
        .map(|d| (d[2], u32::from_be_bytes([d[4], d[5], d[6], d[7]])))
        .collect()
}

/// Writes one session holding `file.txt` with `text` from the folder `folder` (xorriso, the
/// disc left appendable).
fn write_session(b: &mut Bench, xorriso: &Path, folder: &str, text: &str) {
    std::fs::create_dir_all(b.path(folder)).unwrap();
    std::fs::write(b.path(folder).join("file.txt"), text).unwrap();
    let tree = b.path(folder);
    let tree = tree.to_str().unwrap();
    let args = [
        "-dev", "/dev/sr9", "-close", "off", "-map", tree, "/", "-commit",
    ];
    b.run(xorriso, &args).expect_code(0);
}

/// A CD-R with two sessions of one data track each (xorriso, the disc left appendable):
/// `cd-info` lists both tracks and the lead-out where the drive's TOC puts them, the start
/// of the last session, and a data disc.
#[test]
fn cd_info_lists_the_tracks_of_a_written_cd_r() {
    let (Some(xorriso), Some(cd_info)) =
        (tool("xorriso", "xorriso"), tool("cd-info", "libcdio-utils"))
    else {
        return;
    };
    let mut b = Bench::new("cd-r");
    write_session(&mut b, &xorriso, "first", "first session\n");
    write_session(&mut b, &xorriso, "second", "second session\n");
    let out = b.run(&cd_info, &["--no-cddb", "/dev/sr9"]);
    out.expect_code(0);
    let toc = toc(ready_cd_r(&b.path("disc")));
    let [(1, first), (2, second), (0xAA, lead_out)] = toc[..] else {
        panic!("the drive's TOC: {toc:?}");
    };
    out.expect_line("CD-ROM Track List (1 - 2)")
        .expect_line(&format!("  1: 00:02:00  {first:06} data"))
        .expect_line(&format!("  2: {}  {second:06} data", msf(second)))
        .expect_line(&format!("170: {}  {lead_out:06} leadout", msf(lead_out)))
        .expect_line(&format!("Last CD Session LSN: {second}"))
        .expect_line("Disc mode is listed as: CD-DATA (Mode 1)");
    b.keep("cd-info-cd-r");
}

/// A DVD+R with one session (xorriso, left appendable): the cdrom layer reads each TOC entry
/// in MSF, which the drive converts from the DVD's LBAs, so `cd-info` lists track 1 and the
/// lead-out where READ TOC in LBA form puts them.
#[test]
fn cd_info_lists_the_track_of_a_written_dvd_plus_r() {
    let (Some(xorriso), Some(cd_info)) =
        (tool("xorriso", "xorriso"), tool("cd-info", "libcdio-utils"))
    else {
        return;
    };
    let mut b = Bench::new("dvd+r");
    write_session(&mut b, &xorriso, "tree", "one session\n");
    let out = b.run(&cd_info, &["--no-cddb", "/dev/sr9"]);
    out.expect_code(0);
    let drive = virtdrive::DiscFileDrive::open_existing(
        virtdrive::medium::MediumKind::DvdPlusR,
        &b.path("disc"),
        virtdrive::DriveConfig::default(),
    )
    .unwrap();
    let toc = toc(drive);
    let [(1, 0), (0xAA, lead_out)] = toc[..] else {
        panic!("the drive's TOC: {toc:?}");
    };
    out.expect_line("CD-ROM Track List (1 - 1)")
        .expect_line("  1: 00:02:00  000000 data")
        .expect_line(&format!("170: {}  {lead_out:06} leadout", msf(lead_out)));
    b.keep("cd-info-dvd+r");
}

/// An LBA as `MM:SS:FF` (the 150-frame pregap added, MMC-6 Table 638 "LBA to MSF").
fn msf(lba: u32) -> String {
    let f = lba + 150;
    format!("{:02}:{:02}:{:02}", f / 4500, f / 75 % 60, f % 75)
}

/// `eject /dev/sr9` opens the tray (the drive then reports "medium not present - tray
/// open" to TEST UNIT READY) and `eject -t` closes it.
#[test]
fn eject_opens_and_closes_the_tray() {
    let (Some(_), Some(_)) = (tool("eject", "eject"), tool("sg_turs", "sg3-utils")) else {
        return;
    };
    let mut b = Bench::new("cd-r");
    let script = "eject /dev/sr9 && echo ejected && sg_turs -v /dev/sr9; \
                  eject -t /dev/sr9 && echo closed && sg_turs -v /dev/sr9; exit 0";
    let out = b.run(Path::new("/bin/sh"), &["-c", script]);
    out.expect_code(0)
        .expect_line("ejected")
        .expect_line("closed");
    let (opened, closed) = out
        .stderr
        .split_once("test unit ready cdb")
        .and_then(|(_, rest)| rest.split_once("test unit ready cdb"))
        .unwrap_or_else(|| panic!("two TEST UNIT READY reports: {}", out.stderr));
    assert!(opened.contains("tray open"), "after eject: {opened}");
    assert!(!closed.contains("tray open"), "after eject -t: {closed}");
    b.keep("eject-cd-r");
}
