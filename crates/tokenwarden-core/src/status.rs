//! One definition of what a token's state means to a person, used by the
//! tray, the notifications, the CLI and the UI:
//!
//! - `Severity`: how bad a `TokenStatus` is. The tray's icon and counts, the
//!   UI's colours (`ui/src/lib/bindings/statusSeverity.ts`, generated from
//!   `STATUS_SEVERITY` by `cargo test`) follow it.
//! - `days_left`: the one count of whole days left. The token list, a
//!   token's page, the tray, the CLI and the alerts before expiry all count
//!   with it, so a notification and a page never disagree on the number.
//! - `days_left_words`: those days in words, in the phrasing of each place
//!   that shows them (`Wording`).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::check::ExpirySource;

/// The one-word state of a token, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TokenStatus {
    SecretMissing,
    Expired,
    Invalid,
    FallsShort,
    Expiring,
    CheckFailed,
    Unchecked,
    Ready,
}

/// How bad a token's state is, best first: the icon, colour and group each
/// place shows it in. The words always say the same as the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    /// Works, with time to spare.
    Good,
    /// Nothing known against it yet (not checked).
    Neutral,
    /// Needs a look soon: expiring, falls short, or could not be checked
    /// (a rate limit or a network error says nothing bad about the token).
    Warn,
    /// Does not work: expired, invalid (an expiry before the known date
    /// is reported invalid: the check says so before the date does), or its
    /// secret is gone. The tray also counts here a token that could not be
    /// checked for a day, which the watcher alerts about
    /// (`watch::TroubleKind::severity`): nothing vouches for it any more.
    Bad,
}

/// Every status and its severity, worst status first (as `TokenStatus`).
pub const STATUS_SEVERITY: [(TokenStatus, Severity); 8] = [
    (TokenStatus::SecretMissing, Severity::Bad),
    (TokenStatus::Expired, Severity::Bad),
    (TokenStatus::Invalid, Severity::Bad),
    (TokenStatus::FallsShort, Severity::Warn),
    (TokenStatus::Expiring, Severity::Warn),
    (TokenStatus::CheckFailed, Severity::Warn),
    (TokenStatus::Unchecked, Severity::Neutral),
    (TokenStatus::Ready, Severity::Good),
];

impl TokenStatus {
    pub fn severity(self) -> Severity {
        match self {
            TokenStatus::SecretMissing | TokenStatus::Expired | TokenStatus::Invalid => {
                Severity::Bad
            }
            TokenStatus::FallsShort | TokenStatus::Expiring | TokenStatus::CheckFailed => {
                Severity::Warn
            }
            TokenStatus::Unchecked => Severity::Neutral,
            TokenStatus::Ready => Severity::Good,
        }
    }
}

/// Where a token stands on the dashboard, most urgent first: the list's
/// order (broken first, then what needs a fix, then by expiry) and the
/// summary's counts ("1 broken · 2 need a fix · 2 expire within 14 days")
/// follow it, and so does what a re-check says changed (`status_change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Triage {
    /// Does not work: expired, invalid, or its secret is gone.
    Broken,
    /// Works, or may, but needs the user: falls short of a requirement,
    /// or could not be checked.
    NeedsFix,
    /// Works, and expires within `check::EXPIRES_SOON_DAYS`.
    ExpiresSoon,
    /// Nothing to do now: ready, or not checked yet.
    Fine,
}

/// Every status and its triage group, worst status first (as `TokenStatus`).
pub const STATUS_TRIAGE: [(TokenStatus, Triage); 8] = [
    (TokenStatus::SecretMissing, Triage::Broken),
    (TokenStatus::Expired, Triage::Broken),
    (TokenStatus::Invalid, Triage::Broken),
    (TokenStatus::FallsShort, Triage::NeedsFix),
    (TokenStatus::Expiring, Triage::ExpiresSoon),
    (TokenStatus::CheckFailed, Triage::NeedsFix),
    (TokenStatus::Unchecked, Triage::Fine),
    (TokenStatus::Ready, Triage::Fine),
];

impl TokenStatus {
    pub fn triage(self) -> Triage {
        match self {
            TokenStatus::SecretMissing | TokenStatus::Expired | TokenStatus::Invalid => {
                Triage::Broken
            }
            TokenStatus::FallsShort | TokenStatus::CheckFailed => Triage::NeedsFix,
            TokenStatus::Expiring => Triage::ExpiresSoon,
            TokenStatus::Unchecked | TokenStatus::Ready => Triage::Fine,
        }
    }
}

/// What a check changed about a token that a person must hear of: "Checked
/// 12 tokens: 1 stopped working".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StatusChange {
    /// It worked (or was not known not to) and now does not.
    StoppedWorking,
    /// It worked and now needs a fix (falls short, could not be checked).
    NeedsFix,
    /// It was broken or needed a fix, and now works.
    Recovered,
}

/// The change from `before` to `after` worth telling, if any: moves
/// between "expires soon" and "fine", or from broken to needs a fix, are not.
pub fn status_change(before: TokenStatus, after: TokenStatus) -> Option<StatusChange> {
    use Triage::{Broken, ExpiresSoon, Fine, NeedsFix};
    match (before.triage(), after.triage()) {
        (b, Broken) if b != Broken => Some(StatusChange::StoppedWorking),
        (ExpiresSoon | Fine, NeedsFix) => Some(StatusChange::NeedsFix),
        (Broken | NeedsFix, ExpiresSoon | Fine) => Some(StatusChange::Recovered),
        _ => None,
    }
}

/// The slack `days_left` gives: the watcher wakes a moment *after* a
/// threshold instant, and the 7-day alert must still say 7, not 6.
pub const ROUNDING_GRACE: TimeDelta = TimeDelta::hours(1);

const DAY_SECONDS: i64 = 86_400;

/// Whole days from `now` until `expires_at`. Before expiry, rounded down
/// with an hour's grace: 6 days and 1 hour left is 6, 6 days 23 hours 30
/// minutes is 7, under a day is 0 ("today"). From the expiry instant on,
/// negative, and never 0 (negative exactly when expired, which the fuzz
/// targets hold it to): the first day after expiry is -1 ("1 day ago"),
/// 2 days 23 hours past is -3.
///
/// The alerts before expiry say this number. After expiry an alert says
/// how many whole days have passed instead (`AlertKind::Expired`: "has
/// expired" at the expiry instant, "expired k days ago" at the k-th daily
/// alert), one less than this count shows then.
pub fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    if now < expires_at {
        let seconds = (expires_at - now)
            .checked_add(&ROUNDING_GRACE)
            .map_or(i64::MAX, |d| d.num_seconds());
        seconds.div_euclid(DAY_SECONDS)
    } else {
        // Whole days elapsed, counting the one under way.
        -(now - expires_at).num_seconds().div_euclid(DAY_SECONDS) - 1
    }
}

/// Where days left are said; each place has its own phrasing of the same
/// count (a menu line is short, a page reads "Expiry in 6 days").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// A token's list entry and page: "in 6 days", "today", "2 days ago",
    /// "never expires", "expiry unknown". The UI gets these words from
    /// `ui/src/lib/bindings/daysLeftPhrases.ts`, generated from `PAGE`.
    Page,
    /// The tray menu: "6 days left", "expires today", "expired 2 days ago",
    /// "no expiry".
    Menu,
    /// The CLI's tables, after the date: "in 6 days", "today",
    /// "yesterday", "2 days ago", "never", "unknown".
    Cli,
}

/// The words of one place; `{n}` stands for a number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Phrases {
    pub never: &'static str,
    pub unknown: &'static str,
    pub today: &'static str,
    pub in_one: &'static str,
    pub one_ago: &'static str,
    pub in_n: &'static str,
    pub n_ago: &'static str,
}

pub const PAGE: Phrases = Phrases {
    never: "never expires",
    unknown: "expiry unknown",
    today: "today",
    in_one: "in 1 day",
    one_ago: "1 day ago",
    in_n: "in {n} days",
    n_ago: "{n} days ago",
};

const MENU: Phrases = Phrases {
    never: "no expiry",
    unknown: "no expiry",
    today: "expires today",
    in_one: "1 day left",
    one_ago: "expired yesterday",
    in_n: "{n} days left",
    n_ago: "expired {n} days ago",
};

const CLI: Phrases = Phrases {
    never: "never",
    unknown: "unknown",
    today: "today",
    in_one: "in 1 day",
    one_ago: "yesterday",
    in_n: "in {n} days",
    n_ago: "{n} days ago",
};

impl Wording {
    pub fn phrases(self) -> &'static Phrases {
        match self {
            Wording::Page => &PAGE,
            Wording::Menu => &MENU,
            Wording::Cli => &CLI,
        }
    }
}

/// `days_left` (from `TokenView::days_left`, `None` when the token has no
/// expiry) in words.
pub fn days_left_words(days_left: Option<i64>, expiry: ExpirySource, wording: Wording) -> String {
    let words = wording.phrases();
    if expiry == ExpirySource::Never {
        return words.never.into();
    }
    let Some(days) = days_left else {
        return words.unknown.into();
    };
    match days {
        0 => words.today.into(),
        1 => words.in_one.into(),
        -1 => words.one_ago.into(),
        d if d > 0 => words.in_n.replace("{n}", &d.to_string()),
        d => words.n_ago.replace("{n}", &d.unsigned_abs().to_string()),
    }
}

/// The bindings directory `cargo test` writes TypeScript to (as ts-rs).
#[cfg(test)]
pub(crate) fn export_dir() -> std::path::PathBuf {
    let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "bindings".into());
    let dir = std::path::PathBuf::from(dir);
    if dir.is_absolute() {
        dir
    } else {
        // ts-rs resolves it against the workspace root (`relative = true`
        // in .cargo/config.toml makes it absolute already).
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)
    }
}

/// `STATUS_SEVERITY` as a TypeScript module, for the UI's colours.
#[cfg(test)]
fn status_severity_ts() -> String {
    fn quoted<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("a unit variant serializes")
    }
    let mut out = String::from(
        "// This file was generated by `cargo test` from STATUS_SEVERITY in\n\
         // crates/tokenwarden-core/src/status.rs. Do not edit this file manually.\n\
         import type { Severity } from \"./Severity\";\n\
         import type { TokenStatus } from \"./TokenStatus\";\n\n\
         export const statusSeverity: Record<TokenStatus, Severity> = {\n",
    );
    for (status, severity) in STATUS_SEVERITY {
        out.push_str(&format!("  {}: {},\n", quoted(&status), quoted(&severity)));
    }
    out.push_str("};\n");
    out
}

/// `STATUS_TRIAGE` as a TypeScript module, for the dashboard's order and counts.
#[cfg(test)]
fn status_triage_ts() -> String {
    let mut out = String::from(
        "// This file was generated by `cargo test` from STATUS_TRIAGE in\n\
         // crates/tokenwarden-core/src/status.rs. Do not edit this file manually.\n\
         import type { TokenStatus } from \"./TokenStatus\";\n\
         import type { Triage } from \"./Triage\";\n\n\
         export const statusTriage: Record<TokenStatus, Triage> = {\n",
    );
    for (status, triage) in STATUS_TRIAGE {
        out.push_str(&format!(
            "  {}: {},\n",
            serde_json::to_string(&status).expect("a unit variant serializes"),
            serde_json::to_string(&triage).expect("a unit variant serializes"),
        ));
    }
    out.push_str("};\n");
    out
}

/// `PAGE` as a TypeScript module, for the UI's words.
#[cfg(test)]
fn days_left_phrases_ts() -> String {
    format!(
        "// This file was generated by `cargo test` from PAGE in\n\
         // crates/tokenwarden-core/src/status.rs. Do not edit this file manually.\n\n\
         /** The words for days left on a token's list entry and page; `{{n}}` is a number of days. */\n\
         export const daysLeftPhrases = {} as const;\n",
        serde_json::to_string_pretty(&PAGE).expect("plain strings serialize")
    )
}

/// Writes `text` to `name` beside the ts-rs bindings, if it changed.
#[cfg(test)]
pub(crate) fn export_ts(name: &str, text: &str) {
    let dir = export_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::write(&path, text).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_severity_table_is_the_severity_of_each_status() {
        for (status, severity) in STATUS_SEVERITY {
            assert_eq!(status.severity(), severity, "{status:?}");
        }
        assert_eq!(Severity::Bad.max(Severity::Good), Severity::Bad);
        assert!(Severity::Warn > Severity::Neutral);
    }

    /// Writes `statusSeverity.ts` and `daysLeftPhrases.ts` beside the ts-rs
    /// bindings; the test script fails when the committed files differ.
    #[test]
    fn export_bindings_status_severity_and_days_left_phrases() {
        export_ts("statusSeverity.ts", &status_severity_ts());
        export_ts("daysLeftPhrases.ts", &days_left_phrases_ts());
        export_ts("statusTriage.ts", &status_triage_ts());
    }

    #[test]
    fn the_triage_table_is_the_triage_of_each_status() {
        for (status, triage) in STATUS_TRIAGE {
            assert_eq!(status.triage(), triage, "{status:?}");
        }
        // Broken tokens are the bad ones, and only they.
        for (status, severity) in STATUS_SEVERITY {
            assert_eq!(status.triage() == Triage::Broken, severity == Severity::Bad);
        }
        assert!(Triage::Broken < Triage::NeedsFix && Triage::ExpiresSoon < Triage::Fine);
    }

    #[test]
    fn a_check_reports_the_changes_a_person_must_hear_of() {
        use StatusChange::{NeedsFix, Recovered, StoppedWorking};
        use TokenStatus::*;
        let cases = [
            (Ready, Invalid, Some(StoppedWorking)),
            (Expiring, Expired, Some(StoppedWorking)),
            (Unchecked, Invalid, Some(StoppedWorking)),
            (FallsShort, SecretMissing, Some(StoppedWorking)),
            (Ready, FallsShort, Some(NeedsFix)),
            (Expiring, CheckFailed, Some(NeedsFix)),
            (Invalid, Ready, Some(Recovered)),
            (CheckFailed, Expiring, Some(Recovered)),
            (Ready, Ready, None),
            (Ready, Expiring, None),
            (Unchecked, Ready, None),
            (Invalid, Expired, None),
            (Invalid, FallsShort, None),
            (FallsShort, CheckFailed, None),
        ];
        for (before, after, change) in cases {
            assert_eq!(
                status_change(before, after),
                change,
                "{before:?} -> {after:?}"
            );
        }
    }

    #[test]
    fn days_left_rounds_down_with_an_hours_grace() {
        let expiry = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
        let day = TimeDelta::days(1);
        let hour = TimeDelta::hours(1);
        let cases = [
            (expiry - day * 7, 7),
            (expiry - day * 7 + TimeDelta::milliseconds(5), 7),
            (expiry - day * 7 + TimeDelta::minutes(59), 7),
            (expiry - day * 6 - hour, 6),
            (expiry - day * 6 - hour * 3, 6),
            (expiry - day * 6 - hour * 23 - TimeDelta::minutes(30), 7),
            (expiry - TimeDelta::minutes(1), 0),
            (expiry - TimeDelta::milliseconds(1), 0),
            (expiry, -1),
            (expiry + TimeDelta::minutes(30), -1),
            (expiry + hour * 23, -1),
            (expiry + day, -2),
            (expiry + day * 2 + hour * 23, -3),
        ];
        for (now, expected) in cases {
            assert_eq!(days_left(expiry, now), expected, "{now}");
            assert_eq!(expected < 0, now >= expiry, "negative exactly when expired");
        }
        assert!(days_left(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC) > 0);
        assert!(days_left(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC) < 0);
    }

    #[test]
    fn days_left_in_the_words_of_each_place() {
        use ExpirySource::{Never, Provider, Unknown};
        use Wording::{Cli, Menu, Page};
        let cases = [
            (Some(6), Provider, "in 6 days", "6 days left", "in 6 days"),
            (Some(1), Provider, "in 1 day", "1 day left", "in 1 day"),
            (Some(0), Provider, "today", "expires today", "today"),
            (
                Some(-1),
                Provider,
                "1 day ago",
                "expired yesterday",
                "yesterday",
            ),
            (
                Some(-3),
                Provider,
                "3 days ago",
                "expired 3 days ago",
                "3 days ago",
            ),
            (None, Never, "never expires", "no expiry", "never"),
            (None, Unknown, "expiry unknown", "no expiry", "unknown"),
            (None, Provider, "expiry unknown", "no expiry", "unknown"),
        ];
        for (days, expiry, page, menu, cli) in cases {
            assert_eq!(days_left_words(days, expiry, Page), page);
            assert_eq!(days_left_words(days, expiry, Menu), menu);
            assert_eq!(days_left_words(days, expiry, Cli), cli);
        }
    }
}
