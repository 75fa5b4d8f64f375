//! Addresses users type, vetted before any request exists: plain `http://`
//! is accepted for loopback addresses only (the simulator, local tunnels),
//! credentials in an address are refused and never quoted, and a token
//! pasted as an address is refused, never resolved. Which API path a
//! provider lives under is the provider's business (`providers/`).

use std::net::IpAddr;
use url::Url;

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
/// `looks_like_token` says whether text holds a token (the providers know
/// their prefixes; this toolkit does not): such input is refused unquoted.
pub fn parse_user_url(
    input: &str,
    looks_like_token: fn(&str) -> bool,
) -> Result<Url, EndpointError> {
    let trimmed = input.trim();
    if looks_like_token(trimmed) {
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
    if looks_like_token(url.as_str()) {
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

pub fn trimmed_path(url: &Url) -> String {
    url.path().trim_end_matches('/').to_owned()
}

pub fn with_path(url: &Url, path: &str) -> Url {
    let mut out = url.clone();
    out.set_path(path);
    out
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
