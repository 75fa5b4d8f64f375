//! GitLab's token pages. The personal page reads `name` and `scopes`;
//! whether the project and group pages read them too is unconfirmed
//! (PROVIDERS.md), so they get the same parameters as a best effort.

use url::Url;

use crate::model::TokenKindId;
use crate::providers::{page_url, NewTokenPage};

const SCOPES: &str = "api,read_repository";

/// Where tokens of this kind are managed, for the given project or group.
pub fn tokens_page(
    web: &Url,
    kind: TokenKindId,
    project: Option<&str>,
    group: Option<&str>,
) -> Url {
    match (kind, project, group) {
        (TokenKindId::Project, Some(project), _) => {
            page_url(web, &format!("/{project}/-/settings/access_tokens"), &[])
        }
        (TokenKindId::Group, _, Some(group)) => page_url(
            web,
            &format!("/groups/{group}/-/settings/access_tokens"),
            &[],
        ),
        _ => page_url(web, "/-/user_settings/personal_access_tokens", &[]),
    }
}

pub fn new_token(page: &NewTokenPage) -> Url {
    let mut url = tokens_page(
        &page.web,
        page.kind,
        page.project.as_deref(),
        page.group.as_deref(),
    );
    let mut query = url.query_pairs_mut();
    query.append_pair("name", &page.name);
    query.append_pair("scopes", SCOPES);
    if let Some(description) = &page.description {
        query.append_pair("description", description);
    }
    if matches!(page.kind, TokenKindId::Project | TokenKindId::Group) {
        query.append_pair("access_level", "40");
    }
    drop(query);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(kind: TokenKindId) -> NewTokenPage {
        NewTokenPage {
            kind,
            web: Url::parse("https://git.example.com/gitlab").unwrap(),
            name: "gitlab-web-production".into(),
            description: None,
            org: None,
            project: Some("acme/web".into()),
            group: Some("acme".into()),
            workspace: None,
            repo: None,
            expires_in_days: None,
        }
    }

    #[test]
    fn links_each_kind_to_its_page_keeping_the_relative_root() {
        assert_eq!(
            new_token(&page(TokenKindId::Personal)).as_str(),
            "https://git.example.com/gitlab/-/user_settings/personal_access_tokens?name=gitlab-web-production&scopes=api%2Cread_repository"
        );
        assert_eq!(
            new_token(&page(TokenKindId::Project)).as_str(),
            "https://git.example.com/gitlab/acme/web/-/settings/access_tokens?name=gitlab-web-production&scopes=api%2Cread_repository&access_level=40"
        );
        assert!(new_token(&page(TokenKindId::Group))
            .as_str()
            .starts_with("https://git.example.com/gitlab/groups/acme/-/settings/access_tokens?"));
    }
}
