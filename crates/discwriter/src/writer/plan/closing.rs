//! How a write ends: whether it closes the disc (ForceMediaToBeClosed, IMAPI's 2 % rule,
//! the medium's own finalization) and the drive-side steps after the data phase.

use mmc_core::cdb::CloseFunction;

use super::{
    leaves_no_room_for_another_session, Closing, DataEnd, MediumClass, OnError, Step, WritePlan,
    CD_POSTGAP,
};

impl WritePlan {
    /// The CLOSE function that finalizes the disc after this write, or `None` when the
    /// disc stays appendable: IMAPI closes it when ForceMediaToBeClosed asks, or when at
    /// most 2 % of it would remain for a further session after `sectors` more (and what
    /// the medium adds). On DVD+R, DisableConsumerDvdCompatibilityMode decides first
    /// (Microsoft's table): off, the disc is closed in compatible mode (101b) whatever
    /// ForceMediaToBeClosed says; on, it is closed normally (110b) when the rules above
    /// close it. CD closes through page 05h, reported here as CLOSE SESSION.
    pub(super) fn disc_close(&self, sectors: u64) -> Option<CloseFunction> {
        let by_rule = self.force_close
            || leaves_no_room_for_another_session(
                self.profile,
                self.free.saturating_sub(self.pseudo_overwrite.unwrap_or(0)),
                self.appended(sectors) + self.overhead,
                self.total,
                self.closed_sessions,
            );
        match self.class {
            MediumClass::Sequential {
                compatible: Some(compatible),
                ..
            } if !self.dvd_compatibility_disabled => Some(compatible),
            MediumClass::Sequential { finalize, .. } => by_rule.then_some(finalize),
            // Disc-at-Once: the one session is the disc's.
            MediumClass::DvdDashR { .. } if self.dao => Some(CloseFunction::CloseSession),
            MediumClass::Cd | MediumClass::DvdDashR { .. } => {
                by_rule.then_some(CloseFunction::CloseSession)
            }
            MediumClass::Overwritable { .. } => None,
        }
    }

    pub(super) fn closes_disc(&self, sectors: u64) -> bool {
        self.disc_close(sectors).is_some()
    }

    /// Whether a write that ended with `end` after `written` sectors closes the disc: only
    /// one that recorded all its data on write-once media. What the plan expects; the
    /// outcome reports what the drive says afterwards.
    pub(crate) fn disc_closed(&self, end: DataEnd, written: u64) -> bool {
        self.class.write_once() && end == DataEnd::Complete && self.closes_disc(written)
    }

    /// The steps after the data phase. A finalization runs also after a cancel (so what was
    /// written stays readable and write-once media stay appendable). After a drive failure
    /// the drive is only asked to write what it holds (SYNCHRONIZE CACHE), and a write-once
    /// track is left open, as libburn leaves it: closing it would make a truncated track,
    /// maybe with a hole, look like a complete session; the next write continues it. After a
    /// host failure what the drive took is made durable and, on write-once media, closed in
    /// an appendable session; a failed write never closes the disc.
    pub(crate) fn closing(&self, end: DataEnd, written: u64) -> Closing {
        let written_any = written > 0;
        // What a session must close: on a pseudo-overwrite only sectors appended past the
        // recorded ones open a track.
        let recorded_new = self.appended(written) > 0;
        let cd = self.class == MediumClass::Cd;
        let page = self.page_write().filter(|_| !self.dao);
        let page_keeps_open = self.page_keeps_open;
        let mut steps = Vec::new();
        match end {
            DataEnd::DriveFailed => {
                steps.push((Step::Synchronize, OnError::Stop));
            }
            // Disc-at-Once: the drive closes the reservation once the host has written it
            // whole (libburn's and growisofs's DAO send no CLOSE TRACK/SESSION). A write
            // that stopped short of it (cancelled, or a stream that ended early) closes the
            // track and the session, which pads the rest of the reservation and closes the
            // disc (MMC-5 6.3.3.2), so that what was written reads back; left open, the
            // disc would take no other write and no reader could use it.
            _ if self.dao => {
                let on_error = match end {
                    DataEnd::HostFailed => OnError::Stop,
                    _ => OnError::Fail,
                };
                steps.push((Step::Synchronize, on_error));
                if matches!(end, DataEnd::Cancelled | DataEnd::Truncated) && written_any {
                    steps.push((Step::CloseTrack, OnError::Fail));
                    steps.push((Step::Close(CloseFunction::CloseSession), OnError::Fail));
                }
            }
            DataEnd::HostFailed => {
                steps.push((Step::Synchronize, OnError::Stop));
                if let Some(write) = page.filter(|_| !page_keeps_open && written_any) {
                    let page = Step::WriteParameters {
                        write,
                        keep_open: true,
                        bufe: self.bufe,
                    };
                    steps.push((page, OnError::Continue));
                }
                if self.class.write_once() && recorded_new {
                    steps.push((Step::CloseTrack, OnError::Stop));
                    steps.push((Step::Close(CloseFunction::CloseSession), OnError::Stop));
                }
            }
            DataEnd::Complete | DataEnd::Truncated | DataEnd::Cancelled => {
                let close_disc = self.disc_closed(end, written);
                if cd && written_any && !self.postgap_in_image && end != DataEnd::Cancelled {
                    let lba = self.start_lba + written as i64;
                    steps.push((
                        Step::WriteZeros {
                            lba,
                            sectors: CD_POSTGAP,
                        },
                        OnError::Fail,
                    ));
                }
                // The page said what the write expected; what it turned out to be decides.
                if let Some(write) = page.filter(|_| written_any && page_keeps_open == close_disc) {
                    let page = Step::WriteParameters {
                        write,
                        keep_open: !close_disc,
                        bufe: self.bufe,
                    };
                    steps.push((page, OnError::Fail));
                }
                steps.push((Step::Synchronize, OnError::Fail));
                let close = match self.class {
                    c if c.write_once() && !recorded_new => None,
                    MediumClass::Sequential { .. } if close_disc => self.disc_close(written),
                    // On CD and DVD-R the page's multi-session field decides what CLOSE
                    // SESSION leaves (MMC-5 6.3.3.2.3).
                    MediumClass::Cd
                    | MediumClass::DvdDashR { .. }
                    | MediumClass::Sequential { .. } => Some(CloseFunction::CloseSession),
                    // The DVD+RW compatibility close (MMC-6 6.3.3.2.3), or only stopping the
                    // background format when the consumer-compatibility mode is off.
                    MediumClass::Overwritable { dvd_plus_rw: true } => {
                        Some(if self.dvd_compatibility_disabled {
                            CloseFunction::QuickStopBackgroundFormat
                        } else {
                            CloseFunction::CloseSession
                        })
                    }
                    // A DVD-RW in Restricted Overwrite without a lead-out: CLOSE SESSION
                    // records it after the data (MMC-6 6.3.3.2.3).
                    MediumClass::Overwritable { dvd_plus_rw: false }
                        if self.records_lead_out && written_any =>
                    {
                        Some(CloseFunction::CloseSession)
                    }
                    MediumClass::Overwritable { dvd_plus_rw: false } => None,
                };
                if let Some(function) = close {
                    if self.class.write_once() {
                        steps.push((Step::CloseTrack, OnError::Fail));
                    }
                    steps.push((Step::Close(function), OnError::Fail));
                }
            }
        }
        Closing {
            finalize: matches!(
                end,
                DataEnd::Complete | DataEnd::Truncated | DataEnd::Cancelled
            ),
            steps,
        }
    }
}
