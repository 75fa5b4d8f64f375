//! The Prometheus text exposition format (version 0.0.4), as
//! node_exporter's textfile collector reads it: `# HELP` and `# TYPE` per
//! family, one sample per line, no timestamps, and none of the
//! OpenMetrics-only syntax (`# EOF`, `# UNIT`, `info` types) that breaks it.
//!
//! Written by hand rather than with a client library: `prometheus-client`
//! encodes OpenMetrics only, and the families here are four gauges built
//! once from metadata, not live instruments. `promtool check metrics` and a
//! real node_exporter read the result in `tests/exports/`.

use std::fmt::Write;

use super::{wire_name, ExportToken};
use crate::check::ExpirySource;

/// One metric family: its name, help text, and a sample per token (None:
/// no series for that token).
struct Family {
    name: &'static str,
    help: &'static str,
    extra: fn(&ExportToken) -> Vec<(&'static str, String)>,
    value: fn(&ExportToken) -> Option<i64>,
}

const FAMILIES: [Family; 4] = [
    Family {
        name: "tokenwarden_token_expiry_timestamp_seconds",
        help: "When the token expires, as Unix seconds. No series for a token that never expires or whose expiry is unknown.",
        extra: |_| Vec::new(),
        value: |t| match t.token.record.expiry {
            ExpirySource::Never | ExpirySource::Unknown => None,
            ExpirySource::Provider | ExpirySource::User => {
                t.token.record.expires_at.map(|at| at.timestamp())
            }
        },
    },
    Family {
        name: "tokenwarden_token_ready",
        help: "Whether the token's last check found it ready to use (1) or not (0). No series before its first check.",
        extra: |_| Vec::new(),
        value: |t| {
            t.token
                .record
                .last_check
                .as_ref()
                .map(|check| i64::from(check.ready))
        },
    },
    Family {
        name: "tokenwarden_token_last_check_timestamp_seconds",
        help: "When the token was last checked against its provider, as Unix seconds.",
        extra: |_| Vec::new(),
        value: |t| t.token.record.last_checked_at.map(|at| at.timestamp()),
    },
    Family {
        name: "tokenwarden_token_info",
        help: "Always 1: the token's status and where its expiry date comes from, as labels.",
        extra: |t| {
            vec![
                ("status", wire_name(t.token.status)),
                ("expiry_source", wire_name(t.token.record.expiry)),
            ]
        },
        value: |_| Some(1),
    },
];

/// Escapes a label value: backslash, double quote and line feed.
pub fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The labels every series of a token carries, in this order: `token`
/// (its name), `provider`, `host` (the API host), `kind`, `source`.
fn labels(token: &ExportToken) -> Vec<(&'static str, String)> {
    vec![
        ("token", token.token.record.name.clone()),
        ("provider", token.provider_slug().to_owned()),
        ("host", token.api_host()),
        ("kind", token.kind_label()),
        ("source", token.source.label().to_owned()),
    ]
}

/// The export: every family with its HELP and TYPE lines, one series per
/// token, in the order given. Metadata only: nothing here can hold a
/// secret, and no label but `token` grows with the number of tokens.
pub fn prometheus(tokens: &[ExportToken]) -> String {
    let mut out = String::new();
    for family in &FAMILIES {
        // Help text escapes backslash and line feed (none occur today).
        let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
        let _ = writeln!(out, "# TYPE {} gauge", family.name);
        for token in tokens {
            let Some(value) = (family.value)(token) else {
                continue;
            };
            let mut all = labels(token);
            all.extend((family.extra)(token));
            let rendered: Vec<String> = all
                .iter()
                .map(|(name, value)| format!("{name}=\"{}\"", escape_label_value(value)))
                .collect();
            let _ = writeln!(out, "{}{{{}}} {value}", family.name, rendered.join(","));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::tests::{record, token};
    use super::super::Source;
    use super::*;
    use crate::check::Verdict;

    #[test]
    fn one_series_per_token_in_each_family_with_help_and_type() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap();
        let text = prometheus(&[token(record("github-main-org-production", Some(at)))]);
        let expected = format!(
            "# HELP tokenwarden_token_expiry_timestamp_seconds When the token expires, as Unix seconds. No series for a token that never expires or whose expiry is unknown.\n\
             # TYPE tokenwarden_token_expiry_timestamp_seconds gauge\n\
             tokenwarden_token_expiry_timestamp_seconds{{token=\"github-main-org-production\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\"}} {}\n",
            at.timestamp()
        );
        assert!(text.starts_with(&expected), "{text}");
        assert!(text.contains("tokenwarden_token_ready{token=\"github-main-org-production\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\"} 1\n"));
        assert!(text.contains("tokenwarden_token_last_check_timestamp_seconds{token=\"github-main-org-production\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\"} 1795950000\n"));
        assert!(text.contains("tokenwarden_token_info{token=\"github-main-org-production\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\",status=\"ready\",expiry_source=\"provider\"} 1\n"));
        assert_eq!(text.matches("# HELP ").count(), 4);
        assert_eq!(text.matches("# TYPE ").count(), 4);
        assert_eq!(text.matches(" gauge\n").count(), 4);
        // Classic format only: no OpenMetrics end marker, no timestamps.
        assert!(!text.contains("# EOF") && !text.contains("# UNIT"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(
                line.rsplit('}').next().unwrap().split_whitespace().count(),
                1,
                "{line}"
            );
        }
    }

    #[test]
    fn no_expiry_series_for_a_token_that_never_expires_or_has_no_known_expiry() {
        let mut unknown = record("unknown", None);
        unknown.expiry = ExpirySource::Unknown;
        let mut unchecked = record("unchecked", None);
        unchecked.last_check = None;
        unchecked.last_checked_at = None;
        let text = prometheus(&[
            token(record("never", None)),
            token(unknown),
            token(unchecked),
        ]);
        assert!(!text.contains("tokenwarden_token_expiry_timestamp_seconds{"));
        assert!(text.contains("tokenwarden_token_ready{token=\"never\""));
        assert!(!text.contains("tokenwarden_token_ready{token=\"unchecked\""));
        assert!(
            !text.contains("tokenwarden_token_last_check_timestamp_seconds{token=\"unchecked\"")
        );
        assert!(text.contains("tokenwarden_token_info{token=\"unchecked\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\",status=\"unchecked\",expiry_source=\"never\"} 1"));
        assert!(text.contains("status=\"ready\",expiry_source=\"unknown\""));
    }

    #[test]
    fn a_token_that_fell_short_is_not_ready_and_says_why_in_its_status() {
        let mut r = record("short", None);
        let check = r.last_check.as_mut().unwrap();
        check.ready = false;
        check.verdict = Verdict::FallsShort;
        let text = prometheus(&[token(r)]);
        assert!(text.contains("tokenwarden_token_ready{token=\"short\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"vault\"} 0\n"));
        assert!(text.contains("status=\"falls_short\""));
    }

    #[test]
    fn label_values_are_escaped_and_qovery_tokens_say_so() {
        assert_eq!(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        let mut t = token(record("x", None));
        t.token.record.name = "we\"ird\\na\nme".into();
        t.source = Source::Qovery;
        let text = prometheus(&[t]);
        assert!(text.contains("{token=\"we\\\"ird\\\\na\\nme\",provider=\"github\",host=\"api.github.com\",kind=\"fine-grained\",source=\"qovery\"}"), "{text}");
        assert_eq!(text.lines().count(), 8 + 3);
    }

    #[test]
    fn an_empty_vault_still_describes_every_family() {
        let text = prometheus(&[]);
        assert_eq!(text.lines().count(), 8);
    }
}
