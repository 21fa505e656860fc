//! What sysfs says about a device node, found by its device number: `/sys/dev/block/MAJ:MIN`
//! and `/sys/dev/char/MAJ:MIN` link to the same directories as `/sys/block/srN` and
//! `/sys/class/scsi_generic/sgN`, whatever the node in `/dev` is called. Every read is
//! bounded and every failure is "sysfs does not say" (`None`): a container without sysfs, or
//! a node that is not a kernel device (the preload shim's), is probed the old way.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Where sysfs is mounted.
pub const SYSFS: &str = "/sys";

/// The two kinds of node a SCSI drive has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// `/dev/srN`, block major 11 (the sr driver).
    Block,
    /// `/dev/sgN`, char major 21 (the sg driver).
    Char,
}

impl NodeKind {
    /// The other kind: a block node's sibling is a char node, and the reverse.
    pub fn other(self) -> NodeKind {
        match self {
            NodeKind::Block => NodeKind::Char,
            NodeKind::Char => NodeKind::Block,
        }
    }

    fn sysfs_dir(self) -> &'static str {
        match self {
            NodeKind::Block => "block",
            NodeKind::Char => "char",
        }
    }
}

/// A device node's identity: its kind and device number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub kind: NodeKind,
    pub major: u64,
    pub minor: u64,
}

impl NodeId {
    /// The identity of a node from its metadata; `None` for anything but a block or char
    /// device.
    pub fn of(meta: &std::fs::Metadata) -> Option<NodeId> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let t = meta.file_type();
        let kind = if t.is_block_device() {
            NodeKind::Block
        } else if t.is_char_device() {
            NodeKind::Char
        } else {
            return None;
        };
        let rdev = meta.rdev();
        Some(NodeId {
            kind,
            major: nix::sys::stat::major(rdev),
            minor: nix::sys::stat::minor(rdev),
        })
    }

    /// `MAJ:MIN`, as sysfs writes it in `dev` files.
    pub fn number(&self) -> String {
        format!("{}:{}", self.major, self.minor)
    }
}

/// `ROOT/dev/{block,char}/MAJ:MIN`.
fn dev_dir(root: &Path, id: NodeId) -> PathBuf {
    root.join("dev").join(id.kind.sysfs_dir()).join(id.number())
}

/// The first 4 KiB of a sysfs attribute, trimmed; `None` when it cannot be read.
fn attribute(path: &Path) -> Option<String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    Some(text.trim().to_string())
}

/// The SCSI peripheral device type sysfs reports for the node's device (`device/type`: 5 for
/// an MMC drive, 0 for a disk); `None` when sysfs has nothing for it.
pub fn scsi_type(root: &Path, id: NodeId) -> Option<u8> {
    attribute(&dev_dir(root, id).join("device/type"))?
        .parse()
        .ok()
}

/// The vendor and model strings sysfs keeps from the device's INQUIRY (`device/vendor`,
/// `device/model`), empty when missing.
pub fn scsi_identity(root: &Path, id: NodeId) -> (String, String) {
    let dev = dev_dir(root, id).join("device");
    (
        attribute(&dev.join("vendor")).unwrap_or_default(),
        attribute(&dev.join("model")).unwrap_or_default(),
    )
}

/// The other node of the same SCSI device, as sysfs lists it: for an sr node the sg node in
/// `device/scsi_generic/`, for an sg node the block device in `device/block/`. Its name
/// (`sg1`) and its identity (from its `dev` attribute).
pub fn sibling(root: &Path, id: NodeId) -> Option<(String, NodeId)> {
    let (list, kind) = match id.kind {
        NodeKind::Block => ("device/scsi_generic", NodeKind::Char),
        NodeKind::Char => ("device/block", NodeKind::Block),
    };
    let dir = dev_dir(root, id).join(list);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    entries.sort();
    entries.into_iter().find_map(|name| {
        let number = attribute(&dir.join(&name).join("dev"))?;
        let (major, minor) = number.split_once(':')?;
        Some((
            name,
            NodeId {
                kind,
                major: major.parse().ok()?,
                minor: minor.parse().ok()?,
            },
        ))
    })
}

/// The block queue's limits on one request, in bytes, for the node's device:
/// `queue/max_sectors_kb` (what the block layer builds requests up to) and
/// `queue/max_hw_sectors_kb` (what the host adapter takes; SG_IO on the block node is
/// checked against it). An sg node has no queue directory of its own; its block sibling's is
/// read.
pub fn queue_limits(root: &Path, id: NodeId) -> Vec<usize> {
    let queue = match id.kind {
        NodeKind::Block => dev_dir(root, id).join("queue"),
        NodeKind::Char => match sibling(root, id) {
            Some((_, block)) => dev_dir(root, block).join("queue"),
            None => return Vec::new(),
        },
    };
    ["max_sectors_kb", "max_hw_sectors_kb"]
        .iter()
        .filter_map(|name| attribute(&queue.join(name))?.parse::<usize>().ok())
        .filter_map(|kb| kb.checked_mul(1024))
        .filter(|&bytes| bytes > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const SR0: NodeId = NodeId {
        kind: NodeKind::Block,
        major: 11,
        minor: 0,
    };
    const SG1: NodeId = NodeId {
        kind: NodeKind::Char,
        major: 21,
        minor: 1,
    };

    /// A sysfs tree as Linux lays it out for a USB DVD writer at sr0 / sg1 (the device
    /// directory is shared; here each `device` is a plain folder with the same content).
    fn usb_writer() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        for dev in ["dev/block/11:0/device", "dev/char/21:1/device"] {
            write(r, &format!("{dev}/type"), "5\n");
            write(r, &format!("{dev}/vendor"), "HL-DT-ST\n");
            write(r, &format!("{dev}/model"), "DVDRAM GP57EB40 \n");
        }
        write(r, "dev/block/11:0/device/scsi_generic/sg1/dev", "21:1\n");
        write(r, "dev/char/21:1/device/block/sr0/dev", "11:0\n");
        write(r, "dev/block/11:0/queue/max_sectors_kb", "120\n");
        write(r, "dev/block/11:0/queue/max_hw_sectors_kb", "240\n");
        root
    }

    #[test]
    fn type_and_identity_come_from_the_device_directory() {
        let root = usb_writer();
        assert_eq!(scsi_type(root.path(), SR0), Some(5));
        assert_eq!(scsi_type(root.path(), SG1), Some(5));
        assert_eq!(
            scsi_identity(root.path(), SG1),
            ("HL-DT-ST".to_string(), "DVDRAM GP57EB40".to_string())
        );
        let disk = NodeId {
            kind: NodeKind::Char,
            major: 21,
            minor: 0,
        };
        write(root.path(), "dev/char/21:0/device/type", "0\n");
        assert_eq!(scsi_type(root.path(), disk), Some(0));
    }

    #[test]
    fn nothing_in_sysfs_is_none() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(scsi_type(root.path(), SR0), None);
        assert_eq!(sibling(root.path(), SR0), None);
        assert!(queue_limits(root.path(), SG1).is_empty());
        assert_eq!(
            scsi_identity(root.path(), SR0),
            (String::new(), String::new())
        );
        // Garbage is not a type.
        write(root.path(), "dev/block/11:0/device/type", "five\n");
        assert_eq!(scsi_type(root.path(), SR0), None);
    }

    #[test]
    fn siblings_are_found_both_ways() {
        let root = usb_writer();
        assert_eq!(sibling(root.path(), SR0), Some(("sg1".to_string(), SG1)));
        assert_eq!(sibling(root.path(), SG1), Some(("sr0".to_string(), SR0)));
    }

    #[test]
    fn queue_limits_of_an_sg_node_are_its_block_siblings() {
        let root = usb_writer();
        assert_eq!(queue_limits(root.path(), SR0), [120 * 1024, 240 * 1024]);
        assert_eq!(queue_limits(root.path(), SG1), [120 * 1024, 240 * 1024]);
        write(root.path(), "dev/block/11:0/queue/max_sectors_kb", "0\n");
        assert_eq!(queue_limits(root.path(), SR0), [240 * 1024]);
    }
}
