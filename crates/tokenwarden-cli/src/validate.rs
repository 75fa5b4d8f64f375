//! `tokenwarden validate`: check one token read from standard input.

use url::Url;

use super::args::{KindArg, TargetArgs, ValidateArgs};
use super::{output, read_token_from_stdin, usage_error, EXIT_USAGE};
use tokenwarden_core::check::{CheckReport, CheckRequest, HttpOptions, ProblemCode};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::endpoint::{self, EndpointError};
use tokenwarden_core::model::{ProviderKind, TokenKindId};
use tokenwarden_core::secret::TokenSecret;
use tokenwarden_core::target::TokenTarget;

/// A target resolved into a check request, or the exit status of why not
/// (the reason already printed).
pub(crate) fn resolve_target(args: &TargetArgs, json: bool) -> Result<CheckRequest, u8> {
    let provider: ProviderKind = args.provider.into();
    if let Some(kind) = args.kind {
        if !kind.belongs_to(provider) {
            return Err(usage_error(&format!(
                "--kind {} is not a kind of {} token (use {})",
                kind_name(kind),
                provider_word(provider),
                match provider {
                    ProviderKind::Github => "classic or fine-grained",
                    ProviderKind::Gitlab => "personal, project or group",
                    ProviderKind::Bitbucket => "repository or workspace",
                }
            )));
        }
    }
    if let Some(problem) = misplaced_target(args, provider) {
        return Err(usage_error(&problem));
    }
    let target = TokenTarget {
        provider,
        kind: args.kind.map(KindArg::to_kind),
        host: args.host.clone(),
        api_url: args.api_url.clone(),
        org: args.org.clone(),
        repo: args.repo.clone(),
        project: args.project.clone(),
        group: args.group.clone(),
        workspace: args.workspace.clone(),
        expires_at: args.expires_at,
        ca_file: args.ca_file.clone(),
    };
    match target.to_request() {
        Ok(request) => Ok(request),
        Err(error @ EndpointError::Insecure { .. }) => {
            let given = args
                .host
                .as_deref()
                .or(args.api_url.as_deref())
                .unwrap_or_default();
            refuse_insecure(provider, args.kind, given, &error, json);
            Err(EXIT_USAGE)
        }
        Err(error) => Err(usage_error(&error.to_string())),
    }
}

/// Reads the token for `request` from standard input, refusing what cannot
/// be checked as asked.
pub(crate) fn read_token_for(request: &CheckRequest) -> Result<TokenSecret, u8> {
    let token = match read_token_from_stdin() {
        Ok(token) if token.is_empty() => {
            return Err(usage_error("no token on standard input (pipe it in, e.g. `printenv MY_TOKEN | tokenwarden validate ... --token-stdin`)"))
        }
        Ok(token) => token,
        Err(error) => {
            return Err(usage_error(&format!(
                "could not read the token from standard input: {error}"
            )))
        }
    };
    let fine_grained = request.kind == Some(TokenKindId::FineGrained)
        || (request.provider == ProviderKind::Github && token.expose().starts_with("github_pat_"));
    if fine_grained && request.repo.is_none() {
        return Err(usage_error("a fine-grained GitHub token is checked against a repository it was given: pass --repo OWNER/NAME"));
    }
    Ok(token)
}

pub(crate) fn checker(timeout_secs: u64) -> Checker {
    Checker::new(CheckOptions {
        http: HttpOptions {
            timeout: std::time::Duration::from_secs(timeout_secs),
            ..HttpOptions::default()
        },
        ..CheckOptions::default()
    })
}

/// The target and the token from standard input, or the exit status of
/// why not (the reason already printed).
pub(crate) fn target_and_token(
    args: &TargetArgs,
    json: bool,
) -> Result<(CheckRequest, TokenSecret), u8> {
    let request = resolve_target(args, json)?;
    let token = read_token_for(&request)?;
    Ok((request, token))
}

pub async fn run(args: ValidateArgs) -> u8 {
    let (request, token) = match target_and_token(&args.target, args.json) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let report = checker(args.timeout).check(&request, &token).await;
    drop(token);
    output::print(&report, args.json);
    report.verdict().exit_code()
}

/// Targets that make no sense for the provider, or are missing where the
/// provider cannot be checked without them.
fn misplaced_target(args: &TargetArgs, provider: ProviderKind) -> Option<String> {
    let given = |flag: &str, value: &Option<String>| value.as_ref().map(|_| flag.to_owned());
    let wrong = match provider {
        ProviderKind::Github => given("--project", &args.project)
            .or(given("--group", &args.group))
            .or(given("--workspace", &args.workspace)),
        ProviderKind::Gitlab => given("--org", &args.org)
            .or(given("--repo", &args.repo))
            .or(given("--workspace", &args.workspace)),
        ProviderKind::Bitbucket => given("--org", &args.org)
            .or(given("--project", &args.project))
            .or(given("--group", &args.group)),
    };
    if let Some(flag) = wrong {
        return Some(format!(
            "{flag} does not apply to {} tokens",
            provider_word(provider)
        ));
    }
    match (provider, args.kind) {
        (ProviderKind::Bitbucket, _) if args.workspace.is_none() => Some(
            "Bitbucket tokens are checked against their workspace: pass --workspace NAME".into(),
        ),
        (ProviderKind::Bitbucket, Some(KindArg::Repository)) if args.repo.is_none() => Some(
            "a repository access token is checked against its repository: pass --repo SLUG".into(),
        ),
        (ProviderKind::Gitlab, Some(KindArg::Project)) if args.project.is_none() => Some(
            "a project access token is checked against its project: pass --project GROUP/PROJECT"
                .into(),
        ),
        (ProviderKind::Gitlab, Some(KindArg::Group)) if args.group.is_none() => {
            Some("a group access token is checked against its group: pass --group PATH".into())
        }
        _ => None,
    }
}

fn refuse_insecure(
    provider: ProviderKind,
    kind: Option<KindArg>,
    given: &str,
    error: &EndpointError,
    json: bool,
) {
    let url = Url::parse(given).unwrap_or_else(|_| endpoint::default_api_base(provider));
    let mut request = CheckRequest::new(provider, url);
    request.kind = kind.map(KindArg::to_kind);
    let mut report = CheckReport::start(&request);
    report.api_url = given.trim().to_owned();
    report.problem(ProblemCode::InsecureUrl, error.to_string());
    let report = report.finish();
    if json {
        output::print(&report, true);
    } else {
        eprintln!("error: {error}");
    }
}

fn provider_word(provider: ProviderKind) -> &'static str {
    tokenwarden_core::providers::get(provider).name()
}

fn kind_name(kind: KindArg) -> String {
    use clap::ValueEnum;
    kind.to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}
