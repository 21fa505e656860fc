//! Progress of a write as burners show it: the phase, how much is done, wall-clock elapsed
//! time and an estimate of what is left, the average and current speed as Nx and MB/s, the
//! fifo's and the drive buffer's fill (as cdrecord's "fifo" and "buf"), and for an emulated
//! drive its own clock and estimate beside the wall clock's.
//!
//! Three forms: a bar on a terminal (one line per drive, each labelled with its drive, when
//! several write at once); on anything else (a log file, a pipe) or with `-v`, one plain line
//! at each phase and every few seconds, with no escape codes (starting with the drive's name
//! when several write); with `--json`, every event as a JSON line on standard output. Sizes
//! are MB (10^6 bytes) everywhere.
//!
//! While bars are shown every other line for standard error or output (an error, a signal's
//! message, a warning) is printed above them through [`Board`], so the bars are not torn.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use discwriter::{ProgressEvent, WriteAction};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use serde_json::json;

/// How often a plain progress line is printed while data moves.
const LINE_INTERVAL: Duration = Duration::from_secs(5);
/// The window the current speed is measured over.
const SPEED_WINDOW: Duration = Duration::from_secs(3);

/// Bytes of user data a second at 1x (2048-byte sectors).
pub fn one_x_bytes_per_second(media: discwriter::writer::MediaPhysicalType) -> f64 {
    media.one_x_sectors() * f64::from(mmc_core::BLOCK_LEN)
}

/// A speed of `speed_x` times a 1x of `one_x` bytes a second, in kB/s (1000 bytes), as a
/// manifest records it.
pub fn kbps(speed_x: Option<f64>, one_x: f64) -> Option<u32> {
    speed_x.map(|x| (x * one_x / 1000.0).round() as u32)
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

/// A terminal whose failures are swallowed. indicatif unwraps a failed clear or redraw
/// around the lines printed above its bars (`MultiProgress::suspend`), so a terminal that went
/// away mid-burn (a closed SSH session: writes fail with EIO) would panic the command while a
/// disc is being written. Here the bars stop showing instead; the lines themselves go through
/// `out`, which notices the failure and stops writing that stream.
#[derive(Debug)]
struct Quiet<T>(T);

impl<T: TermLike> TermLike for Quiet<T> {
    fn width(&self) -> u16 {
        self.0.width()
    }
    fn height(&self) -> u16 {
        self.0.height()
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n).or(Ok(()))
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n).or(Ok(()))
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n).or(Ok(()))
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n).or(Ok(()))
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s).or(Ok(()))
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s).or(Ok(()))
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line().or(Ok(()))
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush().or(Ok(()))
    }
}

/// Standard error as the bars draw on it (buffered, redrawn at most 20 times a second, as
/// indicatif's own stderr target), its failures swallowed ([`Quiet`]).
fn stderr_target() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like_with_hz(Box::new(Quiet(console::Term::buffered_stderr())), 20)
}

/// A progress bar on standard error drawn with `template` (indicatif's syntax).
fn bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), stderr_target());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Whether progress is drawn as bars: on a terminal, without `-v` or `--json`.
/// A drive's line of a [`Board`].
const BOARD_LINE: &str = "{prefix} [{bar:16}] {wide_msg}";

fn bars_wanted(json: bool, verbose: bool) -> bool {
    !json && !verbose && std::io::stderr().is_terminal()
}

/// The bars of one command's drives, one line each, redrawn in place on standard error. While
/// a board exists, the command's other lines (`errln!`, `outln!`, the log) are printed above
/// its bars (indicatif's `MultiProgress::suspend`) instead of through them.
#[derive(Debug)]
pub struct Board {
    multi: MultiProgress,
    /// The width of the drives' names, so the bars line up.
    name_width: usize,
    /// The bars stay on the screen when the board goes (each drive's final state): the
    /// cursor is then moved below them (indicatif leaves it at the end of the last).
    keeps_lines: bool,
}

impl Board {
    /// A board on standard error for drives named `names`, when progress is drawn as bars
    /// (a terminal, no `-v`, no `--json`); `None` otherwise.
    pub fn for_terminal(json: bool, verbose: bool, names: &[String]) -> Option<Board> {
        bars_wanted(json, verbose).then(|| Board::on(stderr_target(), names))
    }

    fn on(target: ProgressDrawTarget, names: &[String]) -> Board {
        let multi = MultiProgress::with_draw_target(target);
        super::out::print_above(Some(multi.clone()));
        Board {
            multi,
            name_width: names.iter().map(|n| n.chars().count()).max().unwrap_or(0),
            keeps_lines: !names.is_empty(),
        }
    }

    /// The one bar of a command that shows one (erase, read), drawn with `template`
    /// (indicatif's syntax), on a board of its own so that the lines printed meanwhile go
    /// above it; `None` when progress is not drawn as bars (not a terminal, or `-v`). The
    /// bar goes when it is finished and cleared, the board when it is dropped.
    pub fn single(verbose: bool, template: &str) -> Option<(Board, ProgressBar)> {
        bars_wanted(false, verbose).then(|| Board::single_on(stderr_target(), template))
    }

    fn single_on(target: ProgressDrawTarget, template: &str) -> (Board, ProgressBar) {
        let board = Board::on(target, &[]);
        let line = board.multi.add(bar(template));
        (board, line)
    }

    /// A new line of the board, drawn with `template` (indicatif's syntax).
    fn add(&self, template: &str) -> ProgressBar {
        let bar = self.multi.add(bar(template));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// A new line in place of `old`, whose last state is printed above the board: a drive's
    /// next copy takes over its line, so the board keeps one line per drive.
    fn take_over(&self, old: &ProgressBar, template: &str) -> ProgressBar {
        let last = format!("{} {}", old.prefix(), old.message());
        // errtext! prints above the bars (the board is out::print_above's).
        errtext!("{}\n", last.trim_end());
        let new = self.multi.insert_after(old, bar(template));
        self.multi.remove(old);
        new.enable_steady_tick(Duration::from_millis(200));
        new
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        super::out::print_above(None);
        if self.keeps_lines && !self.multi.is_hidden() {
            errtext!("\n");
        }
    }
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
    /// each plain line and of its bar, and as `drive` in each JSON event.
    drive: Option<String>,
    /// The width the drive's name is padded to on its bar.
    name_width: usize,
    /// The board of a single drive's bar (several drives share their caller's), held for
    /// as long as the bar is drawn.
    _own_board: Option<Board>,
}

impl Display {
    /// The display of a write to one drive.
    pub fn new(json: bool, verbose: bool, one_x: f64, own_clock: bool) -> Self {
        let board = Board::for_terminal(json, verbose, &[]);
        let form = match &board {
            Some(board) => Form::Bar(board.add("{prefix:<22} [{bar:28}] {msg}")),
            None if json => Form::Json,
            None => Form::Lines,
        };
        Display {
            _own_board: board,
            ..Display::with_form(form, one_x, own_clock, None, 0)
        }
    }

    /// One display among several drives writing at once: a line of `board`, labelled with the
    /// drive's name, when there is one (a terminal); else plain lines that start with the
    /// drive's name, or JSON events that carry it.
    pub fn for_drive(
        json: bool,
        board: Option<&Board>,
        one_x: f64,
        own_clock: bool,
        drive: String,
    ) -> Self {
        let width = board.map_or(0, |b| b.name_width);
        let form = match board {
            Some(board) => {
                let bar = board.add(BOARD_LINE);
                bar.set_prefix(label(Some(&drive), width, "starting"));
                Form::Bar(bar)
            }
            None if json => Form::Json,
            None => Form::Lines,
        };
        Display::with_form(form, one_x, own_clock, Some(drive), width)
    }

    /// The display of the same drive's next copy, labelled `drive`: on a terminal it takes
    /// over this display's line of `board` (whose final state is printed above the board),
    /// else as [`Display::for_drive`].
    pub fn next_copy(&self, board: Option<&Board>, drive: String) -> Self {
        let (Some(board), Form::Bar(old)) = (board, &self.form) else {
            return Display::for_drive(
                matches!(self.form, Form::Json),
                board,
                self.one_x,
                self.own_clock,
                drive,
            );
        };
        let bar = board.take_over(old, BOARD_LINE);
        bar.set_prefix(label(Some(&drive), self.name_width, "starting"));
        Display::with_form(
            Form::Bar(bar),
            self.one_x,
            self.own_clock,
            Some(drive),
            self.name_width,
        )
    }

    fn with_form(
        form: Form,
        one_x: f64,
        own_clock: bool,
        drive: Option<String>,
        name_width: usize,
    ) -> Self {
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
            drive,
            name_width,
            _own_board: None,
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
            // Several drives: the line stays, with how the write ended (a failed one's bar
            // where the write stopped).
            Form::Bar(bar) if self.drive.is_some() && e.action == WriteAction::Completed => {
                let (state, message) = final_state(e, self.start.elapsed());
                bar.set_prefix(label(self.drive.as_deref(), self.name_width, state));
                match e.error {
                    None => bar.finish_with_message(message),
                    Some(_) => bar.abandon_with_message(message),
                }
            }
            Form::Bar(bar) => {
                let (pos, len) = measure(e);
                match &self.drive {
                    Some(d) => bar.set_prefix(label(Some(d), self.name_width, short_phase(e))),
                    None => bar.set_prefix(phase(e)),
                }
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

    /// Clears a single drive's bar (the summary follows); among several drives, leaves the
    /// line as it is, stopped where it was when no COMPLETED event came.
    pub fn finish(&self) {
        if let Form::Bar(bar) = &self.form {
            match &self.drive {
                None => bar.finish_and_clear(),
                Some(_) if !bar.is_finished() => bar.abandon(),
                Some(_) => {}
            }
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

/// A phase in a word, for the column of a drive's bar among several.
fn short_phase(e: &ProgressEvent) -> &'static str {
    match e.action {
        WriteAction::ValidatingMedia => "validating",
        WriteAction::FormattingMedia => "formatting",
        WriteAction::InitializingHardware => "initializing",
        WriteAction::CalibratingPower => "calibrating",
        WriteAction::WritingData => "writing",
        WriteAction::Finalization => "finalizing",
        WriteAction::Verifying => "verifying",
        WriteAction::Completed if e.error.is_some() => "failed",
        WriteAction::Completed => "done",
    }
}

/// The start of a drive's bar: its name padded to `width` (so the bars line up), then its
/// state in a column of 12.
fn label(drive: Option<&str>, width: usize, state: &str) -> String {
    match drive {
        Some(drive) => format!("{drive:<width$}  {state:<12}"),
        None => state.to_string(),
    }
}

/// How a write ended, from its COMPLETED event after `elapsed`: `done` or `failed`, and what
/// the drive's line says after its bar (a failure's IMAPI code and HRESULT first).
fn final_state(e: &ProgressEvent, elapsed: Duration) -> (&'static str, String) {
    let written = mb(done_bytes(e));
    let elapsed = clock(elapsed);
    match e.error {
        None => ("done", format!("{written} written, {elapsed} elapsed")),
        Some(code) => (
            "failed",
            format!(
                "{} (0x{:08X}) after {written} written, {elapsed} elapsed",
                code.name(),
                code.hresult()
            ),
        ),
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

    use mmc_core::ImapiCode;

    /// An event of a 6000-sector write at LBA 0 with `written` sectors sent.
    fn event(action: WriteAction, written: i64, error: Option<ImapiCode>) -> ProgressEvent {
        ProgressEvent {
            action,
            elapsed_time: 10.0,
            remaining_time: 20.0,
            total_time: 30.0,
            start_lba: 0,
            sector_count: 6000,
            sector_count_known: true,
            last_read_lba: written - 1,
            last_written_lba: written - 1,
            total_system_buffer: 0,
            used_system_buffer: 0,
            free_system_buffer: 0,
            drive_buffer_fill: None,
            speed_x: Some(16.0),
            operation_progress: None,
            sectors_verified: 0,
            sectors_to_verify: 0,
            error,
        }
    }

    /// Held by every test that makes a board: a board registers itself with `out` (one
    /// process-wide slot), so two at once would see each other's.
    static BOARDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn one_board_at_a_time() -> std::sync::MutexGuard<'static, ()> {
        BOARDS.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[test]
    fn a_single_bar_has_the_lines_printed_meanwhile_put_above_it_until_its_board_goes() {
        let _one = one_board_at_a_time();
        assert!(!super::super::out::printing_above());
        let (board, line) =
            Board::single_on(ProgressDrawTarget::hidden(), "erasing [{bar:28}] {msg}");
        assert!(super::super::out::printing_above(), "registered with out");
        line.set_message("0:01 of about 8:35 (0%)");
        line.finish_and_clear();
        // Until the board goes (the command's summary comes after the bar is cleared).
        assert!(super::super::out::printing_above());
        drop(board);
        assert!(!super::super::out::printing_above(), "unregistered");
    }

    /// A terminal that went away: every write fails (EIO, as after a hangup).
    #[derive(Debug)]
    struct HungUp;

    fn eio() -> std::io::Result<()> {
        Err(std::io::Error::from_raw_os_error(5))
    }

    impl TermLike for HungUp {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            eio()
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            eio()
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            eio()
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            eio()
        }
        fn write_line(&self, _: &str) -> std::io::Result<()> {
            eio()
        }
        fn write_str(&self, _: &str) -> std::io::Result<()> {
            eio()
        }
        fn clear_line(&self) -> std::io::Result<()> {
            eio()
        }
        fn flush(&self) -> std::io::Result<()> {
            eio()
        }
    }

    #[test]
    fn a_terminal_that_went_away_stops_the_bars_without_a_panic() {
        let _one = one_board_at_a_time();
        let names = ["virt:a".to_string()];
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(Quiet(HungUp)), 200);
        let board = Board::on(target, &names);
        let mut line = among(&board, "virt:a");
        line.event(&event(WriteAction::WritingData, 3000, None));
        // A line printed above the bars: indicatif clears and redraws them around it.
        super::super::out::line(format_args!("{}", ""));
        line.event(&event(WriteAction::Completed, 6000, None));
        line.finish();
        drop(board);
    }

    /// The display of `drive`, a line of `board`.
    fn among(board: &Board, drive: &str) -> Display {
        Display::for_drive(false, Some(board), 1_385_000.0, true, drive.into())
    }

    fn bar(d: &Display) -> &ProgressBar {
        match &d.form {
            Form::Bar(bar) => bar,
            other => panic!("not a bar: {other:?}"),
        }
    }

    #[test]
    fn a_drives_line_is_labelled_with_its_name_padded_to_the_longest() {
        let names = ["virt:dvd+r@/a".to_string(), "/dev/sr0".to_string()];
        let _one = one_board_at_a_time();
        let board = Board::on(ProgressDrawTarget::hidden(), &names);
        let short = among(&board, "/dev/sr0");
        assert_eq!(bar(&short).prefix(), "/dev/sr0       starting    ");
        let long = among(&board, "virt:dvd+r@/a");
        assert_eq!(bar(&long).prefix(), "virt:dvd+r@/a  starting    ");
        // Every phase fits the state column, so the bars line up.
        use WriteAction::*;
        for action in [
            ValidatingMedia,
            FormattingMedia,
            InitializingHardware,
            CalibratingPower,
            WritingData,
            Finalization,
            Verifying,
            Completed,
        ] {
            assert!(
                short_phase(&event(action, 0, None)).len() <= 12,
                "{action:?}"
            );
        }
    }

    #[test]
    fn a_drives_line_follows_its_write_and_keeps_how_it_ended() {
        let names = ["virt:a".to_string(), "virt:b".to_string()];
        let _one = one_board_at_a_time();
        let board = Board::on(ProgressDrawTarget::hidden(), &names);
        let mut a = among(&board, "virt:a");
        let mut b = among(&board, "virt:b");
        for d in [&mut a, &mut b] {
            d.event(&event(WriteAction::WritingData, 3000, None));
            let bar = bar(d);
            assert!(bar.prefix().ends_with("  writing     "), "{}", bar.prefix());
            assert_eq!(
                (bar.position(), bar.length()),
                (3000 * 2048, Some(6000 * 2048))
            );
            assert!(
                bar.message().starts_with("6.1 MB of 12.3 MB (50%)"),
                "{}",
                bar.message()
            );
            assert!(!bar.is_finished());
        }
        // a fails: its line says so with the IMAPI code, its bar stays where it stopped.
        a.event(&event(WriteAction::WritingData, 5000, None));
        a.event(&event(
            WriteAction::Completed,
            5000,
            Some(ImapiCode::LossOfStreaming),
        ));
        let line = bar(&a);
        assert_eq!(line.prefix(), "virt:a  failed      ");
        assert!(
            line.message()
                .starts_with("E_IMAPI_LOSS_OF_STREAMING (0xC0AA0300) after 10.2 MB written, "),
            "{}",
            line.message()
        );
        assert_eq!(line.position(), 5000 * 2048);
        assert!(line.is_finished());
        // b goes on, and succeeds: a full bar and what it wrote.
        assert!(!bar(&b).is_finished());
        b.event(&event(WriteAction::Finalization, 6000, None));
        assert_eq!(bar(&b).prefix(), "virt:b  finalizing  ");
        b.event(&event(WriteAction::Completed, 6000, None));
        let line = bar(&b);
        assert_eq!(line.prefix(), "virt:b  done        ");
        assert!(
            line.message().starts_with("12.3 MB written, "),
            "{}",
            line.message()
        );
        assert_eq!(Some(line.position()), line.length());
        assert!(line.is_finished());
    }

    #[test]
    fn a_drive_without_a_completed_event_is_left_stopped_not_cleared() {
        let names = ["virt:a".to_string()];
        let _one = one_board_at_a_time();
        let board = Board::on(ProgressDrawTarget::hidden(), &names);
        let d = among(&board, "virt:a");
        d.finish();
        assert!(bar(&d).is_finished());
        assert_eq!(bar(&d).prefix(), "virt:a  starting    ");
    }

    #[test]
    fn without_a_board_drives_get_plain_lines_or_json() {
        assert!(matches!(
            Display::for_drive(false, None, 1.0, false, "d".into()).form,
            Form::Lines
        ));
        assert!(matches!(
            Display::for_drive(true, None, 1.0, false, "d".into()).form,
            Form::Json
        ));
    }

    #[test]
    fn times_and_sizes_read_as_burners_write_them() {
        assert_eq!(clock(Duration::from_secs(75)), "1:15");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
        assert_eq!(mb(20_000_768), "20.0 MB");
    }
}
