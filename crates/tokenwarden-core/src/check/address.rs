//! Addresses users type, vetted before any request exists: plain `http://`
//! is accepted for loopback addresses only (the simulator, local tunnels),
//! credentials in an address are refused and never quoted, and a token
//! pasted as an address is refused, never resolved. Which API path a
//! provider lives under is the provider's business (`providers/`).

use std::net::IpAddr;
use url::Url;

use super::limits;

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
    /// A field longer than Tokenwarden accepts (`check::limits`).
    #[error(transparent)]
    TooLong(#[from] crate::check::TooLong),
}

/// Parses an address typed by a user: `host`, `host:port`, `https://host/path`.
/// `looks_like_token` says whether text holds a token (the providers know
/// their prefixes; this toolkit does not): such input is refused unquoted.
pub fn parse_user_url(
    input: &str,
    looks_like_token: fn(&str) -> bool,
) -> Result<Url, EndpointError> {
    let trimmed = input.trim();
    // Bounded before anything else is made of it.
    limits::within("address", trimmed, limits::ADDRESS)?;
    if looks_like_token(trimmed) || host_looks_like_bare_token(trimmed) {
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
    if looks_like_token(url.as_str())
        || host_looks_like_bare_token(url.host_str().unwrap_or_default())
    {
        return Err(EndpointError::LooksLikeToken);
    }
    match url.scheme() {
        "https" | "http" => {}
        _ => return Err(invalid("only https:// addresses are supported")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host name"));
    }
    limits::within(
        "host name",
        url.host_str().unwrap_or_default(),
        limits::HOST_NAME,
    )?;
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

/// Whether the host part of what was typed looks like a token that carries
/// no provider's prefix (the providers' `looks_like_token` knows those): a
/// classic 40-hex GitHub token, or any long hex string; a label mixing
/// upper case, lower case and digits (case is read as typed: the URL
/// parser lower-cases hosts); or a long single label of high entropy.
/// Resolving any of them would hand the token to DNS. Host names people
/// use (`ghe-prod-01`, `gitlab`, `git.example.com`) are none of these.
pub fn host_looks_like_bare_token(input: &str) -> bool {
    let rest = input.find("://").map_or(input, |i| &input[i + 3..]);
    let authority = rest
        .find(['/', '\\', '?', '#'])
        .map_or(rest, |end| &rest[..end]);
    // Credentials are refused (and masked) on their own; here, the host.
    let host = authority
        .rfind('@')
        .map_or(authority, |at| &authority[at + 1..]);
    if host.starts_with('[') {
        return false; // an IPv6 literal
    }
    let host = host.rsplit_once(':').map_or(host, |(name, _port)| name);
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    labels
        .iter()
        .any(|label| long_hex(label) || mixed_case_and_digits(label))
        || matches!(labels.as_slice(), [single] if high_entropy(single))
}

fn long_hex(label: &str) -> bool {
    label.len() >= 32
        && label.bytes().all(|b| b.is_ascii_hexdigit())
        && label.bytes().any(|b| b.is_ascii_digit())
        && label.bytes().any(|b| b.is_ascii_alphabetic())
}

fn mixed_case_and_digits(label: &str) -> bool {
    label.len() >= 20
        && label.bytes().any(|b| b.is_ascii_uppercase())
        && label.bytes().any(|b| b.is_ascii_lowercase())
        && label.bytes().any(|b| b.is_ascii_digit())
}

/// At least 24 characters of letters, digits and `_` with digits among
/// them, and random-looking: at least 4.3 bits of Shannon entropy per
/// character, or 3.5 with a fifth of them digits. Random base-36 text of
/// that length scores about 4.0 to 4.4 with a quarter digits; host names
/// of run-together words score lower or have few digits
/// (`mycompanygitlabserverprod01`: 4.1, 7% digits). Measured on 2,000
/// random values each: 84% of 24-character and 98% of 40-character
/// base-36 values are caught (hex from 32 characters by `long_hex`).
fn high_entropy(label: &str) -> bool {
    if label.len() < 24
        || !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || !label.bytes().any(|b| b.is_ascii_digit())
    {
        return false;
    }
    let mut counts = [0u32; 256];
    for b in label.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = label.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    let digits = label.bytes().filter(u8::is_ascii_digit).count() as f64 / n;
    entropy >= 4.3 || (digits >= 0.2 && entropy >= 3.5)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_prefix_known(_: &str) -> bool {
        false
    }

    #[test]
    fn a_token_without_a_known_prefix_is_refused_as_an_address() {
        for typed in [
            // A classic 40-hex GitHub token, alone, with a scheme, a port,
            // a path, as a subdomain.
            "0123456789abcdef0123456789abcdef01234567",
            "https://0123456789ABCDEF0123456789abcdef01234567/api/v3",
            "0123456789abcdef0123456789abcdef01234567:8443",
            "0123456789abcdef0123456789abcdef01234567.example.com",
            // High-entropy single labels: random base-62 and mixed case.
            "q8ZrT2mK9vXw4LpN7sYb3HcJ",
            "zr8q2tkmv9xw4lpn7syb3hcj6dfg",
            "glpat_less_but_Xy7Qw2Er9Ty5Ui3Op",
        ] {
            assert_eq!(
                parse_user_url(typed, no_prefix_known),
                Err(EndpointError::LooksLikeToken),
                "{typed}"
            );
            let shown = EndpointError::LooksLikeToken.to_string();
            assert!(!shown.contains(typed));
        }
    }

    // Found by fuzzing (fuzz/fuzz_targets/host_addresses.rs): `%67` is a
    // `g` once parsed, and the parsed host is what DNS would be asked.
    #[test]
    fn a_token_hidden_behind_percent_escapes_is_refused_too() {
        for typed in [
            "0123454368abcbcdef01234%67",
            "https://0123456789abcdef0123456789abcdef0123456%37/api/v4",
        ] {
            assert_eq!(
                parse_user_url(typed, no_prefix_known),
                Err(EndpointError::LooksLikeToken),
                "{typed}"
            );
        }
    }

    #[test]
    fn host_names_people_use_are_still_addresses() {
        for typed in [
            "github.com",
            "gitlab",
            "localhost:8080",
            "http://127.0.0.1:9000/api/v3",
            "ghe-prod-01.corp.example.com",
            "mycompanygitlabserverprod01",
            "ghesrv01prodeuwest1backup2",
            "githubenterpriseserver2024",
            "git.example.com:8443/gitlab",
            "https://[::1]:8443",
            "deadbeef.example.com",
            "a1b2c3d4e5f6.cdn.example.net",
        ] {
            assert!(parse_user_url(typed, no_prefix_known).is_ok(), "{typed}");
        }
    }

    /// An address is bounded before it is parsed (1,000 characters), and
    /// its host name to DNS's 253; the words name the limit, not the value.
    #[test]
    fn addresses_and_host_names_are_bounded() {
        let label = "a".repeat(62);
        let host_253 = [label.as_str(); 4].join(".") + ".a";
        assert_eq!(host_253.len(), 253);
        assert!(parse_user_url(&host_253, no_prefix_known).is_ok());
        let long_host = format!("{host_253}c");
        let error = parse_user_url(&long_host, no_prefix_known).unwrap_err();
        assert_eq!(
            error,
            EndpointError::TooLong(limits::TooLong {
                field: "host name",
                len: 254,
                max: limits::HOST_NAME
            })
        );
        let path = "p/".repeat(500);
        let at_limit = format!("https://git.example.com/{}", &path[..1_000 - 24]);
        assert_eq!(at_limit.len(), 1_000);
        assert!(parse_user_url(&at_limit, no_prefix_known).is_ok());
        let error = parse_user_url(&format!("{at_limit}x"), no_prefix_known).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("The address is 1001 characters long, more than the 1000"),
            "{error}"
        );
    }
}
