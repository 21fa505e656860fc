//! `virt:MEDIA[/ID][@FILE]` or `virt:MEDIA[/ID]+hash`: how a virtual drive and its disc are
//! named on a command line, by the `discwriter` command and by `virtdrive serve`/`run` alike.
//! `ID` is the disc's media identity, `MANUFACTURER/TYPE/REVISION` as `--media-id` takes it
//! (`virt:dvd+r/RICOHJPN/R03/2`); the first `@` ends it, so an identity with an `@` in it is
//! given with `--media-id`.
//!
//! Without `@FILE` the disc lives in memory, its data in full. `+hash` keeps it in the
//! hash-only store instead ([`crate::store::HashOnlyStore`]): a CRC-32 per sector in a bounded
//! cache over a temporary file, so a whole 100 GB BD-R XL can be written and verified by range
//! in a few tens of MiB, while only sectors of one repeated byte read back (a READ of any
//! other is an unrecovered read error, 03/11/00). It is a suffix of the medium, not of a file:
//! a disc file keeps the data, so `+hash` with `@FILE` is refused.

use std::path::PathBuf;

use crate::medium::{MediaIdentity, MediumKind};
use crate::{DiscFileDrive, DriveConfig};

/// A virtual drive named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtSpec {
    pub kind: MediumKind,
    /// The disc file (created blank when missing); `None`: in memory, lost at exit.
    pub file: Option<PathBuf>,
    /// Who made the disc, when named; a disc file keeps the identity it was created with.
    pub media_id: Option<MediaIdentity>,
    /// `+hash`: the disc in memory keeps a CRC-32 per sector, not the data (never with a
    /// file).
    pub hash_only: bool,
}

/// The suffix that keeps a disc in the hash-only store.
const HASH_ONLY_SUFFIX: &str = "+hash";

impl VirtSpec {
    /// A drive holding a blank disc of the spec's medium in memory, in the hash-only store
    /// for `+hash`: the drive of a spec without a file (a file is not looked at here; it is
    /// opened with [`DiscFileDrive::open`] and its kin, as the caller needs).
    pub fn drive_in_memory(&self, config: DriveConfig) -> DiscFileDrive {
        if self.hash_only {
            DiscFileDrive::hash_only(self.kind, config)
        } else {
            DiscFileDrive::in_memory(self.kind, config)
        }
    }

    /// Reads `virt:MEDIA[/ID][@FILE]` or `virt:MEDIA[/ID]+hash`; the error is one line saying
    /// what is wrong.
    pub fn parse(arg: &str) -> Result<Self, String> {
        let rest = arg.strip_prefix("virt:").ok_or_else(|| {
            format!("--drive {arg}: a virtual drive is named virt:MEDIA[@FILE] or virt:MEDIA+hash, for example virt:bd-re@disc.img")
        })?;
        let (media, file) = match rest.split_once('@') {
            Some((_, "")) => return Err(format!("--drive {arg}: the file after '@' is empty")),
            Some((m, f)) => (m, Some(PathBuf::from(f))),
            None => (rest, None),
        };
        let (media, hash_only) = match media.strip_suffix(HASH_ONLY_SUFFIX) {
            Some(_) if file.is_some() => {
                return Err(format!(
                    "--drive {arg}: {HASH_ONLY_SUFFIX} keeps a disc in memory as a CRC-32 per sector; a disc file keeps the data itself, so give either {HASH_ONLY_SUFFIX} or @FILE"
                ))
            }
            Some(m) => (m, true),
            None => (media, false),
        };
        let (media, media_id) = match media.split_once('/') {
            Some((m, id)) => (
                m,
                Some(MediaIdentity::parse(id).map_err(|e| format!("--drive {arg}: {e}"))?),
            ),
            None => (media, None),
        };
        let kind = MediumKind::from_name(media).ok_or_else(|| {
            let names: Vec<&str> = MediumKind::ALL.iter().map(|k| k.name()).collect();
            format!(
                "--drive {arg}: unknown medium {media:?}; use one of {}",
                names.join(", ")
            )
        })?;
        Ok(VirtSpec {
            kind,
            file,
            media_id,
            hash_only,
        })
    }
}

impl std::fmt::Display for VirtSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "virt:{}", self.kind.name())?;
        if let Some(id) = &self.media_id {
            write!(f, "/{id}")?;
        }
        if self.hash_only {
            f.write_str(HASH_ONLY_SUFFIX)?;
        }
        match &self.file {
            Some(p) => write!(f, "@{}", p.display()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read() {
        assert_eq!(
            VirtSpec::parse("virt:bd-re@/tmp/x.disc").unwrap(),
            VirtSpec {
                kind: MediumKind::BdRe,
                file: Some(PathBuf::from("/tmp/x.disc")),
                media_id: None,
                hash_only: false,
            }
        );
        assert_eq!(
            VirtSpec::parse("virt:cd-r").unwrap(),
            VirtSpec {
                kind: MediumKind::CdR80,
                file: None,
                media_id: None,
                hash_only: false,
            }
        );
    }

    #[test]
    fn hash_only_discs_are_named_with_a_suffix() {
        for (arg, kind) in [
            ("virt:bd-r-xl+hash", MediumKind::BdRXl),
            ("virt:dvd+r+hash", MediumKind::DvdPlusR),
        ] {
            let spec = VirtSpec::parse(arg).unwrap();
            assert_eq!(
                spec,
                VirtSpec {
                    kind,
                    file: None,
                    media_id: None,
                    hash_only: true,
                }
            );
            assert_eq!(spec.to_string(), arg);
        }
        let spec = VirtSpec::parse("virt:dvd+r/RICOHJPN/R03/2+hash").unwrap();
        assert!(spec.hash_only && spec.media_id.is_some());
        assert_eq!(spec.to_string(), "virt:dvd+r/RICOHJPN/R03/2+hash");
        // A file name may end as it likes.
        let spec = VirtSpec::parse("virt:bd-r@disc+hash").unwrap();
        assert!(!spec.hash_only);
        assert_eq!(spec.file, Some(PathBuf::from("disc+hash")));
    }

    #[test]
    fn hash_only_with_a_disc_file_is_refused() {
        let e = VirtSpec::parse("virt:bd-r-xl+hash@disc.img").unwrap_err();
        assert!(e.contains("either +hash or @FILE"), "{e}");
        let e = VirtSpec::parse("virt:floppy+hash").unwrap_err();
        assert!(e.contains("unknown medium \"floppy\""), "{e}");
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        let e = VirtSpec::parse("virt:floppy").unwrap_err();
        assert!(e.contains("unknown medium \"floppy\""), "{e}");
        assert!(VirtSpec::parse("virt:bd-re@")
            .unwrap_err()
            .contains("empty"));
        assert!(VirtSpec::parse("/dev/sr0")
            .unwrap_err()
            .contains("virt:MEDIA"));
    }
}
