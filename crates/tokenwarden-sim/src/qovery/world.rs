//! What the simulated Qovery knows: organizations, their API tokens, git
//! tokens (with the value each last received), the services using them,
//! how it validates a value and how it misbehaves.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::behaviour::Behaviour;
use crate::state::{random_alnum, RecordedRequest};

/// An organization (`Organization`: `id`, `created_at`, `name`, `plan`,
/// `description`).
#[derive(Debug, Clone)]
pub struct QoveryOrg {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// The role an API token was created with. Which role may edit git tokens
/// is not documented; here `Viewer` reads and anything else writes, so a
/// test can play Qovery's 403 for a read-only token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QoveryRole {
    #[default]
    Admin,
    Devops,
    Viewer,
}

#[derive(Debug, Clone)]
pub(crate) struct ApiToken {
    pub org_id: String,
    pub role: QoveryRole,
}

/// `GitTokenRequest.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GitProvider {
    Github,
    Gitlab,
    Bitbucket,
}

impl GitProvider {
    /// The simulated provider whose live tokens this type accepts.
    pub fn provider(self) -> crate::Provider {
        match self {
            GitProvider::Github => crate::Provider::Github,
            GitProvider::Gitlab => crate::Provider::Gitlab,
            GitProvider::Bitbucket => crate::Provider::Bitbucket,
        }
    }
}

/// An organization's git token as Qovery keeps it, plus what a test needs
/// to see: the value it last received and how many times it received one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QoveryGitToken {
    pub id: String,
    pub org_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
    pub kind: GitProvider,
    pub expired_at: Option<NaiveDate>,
    pub workspace: Option<String>,
    pub git_api_url: Option<String>,
    /// The value Qovery holds (never returned by its API).
    pub value: Option<String>,
    /// Values received through `createGitToken` / `editGitToken`.
    pub received: u32,
}

impl QoveryGitToken {
    /// `GitTokenResponse`: no value, ever.
    pub(crate) fn response(&self, services: usize) -> Value {
        json!({
            "id": self.id,
            "created_at": self.created_at.to_rfc3339(),
            "updated_at": self.updated_at.to_rfc3339(),
            "name": self.name,
            "description": self.description,
            "type": self.kind,
            "expired_at": self.expired_at.map(|d| d.format("%Y-%m-%d").to_string()),
            "workspace": self.workspace,
            "associated_services_count": services,
            "git_api_url": self.git_api_url,
        })
    }
}

/// What a test seeds: a git token already in the organization.
#[derive(Debug, Clone, Deserialize)]
pub struct GitTokenSeed {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: GitProvider,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub expired_at: Option<NaiveDate>,
    #[serde(default)]
    pub workspace: Option<String>,
    #[serde(default)]
    pub git_api_url: Option<String>,
    /// The value it holds, if the test cares.
    #[serde(default)]
    pub token: Option<String>,
}

impl GitTokenSeed {
    pub fn new(name: &str, kind: GitProvider) -> Self {
        GitTokenSeed {
            name: name.to_owned(),
            kind,
            description: None,
            expired_at: None,
            workspace: None,
            git_api_url: None,
            token: None,
        }
    }
}

/// A service using a git token (the associated services' fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QoveryService {
    pub git_token_id: String,
    #[serde(default = "new_id")]
    pub project_id: String,
    pub project_name: String,
    #[serde(default = "new_id")]
    pub environment_id: String,
    pub environment_name: String,
    #[serde(default = "new_id")]
    pub service_id: String,
    pub service_name: String,
    /// `APPLICATION` | `CRON` | `LIFECYCLE` | `HELM` | `TERRAFORM`.
    pub service_type: String,
}

impl QoveryService {
    pub fn new(git_token_id: &str, project: &str, environment: &str, service: &str) -> Self {
        QoveryService {
            git_token_id: git_token_id.to_owned(),
            project_id: new_id(),
            project_name: project.to_owned(),
            environment_id: new_id(),
            environment_name: environment.to_owned(),
            service_id: new_id(),
            service_name: service.to_owned(),
            service_type: "APPLICATION".to_owned(),
        }
    }

    pub(crate) fn response(&self) -> Value {
        json!({
            "project_id": self.project_id,
            "project_name": self.project_name,
            "environment_id": self.environment_id,
            "environment_name": self.environment_name,
            "service_id": self.service_id,
            "service_name": self.service_name,
            "service_type": self.service_type,
        })
    }
}

/// How Qovery judges a value sent with create or edit ("Test and Save":
/// it checks the token can list repositories).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QoveryValidation {
    /// Accept any value (no provider behind the simulation).
    pub accept_any: bool,
    /// Refuse every value with this message (400), whatever it is.
    pub refusal: Option<String>,
}

/// The words Qovery's 400 carries for a value that cannot list
/// repositories. Qovery publishes no list of messages; this one says what
/// its "Test and Save" checks.
pub const INVALID_TOKEN_MESSAGE: &str =
    "Your git token is not valid: it cannot list the repositories of the git provider";

#[derive(Debug, Default)]
pub(crate) struct QoveryWorld {
    pub orgs: BTreeMap<String, QoveryOrg>,
    pub api_tokens: HashMap<String, ApiToken>,
    /// By id, in creation order of their ids' insertion.
    pub git_tokens: BTreeMap<String, QoveryGitToken>,
    pub services: Vec<QoveryService>,
    pub validation: QoveryValidation,
    pub behaviour: Behaviour,
    pub requests: Vec<RecordedRequest>,
}

impl QoveryWorld {
    pub fn add_org(&mut self, name: &str, id: Option<String>) -> String {
        let id = id.unwrap_or_else(new_id);
        self.orgs.insert(
            id.clone(),
            QoveryOrg {
                id: id.clone(),
                name: name.to_owned(),
                created_at: Utc::now(),
            },
        );
        id
    }

    /// A machine token of `org_id` (`qov_` and 40 characters, the shape of
    /// the console's tokens).
    pub fn add_api_token(&mut self, org_id: &str, role: QoveryRole) -> String {
        let value = format!("qov_{}", random_alnum(40));
        self.api_tokens.insert(
            value.clone(),
            ApiToken {
                org_id: org_id.to_owned(),
                role,
            },
        );
        value
    }

    pub fn add_git_token(&mut self, org_id: &str, seed: GitTokenSeed) -> QoveryGitToken {
        let now = Utc::now();
        let token = QoveryGitToken {
            id: new_id(),
            org_id: org_id.to_owned(),
            created_at: now,
            updated_at: now,
            name: seed.name,
            description: seed.description,
            kind: seed.kind,
            expired_at: seed.expired_at,
            workspace: seed.workspace,
            git_api_url: seed.git_api_url,
            value: seed.token,
            received: 0,
        };
        self.git_tokens.insert(token.id.clone(), token.clone());
        token
    }

    pub fn services_of(&self, git_token_id: &str) -> Vec<&QoveryService> {
        self.services
            .iter()
            .filter(|s| s.git_token_id == git_token_id)
            .collect()
    }
}

/// A version 4 UUID, as Qovery's ids are.
pub(crate) fn new_id() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
