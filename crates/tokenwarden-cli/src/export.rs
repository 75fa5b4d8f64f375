//! `tokenwarden export`: the vault's tokens for Prometheus or a calendar
//! (`tokenwarden_core::export`), to standard output or atomically to a file.

use std::io::Write;

use chrono::Utc;
use tokenwarden_core::export::{self, ExportToken};
use tokenwarden_core::settings::{Settings, SettingsError};
use tokenwarden_core::vault::VaultConfig;

use super::args::{ExportArgs, ExportFormat};
use super::vault::{fail, open, EXIT_IO};

pub fn run(args: ExportArgs) -> u8 {
    let config = match VaultConfig::from_env() {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    let vault = match open(10) {
        Ok(vault) => vault,
        Err(code) => return code,
    };
    let tokens: Vec<ExportToken> = match vault.list() {
        Ok(tokens) => tokens.into_iter().map(ExportToken::from_vault).collect(),
        Err(error) => return fail(&error),
    };
    let text = match args.format {
        ExportFormat::Prometheus => export::prometheus(&tokens),
        ExportFormat::Ics => {
            let settings = match Settings::load(&config.data_dir) {
                Ok(settings) => settings,
                Err(error @ SettingsError::NewerVersion { .. }) => {
                    eprintln!("note: {error}");
                    Settings::default()
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    return EXIT_IO;
                }
            };
            export::ics(&tokens, &settings.alerts, Utc::now())
        }
    };
    match &args.output {
        Some(path) => match export::write_atomic(path, &text) {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("error: cannot write {}: {error}", path.display());
                EXIT_IO
            }
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => 0,
                Err(error) => {
                    eprintln!("error: cannot write the export: {error}");
                    EXIT_IO
                }
            }
        }
    }
}
