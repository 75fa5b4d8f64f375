//! Helpers shared by the test modules.

use reqwest::{header::HeaderMap, Client, Response, StatusCode};
use serde_json::Value;

/// A client that ignores proxy settings and does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// GET `url` with `Authorization: Bearer token` when given.
pub async fn get(url: &str, token: Option<&str>) -> Response {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// Status, headers and JSON body of a GET.
pub async fn get_json(url: &str, token: Option<&str>) -> (StatusCode, HeaderMap, Value) {
    let response = get(url, token).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("JSON body");
    (status, headers, body)
}

/// A header's value as text ("" when absent).
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The token shown once on a page's result, in `<code id="new-token">`.
pub fn shown_token(html: &str) -> String {
    let start = html
        .find("<code id=\"new-token\">")
        .expect("result page shows the token")
        + "<code id=\"new-token\">".len();
    let end = start + html[start..].find("</code>").expect("closing tag");
    html[start..end].to_owned()
}
