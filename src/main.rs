//! The `ladder` binary: parse the command line, set up logging, dispatch. Nothing else.

use clap::Parser;
use ladder::commands::{self, Cli};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    commands::init_tracing(cli.verbose, cli.log_format);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
