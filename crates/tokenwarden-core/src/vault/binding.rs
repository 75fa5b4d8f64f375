//! Each secret is bound to its server inside the keychain item itself: the
//! value is stored in a small versioned envelope naming the API's origin
//! and the private CA file it was checked with. `tokens.json` alone then
//! cannot send a secret elsewhere: whoever can write that file but not
//! read the keychain could otherwise point every token at their own host
//! before the next daily check. The vault compares the two before any
//! request and refuses on a difference (`VaultError::ServerChanged`).
//!
//! An envelope rather than keychain attributes: keyring's attributes are
//! Secret Service only (macOS and Windows expose a fixed few, not ours),
//! and the value is the one thing every platform stores and returns whole.
//! A value stored before this (no envelope) is still read, and bound to
//! the server its record names at its first use (`Vault::bound_secret`).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::record::TokenRecord;
use crate::secret::TokenSecret;

/// What starts an envelope (and its format's version). A token never
/// starts with it: none of the providers' formats has a space.
const MAGIC: &str = "tokenwarden-secret/1 ";

/// Where a stored secret may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// `scheme://host[:port]` of the API base, lower-case.
    pub origin: String,
    /// The absolute path of the private CA file, if any.
    pub ca_file: Option<String>,
}

impl Binding {
    /// The server a record names. An address that does not parse binds to
    /// itself (and the check refuses it anyway).
    pub fn of(record: &TokenRecord) -> Binding {
        Binding::new(&record.api_url, record.ca_file.as_deref())
    }

    pub fn new(api_url: &str, ca_file: Option<&str>) -> Binding {
        let origin = match url::Url::parse(api_url) {
            Ok(url) => url.origin().ascii_serialization(),
            Err(_) => api_url.to_ascii_lowercase(),
        };
        Binding {
            origin,
            ca_file: ca_file.map(str::to_owned),
        }
    }

    /// The server in words, for the refusal.
    pub fn describe(&self) -> String {
        match &self.ca_file {
            Some(path) => format!("{} (CA file {path})", self.origin),
            None => self.origin.clone(),
        }
    }
}

/// The keychain item's value for `secret` bound to `binding`. Built in a
/// buffer of its exact size so no growth leaves a copy behind, and moved
/// into the returned `TokenSecret` (which zeroizes it).
pub fn seal(secret: &TokenSecret, binding: &Binding) -> TokenSecret {
    let header = serde_json::to_string(binding).expect("a binding is plain strings");
    let length = MAGIC.len() + header.len() + 1 + secret.expose().len();
    let mut sealed = Zeroizing::new(String::with_capacity(length));
    sealed.push_str(MAGIC);
    sealed.push_str(&header);
    sealed.push('\n');
    sealed.push_str(secret.expose());
    TokenSecret::new(sealed.as_str())
}

/// A keychain item's value, opened.
pub enum Unsealed {
    Bound(TokenSecret, Binding),
    /// Stored before values were bound.
    Plain(TokenSecret),
}

/// Opens a keychain item's value. An envelope whose header does not parse
/// is an error, never taken as a plain value (which would unbind it).
pub fn unseal(stored: TokenSecret) -> Result<Unsealed, String> {
    let Some(rest) = stored.expose().strip_prefix(MAGIC) else {
        return Ok(Unsealed::Plain(stored));
    };
    let (header, value) = rest
        .split_once('\n')
        .ok_or("the stored value's envelope has no value")?;
    let binding: Binding = serde_json::from_str(header)
        .map_err(|e| format!("the stored value's envelope cannot be read ({e})"))?;
    Ok(Unsealed::Bound(TokenSecret::new(value), binding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_to_the_same_secret_and_server() {
        let binding = Binding::new("https://GHE.example.com:8443/api/v3", Some("/etc/ca.pem"));
        assert_eq!(binding.origin, "https://ghe.example.com:8443");
        let sealed = seal(&TokenSecret::new("ghp_abc"), &binding);
        assert!(sealed.expose().starts_with(MAGIC));
        let Ok(Unsealed::Bound(secret, opened)) = unseal(sealed) else {
            panic!("not bound")
        };
        assert_eq!(secret.expose(), "ghp_abc");
        assert_eq!(opened, binding);
    }

    #[test]
    fn a_plain_value_is_plain_and_a_damaged_envelope_an_error() {
        assert!(matches!(
            unseal(TokenSecret::new("glpat-xyz")),
            Ok(Unsealed::Plain(s)) if s.expose() == "glpat-xyz"
        ));
        assert!(unseal(TokenSecret::new(format!("{MAGIC}{{\"origin\"\nghp_x"))).is_err());
        assert!(unseal(TokenSecret::new(format!("{MAGIC}{{}}"))).is_err());
    }
}
