//! Addresses users type: `--host` / `--api-url` and the wizard's fields
//! (`endpoint::api_base_from_host`, `api_base_exact`), the whole target the
//! app's webview sends (`TokenTarget`, JSON), the `--simulator` option, and
//! the token name suggested from what was typed.
//!
//! Input: the address on the first line, endpoint paths on the next ones;
//! or, when it starts with `{`, a `TokenTarget` as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::endpoint::{self, api_base_exact, api_base_from_host, EndpointError};
use tokenwarden_core::providers;
use tokenwarden_core::target::TokenTarget;
use tokenwarden_core::vault::{name_problem, suggest_name};
use tokenwarden_core::ProviderKind;
use tokenwarden_fuzz::{assert_no_token_echo, token_like_runs};
use url::Url;

const PROVIDERS: [ProviderKind; 3] = [
    ProviderKind::Github,
    ProviderKind::Gitlab,
    ProviderKind::Bitbucket,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.trim_start().starts_with('{') {
        token_target(text);
        return;
    }
    let (address, rest) = text.split_once('\n').unwrap_or((text, ""));
    let paths: Vec<&str> = rest.lines().chain(["/user", ""]).collect();

    for provider in PROVIDERS {
        match api_base_from_host(provider, address) {
            Ok(api) => {
                assert_safe(&api, address);
                // Deriving again from the result changes nothing.
                assert_eq!(api_base_from_host(provider, api.as_str()), Ok(api.clone()));
                let web = endpoint::web_base(provider, &api);
                assert_eq!(web.scheme(), api.scheme());
                assert_joins_stay(&api, &paths);
            }
            Err(error) => assert_error_is_safe(address, &error),
        }
        let name = suggest_name(provider, Some(address), rest);
        assert_eq!(name_problem(&name), None, "suggested {name:?}");
    }
    match api_base_exact(address) {
        Ok(api) => {
            assert_safe(&api, address);
            assert_eq!(api_base_exact(api.as_str()), Ok(api.clone()));
            assert_joins_stay(&api, &paths);
        }
        Err(error) => assert_error_is_safe(address, &error),
    }
    if let Ok(simulated) = Simulated::parse(address) {
        for url in providers::all()
            .iter()
            .filter_map(|p| simulated.server(p.kind()))
        {
            assert!(endpoint::is_loopback(url), "simulator at {url}");
        }
    }
});

/// The webview's `TokenTarget`: whatever it holds, the request it becomes
/// sends the token over https or to this computer only.
fn token_target(json: &str) {
    let Ok(target) = serde_json::from_str::<TokenTarget>(json) else {
        return;
    };
    // The address it names: the API base when given, else the host (blank
    // fields count as absent); none means the provider's cloud.
    let blank_to_none = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let address = blank_to_none(&target.api_url)
        .or(blank_to_none(&target.host))
        .unwrap_or_default();
    match target.to_request() {
        Ok(request) => {
            assert_safe(&request.api_url, &address);
            for field in [
                &request.org,
                &request.repo,
                &request.project,
                &request.group,
                &request.workspace,
            ]
            .into_iter()
            .flatten()
            {
                assert!(!field.is_empty() && field.trim() == field, "{field:?}");
            }
        }
        Err(error) => assert_error_is_safe(&address, &error),
    }
}

/// An API base a token may be sent to. Never one made of a token pasted
/// into the address field: resolving it would hand the token to DNS.
fn assert_safe(api: &Url, input: &str) {
    assert!(
        token_like_runs(input).is_empty(),
        "{input:?}, which holds a token, was taken as the address {api}"
    );
    assert!(
        !tokenwarden_core::check::address::host_looks_like_bare_token(input.trim()),
        "{input:?}, shaped like a token without a prefix, was taken as the address {api}"
    );
    let https = api.scheme() == "https";
    let local = api.scheme() == "http" && endpoint::is_loopback(api);
    assert!(https || local, "{input:?} gave {api}");
    assert!(
        api.username().is_empty() && api.password().is_none(),
        "{api}"
    );
    assert!(api.query().is_none() && api.fragment().is_none(), "{api}");
}

/// Endpoint paths (which carry names the user typed: repositories,
/// organizations) never lead a request to another server.
fn assert_joins_stay(api: &Url, paths: &[&str]) {
    for path in paths {
        let url = endpoint::join(api, path);
        assert_eq!(url.origin(), api.origin(), "{api} + {path:?} gave {url}");
    }
}

/// The error says what is wrong without quoting a token, a password or a
/// user name (`https://x-access-token:ghp_...@github.com` is common).
fn assert_error_is_safe(input: &str, error: &EndpointError) {
    let message = error.to_string();
    assert_no_token_echo(input, &message, "the address error");
    // The host part holding `user:password@`, when it appears once in the
    // input (elsewhere, its text is not the credentials).
    if let Some(authority) = authority_with_credentials(input) {
        if input.matches(authority).count() == 1 {
            assert!(!message.contains(authority), "{message}");
        }
    }
}

/// The host part of an address, when credentials precede an `@` in it.
fn authority_with_credentials(input: &str) -> Option<&str> {
    let rest = input.split_once("://").map_or(input, |(_, rest)| rest);
    let authority = rest.split(['/', '\\', '?', '#']).next()?;
    let (credentials, _) = authority.rsplit_once('@')?;
    // Real credentials hold a letter or digit; `…` is the mask itself.
    credentials
        .chars()
        .any(char::is_alphanumeric)
        .then_some(authority)
}
