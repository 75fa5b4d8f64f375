//! A deadline on every keychain call. A locked Secret Service can sit on
//! an unlock prompt indefinitely; the user gets an error that says so
//! instead of a frozen app. The call runs on a worker thread; when the
//! deadline passes, the caller moves on and the thread finishes (or not)
//! on its own. A write that finishes after its caller gave up is not
//! forgotten: it is reported (`SecretStore::late_writes`), so the vault,
//! which kept the change journaled, can settle it.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::keychain::{KeychainError, LateWrite, SecretStore};
use crate::secret::TokenSecret;
use crate::sync::LockExt;

pub struct TimedStore {
    inner: Arc<dyn SecretStore>,
    timeout: Duration,
    late: Arc<Mutex<Vec<LateWrite>>>,
}

/// Where a worker leaves its result, or learns that nobody waits for it.
enum Slot<T> {
    Waiting,
    Done(Result<T, KeychainError>),
    GaveUp,
}

impl TimedStore {
    pub fn new(inner: Arc<dyn SecretStore>, timeout: Duration) -> Self {
        TimedStore {
            inner,
            timeout,
            late: Arc::default(),
        }
    }

    /// Runs `op` on a worker, waiting for it until the deadline. If the
    /// caller gave up, `on_late` gets the result when it comes.
    fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn SecretStore) -> Result<T, KeychainError> + Send + 'static,
        on_late: impl FnOnce(Result<T, KeychainError>) + Send + 'static,
    ) -> Result<T, KeychainError> {
        let slot = Arc::new((Mutex::new(Slot::Waiting), Condvar::new()));
        let worker_slot = slot.clone();
        let inner = self.inner.clone();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let result = op(inner.as_ref());
                let (lock, ready) = &*worker_slot;
                let mut state = lock.lock_or_recover();
                if matches!(*state, Slot::GaveUp) {
                    drop(state);
                    on_late(result);
                } else {
                    *state = Slot::Done(result);
                    ready.notify_one();
                }
            })
            .map_err(|e| KeychainError::Failed {
                detail: format!("could not start the keychain worker ({e})"),
            })?;
        let (lock, ready) = &*slot;
        let state = lock.lock_or_recover();
        let (mut state, _) = ready
            .wait_timeout_while(state, self.timeout, |s| matches!(s, Slot::Waiting))
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match std::mem::replace(&mut *state, Slot::GaveUp) {
            Slot::Done(result) => result,
            _ => Err(KeychainError::Timeout(self.timeout.as_secs().max(1))),
        }
    }
}

impl SecretStore for TimedStore {
    fn put(&self, account: &str, secret: &TokenSecret) -> Result<(), KeychainError> {
        let owned = account.to_owned();
        // The worker needs its own copy; it is zeroized when dropped.
        let secret = TokenSecret::new(secret.expose());
        let late = self.late.clone();
        let late_account = account.to_owned();
        self.run(
            move |store| store.put(&owned, &secret),
            move |outcome| {
                late.lock_or_recover().push(LateWrite {
                    account: late_account,
                    outcome,
                })
            },
        )
    }

    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.get(&account), drop)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.delete(&account), drop)
    }

    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        let account = account.to_owned();
        self.run(move |store| store.exists(&account), drop)
    }

    /// One worker and one deadline for the whole batch.
    fn exist_many(&self, accounts: &[String]) -> Vec<Result<bool, KeychainError>> {
        let owned = accounts.to_vec();
        self.run(move |store| Ok(store.exist_many(&owned)), drop)
            .unwrap_or_else(|error| accounts.iter().map(|_| Err(error.clone())).collect())
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    fn lists_accounts(&self) -> bool {
        self.inner.lists_accounts()
    }

    fn accounts(&self) -> Result<Vec<String>, KeychainError> {
        self.run(|store| store.accounts(), drop)
    }

    fn late_writes(&self) -> Vec<LateWrite> {
        let mut taken = std::mem::take(&mut *self.late.lock_or_recover());
        taken.extend(self.inner.late_writes());
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::LateWrite;

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
    fn a_write_that_ends_after_the_deadline_is_reported_once() {
        let store = TimedStore::new(Arc::new(Stuck), Duration::from_millis(100));
        assert_eq!(
            store.put("a#1", &TokenSecret::new("x")).unwrap_err(),
            KeychainError::Timeout(1)
        );
        assert!(store.late_writes().is_empty(), "reported before it ended");
        std::thread::sleep(Duration::from_millis(5300));
        assert_eq!(
            store.late_writes(),
            [LateWrite {
                account: "a#1".into(),
                outcome: Ok(())
            }]
        );
        assert!(store.late_writes().is_empty());
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
