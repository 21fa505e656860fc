//! sg3-utils (`sg_inq`, `sg_turs`, `sg_get_config`, `sg_readcap`, `sg_raw`), unmodified,
//! drive the emulator through `virtdrive run` and the preload shim, at `/dev/sr9` (block) and
//! `/dev/sg9` (SCSI generic): each test asserts the fields the program decoded.
#![cfg(target_os = "linux")]

mod real_clients;

use real_clients::{field, keep_transcripts, tool, virtdrive_run, Case, PRODUCT, VENDOR};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn sg_inq_decodes_the_emulators_identity_on_both_nodes() {
    let Some(sg_inq) = tool("sg_inq", "sg3-utils") else {
        return;
    };
    let dir = tmp();
    for node in ["/dev/sr9", "/dev/sg9"] {
        let out = virtdrive_run(dir.path(), &["--drive", "virt:bd-re"], &sg_inq, &[node]);
        out.expect_code(0);
        assert_eq!(field(&out.stdout, "Vendor identification:"), Some(VENDOR));
        assert_eq!(field(&out.stdout, "Product identification:"), Some(PRODUCT));
        assert_eq!(field(&out.stdout, "Product revision level:"), Some("0.1"));
        // Peripheral device type 5: an MMC device.
        out.expect_line("PDT=5")
            .expect_line("Peripheral device type: cd/dvd");
    }
}

#[test]
fn sg_turs_sees_a_ready_drive_and_a_not_ready_one() {
    let (Some(sg_turs), Some(sg_inq)) = (tool("sg_turs", "sg3-utils"), tool("sg_inq", "sg3-utils"))
    else {
        return;
    };
    let dir = tmp();
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:cd-r"],
        &sg_inq,
        &["/dev/sg9"],
    );
    assert_eq!(field(&out.stdout, "Vendor identification:"), Some(VENDOR));
    virtdrive_run(
        dir.path(),
        &["--drive", "virt:cd-r"],
        &sg_turs,
        &["/dev/sg9"],
    )
    .expect_code(0);

    // Every TEST UNIT READY answers 02/3A/00 MEDIUM NOT PRESENT.
    let plan = dir.path().join("no-disc.json");
    std::fs::write(
        &plan,
        r#"{ "rules": [ { "match": { "opcode": "TEST UNIT READY" },
             "action": { "sense": { "key": "not_ready", "asc": "0x3A", "ascq": "0x00" } } } ] }"#,
    )
    .unwrap();
    let plan = plan.to_str().unwrap();
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:cd-r", "--fault-plan", plan],
        &sg_turs,
        &["/dev/sr9"],
    );
    // sg3-utils exit status 2: "not ready" (sg3_utils(8), EXIT STATUS).
    out.expect_code(2);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("not ready"), "{all}");
}

#[test]
fn sg_get_config_reports_the_current_profile_of_each_medium() {
    let Some(sg_get_config) = tool("sg_get_config", "sg3-utils") else {
        return;
    };
    let dir = tmp();
    for (medium, profile) in [
        ("virt:cd-r", "CD-R"),
        ("virt:dvd+rw", "DVD+RW"),
        ("virt:bd-re", "BD-RE"),
        ("virt:dvd-rom", "DVD-ROM"),
    ] {
        let out = virtdrive_run(
            dir.path(),
            &["--drive", medium],
            &sg_get_config,
            &["-c", "/dev/sr9"],
        );
        out.expect_code(0);
        // The first line is the INQUIRY identity sg_get_config prints.
        let identity = out.stdout.lines().next().unwrap_or_default();
        assert!(
            identity.contains(VENDOR) && identity.contains(PRODUCT),
            "{identity}"
        );
        assert_eq!(
            field(&out.stdout, "Current profile:"),
            Some(profile),
            "{medium}"
        );
        // The profile list marks exactly that profile current.
        let current: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.contains("currentP=1"))
            .collect();
        assert_eq!(current.len(), 1, "{}", out.stdout);
        assert!(
            current[0].contains(&format!("profile: {profile} ")),
            "{}",
            current[0]
        );
    }
}

#[test]
fn sg_readcap_reports_the_capacity_of_a_rom_disc() {
    let (Some(sg_readcap), Some(sg_inq)) =
        (tool("sg_readcap", "sg3-utils"), tool("sg_inq", "sg3-utils"))
    else {
        return;
    };
    let dir = tmp();
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:dvd-rom"],
        &sg_inq,
        &["/dev/sr9"],
    );
    assert_eq!(field(&out.stdout, "Vendor identification:"), Some(VENDOR));
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:dvd-rom"],
        &sg_readcap,
        &["/dev/sg9"],
    );
    out.expect_code(0);
    // The emulator's pressed DVD-ROM holds 2,000,000 sectors of 2048 bytes (medium/rom.rs).
    out.expect_line("Last LBA=1999999 (0x1e847f), Number of logical blocks=2000000")
        .expect_line("Logical block length=2048 bytes");
}

#[test]
fn a_write_protect_fault_makes_sg_raw_report_data_protect() {
    let (Some(sg_raw), Some(sg_inq)) = (tool("sg_raw", "sg3-utils"), tool("sg_inq", "sg3-utils"))
    else {
        return;
    };
    let dir = tmp();
    let plan = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/fault-plans/write-protect-on-write.json"
    );
    let args = ["--drive", "virt:bd-re", "--fault-plan", plan];
    let out = virtdrive_run(dir.path(), &args, &sg_inq, &["/dev/sg9"]);
    assert_eq!(field(&out.stdout, "Vendor identification:"), Some(VENDOR));
    std::fs::write(dir.path().join("sector.bin"), [0u8; 2048]).unwrap();
    // WRITE (10) of one sector at LBA 0, the data from sector.bin.
    let out = virtdrive_run(
        dir.path(),
        &args,
        &sg_raw,
        &[
            "-s",
            "2048",
            "-i",
            "sector.bin",
            "/dev/sg9",
            "2a",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "00",
            "01",
            "00",
        ],
    );
    let all = format!("{}{}", out.stdout, out.stderr);
    // CHECK CONDITION reached sg_raw as the sg driver reports it, with the sense decoded.
    assert!(all.contains("SCSI Status: Check Condition"), "{all}");
    assert!(all.contains("Sense key: Data Protect"), "{all}");
    assert!(all.contains("Additional sense: Write protected"), "{all}");
    // sg3-utils exit status 7: data protect (sg3_utils(8), EXIT STATUS).
    out.expect_code(7);
}

#[test]
fn a_plain_open_of_the_sg_node_is_shared_with_another_plain_open() {
    let Some(sg_inq) = tool("sg_inq", "sg3-utils") else {
        return;
    };
    let dir = tmp();
    // The shell holds /dev/sg9 open read-write (fd 3) while sg_inq opens it again: the sg
    // driver allows any number of opens without O_EXCL.
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:bd-re"],
        std::path::Path::new("/bin/sh"),
        &[
            "-c",
            &format!("exec 3<>/dev/sg9; {} /dev/sg9", sg_inq.display()),
        ],
    );
    out.expect_code(0);
    assert_eq!(field(&out.stdout, "Vendor identification:"), Some(VENDOR));
}

#[test]
fn a_transcript_recorded_under_sg_get_config_replays_against_a_new_served_drive() {
    use mmc_core::trace::{read_jsonl, replay_against};
    use virtdrive::medium::MediumKind;
    use virtdrive::serve::ServedDrive;
    use virtdrive::{DiscFileDrive, DriveConfig};

    let Some(sg_get_config) = tool("sg_get_config", "sg3-utils") else {
        return;
    };
    let dir = tmp();
    let transcript = dir.path().join("sg_get_config.jsonl");
    let out = virtdrive_run(
        dir.path(),
        &[
            "--drive",
            "virt:cd-r",
            "--transcript",
            transcript.to_str().unwrap(),
        ],
        &sg_get_config,
        &["/dev/sr9"],
    );
    out.expect_code(0);
    assert!(out.stdout.contains(VENDOR), "{}", out.stdout);
    let records = read_jsonl(std::io::BufReader::new(
        std::fs::File::open(&transcript).unwrap(),
    ))
    .unwrap();
    // sg_get_config asks INQUIRY, then GET CONFIGURATION.
    let names: Vec<&str> = records.iter().map(|r| r.command.as_str()).collect();
    assert_eq!(names.first(), Some(&"INQUIRY"), "{names:?}");
    assert!(names.contains(&"GET CONFIGURATION"), "{names:?}");
    keep_transcripts(&Case {
        name: "sg_get_config-cd-r",
        commands: &["sg_get_config /dev/sr9"],
        medium: "cd-r",
        fault_plan: None,
        runs: std::slice::from_ref(&transcript),
    });
    // The same commands to a new drive with the same blank disc get the same answers.
    let mut fresh = ServedDrive::new(DiscFileDrive::in_memory(
        MediumKind::CdR80,
        DriveConfig::default(),
    ));
    replay_against(&mut fresh, &records).unwrap();
}
