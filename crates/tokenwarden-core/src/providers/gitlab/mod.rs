//! GitLab (gitlab.com) and self-managed GitLab.
//!
//! Sources: PROVIDERS.md, "GitLab". Project and group access tokens are
//! personal access tokens of a bot user, whose role on the project or group
//! must be Maintainer (40) or Owner (50).

pub mod check;
pub mod links;
pub mod rotate;

use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use url::Url;

use crate::check::address::{trimmed_path, with_path};
use crate::check::{CheckContext, CheckReport, CheckRequest, EndpointError, Http};
use crate::model::{
    Deployment, DeploymentId, FieldSpec, HostInput, MarkTone, NewTokenPageInfo, ProviderInfo,
    ProviderKind, Requirement, TargetField, TokenKindId, TokenKindInfo,
};
use crate::providers::{NewTokenPage, Provider, SelfRotateError, SelfRotation};
use crate::secret::TokenSecret;

pub const CLOUD_WEB_URL: &str = "https://gitlab.com";
pub const CLOUD_API_URL: &str = "https://gitlab.com/api/v4";
const API_PATH: &str = "/api/v4";

/// GitLab in the provider registry.
pub struct GitLab;

impl Provider for GitLab {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Gitlab
    }

    fn name(&self) -> &'static str {
        "GitLab"
    }

    fn slug(&self) -> &'static str {
        "gitlab"
    }

    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: self.kind(),
            name: self.name().into(),
            mark: "GL".into(),
            tone: MarkTone::Orange,
            token_placeholder: "glpat-…".into(),
            identity_without_user: None,
        }
    }

    fn deployments(&self) -> Vec<Deployment> {
        vec![deployment(false), deployment(true)]
    }

    fn default_kind(&self) -> TokenKindId {
        TokenKindId::Project
    }

    /// GitLab's token prefixes (GitLab's token prefix table; `glpat-` also
    /// in its routable form `glpat-<base64>.<2 chars>.<7-9 chars>`).
    /// Self-managed instances may change `glpat-`, so a token is never
    /// refused for lacking a prefix, only for carrying another provider's.
    fn token_prefixes(&self) -> &'static [&'static str] {
        &[
            "glpat-", "gloas-", "gldt-", "glrt-", "glcbt-", "glptt-", "glft-", "glimt-",
            "glagent-", "glsoat-", "glffct-", "glwt-",
        ]
    }

    fn cloud_api_url(&self) -> &'static str {
        CLOUD_API_URL
    }

    fn cloud_web_url(&self) -> &'static str {
        CLOUD_WEB_URL
    }

    /// The API lives under `/api/v4` on the instance's address (which may
    /// itself have a path: a relative URL root).
    fn api_base(&self, address: &Url) -> Result<Url, EndpointError> {
        let path = trimmed_path(address);
        Ok(if path.ends_with(API_PATH) {
            with_path(address, &path)
        } else {
            with_path(address, &format!("{path}{API_PATH}"))
        })
    }

    fn api_path(&self) -> &'static str {
        API_PATH
    }

    fn tokens_page(&self, request: &CheckRequest) -> Url {
        links::tokens_page(
            &self.web_base(&request.api_url),
            request.kind.unwrap_or(TokenKindId::Personal),
            request.project.as_deref(),
            request.group.as_deref(),
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

    fn self_rotation(&self) -> Option<&dyn SelfRotation> {
        Some(self)
    }
}

impl SelfRotation for GitLab {
    /// Personal, project and group access tokens all rotate themselves.
    fn offers(&self, kind: TokenKindId) -> bool {
        matches!(
            kind,
            TokenKindId::Personal | TokenKindId::Project | TokenKindId::Group
        )
    }

    fn may_self_rotate(&self, scopes: &[String]) -> bool {
        rotate::may_self_rotate(scopes)
    }

    fn rotate<'a>(
        &'a self,
        http: &'a Http,
        request: &'a CheckRequest,
        token: &'a TokenSecret,
        expires_at: NaiveDate,
    ) -> BoxFuture<'a, Result<TokenSecret, SelfRotateError>> {
        rotate::self_rotate(http, request, token, expires_at).boxed()
    }
}

/// The personal token page reads name and scopes from its address.
fn prefilled_page() -> NewTokenPageInfo {
    NewTokenPageInfo {
        prefilled: true,
        note: "pre-filled where the provider allows".into(),
    }
}

/// Project and group token pages read nothing from their address and start
/// at the Guest role (PROVIDERS.md, "Real behaviours"): say what to pick.
fn bot_page() -> NewTokenPageInfo {
    NewTokenPageInfo {
        prefilled: false,
        note: format!("GitLab fills in nothing there: {BOT_PAGE_CHOICES}"),
    }
}

/// What to choose on a project or group token page, in GitLab's words.
const BOT_PAGE_CHOICES: &str = "choose the role Maintainer (or Owner), since the page starts at Guest; tick the scopes api and read_repository; and set an expiration date (at most a year)";

/// gitlab.com, or a self-managed instance when `self_managed`.
fn deployment(self_managed: bool) -> Deployment {
    let mut project = bot_kind(
        TokenKindId::Project,
        "Project access token",
        "Belongs to a bot user of one project, so it keeps working when people leave; the recommended choice for one repository.",
        true,
    );
    let mut group = bot_kind(
        TokenKindId::Group,
        "Group access token",
        "Belongs to a bot user of a group and reaches every project in it; use it when one token serves many projects.",
        false,
    );
    if !self_managed {
        project.notes.insert(
            0,
            "Project access tokens on gitlab.com need the Premium or Ultimate tier.".into(),
        );
        group.notes.insert(
            0,
            "Group access tokens on gitlab.com need the Premium or Ultimate tier.".into(),
        );
    }
    Deployment {
        id: if self_managed {
            DeploymentId::GitlabSelfManaged
        } else {
            DeploymentId::Gitlab
        },
        provider: ProviderKind::Gitlab,
        name: if self_managed {
            "Self-managed GitLab".into()
        } else {
            "GitLab".into()
        },
        tagline: if self_managed {
            "Your own GitLab instance".into()
        } else {
            "gitlab.com".into()
        },
        host: if self_managed {
            HostInput::UserSupplied {
                label: "Instance address".into(),
                placeholder: "https://gitlab.example.com".into(),
                hint: "The address you open in the browser; the API is reached at /api/v4 on it."
                    .into(),
            }
        } else {
            HostInput::Fixed {
                web_url: CLOUD_WEB_URL.into(),
                api_url: CLOUD_API_URL.into(),
            }
        },
        token_kinds: vec![project, group, personal_kind()],
    }
}

fn scopes() -> Vec<Requirement> {
    vec![
        Requirement::scope("api", "Manage webhooks and merge requests through the API."),
        Requirement::scope("read_repository", "Clone the repository's code."),
    ]
}

fn bot_kind(id: TokenKindId, name: &str, summary: &str, recommended: bool) -> TokenKindInfo {
    let mut requirements = vec![Requirement::role(
        "Role",
        "Maintainer or Owner",
        "Only Maintainers and Owners may manage webhooks and deploy settings.",
        "role:maintainer",
    )];
    requirements.extend(scopes());
    TokenKindInfo {
        id,
        name: name.into(),
        summary: summary.into(),
        recommended,
        requirements,
        notes: vec![format!(
            "GitLab's {} page fills in nothing from the link: {BOT_PAGE_CHOICES}.",
            if id == TokenKindId::Group {
                "group token"
            } else {
                "project token"
            }
        )],
        fields: vec![if id == TokenKindId::Group {
            FieldSpec::required(TargetField::Group, "Group path", "group")
                .because("a group access token is checked against its group", "PATH")
        } else {
            FieldSpec::required(TargetField::Project, "Project path", "group/project").because(
                "a project access token is checked against its project",
                "GROUP/PROJECT",
            )
        }],
        page: bot_page(),
    }
}

fn personal_kind() -> TokenKindInfo {
    TokenKindInfo {
        id: TokenKindId::Personal,
        name: "Personal access token".into(),
        summary: "Acts as your own account on every project you can reach; create it from a dedicated service account, not a person's.".into(),
        recommended: false,
        requirements: scopes(),
        notes: vec![],
        fields: vec![],
        page: prefilled_page(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RequirementKind;

    #[test]
    fn project_and_group_tokens_need_maintainer_role_and_api_read_repository() {
        for kind in &deployment(false).token_kinds[..2] {
            let role = &kind.requirements[0];
            assert_eq!(role.kind, RequirementKind::Role);
            assert_eq!(role.level.as_deref(), Some("Maintainer or Owner"));
            let scopes: Vec<_> = kind.requirements[1..]
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            assert_eq!(scopes, ["api", "read_repository"]);
        }
    }

    #[test]
    fn personal_tokens_need_only_the_scopes() {
        let personal = personal_kind();
        assert!(personal
            .requirements
            .iter()
            .all(|r| r.kind == RequirementKind::Scope));
    }

    #[test]
    fn premium_note_only_on_gitlab_com_for_project_and_group_tokens() {
        for kind in &deployment(false).token_kinds[..2] {
            assert!(
                kind.notes[0].contains("Premium or Ultimate"),
                "{:?}",
                kind.id
            );
        }
        for kind in &deployment(true).token_kinds {
            assert!(!kind.notes.iter().any(|n| n.contains("Premium")));
        }
        assert!(deployment(false).token_kinds[2].notes.is_empty());
    }

    #[test]
    fn only_the_personal_page_is_called_pre_filled() {
        for self_managed in [false, true] {
            let kinds = deployment(self_managed).token_kinds;
            for kind in &kinds[..2] {
                assert!(!kind.page.prefilled);
                assert!(!kind.page.note.contains("pre-filled"));
                for words in [
                    "Maintainer",
                    "Guest",
                    "api",
                    "read_repository",
                    "expiration",
                ] {
                    assert!(kind.page.note.contains(words), "{words}");
                    assert!(kind.notes.iter().any(|n| n.contains(words)), "{words}");
                }
            }
            assert!(kinds[2].page.prefilled);
        }
    }
}
