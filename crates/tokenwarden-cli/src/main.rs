//! `tokenwarden`: the command-line front end, for scripts, headless
//! machines and tests. All of it lives in the `tokenwarden_cli` library.

fn main() -> std::process::ExitCode {
    tokenwarden_cli::main()
}
