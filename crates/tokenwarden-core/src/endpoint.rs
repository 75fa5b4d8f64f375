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
use crate::providers::{bitbucket, github, gitlab};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("“{input}” is not a usable address: {reason}")]
    Invalid { input: String, reason: &'static str },
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
    let invalid = |reason| EndpointError::Invalid {
        input: trimmed.to_owned(),
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
