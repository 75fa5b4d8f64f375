//! `tokenwarden validate`: check one token read from standard input.

use url::Url;

use super::args::{kind_slugs, TargetArgs, ValidateArgs};
use super::{output, read_token_from_stdin, usage_error, EXIT_USAGE};
use tokenwarden_core::check::{CheckReport, CheckRequest, HttpOptions, ProblemCode};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::endpoint::{self, EndpointError};
use tokenwarden_core::model::{ProviderKind, TargetField, TokenKindId};
use tokenwarden_core::providers;
use tokenwarden_core::secret::TokenSecret;
use tokenwarden_core::target::{place_problem, PlaceProblem, TokenTarget};

/// A target resolved into a check request, or the exit status of why not
/// (the reason already printed).
pub(crate) fn resolve_target(args: &TargetArgs, json: bool) -> Result<CheckRequest, u8> {
    let provider = args.provider;
    if let Some(kind) = args.kind {
        let own = kinds_of(provider);
        if !own.iter().any(|(id, _)| *id == kind) {
            let names: Vec<&str> = own.iter().map(|(_, slug)| slug.as_str()).collect();
            return Err(usage_error(&format!(
                "--kind {} is not a kind of {} token (use {})",
                kind_name(kind),
                provider_word(provider),
                either(&names)
            )));
        }
    }
    if let Some(problem) = misplaced_target(args, provider, args.kind) {
        return Err(usage_error(&problem));
    }
    let target = TokenTarget {
        provider,
        kind: args.kind,
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
    // A kind the value shows (a fine-grained GitHub token) may need a
    // field the options did not say it would.
    let kind = request
        .kind
        .or_else(|| providers::get(request.provider).kind_of_token(token.expose()));
    let given = |field| match field {
        TargetField::Org => request.org.is_some(),
        TargetField::Repo => request.repo.is_some(),
        TargetField::Project => request.project.is_some(),
        TargetField::Group => request.group.is_some(),
        TargetField::Workspace => request.workspace.is_some(),
    };
    if let Some(problem) = place_problem(request.provider, kind, given) {
        return Err(usage_error(&place_words(&problem)));
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
/// provider cannot be checked without them (the catalogue says which).
fn misplaced_target(
    args: &TargetArgs,
    provider: ProviderKind,
    kind: Option<TokenKindId>,
) -> Option<String> {
    let given = |field| match field {
        TargetField::Org => args.org.is_some(),
        TargetField::Repo => args.repo.is_some(),
        TargetField::Project => args.project.is_some(),
        TargetField::Group => args.group.is_some(),
        TargetField::Workspace => args.workspace.is_some(),
    };
    place_problem(provider, kind, given).map(|problem| place_words(&problem))
}

/// The option that fills in `field`.
fn flag(field: TargetField) -> &'static str {
    match field {
        TargetField::Org => "--org",
        TargetField::Repo => "--repo",
        TargetField::Project => "--project",
        TargetField::Group => "--group",
        TargetField::Workspace => "--workspace",
    }
}

fn place_words(problem: &PlaceProblem) -> String {
    match problem {
        PlaceProblem::NotApplicable { field, provider } => {
            format!("{} does not apply to {provider} tokens", flag(*field))
        }
        PlaceProblem::Missing {
            field,
            why,
            value_name,
        } => format!("{why}: pass {} {value_name}", flag(*field)),
    }
}

/// The kinds `provider` issues, with their wire names.
fn kinds_of(provider: ProviderKind) -> Vec<(TokenKindId, String)> {
    let own: Vec<TokenKindId> = providers::get(provider)
        .token_kinds()
        .into_iter()
        .map(|k| k.id)
        .collect();
    kind_slugs()
        .into_iter()
        .filter(|(id, _)| own.contains(id))
        .collect()
}

/// "a or b", "a, b or c".
fn either(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn refuse_insecure(
    provider: ProviderKind,
    kind: Option<TokenKindId>,
    given: &str,
    error: &EndpointError,
    json: bool,
) {
    let url = Url::parse(given).unwrap_or_else(|_| endpoint::default_api_base(provider));
    let mut request = CheckRequest::new(provider, url);
    request.kind = kind;
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

fn kind_name(kind: TokenKindId) -> String {
    kind_slugs()
        .into_iter()
        .find(|(id, _)| *id == kind)
        .map(|(_, slug)| slug)
        .unwrap_or_default()
}
