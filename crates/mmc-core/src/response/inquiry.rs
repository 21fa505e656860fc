//! Standard INQUIRY data (SPC-4 6.4.2): who the device is and what kind of device it is.
//!
//! The hardware path refuses any device whose peripheral device type is not
//! [`PeripheralDeviceType::CdDvd`] (05h), so this parser is the guard between a mistyped path
//! and a hard disk.

use serde::{Deserialize, Serialize};

use super::{byte_checked, fixed, frame, wire_enum, ResponseFormat};
use crate::layout::{fixed_layout, or_byte};
use crate::wire::{ParseError, Writer};

wire_enum! {
    /// Peripheral device type (SPC-4 table 146), byte 0 bits 4-0.
    pub enum PeripheralDeviceType: u8 as from_u8 / to_u8 {
        DirectAccess = 0x00 => "direct access block device",
        SequentialAccess = 0x01 => "sequential access device",
        Printer = 0x02 => "printer",
        Processor = 0x03 => "processor",
        WriteOnce = 0x04 => "write-once device",
        /// 05h: CD/DVD/BD device, the MMC device type.
        CdDvd = 0x05 => "CD/DVD device",
        OpticalMemory = 0x07 => "optical memory device",
        MediumChanger = 0x08 => "medium changer",
        StorageArray = 0x0C => "storage array controller",
        Enclosure = 0x0D => "enclosure services device",
        SimplifiedDirectAccess = 0x0E => "simplified direct access device",
        OpticalCardReader = 0x0F => "optical card reader/writer",
        ObjectStorage = 0x11 => "object-based storage device",
        AutomationDrive = 0x12 => "automation/drive interface",
        WellKnownLogicalUnit = 0x1E => "well known logical unit",
        /// 1Fh: unknown or no device type.
        NoDeviceType = 0x1F => "unknown or no device type",
    }
}

fixed_layout! {
    /// Standard INQUIRY data: the 36 bytes every device returns.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct StandardInquiry {
        /// Byte 0 bits 7-5: 000b device connected, 001b supported but not connected, 011b no
        /// device can be supported at this logical unit.
        pub peripheral_qualifier: u8 = uint(0, 5, 3),
        pub peripheral_device_type: PeripheralDeviceType = code(0, 0, 5),
        /// RMB: removable medium.
        pub removable: bool = flag(1, 7),
        /// Byte 2: the SPC version claimed (05h SPC-3, 06h SPC-4; MMC drives often report 0).
        pub version: u8 = be(2),
        pub normaca: bool = flag(3, 5),
        pub hisup: bool = flag(3, 4),
        /// Byte 3 bits 3-0: 2 for every current device.
        pub response_data_format: u8 = uint(3, 0, 4),
        /// Byte 4: bytes that follow byte 4 (at least 31 for the 36-byte standard data; a smaller
        /// value is emitted as 31).
        pub additional_length: u8,
        pub sccs: bool = flag(5, 7),
        pub acc: bool = flag(5, 6),
        /// Target port group support (byte 5 bits 5-4).
        pub tpgs: u8 = uint(5, 4, 2),
        /// 3PC: third-party copy.
        pub third_party_copy: bool = flag(5, 3),
        pub protect: bool = flag(5, 0),
        pub encserv: bool = flag(6, 6),
        pub multip: bool = flag(6, 4),
        pub addr16: bool = flag(6, 0),
        pub wbus16: bool = flag(7, 5),
        pub sync: bool = flag(7, 4),
        pub cmdque: bool = flag(7, 1),
        /// T10 vendor identification (bytes 8-15), trimmed.
        pub vendor: String,
        /// Product identification (bytes 16-31), trimmed.
        pub product: String,
        /// Product revision level (bytes 32-35), trimmed.
        pub revision: String,
        /// Bytes announced by the additional length that the allocation length cut off.
        pub cut_bytes: usize,
    }
}

/// Bytes of standard INQUIRY data this crate decodes and emits.
pub const STANDARD_INQUIRY_LEN: usize = 36;

impl StandardInquiry {
    /// An MMC drive: device type 05h, removable, response data format 2, 36 bytes.
    pub fn mmc_drive(vendor: &str, product: &str, revision: &str) -> Self {
        StandardInquiry {
            peripheral_qualifier: 0,
            peripheral_device_type: PeripheralDeviceType::CdDvd,
            removable: true,
            version: 0,
            normaca: false,
            hisup: false,
            response_data_format: 2,
            additional_length: 31,
            sccs: false,
            acc: false,
            tpgs: 0,
            third_party_copy: false,
            protect: false,
            encserv: false,
            multip: false,
            addr16: false,
            wbus16: false,
            sync: false,
            cmdque: false,
            vendor: vendor.to_string(),
            product: product.to_string(),
            revision: revision.to_string(),
            cut_bytes: 0,
        }
    }

    /// True for a connected MMC device (qualifier 000b, type 05h): the only kind of device the
    /// engine writes to.
    pub fn is_mmc_device(&self) -> bool {
        self.peripheral_qualifier == 0 && self.peripheral_device_type == PeripheralDeviceType::CdDvd
    }
}

/// SPC-4 4.4.1: ASCII data fields hold printable characters (20h-7Eh), left-aligned and
/// padded with spaces. Anything else is shown as `?` rather than trusted.
pub(crate) fn ascii_field(b: &[u8]) -> String {
    let s: String = b
        .iter()
        .map(|&c| {
            if (0x20..=0x7E).contains(&c) {
                char::from(c)
            } else if c == 0 {
                ' '
            } else {
                '?'
            }
        })
        .collect();
    s.trim().to_string()
}

/// Writes `s` as an ASCII field of `n` bytes: cut to `n`, padded with spaces, non-ASCII and
/// control characters replaced by `?`.
pub(crate) fn put_ascii_field(w: &mut Writer<'_>, s: &str, n: usize) {
    let mut written = 0;
    for c in s.chars().take(n) {
        let b = if (' '..='~').contains(&c) {
            c as u8
        } else {
            b'?'
        };
        w.u8(b);
        written += 1;
    }
    for _ in written..n {
        w.u8(b' ');
    }
}

impl ResponseFormat for StandardInquiry {
    const NAME: &'static str = "standard INQUIRY data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let additional = byte_checked(bytes, 4, what, "additional length")?;
        let f = frame(
            bytes,
            what,
            "additional length",
            additional as usize,
            additional as usize + 5,
            STANDARD_INQUIRY_LEN,
        )?;
        let b: [u8; STANDARD_INQUIRY_LEN] = fixed(f.bytes, what, "revision")?;
        Ok(StandardInquiry {
            additional_length: additional,
            vendor: ascii_field(b.get(8..16).unwrap_or(&[])),
            product: ascii_field(b.get(16..32).unwrap_or(&[])),
            revision: ascii_field(b.get(32..36).unwrap_or(&[])),
            cut_bytes: f.cut,
            ..Self::read_fields(&b)
        })
    }

    /// 36 bytes, or more when `additional_length` announces more (the rest are zero, as the
    /// vendor-specific bytes and version descriptors of a drive that sets none).
    fn buffer_len(&self) -> usize {
        (self.additional_length as usize + 5).max(STANDARD_INQUIRY_LEN)
    }

    fn write(&self, w: &mut Writer<'_>) {
        let mut header = [0u8; 8];
        self.write_fields(&mut header);
        or_byte(&mut header, 4, (self.buffer_len() - 5) as u8);
        w.put(&header);
        put_ascii_field(w, &self.vendor, 8);
        put_ascii_field(w, &self.product, 16);
        put_ascii_field(w, &self.revision, 4);
        w.zeros(self.buffer_len() - STANDARD_INQUIRY_LEN);
    }
}
