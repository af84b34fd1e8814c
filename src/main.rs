use std::process::ExitCode;

use clap::Parser;
use msmlab::cli::{Cli, Command};
use msmlab::commands::{self, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => commands::up(args).await,
            Command::Verify(args) => commands::verify(args).await,
            Command::Status(args) => commands::status(args).await,
            Command::Down(args) => commands::down(args).await,
            Command::Jars(args) => commands::jars(args).await,
            Command::Lock(args) => commands::lock(args).await,
        }
    });
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(commands::exit_code(&e))
        }
    }
}
