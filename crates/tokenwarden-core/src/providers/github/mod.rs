//! GitHub (github.com) and GitHub Enterprise Server.
//!
//! Sources: PROVIDERS.md, "GitHub". Classic tokens carry scopes; fine-grained
//! tokens carry per-repository permissions that cannot be listed, only probed.

pub mod check;
pub mod expiry_header;
pub mod links;
pub mod scopes;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use url::Url;

use crate::check::address::{trimmed_path, with_path};
use crate::check::{CheckContext, CheckReport, CheckRequest, EndpointError};
use crate::model::{
    Deployment, DeploymentId, FieldSpec, HostInput, MarkTone, NewTokenPageInfo, ProviderInfo,
    ProviderKind, Requirement, TargetField, TokenKindId, TokenKindInfo,
};
use crate::providers::{NewTokenPage, Provider};
use crate::secret::TokenSecret;

pub const CLOUD_WEB_URL: &str = "https://github.com";
pub const CLOUD_API_URL: &str = "https://api.github.com";
const API_PATH: &str = "/api/v3";

/// GitHub in the provider registry.
pub struct GitHub;

impl Provider for GitHub {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Github
    }

    fn name(&self) -> &'static str {
        "GitHub"
    }

    fn slug(&self) -> &'static str {
        "github"
    }

    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: self.kind(),
            name: self.name().into(),
            mark: "GH".into(),
            tone: MarkTone::Graphite,
            token_placeholder: "ghp_… or github_pat_…".into(),
            identity_without_user: None,
        }
    }

    fn deployments(&self) -> Vec<Deployment> {
        vec![deployment(false), deployment(true)]
    }

    fn default_kind(&self) -> TokenKindId {
        TokenKindId::Classic
    }

    /// GitHub's token formats (changelog 2021-03-31).
    fn token_prefixes(&self) -> &'static [&'static str] {
        &["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
    }

    fn kind_of_token(&self, token: &str) -> Option<TokenKindId> {
        if token.starts_with("github_pat_") {
            Some(TokenKindId::FineGrained)
        } else if token.starts_with("ghp_") {
            Some(TokenKindId::Classic)
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

    /// github.com's API has a host of its own; GitHub Enterprise Server's
    /// lives under `/api/v3` on the server's address.
    fn api_base(&self, address: &Url) -> Result<Url, EndpointError> {
        let domain = address.host_str().unwrap_or_default().to_ascii_lowercase();
        let path = trimmed_path(address);
        Ok(
            if matches!(
                domain.as_str(),
                "github.com" | "www.github.com" | "api.github.com"
            ) {
                Url::parse(CLOUD_API_URL).expect("static")
            } else if path.ends_with(API_PATH) {
                with_path(address, &path)
            } else {
                with_path(address, &format!("{path}{API_PATH}"))
            },
        )
    }

    fn api_path(&self) -> &'static str {
        API_PATH
    }

    fn tokens_page(&self, request: &CheckRequest) -> Url {
        let web = self.web_base(&request.api_url);
        if request.kind == Some(TokenKindId::FineGrained) {
            links::fine_grained_tokens(&web)
        } else {
            links::classic_tokens(&web)
        }
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

/// Where the repositories are: an organization, and one repository the
/// check proves access to (required for fine-grained tokens, which can
/// only be probed).
fn fields(repo_required: bool) -> Vec<FieldSpec> {
    vec![
        FieldSpec::with(
            TargetField::Org,
            "Organization",
            "acme",
            false,
            "(if the repositories belong to one)",
        ),
        if repo_required {
            FieldSpec::with(
                TargetField::Repo,
                "Repository",
                "acme/web",
                true,
                "(required: the token is checked on it)",
            )
            .because(
                "a fine-grained GitHub token is checked against a repository it was given",
                "OWNER/NAME",
            )
        } else {
            FieldSpec::with(
                TargetField::Repo,
                "Repository",
                "acme/web",
                false,
                "(optional: checked when given)",
            )
        },
    ]
}

/// What the new-token page does with the link's parameters. Pre-filling
/// is documented for github.com only, so Enterprise Server claims none; and
/// fine-grained permission pre-fill was removed from GitHub's docs as broken,
/// so there the checklist is the source of truth everywhere (PROVIDERS.md,
/// "Links"). The check afterwards proves the result.
fn page(kind: TokenKindId, enterprise: bool) -> NewTokenPageInfo {
    match (kind, enterprise) {
        (TokenKindId::FineGrained, _) => NewTokenPageInfo {
            prefilled: false,
            note: "GitHub may fill in the name and expiry, but not reliably the permissions: set each one from the checklist above, which is the source of truth".into(),
        },
        (_, true) => NewTokenPageInfo {
            prefilled: false,
            note: "GitHub Enterprise Server may ignore what the address asks for: tick the scopes by hand from the checklist above and set the expiry".into(),
        },
        _ => NewTokenPageInfo {
            prefilled: true,
            note: "it opens with the scopes, the note and the expiry filled in; the checklist above is what counts".into(),
        },
    }
}

/// The github.com deployment, or GitHub Enterprise Server when `enterprise`.
fn deployment(enterprise: bool) -> Deployment {
    let mut fine_grained = fine_grained_kind();
    fine_grained.page = page(TokenKindId::FineGrained, enterprise);
    let mut classic = classic_kind();
    classic.page = page(TokenKindId::Classic, enterprise);
    if enterprise {
        fine_grained
            .notes
            .push("Fine-grained tokens need GitHub Enterprise Server 3.9 or later.".into());
    }
    Deployment {
        id: if enterprise {
            DeploymentId::GithubEnterprise
        } else {
            DeploymentId::Github
        },
        provider: ProviderKind::Github,
        name: if enterprise {
            "GitHub Enterprise Server".into()
        } else {
            "GitHub".into()
        },
        tagline: if enterprise {
            "Your company's own GitHub server".into()
        } else {
            "github.com".into()
        },
        host: if enterprise {
            HostInput::UserSupplied {
                label: "Server address".into(),
                placeholder: "https://github.example.com".into(),
                hint: "The address you open in the browser; the API is reached at /api/v3 on it."
                    .into(),
            }
        } else {
            HostInput::Fixed {
                web_url: CLOUD_WEB_URL.into(),
                api_url: CLOUD_API_URL.into(),
            }
        },
        token_kinds: vec![classic, fine_grained],
    }
}

fn classic_kind() -> TokenKindInfo {
    TokenKindInfo {
        id: TokenKindId::Classic,
        name: "Classic personal access token".into(),
        summary: "Scopes apply to every repository the account can reach; simplest to set up and works with organizations that block fine-grained tokens.".into(),
        recommended: true,
        requirements: vec![
            Requirement::scope("repo", "Read the repositories and their pull requests."),
            Requirement::scope("admin:repo_hook", "Create and update the webhooks that trigger deployments."),
            Requirement::scope("read:org", "See the organization's repositories and your membership in it.")
                .only_when("the repositories belong to an organization"),
        ],
        notes: vec![
            "Create it from a dedicated service account that is a member of the organization, not from a person's account.".into(),
        ],
        fields: fields(false),
        page: page(TokenKindId::Classic, false),
    }
}

fn fine_grained_kind() -> TokenKindInfo {
    TokenKindInfo {
        id: TokenKindId::FineGrained,
        name: "Fine-grained personal access token".into(),
        summary: "Limited to the repositories you pick, with one permission level per feature; an organization may have to approve it first.".into(),
        recommended: false,
        requirements: vec![
            Requirement::permission("Contents", "Read-only", "Read the repository's code.", Some("contents:read")),
            Requirement::permission("Webhooks", "Read and write", "Create and update the webhooks that trigger deployments.", Some("repository_hooks:write")),
            Requirement::permission("Pull requests", "Read and write", "Follow and comment on pull requests for preview environments.", Some("pull_requests:write")),
            Requirement::permission("Metadata", "Read-only", "Granted automatically with any repository permission.", None),
        ],
        notes: vec![
            "Repositories must be picked by hand on GitHub's page, and the permissions set from the checklist: GitHub does not reliably pre-fill them.".into(),
            "Write permissions cannot be proven without writing, so a check reports them as unverified.".into(),
        ],
        fields: fields(true),
        page: page(TokenKindId::FineGrained, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: &TokenKindInfo) -> Vec<&str> {
        kind.requirements.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn classic_needs_repo_and_admin_repo_hook_and_read_org_for_organizations() {
        let classic = classic_kind();
        assert_eq!(names(&classic), ["repo", "admin:repo_hook", "read:org"]);
        let read_org = &classic.requirements[2];
        assert!(read_org
            .only_when
            .as_deref()
            .unwrap()
            .contains("organization"));
        assert!(classic.requirements[..2]
            .iter()
            .all(|r| r.only_when.is_none()));
    }

    #[test]
    fn fine_grained_needs_contents_read_and_hooks_and_pulls_write() {
        let fg = fine_grained_kind();
        let levels: Vec<_> = fg
            .requirements
            .iter()
            .map(|r| (r.name.as_str(), r.level.as_deref().unwrap()))
            .collect();
        assert_eq!(
            levels,
            [
                ("Contents", "Read-only"),
                ("Webhooks", "Read and write"),
                ("Pull requests", "Read and write"),
                ("Metadata", "Read-only"),
            ]
        );
    }

    #[test]
    fn only_github_com_classic_pages_claim_to_be_prefilled() {
        let cloud = deployment(false);
        let ghes = deployment(true);
        assert!(cloud.token_kinds[0].page.prefilled);
        assert!(cloud.token_kinds[0].page.note.contains("expiry"));
        assert!(!ghes.token_kinds[0].page.prefilled);
        assert!(ghes.token_kinds[0]
            .page
            .note
            .contains("by hand from the checklist"));
        for deployment in [cloud, ghes] {
            let fine = &deployment.token_kinds[1];
            assert!(!fine.page.prefilled);
            assert!(fine.page.note.contains("source of truth"));
        }
    }

    #[test]
    fn enterprise_warns_about_the_minimum_version_for_fine_grained_tokens() {
        let ghes = deployment(true);
        assert!(ghes.token_kinds[1].notes.iter().any(|n| n.contains("3.9")));
        assert!(!deployment(false).token_kinds[1]
            .notes
            .iter()
            .any(|n| n.contains("3.9")));
    }
}
