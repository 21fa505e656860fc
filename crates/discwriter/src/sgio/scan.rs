//! Finding drives: every `/dev/srN` and `/dev/sgN`, opened read-only and shared, asked
//! INQUIRY and, when it is an MMC drive, GET CONFIGURATION for its current profile. Nothing
//! else is sent, and nothing is sent to a device that is not an MMC drive after INQUIRY.
//!
//! Nothing at all is sent to a node whose device sysfs says is not an MMC drive (its
//! `device/type` present and not 5: a disk, a tape, an enclosure); it is listed with the
//! vendor and model sysfs keeps. A node sysfs knows nothing about is asked INQUIRY, with an
//! allocation length of 36 bytes: the standard data up to the revision, what usb-storage and
//! libburn ask for (some USB bridges fail an INQUIRY asking for more).

use std::path::{Path, PathBuf};

use mmc_core::cdb::{CdbRepr, Inquiry};
use mmc_core::profile::Profile;
use mmc_core::response::{ResponseFormat, StandardInquiry};
use mmc_core::{DataPhase, Transport};

use super::sysfs::{self, NodeId};
use super::SgDevice;
use crate::recorder::DEFAULT_TIMEOUT;
use crate::Recorder;

/// One device node and what it turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FoundDevice {
    pub path: PathBuf,
    pub probe: Probe,
}

/// What a device node answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Probe {
    /// An MMC drive (peripheral device type 05h).
    Drive {
        vendor: String,
        product: String,
        revision: String,
        /// The current profile (`NoProfile` with no disc); `None` when GET CONFIGURATION
        /// failed (a drive older than MMC-2).
        profile: Option<Profile>,
    },
    /// A SCSI device that is not an MMC drive (a disk, a scanner...); listed, never used.
    NotMmc {
        vendor: String,
        product: String,
        peripheral_device_type: u8,
    },
    /// The node could not be opened or did not answer INQUIRY (no permission, not SG...).
    Unusable { reason: String },
}

/// Scans `/dev`.
pub fn scan() -> Vec<FoundDevice> {
    scan_in(Path::new("/dev"))
}

/// The INQUIRY allocation length of a probe: the 36 bytes of standard data up to the product
/// revision (SPC-4 6.6.2), as usb-storage and libburn ask.
pub const PROBE_INQUIRY_LEN: u16 = 36;

/// The numbers probed by name besides those listed in the directory: `sr0`-`sr31` and
/// `sg0`-`sg31`, as libburn probes `/dev/sr0-31` (a node can exist without appearing in a
/// listing, as the preload shim's `/dev/sr9` does).
const PROBED_NUMBERS: u32 = 32;

/// Scans the `srN` and `sgN` nodes of `dir`, in the order sr0, sr1, ..., sg0, sg1, ...
pub fn scan_in(dir: &Path) -> Vec<FoundDevice> {
    scan_in_with_sysfs(dir, Path::new(sysfs::SYSFS))
}

/// [`scan_in`] with sysfs mounted at `sysfs_root`.
pub fn scan_in_with_sysfs(dir: &Path, sysfs_root: &Path) -> Vec<FoundDevice> {
    let listed = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let (family, number) = node_name(name.to_str()?)?;
            Some((family, number, e.path()))
        });
    let by_name = (0..2u8).flat_map(|family| {
        (0..PROBED_NUMBERS).filter_map(move |number| {
            let prefix = if family == 0 { "sr" } else { "sg" };
            let path = dir.join(format!("{prefix}{number}"));
            // `metadata` (statx), not a listing: it sees every node that exists.
            path.metadata().is_ok().then_some((family, number, path))
        })
    });
    let mut nodes: Vec<(u8, u32, PathBuf)> = listed.chain(by_name).collect();
    nodes.sort();
    nodes.dedup();
    nodes
        .into_iter()
        .map(|(_, _, path)| FoundDevice {
            probe: probe_with_sysfs(&path, sysfs_root),
            path,
        })
        .collect()
}

/// `("sr", N)` as `(0, N)` and `("sg", N)` as `(1, N)`; `None` for any other name.
fn node_name(name: &str) -> Option<(u8, u32)> {
    let (family, number) = if let Some(n) = name.strip_prefix("sr") {
        (0, n)
    } else {
        (1, name.strip_prefix("sg")?)
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((family, number.parse().ok()?))
}

/// Identifies the device at `path` without writing anything to it.
pub fn probe(path: &Path) -> Probe {
    probe_with_sysfs(path, Path::new(sysfs::SYSFS))
}

/// [`probe`] with sysfs mounted at `sysfs_root`.
pub fn probe_with_sysfs(path: &Path, sysfs_root: &Path) -> Probe {
    if let Some(not_mmc) = not_mmc_by_sysfs(path, sysfs_root) {
        return not_mmc;
    }
    let mut device = match SgDevice::open_probe(path) {
        Ok(d) => d,
        Err(e) => {
            return Probe::Unusable {
                reason: e.to_string(),
            }
        }
    };
    let inquiry = match inquire(&mut device) {
        Ok(i) => i,
        Err(reason) => return Probe::Unusable { reason },
    };
    if !inquiry.is_mmc_device() {
        return Probe::NotMmc {
            vendor: inquiry.vendor.trim().to_string(),
            product: inquiry.product.trim().to_string(),
            peripheral_device_type: inquiry.peripheral_device_type.to_u8(),
        };
    }
    match Recorder::open(device) {
        Ok(mut recorder) => {
            let profile = recorder.current_profile().ok();
            let info = recorder.info();
            Probe::Drive {
                vendor: info.vendor.clone(),
                product: info.product.clone(),
                revision: info.revision.clone(),
                profile,
            }
        }
        Err(e) => Probe::Unusable {
            reason: e.to_string(),
        },
    }
}

/// What sysfs says of a device node that is not an MMC drive; `None` for an MMC drive, for
/// anything that is not a device node, and when sysfs has nothing for it.
fn not_mmc_by_sysfs(path: &Path, sysfs_root: &Path) -> Option<Probe> {
    let id = NodeId::of(&std::fs::metadata(path).ok()?)?;
    let peripheral_device_type = sysfs::scsi_type(sysfs_root, id).filter(|&t| t != 5)?;
    let (vendor, product) = sysfs::scsi_identity(sysfs_root, id);
    Some(Probe::NotMmc {
        vendor,
        product,
        peripheral_device_type,
    })
}

/// INQUIRY alone, for devices of any type.
fn inquire(device: &mut SgDevice) -> Result<StandardInquiry, String> {
    let cdb = Inquiry {
        vpd_page: None,
        allocation_length: PROBE_INQUIRY_LEN,
    }
    .encode();
    let mut buf = [0u8; PROBE_INQUIRY_LEN as usize];
    let c = device
        .execute(&cdb, DataPhase::In(&mut buf), DEFAULT_TIMEOUT)
        .map_err(|e| format!("INQUIRY: {e}"))?;
    if !c.is_good() {
        return Err(format!("INQUIRY ended with {:?}", c.status));
    }
    let got = c.transferred(buf.len());
    StandardInquiry::parse(buf.get(..got).unwrap_or(&[])).map_err(|e| format!("INQUIRY: {e}"))
}
