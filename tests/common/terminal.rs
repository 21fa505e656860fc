//! The command on a terminal: `script` (util-linux, in Debian's essential bsdutils) runs it
//! under a pseudo-terminal, and what the terminal shows is worked out from what it received.

use std::path::Path;
use std::process::{Command, Stdio};

/// The terminal's width: wider than every line the tests look at, so none wraps.
pub const COLUMNS: usize = 200;

/// `script` running `discwriter ARGS` on a terminal of 40 x [`COLUMNS`], its standard input
/// from `stdin` when given (a named pipe), the terminal's output on `script`'s standard output.
pub fn script(args: &[String], home: &Path, stdin: Option<&Path>) -> Command {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut command = std::iter::once(env!("CARGO_BIN_EXE_discwriter"))
        .chain(args.iter().map(String::as_str))
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(input) = stdin {
        command.push_str(&format!(" < {}", quote(input.to_str().unwrap())));
    }
    let mut script = Command::new("script");
    script
        .args([
            "-qfec",
            &format!("stty rows 40 cols {COLUMNS}; exec {command}"),
            "/dev/null",
        ])
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    script
}

/// Runs `discwriter ARGS` on a terminal: its exit status and everything the terminal
/// received (standard output and error together, escape codes included).
pub fn on_a_terminal(args: &[String], home: &Path) -> (Option<i32>, String) {
    let o = script(args, home, None)
        .output()
        .unwrap_or_else(|e| panic!("script (util-linux's, in bsdutils): {e}"));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// The lines a terminal shows after receiving `raw`: text, carriage returns, line feeds, and
/// the control sequences indicatif draws with (cursor up and down, erase in line); others
/// (colours) change nothing here.
pub fn screen(raw: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = raw.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\r' => col = 0,
            '\n' => row += 1,
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut param = String::new();
                let mut command = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        command = c;
                        break;
                    }
                    param.push(c);
                }
                let n = param.parse::<usize>().unwrap_or(1);
                if lines.len() <= row + n {
                    lines.resize(row + n + 1, Vec::new());
                }
                match (command, param.as_str()) {
                    ('A', _) => row = row.saturating_sub(n),
                    ('B', _) => row += n,
                    ('K', "2") => lines[row].clear(),
                    ('K', "" | "0") => lines[row].truncate(col),
                    _ => {}
                }
            }
            c if c.is_control() => {}
            c => {
                let line = &mut lines[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                col += 1;
            }
        }
        if lines.len() <= row {
            lines.resize(row + 1, Vec::new());
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// The index of the first line that starts with `start`.
pub fn line_starting(lines: &[String], start: &str) -> usize {
    lines
        .iter()
        .position(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starts with {start:?}: {lines:#?}"))
}
