//! xorriso (libburn, libisofs), unmodified, burns a file tree onto the emulator's BD-RE,
//! DVD+RW, CD-R, DVD-R and BD-R XL at `/dev/sr9` through `virtdrive run`, adds a second
//! session in a second run (a real one on CD-R, DVD-R and BD-R XL, xorriso's multi-session
//! emulation on the overwritable discs),
//! lists the sessions with `-toc`, and extracts the files back through the emulator.
//!
//! Every run asserts that xorriso saw the emulator's vendor and product: given a path it
//! does not take for a drive, xorriso silently writes to a file-backed pseudo drive
//! ("YOYODYNE" "WARP DRIVE"), which must never pass for a burn.
#![cfg(target_os = "linux")]

mod real_clients;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use real_clients::{tool, virtdrive_run, Bench, Outcome, PRODUCT, VENDOR};

/// The pseudo drive xorriso falls back to for a plain file.
const PSEUDO_DRIVE: &str = "YOYODYNE";

/// Orange Book multi-session geometry (the figures of libburn's cookbook): after the first
/// session come its 6,750-block lead-out, the next session's 4,500-block lead-in and the
/// 150-block pre-gap of its first track.
const SECOND_SESSION_GAP: u64 = 6_750 + 4_500 + 150;

/// The border zone after a DVD-R's first session (INF: see medium/sequential/dvd_minus_r.rs).
const DVD_R_FIRST_BORDER: u64 = 16_384;

/// The files of a tree: relative path and contents.
type Tree = BTreeMap<PathBuf, Vec<u8>>;

/// Deterministic bytes (xorshift64*), so every run burns the same tree.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let word = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Numbered text lines, as a log or a listing holds.
fn text(name: &str, lines: usize) -> Vec<u8> {
    (0..lines)
        .map(|n| format!("{name} line {n:05}: the quick brown fox jumps over the lazy dog\n"))
        .collect::<String>()
        .into_bytes()
}

/// The first session's tree: a few hundred KB in files of odd sizes, one empty, some in a
/// subdirectory two levels deep.
fn first_tree() -> Tree {
    [
        ("README.txt", text("README", 150)),
        ("empty", Vec::new()),
        ("data/a.bin", noise(1, 40_000)),
        ("data/b.txt", text("b.txt", 1_200)),
        ("data/nested/c.bin", noise(3, 33_333)),
    ]
    .into_iter()
    .map(|(p, c)| (PathBuf::from(p), c))
    .collect()
}

/// What the second CD-R session adds, under `/second`.
fn second_tree() -> Tree {
    [
        ("added.txt", text("added", 300)),
        ("z.bin", noise(7, 5_000)),
    ]
    .into_iter()
    .map(|(p, c)| (PathBuf::from(p), c))
    .collect()
}

fn write_tree(root: &Path, tree: &Tree) {
    for (path, contents) in tree {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, contents).unwrap();
    }
}

/// Every regular file under `root`, with its contents.
fn read_tree(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, tree: &mut Tree) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, tree);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                tree.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut tree = Tree::new();
    walk(root, root, &mut tree);
    tree
}

/// Asserts that `out` shows the emulator as the drive (from `-toc`), not the pseudo drive.
fn assert_emulated_drive(out: &Outcome) {
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(&format!("vendor '{VENDOR}' product '{PRODUCT}'")),
        "xorriso did not see the emulator as its drive:\n{all}"
    );
    assert!(!all.contains(PSEUDO_DRIVE), "a pseudo drive:\n{all}");
}

/// The number after `label` on xorriso's result line holding it (`"Written to medium : 367
/// sectors at LBA 0"` with `"Written to medium :"` gives 367).
fn number_after(text: &str, label: &str) -> u64 {
    let rest = text
        .lines()
        .find_map(|l| l.split_once(label).map(|(_, v)| v))
        .unwrap_or_else(|| panic!("no {label:?} in\n{text}"));
    rest.split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no number after {label:?} in {rest:?}"))
}

/// `(index, start, size)` of each `ISO session` line of `-toc`.
fn iso_sessions(toc: &str) -> Vec<(u64, u64, u64)> {
    toc.lines()
        .filter_map(|l| l.strip_prefix("ISO session  :"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].trim_end_matches('s').parse().unwrap(),
            )
        })
        .collect()
}

/// xorriso maps `tree` to `dest` on the disc, commits a session and shows the TOC.
fn commit_tree(bench: &mut Bench, xorriso: &Path, tree: &Path, dest: &str) -> Outcome {
    let tree = tree.to_str().unwrap();
    bench.run(
        xorriso,
        &["-dev", "/dev/sr9", "-map", tree, dest, "-commit", "-toc"],
    )
}

/// A new xorriso shows the TOC and extracts the whole disc into `extracted`.
fn extract_disc(bench: &mut Bench, xorriso: &Path, extracted: &Path) -> Outcome {
    let out = bench.run(
        xorriso,
        &[
            "-osirrox",
            "on",
            "-indev",
            "/dev/sr9",
            "-toc",
            "-extract",
            "/",
            extracted.to_str().unwrap(),
        ],
    );
    out.expect_code(0);
    assert_emulated_drive(&out);
    out
}

/// `extracted` holds the first tree at its root and the second under `second/`.
fn assert_both_trees(extracted: &Path) {
    let mut expected = first_tree();
    for (path, contents) in second_tree() {
        expected.insert(Path::new("second").join(path), contents);
    }
    let got = read_tree(extracted);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(got == expected, "the extracted contents differ");
}

/// Burns the first tree, adds the second as a new session, then checks `-toc` and the
/// extracted files. On an overwritable disc there are no sessions in the drive's sense:
/// xorriso writes each image after the last and rewrites the volume descriptors at LBA 0-31
/// to point at the newest one, so the emulator must overwrite those blocks in place.
fn burn_two_sessions_and_extract(medium: &str, profile: &str) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new(medium);
    let tree = bench.path("tree");
    let added = bench.path("added");
    write_tree(&tree, &first_tree());
    write_tree(&added, &second_tree());

    let out = commit_tree(&mut bench, &xorriso, &tree, "/");
    out.expect_code(0);
    assert_emulated_drive(&out);
    let first = format!("{}{}", out.stdout, out.stderr);
    assert!(
        first.contains(&format!("Media current: {profile}")),
        "{first}"
    );
    assert!(
        first.contains("Writing to '/dev/sr9' completed successfully."),
        "{first}"
    );
    let first_image = number_after(&first, "ISO image produced:");
    let first_start = number_after(&first, "sectors at LBA");

    // A new xorriso loads the first session from the disc kept in the file and adds to it.
    let out = commit_tree(&mut bench, &xorriso, &added, "/second");
    out.expect_code(0);
    assert_emulated_drive(&out);
    let second = format!("{}{}", out.stdout, out.stderr);
    // It reads the tree through the copy of the volume descriptors at LBA 0.
    assert!(
        second.contains("Loading ISO image tree from LBA 0"),
        "{second}"
    );
    let second_image = number_after(&second, "ISO image produced:");
    let second_start = number_after(&second, "sectors at LBA");
    assert!(second_start >= first_start + first_image, "{second}");

    // A third run finds both sessions through the rewritten descriptors at LBA 0.
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-toc"]);
    out.expect_code(0);
    assert_emulated_drive(&out);
    assert_eq!(
        iso_sessions(&out.stdout),
        vec![
            (1, first_start, first_image),
            (2, second_start, second_image)
        ],
        "{}",
        out.stdout
    );
    out.expect_line("Media summary: 2 sessions");

    let extracted = bench.path("extracted");
    extract_disc(&mut bench, &xorriso, &extracted);
    assert_both_trees(&extracted);

    bench.keep(&format!("xorriso-{medium}"));
}

#[test]
fn xorriso_burns_two_sessions_onto_bd_re_and_extracts_them() {
    burn_two_sessions_and_extract("bd-re", "BD-RE");
}

#[test]
fn xorriso_burns_two_sessions_onto_dvd_plus_rw_and_extracts_them() {
    burn_two_sessions_and_extract("dvd+rw", "DVD+RW");
}

/// A write-once disc of `medium` (`media_current` as xorriso names it): the first run burns the
/// first tree as a session and leaves the disc appendable; the second loads its tree and adds
/// a session where `second_start` puts it after the first track's end; `-toc` lists both
/// sessions (and, where given, the disc's `overall` capacity); extracting loads the newest
/// session, whose tree holds both sessions' files.
fn append_a_second_session(
    medium: &str,
    media_current: &str,
    second_start: impl Fn(u64) -> u64,
    overall: Option<u64>,
) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new(medium);
    let tree = bench.path("tree");
    let added = bench.path("added");
    write_tree(&tree, &first_tree());
    write_tree(&added, &second_tree());

    let out = commit_tree(&mut bench, &xorriso, &tree, "/");
    out.expect_code(0);
    assert_emulated_drive(&out);
    let first = format!("{}{}", out.stdout, out.stderr);
    assert!(
        first.contains(&format!("Media current: {media_current}")),
        "{first}"
    );
    let first_image = number_after(&first, "ISO image produced:");
    // The track as written: the image and xorriso's padding, at LBA 0.
    let first_track = number_after(&first, "Written to medium :");
    assert!(
        first.contains(&format!("{first_track} sectors at LBA 0")),
        "{first}"
    );
    assert!(
        first.contains("Media status : is written , is appendable"),
        "{first}"
    );

    // The second run loads the first session's tree and adds to it.
    let out = commit_tree(&mut bench, &xorriso, &added, "/second");
    out.expect_code(0);
    assert_emulated_drive(&out);
    let second = format!("{}{}", out.stdout, out.stderr);
    assert!(
        second.contains("Loading ISO image tree from LBA 0"),
        "{second}"
    );
    let second_image = number_after(&second, "ISO image produced:");
    let second_start = second_start(first_track);
    assert!(
        second.contains(&format!("at LBA {second_start}")),
        "the second session is not at {second_start}:\n{second}"
    );

    // A third run sees both sessions.
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-toc"]);
    out.expect_code(0);
    assert_emulated_drive(&out);
    assert_eq!(
        iso_sessions(&out.stdout),
        vec![(1, 0, first_image), (2, second_start, second_image)],
        "{}",
        out.stdout
    );
    out.expect_line("Media summary: 2 sessions")
        .expect_line("Media status : is written , is appendable");
    if let Some(overall) = overall {
        out.expect_line(&format!("{overall} overall"));
    }

    // Extracting loads the newest session, whose tree holds both sessions' files.
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
            "-toc",
        ],
    );
    out.expect_code(0);
    assert_emulated_drive(&out);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(&format!("Loading ISO image tree from LBA {second_start}")),
        "{all}"
    );
    assert_both_trees(&extracted);

    bench.keep(&format!("xorriso-{medium}"));
}

#[test]
fn xorriso_appends_a_second_session_to_a_cd_r_and_extracts_both() {
    // libburn writes the first session of a blank CD-R in SAO (its size is known), so no
    // run-out follows it: the second session starts the Orange Book gap after its end.
    append_a_second_session("cd-r", "CD-R", |end| end + SECOND_SESSION_GAP, None);
}

/// DVD-R: xorriso records Incrementally (feature 0021h current) and keeps the disc
/// appendable; the second session starts after the first session's last ECC block and its
/// border zone.
#[test]
fn xorriso_appends_a_second_session_to_a_dvd_minus_r_and_extracts_both() {
    append_a_second_session(
        "dvd-r",
        "DVD-R sequential recording",
        |end| end.div_ceil(16) * 16 + DVD_R_FIRST_BORDER,
        Some(2_298_496),
    );
}

/// `-list_formats` on a blank BD-R: unformatted with its whole capacity, then the format
/// descriptors of READ FORMAT CAPACITIES as libburn lists them (format 00h with the default
/// spare areas, 32h with the default, the largest and the smallest spare).
#[test]
fn xorriso_lists_the_formats_of_a_blank_bd_r() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new("bd-r");
    let out = bench.run(&xorriso, &["-dev", "/dev/sr9", "-toc", "-list_formats"]);
    out.expect_code(0);
    assert_emulated_drive(&out);
    out.expect_line("Format status: unformatted, up to 23866.0 MiB")
        .expect_line("Format idx 0 : 00h , 11826176s , 23098.0 MiB")
        .expect_line("Format idx 1 : 32h , 11826176s , 23098.0 MiB")
        .expect_line("Format idx 2 : 32h , 11564032s , 22586.0 MiB")
        .expect_line("Format idx 3 : 32h , 12088320s , 23610.0 MiB");
    bench.keep("xorriso-list-formats-bd-r");
}

/// Burns the first tree onto a blank BD-R, formatted first with `format` (xorriso's
/// `-format` argument) or not formatted at all, then checks the capacity a second run
/// reports and extracts the files back.
fn burn_bd_r(format: Option<&str>, overall: u64, case: &str) {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let mut bench = Bench::new("bd-r");
    let tree = bench.path("tree");
    write_tree(&tree, &first_tree());
    let mut args = vec!["-dev", "/dev/sr9"];
    if let Some(format) = format {
        args.extend(["-format", format]);
    }
    args.extend(["-map", tree.to_str().unwrap(), "/", "-commit", "-toc"]);
    let out = bench.run(&xorriso, &args);
    out.expect_code(0);
    assert_emulated_drive(&out);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("Writing to '/dev/sr9' completed successfully."),
        "{all}"
    );

    let extracted = bench.path("extracted");
    let out = extract_disc(&mut bench, &xorriso, &extracted);
    out.expect_line("Media current: BD-R sequential recording")
        .expect_line("Media status : is written , is appendable");
    assert_eq!(
        number_after(&out.stdout, "writable ,"),
        overall,
        "{}",
        out.stdout
    );
    assert_eq!(read_tree(&extracted), first_tree());
    bench.keep(case);
}

/// `-format by_index_3`: the 32h descriptor with the smallest spare (ISA0 alone); the disc
/// then holds 12,088,320 sectors.
#[test]
fn xorriso_formats_a_bd_r_by_index_and_burns_it() {
    burn_bd_r(Some("by_index_3"), 12_088_320, "xorriso-format-bd-r");
}

/// `-format as_needed` formats a blank BD-R with the default spare areas (format 00h).
#[test]
fn xorriso_formats_a_bd_r_as_needed_and_burns_it() {
    burn_bd_r(
        Some("as_needed"),
        11_826_176,
        "xorriso-format-as-needed-bd-r",
    );
}

/// Without `-format` libburn writes a blank BD-R as it is: SRM without spare areas, the
/// whole 12,219,392 sectors.
#[test]
fn xorriso_burns_an_unformatted_bd_r() {
    burn_bd_r(None, 12_219_392, "xorriso-bd-r");
}

/// `-list_speeds` (libburn asks GET PERFORMANCE with 0 descriptors first and sizes its
/// buffer from the data length) lists the read speed and every write speed of a DVD+R:
/// 16x, 8x and 4x of 1,385 kB/s.
#[test]
fn xorriso_lists_the_read_and_write_speeds_of_a_dvd_plus_r() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = virtdrive_run(
        dir.path(),
        &["--drive", "virt:dvd+r"],
        &xorriso,
        &["-outdev", "/dev/sr9", "-list_speeds"],
    );
    out.expect_code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    let listed = |label: &str| -> Vec<u64> {
        all.lines()
            .filter_map(|l| l.strip_prefix(label))
            .filter_map(|v| v.trim().split('k').next()?.trim().parse().ok())
            .collect()
    };
    assert_eq!(listed("Read speed   :"), vec![22_160], "{all}");
    assert_eq!(
        listed("Write speed  :"),
        vec![22_160, 11_080, 5_540],
        "{all}"
    );
    assert_eq!(listed("Write speed L:"), vec![5_540], "{all}");
}

/// BD-R XL, three layers, 100 GB: two real SRM sessions, listed by `-toc`, extracted back.
/// The disc file holds only the sectors written.
#[test]
fn xorriso_burns_two_sessions_onto_a_bd_r_xl_and_extracts_them() {
    burn_two_sessions_and_extract("bd-r-xl", "BD-R sequential recording");
}

/// `-toc` on each blank multi-layer disc names it and its whole capacity.
#[test]
fn xorriso_toc_names_each_blank_multi_layer_medium() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    for (medium, current, sectors) in [
        ("dvd+r-dl", "DVD+R/DL", 4_173_824u64),
        ("bd-r-dl", "BD-R sequential recording", 24_438_784),
        ("bd-r-xl", "BD-R sequential recording", 48_878_592),
        ("bd-r-xl4", "BD-R sequential recording", 62_500_864),
    ] {
        let mut bench = Bench::new(medium);
        let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-toc"]);
        out.expect_code(0);
        assert_emulated_drive(&out);
        out.expect_line(&format!("Media current: {current}"))
            .expect_line("Media status : is blank")
            .expect_line(&format!(
                "Media blocks : 0 readable , {sectors} writable , {sectors} overall"
            ));
        bench.keep(&format!("xorriso-toc-{}", medium.replace('+', "-plus-")));
    }
}

/// `xorriso -as cdrecord -sao` on DVD-R and on DVD-R DL (whose drive offers no Incremental
/// recording): Disc-at-Once, the disc closed after the flush; `-toc` names the medium and
/// its capacity when blank and the one closed session after, and the image reads back
/// through the drive.
#[test]
fn xorriso_as_cdrecord_sao_writes_dvd_minus_r_and_dvd_minus_r_dl_disc_at_once() {
    let Some(xorriso) = tool("xorriso", "xorriso") else {
        return;
    };
    for (medium, name, sectors) in [
        ("dvd-r", "DVD-R sequential recording", 2_298_496u64),
        ("dvd-r-dl", "DVD-R/DL sequential recording", 4_171_712),
    ] {
        let mut bench = Bench::new(medium);
        let tree = bench.path("tree");
        write_tree(&tree, &first_tree());
        let image = bench.path("image.iso");
        let out = virtdrive_run(
            bench.dir.path(),
            &["--drive", "virt:cd-r"],
            &xorriso,
            &[
                "-as",
                "mkisofs",
                "-R",
                "-o",
                image.to_str().unwrap(),
                tree.to_str().unwrap(),
            ],
        );
        out.expect_code(0);
        let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-toc"]);
        out.expect_code(0);
        out.expect_line(&format!("Media current: {name}"))
            .expect_line("Media status : is blank")
            .expect_line(&format!(
                "0 readable , {sectors} writable , {sectors} overall"
            ));
        let out = bench.run(
            &xorriso,
            &[
                "-as",
                "cdrecord",
                "-v",
                "dev=/dev/sr9",
                "-sao",
                image.to_str().unwrap(),
            ],
        );
        out.expect_code(0);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            all.contains("Writing to '/dev/sr9' completed successfully."),
            "{medium}: {all}"
        );

        let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-toc"]);
        out.expect_code(0);
        assert_emulated_drive(&out);
        out.expect_line(&format!("Media current: {name}"))
            .expect_line("Media status : is written , is closed")
            .expect_line("Media summary: 1 session");

        let image = std::fs::read(&image).unwrap();
        let back = real_clients::read_disc(
            bench.dir.path(),
            &bench.drive,
            (image.len() / 2048) as u64,
            0,
        );
        assert!(back == image, "{medium}: the image reads back");
        bench.keep(&format!("xorriso-sao-{medium}"));
    }
}
