//! The small vocabulary every layer shares: sense keys, sense triples and the
//! sense-key-specific field (SPC-4 4.5.2.4).

use serde::{Deserialize, Serialize};

/// The sense key (SPC-4 table 48): the broad class of a CHECK CONDITION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenseKey {
    NoSense,
    RecoveredError,
    NotReady,
    MediumError,
    HardwareError,
    IllegalRequest,
    UnitAttention,
    DataProtect,
    BlankCheck,
    VendorSpecific,
    CopyAborted,
    AbortedCommand,
    /// 0Ch, obsolete in SPC-4 (was EQUAL).
    Obsolete,
    VolumeOverflow,
    Miscompare,
    /// 0Fh, reserved. A sense key is four bits wide, so nothing else is possible.
    Reserved,
}

impl SenseKey {
    /// The key from the low four bits of `v`.
    pub const fn from_u8(v: u8) -> Self {
        match v & 0x0F {
            0x0 => SenseKey::NoSense,
            0x1 => SenseKey::RecoveredError,
            0x2 => SenseKey::NotReady,
            0x3 => SenseKey::MediumError,
            0x4 => SenseKey::HardwareError,
            0x5 => SenseKey::IllegalRequest,
            0x6 => SenseKey::UnitAttention,
            0x7 => SenseKey::DataProtect,
            0x8 => SenseKey::BlankCheck,
            0x9 => SenseKey::VendorSpecific,
            0xA => SenseKey::CopyAborted,
            0xB => SenseKey::AbortedCommand,
            0xC => SenseKey::Obsolete,
            0xD => SenseKey::VolumeOverflow,
            0xE => SenseKey::Miscompare,
            _ => SenseKey::Reserved,
        }
    }

    pub const fn to_u8(self) -> u8 {
        match self {
            SenseKey::NoSense => 0x0,
            SenseKey::RecoveredError => 0x1,
            SenseKey::NotReady => 0x2,
            SenseKey::MediumError => 0x3,
            SenseKey::HardwareError => 0x4,
            SenseKey::IllegalRequest => 0x5,
            SenseKey::UnitAttention => 0x6,
            SenseKey::DataProtect => 0x7,
            SenseKey::BlankCheck => 0x8,
            SenseKey::VendorSpecific => 0x9,
            SenseKey::CopyAborted => 0xA,
            SenseKey::AbortedCommand => 0xB,
            SenseKey::Obsolete => 0xC,
            SenseKey::VolumeOverflow => 0xD,
            SenseKey::Miscompare => 0xE,
            SenseKey::Reserved => 0xF,
        }
    }

    /// The name SPC gives the key, in the words `sg_decode_sense` prints.
    pub const fn name(self) -> &'static str {
        match self {
            SenseKey::NoSense => "No Sense",
            SenseKey::RecoveredError => "Recovered Error",
            SenseKey::NotReady => "Not Ready",
            SenseKey::MediumError => "Medium Error",
            SenseKey::HardwareError => "Hardware Error",
            SenseKey::IllegalRequest => "Illegal Request",
            SenseKey::UnitAttention => "Unit Attention",
            SenseKey::DataProtect => "Data Protect",
            SenseKey::BlankCheck => "Blank Check",
            SenseKey::VendorSpecific => "Vendor Specific",
            SenseKey::CopyAborted => "Copy Aborted",
            SenseKey::AbortedCommand => "Aborted Command",
            SenseKey::Obsolete => "Equal",
            SenseKey::VolumeOverflow => "Volume Overflow",
            SenseKey::Miscompare => "Miscompare",
            SenseKey::Reserved => "Completed",
        }
    }
}

impl From<u8> for SenseKey {
    fn from(v: u8) -> Self {
        SenseKey::from_u8(v)
    }
}

impl From<SenseKey> for u8 {
    fn from(k: SenseKey) -> u8 {
        k.to_u8()
    }
}

/// Sense key, additional sense code and qualifier: what a condition *is*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SenseTriple {
    pub key: SenseKey,
    pub asc: u8,
    pub ascq: u8,
}

impl SenseTriple {
    pub const fn new(key: u8, asc: u8, ascq: u8) -> Self {
        SenseTriple {
            key: SenseKey::from_u8(key),
            asc,
            ascq,
        }
    }

    /// growisofs' packed form `SK << 16 | ASC << 8 | ASCQ`, handy for matching constants
    /// such as `0x02_04_08`.
    pub const fn packed(self) -> u32 {
        (self.key.to_u8() as u32) << 16 | (self.asc as u32) << 8 | self.ascq as u32
    }
}

impl core::fmt::Display for SenseTriple {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:02X}/{:02X}/{:02X}",
            self.key.to_u8(),
            self.asc,
            self.ascq
        )
    }
}

/// The sense-key-specific field (SPC-4 4.5.2.4), three bytes whose meaning depends on the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenseKeySpecific {
    /// ILLEGAL REQUEST: which byte (and bit) of the CDB (`in_cdb`) or of the parameter list
    /// was wrong.
    FieldPointer {
        in_cdb: bool,
        /// Bit 0-7 within the byte, when the bit pointer is valid (BPV).
        bit: Option<u8>,
        byte: u16,
    },
    /// NOT READY or NO SENSE: fraction done of a long operation, in 1/65536.
    Progress(u16),
    /// RECOVERED, MEDIUM or HARDWARE ERROR: the actual retry count.
    RetryCount(u16),
    /// Any other key: the three bytes as received (SKSV bit cleared).
    Raw([u8; 3]),
}

impl SenseKeySpecific {
    /// Decodes the three bytes (with SKSV in bit 7 of the first) for `key`. `None` when SKSV is 0.
    pub fn decode(key: SenseKey, b: [u8; 3]) -> Option<Self> {
        let [b0, b1, b2] = b;
        if b0 & 0x80 == 0 {
            return None;
        }
        let value = u16::from_be_bytes([b1, b2]);
        Some(match key {
            SenseKey::IllegalRequest => SenseKeySpecific::FieldPointer {
                in_cdb: b0 & 0x40 != 0,
                bit: if b0 & 0x08 != 0 {
                    Some(b0 & 0x07)
                } else {
                    None
                },
                byte: value,
            },
            SenseKey::NoSense | SenseKey::NotReady => SenseKeySpecific::Progress(value),
            SenseKey::RecoveredError | SenseKey::MediumError | SenseKey::HardwareError => {
                SenseKeySpecific::RetryCount(value)
            }
            _ => SenseKeySpecific::Raw([b0 & 0x7F, b1, b2]),
        })
    }

    /// The three bytes with SKSV set.
    pub fn encode(self) -> [u8; 3] {
        match self {
            SenseKeySpecific::FieldPointer { in_cdb, bit, byte } => {
                let [hi, lo] = byte.to_be_bytes();
                let mut b0 = 0x80;
                if in_cdb {
                    b0 |= 0x40;
                }
                if let Some(bit) = bit {
                    b0 |= 0x08 | (bit & 0x07);
                }
                [b0, hi, lo]
            }
            SenseKeySpecific::Progress(v) | SenseKeySpecific::RetryCount(v) => {
                let [hi, lo] = v.to_be_bytes();
                [0x80, hi, lo]
            }
            SenseKeySpecific::Raw([b0, b1, b2]) => [0x80 | b0, b1, b2],
        }
    }

    /// Progress as a fraction in 0.0..1.0, when this is a progress indication.
    pub fn progress_fraction(self) -> Option<f64> {
        match self {
            SenseKeySpecific::Progress(v) => Some(f64::from(v) / 65536.0),
            _ => None,
        }
    }
}
