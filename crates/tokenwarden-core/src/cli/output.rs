//! How a check report is printed: one JSON object (`--json`), or a summary
//! for people, in colour when standard output is a terminal.

use owo_colors::{OwoColorize, Stream, Style};

use crate::catalogue::TokenKindId;
use crate::check::{runner::provider_name, CheckReport, ExpirySource, Verdict};

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
        provider_name(report.provider),
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
