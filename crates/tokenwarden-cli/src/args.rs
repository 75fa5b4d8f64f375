//! Command-line arguments (clap). Names and values here are part of the
//! contract: see the README's "Command line" section.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokenwarden_core::model::{ProviderKind, TokenKindId};
use tokenwarden_core::providers;

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
    /// Check a token, then store it: the secret in the OS keychain, its
    /// metadata beside it. A token that falls short is stored only with --yes.
    Add(AddArgs),
    /// List the stored tokens, soonest expiry first (metadata only).
    List(ListArgs),
    /// Show one stored token (metadata only, never the secret).
    Show(ShowArgs),
    /// Change a stored token's name, description, address, expiry date or value.
    Edit(EditArgs),
    /// Re-check one stored token, or all of them.
    ///
    /// Exit status: 0 every token checked is ready and none expires within
    /// --within days; 1 otherwise; 3 when some could not be checked.
    Check(CheckArgs),
    /// Replace a stored token's value with a new one, if the new one is ready.
    Rotate(RotateArgs),
    /// Delete a stored token: its keychain entry and its metadata.
    Rm(RmArgs),
    /// Export every token's expiry and state, for Prometheus
    /// (node_exporter's textfile collector) or a calendar (.ics).
    /// Metadata only: never a secret.
    ///
    /// Exit status: 0 written; 64 usage error; 74 the vault, its metadata
    /// or the output file could not be read or written.
    Export(ExportArgs),
    /// Qovery: connect organizations, see their git tokens and the services
    /// using them, link a stored token to one and push its value there.
    ///
    /// Exit status: 0 done; 2 Qovery refused the API token or the token
    /// value (401, 403, 400), with its message; 3 Qovery could not be
    /// reached, timed out or answered 5xx; 64 usage (unknown name, not
    /// connected, a link across providers, a refused address); 74 keychain
    /// or metadata failure. `push` of a value that is not ready exits as
    /// `validate` would (1 falls short, without --yes; 2 unusable).
    Qovery(QoveryArgs),
}

#[derive(Debug, Args)]
pub struct QoveryArgs {
    #[command(subcommand)]
    pub command: QoveryCommand,
}

#[derive(Debug, Subcommand)]
pub enum QoveryCommand {
    /// Connect an organization: its API token (read from standard input)
    /// is checked, then kept in the OS keychain.
    Connect(QoveryConnectArgs),
    /// List the organization's git tokens: provider, expiry, services.
    Tokens(QoveryTokensArgs),
    /// Link a stored token to a Qovery git token of the same provider
    /// (nothing is sent).
    Link(QoveryLinkArgs),
    /// Forget a stored token's link (Qovery is not changed).
    Unlink(QoveryUnlinkArgs),
    /// Send a stored token's value to its Qovery git token (or, with
    /// --create, to a new one), if its check is ready.
    Push(QoveryPushArgs),
    /// Disconnect an organization: its API token leaves the keychain.
    Disconnect(QoveryDisconnectArgs),
}

#[derive(Debug, Args)]
pub struct QoveryConnectArgs {
    /// The organization's id (Qovery's console: Organization settings).
    #[arg(long, value_name = "ORG_ID")]
    pub org: String,
    /// Qovery's API address; http:// only on this computer.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Read the API token from standard input (the only way to pass it).
    #[arg(long, required = true)]
    pub token_stdin: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct QoveryTokensArgs {
    /// Needed only when several organizations are connected.
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<String>,
    /// Also list the services using each git token.
    #[arg(long)]
    pub services: bool,
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct QoveryLinkArgs {
    pub name: String,
    /// The Qovery git token's id (`tokenwarden qovery tokens` lists them).
    #[arg(long, value_name = "ID")]
    pub git_token: String,
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct QoveryUnlinkArgs {
    pub name: String,
}

#[derive(Debug, Args)]
pub struct QoveryPushArgs {
    pub name: String,
    /// Make a new Qovery git token with this value, and link it.
    #[arg(long)]
    pub create: bool,
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<String>,
    /// Push a value that falls short of its requirements (or could not be
    /// checked); an unusable one is never pushed.
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct QoveryDisconnectArgs {
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The Prometheus text exposition format (0.0.4).
    Prometheus,
    /// An iCalendar file (RFC 5545): an all-day event per expiry.
    Ics,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to FILE atomically (a temporary file in the same folder, then
    /// a rename) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A name to find it by: letters, digits, '-', '_', '.' (e.g. github-acme-production).
    #[arg(long)]
    pub name: String,
    /// What the token is for.
    #[arg(long, default_value = "")]
    pub description: String,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// Store it even if it falls short of the requirements (or could not be checked).
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
    /// Read the token from standard input (the only way to pass it).
    #[arg(long, required = true)]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub name: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub name: String,
    #[arg(long, value_name = "N")]
    pub new_name: Option<String>,
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    #[arg(long, value_name = "URL", conflicts_with = "api_url")]
    pub host: Option<String>,
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// A PEM file with the server's private certificate authority; "" removes it.
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// The expiry date the provider showed (for providers that report none).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires_at: Option<chrono::NaiveDate>,
    /// Read a new value from standard input; it is checked first.
    #[arg(long)]
    pub token_stdin: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only this token (default: all).
    pub name: Option<String>,
    /// Fail when a token expires within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub within: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    pub name: String,
    /// Read the new value from standard input (the only way to pass it).
    #[arg(
        long,
        required_unless_present = "self_rotate",
        conflicts_with = "self_rotate"
    )]
    pub token_stdin: bool,
    /// GitLab personal, project and group access tokens: have GitLab issue
    /// the new value itself (it revokes the old one); needs the api or
    /// self_rotate scope.
    #[arg(long)]
    pub self_rotate: bool,
    /// With --self-rotate: the new token's expiry. Always sent; by default
    /// the old token's lifetime again from today (at most a year), printed
    /// before rotating.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "self_rotate")]
    pub expires_at: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    pub name: String,
}

/// `--provider`: the registry's providers, by the word the CLI knows them by.
fn provider_value() -> impl TypedValueParser<Value = ProviderKind> {
    PossibleValuesParser::new(providers::all().iter().map(|p| p.slug())).map(|slug| {
        providers::by_slug(&slug)
            .expect("only offered slugs parse")
            .kind()
    })
}

/// Every kind of token some provider issues, by its wire name
/// (`fine-grained`), in the catalogue's order.
pub fn kind_slugs() -> Vec<(TokenKindId, String)> {
    let mut kinds: Vec<(TokenKindId, String)> = Vec::new();
    for kind in providers::all().iter().flat_map(|p| p.token_kinds()) {
        if !kinds.iter().any(|(id, _)| *id == kind.id) {
            let slug = serde_json::to_value(kind.id)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            kinds.push((kind.id, slug));
        }
    }
    kinds
}

/// `--kind`: every kind some provider issues.
fn kind_value() -> impl TypedValueParser<Value = TokenKindId> {
    PossibleValuesParser::new(kind_slugs().into_iter().map(|(_, slug)| slug)).map(|slug| {
        kind_slugs()
            .into_iter()
            .find(|(_, s)| *s == slug)
            .map(|(id, _)| id)
            .expect("only offered kinds parse")
    })
}

/// What a token is checked against: the provider, where it lives, and the
/// organization, repository, project, group or workspace it serves.
#[derive(Debug, Args)]
pub struct TargetArgs {
    #[arg(long, value_parser = provider_value())]
    pub provider: ProviderKind,
    /// github: classic | fine-grained (detected when omitted); gitlab:
    /// personal | project | group; bitbucket: repository | workspace.
    #[arg(long, value_parser = kind_value())]
    pub kind: Option<TokenKindId>,
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
    /// A PEM file with your server's private certificate authority, trusted
    /// besides this computer's (self-hosted servers). Stored by path.
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub target: TargetArgs,
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
