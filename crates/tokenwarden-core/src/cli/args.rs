//! Command-line arguments (clap). Names and values here are part of the
//! contract: see the README's "Command line" section.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalogue::{ProviderKind, TokenKindId};

#[derive(Debug, Parser)]
#[command(
    name = "tokenwarden",
    version,
    about = "Check, store and watch the Git access tokens your deployments depend on",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a token against its provider: identity, permissions, expiry.
    ///
    /// Exit status: 0 ready; 1 authenticated but falls short (permission,
    /// role, SSO, approval); 2 unusable (invalid, revoked, expired, wrong
    /// provider); 3 could not check (unreachable, timeout, TLS, rate
    /// limited, unexpected response); 64 usage error.
    Validate(ValidateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    Github,
    Gitlab,
    Bitbucket,
}

impl From<ProviderArg> for ProviderKind {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::Github => ProviderKind::Github,
            ProviderArg::Gitlab => ProviderKind::Gitlab,
            ProviderArg::Bitbucket => ProviderKind::Bitbucket,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Classic,
    FineGrained,
    Personal,
    Project,
    Group,
    Repository,
    Workspace,
}

impl KindArg {
    pub fn to_kind(self) -> TokenKindId {
        match self {
            KindArg::Classic => TokenKindId::Classic,
            KindArg::FineGrained => TokenKindId::FineGrained,
            KindArg::Personal => TokenKindId::Personal,
            KindArg::Project => TokenKindId::Project,
            KindArg::Group => TokenKindId::Group,
            KindArg::Repository => TokenKindId::Repository,
            KindArg::Workspace => TokenKindId::Workspace,
        }
    }

    /// The kinds each provider issues.
    pub fn belongs_to(self, provider: ProviderKind) -> bool {
        use KindArg::*;
        match provider {
            ProviderKind::Github => matches!(self, Classic | FineGrained),
            ProviderKind::Gitlab => matches!(self, Personal | Project | Group),
            ProviderKind::Bitbucket => matches!(self, Repository | Workspace),
        }
    }
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[arg(long, value_enum)]
    pub provider: ProviderArg,
    /// github: classic | fine-grained (detected when omitted); gitlab:
    /// personal | project | group; bitbucket: repository | workspace.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// The web address you know (github.example.com); the API base is derived.
    #[arg(long, value_name = "URL", conflicts_with = "api_url")]
    pub host: Option<String>,
    /// The API base, exactly (http://127.0.0.1:8080/api/v3).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// GitHub organization the repositories belong to.
    #[arg(long)]
    pub org: Option<String>,
    /// GitHub OWNER/NAME, or the Bitbucket repository slug within --workspace.
    #[arg(long, value_name = "OWNER/NAME or SLUG")]
    pub repo: Option<String>,
    /// GitLab project path (group/project).
    #[arg(long, value_name = "PATH")]
    pub project: Option<String>,
    /// GitLab group path.
    #[arg(long, value_name = "PATH")]
    pub group: Option<String>,
    /// Bitbucket workspace.
    #[arg(long, value_name = "NAME")]
    pub workspace: Option<String>,
    /// The expiry date the provider showed (Bitbucket does not report it).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires_at: Option<chrono::NaiveDate>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Read the token from standard input (the only way to pass it).
    #[arg(long, required = true)]
    pub token_stdin: bool,
}
