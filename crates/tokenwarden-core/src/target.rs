//! What a token is for, as a user describes it: the provider, where it
//! lives, and what it must reach. Both the CLI's options and the app's
//! wizard fill one in; `to_request` turns it into what a check needs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::check::limits::{self, TooLong};
use crate::check::{resolve_ca_file, CheckRequest};
use crate::endpoint::{self, EndpointError};
use crate::model::{ProviderKind, TargetField, TokenKindId};
use crate::providers::{self, NewTokenPage};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TokenTarget {
    pub provider: ProviderKind,
    pub kind: Option<TokenKindId>,
    /// The web address the user knows; the API base is derived from it.
    pub host: Option<String>,
    /// The API base, exactly (takes precedence over `host` when both are set).
    pub api_url: Option<String>,
    pub org: Option<String>,
    pub repo: Option<String>,
    pub project: Option<String>,
    pub group: Option<String>,
    pub workspace: Option<String>,
    /// The expiry the provider showed, for providers that do not report it.
    #[ts(type = "string | null")]
    pub expires_at: Option<NaiveDate>,
    /// A PEM file with the private certificate authority of a self-hosted
    /// server, trusted besides the platform's roots (absent from older
    /// callers: `default`).
    #[serde(default)]
    pub ca_file: Option<String>,
}

fn filled(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl TokenTarget {
    pub fn new(provider: ProviderKind) -> Self {
        TokenTarget {
            provider,
            kind: None,
            host: None,
            api_url: None,
            org: None,
            repo: None,
            project: None,
            group: None,
            workspace: None,
            expires_at: None,
            ca_file: None,
        }
    }

    /// The check request, with the API base derived and vetted (https, or
    /// plain http to loopback only) and the CA file made absolute and
    /// proven readable. Blank fields count as absent.
    pub fn to_request(&self) -> Result<CheckRequest, EndpointError> {
        self.within_limits()?;
        let api_url = match (filled(&self.api_url), filled(&self.host)) {
            (Some(api), _) => endpoint::api_base_exact(&api)?,
            (None, Some(host)) => endpoint::api_base_from_host(self.provider, &host)?,
            (None, None) => endpoint::default_api_base(self.provider),
        };
        Ok(CheckRequest {
            provider: self.provider,
            kind: self.kind,
            api_url,
            org: filled(&self.org),
            repo: filled(&self.repo),
            project: filled(&self.project),
            group: filled(&self.group),
            workspace: filled(&self.workspace),
            user_expires_at: self.expires_at,
            ca_file: filled(&self.ca_file)
                .map(|path| resolve_ca_file(&path))
                .transpose()?,
        })
    }
}

impl TokenTarget {
    /// Every field within its bound (`check::limits`); addresses are
    /// bounded where they are parsed.
    fn within_limits(&self) -> Result<(), TooLong> {
        for (field, value) in [
            ("organization", &self.org),
            ("repository", &self.repo),
            ("project", &self.project),
            ("group", &self.group),
            ("workspace", &self.workspace),
        ] {
            limits::within(field, value.as_deref().unwrap_or_default(), limits::PLACE)?;
        }
        limits::within(
            "CA certificate file path",
            self.ca_file.as_deref().unwrap_or_default(),
            limits::CA_FILE,
        )
    }
}

impl TokenTarget {
    /// The provider's page where a token for this target is created,
    /// pre-filled with `name` and the rest as far as the page allows. The
    /// address is built here from the target, never taken from a caller.
    pub fn new_token_url(
        &self,
        name: &str,
        description: Option<&str>,
        expires_in_days: Option<u32>,
    ) -> Result<url::Url, EndpointError> {
        let request = self.to_request()?;
        let provider = providers::get(self.provider);
        let page = NewTokenPage {
            kind: self.kind.unwrap_or_else(|| provider.default_kind()),
            web: provider.web_base(&request.api_url),
            name: name.to_owned(),
            description: description.map(str::to_owned),
            org: request.org,
            project: request.project,
            group: request.group,
            workspace: request.workspace,
            repo: request.repo,
            expires_in_days,
        };
        Ok(provider.new_token_url(&page))
    }
}

/// Why a target cannot be checked as given, in the provider's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceProblem {
    /// The provider's tokens never serve a `field` (a GitLab token has no
    /// organization).
    NotApplicable {
        field: TargetField,
        provider: &'static str,
    },
    /// The kind's check needs `field`: `why`, and what to type.
    Missing {
        field: TargetField,
        why: String,
        value_name: String,
    },
}

/// The fields in the order problems with them are reported.
const FIELDS: [TargetField; 5] = [
    TargetField::Org,
    TargetField::Repo,
    TargetField::Project,
    TargetField::Group,
    TargetField::Workspace,
];

/// Checks the fields `given` says were filled in against what the
/// provider's token kinds ask for (the catalogue's `fields`): a field none
/// of its kinds asks for, or one the kind requires (every kind, when the
/// kind is not known). Provider-neutral: the words come from the provider.
pub fn place_problem(
    provider: ProviderKind,
    kind: Option<TokenKindId>,
    given: impl Fn(TargetField) -> bool,
) -> Option<PlaceProblem> {
    let provider = providers::get(provider);
    let kinds = provider.token_kinds();
    for field in FIELDS {
        let asked = kinds
            .iter()
            .any(|k| k.fields.iter().any(|f| f.field == field));
        if given(field) && !asked {
            return Some(PlaceProblem::NotApplicable {
                field,
                provider: provider.name(),
            });
        }
    }
    let needed: Vec<&crate::model::FieldSpec> = match kind {
        Some(kind) => kinds
            .iter()
            .filter(|k| k.id == kind)
            .flat_map(|k| k.fields.iter().filter(|f| f.required))
            .collect(),
        None => kinds
            .first()
            .map(|first| {
                first
                    .fields
                    .iter()
                    .filter(|f| {
                        kinds
                            .iter()
                            .all(|k| k.fields.iter().any(|g| g.field == f.field && g.required))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    needed
        .into_iter()
        .find(|spec| !given(spec.field))
        .map(|spec| PlaceProblem::Missing {
            field: spec.field,
            why: spec.why.clone(),
            value_name: spec.value_name.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_api_and_ignores_blank_fields() {
        let mut target = TokenTarget::new(ProviderKind::Gitlab);
        target.host = Some("git.example.com".into());
        target.project = Some("  ".into());
        target.group = Some(" acme ".into());
        let request = target.to_request().unwrap();
        assert_eq!(request.api_url.as_str(), "https://git.example.com/api/v4");
        assert_eq!(request.project, None);
        assert_eq!(request.group.as_deref(), Some("acme"));
    }

    #[test]
    fn a_ca_file_is_made_absolute_and_a_missing_one_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut target = TokenTarget::new(ProviderKind::Gitlab);
        target.host = Some("git.example.com".into());
        target.ca_file = Some(dir.path().join("absent-ca.pem").display().to_string());
        let error = target.to_request().unwrap_err();
        assert!(matches!(error, EndpointError::CaFile(_)), "{error}");
        assert!(error.to_string().contains("absent-ca.pem"), "{error}");

        target.ca_file = Some("   ".into());
        assert_eq!(target.to_request().unwrap().ca_file, None);
    }

    #[test]
    fn refuses_plain_http_to_a_remote_host() {
        let mut target = TokenTarget::new(ProviderKind::Github);
        target.host = Some("http://ghe.example.com".into());
        assert!(matches!(
            target.to_request(),
            Err(EndpointError::Insecure { .. })
        ));
    }
}

#[cfg(test)]
mod place_tests {
    use super::*;

    fn problem(
        provider: ProviderKind,
        kind: Option<TokenKindId>,
        filled: &[TargetField],
    ) -> Option<PlaceProblem> {
        place_problem(provider, kind, |f| filled.contains(&f))
    }

    #[test]
    fn a_field_no_kind_of_the_provider_asks_for_does_not_apply() {
        assert_eq!(
            problem(ProviderKind::Gitlab, None, &[TargetField::Org]),
            Some(PlaceProblem::NotApplicable {
                field: TargetField::Org,
                provider: "GitLab"
            })
        );
        assert!(matches!(
            problem(ProviderKind::Github, None, &[TargetField::Workspace]),
            Some(PlaceProblem::NotApplicable {
                field: TargetField::Workspace,
                ..
            })
        ));
        assert_eq!(
            problem(
                ProviderKind::Github,
                None,
                &[TargetField::Org, TargetField::Repo]
            ),
            None
        );
    }

    #[test]
    fn a_kind_names_the_field_its_check_needs_and_why() {
        let Some(PlaceProblem::Missing {
            field,
            why,
            value_name,
        }) = problem(ProviderKind::Gitlab, Some(TokenKindId::Project), &[])
        else {
            panic!("project needed")
        };
        assert_eq!(field, TargetField::Project);
        assert_eq!(why, "a project access token is checked against its project");
        assert_eq!(value_name, "GROUP/PROJECT");
        assert_eq!(
            problem(ProviderKind::Gitlab, Some(TokenKindId::Personal), &[]),
            None
        );
        assert!(matches!(
            problem(ProviderKind::Github, Some(TokenKindId::FineGrained), &[]),
            Some(PlaceProblem::Missing {
                field: TargetField::Repo,
                ..
            })
        ));
    }

    #[test]
    fn without_a_kind_only_what_every_kind_needs_is_required() {
        // Every Bitbucket token is checked against its workspace...
        assert!(matches!(
            problem(ProviderKind::Bitbucket, None, &[]),
            Some(PlaceProblem::Missing {
                field: TargetField::Workspace,
                ..
            })
        ));
        // ...but only a repository token against a repository.
        assert_eq!(
            problem(ProviderKind::Bitbucket, None, &[TargetField::Workspace]),
            None
        );
        assert!(matches!(
            problem(
                ProviderKind::Bitbucket,
                Some(TokenKindId::Repository),
                &[TargetField::Workspace]
            ),
            Some(PlaceProblem::Missing {
                field: TargetField::Repo,
                ..
            })
        ));
        assert_eq!(problem(ProviderKind::Gitlab, None, &[]), None);
    }
}
