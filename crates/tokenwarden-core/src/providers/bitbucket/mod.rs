//! Bitbucket Cloud.
//!
//! Sources: PROVIDERS.md, "Bitbucket Cloud". Repository and workspace access
//! tokens carry scopes; no API exposes their expiry, so the user enters it.

pub mod check;
pub mod links;

use crate::catalogue::{
    Deployment, DeploymentId, HostInput, ProviderKind, Requirement, TokenKindId, TokenKindInfo,
};

pub const CLOUD_WEB_URL: &str = "https://bitbucket.org";
pub const CLOUD_API_URL: &str = "https://api.bitbucket.org/2.0";

pub fn deployment() -> Deployment {
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
            Requirement::permission("Repositories", "Read", "Clone the repository's code.", Some("repository")),
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
        notes: vec![
            "Bitbucket does not report a token's expiry: note the date it shows, Tokenwarden will ask for it.".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
