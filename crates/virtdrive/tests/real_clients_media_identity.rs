//! Media identity as real programs read it, through `virtdrive run` and the preload shim at
//! `/dev/sr9`: dvd+rw-mediainfo prints "Media ID" (READ DISC STRUCTURE 11h on DVD+, 00h on
//! BD, after finding them in the format FFh list) and xorriso's `-toc` prints "Media
//! product" with the maker libburn looks up for it; on CD-R libburn names the maker from the
//! ATIP start of lead-in. `--media-id` replaces the medium's default.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;

use real_clients::{field, keep_transcripts, tool, transcript_path, virtdrive_run, Case, Outcome};

/// Runs `program args` against a blank `medium`, recording a transcript when `record` names
/// the case.
fn run_on(
    medium: &str,
    extra: &[&str],
    program: &Path,
    args: &[&str],
    record: Option<&str>,
) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let transcript = transcript_path(dir.path(), 1);
    let drive = format!("virt:{medium}");
    let mut vargs = vec!["--drive", drive.as_str()];
    let transcript_arg = transcript.display().to_string();
    if record.is_some() {
        vargs.extend(["--transcript", transcript_arg.as_str()]);
    }
    vargs.extend(extra);
    let out = virtdrive_run(dir.path(), &vargs, program, args);
    out.expect_code(0);
    if let Some(name) = record {
        let command = format!("{} {}", program.display(), args.join(" "));
        keep_transcripts(&Case {
            name,
            commands: &[command.as_str()],
            medium,
            fault_plan: None,
            runs: &[transcript],
        });
    }
    out
}

#[test]
fn dvd_plus_rw_mediainfo_prints_each_media_id() {
    let Some(mediainfo) = tool("dvd+rw-mediainfo", "dvd+rw-tools") else {
        return;
    };
    for (medium, id, case) in [
        ("dvd+r", "RICOHJPN/R03", "mediainfo-dvd-plus-r-media-id"),
        ("dvd+rw", "RICOHJPN/W11", "mediainfo-dvd-plus-rw-media-id"),
        ("bd-r", "VERBAT/IMe", "mediainfo-bd-r-media-id"),
        ("bd-re", "VERBAT/IM0", "mediainfo-bd-re-media-id"),
    ] {
        let out = run_on(medium, &[], &mediainfo, &["/dev/sr9"], Some(case));
        assert_eq!(
            field(&out.stdout, "Media ID:"),
            Some(id),
            "{medium}\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
}

#[test]
fn xorriso_names_the_media_product_and_its_maker() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    // libburn prints the DVD+ revision from ADIP byte 28, the media type's second
    // character: '0' (48) for R03, '1' (49) for W11 (libburn mmc.c, mmc_get_media_product_id).
    for (medium, product, maker, case) in [
        (
            "dvd+r",
            "RICOHJPN/R03/48",
            "Ricoh",
            "xorriso-toc-dvd-plus-r-media-product",
        ),
        (
            "dvd+rw",
            "RICOHJPN/W11/49",
            "Ricoh",
            "xorriso-toc-dvd-plus-rw-media-product",
        ),
        (
            "bd-r",
            "VERBAT/IMe/1",
            "Mitsubishi Kagaku",
            "xorriso-toc-bd-r-media-product",
        ),
        (
            "bd-re",
            "VERBAT/IM0/1",
            "Mitsubishi Kagaku",
            "xorriso-toc-bd-re-media-product",
        ),
        (
            "cd-r",
            "97m26s65f/79m59s74f",
            "CMC Magnetics",
            "xorriso-toc-cd-r-media-product",
        ),
    ] {
        let out = run_on(
            medium,
            &[],
            &xorriso,
            &["-outdev", "/dev/sr9", "-toc"],
            Some(case),
        );
        let line = field(&out.stdout, "Media product:").unwrap_or_default();
        let (id, name) = line.split_once(" , ").unwrap_or((line, ""));
        assert_eq!(id, product, "{medium}\n{}", out.stdout);
        assert!(name.contains(maker), "{medium}: {line:?}");
    }
}

#[test]
fn the_media_id_option_replaces_the_default() {
    let (Some(mediainfo), Some(xorriso)) = (
        tool("dvd+rw-mediainfo", "dvd+rw-tools"),
        tool("xorriso", "xorriso"),
    ) else {
        return;
    };
    let id = ["--media-id", "MCC/004/0"];
    let out = run_on("dvd+r", &id, &mediainfo, &["/dev/sr9"], None);
    assert_eq!(
        field(&out.stdout, "Media ID:"),
        Some("MCC/004"),
        "{}",
        out.stdout
    );
    let out = run_on(
        "bd-r",
        &id,
        &xorriso,
        &["-outdev", "/dev/sr9", "-toc"],
        None,
    );
    let line = field(&out.stdout, "Media product:").unwrap_or_default();
    assert!(line.starts_with("MCC/004/0 , "), "{line:?}");
}

/// A disc file keeps the identity it was made with: named in `virt:dvd+r/ID@FILE` for the
/// first run, dvd+rw-mediainfo still prints it when the file is used again without one.
#[test]
fn a_disc_file_keeps_the_media_id_it_was_made_with() {
    let Some(mediainfo) = tool("dvd+rw-mediainfo", "dvd+rw-tools") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    for drive in [
        format!("virt:dvd+r/ACMEDISC/X42/3@{}", disc.display()),
        format!("virt:dvd+r@{}", disc.display()),
    ] {
        let out = virtdrive_run(dir.path(), &["--drive", &drive], &mediainfo, &["/dev/sr9"]);
        out.expect_code(0);
        assert_eq!(
            field(&out.stdout, "Media ID:"),
            Some("ACMEDISC/X42"),
            "{drive}\n{}",
            out.stdout
        );
    }
}
