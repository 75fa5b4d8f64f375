//! Exports of the vault for the tools teams already run: the Prometheus
//! text exposition format for node_exporter's textfile collector
//! (`prometheus.rs`), and an iCalendar file of expiry dates (`ics.rs`).
//!
//! Both are pure functions of the tokens (metadata only: an export never
//! sees a secret), the settings and `now`, so they are tested without a
//! keychain or a clock. `write_atomic` puts one on disk so that a reader
//! (a collector, a calendar) never sees half a file.

mod ics;
mod prometheus;

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use url::Url;

use crate::providers;
use crate::vault::TokenView;

pub use ics::ics;
pub use prometheus::{escape_label_value, prometheus};

/// The formats `tokenwarden export --format` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Prometheus,
    Ics,
}

/// Where Tokenwarden learned of a token: every export series carries it
/// as the `source` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Stored in this computer's vault.
    Vault,
    /// Known only from a connected Qovery organization (its Git tokens):
    /// metadata without a secret here. Produced once the Qovery
    /// integration lands.
    Qovery,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Vault => "vault",
            Source::Qovery => "qovery",
        }
    }
}

/// One token as the exports see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportToken {
    pub token: TokenView,
    pub source: Source,
    /// The services that use it, when it is linked to a deployment
    /// platform ("Qovery: acme/production/api"). Empty until the Qovery
    /// integration fills it.
    pub used_by: Vec<String>,
}

impl ExportToken {
    /// A token of the local vault.
    pub fn from_vault(token: TokenView) -> Self {
        ExportToken {
            token,
            source: Source::Vault,
            used_by: Vec::new(),
        }
    }

    /// The API host (and port when not the default): `api.github.com`,
    /// `127.0.0.1:8080`. Never a user name or password.
    pub fn api_host(&self) -> String {
        match Url::parse(&self.token.record.api_url) {
            Ok(url) => match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                (None, _) => String::new(),
            },
            Err(_) => String::new(),
        }
    }

    /// The provider's lower-case word (`github`).
    pub fn provider_slug(&self) -> &'static str {
        providers::get(self.token.record.provider).slug()
    }

    /// The provider's name (`GitHub`).
    pub fn provider_name(&self) -> &'static str {
        providers::get(self.token.record.provider).name()
    }

    /// The token kind's wire name (`classic`, `fine-grained`), or `unknown`.
    pub fn kind_label(&self) -> String {
        self.token
            .record
            .kind
            .map_or_else(|| "unknown".to_owned(), wire_name)
    }
}

/// The serde name of a unit enum variant (`fine-grained`, `secret_missing`).
pub(crate) fn wire_name<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "unknown".to_owned(),
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, flushed to disk, then renamed over `path`. A reader sees the
/// old file or the new one, never half of one. The temporary file starts
/// with a dot and does not end in `.prom`, so node_exporter never reads it.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::check::{ExpirySource, Verdict};
    use crate::model::{ProviderKind, TokenKindId};
    use crate::vault::{LastCheck, SecretState, TokenRecord};

    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    pub fn record(name: &str, expires_at: Option<DateTime<Utc>>) -> TokenRecord {
        TokenRecord {
            id: format!("id-{name}"),
            name: name.into(),
            description: String::new(),
            provider: ProviderKind::Github,
            kind: Some(TokenKindId::FineGrained),
            host: None,
            api_url: "https://api.github.com".into(),
            org: Some("acme".into()),
            repo: Some("acme/app".into()),
            project: None,
            group: None,
            workspace: None,
            ca_file: None,
            identity: None,
            scopes: None,
            expires_at,
            expiry: if expires_at.is_some() {
                ExpirySource::Provider
            } else {
                ExpirySource::Never
            },
            user_expires_at: None,
            created_at: now(),
            updated_at: now(),
            last_checked_at: Some(Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).unwrap()),
            failing_since: None,
            last_check: Some(LastCheck {
                verdict: Verdict::Ready,
                ready: true,
                missing: vec![],
                unverified: vec![],
                problems: vec![],
            }),
            rotated_at: None,
            shortfall_accepted: false,
            generation: 1,
            pending: None,
            unpushed: vec![],
            qovery: None,
        }
    }

    pub fn token(record: TokenRecord) -> ExportToken {
        ExportToken::from_vault(TokenView::new(record, SecretState::Present, now()))
    }

    #[test]
    fn the_host_is_the_api_host_with_its_port_and_never_credentials() {
        let mut r = record("a", None);
        r.api_url = "http://user:pw@127.0.0.1:8080/api/v3".into();
        assert_eq!(token(r).api_host(), "127.0.0.1:8080");
        assert_eq!(token(record("b", None)).api_host(), "api.github.com");
    }

    #[test]
    fn writes_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenwarden.prom");
        write_atomic(&path, "one\n").unwrap();
        write_atomic(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["tokenwarden.prom"]);
        assert!(write_atomic(&dir.path().join("missing/x.prom"), "x").is_err());
    }
}
