//! A Mode 1 CD sector as the disc carries it (ECMA-130): 12 sync bytes, the
//! header (the address in BCD minutes/seconds/frames, mode 01h), 2048 bytes of user data, the
//! EDC over all of it, 8 zero bytes, and the P and Q parities of the Reed-Solomon product code.
//! READ CD returns parts of it.

use mmc_core::response::msf::Msf;

/// Bytes in a whole CD sector.
pub(crate) const RAW_SECTOR: usize = 2352;
/// Where each part of a Mode 1 sector starts.
pub(crate) const HEADER_AT: usize = 12;
pub(crate) const USER_DATA_AT: usize = 16;
pub(crate) const EDC_AT: usize = USER_DATA_AT + 2048;
/// The P parity bytes (ECMA-130 annex A): 86 columns of 24 bytes give 172 bytes.
const P_AT: usize = EDC_AT + 4 + 8;
/// The Q parity bytes: 52 diagonals of 43 bytes give 104 bytes.
const Q_AT: usize = P_AT + 172;

/// `00 FF×10 00`.
const SYNC: [u8; 12] = [
    0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
];

fn bcd(v: u8) -> u8 {
    (v / 10) << 4 | (v % 10)
}

/// The EDC (ECMA-130): CRC-32 with P(x) = (x¹⁶ + x¹⁵ + x² + 1)(x¹⁶ + x² + x + 1),
/// least significant bit first, stored little-endian.
fn edc(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |mut crc, &b| {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ if crc & 1 != 0 { 0xD801_8001 } else { 0 };
        }
        crc
    })
}

/// Multiplication by α in GF(2⁸) with the field polynomial x⁸ + x⁴ + x³ + x² + 1.
const fn times_alpha(v: u8) -> u8 {
    let shifted = (v as u16) << 1;
    (if shifted & 0x100 != 0 {
        shifted ^ 0x11D
    } else {
        shifted
    }) as u8
}

/// One parity pass of the Reed-Solomon product code (ECMA-130 annex A) over the bytes from
/// the header on (16-bit words, each codeword over the same byte of its words): `count`
/// codewords of `len` bytes, codeword `k` starting at byte (`k / 2`) × `major_step` + `k`
/// mod 2, its bytes `step` apart (wrapping around the `count × len` bytes covered). Each codeword gets two parity bytes,
/// written at `at + k` and `at + count + k`, that make both its syndromes zero. P: 86
/// columns of 24 bytes; Q: 52 diagonals of 43 bytes, over the P parity too.
fn parity(
    sector: &mut [u8; RAW_SECTOR],
    count: usize,
    len: usize,
    major_step: usize,
    step: usize,
    at: usize,
) {
    let size = count * len;
    for major in 0..count {
        let mut index = (major >> 1) * major_step + (major & 1);
        let (mut a, mut b) = (0u8, 0u8);
        for _ in 0..len {
            let v = sector.get(HEADER_AT + index).copied().unwrap_or(0);
            index += step;
            if index >= size {
                index -= size;
            }
            a ^= v;
            b ^= v;
            a = times_alpha(a);
        }
        // With p and q appended, S0 = b ^ p ^ q and S1 = α·a ^ α·p ^ q (a already carries
        // one factor α): both zero when p·(α + 1) = α·a ^ b and q = p ^ b.
        let a = divide_by_alpha_plus_one(times_alpha(a) ^ b);
        if let Some(p) = sector.get_mut(at + major) {
            *p = a;
        }
        if let Some(q) = sector.get_mut(at + major + count) {
            *q = a ^ b;
        }
    }
}

/// x with x·(α + 1) = v: the inverse of `v ↦ times_alpha(v) ^ v`, found by search (256
/// values; the map is a bijection of GF(2⁸)).
fn divide_by_alpha_plus_one(v: u8) -> u8 {
    (0..=255u8).find(|&x| times_alpha(x) ^ x == v).unwrap_or(0)
}

/// The whole sector at `lba` around its 2048 bytes of user data.
pub(crate) fn mode1_sector(lba: i32, user_data: &[u8]) -> [u8; RAW_SECTOR] {
    let mut s = [0u8; RAW_SECTOR];
    if let Some(sync) = s.get_mut(..HEADER_AT) {
        sync.copy_from_slice(&SYNC);
    }
    let msf = Msf::from_lba(lba).unwrap_or_default();
    if let Some(h) = s.get_mut(HEADER_AT..USER_DATA_AT) {
        h.copy_from_slice(&[bcd(msf.minute), bcd(msf.second), bcd(msf.frame), 0x01]);
    }
    let n = user_data.len().min(2048);
    if let (Some(d), Some(src)) = (
        s.get_mut(USER_DATA_AT..USER_DATA_AT + n),
        user_data.get(..n),
    ) {
        d.copy_from_slice(src);
    }
    let crc = edc(s.get(..EDC_AT).unwrap_or(&[]));
    if let Some(e) = s.get_mut(EDC_AT..EDC_AT + 4) {
        e.copy_from_slice(&crc.to_le_bytes());
    }
    parity(&mut s, 86, 24, 2, 86, P_AT);
    parity(&mut s, 52, 43, 86, 88, Q_AT);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edc_checks_over_data_and_edc() {
        let s = mode1_sector(0, &[0x5A; 2048]);
        // A CRC over the data followed by its own little-endian remainder is zero.
        assert_eq!(edc(&s[..EDC_AT + 4]), 0);
        assert_eq!(&s[..12], &SYNC);
        // LBA 0 is 00:02:00.
        assert_eq!(&s[12..16], &[0x00, 0x02, 0x00, 0x01]);
    }

    #[test]
    fn every_p_codeword_has_zero_syndromes() {
        let data: Vec<u8> = (0..2048u32).map(|i| (i * 7 + 3) as u8).collect();
        let s = mode1_sector(1234, &data);
        // P codeword `c`: the 24 bytes c, c + 86, ... then parities c + 2064, c + 2150, as
        // offsets from the header (ECMA-130 annex A: column vectors of 26 bytes).
        for c in 0..86 {
            let word: Vec<u8> = (0..26).map(|k| s[HEADER_AT + c + 86 * k]).collect();
            let s0 = word.iter().fold(0u8, |acc, &v| acc ^ v);
            let s1 = word.iter().fold(0u8, |acc, &v| times_alpha(acc) ^ v);
            assert_eq!((s0, s1), (0, 0), "column {c}");
        }
    }
}
