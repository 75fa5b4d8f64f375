//! GitLab (gitlab.com) and self-managed GitLab.
//!
//! Sources: PROVIDERS.md, "GitLab". Project and group access tokens are
//! personal access tokens of a bot user, whose role on the project or group
//! must be Maintainer (40) or Owner (50).

pub mod check;
pub mod links;
pub mod rotate;

use crate::catalogue::{
    Deployment, DeploymentId, HostInput, ProviderKind, Requirement, TokenKindId, TokenKindInfo,
};

pub const CLOUD_WEB_URL: &str = "https://gitlab.com";
pub const CLOUD_API_URL: &str = "https://gitlab.com/api/v4";

/// gitlab.com, or a self-managed instance when `self_managed`.
pub fn deployment(self_managed: bool) -> Deployment {
    let mut project = bot_kind(
        TokenKindId::Project,
        "Project access token",
        "Belongs to a bot user of one project, so it keeps working when people leave; the recommended choice for one repository.",
        true,
    );
    if !self_managed {
        project
            .notes
            .push("Project access tokens on gitlab.com need the Premium tier or above.".into());
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
        token_kinds: vec![
            project,
            bot_kind(
                TokenKindId::Group,
                "Group access token",
                "Belongs to a bot user of a group and reaches every project in it; use it when one token serves many projects.",
                false,
            ),
            personal_kind(),
        ],
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
        notes: vec![],
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::RequirementKind;

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
    fn premium_note_only_on_gitlab_com() {
        assert!(deployment(false).token_kinds[0].notes[0].contains("Premium"));
        assert!(deployment(true).token_kinds[0].notes.is_empty());
    }
}
