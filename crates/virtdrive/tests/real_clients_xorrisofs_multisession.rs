//! `xorriso -as mkisofs -M /dev/sr9`, the way a second session is built from the previous one
//! (`-M` reads that session's directory through the block node, as libburn's stdio
//! pseudo-drive: the size from BLKGETSIZE64, the data with read()), then written with
//! `xorriso -as cdrecord -multi`: the disc reads back with both sessions' files. The block
//! node answers the block device ioctls from READ CAPACITY (see the shim's shim_ioctl.c).
#![cfg(target_os = "linux")]

mod real_clients;

use real_clients::{tool, Bench};

/// The `ISO session` lines of xorriso's `-toc`: (number, start sector).
fn iso_sessions(toc: &str) -> Vec<(u64, u64)> {
    toc.lines()
        .filter_map(|l| l.strip_prefix("ISO session  :"))
        .filter_map(|rest| {
            let mut fields = rest.split(',').map(str::trim);
            let n = fields.next()?.parse().ok()?;
            let start = fields.next()?.parse().ok()?;
            Some((n, start))
        })
        .collect()
}

fn second_session_through_mkisofs_dash_m(medium: &str, name: &str) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut b = Bench::new(medium);
    for (folder, file, text) in [
        ("first", "one.txt", "first session\n"),
        ("second", "two.txt", "second session\n"),
    ] {
        std::fs::create_dir_all(b.path(folder)).unwrap();
        std::fs::write(b.path(folder).join(file), text).unwrap();
    }
    let first = b.path("first");
    b.run(
        &xorriso,
        &[
            "-dev",
            "/dev/sr9",
            "-close",
            "off",
            "-map",
            first.to_str().unwrap(),
            "/",
            "-commit",
        ],
    )
    .expect_code(0);

    // libburn's stdio pseudo-drive on the block node sees the first session.
    let toc = b.run(&xorriso, &["-indev", "stdio:/dev/sr9", "-toc"]);
    toc.expect_code(0);
    let combined = format!("{}{}", toc.stdout, toc.stderr);
    assert_eq!(iso_sessions(&combined), vec![(1, 0)], "{combined}");

    let msinfo = b.run(&xorriso, &["-as", "cdrecord", "dev=/dev/sr9", "-msinfo"]);
    msinfo.expect_code(0);
    let msinfo = msinfo.stdout.trim().to_string();
    let (_, next) = msinfo
        .split_once(',')
        .unwrap_or_else(|| panic!("msinfo {msinfo:?}"));
    let next: u64 = next.parse().unwrap();

    let image = b.path("second.iso");
    let second = b.path("second");
    b.run(
        &xorriso,
        &[
            "-as",
            "mkisofs",
            "-M",
            "/dev/sr9",
            "-C",
            &msinfo,
            "-o",
            image.to_str().unwrap(),
            second.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    b.run(
        &xorriso,
        &[
            "-as",
            "cdrecord",
            "dev=/dev/sr9",
            "-multi",
            image.to_str().unwrap(),
        ],
    )
    .expect_code(0);

    // Both sessions, the second where msinfo said, and the second's tree holds both files.
    let toc = b.run(&xorriso, &["-indev", "/dev/sr9", "-toc"]);
    toc.expect_code(0);
    let combined = format!("{}{}", toc.stdout, toc.stderr);
    assert_eq!(
        iso_sessions(&combined),
        vec![(1, 0), (2, next)],
        "{combined}"
    );
    let out = b.path("out");
    b.run(
        &xorriso,
        &[
            "-osirrox",
            "on",
            "-indev",
            "/dev/sr9",
            "-extract",
            "/",
            out.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(out.join("one.txt")).unwrap(),
        "first session\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("two.txt")).unwrap(),
        "second session\n"
    );
    b.keep(name);
}

#[test]
fn xorrisofs_dash_m_builds_a_second_session_on_cd_r() {
    second_session_through_mkisofs_dash_m("cd-r", "xorrisofs_dash_m_cd_r");
}

#[test]
fn xorrisofs_dash_m_builds_a_second_session_on_dvd_plus_r() {
    second_session_through_mkisofs_dash_m("dvd+r", "xorrisofs_dash_m_dvd_plus_r");
}
