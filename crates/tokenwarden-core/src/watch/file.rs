//! `watch.json`: the watcher's memory, beside `tokens.json` in the
//! app-data folder, read and written through `jsonfile` like the metadata
//! file: atomic writes, a corrupt file moved aside under a timestamped
//! name, a file from a newer version refused and left as it is.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::state::{WatchState, WATCH_FORMAT_VERSION};
use crate::jsonfile::{self, Decoded, Read, ReadError};
use crate::vault::LoadNotice;

pub const WATCH_FILE_NAME: &str = "watch.json";

#[derive(Debug, thiserror::Error)]
pub enum WatchFileError {
    #[error("Tokenwarden cannot read its record of alerts sent at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Tokenwarden cannot save its record of alerts sent at {path}: {reason}.")]
    Write { path: PathBuf, reason: String },
    #[error("The record of alerts sent at {path} was written by a newer Tokenwarden (format {found}; this one reads up to {WATCH_FORMAT_VERSION}). Update Tokenwarden; the file was left untouched.")]
    NewerVersion { path: PathBuf, found: u32 },
}

#[derive(Debug, Clone)]
pub struct WatchStateFile {
    path: PathBuf,
}

impl WatchStateFile {
    pub fn new(path: PathBuf) -> Self {
        WatchStateFile { path }
    }

    /// `watch.json` in the vault's folder (`VaultConfig::data_dir`).
    pub fn in_data_dir(data_dir: &Path) -> Self {
        WatchStateFile::new(data_dir.join(WATCH_FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state; a missing file is a fresh state.
    ///
    /// A corrupt file is moved aside and a fresh state returned, with a
    /// notice. The memory of what was sent is then lost, so each token may
    /// get its most urgent alert once more (one per token, not a burst:
    /// crossings are folded as after any gap), and its no-expiry reminder
    /// again. Snoozes and "handled" marks are lost too.
    pub fn load(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(WatchState, Option<LoadNotice>), WatchFileError> {
        let path = self.path.clone();
        match jsonfile::read_versioned::<WatchState>(&self.path, WATCH_FORMAT_VERSION, now) {
            Ok(Read::Missing) => Ok((WatchState::default(), None)),
            Ok(Read::Parsed(state)) => Ok((upgraded(state), None)),
            Ok(Read::Newer(found)) => Err(WatchFileError::NewerVersion { path, found }),
            Ok(Read::Corrupt { moved_to, reason }) => Ok((
                WatchState::default(),
                Some(LoadNotice::CorruptMovedAside { moved_to, reason }),
            )),
            Err(ReadError::Io(source)) => Err(WatchFileError::Read { path, source }),
            Err(ReadError::MoveAside(reason)) => Err(WatchFileError::Write { path, reason }),
        }
    }

    /// Replaces the file with `state`, atomically.
    pub fn save(&self, state: &WatchState) -> Result<(), WatchFileError> {
        jsonfile::write_atomic(&self.path, state).map_err(|reason| WatchFileError::Write {
            path: self.path.clone(),
            reason,
        })
    }
}

impl WatchState {
    /// Decodes the bytes of `watch.json`, as `WatchStateFile::load` does
    /// after reading them.
    pub fn decode(bytes: &[u8]) -> Decoded<WatchState> {
        match jsonfile::decode_versioned::<WatchState>(bytes, WATCH_FORMAT_VERSION) {
            Decoded::Parsed(state) => Decoded::Parsed(upgraded(state)),
            other => other,
        }
    }
}

/// A state loaded from an older format, brought up to this one.
fn upgraded(mut state: WatchState) -> WatchState {
    if state.version() < WATCH_FORMAT_VERSION {
        state.upgrade();
    }
    state
}
