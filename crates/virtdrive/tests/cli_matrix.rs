//! Every subcommand, option and argument of `virtdrive`, as its clap definition lists them
//! (`virtdrive::cli::Args`), run through the real binary with valid values and invalid ones.
//!
//! The table below (the machinery is in `cli_matrix_support/`) has one row per subcommand, option and argument; a row holds cases that
//! must succeed and cases that must fail, each with the exit status and the words its output
//! must hold. `the_table_covers_every_subcommand_and_option` fails when the definition gains
//! an option without a row, or loses one that has a row. Every run also checks that nothing
//! panicked (exit status 101, or "panicked" in the output) and, for a failure, that stderr
//! says something. `virtdrive serve` cases start the server, wait for its socket, stop it
//! with SIGTERM and expect exit status 0.
#![cfg(target_os = "linux")]

mod cli_matrix_support;

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use cli_matrix_support::{check, definition_keys, exits, fails, ok, row, Case, Ctx, Row};
use virtdrive::medium::MediumKind;

/// `serve --socket S ARGS`, which must start and stop on SIGTERM.
fn serves(ctx: &Ctx, args: &[&str]) -> Case {
    let socket = ctx.socket();
    let s = socket.display().to_string();
    let mut all = vec!["serve", "--socket", s.as_str()];
    all.extend_from_slice(args);
    ok(&all).serving(&socket).stderr("serving")
}

/// `serve --socket S ARGS`, which must fail before creating its socket.
fn serve_fails(ctx: &Ctx, args: &[&str], why: &str) -> Case {
    let socket = ctx.socket();
    let s = socket.display().to_string();
    let mut all = vec!["serve", "--socket", s.as_str()];
    all.extend_from_slice(args);
    fails(&all, why).absent(&socket)
}

/// `run ARGS -- true`.
fn runs(args: &[&str]) -> Case {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "true"]);
    ok(&all)
}

fn run_fails(args: &[&str], why: &str) -> Case {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "true"]);
    fails(&all, why)
}

/// The cases shared by `serve` and `run` for the options that make the drive.
fn drive_rows(ctx: &Ctx, sub: &'static str) -> Vec<Row> {
    let serving = sub == "serve";
    let valid = |args: &[&str]| {
        if serving {
            serves(ctx, args)
        } else {
            runs(args)
        }
    };
    let invalid = |args: &[&str], why: &str| {
        if serving {
            serve_fails(ctx, args, why)
        } else {
            run_fails(args, why)
        }
    };
    let key = |option: &str| format!("virtdrive {sub} {option}");
    let names: Vec<String> = MediumKind::ALL
        .iter()
        .map(|k| format!("virt:{}", k.name()))
        .collect();
    let mut drives: Vec<Case> = names.iter().map(|n| valid(&["--drive", n])).collect();
    let disc = ctx.p(&format!("{sub}-new.disc"));
    drives.push(valid(&["--drive", &format!("virt:dvd+r@{disc}")]).present(Path::new(&disc)));
    drives.push(valid(&[
        "--drive",
        &format!("virt:cd-r@{}", ctx.p("cd.disc")),
    ]));
    let missing = ctx.path(&format!("{sub}-missing-disc-folder"));
    let transcript = ctx.p(&format!("{sub}-transcript.jsonl"));
    let changer_disc = ctx.p(&format!("{sub}-changer.disc"));
    let changer_disc2 = ctx.p(&format!("{sub}-changer-bd.disc"));
    let missing_transcript = ctx.path(&format!("{sub}-missing-transcript-folder"));
    vec![
        row(
            &key("--drive"),
            drives,
            vec![
                invalid(&["--drive", "virt:floppy"], "unknown medium \"floppy\"").stderr("bd-r"),
                invalid(&["--drive", "/dev/sr0"], "virt:MEDIA[@FILE]"),
                invalid(&["--drive", "virt:bd-re@"], "the file after '@' is empty"),
                invalid(
                    &[
                        "--drive",
                        &format!("virt:bd-re@{}/sub/x.disc", missing.display()),
                    ],
                    "does not exist",
                )
                .stderr("creates files, not folders")
                .absent(&missing),
                invalid(
                    &["--drive", "virt:bd-re@/no/such/dir/x"],
                    "the folder /no/such/dir does not exist",
                )
                .absent(Path::new("/no/such")),
                invalid(
                    &["--drive", &format!("virt:bd-re@{}", ctx.p("cd.disc"))],
                    "holds a cd-r disc",
                ),
                invalid(
                    &["--drive", &format!("virt:bd-re@{}", ctx.p("garbage.disc"))],
                    "not a virtual disc file",
                ),
                invalid(
                    &["--drive", &format!("virt:bd-re@{}", ctx.p("man"))],
                    &ctx.p("man"),
                ),
            ],
        ),
        row(
            &key("--fault-plan"),
            vec![valid(&["--fault-plan", &ctx.good_plan()])],
            vec![
                invalid(
                    &["--fault-plan", &ctx.p("no-such-plan.json")],
                    "cannot read the fault plan",
                ),
                invalid(&["--fault-plan", &ctx.p("bad-rule.json")], "rules[0]")
                    .stderr("no_such_key"),
                invalid(&["--fault-plan", &ctx.p("not-json.json")], "line 1"),
                invalid(&["--fault-plan", "/dev/zero"], "larger than 16 MiB"),
                invalid(
                    &["--fault-plan", &ctx.p("man")],
                    "cannot read the fault plan",
                ),
                invalid(&["--fault-plan", ""], "a value is required"),
            ],
        ),
        row(
            &key("--transcript"),
            vec![valid(&["--transcript", &transcript]).present(Path::new(&transcript))],
            vec![
                invalid(
                    &[
                        "--transcript",
                        &format!("{}/t.jsonl", missing_transcript.display()),
                    ],
                    "does not exist",
                )
                .absent(&missing_transcript),
                invalid(&["--transcript", &ctx.p("man")], "--transcript"),
                invalid(&["--transcript", ""], "a value is required"),
            ],
        ),
        row(
            &key("--paced"),
            vec![valid(&["--paced"])],
            vec![invalid(&["--paced=yes"], "unexpected value 'yes'")],
        ),
        row(
            &key("--poll-wait"),
            vec![
                valid(&["--poll-wait", "0"]),
                valid(&["--poll-wait", "2.5"]),
                valid(&["--poll-wait=60"]),
            ],
            vec![
                invalid(&["--poll-wait", "-1"], "0 or more"),
                invalid(&["--poll-wait", "abc"], "not a number of seconds"),
                invalid(&["--poll-wait", "inf"], "0 or more"),
                invalid(&["--poll-wait", "NaN"], "0 or more"),
                invalid(&["--poll-wait", "1e300"], "too large"),
                invalid(&["--poll-wait", ""], "not a number of seconds"),
            ],
        ),
        row(
            &key("--media-id"),
            vec![
                valid(&["--media-id", "RICOHJPN/R03/2"]),
                valid(&["--media-id=MCC/004/0"]),
            ],
            vec![
                invalid(&["--media-id", "RICOHJPN"], "MANUFACTURER/TYPE/REVISION"),
                invalid(&["--media-id", "TOOLONGID/R03/2"], "1 to 8"),
                invalid(&["--media-id", "RICOHJPN/R003/2"], "1 to 3"),
                invalid(&["--media-id", "RICOHJPN/R03/256"], "0 to 255"),
                invalid(&["--media-id", ""], "MANUFACTURER/TYPE/REVISION"),
            ],
        ),
        row(
            &key("--changer"),
            vec![
                valid(&["--changer", "1"]),
                valid(&[
                    "--changer",
                    "3",
                    "--drive",
                    &format!("virt:dvd+r@{changer_disc}"),
                ])
                .present(Path::new(&changer_disc)),
                valid(&[
                    "--changer=1000",
                    "--drive",
                    &format!("virt:bd-r@{changer_disc2}"),
                ]),
            ],
            vec![
                invalid(&["--changer", "3"], "@FILE"),
                invalid(&["--changer", "0"], "1 to 1000"),
                invalid(&["--changer", "1001"], "1 to 1000"),
                invalid(&["--changer", "-2"], "1 to 1000"),
                invalid(&["--changer", "two"], "1 to 1000"),
                invalid(&["--changer", ""], "1 to 1000"),
            ],
        ),
        row(
            &key("--verbose"),
            vec![valid(&["--verbose"])],
            vec![invalid(&["--verbose=1"], "unexpected value '1'")],
        ),
        help_row(sub),
    ]
}

/// A disc file whose generation 2 stopped at its commit point and then lost its journal.
fn damaged_disc(ctx: &Ctx, name: &str) -> String {
    use virtdrive::persist::DiscFile;
    use virtdrive::store::{SectorStore, SECTOR};
    let path = ctx.path(name);
    let state = serde_json::json!({});
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &state).unwrap();
    disc.store.write(0, &[1; SECTOR]).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&state).unwrap();
    disc.store.write(0, &[2; SECTOR]).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit_up_to_commit_point(&state).unwrap();
    drop(disc);
    std::fs::remove_file(ctx.path(&format!("{name}.journal"))).unwrap();
    path.display().to_string()
}

/// `--help` of a subcommand (or of virtdrive when `sub` is empty).
fn help_row(sub: &'static str) -> Row {
    let prefix: Vec<&str> = if sub.is_empty() { vec![] } else { vec![sub] };
    let with = |extra: &'static str| {
        let mut a = prefix.clone();
        a.push(extra);
        a
    };
    let usage = if sub.is_empty() {
        "Usage: virtdrive".to_string()
    } else {
        format!("Usage: virtdrive {sub}")
    };
    let key = if sub.is_empty() {
        "virtdrive --help".to_string()
    } else {
        format!("virtdrive {sub} --help")
    };
    row(
        &key,
        vec![
            ok(&with("--help")).stdout(&usage),
            ok(&with("-h")).stdout(&usage),
        ],
        vec![fails(
            &with("--help=x"),
            "unexpected value 'x' for '--help'",
        )],
    )
}

/// `help SUB`, the help subcommand's entry for SUB.
fn help_subcommand_row(sub: &str) -> Row {
    row(
        &format!("virtdrive help {sub}"),
        vec![ok(&["help", sub]).stdout(&format!("Usage: virtdrive {sub}"))],
        vec![fails(
            &["help", sub, "extra"],
            "unrecognized subcommand 'extra'",
        )],
    )
}

fn table(ctx: &Ctx) -> Vec<Row> {
    let version = format!("virtdrive {}", env!("CARGO_PKG_VERSION"));
    let long_node = format!("/dev/{}9", "x".repeat(260));
    let missing_man = ctx.path("missing-man-folder");
    let long_socket = ctx.path(&format!("{}.sock", "s".repeat(120)));
    let damaged = damaged_disc(ctx, "damaged.disc");
    let to_repair = damaged_disc(ctx, "to-repair.disc");
    let mut rows = vec![
        row(
            "virtdrive",
            vec![ok(&["man"]).stdout(".TH virtdrive")],
            vec![
                fails(&[], "Usage: virtdrive <COMMAND>"),
                fails(&["floppy"], "unrecognized subcommand 'floppy'"),
            ],
        ),
        help_row(""),
        row(
            "virtdrive --version",
            vec![
                ok(&["--version"]).stdout(&version),
                ok(&["-V"]).stdout(&version),
            ],
            vec![fails(
                &["--version=x"],
                "unexpected value 'x' for '--version'",
            )],
        ),
        // serve
        row(
            "virtdrive serve",
            vec![serves(ctx, &[]).stderr("virt:bd-re")],
            vec![
                fails(&["serve"], "--socket <PATH>").stderr("required"),
                serve_fails(ctx, &["extra"], "unexpected argument 'extra'"),
            ],
        ),
        row(
            "virtdrive serve --socket",
            vec![serves(ctx, &["--verbose"])],
            vec![
                fails(
                    &[
                        "serve",
                        "--socket",
                        &format!("{}/s.sock", missing_man.display()),
                    ],
                    "the folder",
                )
                .stderr("does not exist")
                .absent(&missing_man),
                fails(
                    &["serve", "--socket", &ctx.p("a-file")],
                    "exists and is not a socket",
                ),
                fails(
                    &["serve", "--socket", &long_socket.display().to_string()],
                    "cannot listen on",
                )
                .absent(&long_socket),
                fails(&["serve", "--socket", ""], "a value is required"),
            ],
        ),
        // run
        row(
            "virtdrive run",
            vec![runs(&[])],
            vec![fails(&["run"], "no program given")],
        ),
        row(
            "virtdrive run --sr",
            vec![ok(&[
                "run",
                "--sr",
                "/dev/sr5",
                "--",
                "sh",
                "-c",
                "test -b /dev/sr5",
            ])],
            vec![
                run_fails(&["--sr", "sr5"], "give an absolute path"),
                run_fails(&["--sr", ""], "give an absolute path"),
                run_fails(&["--sr", &long_node], "at most 255"),
                run_fails(&["--sr", "/dev/sg9"], "--sr and --sg both name /dev/sg9"),
            ],
        ),
        row(
            "virtdrive run --sg",
            vec![ok(&[
                "run",
                "--sg",
                "/dev/sg4",
                "--",
                "sh",
                "-c",
                "test -c /dev/sg4",
            ])],
            vec![
                run_fails(&["--sg", "sg4"], "give an absolute path"),
                run_fails(&["--sg", ""], "give an absolute path"),
                run_fails(&["--sg", &long_node], "at most 255"),
                run_fails(&["--sg", "/dev/sr9"], "--sr and --sg both name /dev/sr9"),
            ],
        ),
        row(
            "virtdrive run <command>",
            vec![
                ok(&["run", "--", "true"]),
                exits(1, &["run", "--", "false"]),
                exits(7, &["run", "--", "sh", "-c", "exit 7"]),
                // Killed by SIGTERM: 128 + 15, as a shell reports it.
                exits(143, &["run", "--", "sh", "-c", "kill -TERM $$"]),
                ok(&["run", "--", "sh", "-c", "echo $VIRTDRIVE_SR $VIRTDRIVE_SG"])
                    .stdout("/dev/sr9 /dev/sg9"),
            ],
            vec![
                exits(127, &["run", "--", "/no/such/program"]).stderr("command not found"),
                exits(127, &["run", "--", "no-such-program-in-path"]).stderr("command not found"),
                exits(126, &["run", "--", &ctx.p("not-executable")])
                    .stderr("not an executable file"),
                exits(126, &["run", "--", &ctx.p("man")]).stderr("not an executable file"),
            ],
        ),
        // shim-path
        row(
            "virtdrive shim-path",
            vec![ok(&["shim-path"]).stdout("libvirtdrive_shim-")],
            vec![
                fails(&["shim-path", "extra"], "unexpected argument 'extra'"),
                fails(
                    &["shim-path"],
                    "VIRTDRIVE_SHIM=/no/such/shim.so: no such file",
                )
                .env("VIRTDRIVE_SHIM", "/no/such/shim.so"),
            ],
        ),
        help_row("shim-path"),
        // man
        row(
            "virtdrive man",
            vec![ok(&["man"])
                .stdout(".TH virtdrive")
                .stdout(".SH \"VIRTDRIVE RUN\"")],
            vec![fails(&["man", "extra"], "unexpected argument 'extra'")],
        ),
        row(
            "virtdrive man --out-dir",
            vec![ok(&["man", "--out-dir", &ctx.p("man")])
                .stdout("virtdrive.1")
                .present(&ctx.path("man/virtdrive.1"))
                .present(&ctx.path("man/virtdrive-serve.1"))
                .present(&ctx.path("man/virtdrive-run.1"))],
            vec![
                fails(
                    &["man", "--out-dir", &missing_man.display().to_string()],
                    "no such folder",
                )
                .absent(&missing_man),
                fails(&["man", "--out-dir", &ctx.p("a-file")], "no such folder"),
                fails(&["man", "--out-dir", ""], "a value is required"),
            ],
        ),
        help_row("man"),
        // completions
        row(
            "virtdrive completions",
            vec![ok(&["completions", "bash"]).stdout("_virtdrive")],
            vec![fails(&["completions"], "<SHELL>").stderr("required")],
        ),
        row(
            "virtdrive completions <shell>",
            ["bash", "zsh", "fish", "elvish", "powershell"]
                .iter()
                .map(|s| ok(&["completions", s]).stdout("virtdrive"))
                .collect(),
            vec![
                fails(&["completions", "tcsh"], "invalid value 'tcsh'").stderr("possible values"),
                fails(&["completions", ""], "a value is required for '<SHELL>'"),
                fails(&["completions", "bash", "zsh"], "unexpected argument 'zsh'"),
            ],
        ),
        help_row("completions"),
        // fsck
        row(
            "virtdrive fsck",
            vec![ok(&["fsck", &ctx.p("cd.disc")]).stdout("intact, generation")],
            vec![
                fails(&["fsck"], "<FILE>").stderr("required"),
                fails(
                    &["fsck", &ctx.p("cd.disc"), "extra"],
                    "unexpected argument 'extra'",
                ),
            ],
        ),
        row(
            "virtdrive fsck <file>",
            vec![
                ok(&["fsck", &ctx.p("cd.disc")]).stdout("its check matches"),
                exits(1, &["fsck", &damaged]).stdout("generation 2 is damaged"),
            ],
            vec![
                fails(&["fsck", &ctx.p("no-such.disc")], "no virtual disc there")
                    .absent(&ctx.path("no-such.disc")),
                fails(&["fsck", &ctx.p("garbage.disc")], "not a virtual disc file"),
                fails(&["fsck", ""], "a value is required for '<FILE>'"),
            ],
        ),
        row(
            "virtdrive fsck --repair",
            vec![
                ok(&["fsck", "--repair", &ctx.p("cd.disc")]).stdout("nothing to repair"),
                exits(2, &["fsck", "--repair", &to_repair]).stdout("the disc is at generation 1"),
            ],
            vec![
                fails(&["fsck", "--repair"], "<FILE>"),
                fails(
                    &["fsck", "--repair=yes", &ctx.p("cd.disc")],
                    "unexpected value",
                ),
            ],
        ),
        help_row("fsck"),
        // launch (internal)
        row(
            "virtdrive launch",
            vec![ok(&["launch", "--", "true"])],
            vec![fails(&["launch"], "required")],
        ),
        row(
            "virtdrive launch <command>",
            vec![exits(3, &["launch", "--", "sh", "-c", "exit 3"])],
            vec![
                exits(127, &["launch", "--", "/no/such/program"]).stderr("command not found"),
                exits(126, &["launch", "--", &ctx.p("not-executable")]),
            ],
        ),
        help_row("launch"),
        // help
        row(
            "virtdrive help",
            vec![ok(&["help"]).stdout("Usage: virtdrive <COMMAND>")],
            vec![fails(
                &["help", "floppy"],
                "unrecognized subcommand 'floppy'",
            )],
        ),
    ];
    rows.extend(drive_rows(ctx, "serve"));
    rows.extend(drive_rows(ctx, "run"));
    for sub in [
        "serve",
        "run",
        "shim-path",
        "man",
        "completions",
        "fsck",
        "launch",
        "help",
    ] {
        rows.push(help_subcommand_row(sub));
    }
    rows
}

#[test]
fn the_table_covers_every_subcommand_and_option() {
    let ctx = Ctx::new();
    let rows = table(&ctx);
    let mut keys = BTreeSet::new();
    for r in &rows {
        assert!(keys.insert(r.key.clone()), "two rows for {}", r.key);
        assert!(!r.valid.is_empty(), "{}: no valid case", r.key);
        assert!(!r.invalid.is_empty(), "{}: no invalid case", r.key);
    }
    let defined = definition_keys();
    let missing: Vec<_> = defined.difference(&keys).collect();
    let stale: Vec<_> = keys.difference(&defined).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the table and the clap definition differ\n  no row for: {missing:?}\n  \
         row for nothing defined: {stale:?}"
    );
}

#[test]
fn every_option_has_a_description() {
    let mut command = virtdrive::cli::Args::command();
    command.build();
    let mut stack = vec![command];
    while let Some(c) = stack.pop() {
        for arg in c.get_arguments() {
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(
                !help.trim().is_empty(),
                "{} {}: no description",
                c.get_name(),
                arg.get_id()
            );
        }
        stack.extend(c.get_subcommands().cloned());
    }
}

#[test]
fn every_case_of_the_table_behaves() {
    if virtdrive::run::shim::embedded().is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set, so this build must have its preload shim (install a C compiler)"
        );
        eprintln!("NOTICE: this build has no preload shim (no C compiler); test skipped");
        return;
    }
    let ctx = Ctx::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for r in table(&ctx) {
        for (valid, case) in r
            .valid
            .iter()
            .map(|c| (true, c))
            .chain(r.invalid.iter().map(|c| (false, c)))
        {
            count += 1;
            if let Err(e) = check(&ctx, case) {
                let kind = if valid { "valid" } else { "invalid" };
                failures.push(format!("{} ({kind}) {:?}: {e}", r.key, case.args));
            }
        }
    }
    assert!(count > 100, "{count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
