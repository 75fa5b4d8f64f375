//! Versioned JSON files in the app-data folder (the vault's metadata, the
//! watcher's state): written atomically (a temporary file in the same
//! folder, fsync, rename, fsync of the folder), owner-only permissions; a
//! file that cannot be parsed is moved aside under a timestamped name, a
//! file from a newer version is reported, never rewritten.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What a file's bytes hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<T> {
    Parsed(T),
    /// Written by a newer version (which may not parse as ours).
    Newer(u32),
    /// Not a file of this kind: the parser's reason.
    Corrupt(String),
}

/// A versioned file's version, read the way the file itself is: fields it
/// does not name are skipped unvalidated, so whatever parses as a file of
/// ours also yields its version here. (Peeking through a
/// `serde_json::Value` did not: bytes that are not UTF-8 in a field this
/// version does not know failed the peek but passed the typed parse, and a
/// newer file was taken as ours.)
#[derive(Deserialize)]
struct VersionOnly {
    version: Option<u64>,
}

/// Decodes a versioned file's bytes. Pure: the loaders below add the file
/// system around it, and the fuzz targets (`fuzz/`) call it directly.
pub fn decode_versioned<T: DeserializeOwned>(bytes: &[u8], supported: u32) -> Decoded<T> {
    // Look at the version first: a newer file may not parse as ours.
    if let Ok(VersionOnly {
        version: Some(found),
    }) = serde_json::from_slice(bytes)
    {
        if found > u64::from(supported) {
            return Decoded::Newer(u32::try_from(found).unwrap_or(u32::MAX));
        }
    }
    match serde_json::from_slice::<T>(bytes) {
        Ok(value) => Decoded::Parsed(value),
        Err(error) => Decoded::Corrupt(error.to_string()),
    }
}

/// The bytes a file holding `value` is written with.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    json.push(b'\n');
    Ok(json)
}

/// What reading found.
pub(crate) enum Read<T> {
    Missing,
    Parsed(T),
    /// Written by a newer version: left untouched.
    Newer(u32),
    /// Unparseable: moved to `moved_to`.
    Corrupt {
        moved_to: PathBuf,
        reason: String,
    },
}

#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    /// The unreadable file could not be moved aside.
    MoveAside(String),
}

pub(crate) fn read_versioned<T: DeserializeOwned>(
    path: &Path,
    supported: u32,
    now: DateTime<Utc>,
) -> Result<Read<T>, ReadError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(ReadError::Io(e)),
    };
    match decode_versioned(&bytes, supported) {
        Decoded::Parsed(value) => Ok(Read::Parsed(value)),
        Decoded::Newer(found) => Ok(Read::Newer(found)),
        Decoded::Corrupt(reason) => Ok(Read::Corrupt {
            moved_to: move_aside(path, now).map_err(ReadError::MoveAside)?,
            reason,
        }),
    }
}

fn move_aside(path: &Path, now: DateTime<Utc>) -> Result<PathBuf, String> {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = path.with_file_name(format!("{file_name}.corrupt-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = path.with_file_name(format!("{file_name}.corrupt-{stamp}-{n}"));
    }
    fs::rename(path, &target)
        .map_err(|e| format!("the unreadable file could not be moved aside ({e})"))?;
    Ok(target)
}

/// Replaces the file at `path` with `value`, atomically. The error is a
/// reason in plain words ("the disk is full").
pub(crate) fn write_atomic<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let dir = path.parent().ok_or("it has no parent folder")?;
    create_private_dir(dir).map_err(|e| describe_io(&e))?;
    let json = encode(value)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let written = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(describe_io(&e));
    }
    Ok(())
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

/// Creates the app-data folder readable by its owner only. A folder that
/// already exists must belong to this user (another user's folder could be
/// swapped or read under us: refused, with the fix) and is tightened to
/// `0700` if group or others could reach into it.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return check_private_dir(dir);
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

#[cfg(unix)]
fn check_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let metadata = fs::metadata(dir)?;
    let me = rustix::process::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(std::io::Error::other(format!(
            "the folder {} belongs to another user (uid {}), not to you (uid {me}), so Tokenwarden will not keep its token list there. Remove it if you did not create it, or set TOKENWARDEN_DATA_DIR to a folder of yours",
            dir.display(),
            metadata.uid()
        )));
    }
    if metadata.mode() & 0o077 != 0 {
        tracing::info!(folder = %dir.display(), "app-data folder was open to others: set to 0700");
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Elsewhere the per-user profile's permissions apply (SECURITY.md).
#[cfg(not(unix))]
fn check_private_dir(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Opens (creating if needed) a file that only its owner may read or
/// write, tightening one that others could (the vault's lock file).
pub(crate) fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
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

    #[derive(Debug, PartialEq, Deserialize)]
    struct File {
        version: u32,
    }

    // Found by fuzzing (fuzz/fuzz_targets/app_data_files.rs).
    #[test]
    fn a_newer_file_is_recognised_even_with_bytes_we_would_skip() {
        let newer = b"{\"version\": 2, \"added_later\": \"\xff\"}";
        assert_eq!(decode_versioned::<File>(newer, 1), Decoded::Newer(2));
        let ours = b"{\"version\": 1, \"added_later\": \"\xff\"}";
        assert_eq!(
            decode_versioned::<File>(ours, 1),
            Decoded::Parsed(File { version: 1 })
        );
    }

    #[test]
    fn versions_beyond_u32_are_newer_and_odd_ones_corrupt() {
        let huge = br#"{"version": 18446744073709551615}"#;
        assert_eq!(decode_versioned::<File>(huge, 1), Decoded::Newer(u32::MAX));
        for odd in [&br#"{"version": "2"}"#[..], br#"{"version": 2.5}"#, b"[]"] {
            assert!(matches!(
                decode_versioned::<File>(odd, 1),
                Decoded::Corrupt(_)
            ));
        }
    }
}
