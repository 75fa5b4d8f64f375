//! The user's settings, shared by the app and the CLI: `settings.json` in
//! the app-data folder (atomic, versioned, corrupt file set aside).

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::jsonfile::{self, Decoded, Read, ReadError};
use crate::watch::WatchSettings;

pub const SETTINGS_FILE_NAME: &str = "settings.json";
const SETTINGS_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    #[ts(skip)]
    #[serde(default = "version")]
    pub version: u32,
    /// When expiry alerts fire.
    #[serde(default)]
    pub alerts: WatchSettings,
    /// Start Tokenwarden when the user logs in. None until the user (or the
    /// first saved token) decides: it is then turned on by default.
    #[serde(default)]
    pub start_at_login: Option<bool>,
}

fn version() -> u32 {
    SETTINGS_VERSION
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            alerts: WatchSettings::default(),
            start_at_login: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("Tokenwarden cannot read its settings at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Tokenwarden cannot save its settings at {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("The settings at {path} were written by a newer Tokenwarden (format {found}); they were left untouched and the defaults are in use.")]
    NewerVersion { path: PathBuf, found: u32 },
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Thresholds must be days between 0 and 366; at least one.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.alerts.thresholds_days.is_empty() && !self.alerts.after_expiry_daily {
            return Err(SettingsError::Invalid(
                "Keep at least one alert: a threshold, or the daily alert after expiry.".into(),
            ));
        }
        if let Some(bad) = self.alerts.thresholds_days.iter().find(|d| **d > 366) {
            return Err(SettingsError::Invalid(format!(
                "{bad} days is more than a year: thresholds go from 0 (the day itself) to 366."
            )));
        }
        Ok(())
    }

    /// Decodes a settings file's bytes (`load` reads them from disk).
    pub fn decode(bytes: &[u8]) -> Decoded<Settings> {
        jsonfile::decode_versioned(bytes, SETTINGS_VERSION)
    }

    pub fn load(dir: &Path) -> Result<Settings, SettingsError> {
        let path = dir.join(SETTINGS_FILE_NAME);
        match jsonfile::read_versioned::<Settings>(&path, SETTINGS_VERSION, Utc::now()) {
            Ok(Read::Missing) | Ok(Read::Corrupt { .. }) => Ok(Settings::default()),
            Ok(Read::Parsed(settings)) => Ok(settings),
            Ok(Read::Newer(found)) => Err(SettingsError::NewerVersion { path, found }),
            Err(ReadError::Io(source)) => Err(SettingsError::Read { path, source }),
            Err(ReadError::MoveAside(reason)) => Err(SettingsError::Write { path, reason }),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let path = dir.join(SETTINGS_FILE_NAME);
        let mut normalized = self.clone();
        normalized.version = SETTINGS_VERSION;
        normalized
            .alerts
            .thresholds_days
            .sort_unstable_by(|a, b| b.cmp(a));
        normalized.alerts.thresholds_days.dedup();
        jsonfile::write_atomic(&path, &normalized)
            .map_err(|reason| SettingsError::Write { path, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_and_deduplicated_with_defaults_for_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let mut settings = Settings::default();
        settings.alerts.thresholds_days = vec![3, 60, 3, 0];
        settings.start_at_login = Some(false);
        settings.save(dir.path()).unwrap();
        let loaded = Settings::load(dir.path()).unwrap();
        assert_eq!(loaded.alerts.thresholds_days, [60, 3, 0]);
        assert_eq!(loaded.start_at_login, Some(false));
    }

    #[test]
    fn refuses_impossible_thresholds_and_an_alert_free_setup() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.alerts.thresholds_days = vec![400];
        assert!(settings
            .save(dir.path())
            .unwrap_err()
            .to_string()
            .contains("more than a year"));
        settings.alerts.thresholds_days.clear();
        settings.alerts.after_expiry_daily = false;
        assert!(settings.save(dir.path()).is_err());
        assert!(!dir.path().join(SETTINGS_FILE_NAME).exists());
    }

    #[test]
    fn a_corrupt_file_falls_back_to_defaults_and_a_newer_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE_NAME), "{oops").unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        std::fs::write(dir.path().join(SETTINGS_FILE_NAME), r#"{"version": 9}"#).unwrap();
        assert!(matches!(
            Settings::load(dir.path()),
            Err(SettingsError::NewerVersion { found: 9, .. })
        ));
    }
}
