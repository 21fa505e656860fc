//! READ TOC/PMA/ATIP data (MMC-6 6.26): format 0000b (formatted TOC), 0001b (multi-session
//! information) and 0010b (raw TOC, the Q sub-channel of the lead-in).
//!
//! Every format starts with a 4-byte header: a data length counting the bytes after it, and
//! two bytes whose meaning depends on the format. Addresses in formats 0 and 1 are LBAs or,
//! when the CDB's MSF bit was set, `00 M S F`; the reply does not say which, so they are kept
//! as sent and decoded with [`TrackDescriptor::lba`].

use serde::{Deserialize, Serialize};

use super::msf::Msf;
use super::{fixed, frame_be16, len_u16, put_fixed, whole_entries, ResponseFormat};
use crate::layout::fixed_layout;
use crate::wire::{byte_at, ParseError, Writer};

const HEADER_LEN: usize = 4;
const TRACK_DESCRIPTOR_LEN: usize = 8;
const RAW_DESCRIPTOR_LEN: usize = 11;

/// The track number of the lead-out in a formatted TOC.
pub const LEAD_OUT_TRACK: u8 = 0xAA;

/// Frames a TOC reply: the bytes after the header (bounded), the cut, header bytes 2-3.
fn framed_list<'a>(
    bytes: &'a [u8],
    what: &'static str,
    entry: usize,
    min_entries: usize,
) -> Result<(&'a [u8], usize, u8, u8), ParseError> {
    let (f, len) = frame_be16(
        bytes,
        what,
        "TOC data length",
        HEADER_LEN + entry * min_entries,
    )?;
    whole_entries(what, "TOC data length", len, len + 2 - HEADER_LEN, entry)?;
    Ok((
        f.bytes.get(HEADER_LEN..).unwrap_or(&[]),
        f.cut,
        byte_at(f.bytes, 2),
        byte_at(f.bytes, 3),
    ))
}

fixed_layout! {
    /// A track descriptor of formats 0 and 1 (8 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TrackDescriptor {
        /// Byte 1 bits 7-4: the Q sub-channel ADR (1 = position).
        pub adr: u8 = uint(1, 4, 4),
        /// Byte 1 bits 3-0: CONTROL (bit 2 set = data track).
        pub control: u8 = uint(1, 0, 4),
        /// Byte 2: 1-99, or AAh for the lead-out.
        pub track_number: u8 = be(2),
        /// Bytes 4-7 as sent: an LBA, or `00 M S F`.
        pub address: u32 = be(4),
    }
}

impl TrackDescriptor {
    /// The start of the track as an LBA; `msf` is the MSF bit of the READ TOC CDB.
    pub fn lba(&self, msf: bool) -> i32 {
        if msf {
            Msf::from_address_field(self.address).to_lba()
        } else {
            self.address as i32
        }
    }

    /// True for a data track (CONTROL bit 2).
    pub fn is_data(&self) -> bool {
        self.control & 0x04 != 0
    }

    fn write(&self, w: &mut Writer<'_>) {
        put_fixed::<TRACK_DESCRIPTOR_LEN>(w, |b| self.write_fields(b));
    }
}

/// The track descriptors of a formatted TOC, lazily.
#[derive(Debug, Clone)]
pub struct TrackDescriptors<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for TrackDescriptors<'_> {
    type Item = Result<TrackDescriptor, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.chunks
            .next()
            .map(|c| Ok(TrackDescriptor::read_fields(c)))
    }
}

/// Format 0000b: the formatted TOC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormattedToc {
    pub first_track: u8,
    pub last_track: u8,
    /// The tracks, then the lead-out (track AAh).
    pub tracks: Vec<TrackDescriptor>,
    pub cut_bytes: usize,
}

impl FormattedToc {
    /// The header's first and last track numbers, a lazy iterator over the descriptors
    /// received, and the bytes cut.
    pub fn descriptors(bytes: &[u8]) -> Result<(u8, u8, TrackDescriptors<'_>, usize), ParseError> {
        let (list, cut, first, last) = framed_list(bytes, Self::NAME, TRACK_DESCRIPTOR_LEN, 0)?;
        Ok((
            first,
            last,
            TrackDescriptors {
                chunks: list.chunks_exact(TRACK_DESCRIPTOR_LEN),
            },
            cut,
        ))
    }

    /// The lead-out descriptor, if present.
    pub fn lead_out(&self) -> Option<&TrackDescriptor> {
        self.tracks
            .iter()
            .find(|t| t.track_number == LEAD_OUT_TRACK)
    }
}

impl ResponseFormat for FormattedToc {
    const NAME: &'static str = "READ TOC format 0 data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (first_track, last_track, list, cut_bytes) = Self::descriptors(bytes)?;
        Ok(FormattedToc {
            first_track,
            last_track,
            tracks: list.collect::<Result<_, _>>()?,
            cut_bytes,
        })
    }

    fn buffer_len(&self) -> usize {
        // The data length is 16 bits: at most 8190 descriptors.
        HEADER_LEN + TRACK_DESCRIPTOR_LEN * self.tracks.len().min(8190)
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(len_u16(self.buffer_len() - 2))
            .u8(self.first_track)
            .u8(self.last_track);
        for t in self.tracks.iter().take(8190) {
            t.write(w);
        }
    }
}

/// Format 0001b: multi-session information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiSessionInfo {
    /// Header byte 2.
    pub first_complete_session: u8,
    /// Header byte 3.
    pub last_complete_session: u8,
    /// The first track of the last complete session and its start address.
    pub first_track_in_last_session: TrackDescriptor,
    pub cut_bytes: usize,
}

impl ResponseFormat for MultiSessionInfo {
    const NAME: &'static str = "READ TOC format 1 data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (list, cut_bytes, first, last) =
            framed_list(bytes, Self::NAME, TRACK_DESCRIPTOR_LEN, 1)?;
        let d: [u8; TRACK_DESCRIPTOR_LEN] = fixed(list, Self::NAME, "track descriptor")?;
        Ok(MultiSessionInfo {
            first_complete_session: first,
            last_complete_session: last,
            first_track_in_last_session: TrackDescriptor::read_fields(&d),
            cut_bytes,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + TRACK_DESCRIPTOR_LEN
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(10)
            .u8(self.first_complete_session)
            .u8(self.last_complete_session);
        self.first_track_in_last_session.write(w);
    }
}

/// The POINT of a raw TOC entry (MMC-6 table 481; Red Book mode-1 Q in the lead-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TocPoint {
    /// 01h-63h (1-99): the start of that track.
    Track(u8),
    /// A0h: PMIN = first track of the session, PSEC = disc type.
    FirstTrack,
    /// A1h: PMIN = last track of the session.
    LastTrack,
    /// A2h: PMIN/PSEC/PFRAME = start of the lead-out.
    LeadOut,
    /// B0h: MIN/SEC/FRAME = next possible program area (FF:FF:FF when closed), ZERO = number
    /// of mode-5 pointers, PMIN/PSEC/PFRAME = maximum lead-out start.
    NextProgramArea,
    /// C0h: MIN = optimum recording power, SEC = application code, PMIN/PSEC/PFRAME = start
    /// of the first lead-in.
    FirstLeadIn,
    /// Any other POINT (B1h-B4h, C1h...).
    Other(u8),
}

impl TocPoint {
    pub const fn from_u8(v: u8) -> Self {
        match v {
            0x01..=0x63 => TocPoint::Track(v),
            0xA0 => TocPoint::FirstTrack,
            0xA1 => TocPoint::LastTrack,
            0xA2 => TocPoint::LeadOut,
            0xB0 => TocPoint::NextProgramArea,
            0xC0 => TocPoint::FirstLeadIn,
            other => TocPoint::Other(other),
        }
    }

    pub const fn to_u8(self) -> u8 {
        match self {
            TocPoint::Track(n) | TocPoint::Other(n) => n,
            TocPoint::FirstTrack => 0xA0,
            TocPoint::LastTrack => 0xA1,
            TocPoint::LeadOut => 0xA2,
            TocPoint::NextProgramArea => 0xB0,
            TocPoint::FirstLeadIn => 0xC0,
        }
    }
}

fixed_layout! {
    /// One raw TOC entry (11 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RawTocEntry {
        /// Byte 0.
        pub session: u8 = be(0),
        /// Byte 1 bits 7-4.
        pub adr: u8 = uint(1, 4, 4),
        /// Byte 1 bits 3-0.
        pub control: u8 = uint(1, 0, 4),
        /// TNO (byte 2; 0 in the lead-in).
        pub tno: u8 = be(2),
        /// POINT (byte 3).
        pub point: TocPoint = code(3, 0, 8),
        /// MIN, SEC, FRAME (bytes 4-6): the running time (or B0/C0 data).
        pub time: Msf = be(4),
        /// ZERO (byte 7).
        pub zero: u8 = be(7),
        /// PMIN, PSEC, PFRAME (bytes 8-10): the address or value POINT names.
        pub p_time: Msf = be(8),
    }
}

/// The entries of a raw TOC, lazily.
#[derive(Debug, Clone)]
pub struct RawTocEntries<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for RawTocEntries<'_> {
    type Item = Result<RawTocEntry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = self.chunks.next()?;
        Some(Ok(RawTocEntry::read_fields(c)))
    }
}

/// Format 0010b: the raw (full) TOC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawToc {
    pub first_complete_session: u8,
    pub last_complete_session: u8,
    pub entries: Vec<RawTocEntry>,
    pub cut_bytes: usize,
}

impl RawToc {
    /// The header's first and last complete sessions, a lazy iterator over the entries
    /// received, and the bytes cut.
    pub fn entries_of(bytes: &[u8]) -> Result<(u8, u8, RawTocEntries<'_>, usize), ParseError> {
        let (list, cut, first, last) = framed_list(bytes, Self::NAME, RAW_DESCRIPTOR_LEN, 0)?;
        Ok((
            first,
            last,
            RawTocEntries {
                chunks: list.chunks_exact(RAW_DESCRIPTOR_LEN),
            },
            cut,
        ))
    }

    /// The lead-out start (A2h) of `session` as an LBA.
    pub fn lead_out_lba(&self, session: u8) -> Option<i32> {
        self.entries
            .iter()
            .find(|e| e.session == session && e.point == TocPoint::LeadOut)
            .map(|e| e.p_time.to_lba())
    }
}

impl ResponseFormat for RawToc {
    const NAME: &'static str = "READ TOC format 2 data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (first, last, list, cut_bytes) = Self::entries_of(bytes)?;
        Ok(RawToc {
            first_complete_session: first,
            last_complete_session: last,
            entries: list.collect::<Result<_, _>>()?,
            cut_bytes,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + RAW_DESCRIPTOR_LEN * self.entries.len().min(5957)
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(len_u16(self.buffer_len() - 2))
            .u8(self.first_complete_session)
            .u8(self.last_complete_session);
        for e in self.entries.iter().take(5957) {
            put_fixed::<RAW_DESCRIPTOR_LEN>(w, |b| e.write_fields(b));
        }
    }
}
