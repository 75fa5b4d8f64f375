//! The vault opened on a `tokens.json` that anything may have written
//! (a crash, an older or newer app, a hand edit), with a keychain holding
//! some of its values: `Vault::open_with` finishes or undoes each change
//! the file says was interrupted (`Pending`), then the tokens are listed.
//!
//! Input: the file; then, optionally, a line `---` and the accounts the
//! keychain holds (`ID#GENERATION`), one a line. Without that section the
//! keychain holds every token's current value.
#![no_main]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use tokenwarden_core::check::Clock;
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::jsonfile::Decoded;
use tokenwarden_core::vault::{
    KeychainError, NoFaults, SecretStore, Vault, VaultData, VaultParts, METADATA_FILE_NAME,
};
use tokenwarden_core::TokenSecret;
use tokenwarden_fuzz::{default_now, GITHUB_TOKEN};

/// A keychain in memory: which accounts hold a value.
struct MemoryKeychain(Mutex<BTreeSet<String>>);

impl MemoryKeychain {
    fn holds(&self, account: &str) -> bool {
        self.0.lock().unwrap().contains(account)
    }
}

impl SecretStore for MemoryKeychain {
    fn put(&self, account: &str, _: &TokenSecret) -> Result<(), KeychainError> {
        self.0.lock().unwrap().insert(account.to_owned());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<TokenSecret, KeychainError> {
        match self.holds(account) {
            true => Ok(TokenSecret::new(GITHUB_TOKEN)),
            false => Err(KeychainError::Missing),
        }
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
    fn exists(&self, account: &str) -> Result<bool, KeychainError> {
        Ok(self.holds(account))
    }
    fn backend(&self) -> &'static str {
        "memory"
    }
}

struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fuzz_target!(|data: &[u8]| {
    let (file, accounts) = match data.windows(5).position(|w| w == b"\n---\n") {
        Some(i) => (&data[..i], Some(&data[i + 5..])),
        None => (data, None),
    };
    // A file that does not parse is set aside (`app_data_files` covers
    // the decoding); here, what the vault does with one that does.
    let Decoded::Parsed(before) = VaultData::decode(file) else {
        return;
    };
    let held: BTreeSet<String> = match accounts {
        Some(lines) => String::from_utf8_lossy(lines)
            .lines()
            .map(str::to_owned)
            .collect(),
        None => before.tokens.iter().map(|r| r.current_account()).collect(),
    };
    // Memory-backed, so that thousands of vaults a second are opened.
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("a temporary folder");
    let path = dir.path().join(METADATA_FILE_NAME);
    std::fs::write(&path, file).expect("the file is written");
    let keychain = Arc::new(MemoryKeychain(Mutex::new(held.clone())));
    let (vault, notices) = Vault::open_with(VaultParts {
        data_dir: dir.path().to_owned(),
        store: keychain.clone(),
        checker: checker().into(),
        clock: Arc::new(FixedClock(default_now())),
        faults: Arc::new(NoFaults),
    })
    .expect("a vault whose file parses opens");
    for notice in &notices {
        let _ = notice.to_string();
    }
    let listed = vault.list().expect("an opened vault lists");

    let after = match VaultData::decode(&std::fs::read(&path).expect("the file is there")) {
        Decoded::Parsed(after) => after,
        other => panic!("opening left a file that does not load: {other:?}"),
    };
    // Every interrupted change was finished or undone.
    for record in &after.tokens {
        assert_eq!(record.pending, None, "{record:?}");
    }
    assert_eq!(listed.len(), after.tokens.len());
    // Tokens were dropped only for a reason the file gave.
    for record in before.tokens.iter().filter(|r| r.pending.is_none()) {
        assert!(
            after.tokens.contains(record),
            "{record:?} was changed or lost"
        );
    }

    // Opening never deletes the value a token it keeps points at. (Ids
    // are unique in any file Tokenwarden wrote; in a file with duplicate
    // ids, one record's values are the other's.)
    let mut ids = BTreeSet::new();
    if before.tokens.iter().all(|r| ids.insert(r.id.as_str())) {
        for record in &after.tokens {
            let account = record.current_account();
            assert_eq!(
                keychain.holds(&account),
                held.contains(&account),
                "opening deleted the value of {record:?}"
            );
        }
    }
});

/// The checker a vault is opened with; it is not used here (nothing is
/// checked), but every vault has one.
fn checker() -> Checker {
    Checker::new(CheckOptions::default())
}
