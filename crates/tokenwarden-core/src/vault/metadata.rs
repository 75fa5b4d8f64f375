//! The metadata file: one versioned JSON document in the app-data folder,
//! shared by the app and the CLI.
//!
//! Written atomically (a temporary file in the same folder, fsync, rename,
//! fsync of the folder), so a crash or a full disk leaves the old file or
//! the new one, never half of one. A file that cannot be parsed is moved
//! aside under a timestamped name and reported, never overwritten; a file
//! from a newer version is refused and left untouched.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::record::{VaultData, FORMAT_VERSION};

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
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok((VaultData::default(), None)),
            Err(source) => {
                return Err(MetadataError::Read {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        // Look at the version first: a newer file may not parse as ours.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(found) = value.get("version").and_then(|v| v.as_u64()) {
                if found > u64::from(FORMAT_VERSION) {
                    return Err(MetadataError::NewerVersion {
                        path: self.path.clone(),
                        found: u32::try_from(found).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        match serde_json::from_slice::<VaultData>(&bytes) {
            Ok(data) => Ok((data, None)),
            Err(error) => {
                let moved_to = self.move_aside(now)?;
                Ok((
                    VaultData::default(),
                    Some(LoadNotice::CorruptMovedAside {
                        moved_to,
                        reason: error.to_string(),
                    }),
                ))
            }
        }
    }

    fn move_aside(&self, now: DateTime<Utc>) -> Result<PathBuf, MetadataError> {
        let stamp = now.format("%Y%m%dT%H%M%SZ");
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokens.json".into());
        let mut target = self
            .path
            .with_file_name(format!("{file_name}.corrupt-{stamp}"));
        let mut n = 1;
        while target.exists() {
            n += 1;
            target = self
                .path
                .with_file_name(format!("{file_name}.corrupt-{stamp}-{n}"));
        }
        fs::rename(&self.path, &target).map_err(|e| MetadataError::Write {
            path: self.path.clone(),
            reason: format!("the unreadable file could not be moved aside ({e})"),
        })?;
        Ok(target)
    }

    /// Replaces the file with `data`, atomically.
    pub fn save(&self, data: &VaultData) -> Result<(), MetadataError> {
        let fail = |reason: String| MetadataError::Write {
            path: self.path.clone(),
            reason,
        };
        let dir = self
            .path
            .parent()
            .ok_or_else(|| fail("it has no parent folder".into()))?;
        create_private_dir(dir).map_err(|e| fail(describe_io(&e)))?;
        let json = serde_json::to_vec_pretty(data).map_err(|e| fail(e.to_string()))?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            self.path.file_name().unwrap_or_default().to_string_lossy(),
            uuid::Uuid::new_v4().simple()
        ));
        let written = (|| {
            let mut file = private_file(&tmp)?;
            file.write_all(&json)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, &self.path)?;
            sync_dir(dir)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(fail(describe_io(&e)));
        }
        Ok(())
    }
}

fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::StorageFull => "the disk is full".into(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "the folder is not writable".into()
        }
        _ => error.to_string(),
    }
}

/// Creates the app-data folder readable by its owner only.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes the rename itself durable (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
