//! Sector contents a test can tell apart: every block of a write, every sector of an image,
//! and the bytes expected back.

/// Bytes in one logical block of the emulated media.
pub const BLOCK: usize = virtdrive::store::SECTOR;

/// `n` blocks whose every byte tells its block apart: block `i` is filled with
/// `seed.wrapping_add(i)`.
pub fn blocks(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| std::iter::repeat_n(seed.wrapping_add(i as u8), BLOCK))
        .collect()
}

/// `n` blocks whose bytes all hold `fill`.
pub fn filled(fill: u8, n: usize) -> Vec<u8> {
    vec![fill; n * BLOCK]
}

/// An ISO 9660 primary volume descriptor (ECMA-119 8.4) of a `size`-sector volume of
/// 2048-byte blocks: the type, the standard identifier, the version and the volume space
/// size and block size in both byte orders.
pub fn iso9660_pvd(size: u32) -> Vec<u8> {
    let mut s = vec![0u8; BLOCK];
    s[0] = 1;
    s[1..6].copy_from_slice(b"CD001");
    s[6] = 1;
    s[80..84].copy_from_slice(&size.to_le_bytes());
    s[84..88].copy_from_slice(&size.to_be_bytes());
    s[128..130].copy_from_slice(&2048u16.to_le_bytes());
    s[130..132].copy_from_slice(&2048u16.to_be_bytes());
    s
}

/// An image whose every sector carries its own number (from 1, big-endian in bytes 0-7), a
/// tag byte (byte 8) and 5Ah in its last byte, so a sector read from the wrong place, a stale
/// sector and a blank one all differ from it.
pub fn image(sectors: u64, tag: u8) -> Vec<u8> {
    let mut v = vec![0u8; sectors as usize * BLOCK];
    for (i, s) in v.chunks_mut(BLOCK).enumerate() {
        s[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
        s[8] = tag;
        s[BLOCK - 1] = 0x5A;
    }
    v
}

/// The bytes of sector `lba` written with pattern `tag`: a splitmix64 stream keyed by both,
/// so every sector of every write differs from every other.
pub fn sector_pattern(tag: u64, lba: i64, out: &mut [u8]) {
    let mut x = tag ^ (lba as u64).wrapping_mul(0xD134_2543_DE82_EF95);
    for chunk in out.chunks_exact_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
}

/// `blocks` sectors from `lba` written with pattern `tag` (see [`sector_pattern`]).
pub fn pattern(tag: u64, lba: i64, blocks: u32) -> Vec<u8> {
    let mut v = vec![0u8; blocks as usize * BLOCK];
    for (i, s) in v.chunks_exact_mut(BLOCK).enumerate() {
        sector_pattern(tag, lba + i as i64, s);
    }
    v
}

/// The sectors expected from `lba`, each `Some(tag)` for one written with that pattern or
/// `None` for zeros.
pub fn expected(lba: i64, tags: &[Option<u64>]) -> Vec<u8> {
    let mut v = vec![0u8; tags.len() * BLOCK];
    for (i, (s, tag)) in v.chunks_exact_mut(BLOCK).zip(tags).enumerate() {
        if let Some(tag) = tag {
            sector_pattern(*tag, lba + i as i64, s);
        }
    }
    v
}

/// The first sector where `got` and `want` differ (`lba` when their lengths do), for a
/// readable failure message.
pub fn first_difference(lba: i64, got: &[u8], want: &[u8]) -> Option<i64> {
    if got.len() != want.len() {
        return Some(lba);
    }
    got.chunks(BLOCK)
        .zip(want.chunks(BLOCK))
        .position(|(a, b)| a != b)
        .map(|i| lba + i as i64)
}

/// Asserts that `disc` equals `expected`, naming the first sector that differs.
#[track_caller]
pub fn assert_same_sectors(disc: &[u8], expected: &[u8], first_lba: i64, what: &str) {
    assert_eq!(disc.len(), expected.len(), "{what}: length");
    if let Some(lba) = first_difference(first_lba, disc, expected) {
        panic!("{what}: sector at LBA {lba} differs");
    }
}

/// The big-endian 16-bit field at the start of `b`.
pub fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// The big-endian 24-bit field at the start of `b`.
pub fn be24(b: &[u8]) -> u32 {
    u32::from_be_bytes([0, b[0], b[1], b[2]])
}

/// The big-endian 32-bit field at the start of `b`.
pub fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_differ_by_tag_and_by_sector() {
        let a = pattern(1, 0, 2);
        assert_ne!(a[..BLOCK], a[BLOCK..]);
        assert_ne!(a, pattern(2, 0, 2));
        assert_eq!(expected(0, &[Some(1), None])[..BLOCK], a[..BLOCK]);
        assert_eq!(first_difference(10, &a, &pattern(1, 0, 2)), None);
        assert_eq!(
            first_difference(10, &a, &expected(0, &[Some(1), None])),
            Some(11)
        );
    }

    #[test]
    fn image_sectors_name_themselves() {
        let v = image(2, 0xA5);
        assert_eq!(be32(&v[BLOCK + 4..]), 2);
        assert_eq!(v[BLOCK + 8], 0xA5);
        assert_eq!(blocks(0xFF, 2)[BLOCK], 0x00);
    }
}
