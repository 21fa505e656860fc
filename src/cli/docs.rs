//! `discwriter man` and `discwriter completions SHELL`, generated from the clap definitions.

use std::io::Write;
use std::path::Path;

use super::{command, CliError};

/// The man page on standard output, or one page per command in `out_dir`.
pub fn man(out_dir: Option<&Path>) -> Result<(), CliError> {
    let cmd = command();
    let Some(dir) = out_dir else {
        let mut out = std::io::stdout().lock();
        return clap_mangen::Man::new(cmd)
            .render(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Input(format!("writing the man page: {e}")));
    };
    if !dir.is_dir() {
        return Err(CliError::Input(format!(
            "{}: not a directory (--out-dir needs an existing directory)",
            dir.display()
        )));
    }
    let write_page = |name: &str, cmd: clap::Command| -> Result<(), CliError> {
        let path = dir.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut bytes)
            .and_then(|()| std::fs::write(&path, &bytes))
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        outln!("{}", path.display());
        Ok(())
    };
    for sub in cmd.get_subcommands() {
        let name = format!("discwriter-{}", sub.get_name());
        write_page(&name, sub.clone().name(name.clone()))?;
    }
    write_page("discwriter", cmd)
}

/// The completion script for `shell` on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "discwriter", &mut std::io::stdout());
    Ok(())
}
