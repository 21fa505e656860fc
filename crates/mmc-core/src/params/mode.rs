//! MODE SENSE(10) data and MODE SELECT(10) parameter lists (SPC-4 7.5.5, MMC-6 7): an
//! 8-byte mode parameter header, block descriptors (MMC drives send none; they are kept
//! raw), then mode pages.

use serde::{Deserialize, Serialize};

use super::write_parameters::WriteParameters;
use crate::layout::fixed_layout;
use crate::response::capabilities::CapabilitiesPage;
use crate::response::{frame, len_u16, list_item, ResponseFormat};
use crate::wire::{ParseError, Reader, Writer};

/// Size of the MODE SENSE(10) / MODE SELECT(10) header.
pub const MODE_HEADER_10_LEN: usize = 8;

/// The data of one mode page, typed.
pub trait ModePageData: Sized {
    /// The page code (bits 5-0 of byte 0).
    const PAGE_CODE: u8;

    /// Parses the page data (the bytes after the 2-byte page header); `ps` is byte 0 bit 7.
    fn parse_data(ps: bool, data: &[u8]) -> Result<Self, ParseError>;

    /// PS: the page can be saved (reported by MODE SENSE; must be 0 in MODE SELECT).
    fn ps(&self) -> bool;

    /// Bytes of data after the page header (the Page Length).
    fn data_len(&self) -> usize;

    /// Writes exactly `data_len()` bytes.
    fn write_data(&self, w: &mut Writer<'_>);
}

fixed_layout! {
    /// The mode parameter header (8 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ModeParameterHeader {
        /// Bytes 0-1: bytes that follow this field (reserved, zero, in MODE SELECT).
        pub mode_data_length: u16 = be(0),
        /// Byte 2.
        pub medium_type: u8 = be(2),
        /// Byte 3 (for MMC: bit 7 WP is not used; drives report 0).
        pub device_specific: u8 = be(3),
        /// LONGLBA (byte 4 bit 0).
        pub long_lba: bool = flag(4, 0),
        /// Bytes 6-7.
        pub block_descriptor_length: u16 = be(6),
    }
}

/// One mode page as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawModePage<'a> {
    pub ps: bool,
    pub page_code: u8,
    /// Present when SPF (byte 0 bit 6) is set: the sub-page format with a 2-byte length.
    pub subpage_code: Option<u8>,
    /// The bytes after the page header.
    pub data: &'a [u8],
}

impl RawModePage<'_> {
    /// Decodes the page strictly (an error when a known page does not fit its layout).
    pub fn page(&self) -> Result<ModePage, ParseError> {
        Ok(match (self.page_code, self.subpage_code) {
            (WriteParameters::PAGE_CODE, None) => {
                ModePage::WriteParameters(WriteParameters::parse_data(self.ps, self.data)?)
            }
            (CapabilitiesPage::PAGE_CODE, None) => {
                ModePage::Capabilities(CapabilitiesPage::parse_data(self.ps, self.data)?)
            }
            _ => ModePage::Raw(self.raw_page()),
        })
    }

    /// Decodes leniently: a known page that does not fit its layout is kept raw.
    pub fn to_page(&self) -> ModePage {
        self.page()
            .unwrap_or_else(|_| ModePage::Raw(self.raw_page()))
    }

    fn raw_page(&self) -> RawPage {
        RawPage {
            ps: self.ps,
            page_code: self.page_code,
            subpage_code: self.subpage_code,
            data: self.data.to_vec(),
        }
    }
}

/// A mode page this crate keeps raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawPage {
    pub ps: bool,
    /// Bits 5-0.
    pub page_code: u8,
    pub subpage_code: Option<u8>,
    pub data: Vec<u8>,
}

/// One mode page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModePage {
    /// 05h Write Parameters.
    WriteParameters(WriteParameters),
    /// 2Ah MM Capabilities and Mechanical Status.
    Capabilities(CapabilitiesPage),
    Raw(RawPage),
}

impl ModePage {
    pub fn page_code(&self) -> u8 {
        match self {
            ModePage::WriteParameters(_) => WriteParameters::PAGE_CODE,
            ModePage::Capabilities(_) => CapabilitiesPage::PAGE_CODE,
            ModePage::Raw(r) => r.page_code & 0x3F,
        }
    }

    fn subpage_code(&self) -> Option<u8> {
        match self {
            ModePage::Raw(r) => r.subpage_code,
            _ => None,
        }
    }

    fn ps(&self) -> bool {
        match self {
            ModePage::WriteParameters(p) => p.ps(),
            ModePage::Capabilities(p) => p.ps(),
            ModePage::Raw(r) => r.ps,
        }
    }

    /// Bytes after the page header (Page Length), bounded by the length field's width.
    fn data_len(&self) -> usize {
        let n = match self {
            ModePage::WriteParameters(p) => p.data_len(),
            ModePage::Capabilities(p) => p.data_len(),
            ModePage::Raw(r) => r.data.len(),
        };
        n.min(if self.subpage_code().is_some() {
            0xFFFF
        } else {
            0xFF
        })
    }

    /// Bytes of the whole page, header included.
    pub fn page_len(&self) -> usize {
        let header = if self.subpage_code().is_some() { 4 } else { 2 };
        header + self.data_len()
    }

    /// Writes the page with its header; `ps` as given (MODE SELECT requires it clear).
    fn write_page(&self, w: &mut Writer<'_>, ps: bool) {
        let n = self.data_len();
        let code = self.page_code() & 0x3F;
        match self.subpage_code() {
            Some(sub) => {
                w.u8(u8::from(ps) << 7 | 0x40 | code).u8(sub).u16(n as u16);
            }
            None => {
                w.u8(u8::from(ps) << 7 | code).u8(n as u8);
            }
        }
        match self {
            ModePage::WriteParameters(p) => p.write_data(w),
            ModePage::Capabilities(p) => p.write_data(w),
            ModePage::Raw(r) => {
                w.put(r.data.get(..n).unwrap_or(&[]));
            }
        }
    }
}

/// The mode pages of MODE SENSE data, lazily, as received. A page cut by the allocation
/// length ends the iteration silently; a page running past the announced data is an error.
#[derive(Debug, Clone)]
pub struct ModePages<'a> {
    r: Reader<'a>,
    response_cut: bool,
    done: bool,
}

impl<'a> ModePages<'a> {
    /// Iterates over pages in `list` (the bytes after header and block descriptors).
    pub fn new(list: &'a [u8], response_cut: bool) -> Self {
        ModePages {
            r: Reader::new(list, "mode page"),
            response_cut,
            done: false,
        }
    }
}

impl<'a> Iterator for ModePages<'a> {
    type Item = Result<RawModePage<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.r.remaining() == 0 {
            return None;
        }
        let item = (|| {
            let b0 = self.r.u8("page code")?;
            let spf = b0 & 0x40 != 0;
            let (subpage_code, len) = if spf {
                (
                    Some(self.r.u8("subpage code")?),
                    self.r.u16("page length")? as usize,
                )
            } else {
                (None, self.r.u8("page length")? as usize)
            };
            Ok(RawModePage {
                ps: b0 & 0x80 != 0,
                page_code: b0 & 0x3F,
                subpage_code,
                data: self.r.bytes(len, "page data")?,
            })
        })();
        list_item(item, self.response_cut, &mut self.done)
    }
}

/// MODE SENSE(10) data, or a MODE SELECT(10) parameter list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeParameters {
    pub medium_type: u8,
    pub device_specific: u8,
    pub long_lba: bool,
    /// Block descriptors, raw (MMC drives send none).
    pub block_descriptors: Vec<u8>,
    /// Pages in the order received; known pages that do not fit their layout are kept raw.
    pub pages: Vec<ModePage>,
    /// Bytes the mode data length announced that did not arrive.
    pub cut_bytes: usize,
}

impl ModeParameters {
    /// A parameter list holding one page, as a host sends it with MODE SELECT(10).
    pub fn with_page(page: ModePage) -> Self {
        ModeParameters {
            medium_type: 0,
            device_specific: 0,
            long_lba: false,
            block_descriptors: Vec::new(),
            pages: vec![page],
            cut_bytes: 0,
        }
    }

    /// Parses the header of MODE SENSE(10) data; returns it and a lazy iterator over the
    /// pages (block descriptors skipped).
    pub fn pages_of(bytes: &[u8]) -> Result<(ModeParameterHeader, ModePages<'_>), ParseError> {
        let (header, list, cut) = Self::split(bytes, false)?;
        Ok((
            header,
            ModePages::new(
                list.get(header.block_descriptor_length as usize..)
                    .unwrap_or(&[]),
                cut > 0,
            ),
        ))
    }

    /// Parses a MODE SELECT(10) parameter list: like MODE SENSE data, but the mode data
    /// length is reserved, so the list is bounded by the bytes sent (the CDB's parameter
    /// list length).
    pub fn parse_select(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(bytes, true)
    }

    /// The MODE SELECT(10) parameter list for these pages: mode data length zero (reserved)
    /// and every PS bit clear, as SPC-4 7.5.5 requires.
    pub fn select_bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        let mut w = Writer::new(&mut v, "MODE SELECT(10) parameter list");
        self.write_with(&mut w, true);
        match w.finish() {
            Ok(n) => v.truncate(n),
            Err(_) => v.clear(),
        }
        v
    }

    /// The first page with `code`, if present.
    pub fn page(&self, code: u8) -> Option<&ModePage> {
        self.pages.iter().find(|p| p.page_code() == code)
    }

    /// The Write Parameters page, if present and decoded.
    pub fn write_parameters(&self) -> Option<&WriteParameters> {
        self.pages.iter().find_map(|p| match p {
            ModePage::WriteParameters(w) => Some(w),
            _ => None,
        })
    }

    /// The MM Capabilities page, if present and decoded.
    pub fn capabilities(&self) -> Option<&CapabilitiesPage> {
        self.pages.iter().find_map(|p| match p {
            ModePage::Capabilities(c) => Some(c),
            _ => None,
        })
    }

    /// Header, then everything after it (bounded), then bytes cut.
    fn split(
        bytes: &[u8],
        select: bool,
    ) -> Result<(ModeParameterHeader, &[u8], usize), ParseError> {
        let what = Self::NAME;
        let mut r = Reader::new(bytes, what);
        let mode_data_length = r.u16("mode data length")?;
        let (bounded, cut) = if select {
            if bytes.len() < MODE_HEADER_10_LEN {
                return Err(r.truncated("mode parameter header", MODE_HEADER_10_LEN));
            }
            (bytes, 0)
        } else {
            let declared = mode_data_length as usize + 2;
            let f = frame(
                bytes,
                what,
                "mode data length",
                mode_data_length as usize,
                declared,
                MODE_HEADER_10_LEN,
            )?;
            (f.bytes, f.cut)
        };
        // Both branches above hold the whole header.
        let header = ModeParameterHeader::read_fields(bounded);
        let block_descriptor_length = header.block_descriptor_length;
        let rest = bounded.get(MODE_HEADER_10_LEN..).unwrap_or(&[]);
        if rest.len() < block_descriptor_length as usize && cut == 0 {
            return Err(ParseError::Truncated {
                what,
                field: "block descriptors",
                need: MODE_HEADER_10_LEN + block_descriptor_length as usize,
                got: bounded.len(),
            });
        }
        Ok((header, rest, cut))
    }

    fn parse_with(bytes: &[u8], select: bool) -> Result<Self, ParseError> {
        let (header, rest, cut) = Self::split(bytes, select)?;
        let bd_len = (header.block_descriptor_length as usize).min(rest.len());
        let pages = ModePages::new(rest.get(bd_len..).unwrap_or(&[]), cut > 0)
            .map(|p| p.map(|raw| raw.to_page()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModeParameters {
            medium_type: header.medium_type,
            device_specific: header.device_specific,
            long_lba: header.long_lba,
            block_descriptors: rest.get(..bd_len).unwrap_or(&[]).to_vec(),
            pages,
            cut_bytes: cut,
        })
    }

    fn write_with(&self, w: &mut Writer<'_>, select: bool) {
        let bd = self.block_descriptors.len().min(0xFFFF);
        let header = ModeParameterHeader {
            mode_data_length: if select {
                0
            } else {
                len_u16(self.buffer_len() - 2)
            },
            medium_type: self.medium_type,
            device_specific: self.device_specific,
            long_lba: self.long_lba,
            block_descriptor_length: bd as u16,
        };
        let mut bytes = [0u8; MODE_HEADER_10_LEN];
        header.write_fields(&mut bytes);
        w.put(&bytes);
        w.put(self.block_descriptors.get(..bd).unwrap_or(&[]));
        for p in &self.pages {
            p.write_page(w, !select && p.ps());
        }
    }
}

impl ResponseFormat for ModeParameters {
    const NAME: &'static str = "MODE SENSE(10) data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(bytes, false)
    }

    fn buffer_len(&self) -> usize {
        MODE_HEADER_10_LEN
            + self.block_descriptors.len().min(0xFFFF)
            + self.pages.iter().map(ModePage::page_len).sum::<usize>()
    }

    fn write(&self, w: &mut Writer<'_>) {
        self.write_with(w, false);
    }
}
