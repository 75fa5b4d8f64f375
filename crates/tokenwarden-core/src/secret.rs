//! The one type a token's value ever lives in while Tokenwarden uses it.
//!
//! `TokenSecret` zeroizes its memory on drop (secrecy/zeroize) and redacts
//! itself in `Debug` and `Display`, so a stray `{:?}` in a log line, an
//! error or a panic message prints `[redacted]`, never the token.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use zeroize::Zeroizing;

pub struct TokenSecret(SecretString);

impl TokenSecret {
    /// Wraps a token typed or pasted by the user, trimming the surrounding
    /// whitespace and newline a paste or `echo` adds.
    ///
    /// The value given is zeroized here, trimmed or not: `SecretString`
    /// takes a copy of exactly the trimmed length (so turning it into its
    /// boxed `str` never reallocates and leaves a copy in freed memory).
    pub fn new(value: impl Into<String>) -> Self {
        let value = Zeroizing::new(value.into());
        TokenSecret(SecretString::from(String::from(value.trim())))
    }

    /// The raw value, for building the one HTTP header or keychain entry
    /// that needs it. Never format it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

/// A secret can come *in* (the app's webview submits a pasted token) but
/// there is deliberately no `Serialize`: no response can carry one out.
impl<'de> serde::Deserialize<'de> for TokenSecret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = SecretString::deserialize(deserializer)?;
        Ok(TokenSecret::new(value.expose_secret()))
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret([redacted])")
    }
}

impl fmt::Display for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = TokenSecret::new("ghp_supersecretvalue");
        assert_eq!(format!("{s:?}"), "TokenSecret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(
            format!("{:#?}", Some(&s)),
            "Some(\n    TokenSecret([redacted]),\n)"
        );
    }

    #[test]
    fn deserializes_from_a_json_string() {
        let s: TokenSecret = serde_json::from_str("\"glpat-abc\\n\"").unwrap();
        assert_eq!(s.expose(), "glpat-abc");
    }

    #[test]
    fn trims_a_pasted_trailing_newline() {
        assert_eq!(TokenSecret::new("glpat-abc\n").expose(), "glpat-abc");
        assert_eq!(TokenSecret::new("  glpat-abc\r\n").expose(), "glpat-abc");
        assert!(TokenSecret::new("\n").is_empty());
    }
}
