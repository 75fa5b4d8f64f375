//! How a check report is printed: one JSON object (`--json`), or a summary
//! for people, in colour when standard output is a terminal.

use owo_colors::{OwoColorize, Stream, Style};
use tokenwarden_core::check::{CheckReport, ExpirySource, Verdict};
use tokenwarden_core::model::TokenKindId;
use tokenwarden_core::providers;
use tokenwarden_core::vault::{SecretState, TokenStatus, TokenView};

pub fn print(report: &CheckReport, json: bool) {
    if json {
        // Serializing plain data cannot fail.
        println!(
            "{}",
            serde_json::to_string(report).expect("reports serialize")
        );
    } else {
        print!("{}", human(report));
    }
}

fn paint(text: &str, style: Style) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.style(style))
        .to_string()
}

fn kind_words(kind: Option<TokenKindId>) -> &'static str {
    match kind {
        Some(TokenKindId::Classic) => "classic token",
        Some(TokenKindId::FineGrained) => "fine-grained token",
        Some(TokenKindId::Personal) => "personal access token",
        Some(TokenKindId::Project) => "project access token",
        Some(TokenKindId::Group) => "group access token",
        Some(TokenKindId::Repository) => "repository access token",
        Some(TokenKindId::Workspace) => "workspace access token",
        None => "token",
    }
}

/// The human summary: a headline with the verdict, then the facts.
pub fn human(report: &CheckReport) -> String {
    let (label, style) = match report.verdict() {
        Verdict::Ready => ("READY", Style::new().green().bold()),
        Verdict::FallsShort => ("FALLS SHORT", Style::new().yellow().bold()),
        Verdict::Unusable => ("UNUSABLE", Style::new().red().bold()),
        Verdict::Unchecked => ("NOT CHECKED", Style::new().magenta().bold()),
        Verdict::Usage => ("REFUSED", Style::new().red().bold()),
    };
    let mut out = format!(
        "{}  {} {}{}\n",
        paint(label, style),
        providers::get(report.provider).name(),
        kind_words(report.kind),
        report
            .identity
            .as_ref()
            .map(|i| format!(" of {}", i.login))
            .unwrap_or_default()
    );
    let dim = Style::new().dimmed();
    let mut line = |key: &str, value: String| {
        out.push_str(&format!("  {:<11}{value}\n", paint(key, dim)));
    };
    line("API", report.api_url.clone());
    if let Some(scopes) = &report.scopes {
        line(
            "Scopes",
            if scopes.is_empty() {
                "none".into()
            } else {
                scopes.join(", ")
            },
        );
    }
    if !report.missing.is_empty() {
        line("Missing", report.missing.join(", "));
    }
    if !report.unverified.is_empty() {
        line(
            "Unverified",
            format!(
                "{} (a read-only check cannot prove these)",
                report.unverified.join(", ")
            ),
        );
    }
    line(
        "Expires",
        match (report.expires_at, report.expiry) {
            (Some(at), ExpirySource::User) => {
                format!("{} (as you entered it)", at.format("%Y-%m-%d"))
            }
            (Some(at), _) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            (None, ExpirySource::Never) => "never".into(),
            (None, _) => "unknown".into(),
        },
    );
    for problem in &report.problems {
        let style = if problem.code.is_warning() {
            Style::new().yellow()
        } else {
            Style::new().red()
        };
        out.push_str(&format!("  {} {}\n", paint("•", style), problem.message));
    }
    out
}

fn status_words(token: &TokenView) -> (String, Style) {
    use TokenStatus::*;
    let red = Style::new().red().bold();
    let yellow = Style::new().yellow();
    match token.status {
        SecretMissing => ("secret missing".into(), red),
        Expired => ("expired".into(), red),
        Invalid => ("invalid".into(), red),
        FallsShort => ("falls short".into(), yellow),
        Expiring => ("expiring soon".into(), yellow),
        CheckFailed => ("check failed".into(), Style::new().magenta()),
        Unchecked => ("not checked".into(), Style::new().dimmed()),
        Ready => ("ready".into(), Style::new().green()),
    }
}

fn expiry_words(token: &TokenView) -> String {
    match (token.record.expires_at, token.days_left) {
        (Some(at), Some(_)) => {
            let when = token.days_left_words(tokenwarden_core::status::Wording::Cli);
            format!("{} ({when})", at.format("%Y-%m-%d"))
        }
        _ => match token.record.expiry {
            ExpirySource::Never => "never".into(),
            _ => "unknown".into(),
        },
    }
}

fn host_of(token: &TokenView) -> String {
    url::Url::parse(&token.record.api_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| token.record.api_url.clone())
}

/// The `list` table: status in words (and colour on a terminal).
pub fn token_table(tokens: &[TokenView]) -> String {
    if tokens.is_empty() {
        return "No tokens yet. Add one with `tokenwarden add` or from the Tokenwarden app.\n"
            .into();
    }
    let rows: Vec<[String; 6]> = tokens
        .iter()
        .map(|t| {
            [
                t.record.name.clone(),
                providers::get(t.record.provider).name().to_owned(),
                host_of(t),
                t.record
                    .identity
                    .as_ref()
                    .map(|i| i.login.clone())
                    .unwrap_or_else(|| "-".into()),
                status_words(t).0,
                expiry_words(t),
            ]
        })
        .collect();
    let headers = ["NAME", "PROVIDER", "HOST", "IDENTITY", "STATUS", "EXPIRES"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let pad =
        |text: &str, width: usize| format!("{text}{}", " ".repeat(width - text.chars().count()));
    let header: Vec<_> = headers.iter().zip(widths).map(|(h, w)| pad(h, w)).collect();
    out.push_str(&paint(header.join("  ").trim_end(), Style::new().bold()));
    out.push('\n');
    for (row, token) in rows.iter().zip(tokens) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                let padded = pad(cell, w);
                if i == 4 {
                    paint(&padded, status_words(token).1)
                } else {
                    padded
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The `show` details: every metadata field worth reading.
pub fn token_details(token: &TokenView) -> String {
    let r = &token.record;
    let (status, style) = status_words(token);
    let mut out = format!(
        "{}  {}\n",
        paint(&r.name, Style::new().bold()),
        paint(&status, style)
    );
    let dim = Style::new().dimmed();
    let mut line = |key: &str, value: String| {
        out.push_str(&format!("  {:<13}{value}\n", paint(key, dim)));
    };
    if !r.description.is_empty() {
        line("Description", r.description.clone());
    }
    line(
        "Provider",
        format!(
            "{} {}",
            providers::get(r.provider).name(),
            kind_words(r.kind)
        ),
    );
    line("API", r.api_url.clone());
    for (key, value) in [
        ("Organization", &r.org),
        ("Repository", &r.repo),
        ("Project", &r.project),
        ("Group", &r.group),
        ("Workspace", &r.workspace),
    ] {
        if let Some(value) = value {
            line(key, value.clone());
        }
    }
    if let Some(identity) = &r.identity {
        line("Identity", identity.login.clone());
    }
    if let Some(scopes) = &r.scopes {
        line("Scopes", scopes.join(", "));
    }
    let expiry_note = match r.expiry {
        ExpirySource::User => " (as you entered it)",
        _ => "",
    };
    line("Expires", format!("{}{expiry_note}", expiry_words(token)));
    if let Some(link) = &r.qovery {
        line(
            "Qovery",
            format!(
                "git token {} of organization {}, used by {} service(s) when last seen",
                link.git_token_id, link.org_id, link.services_count
            ),
        );
    }
    line(
        "Secret",
        match token.secret {
            SecretState::Present => "in the keychain".into(),
            SecretState::Missing => "missing from the keychain: replace it with `tokenwarden edit --token-stdin`, or remove the token".into(),
            SecretState::Unknown => "the keychain could not be asked".into(),
        },
    );
    line(
        "Added",
        r.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    if let Some(at) = r.rotated_at {
        line("Rotated", at.format("%Y-%m-%d %H:%M UTC").to_string());
    }
    if let Some(at) = r.last_checked_at {
        line("Last check", at.format("%Y-%m-%d %H:%M UTC").to_string());
    }
    if let Some(check) = &r.last_check {
        if !check.missing.is_empty() {
            line("Missing", check.missing.join(", "));
        }
        for problem in &check.problems {
            out.push_str(&format!("  • {}\n", problem.message));
        }
    }
    out
}
