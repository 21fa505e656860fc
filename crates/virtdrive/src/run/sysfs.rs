//! The sysfs entries of the served drive, as Linux shows an MMC drive on a SCSI host: written
//! under the run's private folder, and shown by the shim at `/sys/...` (`VIRTDRIVE_SYSFS`,
//! see `shim/shim_sysfs.c`) where the real sysfs has nothing, for the programs that find
//! drives there (`cdrdao scanbus` globs `/sys/bus/scsi/devices/*` and reads each device's
//! `type`, `vendor`, `model`, `rev` and `block/`; eject and libcdio follow
//! `/sys/dev/block/MAJOR:MINOR`).
//!
//! The layout (the SCSI device folder is a real folder here, where Linux links it into
//! `/sys/devices`):
//!
//! ```text
//! bus/scsi/devices/H:C:T:L/{type,vendor,model,rev}      5, INQUIRY's fields padded, "\n"
//! bus/scsi/devices/H:C:T:L/block/srN/{dev,device}        "11:N", -> ../.. (the device)
//! bus/scsi/devices/H:C:T:L/block/srN/removable           "1"
//! bus/scsi/devices/H:C:T:L/scsi_generic/sgN/{dev,device} "21:N", -> ../..
//! dev/block/11:N, block/srN               -> the block node's folder
//! dev/char/21:N, class/scsi_generic/sgN   -> the generic node's folder
//! ```

use std::io;
use std::os::unix::fs::symlink;
use std::path::Path;

use super::Devices;
use crate::drive::DriveIdentity;

/// The minor number the shim gives a node: its path's trailing digits (`/dev/sr9` is 9).
fn minor(node: &Path) -> u32 {
    let name = node.to_string_lossy();
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    name.get(name.len() - digits..)
        .and_then(|d| d.parse().ok())
        .map_or(0, |n: u32| n & 0xF_FFFF)
}

fn node_name(node: &Path, fallback: &str) -> String {
    node.file_name().map_or_else(
        || fallback.to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes the tree under `root` (which exists and is empty).
pub(super) fn write(root: &Path, devices: &Devices, identity: &DriveIdentity) -> io::Result<()> {
    let [host, channel, target, lun] = devices.scsi_address;
    let hctl = format!("{host}:{channel}:{target}:{lun}");
    let device = root.join("bus/scsi/devices").join(&hctl);
    std::fs::create_dir_all(&device)?;
    // TYPE_ROM: peripheral device type 5, an MMC device (SPC-4 6.6.2); the identity as
    // the scsi midlayer prints INQUIRY's fields, space-padded to their widths.
    std::fs::write(device.join("type"), "5\n")?;
    std::fs::write(device.join("vendor"), format!("{:<8}\n", identity.vendor))?;
    std::fs::write(device.join("model"), format!("{:<16}\n", identity.product))?;
    std::fs::write(device.join("rev"), format!("{:<4}\n", identity.revision))?;
    let sr = node_name(&devices.sr, "sr9");
    let sg = node_name(&devices.sg, "sg9");
    let (sr_minor, sg_minor) = (minor(&devices.sr), minor(&devices.sg));
    for (class, name, major, minor, links) in [
        (
            "block",
            &sr,
            11,
            sr_minor,
            [format!("dev/block/11:{sr_minor}"), format!("block/{sr}")],
        ),
        (
            "scsi_generic",
            &sg,
            21,
            sg_minor,
            [
                format!("dev/char/21:{sg_minor}"),
                format!("class/scsi_generic/{sg}"),
            ],
        ),
    ] {
        let folder = device.join(class).join(name);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("dev"), format!("{major}:{minor}\n"))?;
        symlink("../..", folder.join("device"))?;
        if class == "block" {
            // The sr driver's disk is removable (sr.c sr_probe, GENHD_FL_REMOVABLE): eject
            // reads it before it sends anything.
            std::fs::write(folder.join("removable"), "1\n")?;
        }
        for link in links {
            let at = root.join(&link);
            let parent = at.parent().unwrap_or(root);
            std::fs::create_dir_all(parent)?;
            // Relative, so the link resolves under /sys as well as under `root`.
            let depth = link.matches('/').count();
            let up = "../".repeat(depth);
            symlink(format!("{up}bus/scsi/devices/{hctl}/{class}/{name}"), at)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minor_is_the_paths_trailing_number() {
        assert_eq!(minor(Path::new("/dev/sr9")), 9);
        assert_eq!(minor(Path::new("/tmp/x/sg12")), 12);
        assert_eq!(minor(Path::new("/dev/cdrom")), 0);
    }
}
