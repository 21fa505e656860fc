//! Progress of a write as burners show it: the phase, how much is done, wall-clock elapsed
//! time and an estimate of what is left, the average and current speed as Nx and MB/s, the
//! fifo's and the drive buffer's fill (as cdrecord's "fifo" and "buf"), and for an emulated
//! drive its own clock and estimate beside the wall clock's.
//!
//! Three forms: a bar on a terminal; on anything else (a log file, a pipe) or with `-v`, one
//! plain line at each phase and every few seconds, with no escape codes; with `--json`, every
//! event as a JSON line on standard output. Sizes are MB (10^6 bytes) everywhere.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use discwriter::{ProgressEvent, WriteAction};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

/// How often a plain progress line is printed while data moves.
const LINE_INTERVAL: Duration = Duration::from_secs(5);
/// The window the current speed is measured over.
const SPEED_WINDOW: Duration = Duration::from_secs(3);

/// Bytes of user data a second at 1x (2048-byte sectors).
pub fn one_x_bytes_per_second(media: discwriter::writer::MediaPhysicalType) -> f64 {
    media.one_x_sectors() * f64::from(mmc_core::BLOCK_LEN)
}

/// Megabytes with one decimal.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// m:ss, or h:mm:ss.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A progress bar on standard error drawn with `template` (indicatif's syntax).
pub fn bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

#[derive(Debug)]
enum Form {
    Json,
    Bar(ProgressBar),
    Lines,
}

/// The progress display of one write.
#[derive(Debug)]
pub struct Display {
    form: Form,
    start: Instant,
    one_x: f64,
    /// The drive keeps its own clock (an emulated drive): its time and estimate are shown
    /// beside the wall clock's, and the host fifo is not (such a drive takes data as fast as
    /// the host gives it, so the fifo's fill says nothing about underruns).
    own_clock: bool,
    phase: Option<WriteAction>,
    phase_start: Instant,
    last_line: Option<Instant>,
    samples: VecDeque<(Instant, u64)>,
    min_fifo: Option<f64>,
    last: Option<ProgressEvent>,
    /// The drive this display speaks for when several write at once: named at the start of
    /// each plain line and as `drive` in each JSON event.
    drive: Option<String>,
}

impl Display {
    pub fn new(json: bool, verbose: bool, one_x: f64, own_clock: bool) -> Self {
        let form = if json {
            Form::Json
        } else if std::io::stderr().is_terminal() && !verbose {
            let bar = bar("{prefix:<22} [{bar:28}] {msg}");
            bar.enable_steady_tick(Duration::from_millis(200));
            Form::Bar(bar)
        } else {
            Form::Lines
        };
        let now = Instant::now();
        Display {
            form,
            start: now,
            one_x,
            own_clock,
            phase: None,
            phase_start: now,
            last_line: None,
            samples: VecDeque::new(),
            min_fifo: None,
            last: None,
            drive: None,
        }
    }

    /// One display among several drives writing at once: plain lines (never a bar, which
    /// would tear with the others') that start with the drive's name.
    pub fn for_drive(json: bool, one_x: f64, own_clock: bool, drive: String) -> Self {
        Display {
            drive: Some(drive),
            ..Display::new(json, true, one_x, own_clock)
        }
    }

    /// The last event seen.
    pub fn last(&self) -> Option<&ProgressEvent> {
        self.last.as_ref()
    }

    /// The lowest fifo fill seen while writing (drives on the wall clock only).
    pub fn min_fifo(&self) -> Option<f64> {
        self.min_fifo
    }

    pub fn event(&mut self, e: &ProgressEvent) {
        let now = Instant::now();
        let new_phase = self.phase != Some(e.action);
        if new_phase {
            self.phase = Some(e.action);
            self.phase_start = now;
            self.samples.clear();
        }
        let done = done_bytes(e);
        if e.action == WriteAction::WritingData {
            self.samples.push_back((now, done));
            while self
                .samples
                .front()
                .is_some_and(|(t, _)| now.duration_since(*t) > SPEED_WINDOW)
                && self.samples.len() > 2
            {
                self.samples.pop_front();
            }
            if !self.own_clock && e.total_system_buffer > 0 && done > 0 {
                let fill = e.used_system_buffer as f64 / e.total_system_buffer as f64;
                self.min_fifo = Some(self.min_fifo.map_or(fill, |m: f64| m.min(fill)));
            }
        }
        self.last = Some(e.clone());
        match &self.form {
            Form::Json => {
                let mut v = json!({ "event": e });
                if let Some(map) = v.get_mut("event").and_then(|m| m.as_object_mut()) {
                    map.insert(
                        "wall_seconds".into(),
                        json!(self.start.elapsed().as_secs_f64()),
                    );
                    if let Some(drive) = &self.drive {
                        map.insert("drive".into(), json!(drive));
                    }
                }
                outln!("{v}");
            }
            Form::Bar(bar) => {
                let (pos, len) = measure(e);
                bar.set_prefix(phase(e));
                bar.set_length(len.max(1));
                bar.set_position(pos.min(len));
                bar.set_message(self.details(e, now));
            }
            Form::Lines => {
                let due = self
                    .last_line
                    .is_none_or(|t| now.duration_since(t) >= LINE_INTERVAL);
                if new_phase || due {
                    self.last_line = Some(now);
                    let drive = self
                        .drive
                        .as_ref()
                        .map(|d| format!("{d}: "))
                        .unwrap_or_default();
                    errln!("{drive}{}: {}", phase(e), self.details(e, now));
                }
            }
        }
    }

    /// Clears the bar (the summary follows).
    pub fn finish(&self) {
        if let Form::Bar(bar) = &self.form {
            bar.finish_and_clear();
        }
    }

    /// Prints a line without tearing the bar.
    pub fn println(&self, line: &str) {
        match &self.form {
            Form::Bar(bar) => bar.suspend(|| errln!("{line}")),
            _ => errln!("{line}"),
        }
    }

    /// The bytes per second of the data phase so far (wall clock), once data moves.
    fn average(&self, e: &ProgressEvent, now: Instant) -> Option<f64> {
        let secs = now.duration_since(self.phase_start).as_secs_f64();
        let done = done_bytes(e);
        (e.action == WriteAction::WritingData && secs > 0.05 && done > 0)
            .then(|| done as f64 / secs)
    }

    fn current(&self) -> Option<f64> {
        let (t0, b0) = self.samples.front()?;
        let (t1, b1) = self.samples.back()?;
        let secs = t1.duration_since(*t0).as_secs_f64();
        (secs > 0.2 && b1 > b0).then(|| (b1 - b0) as f64 / secs)
    }

    fn speed(&self, bytes_per_second: f64) -> String {
        format!(
            "{:.1}x {:.1} MB/s",
            bytes_per_second / self.one_x,
            bytes_per_second / 1e6
        )
    }

    /// Everything after the phase's name.
    fn details(&self, e: &ProgressEvent, now: Instant) -> String {
        let mut parts: Vec<String> = Vec::new();
        let elapsed = self.start.elapsed();
        match e.action {
            WriteAction::WritingData => {
                let done = done_bytes(e);
                if e.sector_count_known {
                    let total = e.sector_count * 2048;
                    parts.push(format!(
                        "{} of {} ({:.0}%)",
                        mb(done),
                        mb(total),
                        e.fraction_written() * 100.0
                    ));
                } else {
                    parts.push(format!("{} (length not known)", mb(done)));
                }
                if let Some(cur) = self.current() {
                    parts.push(format!("now {}", self.speed(cur)));
                }
                if let Some(avg) = self.average(e, now) {
                    parts.push(format!("average {}", self.speed(avg)));
                }
                let mut buffers = Vec::new();
                if !self.own_clock && e.total_system_buffer > 0 {
                    buffers.push(format!(
                        "fifo {:.0}%",
                        e.used_system_buffer as f64 * 100.0 / e.total_system_buffer as f64
                    ));
                }
                if let Some(f) = e.drive_buffer_fill {
                    buffers.push(format!("buf {:.0}%", f * 100.0));
                }
                if !buffers.is_empty() {
                    parts.push(buffers.join(" "));
                }
                parts.push(format!("{} elapsed", clock(elapsed)));
                if let (true, Some(avg)) = (e.sector_count_known, self.average(e, now)) {
                    let left = (e.sector_count * 2048).saturating_sub(done) as f64 / avg;
                    parts.push(format!("{} left", clock(Duration::from_secs_f64(left))));
                }
                if self.own_clock {
                    let mut drive = format!("drive clock {}", clock(secs(e.elapsed_time)));
                    if let Some(x) = e.speed_x {
                        drive.push_str(&format!(" at {x:.1}x"));
                    }
                    if e.sector_count_known {
                        drive.push_str(&format!(", {} left", clock(secs(e.remaining_time))));
                    }
                    parts.push(drive);
                }
            }
            WriteAction::Verifying if e.sectors_to_verify > 0 => {
                parts.push(format!(
                    "{} of {} ({:.0}%)",
                    mb(e.sectors_verified * 2048),
                    mb(e.sectors_to_verify * 2048),
                    e.sectors_verified as f64 * 100.0 / e.sectors_to_verify as f64
                ));
                parts.push(format!("{} elapsed", clock(elapsed)));
            }
            _ => {
                if let Some(p) = e.operation_progress {
                    parts.push(format!("{:.0}%", p * 100.0));
                }
                parts.push(format!("{} elapsed", clock(elapsed)));
                if self.own_clock {
                    let mut drive = format!("drive clock {}", clock(secs(e.elapsed_time)));
                    if e.remaining_time >= 1.0 {
                        drive.push_str(&format!(", {} left", clock(secs(e.remaining_time))));
                    }
                    parts.push(drive);
                }
            }
        }
        parts.join(", ")
    }
}

/// The phase an event reports; a failed write's COMPLETED names the error it ended with.
fn phase(e: &ProgressEvent) -> String {
    match e.error {
        Some(code) if e.action == WriteAction::Completed => format!("stopped with {}", code.name()),
        _ => e.action.describe().to_string(),
    }
}

/// Bytes of the stream sent to the drive.
fn done_bytes(e: &ProgressEvent) -> u64 {
    ((e.last_written_lba + 1 - e.start_lba).max(0) as u64) * 2048
}

/// The bar's position and length for the phase.
fn measure(e: &ProgressEvent) -> (u64, u64) {
    match e.action {
        WriteAction::WritingData if e.sector_count_known => (done_bytes(e), e.sector_count * 2048),
        WriteAction::WritingData => (done_bytes(e), done_bytes(e).max(1)),
        WriteAction::Verifying => (e.sectors_verified, e.sectors_to_verify),
        WriteAction::Completed => (1, 1),
        _ => (
            e.operation_progress.map_or(0, |p| (p * 1000.0) as u64),
            1000,
        ),
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_read_as_burners_write_them() {
        assert_eq!(clock(Duration::from_secs(75)), "1:15");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
        assert_eq!(mb(20_000_768), "20.0 MB");
    }
}
