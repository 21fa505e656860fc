//! xorriso `-blank as_needed` through `virtdrive run` on every erasable medium that is not a
//! CD-RW (real_clients_cd_rw.rs has that one). On the overwritable media (DVD-RAM, BD-RE,
//! BD-RE DL, DVD-RW in Restricted Overwrite) there is nothing for the drive to blank: libburn
//! writes the first 64 KiB again, 32 KiB of zeros and an ISO 9660 volume descriptor set whose
//! identifiers read "CDXX1" instead of "CD001", so no program finds the image any more. On a
//! Sequential DVD-RW it sends BLANK (full) and polls the drive's progress. Each disc then
//! reads as blank to xorriso `-toc` and takes a new image, which reads back; the runs are kept
//! as transcripts.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;

use real_clients::{
    assert_printed_progress, blanking_progress, cdbs_of, make_tree, read_disc, tool, Bench, Outcome,
};
use testkit::assert_rising;

/// The bytes of a DVD or BD sector.
const BLOCK: usize = 2048;

/// What a run printed, both streams.
fn said(out: &Outcome) -> String {
    format!("{}{}", out.expect_code(0).stdout, out.stderr)
}

/// Writes the tree `name` (one file, `name.txt`) as a new image with xorriso.
fn write_image(bench: &mut Bench, xorriso: &Path, name: &str) -> Vec<u8> {
    let contents = format!("{name}: written after blanking\n").into_bytes();
    make_tree(
        &bench.path(name),
        &[(&format!("{name}.txt"), contents.clone())],
    );
    let out = bench.run(
        xorriso,
        &["-outdev", "/dev/sr9", "-map", name, "/", "-commit"],
    );
    let all = said(&out);
    assert!(all.contains("Writing to"), "{all}");
    contents
}

/// The files xorriso extracts from the disc into `into`.
fn extract(bench: &mut Bench, xorriso: &Path, into: &str) -> Vec<String> {
    bench
        .run(
            xorriso,
            &[
                "-osirrox", "on", "-indev", "/dev/sr9", "-extract", "/", into,
            ],
        )
        .expect_code(0);
    let mut names: Vec<String> = std::fs::read_dir(bench.path(into))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// xorriso's `-toc` says the disc is blank.
#[track_caller]
fn reads_as_blank(bench: &mut Bench, xorriso: &Path) {
    let out = bench.run(xorriso, &["-outdev", "/dev/sr9", "-toc"]);
    let all = said(&out);
    assert!(all.contains("Media status : is blank"), "{all}");
}

/// An image written on the overwritable `medium` (formatted first when `format_first`), blanked
/// with `-blank as_needed`: xorriso writes the first 64 KiB (WRITE at LBA 0 and 16, no BLANK
/// and no FORMAT UNIT), the first 16 blocks read back as zeros and the volume descriptor at
/// LBA 16 is no longer ISO 9660's; the disc reads as blank and takes a new image.
/// The runs are kept as case `xorriso-blank-as-needed-CASE`.
fn blank_as_needed_on_overwritable(medium: &str, current: &str, format_first: bool, case: &str) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new(medium);
    if format_first {
        bench
            .run(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"])
            .expect_code(0);
    }
    write_image(&mut bench, &xorriso, "first");

    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-blank", "as_needed"]);
    let all = said(&out);
    assert!(all.contains(&format!("Media current: {current}")), "{all}");
    assert!(
        all.contains("Beginning to blank medium in mode 'fast'"),
        "{all}"
    );
    assert!(all.contains("Media status : is blank"), "{all}");
    let blank_run = bench.path(&format!("run{}.jsonl", if format_first { 3 } else { 2 }));
    assert!(cdbs_of(&blank_run, "BLANK").is_empty(), "nothing to BLANK");
    assert!(cdbs_of(&blank_run, "FORMAT UNIT").is_empty(), "no format");
    let lbas: Vec<Vec<u8>> = cdbs_of(&blank_run, "WRITE (10)")
        .iter()
        .map(|c| c.get(2..6).unwrap_or_default().to_vec())
        .collect();
    assert_eq!(lbas, [[0, 0, 0, 0], [0, 0, 0, 16]], "the first 64 KiB");

    let start = read_disc(bench.dir.path(), &bench.drive, 17, 0);
    let (system_area, descriptor) = start.split_at(16 * BLOCK);
    assert!(
        system_area.iter().all(|&b| b == 0),
        "the system area reads as zeros"
    );
    assert_eq!(
        descriptor.get(1..6),
        Some(&b"CDXX1"[..]),
        "the primary volume descriptor is invalidated"
    );
    reads_as_blank(&mut bench, &xorriso);

    let second = write_image(&mut bench, &xorriso, "second");
    assert_eq!(extract(&mut bench, &xorriso, "out"), ["second.txt"]);
    assert!(std::fs::read(bench.path("out/second.txt")).unwrap() == second);
    bench.keep(&format!("xorriso-blank-as-needed-{case}"));
}

#[test]
fn xorriso_blank_as_needed_invalidates_the_image_on_a_dvd_ram() {
    blank_as_needed_on_overwritable("dvd-ram", "DVD-RAM", false, "dvd-ram");
}

#[test]
fn xorriso_blank_as_needed_invalidates_the_image_on_a_bd_re() {
    blank_as_needed_on_overwritable("bd-re", "BD-RE", true, "bd-re");
}

#[test]
fn xorriso_blank_as_needed_invalidates_the_image_on_a_bd_re_dl() {
    blank_as_needed_on_overwritable("bd-re-dl", "BD-RE", true, "bd-re-dl");
}

/// A DVD-RW fully formatted to Restricted Overwrite by `-format as_needed` is overwritable:
/// blanking it is the same invalidation.
#[test]
fn xorriso_blank_as_needed_invalidates_the_image_on_a_restricted_overwrite_dvd_rw() {
    blank_as_needed_on_overwritable(
        "dvd-rw",
        "DVD-RW restricted overwrite",
        true,
        "restricted-overwrite-dvd-rw",
    );
}

/// On a Sequential DVD-RW holding an image, `-blank as_needed` blanks fully (BLANK 000b: xorriso
/// turns its "fast" into "all" there, a minimally blanked DVD-RW taking one session only), the
/// drive's progress and xorriso's percentage rising; the blank disc takes a new image.
#[test]
fn xorriso_blank_as_needed_then_a_write_on_a_sequential_dvd_rw() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new("dvd-rw");
    write_image(&mut bench, &xorriso, "first");
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-blank", "as_needed"]);
    let all = said(&out);
    assert!(
        all.contains("Media current: DVD-RW sequential recording"),
        "{all}"
    );
    assert!(all.contains("Mode 'fast' defaulted to mode 'all'"), "{all}");
    assert!(all.contains("Media status : is blank"), "{all}");
    assert_printed_progress(&all, "xorriso");
    let blank_run = bench.path("run2.jsonl");
    let types: Vec<u8> = cdbs_of(&blank_run, "BLANK")
        .iter()
        .filter_map(|c| Some(c.get(1)? & 0x07))
        .collect();
    assert_eq!(types, [0b000], "a full blank");
    assert_rising(&blanking_progress(&blank_run));
    reads_as_blank(&mut bench, &xorriso);

    let second = write_image(&mut bench, &xorriso, "second");
    assert_eq!(extract(&mut bench, &xorriso, "out"), ["second.txt"]);
    assert!(std::fs::read(bench.path("out/second.txt")).unwrap() == second);
    bench.keep("xorriso-blank-as-needed-sequential-dvd-rw");
}
