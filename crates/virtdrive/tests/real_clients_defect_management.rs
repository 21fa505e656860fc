//! Real programs, unmodified, on the media with spare areas and defect management through
//! `virtdrive run` at `/dev/sr9`: dvd+rw-mediainfo on DVD-RAM, BD-RE DL and BD-RE XL;
//! dvd+rw-format's full format, spare area expansion and quick reformats of a DVD-RAM; xorriso's `-format`
//! on DVD-RAM and BD-RE DL; xorriso's `-stream_recording on` on BD-RE and DVD-RAM, whose
//! WRITE (12) carry the Streaming bit, and the files read back. Each case keeps its
//! transcripts for transcripts_replay.rs.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;

use mmc_core::trace::{read_jsonl, TraceRecord};
use real_clients::{field, formatting_progress, make_tree, tool, Bench, Outcome};
use testkit::assert_rising;

fn all(out: &Outcome) -> String {
    format!("{}{}", out.stdout, out.stderr)
}

/// The commands of a bench's `n`th run (1 for the first).
fn commands(bench: &Bench, n: usize) -> Vec<TraceRecord> {
    let path = bench.path(&format!("run{n}.jsonl"));
    read_jsonl(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap()
}

/// The CDB bytes of a transcript record.
fn cdb(r: &TraceRecord) -> Vec<u8> {
    r.cdb
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// The progress the drive reported to the bench's `n`th run while it formatted.
fn progress(bench: &Bench, n: usize) -> Vec<u16> {
    formatting_progress(&bench.path(&format!("run{n}.jsonl")))
}

/// The data-out of each FORMAT UNIT of a run, as hex.
fn format_units(records: &[TraceRecord]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.command == "FORMAT UNIT")
        .filter_map(|r| r.data_out.clone())
        .collect()
}

#[test]
fn dvd_plus_rw_mediainfo_names_each_medium_with_its_capacities_and_spares() {
    let Some(mediainfo) = tool("dvd+rw-mediainfo", "dvd+rw-tools") else {
        return;
    };
    let mut bench = Bench::new("dvd-ram");
    let out = bench.run(&mediainfo, &["/dev/sr9"]);
    out.expect_code(0);
    let text = &out.stdout;
    assert_eq!(field(text, "Mounted Media:"), Some("12h, DVD-RAM"));
    // Defect management: the drive delivers half its 3x.
    assert_eq!(
        field(text, "Current Write Speed:"),
        Some("1.5x1385=2077KB/s")
    );
    assert_eq!(field(text, "Disc status:"), Some("other"));
    assert_eq!(field(text, "Primary SA:"), Some("12800/12800=100.0% free"));
    assert_eq!(
        field(text, "Supplementary SA:"),
        Some("58368/58368=100.0% free")
    );
    assert_eq!(field(text, "formatted:"), Some("2236704*2048=4580769792"));
    out.expect_line("00h(800):")
        .expect_line("2295072*2048=4700307456")
        .expect_line("2226976*2048=4560846848");
    assert_eq!(
        field(text, "READ CAPACITY:"),
        Some("2236704*2048=4580769792")
    );
    bench.keep("dvd+rw-mediainfo-dvd-ram");

    for (medium, sectors, default_user) in [
        ("bd-re-dl", 24_438_784u64, 23_652_352u64),
        ("bd-re-xl", 48_878_592, 47_698_944),
    ] {
        let mut bench = Bench::new(medium);
        let out = bench.run(&mediainfo, &["/dev/sr9"]);
        out.expect_code(0);
        assert_eq!(field(&out.stdout, "Mounted Media:"), Some("43h, BD-RE"));
        assert_eq!(
            field(&out.stdout, "unformatted:"),
            Some(format!("{sectors}*2048={}", sectors * 2048).as_str()),
            "{}",
            out.stdout
        );
        out.expect_line(&format!("{default_user}*2048={}", default_user * 2048));
        bench.keep(&format!("dvd+rw-mediainfo-{medium}"));
    }
}

#[test]
fn dvd_plus_rw_format_certifies_a_dvd_ram_and_grows_its_spare_area() {
    let (Some(format), Some(mediainfo)) = (
        tool("dvd+rw-format", "dvd+rw-tools"),
        tool("dvd+rw-mediainfo", "dvd+rw-tools"),
    ) else {
        return;
    };
    let mut bench = Bench::new("dvd-ram");
    // -format=full: FORMAT UNIT 00h with the default spare, certified (no DCRT).
    bench
        .run(&format, &["-format=full", "/dev/sr9"])
        .expect_code(0);
    assert_eq!(
        format_units(&commands(&bench, 1)),
        vec!["00 82 00 08 00 22 21 20 00 00 08 00"]
    );
    assert_rising(&progress(&bench, 1));
    // -ssa=max: FORMAT UNIT 01h to the smallest capacity offered.
    bench.run(&format, &["-ssa=max", "/dev/sr9"]).expect_code(0);
    assert_eq!(
        format_units(&commands(&bench, 2)),
        vec!["00 82 00 08 00 21 D5 20 04 00 08 00"]
    );
    // Expanding the spare area certifies nothing: dvd+rw-format polls twice.
    let expansion = progress(&bench, 2);
    assert!(
        expansion.len() >= 2 && expansion.windows(2).all(|w| w[0] < w[1]),
        "the progress rises: {expansion:?}"
    );
    let out = bench.run(&mediainfo, &["/dev/sr9"]);
    out.expect_code(0);
    assert_eq!(
        field(&out.stdout, "formatted:"),
        Some("2217248*2048=4540923904")
    );
    assert_eq!(
        field(&out.stdout, "Supplementary SA:"),
        Some("77824/77824=100.0% free")
    );
    // -ssa=none and -ssa=default: a quick 00h format (DCRT), sent as the two CDB bytes 04 19
    // (CmpList), which reach the drive as a whole FORMAT UNIT.
    for (ssa, run, formatted) in [
        ("-ssa=none", 4, "2295072*2048=4700307456"),
        ("-ssa=default", 6, "2236704*2048=4580769792"),
    ] {
        bench.run(&format, &[ssa, "/dev/sr9"]).expect_code(0);
        let formats: Vec<TraceRecord> = commands(&bench, run)
            .into_iter()
            .filter(|r| r.command == "FORMAT UNIT")
            .collect();
        assert_eq!(formats.len(), 1, "{ssa}");
        assert_eq!(cdb(&formats[0]), [0x04, 0x19, 0, 0, 0, 0], "{ssa}");
        assert_rising(&progress(&bench, run));
        let out = bench.run(&mediainfo, &["/dev/sr9"]);
        out.expect_code(0);
        assert_eq!(field(&out.stdout, "formatted:"), Some(formatted), "{ssa}");
    }
    bench.keep("dvd+rw-format-dvd-ram");
}

#[test]
fn xorriso_formats_a_dvd_ram_and_a_bd_re_dl() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    // DVD-RAM: sold formatted, so as_needed does nothing; full reformats with 00h.
    let mut bench = Bench::new("dvd-ram");
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"]);
    out.expect_code(0);
    assert!(all(&out).contains("no need for action"), "{}", all(&out));
    assert!(format_units(&commands(&bench, 1)).is_empty());
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-format", "full"]);
    out.expect_code(0);
    assert_eq!(
        format_units(&commands(&bench, 2)),
        vec!["00 82 00 08 00 22 21 20 00 00 08 00"]
    );
    assert_rising(&progress(&bench, 2));
    assert!(
        all(&out).contains("Media current: DVD-RAM"),
        "{}",
        all(&out)
    );
    bench.keep("xorriso-format-dvd-ram");

    // BD-RE DL: unformatted, so as_needed formats (00h, the default spare of both layers);
    // full certifies (30h, sub-type 10b).
    let mut bench = Bench::new("bd-re-dl");
    bench
        .run(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"])
        .expect_code(0);
    assert_eq!(
        format_units(&commands(&bench, 1)),
        vec!["00 82 00 08 01 68 E8 00 00 00 08 00"]
    );
    assert_rising(&progress(&bench, 1));
    bench
        .run(&xorriso, &["-outdev", "/dev/sr9", "-format", "full"])
        .expect_code(0);
    assert_eq!(
        format_units(&commands(&bench, 2)),
        vec!["00 82 00 08 01 68 E8 00 C2 00 60 00"]
    );
    // Expanding the spare area certifies nothing: dvd+rw-format polls twice.
    let expansion = progress(&bench, 2);
    assert!(
        expansion.len() >= 2 && expansion.windows(2).all(|w| w[0] < w[1]),
        "the progress rises: {expansion:?}"
    );
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-list_formats"]);
    out.expect_code(0);
    out.expect_line("Format status: formatted");
    bench.keep("xorriso-format-bd-re-dl");
}

/// `-stream_recording on`: xorriso writes with WRITE (12) and the Streaming bit (CDB byte 10
/// bit 7), which the drive records without defect management; the files read back.
fn stream_record(medium: &str, profile: &str, format_first: bool) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new(medium);
    let tree = bench.path("tree");
    let files = vec![
        ("streamed.txt", b"written past defect management\n".to_vec()),
        (
            "data/bytes.bin",
            (0..=255u8).cycle().take(300_000).collect::<Vec<u8>>(),
        ),
    ];
    make_tree(&tree, &files);
    if format_first {
        bench
            .run(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"])
            .expect_code(0);
    }
    let out = bench.run(
        &xorriso,
        &[
            "-outdev",
            "/dev/sr9",
            "-stream_recording",
            "on",
            "-map",
            tree.to_str().unwrap(),
            "/",
            "-commit",
        ],
    );
    out.expect_code(0);
    assert!(
        all(&out).contains(&format!("Media current: {profile}")),
        "{}",
        all(&out)
    );
    let run = if format_first { 2 } else { 1 };
    let writes: Vec<Vec<u8>> = commands(&bench, run)
        .iter()
        .filter(|r| r.command.starts_with("WRITE"))
        .map(cdb)
        .collect();
    assert!(
        writes.iter().any(|c| c[0] == 0xAA && c[10] & 0x80 != 0),
        "WRITE (12) with the Streaming bit: {writes:02X?}"
    );
    let extracted = bench.path("extracted");
    let out = bench.run(
        &xorriso,
        &[
            "-osirrox",
            "on",
            "-indev",
            "/dev/sr9",
            "-extract",
            "/",
            extracted.to_str().unwrap(),
        ],
    );
    out.expect_code(0);
    for (name, data) in &files {
        let got = std::fs::read(Path::new(&extracted).join(name)).unwrap();
        assert!(&got == data, "/{name} reads back equal to the original");
    }
    bench.keep(&format!("xorriso-stream-recording-{medium}"));
}

#[test]
fn xorriso_stream_recording_on_bd_re_writes_with_the_streaming_bit() {
    stream_record("bd-re", "BD-RE", true);
}

#[test]
fn xorriso_stream_recording_on_dvd_ram_writes_with_the_streaming_bit() {
    stream_record("dvd-ram", "DVD-RAM", false);
}
