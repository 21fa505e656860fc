//! The command on the virtual DVD-RAM, BD-RE DL and BD-RE XL, as a user tries it: `format
//! --spares SIZE|default|none` (DVD-RAM: FORMAT UNIT 00h with or without the supplementary
//! spare area, 01h to grow it), `info` (capacities with and without spares, defect
//! management, speeds), `write` and `read` back, `write --defect-management off`. Each
//! option with a valid and an invalid value.

mod common;

use common::{disc_info_json, discwriter, ok, read_session};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
/// DVD-RAM user sectors: as sold (the default supplementary spare area of 58,368 sectors),
/// and without a supplementary spare area.
const SOLD: u64 = 2_236_704;
const WITHOUT_SSA: u64 = 2_295_072;
/// One step of spare area expansion (format 01h), in sectors.
const STEP: u64 = 9_728;

/// A disc file of `medium` in `dir` (created by the first write or format).
fn spec(dir: &std::path::Path, medium: &str) -> String {
    format!("virt:{medium}@{}", dir.join(medium).display())
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn format(drive: &str, spares: Option<&str>, home: &std::path::Path) -> std::process::Output {
    let mut args = vec!["format", "--drive", drive];
    if let Some(s) = spares {
        args.extend(["--spares", s]);
    }
    discwriter(&args, home)
}

/// Writes the sample image, reads it back and compares.
fn write_and_read_back(drive: &str, extra: &[&str], home: &std::path::Path) {
    let mut args = vec!["write", SAMPLE, "--drive", drive, "--overwrite"];
    args.extend_from_slice(extra);
    ok(discwriter(&args, home), "write");
    let back = read_session(drive, home, None);
    let sample = std::fs::read(SAMPLE).unwrap();
    assert_eq!(back.len(), sample.len(), "{drive}");
    assert!(back == sample, "{drive}: the image read back differs");
}

#[test]
fn info_on_a_dvd_ram_reports_spares_defect_management_and_speeds() {
    let dir = tempfile::tempdir().unwrap();
    // A new disc, as sold.
    let drive = "virt:dvd-ram";
    let info = disc_info_json(drive, dir.path());
    assert_eq!(info["total_sectors"], SOLD, "{info}");
    let dm = &info["defect_management"];
    assert_eq!(dm["available"], true, "{info}");
    assert_eq!(dm["on"], true, "{info}");
    assert_eq!(dm["capacity_with_spares"], SOLD, "{info}");
    assert_eq!(dm["capacity_without_spares"], WITHOUT_SSA, "{info}");
    // 3x, halved while the drive verifies.
    assert_eq!(dm["streaming_write_kbps"], 3 * 1385, "{info}");
    assert_eq!(dm["write_kbps"], 3 * 1385 / 2, "{info}");
    let text = String::from_utf8_lossy(
        &ok(discwriter(&["info", "--drive", drive], dir.path()), "info").stdout,
    )
    .into_owned();
    assert!(text.contains("Defect management: on"), "{text}");
    assert!(text.contains("2295072 without"), "{text}");
}

#[test]
fn format_spares_on_a_dvd_ram_sets_the_supplementary_spare_area() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "dvd-ram");
    // none: format 00h without a supplementary spare area, the whole disc for data.
    ok(format(&drive, Some("none"), dir.path()), "--spares none");
    let info = disc_info_json(&drive, dir.path());
    assert_eq!(info["total_sectors"], WITHOUT_SSA, "{info}");
    assert_eq!(info["defect_management"]["capacity_with_spares"], SOLD);
    // default: 00h with the default one.
    ok(
        format(&drive, Some("default"), dir.path()),
        "--spares default",
    );
    assert_eq!(disc_info_json(&drive, dir.path())["total_sectors"], SOLD);
    // Larger than now: spare area expansion (01h), which keeps the data.
    write_and_read_back(&drive, &[], dir.path());
    let two_steps = (58_368 + 2 * STEP).to_string();
    ok(format(&drive, Some(&two_steps), dir.path()), "expansion");
    let info = disc_info_json(&drive, dir.path());
    assert_eq!(
        info["total_sectors"],
        WITHOUT_SSA - 58_368 - 2 * STEP,
        "{info}"
    );
    let back = read_session(&drive, dir.path(), None);
    assert!(back == std::fs::read(SAMPLE).unwrap(), "data kept by 01h");
    // A plain format: the default, as sold.
    ok(format(&drive, None, dir.path()), "format");
    assert_eq!(disc_info_json(&drive, dir.path())["total_sectors"], SOLD);
}

#[test]
fn a_spare_size_no_dvd_ram_format_offers_is_refused_naming_the_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "dvd-ram");
    let o = format(&drive, Some("1000"), dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    // The default, and one or two steps of expansion from it.
    assert!(err.contains("58368, 68096, 77824 sectors"), "{err}");
    assert!(err.contains("E_INVALIDARG"), "{err}");
    let o = format(&drive, Some("-3"), dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_dvd_ram_is_written_and_read_back_with_and_without_defect_management() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "dvd-ram");
    write_and_read_back(&drive, &[], dir.path());
    write_and_read_back(&drive, &["--defect-management", "off"], dir.path());
}

#[test]
fn bd_re_dl_and_xl_are_formatted_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    // (medium, sectors without spares, layers).
    for (medium, whole, layers) in [("bd-re-dl", 24_438_784u64, 2), ("bd-re-xl", 48_878_592, 3)] {
        let drive = spec(dir.path(), medium);
        let info = disc_info_json(&format!("virt:{medium}"), dir.path());
        assert_eq!(info["defect_management"]["capacity_without_spares"], whole);
        // The default spare areas, ISA0 and OSA on every layer: 12,288 clusters a layer.
        let default_spare = 12_288 * 32 * layers;
        ok(format(&drive, Some("default"), dir.path()), medium);
        let info = disc_info_json(&drive, dir.path());
        assert_eq!(info["total_sectors"], whole - default_spare, "{info}");
        assert_eq!(info["defect_management"]["on"], true, "{info}");
        // ISA0 alone on every layer.
        let smallest = (4096 * 32 * layers).to_string();
        ok(format(&drive, Some(&smallest), dir.path()), medium);
        let info = disc_info_json(&drive, dir.path());
        assert_eq!(info["total_sectors"], whole - 4096 * 32 * layers, "{info}");
        let o = format(&drive, Some("4096"), dir.path());
        assert_eq!(o.status.code(), Some(1), "{medium}: {}", stderr(&o));
        ok(format(&drive, Some("none"), dir.path()), medium);
        let info = disc_info_json(&drive, dir.path());
        assert_eq!(info["total_sectors"], whole, "{info}");
        assert_eq!(info["defect_management"]["on"], false, "{info}");
        write_and_read_back(&drive, &[], dir.path());
        ok(format(&drive, Some("default"), dir.path()), medium);
        write_and_read_back(&drive, &["--defect-management", "off"], dir.path());
    }
}

#[test]
fn defective_sectors_are_spared_with_defect_management_and_named_without() {
    let dir = tempfile::tempdir().unwrap();
    let drive = spec(dir.path(), "dvd-ram");
    let image = dir.path().join("image.bin");
    std::fs::write(&image, common::image(5000, 1)).unwrap();
    let plan = common::fixture("fault-plans/defective-sectors.json");
    let write = |dm: &str| {
        discwriter(
            &[
                "write",
                image.to_str().unwrap(),
                "--drive",
                &drive,
                "--overwrite",
                "--defect-management",
                dm,
                "--fault-plan",
                plan.to_str().unwrap(),
            ],
            dir.path(),
        )
    };
    ok(write("on"), "write over defective sectors, spared");
    let o = write("off");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("at LBA 4100"), "{err}");
    assert!(
        err.contains("E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE, 0xC0AA0301"),
        "{err}"
    );
}
