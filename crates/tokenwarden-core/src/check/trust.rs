//! Trusting a self-hosted server's private certificate authority.
//!
//! Checks trust the platform's root certificates. A GitHub Enterprise or
//! self-managed GitLab server behind a company's own certificate authority
//! adds that authority's certificate, from a PEM file the user names, for
//! that token only. There is no way to skip verification: a server whose
//! certificate chains to neither is refused.
//!
//! The vault keeps the file's absolute path, not its contents: the file
//! is public material the company's IT manages (and renews) in one place,
//! so a renewed CA takes effect without editing every token, and a file
//! that disappears is reported by name rather than trusted from a stale
//! copy. The file is read again at every check (it is small).

use crate::sync::LockExt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why a CA file cannot be used. Each message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaFileError {
    #[error("The CA certificate file {path} does not exist. Give the path of the PEM file that holds your server's certificate authority.")]
    Missing { path: String },
    #[error("The CA certificate file {path} cannot be read: {reason}.")]
    Unreadable { path: String, reason: String },
    #[error("The CA certificate file {path} holds no certificate: it should be PEM text starting with -----BEGIN CERTIFICATE-----.")]
    NoCertificate { path: String },
    #[error("The CA certificate file {path} is not a valid certificate: {reason}.")]
    Invalid { path: String, reason: String },
}

/// A CA file as typed by the user (relative to the current folder, or
/// `~/`), made absolute and proven usable, for storing with a token.
pub fn resolve_ca_file(input: &str) -> Result<PathBuf, CaFileError> {
    let trimmed = input.trim();
    let expanded = match trimmed.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().map_or_else(|| PathBuf::from(trimmed), |h| h.join(rest)),
        None => PathBuf::from(trimmed),
    };
    let absolute = std::fs::canonicalize(&expanded).map_err(|e| io_error(&expanded, &e))?;
    load(&absolute)?;
    Ok(absolute)
}

/// The certificates in `path`, each proven to parse.
pub(crate) fn load(path: &Path) -> Result<(Vec<u8>, Vec<reqwest::Certificate>), CaFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| CaFileError::Invalid {
            path: shown.clone(),
            reason: innermost(&e),
        })?;
    if certificates.is_empty() {
        return Err(CaFileError::NoCertificate { path: shown });
    }
    // reqwest only parses a certificate's DER when a client is built:
    // build one with these alone, so a corrupt one is named now.
    let mut probe = reqwest::Client::builder().tls_built_in_root_certs(false);
    for certificate in &certificates {
        probe = probe.add_root_certificate(certificate.clone());
    }
    probe.build().map_err(|e| CaFileError::Invalid {
        path: shown,
        reason: innermost(&e),
    })?;
    Ok((bytes, certificates))
}

fn io_error(path: &Path, error: &std::io::Error) -> CaFileError {
    let path = path.display().to_string();
    if error.kind() == std::io::ErrorKind::NotFound {
        CaFileError::Missing { path }
    } else {
        CaFileError::Unreadable {
            path,
            reason: error.to_string(),
        }
    }
}

fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(source) = last.source() {
        last = source;
    }
    last.to_string()
}

/// A client built for a CA file, and the file's contents it was built from.
#[derive(Debug)]
struct Trusting {
    contents: Vec<u8>,
    client: reqwest::Client,
}

/// HTTP clients that trust a CA file besides the platform roots, one per
/// file, rebuilt when the file's contents change.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustCache {
    clients: Arc<Mutex<HashMap<PathBuf, Trusting>>>,
}

impl TrustCache {
    /// A client trusting `path`'s certificates, built by `build` from them
    /// (or the cached one, if the file has not changed).
    pub fn client(
        &self,
        path: &Path,
        build: impl FnOnce(Vec<reqwest::Certificate>) -> Result<reqwest::Client, CaFileError>,
    ) -> Result<reqwest::Client, CaFileError> {
        let (bytes, certificates) = load(path)?;
        let mut clients = self.clients.lock_or_recover();
        if let Some(cached) = clients.get(path) {
            if cached.contents == bytes {
                return Ok(cached.client.clone());
            }
        }
        let client = build(certificates)?;
        clients.insert(
            path.to_owned(),
            Trusting {
                contents: bytes,
                client: client.clone(),
            },
        );
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_empty_or_corrupt_file_is_named_in_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let error = resolve_ca_file(missing.to_str().unwrap()).unwrap_err();
        assert!(matches!(error, CaFileError::Missing { .. }), "{error}");
        assert!(error.to_string().contains("nope.pem"), "{error}");

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a certificate\n").unwrap();
        let error = resolve_ca_file(text.to_str().unwrap()).unwrap_err();
        assert!(
            matches!(error, CaFileError::NoCertificate { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("notes.txt"), "{error}");

        let corrupt = dir.path().join("corrupt.pem");
        std::fs::write(
            &corrupt,
            "-----BEGIN CERTIFICATE-----\nTUlJQm5vdCBhIGNlcnQ=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = resolve_ca_file(corrupt.to_str().unwrap()).unwrap_err();
        assert!(matches!(error, CaFileError::Invalid { .. }), "{error}");
        assert!(error.to_string().contains("corrupt.pem"), "{error}");

        let folder = resolve_ca_file(dir.path().to_str().unwrap()).unwrap_err();
        assert!(matches!(folder, CaFileError::Unreadable { .. }), "{folder}");
    }
}
