//! GitLab's token pages. Only the personal page reads `name`, `scopes` and
//! `description` from its address; the project and group pages ignore
//! query parameters (gitlabhq `access_tokens_actions.rb`) and start at the
//! Guest role, so their links carry none and the wizard says what to pick.

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
    if is_bot_page(page) {
        return url;
    }
    let mut query = url.query_pairs_mut();
    query.append_pair("name", &page.name);
    query.append_pair("scopes", SCOPES);
    if let Some(description) = &page.description {
        query.append_pair("description", description);
    }
    drop(query);
    url
}

/// A project or group token page (which reads nothing from its address).
fn is_bot_page(page: &NewTokenPage) -> bool {
    match page.kind {
        TokenKindId::Project => page.project.is_some(),
        TokenKindId::Group => page.group.is_some(),
        _ => false,
    }
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
        // Project and group pages ignore query parameters: none are sent.
        assert_eq!(
            new_token(&page(TokenKindId::Project)).as_str(),
            "https://git.example.com/gitlab/acme/web/-/settings/access_tokens"
        );
        assert_eq!(
            new_token(&page(TokenKindId::Group)).as_str(),
            "https://git.example.com/gitlab/groups/acme/-/settings/access_tokens"
        );
    }
}
