//! Raw ioctls through the preload shim, against what Linux answers on each node: the SG_IO
//! header rules of the sg driver (`/dev/sg9`: drivers/scsi/sg.c, sg_new_write and
//! sg_start_req) and of the block layer's SG_IO (`/dev/sr9`: drivers/scsi/scsi_ioctl.c,
//! sg_io), bad headers refused with the kernel's errno while the drive keeps serving, and the
//! block device ioctls of the sr driver's disk (block/ioctl.c) answered from READ CAPACITY.
//!
//! `shim_ioctls_support/probe.c` makes the calls (a C program, as the clients are) and prints
//! one line per case; each test runs it under `virtdrive run`.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use real_clients::{build_c_program, virtdrive_run, VENDOR};

/// The probe, built once per test process with the compiler that builds the shim.
fn probe() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_c_program("probe", include_str!("shim_ioctls_support/probe.c")))
}

/// The probe's lines for `node`, against a drive holding `medium`, as (case, outcome).
fn run_probe(medium: &str, node: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let drive = format!("virt:{medium}");
    let out = virtdrive_run(dir.path(), &["--drive", &drive], probe(), &[node]);
    out.expect_code(0);
    out.stdout
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn outcome<'a>(lines: &'a [(String, String)], case: &str) -> &'a str {
    lines
        .iter()
        .find(|(k, _)| k == case)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("the probe printed no {case:?}: {lines:?}"))
}

/// Asserts each case's outcome starts with the expected text.
fn expect(lines: &[(String, String)], node: &str, cases: &[(&str, &str)]) {
    for (case, want) in cases {
        let got = outcome(lines, case);
        assert!(
            got.starts_with(want),
            "{node} {case}: got {got:?}, Linux gives {want:?}"
        );
    }
}

/// What both nodes accept alike: a command without data whatever the direction says when
/// dxfer_len is 0 (cdrdao zeroes its header and leaves direction 0), and the drive serving on
/// after every refusal.
#[test]
fn sg_io_without_data_is_run_whatever_the_direction_on_both_nodes() {
    for node in ["/dev/sg9", "/dev/sr9"] {
        let lines = run_probe("cd-r", node);
        expect(
            &lines,
            node,
            &[
                ("direction_0_len_0", "ok status 00"),
                ("direction_unknown_len_0", "ok status 00"),
                ("direction_none_len_0", "ok status 00"),
                ("direction_7_len_0", "ok status 00"),
                // A data-in buffer ending before dxfer_len does: copying to it faults.
                ("from_dev_past_buffer", "EFAULT"),
                ("to_dev_past_buffer", "EFAULT"),
                ("from_dev_read_only_buffer", "EFAULT"),
                // The drive still answers: peripheral device type 5.
                ("inquiry_after", "ok status 00 first 05"),
            ],
        );
        assert_eq!(outcome(&lines, "vendor"), format!("{VENDOR:<8}"), "{node}");
    }
}

/// The sg driver: interface_id other than 'S' is ENOSYS; a CDB shorter than 6 bytes or
/// none is EMSGSIZE (sg_new_write); with data, SG_DXFER_TO_DEV writes and every other
/// direction reads (sg_start_req), SG_DXFER_NONE moves nothing; a dxfer_len past the host's
/// limit with no data phase is no transfer at all.
#[test]
fn the_sg_node_checks_the_header_as_the_sg_driver_does() {
    let lines = run_probe("cd-r", "/dev/sg9");
    expect(
        &lines,
        "/dev/sg9",
        &[
            ("interface_id_Q", "ENOSYS"),
            ("interface_id_0", "ENOSYS"),
            ("cdb_null", "EMSGSIZE"),
            ("cdb_5_bytes", "EMSGSIZE"),
            ("cdb_0_bytes", "EMSGSIZE"),
            ("direction_unknown_len_96", "ok status 00 first 05"),
            ("direction_7_len_96", "ok status 00 first 05"),
            ("direction_0_len_96", "ok status 00 first 05"),
            // Nothing lands in the buffer (it keeps its FF).
            ("direction_none_len_96", "ok status 00 first ff"),
            ("none_len_32m", "ok status 00"),
            // With no buffer the driver's own takes the data (null_mapped), and drops it.
            ("from_dev_no_buffer", "ok status 00 first ff"),
            // Block device ioctls are the block node's.
            ("BLKGETSIZE64", "ENOTTY"),
            ("BLKSSZGET", "ENOTTY"),
        ],
    );
}

/// The block layer's SG_IO (scsi_ioctl.c, sg_io): interface_id other than 'S' is EINVAL;
/// dxfer_len past the queue's max_hw_sectors is EIO whatever the direction; with data, only
/// TO_DEV, FROM_DEV and TO_FROM_DEV are directions (anything else EINVAL); a null CDB
/// pointer faults.
#[test]
fn the_block_node_checks_the_header_as_the_block_layer_does() {
    let lines = run_probe("cd-r", "/dev/sr9");
    expect(
        &lines,
        "/dev/sr9",
        &[
            ("interface_id_Q", "EINVAL"),
            ("interface_id_0", "EINVAL"),
            ("cdb_null", "EFAULT"),
            ("direction_unknown_len_96", "EINVAL"),
            ("direction_7_len_96", "EINVAL"),
            ("direction_0_len_96", "EINVAL"),
            ("direction_none_len_96", "EINVAL"),
            ("none_len_32m", "EIO"),
            ("from_dev_no_buffer", "EFAULT"),
        ],
    );
}

/// The sr driver's disk on the block node: 2048-byte logical blocks, the size READ CAPACITY
/// gives (last LBA + 1 blocks, block/ioctl.c BLKGETSIZE in 512-byte sectors), not read-only
/// (sr_probe never sets it), and the block size set_init_blocksize picks at open: the
/// logical block size doubled while the size stays a multiple, up to a page.
#[test]
fn the_block_node_answers_the_block_device_ioctls_from_read_capacity() {
    for medium in ["dvd-rom", "cd-r"] {
        let lines = run_probe(medium, "/dev/sr9");
        let capacity = outcome(&lines, "READ CAPACITY");
        let last: u32 = capacity
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("READ CAPACITY: {capacity}"));
        assert!(capacity.ends_with("block 2048"), "{capacity}");
        // READ CAPACITY's last LBA + 1 as a 32-bit number (sr.c: a blank disc's FFFFFFFFh
        // is 0 blocks).
        let blocks = u64::from(last.wrapping_add(1));
        let bytes = blocks * 2048;
        let bsz = if blocks % 2 == 0 { 4096 } else { 2048 };
        expect(
            &lines,
            medium,
            &[
                ("BLKGETSIZE64", &format!("ok {bytes}")),
                ("BLKGETSIZE", &format!("ok {}", bytes / 512)),
                ("BLKSSZGET", "ok 2048"),
                ("BLKROGET", "ok 0"),
                ("BLKBSZGET", &format!("ok {bsz}")),
                ("SEEK_END", &format!("ok {bytes}")),
            ],
        );
    }
}

/// The drive's sysfs entries: `/sys/dev/block/11:9` and `/sys/dev/char/21:9` are the two
/// nodes (their `dev` says so), and each node's `device` is the SCSI device, of type 5 (an
/// MMC device).
#[test]
fn sysfs_shows_both_nodes_and_their_scsi_device() {
    let dir = tempfile::tempdir().unwrap();
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:cd-r"],
        Path::new("/bin/cat"),
        &[
            "/sys/dev/block/11:9/dev",
            "/sys/dev/char/21:9/dev",
            "/sys/dev/block/11:9/device/type",
            "/sys/dev/char/21:9/device/vendor",
            "/sys/bus/scsi/devices/9:0:0:0/block/sr9/dev",
            "/sys/bus/scsi/devices/9:0:0:0/scsi_generic/sg9/dev",
        ],
    );
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().map(str::trim_end).collect();
    assert_eq!(lines, ["11:9", "21:9", "5", VENDOR, "11:9", "21:9"]);
}

/// The cdrom layer's ioctls on the block node, against a CD-R holding one open session of
/// one data track (written with xorriso), answered as a current kernel answers them
/// (drivers/cdrom/cdrom.c, drivers/scsi/sr.c and sr_ioctl.c, drivers/scsi/scsi_ioctl.c) from
/// the drive's own answers: the capabilities from page 2Ah, the status from TEST UNIT READY
/// and GET EVENT STATUS NOTIFICATION, the TOC from READ TOC/PMA/ATIP, CDROM_SEND_PACKET as a
/// 12-byte SG_IO, the tray with START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL.
#[test]
fn the_block_node_answers_the_cdrom_ioctls_from_the_drive() {
    let Some(xorriso) = real_clients::tool("xorriso", "xorriso") else {
        return;
    };
    let mut b = real_clients::Bench::new("cd-r");
    std::fs::create_dir_all(b.path("tree")).unwrap();
    std::fs::write(b.path("tree").join("one.txt"), "one session\n").unwrap();
    let tree = b.path("tree");
    let tree = tree.to_str().unwrap();
    let args = [
        "-dev", "/dev/sr9", "-close", "off", "-map", tree, "/", "-commit",
    ];
    b.run(&xorriso, &args).expect_code(0);
    let out = b.run(probe(), &["/dev/sr9"]);
    out.expect_code(0);
    let lines: Vec<(String, String)> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();

    // <linux/cdrom.h> CDC_*: a CD writer with a tray it can open and close, no changer, no
    // DVD-R or DVD-RAM writing (page 2Ah says so).
    let caps = outcome(&lines, "CDROM_GET_CAPABILITY");
    let caps = u32::from_str_radix(caps.trim_start_matches("ok 0x"), 16)
        .unwrap_or_else(|_| panic!("CDROM_GET_CAPABILITY: {caps}"));
    let has = |bit: u32| caps & bit != 0;
    const CLOSE_TRAY: u32 = 0x1;
    const OPEN_TRAY: u32 = 0x2;
    const LOCK: u32 = 0x4;
    const SELECT_DISC: u32 = 0x10;
    const MULTI_SESSION: u32 = 0x20;
    const DRIVE_STATUS: u32 = 0x800;
    const GENERIC_PACKET: u32 = 0x1000;
    const CD_R: u32 = 0x2000;
    const CD_RW: u32 = 0x4000;
    const DVD: u32 = 0x8000;
    const DVD_R: u32 = 0x10000;
    const DVD_RAM: u32 = 0x20000;
    for bit in [
        CLOSE_TRAY,
        OPEN_TRAY,
        LOCK,
        MULTI_SESSION,
        DRIVE_STATUS,
        GENERIC_PACKET,
        CD_R,
        CD_RW,
        DVD,
    ] {
        assert!(has(bit), "capability {bit:#x} missing from {caps:#x}");
    }
    for bit in [SELECT_DISC, DVD_R, DVD_RAM] {
        assert!(!has(bit), "capability {bit:#x} in {caps:#x}");
    }

    let leadout: i64 = outcome(&lines, "READ TOC leadout").parse().unwrap();
    assert!(leadout > 0, "lead-out {leadout}");
    expect(
        &lines,
        "cd-r",
        &[
            // CDS_DISC_OK, CDS_DATA_1.
            ("CDROM_DRIVE_STATUS", "ok 4"),
            ("CDROM_DISC_STATUS", "ok 101"),
            ("CDROMREADTOCHDR", "ok 0"),
            ("tracks", "1 1"),
            ("entry_1_lba", "ok ctrl 4 adr 1 lba 0 datamode 1"),
            ("entry_1_msf", "ok ctrl 4 adr 1 msf 00:02:00"),
            (
                "entry_leadout_lba",
                &format!("ok ctrl 4 adr 1 lba {leadout} "),
            ),
            ("entry_format_7", "EINVAL"),
            // A track past the last one: the drive refuses the CDB (ILLEGAL REQUEST).
            ("entry_track_99", "EIO"),
            // One session: no offset, no XA flag.
            ("CDROMMULTISESSION", "ok lba 0 xa 0"),
            // READ SUB-CHANNEL format 02h: the disc has no catalog number (MCVAL 0), and
            // sr_get_mcn copies the 13 bytes whatever MCVAL says.
            ("CDROM_GET_MCN", "ok 0"),
            // READ CD of LBA 16, the ISO 9660 primary volume descriptor: type 1, "CD001".
            ("CDROMREADMODE1", "ok 0"),
            ("CDROMREADMODE1_data", "01 43 44 30 30"),
            ("CDROMREADMODE2", "ok 0"),
            ("CDROMREADMODE2_data", "01 43 44 30 30"),
            ("CDROMREADMODE1_before_0", "EINVAL"),
            ("CDROMREADMODE2_before_0", "EINVAL"),
            ("SEND_PACKET_inquiry", "ok 0"),
            ("SEND_PACKET_inquiry_data", "first 05 stat 0"),
            ("SEND_PACKET_tur", "ok 0"),
            ("SEND_PACKET_direction_9", "EINVAL"),
            // A non-GOOD status is EIO, its sense in the caller's request_sense: 05/20/00.
            ("SEND_PACKET_refused", "EIO"),
            ("SEND_PACKET_refused_sense", "5/20"),
            ("CDROM_LOCKDOOR_1", "ok 0"),
            ("CDROM_LOCKDOOR_0", "ok 0"),
            ("CDROMEJECT", "ok 0"),
            // CDS_TRAY_OPEN.
            ("CDROM_DRIVE_STATUS_ejected", "ok 2"),
            ("CDROMCLOSETRAY", "ok 0"),
        ],
    );
    assert_eq!(
        outcome(&lines, "mcn"),
        "",
        "13 zero bytes: no catalog number"
    );
}

/// On a DVD the cdrom layer's TOC entries come from READ TOC in MSF too (sr_read_tocentry
/// always sets the MSF bit), which a DVD drive converts; a minute is one byte, so the
/// lead-out of the 2,000,000-sector DVD-ROM reads FF:3B:4A, LBA 1,151,849, as the kernel
/// converts it back. DVD media have no Q sub-channel: CDROM_GET_MCN fails (05/24/00 is
/// EIO), as does CDROMREADMODE1 (READ CD, 05/64/00).
#[test]
fn the_cdrom_toc_ioctls_answer_on_a_dvd() {
    let lines = run_probe("dvd-rom", "/dev/sr9");
    expect(
        &lines,
        "dvd-rom",
        &[
            ("CDROM_DISC_STATUS", "ok 101"),
            ("CDROMREADTOCHDR", "ok 0"),
            ("tracks", "1 1"),
            ("entry_1_lba", "ok ctrl 4 adr 1 lba 0 datamode 1"),
            ("entry_1_msf", "ok ctrl 4 adr 1 msf 00:02:00"),
            ("entry_leadout_lba", "ok ctrl 4 adr 1 lba 1151849 "),
            ("CDROM_GET_MCN", "EIO"),
            ("CDROMREADMODE1", "EIO"),
        ],
    );
}

/// CDBs padded with zeros to 12 bytes (the ATAPI packet size) run as the command their
/// operation code names, on both nodes.
#[test]
fn padded_cdbs_run_on_both_nodes() {
    for node in ["/dev/sg9", "/dev/sr9"] {
        let lines = run_probe("cd-r", node);
        expect(
            &lines,
            node,
            &[
                ("inquiry_padded_12", "ok status 00 first 05"),
                ("mode_sense_padded_12", "ok status 00"),
                ("mode_sense_padded_12_page", "2a"),
            ],
        );
    }
}

/// The sg node has no cdrom layer: its ioctls are unknown there.
#[test]
fn the_sg_node_knows_no_cdrom_ioctl() {
    let lines = run_probe("cd-r", "/dev/sg9");
    expect(
        &lines,
        "/dev/sg9",
        &[
            ("CDROM_GET_CAPABILITY", "ENOTTY"),
            ("CDROM_DRIVE_STATUS", "ENOTTY"),
            ("CDROMREADTOCHDR", "ENOTTY"),
            ("SEND_PACKET_inquiry", "ENOTTY"),
            ("CDROMEJECT", "ENOTTY"),
        ],
    );
}
