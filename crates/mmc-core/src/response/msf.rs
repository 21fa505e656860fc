//! CD addresses as minutes, seconds and frames (75 frames a second), and their LBA.
//!
//! MMC-6 table 4 (and the Red Book): LBA = (M×60 + S)×75 + F − 150 for M < 90, and
//! LBA = (M×60 + S)×75 + F − 450150 for M ≥ 90, which is how the lead-in (negative LBAs
//! below −150) is addressed.

use serde::{Deserialize, Serialize};

/// Frames per second of CD audio time.
pub const FRAMES_PER_SECOND: i32 = 75;
/// Frames per minute.
pub const FRAMES_PER_MINUTE: i32 = 60 * FRAMES_PER_SECOND;
/// The 2-second pre-gap before LBA 0 (MSF 00:02:00).
pub const PREGAP_FRAMES: i32 = 150;
/// Offset for MSF addresses with M ≥ 90 (the lead-in): 100 minutes minus the pre-gap.
const LEAD_IN_OFFSET: i32 = 450_150;

/// A CD address in minutes, seconds and frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Msf {
    pub minute: u8,
    pub second: u8,
    pub frame: u8,
}

impl Msf {
    pub const fn new(minute: u8, second: u8, frame: u8) -> Self {
        Msf {
            minute,
            second,
            frame,
        }
    }

    /// True when seconds < 60 and frames < 75 (minutes may be 0..=99).
    pub const fn is_valid(self) -> bool {
        self.minute < 100 && self.second < 60 && self.frame < 75
    }

    /// The LBA this address names, by the M ≥ 90 rule for the lead-in.
    pub const fn to_lba(self) -> i32 {
        let frames =
            (self.minute as i32 * 60 + self.second as i32) * FRAMES_PER_SECOND + self.frame as i32;
        if self.minute >= 90 {
            frames - LEAD_IN_OFFSET
        } else {
            frames - PREGAP_FRAMES
        }
    }

    /// The MSF address of `lba`, or `None` when no valid MSF names it (LBAs from −45150 to
    /// 404849 are representable).
    pub const fn from_lba(lba: i32) -> Option<Msf> {
        let frames = if lba >= -PREGAP_FRAMES {
            lba + PREGAP_FRAMES
        } else {
            lba + LEAD_IN_OFFSET
        };
        if frames < 0 {
            return None;
        }
        let minute = frames / FRAMES_PER_MINUTE;
        // M < 90 for program-area addresses, 90..=99 for the lead-in.
        let in_range = if lba >= -PREGAP_FRAMES {
            minute < 90
        } else {
            minute >= 90 && minute < 100
        };
        if !in_range {
            return None;
        }
        let rest = frames % FRAMES_PER_MINUTE;
        Some(Msf {
            minute: minute as u8,
            second: (rest / FRAMES_PER_SECOND) as u8,
            frame: (rest % FRAMES_PER_SECOND) as u8,
        })
    }

    /// The three bytes M, S, F as a drive sends them.
    pub const fn to_bytes(self) -> [u8; 3] {
        [self.minute, self.second, self.frame]
    }

    pub const fn from_bytes(b: [u8; 3]) -> Self {
        Msf::new(b[0], b[1], b[2])
    }

    /// The MSF held in the low three bytes of a 4-byte address field (`00 M S F`), the form
    /// READ TOC (MSF=1) and READ DISC INFORMATION use for CD addresses.
    pub const fn from_address_field(v: u32) -> Self {
        let [_, m, s, f] = v.to_be_bytes();
        Msf::new(m, s, f)
    }

    /// The 4-byte address field `00 M S F`.
    pub const fn to_address_field(self) -> u32 {
        u32::from_be_bytes([0, self.minute, self.second, self.frame])
    }
}

/// M, S, F in three consecutive bytes, for [`fixed_layout!`](crate::layout::fixed_layout)
/// tables (`be(n)`).
impl crate::layout::BeField for Msf {
    const LEN: usize = 3;
    #[inline]
    fn read(buf: &[u8], off: usize) -> Self {
        Msf::from_bytes(<[u8; 3]>::read(buf, off))
    }
    #[inline]
    fn write(self, buf: &mut [u8], off: usize) {
        self.to_bytes().write(buf, off);
    }
}

impl core::fmt::Display for Msf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.minute, self.second, self.frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lba_zero_is_two_seconds_in() {
        assert_eq!(Msf::new(0, 2, 0).to_lba(), 0);
        assert_eq!(Msf::from_lba(0), Some(Msf::new(0, 2, 0)));
    }

    #[test]
    fn lead_in_addresses_use_the_m90_rule() {
        // The customary start of the lead-in of an 80-minute CD-R.
        assert_eq!(Msf::new(97, 26, 65).to_lba(), -11635);
        assert_eq!(Msf::from_lba(-11635), Some(Msf::new(97, 26, 65)));
        assert_eq!(Msf::from_lba(-151), Some(Msf::new(99, 59, 74)));
        assert_eq!(Msf::from_lba(-150), Some(Msf::new(0, 0, 0)));
        assert_eq!(Msf::from_lba(-45151), None);
        assert_eq!(Msf::from_lba(404_850), None);
    }

    #[test]
    fn seventy_four_minutes_two_seconds_is_333000() {
        assert_eq!(Msf::new(74, 2, 0).to_lba(), 333_000);
        assert_eq!(Msf::new(79, 59, 74).to_lba(), 359_849);
    }

    #[test]
    fn as_a_table_field_it_is_three_bytes_m_s_f() {
        use crate::layout::BeField;
        let mut b = [0u8; 5];
        Msf::new(97, 26, 65).write(&mut b, 1);
        assert_eq!(b, [0, 97, 26, 65, 0]);
        assert_eq!(Msf::read(&b, 1), Msf::new(97, 26, 65));
        // A cut entry reads 0 past the end; a write that does not fit is dropped.
        assert_eq!(Msf::read(&b, 3), Msf::new(65, 0, 0));
        Msf::new(1, 2, 3).write(&mut b, 3);
        assert_eq!(b, [0, 97, 26, 65, 0]);
    }
}
