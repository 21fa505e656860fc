//! The read speed along the disc as a picture (where people would rather look than read): the
//! speed of every READ of a [`CheckReport`] against its LBA, in multiples of the medium's 1x
//! (with MB/s on the right-hand axis) or in MB/s when the medium's 1x is not known, with the
//! unreadable ranges in red, the slow ones in orange and the sectors between sessions in grey.
//!
//! SVG or PNG, chosen by the file's extension. Both are drawn by `plotters`; text is laid out
//! (and, in a PNG, drawn) with DejaVu Sans, bundled with the crate, so no system font library
//! is needed. In an SVG every marked range is also a `<rect>` of class `unreadable`, `slow` or
//! `not-recorded` with a `<title>` (its LBAs, shown when the pointer rests on it) and
//! `data-start`/`data-sectors` attributes, for a viewer or a script.
//!
//! ```
//! use discwriter::check::plot::{render, PlotFormat, PlotOptions};
//! use discwriter::check::{CheckReport, Range, SectorState, Speed};
//!
//! let report = CheckReport {
//!     start: 0,
//!     sectors: 64,
//!     ranges: vec![Range { start: 0, sectors: 64, state: SectorState::Good }],
//!     good_sectors: 64,
//!     slow_sectors: 0,
//!     unreadable_sectors: 0,
//!     not_recorded_sectors: 0,
//!     slow_below_kbps: 2770.0,
//!     speeds: vec![Speed { lba: 0, kbps: 11080.0 }, Speed { lba: 32, kbps: 11080.0 }],
//!     comparison: None,
//!     damaged_files: Vec::new(),
//!     unlisted_directories: Vec::new(),
//! };
//! let options = PlotOptions { one_x_kbps: Some(1385.0), ..PlotOptions::new("DVD+R") };
//! let svg = render(&report, PlotFormat::Svg, &options)?;
//! assert!(String::from_utf8_lossy(&svg).contains("<svg"));
//! # Ok::<(), discwriter::check::plot::PlotError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{CheckReport, SectorState};

/// DejaVu Sans (Bitstream Vera licence, fonts/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
/// The family every text of the plot is set in.
const FAMILY: &str = "sans-serif";

/// The smallest and largest picture drawn, in pixels: below, the axes' labels leave no room
/// for the plot; above, a PNG's buffer would be needlessly large.
const MIN_SIZE: (u32, u32) = (320, 200);
const MAX_SIZE: u32 = 8000;

/// The file formats a plot is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotFormat {
    Svg,
    Png,
}

impl PlotFormat {
    /// The format a file name asks for by its extension (`.svg` or `.png`, in any case).
    pub fn of_path(path: &Path) -> Result<PlotFormat, PlotError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(PlotFormat::Svg),
            Some("png") => Ok(PlotFormat::Png),
            _ => Err(PlotError::UnknownFormat(path.to_path_buf())),
        }
    }
}

/// What a plot says beside the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    /// The title (the medium, the drive and the area checked, as the caller names them).
    pub title: String,
    /// The medium's 1x in kB/s (1000 bytes), for a speed axis in multiples of it.
    pub one_x_kbps: Option<f64>,
    /// The picture's size in pixels (kept within 320 x 200 and 8000 x 8000).
    pub width: u32,
    pub height: u32,
}

impl PlotOptions {
    /// 1200 x 600 pixels, 1x not known.
    pub fn new(title: impl Into<String>) -> Self {
        PlotOptions {
            title: title.into(),
            one_x_kbps: None,
            width: 1200,
            height: 600,
        }
    }

    fn size(&self) -> (u32, u32) {
        (
            self.width.clamp(MIN_SIZE.0, MAX_SIZE),
            self.height.clamp(MIN_SIZE.1, MAX_SIZE),
        )
    }
}

/// Why a plot was not written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("{}: a plot is written as .svg or .png (chosen by the file's extension)", .0.display())]
    UnknownFormat(PathBuf),
    #[error("{}: the plot could not be written: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the plot could not be drawn: {0}")]
    Draw(String),
}

/// Draws `report` as `format`: the file's bytes.
pub fn render(
    report: &CheckReport,
    format: PlotFormat,
    options: &PlotOptions,
) -> Result<Vec<u8>, PlotError> {
    register_font()?;
    let (w, h) = options.size();
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            let marks = {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                let marks = draw(&root, report, options)?;
                root.present().map_err(draw_error)?;
                marks
            };
            let at = svg.rfind("</svg>").unwrap_or(svg.len());
            svg.insert_str(at, &svg_marks(&marks));
            Ok(svg.into_bytes())
        }
        PlotFormat::Png => {
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                draw(&root, report, options)?;
                root.present().map_err(draw_error)?;
            }
            let mut png_bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut png_bytes, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder
                .write_header()
                .and_then(|mut writer| writer.write_image_data(&rgb))
                .map_err(|e| PlotError::Draw(e.to_string()))?;
            Ok(png_bytes)
        }
    }
}

/// Draws `report` into `path`, as its extension says ([`PlotFormat::of_path`]).
pub fn write(report: &CheckReport, path: &Path, options: &PlotOptions) -> Result<(), PlotError> {
    let format = PlotFormat::of_path(path)?;
    let bytes = render(report, format, options)?;
    std::fs::write(path, bytes).map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn register_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    match ok {
        true => Ok(()),
        false => Err(PlotError::Draw("the bundled font could not be read".into())),
    }
}

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// A marked range as drawn: its state, its sectors and its place in pixels.
#[derive(Debug, Clone, PartialEq)]
struct Mark {
    state: SectorState,
    start: u32,
    sectors: u32,
    from: (i32, i32),
    to: (i32, i32),
}

/// The colour and class of a marked state; good sectors are not marked.
fn marking(state: SectorState) -> Option<(RGBColor, &'static str, &'static str)> {
    match state {
        SectorState::Unreadable => Some((RGBColor(220, 30, 30), "unreadable", "unreadable")),
        SectorState::Slow => Some((RGBColor(245, 150, 20), "slow", "slow")),
        SectorState::NotRecorded => Some((
            RGBColor(150, 150, 150),
            "not-recorded",
            "not recorded (between sessions)",
        )),
        SectorState::Good => None,
    }
}

/// The chart: axes, the marked ranges, the speed line, the slow threshold and a legend.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &CheckReport,
    options: &PlotOptions,
) -> Result<Vec<Mark>, PlotError> {
    root.fill(&WHITE).map_err(draw_error)?;
    let one_x = options.one_x_kbps.filter(|x| x.is_finite() && *x > 0.0);
    // The left axis: Nx when 1x is known, else MB/s; the right axis: MB/s beside Nx.
    let unit = one_x.unwrap_or(1000.0);
    let x0 = f64::from(report.start);
    let x1 = x0 + f64::from(report.sectors.max(1));
    let top_kbps = report
        .speeds
        .iter()
        .map(|s| s.kbps)
        .chain(std::iter::once(report.slow_below_kbps))
        .filter(|k| k.is_finite() && *k > 0.0)
        .fold(0.0, f64::max);
    let top = if top_kbps > 0.0 {
        top_kbps * 1.15 / unit
    } else {
        1.0
    };

    let mut builder = ChartBuilder::on(root);
    builder
        .caption(&options.title, (FAMILY, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(65);
    if one_x.is_some() {
        builder.right_y_label_area_size(65);
    }
    let mut chart = builder
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(draw_error)?
        .set_secondary_coord(x0..x1, 0.0..top * unit / 1000.0);
    chart
        .configure_mesh()
        .x_desc("LBA (2048-byte sectors)")
        .y_desc(match one_x {
            Some(_) => "read speed (x)",
            None => "read speed (MB/s)",
        })
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(draw_error)?;
    if one_x.is_some() {
        chart
            .configure_secondary_axes()
            .y_desc("read speed (MB/s)")
            .y_label_formatter(&|y| format!("{y:.1}"))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 15))
            .draw()
            .map_err(draw_error)?;
    }

    let mut marks = Vec::new();
    let mut labelled: Vec<SectorState> = Vec::new();
    for r in &report.ranges {
        let Some((colour, _, label)) = marking(r.state) else {
            continue;
        };
        let a = f64::from(r.start);
        // A range narrower than a few pixels still shows.
        let min_width = 3.0 * (x1 - x0) / f64::from(options.size().0);
        let b = (a + f64::from(r.sectors)).max(a + min_width);
        let series = chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, top)],
                colour.mix(0.35).filled(),
            )))
            .map_err(draw_error)?;
        if !labelled.contains(&r.state) {
            labelled.push(r.state);
            series.label(label).legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.mix(0.35).filled())
            });
        }
        marks.push(Mark {
            state: r.state,
            start: r.start,
            sectors: r.sectors,
            from: chart.backend_coord(&(a, top)),
            to: chart.backend_coord(&(b, 0.0)),
        });
    }

    let line = RGBColor(30, 90, 200);
    let mut first = true;
    for segment in segments(report, options.size().0 as usize) {
        let points = segment.into_iter().map(|(lba, kbps)| (lba, kbps / unit));
        let series = chart
            .draw_series(LineSeries::new(points, line.stroke_width(2)))
            .map_err(draw_error)?;
        if first {
            first = false;
            series.label("read speed").legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], line.stroke_width(2))
            });
        }
    }

    if report.slow_below_kbps > 0.0 && report.slow_below_kbps.is_finite() {
        let y = report.slow_below_kbps / unit;
        let colour = RGBColor(245, 150, 20);
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, y), (x1, y)],
                6,
                4,
                colour.stroke_width(1),
            ))
            .map_err(draw_error)?
            .label(match one_x {
                Some(_) => format!("slow below {y:.1}x"),
                None => format!("slow below {y:.1} MB/s"),
            })
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FAMILY, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(draw_error)?;
    Ok(marks)
}

/// The speeds as runs of (LBA, kB/s) that the line joins: broken where an unreadable range
/// or a gap between sessions lies between two reads, and thinned to the lowest and highest
/// speed of each of about `columns` slices of the area, so a whole disc's reads (tens of
/// thousands) draw as a line of a few thousand points that keeps every dip.
fn segments(report: &CheckReport, columns: usize) -> Vec<Vec<(f64, f64)>> {
    let breaks: Vec<u32> = report
        .ranges
        .iter()
        .filter(|r| matches!(r.state, SectorState::Unreadable | SectorState::NotRecorded))
        .map(|r| r.start)
        .collect();
    let span = u64::from(report.sectors.max(1));
    let columns = columns.max(1) as u64;
    let slice = |lba: u32| u64::from(lba.saturating_sub(report.start)) * columns / span;
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut gathering: Option<Slice> = None;
    // The first break not before the previous read.
    let mut next_break = 0;
    for s in report.speeds.iter().filter(|s| s.kbps.is_finite()) {
        let mut broken = false;
        while breaks.get(next_break).is_some_and(|&b| b <= s.lba) {
            broken = true;
            next_break += 1;
        }
        if broken {
            Slice::flush(&mut gathering, &mut current);
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
        let point = (s.lba, s.kbps);
        let index = slice(s.lba);
        match &mut gathering {
            Some(g) if g.index == index => g.add(point),
            _ => {
                Slice::flush(&mut gathering, &mut current);
                gathering = Some(Slice {
                    index,
                    low: point,
                    high: point,
                });
            }
        }
    }
    Slice::flush(&mut gathering, &mut current);
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The lowest and highest (LBA, kB/s) point of one slice of the area.
struct Slice {
    index: u64,
    low: (u32, f64),
    high: (u32, f64),
}

impl Slice {
    fn add(&mut self, point: (u32, f64)) {
        if point.1 < self.low.1 {
            self.low = point;
        }
        if point.1 > self.high.1 {
            self.high = point;
        }
    }

    /// The slice's points, in the order of their LBAs, onto `line`.
    fn flush(slice: &mut Option<Slice>, line: &mut Vec<(f64, f64)>) {
        if let Some(Slice { low, high, .. }) = slice.take() {
            let (a, b) = if low.0 <= high.0 {
                (low, high)
            } else {
                (high, low)
            };
            line.push((f64::from(a.0), a.1));
            if b != a {
                line.push((f64::from(b.0), b.1));
            }
        }
    }
}

/// The marked ranges as SVG rectangles over the drawn bands, each with its class, its
/// sectors and a title.
fn svg_marks(marks: &[Mark]) -> String {
    let mut s = String::from("<g id=\"ranges\">\n");
    for m in marks {
        let Some((_, class, label)) = marking(m.state) else {
            continue;
        };
        let last = u64::from(m.start) + u64::from(m.sectors.max(1)) - 1;
        let (x, y) = (m.from.0.min(m.to.0), m.from.1.min(m.to.1));
        let (w, h) = ((m.to.0 - m.from.0).abs(), (m.to.1 - m.from.1).abs());
        s.push_str(&format!(
            "<rect class=\"{class}\" data-start=\"{}\" data-sectors=\"{}\" x=\"{x}\" y=\"{y}\" \
             width=\"{w}\" height=\"{h}\" fill=\"none\" pointer-events=\"all\">\
             <title>{label}: LBA {}-{last} ({} sectors)</title></rect>\n",
            m.start, m.sectors, m.start, m.sectors
        ));
    }
    s.push_str("</g>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Range, Speed};

    fn report(ranges: Vec<Range>, speeds: Vec<Speed>) -> CheckReport {
        CheckReport {
            start: 0,
            sectors: ranges.iter().map(|r| r.sectors).sum(),
            ranges,
            good_sectors: 0,
            slow_sectors: 0,
            unreadable_sectors: 0,
            not_recorded_sectors: 0,
            slow_below_kbps: 0.0,
            speeds,
            comparison: None,
            damaged_files: Vec::new(),
            unlisted_directories: Vec::new(),
        }
    }

    fn range(start: u32, sectors: u32, state: SectorState) -> Range {
        Range {
            start,
            sectors,
            state,
        }
    }

    #[test]
    fn the_format_is_the_extension() {
        assert_eq!(
            PlotFormat::of_path(Path::new("a/b.SVG")).ok(),
            Some(PlotFormat::Svg)
        );
        assert_eq!(
            PlotFormat::of_path(Path::new("b.png")).ok(),
            Some(PlotFormat::Png)
        );
        for other in ["b.txt", "b", "svg", "b.svg.gz"] {
            let e = PlotFormat::of_path(Path::new(other)).unwrap_err();
            assert!(e.to_string().contains(".svg or .png"), "{e}");
        }
    }

    #[test]
    fn a_png_is_drawn_at_the_size_asked_for() {
        use SectorState::*;
        let r = report(
            vec![range(0, 64, Good), range(64, 32, Slow), range(96, 32, Good)],
            vec![
                Speed {
                    lba: 0,
                    kbps: 11_000.0,
                },
                Speed {
                    lba: 32,
                    kbps: 11_000.0,
                },
                Speed {
                    lba: 64,
                    kbps: 1_000.0,
                },
                Speed {
                    lba: 96,
                    kbps: 11_000.0,
                },
            ],
        );
        let options = PlotOptions {
            one_x_kbps: Some(1385.0),
            width: 640,
            height: 360,
            ..PlotOptions::new("a DVD")
        };
        let bytes = render(&r, PlotFormat::Png, &options).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .unwrap();
        assert_eq!((reader.info().width, reader.info().height), (640, 360));
        // A size too small for the axes is drawn at the smallest size instead of failing.
        let tiny = PlotOptions {
            width: 1,
            height: 1,
            ..options
        };
        let bytes = render(&r, PlotFormat::Png, &tiny).unwrap();
        let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .unwrap();
        assert_eq!((reader.info().width, reader.info().height), MIN_SIZE);
    }

    #[test]
    fn an_svg_marks_each_range_with_its_class_and_sectors() {
        use SectorState::*;
        let r = report(
            vec![
                range(0, 64, Good),
                range(64, 32, Slow),
                range(96, 8, Unreadable),
                range(104, 24, NotRecorded),
            ],
            vec![
                Speed {
                    lba: 0,
                    kbps: 11_000.0,
                },
                Speed {
                    lba: 64,
                    kbps: 900.0,
                },
            ],
        );
        let svg = render(&r, PlotFormat::Svg, &PlotOptions::new("<disc> & drive")).unwrap();
        let svg = String::from_utf8(svg).unwrap();
        for mark in [
            r#"<rect class="slow" data-start="64" data-sectors="32""#,
            r#"<rect class="unreadable" data-start="96" data-sectors="8""#,
            r#"<rect class="not-recorded" data-start="104" data-sectors="24""#,
            "<title>unreadable: LBA 96-103 (8 sectors)</title>",
        ] {
            assert!(svg.contains(mark), "{mark} not in {svg}");
        }
        // The title is escaped, and without 1x the speed is in MB/s.
        assert!(svg.contains("&lt;disc&gt; &amp; drive"));
        assert!(svg.contains("read speed (MB/s)") && !svg.contains("read speed (x)"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn the_line_breaks_at_an_unreadable_range_and_keeps_each_slices_dip() {
        use SectorState::*;
        let r = report(
            vec![
                range(0, 64, Good),
                range(64, 32, Unreadable),
                range(96, 64, Good),
            ],
            vec![
                Speed {
                    lba: 0,
                    kbps: 100.0,
                },
                Speed {
                    lba: 32,
                    kbps: 90.0,
                },
                Speed {
                    lba: 96,
                    kbps: 80.0,
                },
                Speed {
                    lba: 128,
                    kbps: 70.0,
                },
            ],
        );
        assert_eq!(
            segments(&r, 1000),
            [
                vec![(0.0, 100.0), (32.0, 90.0)],
                vec![(96.0, 80.0), (128.0, 70.0)]
            ]
        );
        // One slice for the whole area: its lowest and highest point of each run, in order.
        let mut many = r.clone();
        many.speeds.insert(1, Speed { lba: 8, kbps: 10.0 });
        assert_eq!(
            segments(&many, 1),
            [
                vec![(0.0, 100.0), (8.0, 10.0)],
                vec![(96.0, 80.0), (128.0, 70.0)]
            ]
        );
    }
}
