//! What the terminal allows: colour and live spinners only for a person at a terminal.

use std::io::IsTerminal;

/// No colour when `NO_COLOR` is set (any value, https://no-color.org) or `TERM=dumb`.
fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Colour on stdout: a terminal, and colour allowed.
pub fn stdout_colour() -> bool {
    colour_allowed() && std::io::stdout().is_terminal()
}

/// Spinners (drawn on stderr): both streams on a terminal, so that redirecting the results
/// (`msmlab up --json > up.json`) also turns them off, and colour allowed.
pub fn live() -> bool {
    colour_allowed() && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// How to run msmlab again, for the hints it prints: `msmlab` when that name on the `PATH` is
/// this program, else the path it was started by (`target/release/msmlab` right after the
/// quickstart, before `cargo install`), so a hint always works when copied.
pub fn program() -> &'static str {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROGRAM.get_or_init(|| {
        let invoked = std::env::args_os().next().map(std::path::PathBuf::from).unwrap_or_default();
        let on_path = std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("msmlab")).find(|p| p.is_file()))
            .and_then(|p| p.canonicalize().ok());
        let this = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
        program_name(&invoked, on_path.is_some() && on_path == this)
    })
}

fn program_name(invoked: &std::path::Path, path_finds_this: bool) -> String {
    if path_finds_this || invoked.components().count() <= 1 {
        "msmlab".to_string()
    } else {
        invoked.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_msmlab_when_the_path_finds_it_else_the_path_that_works() {
        assert_eq!(program_name(std::path::Path::new("msmlab"), false), "msmlab");
        assert_eq!(program_name(std::path::Path::new("target/release/msmlab"), true), "msmlab");
        assert_eq!(program_name(std::path::Path::new("target/release/msmlab"), false), "target/release/msmlab");
    }
}
