//! `discwriter` on the multi-layer write-once media kept in disc files, as a user runs it:
//! a DVD+R DL whose image spans both layers gets its layer break at the image's middle and
//! reads back whole; a BD-R XL takes two sessions that `info` reports and `read` gives back
//! byte for byte, and `--close` finalizes it; the disc files hold only what was written; the
//! help names the media.

mod common;

use std::path::Path;

use common::*;
use mmc_core::cdb::LayerBoundary;
use serde_json::Value;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig};

/// The layer 0 capacity set on the blank DVD+R DL before the command writes to it.
const SMALL_LAYER0: u32 = 2048;
const BD_R_XL_SECTORS: u64 = 48_878_592;

/// `discwriter write IMAGE --drive SPEC --json EXTRA...`: its result line.
fn write_json(image: &Path, spec: &str, home: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["write", image.to_str().unwrap(), "--drive", spec, "--json"];
    args.extend(extra);
    let o = ok(discwriter(&args, home), "write");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_result_schema(out.lines().last().expect("a result line"))
}

/// The layer boundary of the disc in `file`, read through the emulated drive.
fn boundary_in(file: &Path) -> LayerBoundary {
    let mut d = DiscFileDrive::open(MediumKind::DvdPlusRDl, file, DriveConfig::default()).unwrap();
    layer_boundary(&mut d)
}

#[test]
fn a_dvd_plus_r_dl_image_across_both_layers_gets_its_break_at_the_middle_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let file = home.join("dl.disc");
    // A blank disc whose layer 0 holds 2,048 sectors (another program set it), so 3,000
    // sectors span both layers.
    {
        let mut d =
            DiscFileDrive::open(MediumKind::DvdPlusRDl, &file, DriveConfig::default()).unwrap();
        set_layer0(&mut d, SMALL_LAYER0);
    }
    let spec = format!("virt:dvd+r-dl@{}", file.display());
    let info = disc_info_json(&spec, home);
    assert_eq!(info["profile_code"], "0x002B");
    assert_eq!(info["media_type"], "DVDPLUSR_DUALLAYER");
    assert_eq!(info["status"], "blank");
    assert_eq!(info["total_sectors"], 2 * SMALL_LAYER0);

    let img = image(3000, 1);
    let path = home.join("dl.img");
    std::fs::write(&path, &img).unwrap();
    let r = write_json(&path, &spec, home, &[]);
    assert_eq!(r["code"], "S_OK", "{r}");
    assert_eq!(
        (&r["start_lba"], &r["sectors"]),
        (&Value::from(0), &Value::from(3000))
    );
    // The compatible close by default.
    assert_eq!(r["disc_closed"], true);
    // 3,000 sectors are 188 ECC blocks: layer 0 takes 94 of them.
    assert_eq!(
        boundary_in(&file),
        LayerBoundary {
            fixed: true,
            layer0_sectors: 94 * 16
        }
    );
    let info = disc_info_json(&spec, home);
    assert_eq!(info["status"], "complete");
    assert_eq!(info["sessions"], 1);
    assert!(
        read_session(&spec, home, None) == img,
        "read back across the break"
    );
}

#[test]
fn a_dvd_plus_r_dl_kept_appendable_takes_a_second_session() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let file = home.join("dl.disc");
    let spec = format!("virt:dvd+r-dl@{}", file.display());
    let images = [image(1600, 2), image(800, 3)];
    for (i, img) in images.iter().enumerate() {
        let path = home.join(format!("s{}.img", i + 1));
        std::fs::write(&path, img).unwrap();
        let r = write_json(&path, &spec, home, &["--disable-dvd-compatibility"]);
        assert_eq!(
            (&r["code"], &r["disc_closed"]),
            (&Value::from("S_OK"), &Value::from(false)),
            "{r}"
        );
        let info = disc_info_json(&spec, home);
        assert_eq!(info["status"], "appendable");
        assert_eq!(info["sessions"], i + 1);
    }
    // An image that fits layer 0: the boundary stays where a blank disc has it.
    assert_eq!(boundary_in(&file).layer0_sectors, 2_086_912);
    for (i, img) in images.iter().enumerate() {
        assert!(
            read_session(&spec, home, Some(i as u32 + 1)) == *img,
            "session {}",
            i + 1
        );
    }
}

#[test]
fn a_bd_r_xl_takes_two_sessions_that_read_back_and_close_finalizes_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let file = home.join("xl.disc");
    let spec = format!("virt:bd-r-xl@{}", file.display());
    // Whole 32-sector clusters, so a session reads back as exactly its image.
    let images = [image(3008, 4), image(704, 5)];
    let nexts = [3008u64, 3712];
    for (i, img) in images.iter().enumerate() {
        let path = home.join(format!("s{}.img", i + 1));
        std::fs::write(&path, img).unwrap();
        let r = write_json(&path, &spec, home, &[]);
        assert_eq!(r["code"], "S_OK", "{r}");
        assert_eq!(r["disc_closed"], false);
        let info = disc_info_json(&spec, home);
        assert_eq!(info["profile_code"], "0x0041");
        assert_eq!(info["media_type"], "BDR");
        assert_eq!(info["status"], "appendable");
        assert_eq!(info["sessions"], i + 1);
        assert_eq!(info["next_writable_address"], nexts[i]);
        assert_eq!(info["total_sectors"], BD_R_XL_SECTORS);
        assert_eq!(info["free_sectors"], BD_R_XL_SECTORS - nexts[i]);
    }
    for (i, img) in images.iter().enumerate() {
        assert!(
            read_session(&spec, home, Some(i as u32 + 1)) == *img,
            "session {}",
            i + 1
        );
    }
    // The disc file holds what was written, not 100 GB.
    let on_disk = std::fs::metadata(&file).unwrap().len();
    assert!(on_disk < 64 << 20, "{on_disk} bytes");

    let third = home.join("s3.img");
    std::fs::write(&third, image(64, 6)).unwrap();
    let r = write_json(&third, &spec, home, &["--close"]);
    assert_eq!(
        (&r["code"], &r["disc_closed"]),
        (&Value::from("S_OK"), &Value::from(true))
    );
    let info = disc_info_json(&spec, home);
    assert_eq!(info["status"], "complete");
    assert_eq!(info["sessions"], 3);
}

#[test]
fn write_help_names_the_multi_layer_media() {
    let dir = tempfile::tempdir().unwrap();
    let o = ok(discwriter(&["write", "--help"], dir.path()), "write --help");
    let help = String::from_utf8_lossy(&o.stdout);
    for name in [
        "dvd+r-dl", "bd-r-dl", "bd-r-xl", "bd-r-xl4", "DVD+R DL", "BD-R XL",
    ] {
        assert!(help.contains(name), "{name}: {help}");
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for name in [
        "`dvd+r-dl`",
        "`bd-r-dl`",
        "`bd-r-xl`",
        "`bd-r-xl4`",
        "DVD+R DL",
        "BD-R DL",
    ] {
        assert!(readme.contains(name), "README: {name}");
    }
}
