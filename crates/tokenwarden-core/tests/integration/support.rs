//! Shared set-up for the integration tests: a provider simulator on
//! loopback and a checker whose retries and timeouts are short enough for
//! tests. The simulator judges expiry by the real clock, so these tests do
//! too (the expiry rules themselves are tested with a fixed clock in
//! `check::expiry`).
#![allow(dead_code, unused_imports)]

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokenwarden_core::check::{CheckReport, CheckRequest, HttpOptions, ProblemCode};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::vault::{KeychainError, SecretStore};
use tokenwarden_core::{ProviderKind, TokenSecret};
use tokio::io::AsyncWriteExt;
use url::Url;

pub use tokenwarden_sim::{
    Behaviour, Provider, RateLimit, SecondaryLimit, Simulator, TokenKind, TokenSpec,
};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn checker() -> Checker {
    checker_with(CheckOptions {
        http: HttpOptions {
            timeout: Duration::from_secs(2),
            retries: 2,
            backoff: Duration::from_millis(20),
        },
        per_host_concurrency: 8,
    })
}

pub fn checker_with(options: CheckOptions) -> Checker {
    Checker::new(options)
}

pub fn request(provider: ProviderKind, api_url: &str) -> CheckRequest {
    CheckRequest::new(provider, Url::parse(api_url).unwrap())
}

pub async fn check(request: &CheckRequest, token: &str) -> CheckReport {
    checker().check(request, &TokenSecret::new(token)).await
}

pub fn codes(report: &CheckReport) -> Vec<ProblemCode> {
    report.problems.iter().map(|p| p.code).collect()
}

/// `days` from now, to the second (providers report whole seconds).
pub fn in_days(days: i64) -> DateTime<Utc> {
    let at = now() + chrono::Duration::days(days);
    DateTime::from_timestamp(at.timestamp(), 0).unwrap()
}

/// A date `days` from today, as GitLab and Bitbucket expiry dates are.
pub fn date_in_days(days: i64) -> chrono::NaiveDate {
    (now() + chrono::Duration::days(days)).date_naive()
}

/// Every message in the report, for "the token never appears" checks.
pub fn all_text(report: &CheckReport) -> String {
    serde_json::to_string(report).unwrap()
}

/// Just enough of a keychain for the vault, in memory.
#[derive(Default)]
pub struct MemoryStore(pub Mutex<std::collections::HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        let mut map = self.0.lock().unwrap();
        map.insert(account.into(), secret.expose().into());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        let map = self.0.lock().unwrap();
        map.get(account)
            .map(TokenSecret::new)
            .ok_or(KeychainError::Missing)
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        Ok(self.0.lock().unwrap().contains_key(account))
    }
    fn backend(&self) -> &'static str {
        "memory"
    }
}

/// Serves `response` (status line, headers, body) to every connection.
pub async fn serve(head: &'static str, body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
                let head = format!(
                    "{head}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}
