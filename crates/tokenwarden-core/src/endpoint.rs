//! Where a provider's API lives, from what the user typed.
//!
//! Users know the web address (`github.example.com`); the API base is
//! derived from it by the provider (`providers::Provider::api_base`).
//! Anything that would send a token in clear text over the network is
//! refused before a request exists (`check::address`).

use url::Url;

pub use crate::check::address::{is_loopback, join, EndpointError};
use crate::check::address::{parse_user_url, trimmed_path, with_path};
use crate::model::ProviderKind;
use crate::providers;

/// The API base the provider's cloud service uses.
pub fn default_api_base(provider: ProviderKind) -> Url {
    Url::parse(providers::get(provider).cloud_api_url()).expect("built-in API URLs parse")
}

/// The API base for a web address the user knows (`--host`).
pub fn api_base_from_host(provider: ProviderKind, host: &str) -> Result<Url, EndpointError> {
    let url = parse_user_url(host, providers::contains_token)?;
    providers::get(provider).api_base(&url)
}

/// An API base given exactly (`--api-url`), validated like a host.
pub fn api_base_exact(api_url: &str) -> Result<Url, EndpointError> {
    let url = parse_user_url(api_url, providers::contains_token)?;
    let path = trimmed_path(&url);
    Ok(with_path(&url, &path))
}

/// The web address matching an API base, for links the user can open.
pub fn web_base(provider: ProviderKind, api: &Url) -> Url {
    providers::get(provider).web_base(api)
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
