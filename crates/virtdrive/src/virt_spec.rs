//! `virt:MEDIA[/ID][@FILE]`: how a virtual drive and its disc are named on a command line, by
//! the `discwriter` command and by `virtdrive serve`/`run` alike. `ID` is the disc's media
//! identity, `MANUFACTURER/TYPE/REVISION` as `--media-id` takes it (`virt:dvd+r/RICOHJPN/R03/2`);
//! the first `@` ends it, so an identity with an `@` in it is given with `--media-id`.

use std::path::PathBuf;

use crate::medium::{MediaIdentity, MediumKind};

/// A virtual drive named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtSpec {
    pub kind: MediumKind,
    /// The disc file (created blank when missing); `None`: in memory, lost at exit.
    pub file: Option<PathBuf>,
    /// Who made the disc, when named; a disc file keeps the identity it was created with.
    pub media_id: Option<MediaIdentity>,
}

impl VirtSpec {
    /// Reads `virt:MEDIA[/ID][@FILE]`; the error is one line saying what is wrong.
    pub fn parse(arg: &str) -> Result<Self, String> {
        let rest = arg.strip_prefix("virt:").ok_or_else(|| {
            format!("--drive {arg}: a virtual drive is named virt:MEDIA[@FILE], for example virt:bd-re@disc.img")
        })?;
        let (media, file) = match rest.split_once('@') {
            Some((_, "")) => return Err(format!("--drive {arg}: the file after '@' is empty")),
            Some((m, f)) => (m, Some(PathBuf::from(f))),
            None => (rest, None),
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
        })
    }
}

impl std::fmt::Display for VirtSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "virt:{}", self.kind.name())?;
        if let Some(id) = &self.media_id {
            write!(f, "/{id}")?;
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
            }
        );
        assert_eq!(
            VirtSpec::parse("virt:cd-r").unwrap(),
            VirtSpec {
                kind: MediumKind::CdR80,
                file: None,
                media_id: None,
            }
        );
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
