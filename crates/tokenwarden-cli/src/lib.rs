//! The `tokenwarden` command line. Its options, JSON fields and exit codes
//! are a contract other tools rely on (README, "Command line"): change
//! them only with a version bump and a note.
//!
//! A crate of its own over `tokenwarden_core`, so that the desktop app does
//! not compile clap, owo-colors or rpassword.

mod args;
mod export;
mod output;
mod qovery;
mod validate;
mod vault;

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use tokenwarden_core::secret::TokenSecret;
use zeroize::Zeroizing;

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
        Command::Rm(args) => runtime.block_on(vault::rm(args)),
        Command::Export(args) => export::run(args),
        Command::Qovery(args) => runtime.block_on(qovery::run(args)),
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
        let value = Zeroizing::new(rpassword::prompt_password("Token (input hidden): ")?);
        return Ok(TokenSecret::new(value.as_str()));
    }
    read_token(&mut stdin.lock())
}

/// More than any provider's token (Bitbucket's, the longest, is ~190 bytes).
const MAX_TOKEN_INPUT: usize = 64 * 1024;

/// Reads a token into one zeroizing buffer that never grows: a `String`
/// filled by `read_to_string` would reallocate as it grows and leave
/// copies of the untrimmed value in freed memory.
fn read_token(input: &mut impl Read) -> std::io::Result<TokenSecret> {
    use std::io::{Error, ErrorKind};
    let mut buffer = Zeroizing::new(vec![0u8; MAX_TOKEN_INPUT]);
    let mut length = 0;
    loop {
        if length == buffer.len() {
            return Err(Error::new(
                ErrorKind::InvalidData,
                "more than 64 KiB arrived, which is not a token",
            ));
        }
        match input.read(&mut buffer[length..]) {
            Ok(0) => break,
            Ok(n) => length += n,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    let text = std::str::from_utf8(&buffer[..length])
        .map_err(|_| Error::new(ErrorKind::InvalidData, "it is not UTF-8 text"))?;
    Ok(TokenSecret::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its input a few bytes at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(out.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_token_read_in_pieces_is_whole_and_trimmed() {
        let token = read_token(&mut Trickle(b"  glpat-abcdefghij\r\n")).unwrap();
        assert_eq!(token.expose(), "glpat-abcdefghij");
        assert!(read_token(&mut Trickle(b"")).unwrap().is_empty());
    }

    #[test]
    fn more_than_a_token_or_bytes_that_are_not_text_are_refused() {
        let flood = vec![b'a'; MAX_TOKEN_INPUT + 1];
        let error = read_token(&mut flood.as_slice()).unwrap_err();
        assert!(error.to_string().contains("not a token"), "{error}");
        let exactly = vec![b'a'; MAX_TOKEN_INPUT - 1];
        assert_eq!(
            read_token(&mut exactly.as_slice()).unwrap().expose().len(),
            MAX_TOKEN_INPUT - 1
        );
        assert!(read_token(&mut &b"\xff\xfe"[..]).is_err());
    }
}
