//! `virtdrive man` and `virtdrive completions SHELL`, generated from the clap definition: the
//! page is roff that names every subcommand and every long option, `--out-dir` writes one page
//! per subcommand, and each shell's script names the subcommands.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::process::{Command, Output};

use clap::CommandFactory;
use virtdrive::medium::MediumKind;

fn virtdrive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = virtdrive(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "{args:?}: nothing on stderr");
    String::from_utf8(out.stdout).unwrap()
}

/// The visible subcommands of the definition (not clap's `help`, nor the internal `launch`).
fn subcommands() -> Vec<clap::Command> {
    virtdrive::cli::Args::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect()
}

/// Every long option of `command` and of its visible subcommands, without clap's own.
fn long_options(command: &clap::Command) -> BTreeSet<String> {
    let mut options: BTreeSet<String> = command
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long())
        .map(|l| format!("--{l}"))
        .collect();
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        options.extend(long_options(sub));
    }
    options
}

/// The text of a roff page as a reader sees it: `\-` is a hyphen.
fn unescaped(roff: &str) -> String {
    roff.replace("\\-", "-")
}

/// Each request line of a roff page is one of the man(7) macros clap_mangen uses, and the
/// page starts with its title.
fn assert_roff(page: &str, title: &str) {
    const MACROS: &[&str] = &[
        "TH", "SH", "SS", "TP", "PP", "IP", "RS", "RE", "br", "ie", "el", "B", "I", "sp",
    ];
    let requests: Vec<&str> = page.lines().filter(|l| l.starts_with('.')).collect();
    let th: Vec<&&str> = requests.iter().filter(|l| l.starts_with(".TH ")).collect();
    assert_eq!(th.len(), 1, "one title: {th:?}");
    assert!(th[0].starts_with(&format!(".TH {title} 1 ")), "{}", th[0]);
    for line in &requests {
        let name = line[1..].split_whitespace().next().unwrap_or("");
        assert!(MACROS.contains(&name), "unexpected request {line:?}");
    }
    // Every section has a heading, and NAME comes first.
    let first_section = requests.iter().find(|l| l.starts_with(".SH ")).unwrap();
    assert_eq!(*first_section, ".SH NAME");
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand_and_long_option() {
    let page = stdout_of(&["man"]);
    assert_roff(&page, "virtdrive");
    let text = unescaped(&page);
    for sub in subcommands() {
        let name = sub.get_name();
        assert!(
            text.contains(&format!(".SH \"VIRTDRIVE {}\"", name.to_uppercase())),
            "a section for {name}"
        );
        assert!(text.contains(&format!("virtdrive {name}")), "{name}");
    }
    let options = long_options(&virtdrive::cli::Args::command());
    for option in [
        "--drive",
        "--fault-plan",
        "--transcript",
        "--paced",
        "--poll-wait",
        "--verbose",
        "--socket",
        "--sr",
        "--sg",
        "--out-dir",
    ] {
        assert!(options.contains(option), "{option} is defined");
    }
    for option in &options {
        assert!(text.contains(option.as_str()), "the page names {option}");
    }
    // The internal subcommand is not documented.
    assert!(!text.contains("launch"), "launch is internal");
    for kind in MediumKind::ALL {
        assert!(text.contains(kind.name()), "{} in the page", kind.name());
    }
}

#[test]
fn out_dir_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let listed = stdout_of(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    let mut expected = vec!["virtdrive".to_string()];
    expected.extend(
        subcommands()
            .iter()
            .map(|s| format!("virtdrive-{}", s.get_name())),
    );
    let listed: Vec<&str> = listed.lines().collect();
    assert_eq!(listed.len(), expected.len(), "{listed:?}");
    for title in &expected {
        let path = dir.path().join(format!("{title}.1"));
        assert!(
            listed.contains(&path.to_str().unwrap()),
            "{} listed",
            path.display()
        );
        let page = std::fs::read_to_string(&path).unwrap();
        assert_roff(&page, title);
        assert!(
            page.contains(&format!("\"virtdrive {}\"", env!("CARGO_PKG_VERSION"))),
            "{title}: the source is virtdrive and its version"
        );
    }
    let run = unescaped(&std::fs::read_to_string(dir.path().join("virtdrive-run.1")).unwrap());
    for option in ["--drive", "--sr", "--sg", "--poll-wait", "--transcript"] {
        assert!(run.contains(option), "virtdrive-run.1 names {option}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        expected.len(),
        "no other file"
    );
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for sub in subcommands() {
            assert!(
                script.contains(sub.get_name()),
                "{shell}: {} in the script",
                sub.get_name()
            );
        }
        let drive = if shell == "fish" {
            "-l drive"
        } else {
            "--drive"
        };
        assert!(script.contains(drive), "{shell}: {drive}");
    }
    let bash = stdout_of(&["completions", "bash"]);
    assert!(
        bash.contains("complete -F _virtdrive"),
        "bash registers its function"
    );
}

#[test]
fn the_bash_script_is_valid_bash() {
    let Ok(bash) = Command::new("bash").arg("--version").output() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set, so this test needs bash, which is not installed"
        );
        eprintln!("NOTICE: bash is not installed (apt-get install bash); test skipped");
        return;
    };
    assert!(bash.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("virtdrive.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    // Sourcing it defines the function and registers it for virtdrive.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p virtdrive",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("_virtdrive"));
}

#[test]
fn an_unknown_shell_is_a_clap_error_listing_the_shells() {
    let out = virtdrive(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: invalid value 'tcsh' for '<SHELL>'"),
        "{stderr}"
    );
    for shell in ["bash", "elvish", "fish", "powershell", "zsh"] {
        assert!(stderr.contains(shell), "{stderr}");
    }
}

#[test]
fn the_drive_help_names_every_medium() {
    for sub in ["serve", "run"] {
        let help = stdout_of(&[sub, "--help"]);
        for kind in MediumKind::ALL {
            assert!(
                help.contains(&format!("{},", kind.name()))
                    || help.contains(&format!("{}.", kind.name())),
                "{sub} --help names {}:\n{help}",
                kind.name()
            );
        }
    }
}
