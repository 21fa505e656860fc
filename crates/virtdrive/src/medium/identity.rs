//! Who made the disc: the Disc Manufacturer ID, Media Type ID and Product Revision Number a
//! recordable DVD+ carries in its ADIP and a BD-R/BD-RE in its Disc Information, which
//! burning programs print ("Media ID", "Media product id") and look up to name the maker.
//! A CD-R names its maker differently, by its ATIP start of lead-in.

use core::fmt;

use super::MediumKind;

/// Bytes of the Disc Manufacturer ID: 8 in the DVD+R/DVD+RW ADIP (bytes 19-26), the first
/// 6 of them in a BD Disc Information unit (bytes 100-105).
pub const MANUFACTURER_LEN: usize = 8;
/// Bytes of the Media Type ID (ADIP bytes 27-29, DI bytes 106-108).
pub const MEDIA_TYPE_LEN: usize = 3;

/// A disc's identity, as written `MANUFACTURER/TYPE/REVISION` (`RICOHJPN/R03/2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaIdentity {
    /// Disc Manufacturer ID: up to 8 printable ASCII characters (6 reach a BD).
    pub manufacturer: String,
    /// Media Type ID: up to 3 printable ASCII characters.
    pub media_type: String,
    /// Product Revision Number.
    pub revision: u8,
}

impl MediaIdentity {
    /// What a blank disc of `kind` carries unless the drive configuration names another:
    /// common media of each kind. `None` where the disc carries no such identity (CD-R,
    /// pressed DVD, a disc of unknown format).
    pub fn default_for(kind: MediumKind) -> Option<Self> {
        let (manufacturer, media_type, revision) = match kind {
            MediumKind::DvdPlusR => ("RICOHJPN", "R03", 2),
            MediumKind::DvdPlusRw => ("RICOHJPN", "W11", 1),
            MediumKind::BdR => ("VERBAT", "IMe", 1),
            MediumKind::BdRe => ("VERBAT", "IM0", 1),
            // INF, Verbatim's naming as for the BD-R DL and BDXL.
            MediumKind::BdReDl => ("VERBAT", "IM1", 1),
            MediumKind::BdReXl => ("VERBAT", "IM2", 1),
            // Verbatim DVD+R DL (dvd+rw-mediainfo: "Media ID: MKM/001"); the BD-R DL and
            // BDXL media IDs are INF (Verbatim's naming).
            MediumKind::DvdPlusRDl => ("MKM", "001", 0),
            MediumKind::BdRDl => ("VERBAT", "IMf", 1),
            MediumKind::BdRXl | MediumKind::BdRXl4 => ("VERBAT", "IMg", 1),
            // A CD names its maker in the ATIP's lead-in start, not in a media ID.
            MediumKind::CdR74
            | MediumKind::CdR80
            | MediumKind::CdRw74
            | MediumKind::CdRw80
            | MediumKind::DvdRom
            | MediumKind::Unknown => return None,
            // A DVD-R (and DVD-RW) names its maker in the pre-pits (READ DISC STRUCTURE 0Eh),
            // not modelled.
            MediumKind::DvdR | MediumKind::DvdRDl | MediumKind::DvdRw => return None,
            // A DVD-RAM names its maker in its control data zone, not modelled.
            MediumKind::DvdRam => return None,
        };
        Some(MediaIdentity {
            manufacturer: manufacturer.into(),
            media_type: media_type.into(),
            revision,
        })
    }

    /// Reads `MANUFACTURER/TYPE/REVISION`: 1-8 and 1-3 printable ASCII characters other
    /// than `/`, and a revision 0-255. The error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split('/');
        let (Some(manufacturer), Some(media_type), Some(revision), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "media id {text:?}: write it MANUFACTURER/TYPE/REVISION, for example RICOHJPN/R03/2"
            ));
        };
        let field = |name: &str, value: &str, max: usize| {
            let printable = value.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
            if value.is_empty() || value.len() > max || !printable {
                Err(format!(
                    "media id {text:?}: the {name} is 1 to {max} printable ASCII characters"
                ))
            } else {
                Ok(value.to_string())
            }
        };
        Ok(MediaIdentity {
            manufacturer: field("manufacturer", manufacturer, MANUFACTURER_LEN)?,
            media_type: field("media type", media_type, MEDIA_TYPE_LEN)?,
            revision: revision
                .parse()
                .map_err(|_| format!("media id {text:?}: the revision is a number 0 to 255"))?,
        })
    }

    /// The Disc Manufacturer ID field, `len` bytes, padded with zeros.
    pub(crate) fn manufacturer_field(&self, len: usize) -> Vec<u8> {
        padded(&self.manufacturer, len)
    }

    /// The Media Type ID field, padded with zeros.
    pub(crate) fn media_type_field(&self) -> Vec<u8> {
        padded(&self.media_type, MEDIA_TYPE_LEN)
    }
}

fn padded(text: &str, len: usize) -> Vec<u8> {
    let mut field: Vec<u8> = text.bytes().take(len).collect();
    field.resize(len, 0);
    field
}

impl fmt::Display for MediaIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.manufacturer, self.media_type, self.revision
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_form_reads_back() {
        for kind in MediumKind::ALL {
            if let Some(id) = MediaIdentity::default_for(kind) {
                assert_eq!(MediaIdentity::parse(&id.to_string()).unwrap(), id);
            }
        }
    }

    #[test]
    fn fields_are_padded_and_cut() {
        let id = MediaIdentity::parse("RICOHJPN/R0/7").unwrap();
        assert_eq!(id.manufacturer_field(6), b"RICOHJ");
        assert_eq!(id.media_type_field(), b"R0\0");
    }
}
