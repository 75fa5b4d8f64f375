//! GitHub's token pages. Pre-filling is best effort (GitHub's docs once
//! removed, then restored it, for github.com only): the check afterwards
//! is what proves the token right.

use url::Url;

use crate::model::TokenKindId;
use crate::providers::{page_url, NewTokenPage};

/// Classic tokens are listed here.
pub fn classic_tokens(web: &Url) -> Url {
    page_url(web, "/settings/tokens", &[])
}

/// Fine-grained tokens are listed here.
pub fn fine_grained_tokens(web: &Url) -> Url {
    page_url(web, "/settings/personal-access-tokens", &[])
}

/// Truncates to at most `max` characters (GitHub rejects longer values).
fn at_most(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

pub fn new_token(page: &NewTokenPage) -> Url {
    let description = page
        .description
        .clone()
        .unwrap_or_else(|| page.name.clone());
    if page.kind == TokenKindId::FineGrained {
        let name = at_most(&page.name, 40);
        let description = at_most(&description, 1024);
        let expires = page
            .expires_in_days
            .map(|d| d.clamp(1, 366).to_string())
            .unwrap_or_else(|| "90".into());
        let mut query = vec![
            ("name", name.as_str()),
            ("description", description.as_str()),
        ];
        if let Some(org) = &page.org {
            query.push(("target_name", org));
        }
        query.extend([
            ("expires_in", expires.as_str()),
            ("contents", "read"),
            ("pull_requests", "write"),
            ("repository_hooks", "write"),
        ]);
        page_url(&page.web, "/settings/personal-access-tokens/new", &query)
    } else {
        let scopes = if page.org.is_some() {
            "repo,admin:repo_hook,read:org"
        } else {
            "repo,admin:repo_hook"
        };
        page_url(
            &page.web,
            "/settings/tokens/new",
            &[("scopes", scopes), ("description", &description)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(kind: TokenKindId, org: Option<&str>) -> NewTokenPage {
        NewTokenPage {
            kind,
            web: Url::parse("https://github.com").unwrap(),
            name: "github-acme-production".into(),
            description: None,
            org: org.map(Into::into),
            project: None,
            group: None,
            workspace: None,
            repo: None,
            expires_in_days: Some(180),
        }
    }

    #[test]
    fn classic_links_carry_the_scopes_and_a_description() {
        assert_eq!(
            new_token(&page(TokenKindId::Classic, Some("acme"))).as_str(),
            "https://github.com/settings/tokens/new?scopes=repo%2Cadmin%3Arepo_hook%2Cread%3Aorg&description=github-acme-production"
        );
        assert!(new_token(&page(TokenKindId::Classic, None))
            .as_str()
            .contains("scopes=repo%2Cadmin%3Arepo_hook&"));
    }

    #[test]
    fn fine_grained_links_carry_name_owner_expiry_and_permission_levels() {
        let url = new_token(&page(TokenKindId::FineGrained, Some("acme")));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(url.path(), "/settings/personal-access-tokens/new");
        assert_eq!(get("name"), Some("github-acme-production"));
        assert_eq!(get("target_name"), Some("acme"));
        assert_eq!(get("expires_in"), Some("180"));
        assert_eq!(get("contents"), Some("read"));
        assert_eq!(get("pull_requests"), Some("write"));
        assert_eq!(get("repository_hooks"), Some("write"));
    }

    #[test]
    fn fine_grained_names_are_cut_to_githubs_limit() {
        let mut p = page(TokenKindId::FineGrained, None);
        p.name = "x".repeat(60);
        p.expires_in_days = Some(900);
        let url = new_token(&p);
        let name = url
            .query_pairs()
            .find(|(k, _)| k == "name")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(name.len(), 40);
        assert!(url.as_str().contains("expires_in=366"));
    }
}
