//! The `tokenwarden` command line. Its options, JSON fields and exit codes
//! are a contract other tools rely on (README, "Command line"): change
//! them only with a version bump and a note.
//!
//! A crate of its own over `tokenwarden_core`, so that the desktop app does
//! not compile clap, owo-colors or rpassword.

mod args;
mod export;
mod output;
mod validate;
mod vault;

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use tokenwarden_core::secret::TokenSecret;

pub use args::{Cli, Command, ValidateArgs};

/// Exit status for a command line that cannot be carried out as written
/// (BSD's EX_USAGE).
pub const EXIT_USAGE: u8 = 64;

pub fn main() -> ExitCode {
    // Before anything reads a token: no core dump may hold one.
    if let Err(error) = tokenwarden_core::hardening::disable_core_dumps() {
        eprintln!("tokenwarden: warning: {error}");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { EXIT_USAGE } else { 0 };
            // clap formats help, version and usage errors itself.
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tokenwarden: cannot start: {error}");
            return ExitCode::from(3);
        }
    };
    let code = match cli.command {
        Command::Validate(args) => runtime.block_on(validate::run(args)),
        Command::Add(args) => runtime.block_on(vault::add(args)),
        Command::List(args) => vault::list(args),
        Command::Show(args) => vault::show(args),
        Command::Edit(args) => runtime.block_on(vault::edit(args)),
        Command::Check(args) => runtime.block_on(vault::check(args)),
        Command::Rotate(args) => runtime.block_on(vault::rotate(args)),
        Command::Rm(args) => vault::rm(args),
        Command::Export(args) => export::run(args),
    };
    ExitCode::from(code)
}

/// Prints a usage error in the same words clap uses, and gives its status.
pub(crate) fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}\n\nFor more information, try '--help'.");
    EXIT_USAGE
}

/// Reads the token from standard input: a pipe or a redirected file, or,
/// on a terminal, a prompt that does not echo what is typed.
pub(crate) fn read_token_from_stdin() -> std::io::Result<TokenSecret> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let value = rpassword::prompt_password("Token (input hidden): ")?;
        return Ok(TokenSecret::new(value));
    }
    let mut value = String::new();
    stdin.lock().read_to_string(&mut value)?;
    Ok(TokenSecret::new(value))
}
