//! The metadata file: one versioned JSON document in the app-data folder,
//! shared by the app and the CLI (read and written through `jsonfile`:
//! atomic writes, a corrupt file moved aside, a newer version refused).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::record::{VaultData, FORMAT_VERSION};
use crate::jsonfile::{self, Read, ReadError};

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("Tokenwarden cannot read its token list at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Tokenwarden cannot save its token list at {path}: {reason}. Nothing was changed.")]
    Write { path: PathBuf, reason: String },
    #[error("The token list at {path} was written by a newer Tokenwarden (format {found}; this one reads up to {FORMAT_VERSION}). Update Tokenwarden; the file was left untouched.")]
    NewerVersion { path: PathBuf, found: u32 },
}

/// What loading found, besides the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadNotice {
    /// The file was unreadable and was moved here; the list starts empty.
    CorruptMovedAside { moved_to: PathBuf, reason: String },
}

#[derive(Debug, Clone)]
pub struct MetadataFile {
    path: PathBuf,
}

impl MetadataFile {
    pub fn new(path: PathBuf) -> Self {
        MetadataFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the file; a missing file is an empty vault.
    pub fn load(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(VaultData, Option<LoadNotice>), MetadataError> {
        let path = self.path.clone();
        match jsonfile::read_versioned(&self.path, FORMAT_VERSION, now) {
            Ok(Read::Missing) => Ok((VaultData::default(), None)),
            Ok(Read::Parsed(data)) => Ok((data, None)),
            Ok(Read::Newer(found)) => Err(MetadataError::NewerVersion { path, found }),
            Ok(Read::Corrupt { moved_to, reason }) => Ok((
                VaultData::default(),
                Some(LoadNotice::CorruptMovedAside { moved_to, reason }),
            )),
            Err(ReadError::Io(source)) => Err(MetadataError::Read { path, source }),
            Err(ReadError::MoveAside(reason)) => Err(MetadataError::Write { path, reason }),
        }
    }

    /// Replaces the file with `data`, atomically.
    pub fn save(&self, data: &VaultData) -> Result<(), MetadataError> {
        jsonfile::write_atomic(&self.path, data).map_err(|reason| MetadataError::Write {
            path: self.path.clone(),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn file() -> (tempfile::TempDir, MetadataFile) {
        let dir = tempfile::tempdir().unwrap();
        let file = MetadataFile::new(dir.path().join("data/tokens.json"));
        (dir, file)
    }

    #[test]
    fn a_missing_file_is_an_empty_vault_and_saves_round_trip() {
        let (_dir, file) = file();
        let (data, notice) = file.load(Utc::now()).unwrap();
        assert_eq!(data, VaultData::default());
        assert_eq!(notice, None);
        file.save(&data).unwrap();
        assert_eq!(file.load(Utc::now()).unwrap().0, data);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(file.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["tokens.json"]);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_with_a_timestamp_not_overwritten() {
        let (_dir, file) = file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        fs::write(file.path(), b"{\"version\": 1, \"tokens\": [ {oops").unwrap();
        let now = "2026-11-23T12:34:56Z".parse().unwrap();
        let (data, notice) = file.load(now).unwrap();
        assert!(data.tokens.is_empty());
        let Some(LoadNotice::CorruptMovedAside { moved_to, .. }) = notice else {
            panic!("no notice")
        };
        assert!(moved_to.ends_with("tokens.json.corrupt-20261123T123456Z"));
        assert_eq!(
            fs::read(&moved_to).unwrap(),
            b"{\"version\": 1, \"tokens\": [ {oops"
        );
        assert!(!file.path().exists());
    }

    #[test]
    fn a_newer_format_is_refused_and_left_untouched() {
        let (_dir, file) = file();
        fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        let newer = br#"{"version": 2, "tokens": [], "something_new": true}"#;
        fs::write(file.path(), newer).unwrap();
        let error = file.load(Utc::now()).unwrap_err();
        assert!(matches!(
            error,
            MetadataError::NewerVersion { found: 2, .. }
        ));
        assert!(error.to_string().contains("newer Tokenwarden"));
        assert_eq!(fs::read(file.path()).unwrap(), newer);
    }
}
