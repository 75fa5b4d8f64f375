//! Where a provider's API lives, from what the user typed.
//!
//! Users know the web address (`github.example.com`); the API base is
//! derived from it per provider. Anything that would send a token in clear
//! text over the network is refused here, before a request exists: plain
//! `http://` is accepted for loopback addresses only (the simulator, local
//! tunnels).

use std::net::IpAddr;
use url::Url;

use crate::catalogue::ProviderKind;
use crate::check::contains_token;
use crate::providers::{bitbucket, github, gitlab};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// `input` is what the user typed, with any user name and password
    /// masked: the message is shown and printed.
    #[error("“{input}” is not a usable address: {reason}")]
    Invalid { input: String, reason: &'static str },
    /// A token pasted where the address goes. Never quoted, and never
    /// resolved: looking it up as a host name would hand it to DNS.
    #[error("This looks like an access token, not an address: paste the token in the token field, and the server's address (github.example.com) here.")]
    LooksLikeToken,
    #[error("Refusing to send a token over plain HTTP to {host}: use https://, or http:// only for this computer (localhost, 127.0.0.1, ::1).")]
    Insecure { host: String },
    #[error("{0}")]
    Unsupported(&'static str),
    /// The private CA file given for the server cannot be used.
    #[error(transparent)]
    CaFile(#[from] crate::check::CaFileError),
}

/// Parses an address typed by a user: `host`, `host:port`, `https://host/path`.
fn parse_user_url(input: &str) -> Result<Url, EndpointError> {
    let trimmed = input.trim();
    if contains_token(trimmed) {
        return Err(EndpointError::LooksLikeToken);
    }
    let invalid = |reason| EndpointError::Invalid {
        input: without_credentials(trimmed),
        reason,
    };
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| invalid("it is not a valid URL"))?;
    // Host names come out lower-cased and percent-decoded: what the parser
    // made of the input must not look like a token either (found by
    // fuzzing: `gHp_R4nd0...` became the host `ghp_r4nd0...`).
    if contains_token(url.as_str()) {
        return Err(EndpointError::LooksLikeToken);
    }
    match url.scheme() {
        "https" | "http" => {}
        _ => return Err(invalid("only https:// addresses are supported")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host name"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not contain ? or #"));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(EndpointError::Insecure {
            host: url.host_str().unwrap_or_default().to_owned(),
        });
    }
    Ok(url)
}

/// `input` with whatever precedes an `@` in its host part masked: the
/// `user:password@` (often `x-access-token:TOKEN@`) of a Git remote URL.
/// Done on the text, not on a parsed URL: what fails to parse is quoted too.
fn without_credentials(input: &str) -> String {
    let (scheme, rest) = match input.find("://") {
        Some(i) => input.split_at(i + 3),
        None => ("", input),
    };
    let authority = rest
        .find(['/', '\\', '?', '#'])
        .map_or(rest, |end| &rest[..end]);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}…{}", &rest[at..]),
        None => input.to_owned(),
    }
}

/// True for addresses that never leave this computer.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn trimmed_path(url: &Url) -> String {
    url.path().trim_end_matches('/').to_owned()
}

fn with_path(url: &Url, path: &str) -> Url {
    let mut out = url.clone();
    out.set_path(path);
    out
}

/// The API base the provider's cloud service uses.
pub fn default_api_base(provider: ProviderKind) -> Url {
    let s = match provider {
        ProviderKind::Github => github::CLOUD_API_URL,
        ProviderKind::Gitlab => gitlab::CLOUD_API_URL,
        ProviderKind::Bitbucket => bitbucket::CLOUD_API_URL,
    };
    Url::parse(s).expect("built-in API URLs parse")
}

/// The API base for a web address the user knows (`--host`).
pub fn api_base_from_host(provider: ProviderKind, host: &str) -> Result<Url, EndpointError> {
    let url = parse_user_url(host)?;
    let domain = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let path = trimmed_path(&url);
    Ok(match provider {
        ProviderKind::Github => {
            if matches!(
                domain.as_str(),
                "github.com" | "www.github.com" | "api.github.com"
            ) {
                default_api_base(provider)
            } else if path.ends_with("/api/v3") {
                with_path(&url, &path)
            } else {
                with_path(&url, &format!("{path}/api/v3"))
            }
        }
        ProviderKind::Gitlab => {
            if path.ends_with("/api/v4") {
                with_path(&url, &path)
            } else {
                with_path(&url, &format!("{path}/api/v4"))
            }
        }
        ProviderKind::Bitbucket => {
            if matches!(
                domain.as_str(),
                "bitbucket.org" | "www.bitbucket.org" | "api.bitbucket.org"
            ) {
                default_api_base(provider)
            } else {
                return Err(EndpointError::Unsupported(
                    "Only Bitbucket Cloud (bitbucket.org) is supported; Bitbucket Server and Data Center use a different API.",
                ));
            }
        }
    })
}

/// An API base given exactly (`--api-url`), validated like a host.
pub fn api_base_exact(api_url: &str) -> Result<Url, EndpointError> {
    let url = parse_user_url(api_url)?;
    let path = trimmed_path(&url);
    Ok(with_path(&url, &path))
}

/// The web address matching an API base, for links the user can open.
pub fn web_base(provider: ProviderKind, api: &Url) -> Url {
    let domain = api.host_str().unwrap_or_default();
    let path = trimmed_path(api);
    match provider {
        ProviderKind::Github if domain == "api.github.com" => {
            Url::parse(github::CLOUD_WEB_URL).expect("static")
        }
        ProviderKind::Bitbucket if domain == "api.bitbucket.org" => {
            Url::parse(bitbucket::CLOUD_WEB_URL).expect("static")
        }
        _ => {
            let stripped = ["/api/v3", "/api/v4", "/2.0"]
                .iter()
                .find_map(|suffix| path.strip_suffix(suffix))
                .unwrap_or(&path);
            with_path(api, if stripped.is_empty() { "/" } else { stripped })
        }
    }
}

/// Joins an endpoint path (`/user`) onto an API base, keeping its path.
pub fn join(api: &Url, endpoint: &str) -> Url {
    let mut url = api.clone();
    let base = trimmed_path(api);
    let (path, query) = endpoint.split_once('?').unwrap_or((endpoint, ""));
    url.set_path(&format!("{base}{path}"));
    url.set_query((!query.is_empty()).then_some(query));
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProviderKind::*;

    fn api(provider: ProviderKind, host: &str) -> String {
        api_base_from_host(provider, host).unwrap().to_string()
    }

    #[test]
    fn derives_api_bases_from_what_users_type() {
        assert_eq!(api(Github, "github.com"), "https://api.github.com/");
        assert_eq!(
            api(Github, "https://github.com/"),
            "https://api.github.com/"
        );
        assert_eq!(
            api(Github, "ghe.example.com"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(
            api(Github, "https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(api(Gitlab, "gitlab.com"), "https://gitlab.com/api/v4");
        assert_eq!(
            api(Gitlab, "https://git.example.com/gitlab"),
            "https://git.example.com/gitlab/api/v4"
        );
        assert_eq!(
            api(Gitlab, "git.example.com:8443"),
            "https://git.example.com:8443/api/v4"
        );
        assert_eq!(
            api(Bitbucket, "bitbucket.org"),
            "https://api.bitbucket.org/2.0"
        );
    }

    #[test]
    fn refuses_plain_http_except_to_loopback() {
        assert_eq!(
            api_base_from_host(Github, "http://ghe.example.com"),
            Err(EndpointError::Insecure {
                host: "ghe.example.com".into()
            })
        );
        assert!(matches!(
            api_base_exact("http://10.0.0.1/api/v4"),
            Err(EndpointError::Insecure { .. })
        ));
        assert_eq!(
            api_base_exact("http://127.0.0.1:8080/api/v3")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/api/v3"
        );
        assert!(api_base_exact("http://127.8.9.1/api/v3").is_ok());
        assert!(api_base_exact("http://localhost:1/api/v4").is_ok());
        assert!(api_base_exact("http://[::1]:9/2.0").is_ok());
    }

    #[test]
    fn rejects_malformed_and_credential_bearing_addresses() {
        for bad in [
            "",
            "   ",
            "ftp://x.example",
            "https://user:pw@x.example",
            "https://x.example/?a=1",
            "https://",
        ] {
            assert!(
                matches!(api_base_exact(bad), Err(EndpointError::Invalid { .. })),
                "{bad:?} should be invalid"
            );
        }
        assert!(matches!(
            api_base_from_host(Bitbucket, "bitbucket.example.com"),
            Err(EndpointError::Unsupported(_))
        ));
    }

    // Found by fuzzing (fuzz/fuzz_targets/host_addresses.rs): the error
    // quoted the address whole, password included.
    #[test]
    fn errors_never_quote_credentials() {
        for (typed, shown) in [
            (
                "https://deploy:hunter22@git.example.com",
                "“https://…@git.example.com” is not a usable address",
            ),
            (
                "x-access-token:s3cr3t@github.com/acme",
                "“…@github.com/acme” is not a usable address",
            ),
            (
                "https://user:pa ss@bad host/x",
                "“https://…@bad host/x” is not a usable address",
            ),
        ] {
            let message = api_base_exact(typed).unwrap_err().to_string();
            assert!(message.starts_with(shown), "{message}");
        }
    }

    // Found by fuzzing: a token pasted into the address field was taken as
    // a host name (`https://ghp_.../api/v3`), so checking it would have
    // sent the token to DNS; and errors quoted it.
    #[test]
    fn a_token_is_never_taken_for_an_address() {
        let token = "ghp_R4nd0mL00k1ngF4k3T0k3nF0rT3st1ng0001";
        for typed in [
            token.to_owned(),
            format!("https://{token}"),
            format!("http://{token}:80"),
            format!("https://x-access-token:{token}@github.com"),
        ] {
            for provider in [Github, Gitlab, Bitbucket] {
                let error = api_base_from_host(provider, &typed).unwrap_err();
                assert_eq!(error, EndpointError::LooksLikeToken, "{typed}");
                assert!(!error.to_string().contains(token));
            }
            assert_eq!(api_base_exact(&typed), Err(EndpointError::LooksLikeToken));
        }
        // Nor once the URL parser has lower-cased it into one.
        assert_eq!(
            api_base_from_host(Github, "gHp_R4nd0hp_R3nd0mL0/api/v3"),
            Err(EndpointError::LooksLikeToken)
        );
        // A host that merely starts like a prefix is still a host.
        assert!(api_base_from_host(Gitlab, "glft-ci.example.com").is_ok());
    }

    #[test]
    fn maps_api_bases_back_to_web_addresses() {
        let web = |p, a: &str| web_base(p, &Url::parse(a).unwrap()).to_string();
        assert_eq!(web(Github, "https://api.github.com"), "https://github.com/");
        assert_eq!(
            web(Github, "https://ghe.example.com/api/v3"),
            "https://ghe.example.com/"
        );
        assert_eq!(
            web(Gitlab, "https://git.example.com/gitlab/api/v4"),
            "https://git.example.com/gitlab"
        );
        assert_eq!(
            web(Bitbucket, "https://api.bitbucket.org/2.0"),
            "https://bitbucket.org/"
        );
        assert_eq!(
            web(Bitbucket, "http://127.0.0.1:9/2.0"),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn joins_endpoints_keeping_the_base_path_and_query() {
        let base = Url::parse("http://127.0.0.1:8080/api/v3").unwrap();
        assert_eq!(
            join(&base, "/user").as_str(),
            "http://127.0.0.1:8080/api/v3/user"
        );
        assert_eq!(
            join(&base, "/repos/a/b/pulls?per_page=1").as_str(),
            "http://127.0.0.1:8080/api/v3/repos/a/b/pulls?per_page=1"
        );
        let cloud = Url::parse("https://api.github.com").unwrap();
        assert_eq!(
            join(&cloud, "/user").as_str(),
            "https://api.github.com/user"
        );
    }
}
