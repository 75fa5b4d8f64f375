//! The check's input and output. `CheckReport` serializes to the JSON that
//! `tokenwarden validate --json` prints: its field names and problem codes
//! are a contract that scripts rely on.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::model::{ProviderKind, TokenKindId};

/// What to check a token against. The token itself travels separately, as
/// a `TokenSecret`, so that this can be logged and shown freely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    pub provider: ProviderKind,
    /// None: detect it (GitHub), or infer it from the target given.
    pub kind: Option<TokenKindId>,
    pub api_url: Url,
    pub org: Option<String>,
    /// GitHub `owner/name`; Bitbucket the repository slug within `workspace`.
    pub repo: Option<String>,
    pub project: Option<String>,
    pub group: Option<String>,
    pub workspace: Option<String>,
    /// An expiry date the user read off the provider's page (Bitbucket).
    pub user_expires_at: Option<NaiveDate>,
    /// A PEM file of certificate authorities to trust besides the
    /// platform's, for a self-hosted server with a private CA.
    pub ca_file: Option<PathBuf>,
}

impl CheckRequest {
    pub fn new(provider: ProviderKind, api_url: Url) -> Self {
        CheckRequest {
            provider,
            kind: None,
            api_url,
            org: None,
            repo: None,
            project: None,
            group: None,
            workspace: None,
            user_expires_at: None,
            ca_file: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, Deserialize)]
#[ts(export)]
pub struct Identity {
    pub login: String,
}

/// Where the expiry date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, Deserialize)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ExpirySource {
    /// Reported by the provider.
    Provider,
    /// Entered by the user (the provider does not expose it).
    User,
    /// The provider says the token never expires.
    Never,
    /// Not known: not reported, unparseable, or the check did not get that far.
    Unknown,
}

/// Every way a check can go wrong, never lumped together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS, Deserialize)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProblemCode {
    InvalidToken,
    Expired,
    MissingPermissions,
    InsufficientRole,
    SsoRequired,
    PendingApproval,
    RateLimited,
    NotFound,
    Unreachable,
    TlsError,
    UnexpectedResponse,
    ProviderMismatch,
    InsecureUrl,
    NoExpiry,
    ExpiresSoon,
    /// The provider's own credential, but not the kind these checks take
    /// (an Atlassian API token or app password instead of an access token):
    /// refused before sending.
    WrongTokenType,
    /// The provider never reports the expiry and none was entered (a
    /// warning).
    ExpiryUnknown,
    /// The organization forbids this kind of token (GitHub organizations
    /// that refuse classic personal access tokens).
    ClassicTokenForbidden,
}

impl ProblemCode {
    /// Warnings inform; they do not stop a token from being ready.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ProblemCode::NoExpiry | ProblemCode::ExpiresSoon | ProblemCode::ExpiryUnknown
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, Deserialize)]
#[ts(export)]
pub struct Problem {
    pub code: ProblemCode,
    /// What happened and what to do, in plain words. Never the token.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CheckReport {
    pub provider: ProviderKind,
    pub kind: Option<TokenKindId>,
    pub api_url: String,
    pub authenticated: bool,
    pub identity: Option<Identity>,
    /// Granted scopes, or None where the provider reports none
    /// (fine-grained GitHub tokens).
    pub scopes: Option<Vec<String>>,
    /// Unmet requirements in the provider's own words (`admin:repo_hook`,
    /// `api`, `webhook`, `role:maintainer`).
    pub missing: Vec<String>,
    /// Requirements a read-only check cannot prove (fine-grained write
    /// permissions). Never reported as granted.
    pub unverified: Vec<String>,
    #[ts(type = "string | null")]
    pub expires_at: Option<DateTime<Utc>>,
    pub expiry: ExpirySource,
    pub problems: Vec<Problem>,
    pub ready: bool,
}

/// What a report means for a script: `validate`'s exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    /// 0: ready to use.
    Ready,
    /// 1: authenticated, but falls short (permission, role, SSO, approval,
    /// target not reachable).
    FallsShort,
    /// 2: unusable (invalid, revoked, expired, wrong provider).
    Unusable,
    /// 3: could not be checked (unreachable, TLS, rate limited, unexpected).
    Unchecked,
    /// 64: the request itself was wrong (an insecure URL).
    Usage,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Ready => 0,
            Verdict::FallsShort => 1,
            Verdict::Unusable => 2,
            Verdict::Unchecked => 3,
            Verdict::Usage => 64,
        }
    }
}

impl CheckReport {
    /// A report for a check that has not (yet) learned anything.
    pub fn start(request: &CheckRequest) -> Self {
        CheckReport {
            provider: request.provider,
            kind: request.kind,
            api_url: request.api_url.as_str().trim_end_matches('/').to_owned(),
            authenticated: false,
            identity: None,
            scopes: None,
            missing: Vec::new(),
            unverified: Vec::new(),
            expires_at: None,
            expiry: ExpirySource::Unknown,
            problems: Vec::new(),
            ready: false,
        }
    }

    pub fn problem(&mut self, code: ProblemCode, message: impl Into<String>) {
        self.problems.push(Problem {
            code,
            message: message.into(),
        });
    }

    pub fn has(&self, code: ProblemCode) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    /// Records requirements the token lacks, once each.
    pub fn lacks(&mut self, requirement: impl Into<String>) {
        let requirement = requirement.into();
        if !self.missing.contains(&requirement) {
            self.missing.push(requirement);
        }
    }

    /// Settles `ready` from what was found. Called once, at the end.
    pub fn finish(mut self) -> Self {
        self.ready = self.authenticated
            && self.missing.is_empty()
            && self.problems.iter().all(|p| p.code.is_warning());
        self
    }

    pub fn verdict(&self) -> Verdict {
        use ProblemCode::*;
        let any = |codes: &[ProblemCode]| self.problems.iter().any(|p| codes.contains(&p.code));
        if any(&[InsecureUrl]) {
            Verdict::Usage
        } else if any(&[InvalidToken, Expired, ProviderMismatch, WrongTokenType]) {
            Verdict::Unusable
        } else if any(&[Unreachable, TlsError, RateLimited, UnexpectedResponse]) {
            Verdict::Unchecked
        } else if self.ready {
            Verdict::Ready
        } else {
            Verdict::FallsShort
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CheckReport {
        CheckReport::start(&CheckRequest::new(
            ProviderKind::Github,
            Url::parse("https://api.github.com").unwrap(),
        ))
    }

    #[test]
    fn ready_needs_authentication_no_missing_and_only_warnings() {
        let mut r = report();
        r.authenticated = true;
        r.problem(ProblemCode::NoExpiry, "never expires");
        let r = r.finish();
        assert!(r.ready);
        assert_eq!(r.verdict(), Verdict::Ready);

        let mut r = report();
        r.authenticated = true;
        r.lacks("admin:repo_hook");
        r.lacks("admin:repo_hook");
        let r = r.finish();
        assert_eq!(r.missing, ["admin:repo_hook"]);
        assert_eq!(r.verdict(), Verdict::FallsShort);
    }

    #[test]
    fn verdicts_map_to_the_documented_exit_codes() {
        let with = |code| {
            let mut r = report();
            r.problem(code, "x");
            r.finish().verdict().exit_code()
        };
        assert_eq!(with(ProblemCode::InsecureUrl), 64);
        assert_eq!(with(ProblemCode::InvalidToken), 2);
        assert_eq!(with(ProblemCode::Expired), 2);
        assert_eq!(with(ProblemCode::ProviderMismatch), 2);
        assert_eq!(with(ProblemCode::WrongTokenType), 2);
        assert_eq!(with(ProblemCode::Unreachable), 3);
        assert_eq!(with(ProblemCode::TlsError), 3);
        assert_eq!(with(ProblemCode::RateLimited), 3);
        assert_eq!(with(ProblemCode::UnexpectedResponse), 3);
        assert_eq!(with(ProblemCode::SsoRequired), 1);
        assert_eq!(with(ProblemCode::PendingApproval), 1);
        assert_eq!(with(ProblemCode::InsufficientRole), 1);
        assert_eq!(with(ProblemCode::NotFound), 1);
        assert_eq!(with(ProblemCode::ClassicTokenForbidden), 1);
    }

    #[test]
    fn serializes_to_the_validate_json_contract() {
        let mut r = report();
        r.kind = Some(TokenKindId::FineGrained);
        r.problem(ProblemCode::SsoRequired, "authorize");
        let text = serde_json::to_string(&r.clone().finish()).unwrap();
        let fields = [
            "provider",
            "kind",
            "api_url",
            "authenticated",
            "identity",
            "scopes",
            "missing",
            "unverified",
            "expires_at",
            "expiry",
            "problems",
            "ready",
        ];
        let positions: Vec<_> = fields
            .iter()
            .map(|f| {
                text.find(&format!("\"{f}\":"))
                    .unwrap_or_else(|| panic!("no {f}"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "field order: {text}"
        );
        let json = serde_json::to_value(r.finish()).unwrap();
        assert_eq!(json["kind"], "fine-grained");
        assert_eq!(json["api_url"], "https://api.github.com");
        assert_eq!(json["expiry"], "unknown");
        assert_eq!(json["problems"][0]["code"], "sso_required");
        assert_eq!(json["scopes"], serde_json::Value::Null);
    }
}
