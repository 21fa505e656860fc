//! The small vocabulary every layer shares: sense keys, sense triples and the
//! sense-key-specific field (SPC-4 4.5.2.4).

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;

wire_enum! {
    /// The sense key (SPC-4 4.5.6, table 48; SPC-5 names 0Fh): the broad class of a CHECK CONDITION.
    /// Four bits wide, so `from_u8` reads the low four bits and every key is named.
    ///
    /// Names are SPC's, in the words `sg_decode_sense` prints, with two keys named after
    /// what they meant before or after SPC-4: 0Ch was EQUAL (SPC-2; obsolete since SPC-3, and
    /// still printed "Equal"), and 0Fh, reserved in SPC-4, is COMPLETED in SPC-5. Their
    /// serialized names stay `"obsolete"` and `"reserved"`, as fault plans and `--json`
    /// output have written them.
    #[serde(rename_all = "snake_case")]
    pub enum SenseKey: u8 as from_u8 / to_u8, mask 0x0F {
        NoSense = 0x0 => "No Sense",
        RecoveredError = 0x1 => "Recovered Error",
        NotReady = 0x2 => "Not Ready",
        MediumError = 0x3 => "Medium Error",
        HardwareError = 0x4 => "Hardware Error",
        IllegalRequest = 0x5 => "Illegal Request",
        UnitAttention = 0x6 => "Unit Attention",
        DataProtect = 0x7 => "Data Protect",
        BlankCheck = 0x8 => "Blank Check",
        VendorSpecific = 0x9 => "Vendor Specific",
        CopyAborted = 0xA => "Copy Aborted",
        AbortedCommand = 0xB => "Aborted Command",
        /// 0Ch: EQUAL (SPC-2), obsolete since SPC-3.
        #[serde(rename = "obsolete")]
        Equal = 0xC => "Equal",
        VolumeOverflow = 0xD => "Volume Overflow",
        Miscompare = 0xE => "Miscompare",
        /// 0Fh: COMPLETED (SPC-5), reserved before.
        #[serde(rename = "reserved")]
        Completed = 0xF => "Completed",
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
    #[inline]
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
