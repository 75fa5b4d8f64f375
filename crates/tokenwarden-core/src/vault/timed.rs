//! A deadline on every keychain call. A locked Secret Service can sit on
//! an unlock prompt indefinitely; the user gets an error that says so
//! instead of a frozen app. The call runs on a worker thread; when the
//! deadline passes, the caller moves on and the thread finishes (or not)
//! on its own.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use super::keychain::{KeychainError, SecretStore};
use crate::secret::TokenSecret;

pub struct TimedStore {
    inner: Arc<dyn SecretStore>,
    timeout: Duration,
}

impl TimedStore {
    pub fn new(inner: Arc<dyn SecretStore>, timeout: Duration) -> Self {
        TimedStore { inner, timeout }
    }

    fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn SecretStore) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let inner = self.inner.clone();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let _ = tx.send(op(inner.as_ref()));
            })
            .map_err(|e| KeychainError::Failed {
                detail: format!("could not start the keychain worker ({e})"),
            })?;
        rx.recv_timeout(self.timeout)
            .map_err(|_| KeychainError::Timeout(self.timeout.as_secs().max(1)))?
    }
}

impl SecretStore for TimedStore {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        let account = account.to_owned();
        // The worker needs its own copy; it is zeroized when dropped.
        let secret = TokenSecret::new(secret.expose());
        self.run(move |store| store.put(&account, &secret))
    }

    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.get(&account))
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.delete(&account))
    }

    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.exists(&account))
    }

    /// One worker and one deadline for the whole batch.
    fn exist_many(&self, accounts: &[String]) -> Vec<Result<bool, KeychainError>> {
        let owned = accounts.to_vec();
        self.run(move |store| Ok(store.exist_many(&owned)))
            .unwrap_or_else(|error| accounts.iter().map(|_| Err(error.clone())).collect())
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Stuck;
    impl SecretStore for Stuck {
        fn put(&self, _: &str, _: &TokenSecret) -> Result<(), KeychainError> {
            std::thread::sleep(Duration::from_secs(5));
            Ok(())
        }
        fn get(&self, _: &str) -> Result<TokenSecret, KeychainError> {
            Err(KeychainError::Missing)
        }
        fn delete(&self, _: &str) -> Result<(), KeychainError> {
            Ok(())
        }
        fn exists(&self, account: &str) -> Result<bool, KeychainError> {
            if account.starts_with("slow") {
                std::thread::sleep(Duration::from_secs(5));
            }
            Ok(false)
        }
        fn backend(&self) -> &'static str {
            "stuck"
        }
    }

    #[test]
    fn a_batch_of_lookups_shares_one_deadline() {
        let store = TimedStore::new(Arc::new(Stuck), Duration::from_millis(100));
        let answers = store.exist_many(&["a#1".into(), "b#1".into()]);
        assert_eq!(answers, vec![Ok(false), Ok(false)]);

        let started = std::time::Instant::now();
        let answers = store.exist_many(&["a#1".into(), "slow#1".into(), "c#1".into()]);
        assert_eq!(answers, vec![Err(KeychainError::Timeout(1)); 3]);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_keychain_that_does_not_answer_times_out_with_a_clear_error() {
        let store = TimedStore::new(Arc::new(Stuck), Duration::from_millis(100));
        let started = std::time::Instant::now();
        let error = store.put("a#1", &TokenSecret::new("x")).unwrap_err();
        assert_eq!(error, KeychainError::Timeout(1));
        assert!(error.to_string().contains("unlock"));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(store.get("a#1").unwrap_err(), KeychainError::Missing);
    }
}
