use std::process::ExitCode;

use msmlab::cli::Command;
use msmlab::commands::{self, Globals, Outcome};
use msmlab::config::{self, ParseFailure};

fn main() -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let (cli, applied) = match config::parse(std::env::args_os().collect(), &cwd) {
        Ok(parsed) => parsed,
        Err(ParseFailure::Clap(e)) => e.exit(),
        Err(ParseFailure::Config(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let globals = Globals { quiet: cli.quiet, verbose: cli.verbose, applied };
    globals.explain_config();
    let runtime = tokio::runtime::Runtime::new().expect("the tokio runtime starts");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => commands::up(args, &globals).await,
            Command::Verify(args) => commands::verify(args, &globals).await,
            Command::Status(args) => commands::status(args, &globals).await,
            Command::Down(args) => commands::down(args, &globals).await,
            Command::Logs(args) => commands::logs(args, &globals).await,
            Command::Render(args) => commands::render(args, &globals).await,
            Command::Doctor(args) => commands::doctor(args, &globals).await,
            Command::Jars(args) => commands::jars(args, &globals).await,
            Command::Lock(args) => commands::lock(args).await,
            Command::Init(args) => commands::init(args),
            Command::Completions(args) => commands::completions(args),
            Command::DocsReference => commands::docs_reference(),
        }
    });
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = commands::exit_code(&e);
            globals.blame_config(code);
            ExitCode::from(code)
        }
    }
}
