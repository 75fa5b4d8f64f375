//! Small helpers shared by the provider modules.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// How a provider accepts a token in headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schemes {
    /// GitHub also accepts `Authorization: token T`.
    pub token_scheme: bool,
    /// GitLab also accepts `PRIVATE-TOKEN: T`.
    pub private_token_header: bool,
}

/// The token a request carries, if any.
pub(crate) fn credential(headers: &HeaderMap, schemes: Schemes) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = value.trim().split_once(' ')?;
        let accepted = scheme.eq_ignore_ascii_case("bearer")
            || (schemes.token_scheme && scheme.eq_ignore_ascii_case("token"));
        let token = rest.trim();
        return (accepted && !token.is_empty()).then(|| token.to_owned());
    }
    if schemes.private_token_header {
        if let Some(value) = headers.get("private-token").and_then(|v| v.to_str().ok()) {
            let token = value.trim();
            return (!token.is_empty()).then(|| token.to_owned());
        }
    }
    None
}

/// A header value from any text; text that cannot be a header becomes empty
/// rather than failing the response.
pub(crate) fn hv(value: impl AsRef<str>) -> HeaderValue {
    HeaderValue::from_str(value.as_ref()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A JSON response (`Content-Type: application/json`).
pub(crate) fn json(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// Case-insensitive equality of an optional name with `name`.
pub(crate) fn same_name(a: Option<&str>, name: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn schemes_are_accepted_per_provider() {
        let github = Schemes {
            token_scheme: true,
            private_token_header: false,
        };
        let gitlab = Schemes {
            token_scheme: false,
            private_token_header: true,
        };
        assert_eq!(
            credential(&headers("authorization", "token abc"), github).as_deref(),
            Some("abc")
        );
        assert_eq!(
            credential(&headers("authorization", "Bearer abc"), gitlab).as_deref(),
            Some("abc")
        );
        assert_eq!(
            credential(&headers("authorization", "token abc"), gitlab),
            None
        );
        assert_eq!(
            credential(&headers("authorization", "Basic abc"), github),
            None
        );
        assert_eq!(
            credential(&headers("private-token", "abc"), gitlab).as_deref(),
            Some("abc")
        );
        assert_eq!(credential(&headers("private-token", "abc"), github), None);
    }
}
