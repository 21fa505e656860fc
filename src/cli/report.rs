//! The end of a write: one result, success or failure, as a JSON line with one schema (see
//! the README) or as a few lines of text.

use discwriter::{DiscState, DiscSummary, Error, WriteOutcome};
use mmc_core::ImapiCode;
use serde::Serialize;

use super::progress::{clock, mb};

/// The result of one write on one drive.
#[derive(Debug, Clone, Serialize)]
pub struct WriteResult {
    /// The drive as given (`virt:cd-r@disc.img`, `/dev/sr0`).
    pub drive: String,
    /// IMAPI's HRESULT as `"0x…"`, success codes included.
    pub hresult: String,
    /// IMAPI's name of `hresult`: `S_OK`, `S_IMAPI_SPEEDADJUSTED`, `E_IMAPI_…`.
    pub code: &'static str,
    /// The IMAPI name of the error, or null on success.
    pub error: Option<&'static str>,
    /// What happened, in plain words.
    pub message: String,
    /// The first LBA of the data, once it was decided.
    pub start_lba: Option<i64>,
    /// Sectors of the image recorded.
    pub sectors: u64,
    /// The last LBA sent to the drive, or null when nothing was.
    pub last_written_lba: Option<i64>,
    /// The disc was closed: no further session can be added.
    pub disc_closed: bool,
    /// Wall-clock seconds the write took.
    pub elapsed_seconds: f64,
    /// Seconds on the drive's own clock (an emulated drive); null for a drive on the wall
    /// clock.
    pub drive_seconds: Option<f64>,
    /// The verification that passed (`none`, `quick`, `full`); null when the write failed.
    pub verified: Option<&'static str>,
    /// The disc afterwards: `blank`, `appendable`, `complete`, `other`; null when unknown.
    pub disc_status: Option<DiscState>,
    pub next_writable_address: Option<u32>,
    pub free_sectors: Option<u32>,
    /// The disc is written in place from sector 0 (DVD+RW, BD-RE), not session by session.
    #[serde(skip)]
    pub rewritable: bool,
    /// With --copies: the copy (from 1) this result is of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<u32>,
    /// With --copies: the file of the virtual disc this copy went to (null for a disc in
    /// memory or in a real drive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disc_file: Option<Option<String>>,
}

/// How the write went, with what the command saw along the way.
#[derive(Debug)]
pub struct Facts<'a> {
    pub drive: String,
    pub outcome: Result<&'a WriteOutcome, &'a Error>,
    /// The start LBA and last written LBA the events (or the writer) reported.
    pub start_lba: Option<i64>,
    pub last_written_lba: Option<i64>,
    pub elapsed_seconds: f64,
    pub drive_seconds: Option<f64>,
    pub verification: discwriter::VerificationLevel,
    pub after: Option<DiscSummary>,
}

pub(super) fn level_name(v: discwriter::VerificationLevel) -> &'static str {
    match v {
        discwriter::VerificationLevel::None => "none",
        discwriter::VerificationLevel::Quick => "quick",
        discwriter::VerificationLevel::Full => "full",
    }
}

impl WriteResult {
    /// A failure that happened below a virtual drive (its disc file could not be read or
    /// written, say) is told first, then how the drive reported it.
    pub fn blame(&mut self, host_cause: Option<&str>) {
        if let Some(c) = host_cause {
            self.message = format!("{c}; the virtual drive reported it as: {}", self.message);
        }
    }

    pub fn new(f: &Facts<'_>) -> Self {
        let sectors = match (f.outcome, f.start_lba, f.last_written_lba) {
            (Ok(o), _, _) => o.sectors,
            (Err(_), Some(s), Some(l)) if l >= s => (l - s + 1) as u64,
            _ => 0,
        };
        let (hresult, code, error, message, disc_closed, verified) = match f.outcome {
            Ok(o) => (
                o.code.hresult(),
                o.code.name(),
                None,
                success_message(o),
                o.disc_closed,
                Some(level_name(f.verification)),
            ),
            Err(e) => (
                e.hresult(),
                e.imapi_name(),
                Some(e.imapi_name()),
                e.to_string(),
                false,
                None,
            ),
        };
        let start_lba = match f.outcome {
            Ok(o) => Some(o.start_lba),
            Err(_) => f.start_lba,
        };
        let last_written_lba = match f.outcome {
            Ok(o) if o.sectors > 0 => Some(o.start_lba + o.sectors as i64 - 1),
            Ok(_) => None,
            Err(_) => f.last_written_lba,
        };
        WriteResult {
            drive: f.drive.clone(),
            hresult: format!("0x{hresult:08X}"),
            code,
            error,
            message,
            start_lba,
            sectors,
            last_written_lba,
            disc_closed,
            elapsed_seconds: f.elapsed_seconds,
            drive_seconds: f.drive_seconds,
            verified,
            disc_status: f.after.as_ref().map(|s| s.status),
            next_writable_address: f.after.as_ref().and_then(|s| s.next_writable_address),
            free_sectors: f.after.as_ref().map(super::info::free_for_image),
            rewritable: f.after.as_ref().is_some_and(|s| {
                mmc_core::Profile::from_u16(s.profile_code).is_rewritable_random()
            }),
            copy: None,
            disc_file: None,
        }
    }

    /// `{"result": {...}}`, the last line of `write --json`.
    pub fn json_line(&self) -> String {
        serde_json::json!({ "result": self }).to_string()
    }

    /// The text summary of a successful write, for standard output.
    pub fn summary(&self, one_x: f64, drive_speed_x: Option<f64>) -> String {
        let mut lines = Vec::new();
        let bytes = self.sectors * 2048;
        let rate = if self.elapsed_seconds > 0.0 {
            bytes as f64 / self.elapsed_seconds
        } else {
            0.0
        };
        let range = match (self.start_lba, self.last_written_lba) {
            (Some(s), Some(l)) => format!(", LBA {s}-{l}"),
            _ => String::new(),
        };
        lines.push(format!(
            "Wrote {} ({} sectors{range}) in {}: {:.1} MB/s, {:.1}x on average",
            mb(bytes),
            self.sectors,
            seconds(self.elapsed_seconds),
            rate / 1e6,
            rate / one_x
        ));
        if let Some(d) = self.drive_seconds {
            lines.push(format!(
                "Drive time: {} on the emulated drive's clock, formatting, closing and \
                 verifying included{}",
                seconds(d),
                drive_speed_x
                    .map(|x| format!("; the data recorded at {x:.1}x"))
                    .unwrap_or_default()
            ));
        }
        if self.code != "S_OK" {
            lines.push(format!("Note: {} ({})", self.message, self.code));
        }
        lines.push(match self.verified {
            Some("full") => "Verified: every sector read back and compared: identical".into(),
            Some("quick") => {
                "Verified (quick): disc and track information and a sample of sectors read \
                 back and compared: identical"
                    .into()
            }
            _ => "Verification: none".into(),
        });
        lines.push(self.disc_line());
        lines.join("\n")
    }

    /// What the disc is now.
    pub fn disc_line(&self) -> String {
        let Some(status) = self.disc_status else {
            return "Disc: its state could not be read back".into();
        };
        if self.rewritable {
            return format!(
                "Disc: rewritable, written in place from sector 0 ({} in all)",
                mb(u64::from(self.free_sectors.unwrap_or(0)) * 2048)
            );
        }
        let mut line = format!(
            "Disc: {}",
            match status {
                DiscState::Blank => "blank",
                DiscState::Appendable => "appendable (another session can be added)",
                DiscState::Complete if self.disc_closed => "closed (no further session)",
                DiscState::Complete => "complete",
                DiscState::Other => "random-access",
            }
        );
        if let Some(nwa) = self.next_writable_address {
            line.push_str(&format!(", next writable address {nwa}"));
        }
        if let Some(free) = self.free_sectors {
            line.push_str(&format!(", {} free", mb(u64::from(free) * 2048)));
        }
        line
    }
}

fn success_message(o: &WriteOutcome) -> String {
    let base = format!(
        "wrote {} sectors at LBA {}{}",
        o.sectors,
        o.start_lba,
        if o.disc_closed {
            "; the disc is closed"
        } else {
            ""
        }
    );
    match o.code {
        ImapiCode::SpeedAdjusted => format!("{base}; the drive chose another speed than asked"),
        ImapiCode::RotationAdjusted => {
            format!("{base}; the drive chose another rotation control than asked")
        }
        ImapiCode::BothAdjusted => {
            format!("{base}; the drive chose another speed and rotation control than asked")
        }
        _ => base,
    }
}

fn seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        clock(std::time::Duration::from_secs_f64(s))
    }
}
