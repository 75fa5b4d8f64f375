//! GitHub's token pages. Pre-filling is best effort and documented for
//! github.com only; fine-grained permission parameters were removed from
//! GitHub's docs as broken (github/docs pull request 44419), so the wizard's
//! checklist is the source of truth and the check afterwards is what proves
//! the token right (PROVIDERS.md, "Links").

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
        // The classic page defaults to 30 days; `default_expires_at` (days,
        // undocumented but widely used) sets it, kept within the advice of
        // 90 days to a year.
        let expires = page
            .expires_in_days
            .unwrap_or(CLASSIC_DEFAULT_DAYS)
            .clamp(CLASSIC_MIN_DAYS, CLASSIC_MAX_DAYS)
            .to_string();
        page_url(
            &page.web,
            "/settings/tokens/new",
            &[
                ("scopes", scopes),
                ("description", &description),
                ("default_expires_at", &expires),
            ],
        )
    }
}

/// The expiry the classic link asks for when none was chosen, and the
/// advice's bounds (PROVIDERS.md: between 90 days and 1 year).
const CLASSIC_DEFAULT_DAYS: u32 = 90;
const CLASSIC_MIN_DAYS: u32 = 90;
const CLASSIC_MAX_DAYS: u32 = 365;

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
            "https://github.com/settings/tokens/new?scopes=repo%2Cadmin%3Arepo_hook%2Cread%3Aorg&description=github-acme-production&default_expires_at=180"
        );
        assert!(new_token(&page(TokenKindId::Classic, None))
            .as_str()
            .contains("scopes=repo%2Cadmin%3Arepo_hook&"));
    }

    #[test]
    fn classic_links_set_the_expiry_within_the_advice_since_the_page_defaults_to_30_days() {
        let days = |wanted: Option<u32>| {
            let mut p = page(TokenKindId::Classic, None);
            p.expires_in_days = wanted;
            new_token(&p)
                .query_pairs()
                .find(|(k, _)| k == "default_expires_at")
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(days(None).as_deref(), Some("90"));
        assert_eq!(days(Some(180)).as_deref(), Some("180"));
        assert_eq!(days(Some(30)).as_deref(), Some("90"));
        assert_eq!(days(Some(900)).as_deref(), Some("365"));
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
