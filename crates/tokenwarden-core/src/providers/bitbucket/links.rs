//! Bitbucket Cloud's access-token pages (UNCONFIRMED in PROVIDERS.md; no
//! pre-fill parameters are known, so the wizard lists what to pick).

use url::Url;

use crate::model::TokenKindId;
use crate::providers::{page_url, NewTokenPage};

pub fn tokens_page(web: &Url, kind: TokenKindId, workspace: &str, repo: Option<&str>) -> Url {
    match (kind, repo) {
        (TokenKindId::Repository, Some(repo)) => page_url(
            web,
            &format!("/{workspace}/{repo}/admin/access-tokens"),
            &[],
        ),
        _ => page_url(
            web,
            &format!("/{workspace}/workspace/settings/access-tokens"),
            &[],
        ),
    }
}

pub fn new_token(page: &NewTokenPage) -> Url {
    tokens_page(
        &page.web,
        page.kind,
        page.workspace.as_deref().unwrap_or_default(),
        page.repo.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_repository_and_workspace_token_pages() {
        let web = Url::parse("https://bitbucket.org").unwrap();
        assert_eq!(
            tokens_page(&web, TokenKindId::Repository, "acme", Some("web")).as_str(),
            "https://bitbucket.org/acme/web/admin/access-tokens"
        );
        assert_eq!(
            tokens_page(&web, TokenKindId::Workspace, "acme", None).as_str(),
            "https://bitbucket.org/acme/workspace/settings/access-tokens"
        );
    }
}
