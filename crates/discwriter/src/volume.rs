//! How big a file-system volume says it is: the ISO 9660 volume space size (ECMA-119 8.4.8)
//! and the extent of a UDF volume (ECMA-167 part 3 and UDF 2.60 2.2.3), read from the
//! sectors a session starts with. This is how growisofs and xorriso find the size of what a
//! session holds, and how `discwriter read` gives back exactly the image that was written.
//!
//! The sectors come from a drive, so every parser here takes whatever bytes it is given and
//! answers `None` for anything it does not recognise; it never panics.

pub mod files;

/// Bytes in a logical sector of both file systems on optical discs.
const SECTOR: usize = mmc_core::BLOCK_LEN as usize;

/// The primary volume descriptor's sector (ECMA-119 8.4: the volume descriptor set starts at
/// sector 16 of the volume).
pub const ISO9660_PVD_SECTOR: u32 = 16;

/// The first anchor volume descriptor pointer's sector (ECMA-167 3/8.4.2.1: sector 256).
pub const UDF_ANCHOR_SECTOR: u32 = 256;

/// How far past the end of a UDF partition the volume's closing anchor is looked for: the
/// reserve volume descriptor sequence and the anchors at N-257 and N-1 sit within this.
pub const UDF_TAIL_SEARCH: u32 = 1024;

/// A file system found at the start of a session, and its size in sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Volume {
    /// The PVD's volume space size. For the later sessions of a multisession disc it counts
    /// from LBA 0 of the disc, not from the session's start (see [`Volume::extent_in`]).
    Iso9660 { sectors: u32 },
    /// The last anchor's sector plus one.
    Udf { sectors: u32 },
}

impl Volume {
    pub fn sectors(self) -> u32 {
        match self {
            Volume::Iso9660 { sectors } | Volume::Udf { sectors } => sectors,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Volume::Iso9660 { .. } => "ISO 9660",
            Volume::Udf { .. } => "UDF",
        }
    }

    /// The sectors of a session starting at `start` with `recorded` sectors that the volume
    /// covers. An image made for a later session (mkisofs -C, growisofs -M, xorriso) states
    /// its size from LBA 0; one made alone states it from its own start. When both readings
    /// fit the session, the one that leaves the fewest recorded sectors over (a writer adds
    /// at most a post-gap or an ECC block's padding) wins. `None` when neither fits.
    pub fn extent_in(self, start: u32, recorded: u32) -> Option<u32> {
        let size = self.sectors();
        let alone = (size > 0 && size <= recorded).then_some(size);
        let from_zero = match self {
            Volume::Iso9660 { .. } if start > 0 && size > start => {
                Some(size - start).filter(|&s| s <= recorded)
            }
            _ => None,
        };
        match (alone, from_zero) {
            (Some(a), Some(z)) => Some(if recorded - a <= recorded - z { a } else { z }),
            (a, z) => a.or(z),
        }
    }
}

/// The volume space size of the ISO 9660 primary volume descriptor in `sector` (the 17th
/// sector of the volume): type 1, "CD001", version 1, the size both-endian at bytes 80-87.
pub fn iso9660_sectors(sector: &[u8]) -> Option<u32> {
    if sector.first() != Some(&1) || sector.get(1..6) != Some(b"CD001".as_slice()) {
        return None;
    }
    if sector.get(6) != Some(&1) {
        return None;
    }
    let le = u32::from_le_bytes(sector.get(80..84)?.try_into().ok()?);
    let be = u32::from_be_bytes(sector.get(84..88)?.try_into().ok()?);
    // Both halves must agree, and the logical block size (bytes 128-131) be 2048.
    let block = u16::from_le_bytes(sector.get(128..130)?.try_into().ok()?);
    (le == be && le > ISO9660_PVD_SECTOR && usize::from(block) == SECTOR).then_some(le)
}

/// The file system a descriptor in `sector`, read at `lba` of a disc whose last sector is
/// `end - 1`, belongs to: a volume descriptor with the standard identifier "CD001" from
/// sector 16 (ECMA-119 8.1), a UDF volume structure descriptor ("BEA01", "NSR02", "NSR03",
/// "TEA01", ECMA-167 2/9.2-9.3, 3/9.1) from sector 16, or an anchor volume descriptor
/// pointer at 256, N-256 or N (ECMA-167 3/8.4.2.1, N = `end - 1`). `None` for anything else.
pub fn descriptor_at(sector: &[u8], lba: u32, end: u32) -> Option<&'static str> {
    if lba >= ISO9660_PVD_SECTOR {
        match sector.get(1..6) {
            Some(b"CD001") => return Some(Volume::Iso9660 { sectors: 0 }.name()),
            Some(b"BEA01" | b"NSR02" | b"NSR03" | b"TEA01") if sector.first() == Some(&0) => {
                return Some(Volume::Udf { sectors: 0 }.name())
            }
            _ => {}
        }
    }
    let last = end.checked_sub(1)?;
    let anchor_place =
        lba == UDF_ANCHOR_SECTOR || lba == last || last.checked_sub(UDF_ANCHOR_SECTOR) == Some(lba);
    (anchor_place && udf_tag(sector, lba, lba) == Some(TAG_ANCHOR))
        .then(|| Volume::Udf { sectors: 0 }.name())
}

/// A UDF descriptor tag (ECMA-167 3/7.2): its identifier, when the tag checksum holds and the
/// tag says it is at `location` (relative to the volume's start, or `absolute`).
fn udf_tag(sector: &[u8], location: u32, absolute: u32) -> Option<u16> {
    let tag = sector.get(..16)?;
    let sum = tag
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 4)
        .fold(0u8, |s, (_, &b)| s.wrapping_add(b));
    if sum != *tag.get(4)? {
        return None;
    }
    let at = u32::from_le_bytes(tag.get(12..16)?.try_into().ok()?);
    if at != location && at != absolute {
        return None;
    }
    Some(u16::from_le_bytes(tag.get(..2)?.try_into().ok()?))
}

const TAG_PARTITION: u16 = 5;
const TAG_ANCHOR: u16 = 2;
const TAG_TERMINATING: u16 = 8;

/// The extent of a UDF volume starting at `start` (absolute LBA), reading sectors relative
/// to it with `read` (which answers `None` for a sector it cannot read). The anchor at 256
/// leads to the main volume descriptor sequence, whose partition descriptors give where the
/// data ends; the volume ends with the last anchor found after that (UDF writes one at N-1).
pub fn udf_sectors(start: u32, read: &mut dyn FnMut(u32) -> Option<Vec<u8>>) -> Option<u32> {
    let abs = |rel: u32| start.saturating_add(rel);
    let anchor = read(UDF_ANCHOR_SECTOR)?;
    if udf_tag(&anchor, UDF_ANCHOR_SECTOR, abs(UDF_ANCHOR_SECTOR)) != Some(TAG_ANCHOR) {
        return None;
    }
    // Main volume descriptor sequence extent: length in bytes, then location (3/10.2).
    let length = u32::from_le_bytes(anchor.get(16..20)?.try_into().ok()?);
    let location = u32::from_le_bytes(anchor.get(20..24)?.try_into().ok()?);
    // A tag location may be absolute (a volume written at LBA 0 of its disc) or relative.
    let location = if location >= start && start > 0 {
        location - start
    } else {
        location
    };
    let mut end = 0u32;
    for i in 0..(length / SECTOR as u32).min(64) {
        let at = location.checked_add(i)?;
        let d = read(at)?;
        match udf_tag(&d, at, abs(at)) {
            Some(TAG_PARTITION) => {
                // Partition starting location and length (3/10.5.11-12).
                let first = u32::from_le_bytes(d.get(188..192)?.try_into().ok()?);
                let len = u32::from_le_bytes(d.get(192..196)?.try_into().ok()?);
                let first = if first >= start && start > 0 {
                    first - start
                } else {
                    first
                };
                end = end.max(first.checked_add(len)?);
            }
            Some(TAG_TERMINATING) => break,
            Some(_) => {}
            None => return None,
        }
    }
    if end == 0 {
        return None;
    }
    // The closing anchor: the last one in the sectors after the partition.
    let mut last = None;
    for at in end..end.saturating_add(UDF_TAIL_SEARCH) {
        let Some(d) = read(at) else { break };
        if udf_tag(&d, at, abs(at)) == Some(TAG_ANCHOR) {
            last = Some(at);
        }
    }
    Some(last.map_or(end, |l| l + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pvd_gives_the_volume_space_size() {
        assert_eq!(iso9660_sectors(&testkit::iso9660_pvd(248)), Some(248));
        let mut bad = testkit::iso9660_pvd(248);
        bad[84] = 9; // the big-endian half disagrees
        assert_eq!(iso9660_sectors(&bad), None);
        assert_eq!(
            iso9660_sectors(&testkit::iso9660_pvd(248)[..100]),
            None,
            "a truncated sector"
        );
        assert_eq!(iso9660_sectors(&[0u8; SECTOR]), None);
        let mut svd = testkit::iso9660_pvd(248);
        svd[0] = 2; // a supplementary descriptor is not the primary one
        assert_eq!(iso9660_sectors(&svd), None);
    }

    #[test]
    fn a_later_session_s_volume_may_count_from_lba_0() {
        let v = Volume::Iso9660 { sectors: 30_000 };
        // Made for a session at 21,318 holding 8,832 sectors (post-gap included): 8,682.
        assert_eq!(v.extent_in(21_318, 8_832), Some(8_682));
        // Made alone: 300 sectors in a 450-sector session.
        assert_eq!(
            Volume::Iso9660 { sectors: 300 }.extent_in(21_318, 450),
            Some(300)
        );
        // Neither fits.
        assert_eq!(Volume::Iso9660 { sectors: 9_000 }.extent_in(0, 300), None);
        assert_eq!(Volume::Udf { sectors: 400 }.extent_in(500, 300), None);
    }

    fn tag(id: u16, location: u32) -> Vec<u8> {
        let mut s = vec![0u8; SECTOR];
        s[..2].copy_from_slice(&id.to_le_bytes());
        s[2] = 2; // descriptor version
        s[12..16].copy_from_slice(&location.to_le_bytes());
        let sum = s[..16]
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 4)
            .fold(0u8, |a, (_, &b)| a.wrapping_add(b));
        s[4] = sum;
        s
    }

    /// A minimal UDF volume of `size` sectors: anchors at 256 and size-1, the main sequence
    /// at 32 (a partition descriptor and a terminator), the partition 300..size-300.
    fn udf(size: u32) -> Vec<Vec<u8>> {
        let mut v = vec![vec![0u8; SECTOR]; size as usize];
        for at in [256, size - 1] {
            let mut a = tag(TAG_ANCHOR, at);
            a[16..20].copy_from_slice(&(16 * 2048u32).to_le_bytes());
            a[20..24].copy_from_slice(&32u32.to_le_bytes());
            // The checksum covers only the tag; its CRC (unchecked here) the rest.
            v[at as usize] = a;
        }
        let mut p = tag(TAG_PARTITION, 32);
        p[188..192].copy_from_slice(&300u32.to_le_bytes());
        p[192..196].copy_from_slice(&(size - 600).to_le_bytes());
        v[32] = p;
        v[33] = tag(TAG_TERMINATING, 33);
        v
    }

    #[test]
    fn descriptors_name_their_file_system_only_where_they_belong() {
        assert_eq!(
            descriptor_at(&testkit::iso9660_pvd(248), 16, 1000),
            Some("ISO 9660")
        );
        // A terminator ("CD001", type 255) belongs to ISO 9660 as well.
        let mut terminator = testkit::iso9660_pvd(0);
        terminator[0] = 255;
        assert_eq!(descriptor_at(&terminator, 17, 1000), Some("ISO 9660"));
        // Before sector 16 is the system area: anything may be there.
        assert_eq!(descriptor_at(&testkit::iso9660_pvd(248), 15, 1000), None);
        let mut nsr = vec![0u8; SECTOR];
        nsr[1..6].copy_from_slice(b"NSR03");
        nsr[6] = 1;
        assert_eq!(descriptor_at(&nsr, 18, 1000), Some("UDF"));
        // Anchors at 256, N-256 and N (N = 999), not elsewhere.
        for at in [256, 743, 999] {
            assert_eq!(
                descriptor_at(&tag(TAG_ANCHOR, at), at, 1000),
                Some("UDF"),
                "{at}"
            );
        }
        assert_eq!(descriptor_at(&tag(TAG_ANCHOR, 500), 500, 1000), None);
        // A tag that names another sector, a broken checksum, zeros.
        assert_eq!(descriptor_at(&tag(TAG_ANCHOR, 256), 999, 1000), None);
        let mut broken = tag(TAG_ANCHOR, 256);
        broken[4] ^= 1;
        assert_eq!(descriptor_at(&broken, 256, 1000), None);
        assert_eq!(descriptor_at(&[0u8; SECTOR], 256, 1000), None);
        assert_eq!(descriptor_at(&[], 0, 0), None);
    }

    #[test]
    fn a_udf_volume_ends_with_its_last_anchor() {
        let disc = udf(2000);
        let got = udf_sectors(0, &mut |at| disc.get(at as usize).cloned());
        assert_eq!(got, Some(2000));
        // A corrupt anchor at 256: not UDF.
        let mut broken = udf(2000);
        broken[256][4] ^= 1;
        assert_eq!(
            udf_sectors(0, &mut |at| broken.get(at as usize).cloned()),
            None
        );
        // Nothing readable past the partition (300 + 1400 sectors): the partition's end.
        let got = udf_sectors(0, &mut |at| (at < 1700).then(|| disc[at as usize].clone()));
        assert_eq!(got, Some(1700));
    }
}
