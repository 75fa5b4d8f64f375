//! Bitbucket Cloud.
//!
//! Sources: PROVIDERS.md, "Bitbucket Cloud". Repository and workspace access
//! tokens carry scopes; no API exposes their expiry, so the user enters it.

pub mod check;
pub mod links;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use url::Url;

use crate::check::{CheckContext, CheckReport, CheckRequest, EndpointError};
use crate::model::{
    Deployment, DeploymentId, FieldSpec, HostInput, MarkTone, NewTokenPageInfo, ProviderInfo,
    ProviderKind, Requirement, TargetField, TokenKindId, TokenKindInfo,
};
use crate::providers::{NewTokenPage, Provider};
use crate::secret::TokenSecret;

pub const CLOUD_WEB_URL: &str = "https://bitbucket.org";
pub const CLOUD_API_URL: &str = "https://api.bitbucket.org/2.0";
const API_PATH: &str = "/2.0";

/// Bitbucket Cloud in the provider registry.
pub struct Bitbucket;

impl Provider for Bitbucket {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Bitbucket
    }

    fn name(&self) -> &'static str {
        "Bitbucket"
    }

    fn slug(&self) -> &'static str {
        "bitbucket"
    }

    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: self.kind(),
            name: self.name().into(),
            mark: "BB".into(),
            tone: MarkTone::Blue,
            token_placeholder: "ATCTT…".into(),
            identity_without_user: Some("itself (access tokens have no user)".into()),
        }
    }

    fn deployments(&self) -> Vec<Deployment> {
        vec![deployment()]
    }

    fn default_kind(&self) -> TokenKindId {
        TokenKindId::Repository
    }

    /// Atlassian's `ATCTT` (access tokens), `ATATT` (API tokens), `ATBB`
    /// (app passwords).
    fn token_prefixes(&self) -> &'static [&'static str] {
        &["ATCTT", "ATATT", "ATBB"]
    }

    /// Atlassian API tokens (`ATATT`, Basic auth with an e-mail, acting as
    /// a person) and app passwords (`ATBB`, removed on 2026-07-28) are not
    /// access tokens (PROVIDERS.md, "Real behaviours").
    fn refuse_token(&self, token: &str) -> Option<String> {
        let instead = "Create a repository or workspace access token instead (the repository's or workspace's settings, Access tokens) and paste that.";
        if token.starts_with("ATATT") {
            Some(format!("This is an Atlassian API token (ATATT…), not a Bitbucket access token: it was not sent. API tokens sign in as a person, with an e-mail address. {instead}"))
        } else if token.starts_with("ATBB") {
            Some(format!("This is a Bitbucket app password (ATBB…), not an access token: it was not sent. App passwords were removed on 2026-07-28. {instead}"))
        } else {
            None
        }
    }

    fn cloud_api_url(&self) -> &'static str {
        CLOUD_API_URL
    }

    fn cloud_web_url(&self) -> &'static str {
        CLOUD_WEB_URL
    }

    /// Only Bitbucket Cloud: Server and Data Center speak another API.
    fn api_base(&self, address: &Url) -> Result<Url, EndpointError> {
        let domain = address.host_str().unwrap_or_default().to_ascii_lowercase();
        if matches!(
            domain.as_str(),
            "bitbucket.org" | "www.bitbucket.org" | "api.bitbucket.org"
        ) {
            Ok(Url::parse(CLOUD_API_URL).expect("static"))
        } else {
            Err(EndpointError::Unsupported(
                "Only Bitbucket Cloud (bitbucket.org) is supported; Bitbucket Server and Data Center use a different API.",
            ))
        }
    }

    fn api_path(&self) -> &'static str {
        API_PATH
    }

    fn tokens_page(&self, request: &CheckRequest) -> Url {
        links::tokens_page(
            &self.web_base(&request.api_url),
            request.kind.unwrap_or(TokenKindId::Repository),
            request.workspace.as_deref().unwrap_or_default(),
            request.repo.as_deref(),
        )
    }

    fn new_token_url(&self, page: &NewTokenPage) -> Url {
        links::new_token(page)
    }

    fn check<'a>(
        &'a self,
        ctx: &'a CheckContext<'a>,
        request: &'a CheckRequest,
        token: &'a TokenSecret,
        report: &'a mut CheckReport,
    ) -> BoxFuture<'a, ()> {
        check::run(ctx, request, token, report).boxed()
    }
}

fn workspace_field() -> FieldSpec {
    FieldSpec::required(TargetField::Workspace, "Workspace", "acme").because(
        "Bitbucket tokens are checked against their workspace",
        "NAME",
    )
}

fn deployment() -> Deployment {
    Deployment {
        id: DeploymentId::BitbucketCloud,
        provider: ProviderKind::Bitbucket,
        name: "Bitbucket Cloud".into(),
        tagline: "bitbucket.org".into(),
        host: HostInput::Fixed {
            web_url: CLOUD_WEB_URL.into(),
            api_url: CLOUD_API_URL.into(),
        },
        token_kinds: vec![
            kind(
                TokenKindId::Repository,
                "Repository access token",
                "Reaches one repository and keeps working when people leave; the recommended choice for a single repository.",
                true,
            ),
            kind(
                TokenKindId::Workspace,
                "Workspace access token",
                "Reaches every repository in a workspace; use it when one token serves many repositories.",
                false,
            ),
        ],
    }
}

fn kind(id: TokenKindId, name: &str, summary: &str, recommended: bool) -> TokenKindInfo {
    TokenKindInfo {
        id,
        name: name.into(),
        summary: summary.into(),
        recommended,
        requirements: vec![
            Requirement::permission(
                "Repositories",
                "Read",
                "Clone the repository's code.",
                Some("repository"),
            ),
            Requirement::permission(
                "Pull requests",
                "Read and write",
                "Follow and comment on pull requests for preview environments.",
                Some("pullrequest:write"),
            ),
            Requirement::permission(
                "Webhooks",
                "Read and write",
                "Create and update the webhooks that trigger deployments.",
                Some("webhook"),
            ),
        ],
        notes: {
            let mut notes = Vec::new();
            if id == TokenKindId::Workspace {
                notes.push("Workspace access tokens need Bitbucket Premium.".into());
            }
            notes.push("Bitbucket asks for an expiry when the token is created (90, 180 or 365 days, unless a workspace admin allows none) and never reports it afterwards: note the date it shows, Tokenwarden asks for it when you save.".into());
            notes
        },
        fields: if id == TokenKindId::Repository {
            vec![
                workspace_field(),
                FieldSpec::required(TargetField::Repo, "Repository slug", "web").because(
                    "a repository access token is checked against its repository",
                    "SLUG",
                ),
            ]
        } else {
            vec![workspace_field()]
        },
        page: NewTokenPageInfo {
            prefilled: false,
            note: "Bitbucket cannot pre-fill its form: tick the permissions above".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_tokens_say_they_need_premium_and_both_ask_for_the_expiry() {
        let kinds = deployment().token_kinds;
        assert!(!kinds[0].notes.iter().any(|n| n.contains("Premium")));
        assert!(kinds[1].notes[0].contains("Premium"));
        for k in &kinds {
            assert!(k
                .notes
                .iter()
                .any(|n| n.contains("asks for it when you save")));
        }
    }

    #[test]
    fn api_tokens_and_app_passwords_are_refused_naming_the_token_to_create() {
        let words = Bitbucket.refuse_token("ATATT3xFfGF0abc").unwrap();
        assert!(words.contains("API token") && words.contains("access token instead"));
        let words = Bitbucket.refuse_token("ATBBabc").unwrap();
        assert!(words.contains("2026-07-28"));
        assert_eq!(Bitbucket.refuse_token("ATCTT3xFfGN0abc"), None);
    }

    #[test]
    fn both_kinds_need_repositories_pull_requests_and_webhooks() {
        for k in deployment().token_kinds {
            let got: Vec<_> = k
                .requirements
                .iter()
                .map(|r| (r.name.as_str(), r.level.as_deref().unwrap()))
                .collect();
            assert_eq!(
                got,
                [
                    ("Repositories", "Read"),
                    ("Pull requests", "Read and write"),
                    ("Webhooks", "Read and write"),
                ]
            );
        }
    }
}
