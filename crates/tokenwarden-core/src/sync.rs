//! Locks that outlive a panic, for the core and the desktop shell. A task
//! that panicked while holding a lock leaves it poisoned; the data behind
//! every lock in Tokenwarden stays consistent at each step (a list, a
//! slot, a map of parked secrets or rate-limit holds), so the app goes on
//! with it rather than failing every later command.

use std::sync::{Mutex, MutexGuard};

pub trait LockExt<T> {
    /// The guard, also when a panic poisoned the lock.
    fn lock_or_recover(&self) -> MutexGuard<'_, T>;
}

impl<T> LockExt<T> for Mutex<T> {
    fn lock_or_recover(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_still_hands_out_its_data() {
        let lock = std::sync::Arc::new(Mutex::new(vec![1]));
        let poisoner = lock.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock().unwrap();
            panic!("poison it");
        })
        .join();
        assert!(lock.is_poisoned());
        lock.lock_or_recover().push(2);
        assert_eq!(*lock.lock_or_recover(), vec![1, 2]);
    }
}
