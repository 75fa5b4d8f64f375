//! The providers' token-creation pages, as plain server-rendered HTML forms
//! (no JavaScript), so the wizard's deep links can be followed and filled
//! in by an end-to-end test or a person giving the demo.
//!
//! Each page pre-fills from the query parameters the real page reads, posts
//! back to itself, mints a token with the submitted settings, shows it once
//! in `<code id="new-token">` and records it in `Simulator::minted`.
//! Stable ids: text fields and selects use their `name` as `id`; a scope
//! checkbox is `name="scopes"` with `id="scope-<scope, ':' as '-'>"`
//! (`scope-admin-repo_hook`). Every rendered value is HTML-escaped.

pub(crate) mod bitbucket;
pub(crate) mod github;
pub(crate) mod gitlab;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::server::App;
use crate::spec::TokenSpec;

/// The owner of tokens minted without a `login` field.
pub const DEFAULT_LOGIN: &str = "sim-user";

/// Why a submitted form was refused; shown above the form again.
#[derive(Debug, thiserror::Error)]
enum FormError {
    #[error("{0} can't be blank")]
    Blank(&'static str),
    #[error("{0} is too long (maximum is {1} characters)")]
    TooLong(&'static str, usize),
    #[error("Expiration must be a number of days from 1 to 366, or none")]
    ExpiresIn,
    #[error("Expiration date must be a future date (YYYY-MM-DD)")]
    ExpiresAt,
    #[error("Select at least one scope")]
    NoScope,
}

/// Query or form parameters, in order, repeated names allowed.
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A trimmed value, `None` when absent or blank.
    fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of `name`, each also split on commas: the deep links
    /// send `scopes=a,b`, the forms send `scopes=a&scopes=b`.
    fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn login(&self) -> String {
        self.text("login").unwrap_or(DEFAULT_LOGIN).to_owned()
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} · Tokenwarden simulator</title>\n\
         <style>body{{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}\
         label{{display:block;margin:.6rem 0 .2rem;font-weight:bold}}fieldset label{{display:inline;font-weight:normal}}\
         fieldset div{{margin:.2rem 0}}#error{{color:#b00}}code{{font-size:1.1rem;background:#eee;padding:.3rem}}</style>\n\
         </head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n",
        title = escape(title),
    )
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(document(title, body))).into_response()
}

fn text_input(name: &str, label: &str, value: &str, extra: &str) -> String {
    format!(
        "<label for=\"{name}\">{label}</label>\n<input type=\"text\" id=\"{name}\" name=\"{name}\" value=\"{}\"{extra}>\n",
        escape(value)
    )
}

fn date_input(name: &str, label: &str, value: &str) -> String {
    format!(
        "<label for=\"{name}\">{label}</label>\n<input type=\"date\" id=\"{name}\" name=\"{name}\" value=\"{}\">\n",
        escape(value)
    )
}

fn textarea(name: &str, label: &str, value: &str, max: usize) -> String {
    format!(
        "<label for=\"{name}\">{label}</label>\n<textarea id=\"{name}\" name=\"{name}\" maxlength=\"{max}\">{}</textarea>\n",
        escape(value)
    )
}

fn select(name: &str, label: &str, options: &[(&str, &str)], selected: &str) -> String {
    let mut html =
        format!("<label for=\"{name}\">{label}</label>\n<select id=\"{name}\" name=\"{name}\">\n");
    for (value, text) in options {
        let mark = if *value == selected { " selected" } else { "" };
        html.push_str(&format!(
            "<option value=\"{}\"{mark}>{}</option>\n",
            escape(value),
            escape(text)
        ));
    }
    html.push_str("</select>\n");
    html
}

fn scope_id(scope: &str) -> String {
    format!("scope-{}", scope.replace(':', "-"))
}

fn checkboxes(legend: &str, scopes: &[&str], checked: &[String]) -> String {
    let mut html = format!("<fieldset>\n<legend>{}</legend>\n", escape(legend));
    for scope in scopes {
        let id = scope_id(scope);
        let mark = if checked.iter().any(|c| c == scope) {
            " checked"
        } else {
            ""
        };
        html.push_str(&format!(
            "<div><input type=\"checkbox\" id=\"{id}\" name=\"scopes\" value=\"{scope}\"{mark}> <label for=\"{id}\">{scope}</label></div>\n"
        ));
    }
    html.push_str("</fieldset>\n");
    html
}

fn form(error: Option<&FormError>, fields: &str, submit: &str) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p id=\"error\" role=\"alert\">{}</p>\n",
                escape(&e.to_string())
            )
        })
        .unwrap_or_default();
    format!(
        "{error}<form method=\"post\">\n{fields}<p><button type=\"submit\" id=\"submit\">{}</button></p>\n</form>\n",
        escape(submit)
    )
}

fn login_field(params: &Params) -> String {
    text_input("login", "Owner (simulated user)", &params.login(), "")
}

/// Registers a token minted through a page and shows it once.
fn minted(app: &App, title: &str, spec: TokenSpec) -> Response {
    let summary = format!(
        "{:?} named “{}” for {}",
        spec.kind,
        spec.name,
        if spec.login.is_empty() {
            spec.target.clone().unwrap_or_default()
        } else {
            spec.login.clone()
        }
    );
    let value = {
        let mut state = app.shared.state.lock();
        let value = state.add_token(spec);
        state.record_minted(&value);
        value
    };
    let body = format!(
        "<p>{}</p>\n<p>Make sure to copy your token now. You won't be able to see it again!</p>\n<p><code id=\"new-token\">{}</code></p>\n",
        escape(&summary),
        escape(&value)
    );
    page(StatusCode::CREATED, title, &body)
}

/// The refusal of a submitted form: the form again, with the error.
fn refused(title: &str, error: &FormError, fields: &str, submit: &str) -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        title,
        &form(Some(error), fields, submit),
    )
}

fn required<'a>(params: &'a Params, name: &str, label: &'static str) -> Result<&'a str, FormError> {
    params.text(name).ok_or(FormError::Blank(label))
}

fn max_len(value: &str, label: &'static str, max: usize) -> Result<(), FormError> {
    if value.chars().count() > max {
        Err(FormError::TooLong(label, max))
    } else {
        Ok(())
    }
}

/// A `YYYY-MM-DD` field: `None` when blank, midnight UTC of a future date.
fn date_field(params: &Params, name: &str) -> Result<Option<DateTime<Utc>>, FormError> {
    let Some(text) = params.text(name) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| *d > Utc::now().date_naive())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Some(d.and_utc()))
        .ok_or(FormError::ExpiresAt)
}

/// `expires_in` in days (1..=366) or `none`.
fn expires_in(params: &Params) -> Result<Option<DateTime<Utc>>, FormError> {
    match params.text("expires_in").unwrap_or("30") {
        "none" => Ok(None),
        days => days
            .parse::<u64>()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .and_then(|d| Utc::now().checked_add_days(Days::new(d)))
            .map(Some)
            .ok_or(FormError::ExpiresIn),
    }
}

fn index(title: &str, links: &[(&str, &str)], api: &str) -> Response {
    let mut body = String::from("<ul>\n");
    for (href, text) in links {
        body.push_str(&format!("<li><a href=\"{href}\">{text}</a></li>\n"));
    }
    body.push_str(&format!(
        "</ul>\n<p>API: <code>{}</code> · admin API under <code>/_sim/</code></p>\n",
        escape(api)
    ));
    page(StatusCode::OK, title, &body)
}

/// Name, scopes (at least one) and expiry of a GitLab or Bitbucket form.
struct NamedScoped {
    name: String,
    scopes: Vec<String>,
    expires: Option<DateTime<Utc>>,
}

fn named_scoped(params: &Params) -> Result<NamedScoped, FormError> {
    let name = required(params, "name", "Token name")?.to_owned();
    let scopes = params.list("scopes");
    if scopes.is_empty() {
        return Err(FormError::NoScope);
    }
    let expires = date_field(params, "expires_at")?;
    Ok(NamedScoped {
        name,
        scopes,
        expires,
    })
}

fn not_found_page() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "<p>404: Page not found</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x\")</script>&"),
            "&lt;script&gt;alert(&#39;x&quot;)&lt;/script&gt;&amp;"
        );
    }

    #[test]
    fn scopes_come_from_commas_and_repeats() {
        let p = Params(vec![
            ("scopes".into(), "repo, read:org".into()),
            ("scopes".into(), "workflow".into()),
        ]);
        assert_eq!(p.list("scopes"), vec!["repo", "read:org", "workflow"]);
    }
}
