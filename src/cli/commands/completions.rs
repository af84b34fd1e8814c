//! `msmlab completions`.

use clap::CommandFactory;

use super::{VerbError, Reply};
use crate::cli::args::{Cli, CompletionsArgs, Shell};

pub fn run(args: CompletionsArgs) -> Result<Reply, VerbError> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "msmlab", &mut std::io::stdout());
    Ok(Reply::Yes)
}
