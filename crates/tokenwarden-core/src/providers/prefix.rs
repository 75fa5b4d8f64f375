//! Recognising which provider issued a token from its prefix, so a token is
//! never sent to the wrong provider (a GitHub token typed into a GitLab
//! form would otherwise reach a server that has no business seeing it).
//!
//! Sources: GitHub's token formats (changelog 2021-03-31); GitLab's token
//! prefixes (self-managed instances may change `glpat-`, so a token is never
//! refused for *lacking* a prefix, only for carrying another provider's);
//! Atlassian's `ATCTT` (access tokens), `ATATT` (API tokens), `ATBB` (app
//! passwords).

//! Each provider lists its own prefixes (`Provider::token_prefixes`).

use super::all;
use crate::model::ProviderKind;

/// The provider whose prefix the token carries, if any.
pub fn provider_of_token(token: &str) -> Option<ProviderKind> {
    all()
        .iter()
        .find(|p| {
            p.token_prefixes()
                .iter()
                .any(|prefix| token.starts_with(prefix))
        })
        .map(|p| p.kind())
}

/// The fewest characters any provider's token has (GitLab's `glpat-` and
/// 20 more). Shorter text with a prefix is a word, not a token.
const SHORTEST_TOKEN: usize = 16;

/// Whether `text` holds something that looks like a token: a run of
/// token characters (letters, digits, `_`, `-`) carrying a provider's
/// prefix and long enough to be one. For fields where a token has no
/// business being, such as an address.
pub fn contains_token(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .any(|run| run.len() >= SHORTEST_TOKEN && provider_of_token(run).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_providers_prefixes() {
        assert_eq!(provider_of_token("ghp_abc"), Some(ProviderKind::Github));
        assert_eq!(
            provider_of_token("github_pat_11AB"),
            Some(ProviderKind::Github)
        );
        assert_eq!(provider_of_token("glpat-xyz"), Some(ProviderKind::Gitlab));
        for gitlab in [
            "glpat-Xy9_aB-cDeFgHiJkLmNoPqRsTuV.01.0w1ghf1mb",
            "glcbt-64_abcdefghij",
            "glagent-abcdefghij",
            "glwt-abcdefghij",
            "glffct-abcdefghij",
            "gldt-abcdefghij",
            "glptt-abcdefghij",
        ] {
            assert_eq!(
                provider_of_token(gitlab),
                Some(ProviderKind::Gitlab),
                "{gitlab}"
            );
        }
        assert_eq!(
            provider_of_token("ATCTT3xFfGN0abc"),
            Some(ProviderKind::Bitbucket)
        );
        assert_eq!(provider_of_token("custom-prefix-123"), None);
        assert_eq!(provider_of_token(""), None);
    }

    #[test]
    fn finds_tokens_inside_other_text() {
        assert!(contains_token("https://ghp_R4nd0mL00k1ngF4k3T0k3n0001@x"));
        assert!(contains_token("glpat-abcdefghijklmnopqrst"));
        assert!(!contains_token("github.example.com"));
        assert!(!contains_token("glft-ci.example.com"));
        assert!(!contains_token("ghp_short"));
    }
}
