//! msmlab's entry point: parses the command line (with msmlab.toml), runs the verb, and exits
//! with the status its outcome or its error's class says (`exit`).

use std::process::ExitCode;

use msmlab::cli::args::Command;
use msmlab::cli::commands::{self, Globals};
use msmlab::exit::Classified;
use msmlab::cli::config::{self, ParseFailure};

fn main() -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let (cli, applied) = match config::parse(std::env::args_os().collect(), &cwd) {
        Ok(parsed) => parsed,
        Err(ParseFailure::Clap(e)) => e.exit(),
        Err(ParseFailure::Config(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_status().code());
        }
    };
    let globals = Globals { quiet: cli.quiet, verbose: cli.verbose, applied };
    globals.explain_config();
    let config_file = cli.config.clone();
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => commands::up::run(args, &globals).await,
            Command::Verify(args) => commands::verify::run(args, &globals).await,
            Command::Smoke(args) => commands::smoke::run(args, &globals).await,
            Command::Status(args) => commands::status::run(args, &globals).await,
            Command::Down(args) => commands::down::run(args, &globals).await,
            Command::Logs(args) => commands::logs::run(args, &globals).await,
            Command::Render(args) => commands::render::run(args, &globals).await,
            Command::Doctor(args) => commands::doctor::run(args, &globals).await,
            Command::Jars(args) => commands::jars::run(args, &globals).await,
            Command::Lock(args) => commands::lock::run(args).await,
            Command::Init(args) => commands::init::run(args, config_file.as_deref()),
            Command::Completions(args) => commands::completions::run(args),
            Command::DocsReference => commands::reference::run(),
            Command::Bench(args) => commands::bench::run(args, &globals).await,
            Command::Compat(args) => commands::compat::run(args, &globals).await,
        }
    });
    // Nothing a verb left running is waited for: a second Ctrl-C means "stop now".
    runtime.shutdown_background();
    let status = match result {
        Ok(outcome) => outcome.exit_status(),
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            globals.blame_config(failure.status);
            failure.status
        }
    };
    ExitCode::from(status.code())
}
