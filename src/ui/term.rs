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
