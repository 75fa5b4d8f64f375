//! The connected Qovery organizations' git tokens that have no local value
//! ("Only in Qovery"), as the expiry watcher sees tokens: fetched at the
//! watcher's first round and at its daily check time (not every round),
//! and kept in memory between, so reminders, notifications and the tray
//! include them without asking Qovery each time.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tokenwarden_core::check::{Http, EXPIRES_SOON_DAYS};
use tokenwarden_core::destinations::qovery;
use tokenwarden_core::status::{self, Wording};
use tokenwarden_core::sync::LockExt;
use tokenwarden_core::vault::{TokenStatus, Vault};
use tokenwarden_core::watch::WatchedToken;

#[derive(Default)]
pub struct QoveryWatched {
    /// None until the first fetch.
    tokens: Mutex<Option<Vec<WatchedToken>>>,
}

impl QoveryWatched {
    /// Whether nothing was fetched yet (the watcher's first round).
    pub fn is_empty(&self) -> bool {
        self.tokens.lock_or_recover().is_none()
    }

    /// Forgets what was fetched (an organization was connected or
    /// disconnected): the next round asks again.
    pub fn forget(&self) {
        *self.tokens.lock_or_recover() = None;
    }

    /// The last fetched tokens.
    pub fn current(&self) -> Vec<WatchedToken> {
        self.tokens.lock_or_recover().clone().unwrap_or_default()
    }

    /// Asks each connected organization for its git tokens. An organization
    /// that cannot be asked keeps what was last fetched for it, so a
    /// network outage silences no reminder.
    pub async fn refresh(&self, vault: &Vault, http: &Http) {
        let connections = match qovery::connections(vault) {
            Ok(connections) => connections,
            Err(error) => {
                tracing::warn!(%error, "the Qovery connections could not be read");
                return;
            }
        };
        let previous = self.current();
        let mut fresh = Vec::new();
        for connection in connections {
            match qovery::git_tokens(vault, http, Some(&connection.org_id), false).await {
                Ok(listing) => fresh.extend(listing.watched()),
                Err(error) => {
                    tracing::warn!(org = %connection.org_id, %error, "Qovery's git tokens could not be listed");
                    let prefix = format!("qovery:{}:", connection.org_id);
                    fresh.extend(
                        previous
                            .iter()
                            .filter(|t| t.id.starts_with(&prefix))
                            .cloned(),
                    );
                }
            }
        }
        *self.tokens.lock_or_recover() = Some(fresh);
    }
}

/// A Qovery-only token's state for the tray's icon, by its expiry alone
/// (Qovery tested its value when it was saved; Tokenwarden holds none to
/// check): expired, expiring soon, or fine.
pub fn status(token: &WatchedToken, now: DateTime<Utc>) -> TokenStatus {
    match token.deadline() {
        Some(at) if at <= now => TokenStatus::Expired,
        Some(at) if status::days_left(at, now) < EXPIRES_SOON_DAYS => TokenStatus::Expiring,
        _ => TokenStatus::Ready,
    }
}

/// The tray's line for a Qovery-only token: "deploy-bot (Qovery Acme): 6
/// days left".
pub fn menu_line(token: &WatchedToken, now: DateTime<Utc>) -> String {
    let days = token.deadline().map(|at| status::days_left(at, now));
    format!(
        "{}: {}",
        token.name,
        status::days_left_words(days, token.expiry, Wording::Menu)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::check::ExpirySource;

    #[test]
    fn a_connection_change_makes_the_next_round_ask_again() {
        let watched = QoveryWatched::default();
        assert!(watched.is_empty(), "nothing fetched before the first round");
        *watched.tokens.lock_or_recover() = Some(Vec::new());
        assert!(!watched.is_empty(), "fetched, even if no git token");
        watched.forget();
        assert!(watched.is_empty());
    }

    #[test]
    fn a_qovery_only_token_reads_in_the_tray_as_any_other() {
        let now = Utc::now();
        let token = WatchedToken {
            id: "qovery:org:gt".into(),
            name: "deploy-bot (Qovery Acme)".into(),
            provider: tokenwarden_core::providers::all()[0].kind(),
            expires_at: Some(now + chrono::Duration::days(6) + chrono::Duration::hours(1)),
            expiry: ExpirySource::Provider,
            health: tokenwarden_core::watch::CheckHealth::Unknown,
        };
        assert_eq!(
            menu_line(&token, now),
            "deploy-bot (Qovery Acme): 6 days left"
        );
        assert_eq!(status(&token, now), TokenStatus::Expiring);
        let later = now + chrono::Duration::days(30);
        assert_eq!(status(&token, later), TokenStatus::Expired);
        let far = WatchedToken {
            expires_at: Some(now + chrono::Duration::days(200)),
            ..token.clone()
        };
        assert_eq!(status(&far, now), TokenStatus::Ready);
        let unknown = WatchedToken {
            expires_at: None,
            expiry: ExpirySource::Unknown,
            ..token
        };
        assert!(menu_line(&unknown, now).starts_with("deploy-bot (Qovery Acme): "));
        assert_eq!(status(&unknown, now), TokenStatus::Ready);
    }
}
