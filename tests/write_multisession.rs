//! Three `discwriter write` runs, each its own process, to one CD-R disc file make three
//! sessions; `info --json` shows where each leaves the disc, and `read --session N` gives
//! each image back byte for byte.

mod common;

use common::{discwriter, ok};

/// A minimal ISO 9660 volume of `sectors` sectors (ECMA-119): 16 sectors of system area,
/// the primary volume descriptor (8.4) at sector 16 with the volume space size, the
/// descriptor set terminator (8.3) at 17, then data sectors that name themselves. Enough for
/// `read` to know the size; no directory tree.
fn iso(sectors: u32, volume_id: &str, tag: u8) -> Vec<u8> {
    let mut v = common::image(u64::from(sectors), tag);
    v[..16 * 2048].fill(0);
    let pvd = &mut v[16 * 2048..17 * 2048];
    pvd.fill(0);
    pvd[0] = 1; // volume descriptor type: primary
    pvd[1..6].copy_from_slice(b"CD001");
    pvd[6] = 1; // version
    pvd[8..40].fill(b' '); // system identifier
    pvd[40..72].fill(b' ');
    pvd[40..40 + volume_id.len()].copy_from_slice(volume_id.as_bytes());
    // Volume space size, both-endian (8.4.8).
    pvd[80..84].copy_from_slice(&sectors.to_le_bytes());
    pvd[84..88].copy_from_slice(&sectors.to_be_bytes());
    // Volume set size and sequence number 1, logical block size 2048, both-endian.
    pvd[120..122].copy_from_slice(&1u16.to_le_bytes());
    pvd[122..124].copy_from_slice(&1u16.to_be_bytes());
    pvd[124..126].copy_from_slice(&1u16.to_le_bytes());
    pvd[126..128].copy_from_slice(&1u16.to_be_bytes());
    pvd[128..130].copy_from_slice(&2048u16.to_le_bytes());
    pvd[130..132].copy_from_slice(&2048u16.to_be_bytes());
    pvd[881] = 1; // file structure version
    let term = &mut v[17 * 2048..18 * 2048];
    term.fill(0);
    term[0] = 255; // volume descriptor set terminator
    term[1..6].copy_from_slice(b"CD001");
    term[6] = 1;
    v
}

#[test]
fn three_writes_to_one_cd_r_make_three_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let disc = dir.path().join("multi.disc");
    let spec = format!("virt:cd-r@{}", disc.display());

    // A real image made by genisoimage (248 sectors), and two made here.
    let sample = std::fs::read(common::fixture("images/sample.iso")).unwrap();
    assert_eq!(sample.len(), 248 * 2048);
    let images = [sample, iso(400, "SECOND", 2), iso(333, "THIRD", 3)];

    // Worked out by hand from the rules: a track is the image + 150 post-gap + 2 run-out
    // blocks; the lead-out starts after it; the next session's first track starts 11,400
    // sectors after the first lead-out and 6,900 after later ones.
    //   session 1: LBA 0,      track 248 + 152 = 400,  lead-out 400,    next 400 + 11,400 = 11,800
    //   session 2: LBA 11,800, track 400 + 152 = 552,  lead-out 12,352, next 12,352 + 6,900 = 19,252
    //   session 3: LBA 19,252, track 333 + 152 = 485,  lead-out 19,737, next 19,737 + 6,900 = 26,637
    let starts = [0u64, 11_800, 19_252];
    let next = [11_800u64, 19_252, 26_637];

    for (i, img) in images.iter().enumerate() {
        let path = dir.path().join(format!("session{}.iso", i + 1));
        std::fs::write(&path, img).unwrap();
        let o = ok(
            discwriter(
                &["write", path.to_str().unwrap(), "--drive", &spec, "--json"],
                home,
            ),
            "write",
        );
        let out = String::from_utf8_lossy(&o.stdout);
        let result: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(result["result"]["hresult"], "0x00000000", "{result}");
        assert_eq!(
            result["result"]["start_lba"],
            starts[i],
            "session {}",
            i + 1
        );
        assert_eq!(result["result"]["disc_closed"], false);

        let o = ok(
            discwriter(&["info", "--drive", &spec, "--json"], home),
            "info",
        );
        let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(info["status"], "appendable", "after session {}", i + 1);
        assert_eq!(info["sessions"], i + 1);
        assert_eq!(
            info["next_writable_address"],
            next[i],
            "after session {}",
            i + 1
        );
        // 359,847 sectors are free on a blank 80-minute disc (cli_info.rs): the space
        // before the last possible lead-out, less the 2 run-out blocks of a track; an image may
        // have 150 fewer, the post-gap the writer appends.
        assert_eq!(
            info["free_sectors"],
            359_847 - 150 - next[i],
            "after session {}",
            i + 1
        );
    }

    for (i, img) in images.iter().enumerate() {
        let out = dir.path().join(format!("back{}.iso", i + 1));
        let n = (i + 1).to_string();
        ok(
            discwriter(
                &[
                    "read",
                    out.to_str().unwrap(),
                    "--drive",
                    &spec,
                    "--session",
                    &n,
                ],
                home,
            ),
            "read",
        );
        let back = std::fs::read(&out).unwrap();
        assert_eq!(
            back.len(),
            img.len(),
            "session {n}: size from the ISO 9660 volume"
        );
        assert!(back == *img, "session {n} reads back byte for byte");
    }

    // There is no fourth session to read.
    let out = dir.path().join("none.iso");
    let o = discwriter(
        &[
            "read",
            out.to_str().unwrap(),
            "--drive",
            &spec,
            "--session",
            "4",
        ],
        home,
    );
    assert!(!o.status.success());
}
