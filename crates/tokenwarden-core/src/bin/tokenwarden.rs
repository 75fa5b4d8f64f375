//! `tokenwarden`: the command-line front end, for scripts, headless
//! machines and tests. All of it lives in `tokenwarden_core::cli`.

fn main() -> std::process::ExitCode {
    tokenwarden_core::cli::main()
}
