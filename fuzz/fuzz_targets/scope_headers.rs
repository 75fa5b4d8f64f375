//! The scope lists providers send in headers: GitHub's `X-OAuth-Scopes`
//! and Bitbucket's `x-oauth-scopes` (commas or spaces), and the scope
//! hierarchy that decides whether what was granted meets a requirement.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenwarden_core::providers::{bitbucket, github};

/// Requirements the checks ask about, and their relatives in GitHub's
/// hierarchy.
const GITHUB_REQUIREMENTS: &[&str] = &[
    "repo",
    "admin:repo_hook",
    "write:repo_hook",
    "read:repo_hook",
    "read:org",
    "write:org",
    "admin:org",
    "public_repo",
    "repo:status",
    "read:user",
    "user",
    "read:enterprise",
];

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };

    let granted = github::scopes::parse_header(header);
    assert_clean(&granted, &[',']);
    // What was parsed, written back as GitHub writes it, parses the same.
    assert_eq!(github::scopes::parse_header(&granted.join(", ")), granted);

    let mut reversed = granted.clone();
    reversed.reverse();
    let mut widened = granted.clone();
    widened.extend(["repo".to_owned(), "admin:org".to_owned()]);
    let requirements = GITHUB_REQUIREMENTS
        .iter()
        .copied()
        .chain(granted.iter().map(String::as_str));
    for required in requirements {
        let met = github::scopes::satisfies(&granted, required);
        // The order of the header does not matter...
        assert_eq!(met, github::scopes::satisfies(&reversed, required));
        // ...and granting more never loses a requirement already met.
        if met {
            assert!(github::scopes::satisfies(&widened, required), "{required}");
        }
    }
    for scope in &granted {
        assert!(github::scopes::satisfies(&granted, scope), "{scope}");
    }

    let granted = bitbucket::check::parse_scopes(header);
    assert_clean(&granted, &[',', ' ']);
    assert_eq!(bitbucket::check::parse_scopes(&granted.join(" ")), granted);
    assert_eq!(bitbucket::check::parse_scopes(&granted.join(", ")), granted);
});

/// Every scope is a non-empty word without separators or surrounding space.
fn assert_clean(scopes: &[String], separators: &[char]) {
    for scope in scopes {
        assert!(!scope.is_empty());
        assert_eq!(scope.trim(), scope);
        assert!(!scope.contains(separators), "{scope:?}");
    }
}
