//! The tray's model, whoever draws it (the resident's StatusNotifierItem on
//! Linux, the desktop shell's Tauri tray elsewhere): an icon whose look
//! shows the worst state (all good / expiring soon / expired or broken), a
//! tooltip with the counts, and a menu listing every token with its days
//! left, or, for a token that broke, what is wrong ("acme-deploy — stopped
//! working"), as the watcher alerted it (the core's
//! `CheckHealth::trouble_at`). Linux trays send no click events, so
//! everything is reachable from the menu.

use chrono::{DateTime, Utc};
use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::status::{Severity, Wording};
use tokenwarden_core::vault::{TokenStatus, TokenView};
use tokenwarden_core::watch::{Trouble, WatchedToken};

use crate::qovery_watch;

/// The overall state the icon shows: the core's `Severity`, with "not
/// checked" shown as fine (the icon has three looks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    Good,
    Soon,
    Bad,
}

impl Health {
    /// The icon's picture (PNG), from `src-tauri/icons/tray/`.
    pub fn icon_png(self) -> &'static [u8] {
        match self {
            Health::Good => include_bytes!("../../../src-tauri/icons/tray/ok.png"),
            Health::Soon => include_bytes!("../../../src-tauri/icons/tray/soon.png"),
            Health::Bad => include_bytes!("../../../src-tauri/icons/tray/bad.png"),
        }
    }
}

pub fn health_of(status: TokenStatus) -> Health {
    health_of_severity(status.severity())
}

fn health_of_severity(severity: Severity) -> Health {
    match severity {
        Severity::Good | Severity::Neutral => Health::Good,
        Severity::Warn => Health::Soon,
        Severity::Bad => Health::Bad,
    }
}

/// A token as the tray shows it: its view, and the trouble the watcher
/// alerts about at `now` (a failure to check only once it lasted a day).
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub view: &'a TokenView,
    pub trouble: Option<&'a Trouble>,
}

impl Shown<'_> {
    /// The worse of its status and its trouble: a check failing for a day
    /// turns the icon to "needs attention", as its alert did.
    fn health(&self) -> Health {
        let status = health_of(self.view.status);
        match self.trouble {
            Some(trouble) => status.max(health_of_severity(trouble.kind.severity())),
            None => status,
        }
    }
}

/// Pairs each listed token with what the watcher reads of it
/// (`watched[i]` is `WatchedToken::from(&views[i])`).
pub fn shown<'a>(
    views: &'a [TokenView],
    watched: &'a [WatchedToken],
    now: DateTime<Utc>,
) -> Vec<Shown<'a>> {
    views
        .iter()
        .zip(watched)
        .map(|(view, token)| Shown {
            view,
            trouble: token.health.trouble_at(now),
        })
        .collect()
}

fn status_words(status: TokenStatus) -> &'static str {
    match status {
        TokenStatus::Ready => "",
        TokenStatus::Unchecked => " (not checked)",
        TokenStatus::Expiring => "",
        TokenStatus::FallsShort => " (falls short)",
        TokenStatus::Expired => "",
        TokenStatus::Invalid => " (invalid)",
        TokenStatus::CheckFailed => " (check failed)",
        TokenStatus::SecretMissing => " (secret missing)",
    }
}

/// One menu line per token: "github-acme-production: 6 days left", or
/// what broke: "github-acme-production — stopped working".
pub fn menu_line(token: &Shown, now: DateTime<Utc>) -> String {
    let view = token.view;
    match token.trouble {
        Some(trouble) => format!("{} — {}", view.record.name, trouble.menu_words(now)),
        None => format!(
            "{}: {}{}",
            view.record.name,
            view.days_left_words(Wording::Menu),
            status_words(view.status)
        ),
    }
}

/// "Tokenwarden: 3 fine, 1 expiring soon, 1 needs attention".
pub fn tooltip(tokens: &[Shown]) -> String {
    format!("Tokenwarden: {}", counts(tokens))
}

/// "3 fine, 1 expiring soon, 1 needs attention", or "no tokens yet".
fn counts(tokens: &[Shown]) -> String {
    if tokens.is_empty() {
        return "no tokens yet".into();
    }
    let count = |h: Health| tokens.iter().filter(|t| t.health() == h).count();
    let mut parts = Vec::new();
    for (n, words) in [
        (count(Health::Good), "fine"),
        (count(Health::Soon), "expiring soon or short"),
        (count(Health::Bad), "need attention"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    parts.join(", ")
}

pub fn worst(tokens: &[Shown]) -> Health {
    tokens
        .iter()
        .map(Shown::health)
        .max()
        .unwrap_or(Health::Good)
}

/// The tray menu's inert first line in simulator mode.
pub fn simulator_line(simulated: &Simulated) -> Option<String> {
    simulated
        .is_active()
        .then(|| "Simulator mode: not the real services".to_owned())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a click on a menu entry asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the window at this token's page.
    OpenToken(String),
    /// Open the window at the dashboard ("Open Tokenwarden", or a
    /// Qovery-only git token, which has no page of its own).
    OpenHome,
    CheckAllNow,
    Quit,
}

const MENU_CHECK_ALL: &str = "check-all";
const MENU_OPEN: &str = "open";
const MENU_QUIT: &str = "quit";
const TOKEN_ITEM_PREFIX: &str = "token:";
const QOVERY_ITEM_PREFIX: &str = "qovery-token:";

impl Action {
    /// The entry's id, for trays whose menu events name entries by id.
    pub fn id(&self) -> String {
        match self {
            Action::OpenToken(id) => format!("{TOKEN_ITEM_PREFIX}{id}"),
            Action::OpenHome => MENU_OPEN.to_owned(),
            Action::CheckAllNow => MENU_CHECK_ALL.to_owned(),
            Action::Quit => MENU_QUIT.to_owned(),
        }
    }

    /// The action an entry's id names (`None`: an inert line).
    pub fn from_id(id: &str) -> Option<Action> {
        if let Some(token) = id.strip_prefix(TOKEN_ITEM_PREFIX) {
            return Some(Action::OpenToken(token.to_owned()));
        }
        match id {
            MENU_OPEN => Some(Action::OpenHome),
            _ if id.starts_with(QOVERY_ITEM_PREFIX) => Some(Action::OpenHome),
            MENU_CHECK_ALL => Some(Action::CheckAllNow),
            MENU_QUIT => Some(Action::Quit),
            _ => None,
        }
    }
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A line that says something and does nothing (the counts).
    Inert {
        id: String,
        label: String,
    },
    Separator,
    Item {
        id: String,
        label: String,
    },
}

impl Entry {
    fn item(action: &Action, label: impl Into<String>) -> Entry {
        Entry::Item {
            id: action.id(),
            label: label.into(),
        }
    }
}

/// All a tray shows: the icon's state, the tooltip and the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub health: Health,
    pub tooltip: String,
    pub menu: Vec<Entry>,
}

impl TrayModel {
    /// The tray before the first round: the icon, the name, and the
    /// entries that need no token.
    pub fn starting(simulated: &Simulated) -> TrayModel {
        TrayModel::of(&[], &[], simulated, Utc::now())
    }

    /// The tokens' state at `now`. `qovery_only`: the connected
    /// organizations' git tokens with no local value, listed after the
    /// local tokens (a click opens the window) and turning the icon too,
    /// by their expiry.
    pub fn of(
        tokens: &[Shown],
        qovery_only: &[WatchedToken],
        simulated: &Simulated,
        now: DateTime<Utc>,
    ) -> TrayModel {
        let qovery = qovery_only
            .iter()
            .map(|t| health_of(qovery_watch::status(t, now)))
            .max()
            .unwrap_or(Health::Good);
        let mut menu = Vec::new();
        // A session against the simulator says so before anything else, so
        // its tokens and alerts are never taken for the real services'.
        if let Some(notice) = simulator_line(simulated) {
            menu.push(Entry::Inert {
                id: "simulator".into(),
                label: notice,
            });
        }
        // Its first, inert line repeats the tooltip's counts: Linux trays
        // show no tooltip.
        menu.push(Entry::Inert {
            id: "summary".into(),
            label: capitalised(&counts(tokens)),
        });
        if !tokens.is_empty() {
            menu.push(Entry::Separator);
        }
        for token in tokens {
            let action = Action::OpenToken(token.view.record.id.clone());
            menu.push(Entry::item(&action, menu_line(token, now)));
        }
        for token in qovery_only {
            menu.push(Entry::Item {
                id: format!("{QOVERY_ITEM_PREFIX}{}", token.id),
                label: qovery_watch::menu_line(token, now),
            });
        }
        menu.push(Entry::Separator);
        menu.push(Entry::item(&Action::CheckAllNow, "Check all now"));
        menu.push(Entry::item(&Action::OpenHome, "Open Tokenwarden"));
        menu.push(Entry::Separator);
        menu.push(Entry::item(&Action::Quit, "Quit Tokenwarden"));
        TrayModel {
            health: worst(tokens).max(qovery),
            tooltip: tooltip(tokens),
            menu,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::vault::{SecretState, TokenRecord};

    /// A GitHub token expiring in `days` (and an hour), last checked
    /// `checked_hours_ago` with `verdict` (failing since then, for a
    /// check that got no answer).
    fn checked(
        name: &str,
        days: Option<i64>,
        verdict: Option<&str>,
        checked_hours_ago: i64,
    ) -> TokenView {
        let now = Utc::now();
        let checked = now - chrono::Duration::hours(checked_hours_ago);
        let problems = match verdict {
            Some("unusable") => {
                serde_json::json!([{"code": "invalid_token", "message": "GitHub rejected the token."}])
            }
            Some("unchecked") => {
                serde_json::json!([{"code": "unreachable", "message": "Could not reach api.github.com."}])
            }
            _ => serde_json::json!([]),
        };
        let record: TokenRecord = serde_json::from_value(serde_json::json!({
            "id": name, "name": name, "provider": "github", "kind": "classic", "host": null,
            "api_url": "https://api.github.com", "org": null, "repo": null, "project": null,
            "group": null, "workspace": null, "identity": null, "scopes": null,
            "expires_at": days.map(|d| now + chrono::Duration::days(d) + chrono::Duration::hours(1)),
            "expiry": if days.is_some() { "provider" } else { "never" },
            "user_expires_at": null, "created_at": now, "updated_at": now,
            "last_checked_at": checked,
            "failing_since": (verdict == Some("unchecked")).then_some(checked),
            "last_check": verdict.map(|v| serde_json::json!({"verdict": v, "ready": v == "ready", "missing": [], "unverified": [], "problems": problems})),
            "rotated_at": null,
        }))
        .unwrap();
        TokenView::new(record, SecretState::Present, now)
    }

    fn token(name: &str, days: Option<i64>, verdict: Option<&str>) -> TokenView {
        checked(name, days, verdict, 0)
    }

    /// The tray's lines and icon for `views`, as the watcher's round shows them.
    fn tray_of(views: &[TokenView]) -> (Vec<String>, Health, String) {
        let now = Utc::now();
        let watched: Vec<WatchedToken> = views.iter().map(WatchedToken::from).collect();
        let shown = shown(views, &watched, now);
        (
            shown.iter().map(|t| menu_line(t, now)).collect(),
            worst(&shown),
            tooltip(&shown),
        )
    }

    fn line(view: TokenView) -> String {
        tray_of(&[view]).0.remove(0)
    }

    #[test]
    fn a_simulator_session_says_so_first_in_the_menu() {
        assert_eq!(simulator_line(&Simulated::default()), None);
        let simulated = Simulated::parse("github=http://127.0.0.1:9").unwrap();
        assert_eq!(
            simulator_line(&simulated).as_deref(),
            Some("Simulator mode: not the real services")
        );
    }

    #[test]
    fn the_menu_lists_each_token_with_its_days_left() {
        assert_eq!(
            line(token("prod", Some(6), Some("ready"))),
            "prod: 6 days left"
        );
        assert_eq!(
            line(token("ci", Some(0), Some("ready"))),
            "ci: expires today"
        );
        assert_eq!(
            line(token("old", Some(-3), Some("ready"))),
            "old: expired 3 days ago"
        );
        assert_eq!(
            line(token("forever", None, Some("ready"))),
            "forever: no expiry"
        );
        assert_eq!(
            line(token("new", Some(60), None)),
            "new: 60 days left (not checked)"
        );
    }

    #[test]
    fn a_broken_token_says_what_is_wrong_and_turns_the_icon() {
        let fine = token("a", Some(60), Some("ready"));
        let revoked = token("acme-deploy", Some(60), Some("unusable"));
        let (lines, health, _) = tray_of(&[fine.clone(), revoked]);
        assert_eq!(lines[1], "acme-deploy — stopped working");
        assert_eq!(health, Health::Bad);

        // A failed check says nothing bad yet; after a day it is news.
        let hiccup = checked("flaky", Some(60), Some("unchecked"), 2);
        let (lines, health, _) = tray_of(&[fine.clone(), hiccup]);
        assert_eq!(lines[1], "flaky: 60 days left (check failed)");
        assert_eq!(health, Health::Soon);
        let down = checked("flaky", Some(60), Some("unchecked"), 50);
        let (lines, health, tooltip) = tray_of(&[fine, down]);
        assert_eq!(lines[1], "flaky — could not be checked for 2 days");
        assert_eq!(health, Health::Bad);
        assert_eq!(tooltip, "Tokenwarden: 1 fine, 1 need attention");
    }

    #[test]
    fn the_icon_shows_the_worst_state_and_the_tooltip_counts_in_words() {
        let fine = token("a", Some(60), Some("ready"));
        let soon = token("b", Some(6), Some("ready"));
        let gone = token("c", Some(-1), Some("ready"));
        let worst_of = |views: &[TokenView]| tray_of(views).1;
        assert_eq!(worst_of(&[]), Health::Good);
        assert_eq!(worst_of(std::slice::from_ref(&fine)), Health::Good);
        assert_eq!(worst_of(&[fine.clone(), soon.clone()]), Health::Soon);
        assert_eq!(
            worst_of(&[soon.clone(), gone.clone(), fine.clone()]),
            Health::Bad
        );
        assert_eq!(tray_of(&[]).2, "Tokenwarden: no tokens yet");
        assert_eq!(capitalised(&counts(&[])), "No tokens yet");
        assert_eq!(
            tray_of(&[fine, soon, gone]).2,
            "Tokenwarden: 1 fine, 1 expiring soon or short, 1 need attention"
        );
    }

    #[test]
    fn the_menu_reads_in_the_same_order_whoever_draws_it() {
        let now = Utc::now();
        let views = [
            token("prod", Some(6), Some("ready")),
            token("ci", Some(60), Some("ready")),
        ];
        let watched: Vec<WatchedToken> = views.iter().map(WatchedToken::from).collect();
        let qovery_only = WatchedToken {
            id: "qovery:org:gt".into(),
            name: "deploy-bot (Qovery Acme)".into(),
            expires_at: Some(now + chrono::Duration::days(1) + chrono::Duration::hours(1)),
            ..watched[0].clone()
        };
        let simulated = Simulated::parse("github=http://127.0.0.1:9").unwrap();
        let model = TrayModel::of(
            &shown(&views, &watched, now),
            std::slice::from_ref(&qovery_only),
            &simulated,
            now,
        );
        let lines: Vec<&str> = model
            .menu
            .iter()
            .map(|entry| match entry {
                Entry::Inert { label, .. } | Entry::Item { label, .. } => label.as_str(),
                Entry::Separator => "---",
            })
            .collect();
        assert_eq!(
            lines,
            [
                "Simulator mode: not the real services",
                "1 fine, 1 expiring soon or short",
                "---",
                "prod: 6 days left",
                "ci: 60 days left",
                "deploy-bot (Qovery Acme): 1 day left",
                "---",
                "Check all now",
                "Open Tokenwarden",
                "---",
                "Quit Tokenwarden",
            ]
        );
        assert_eq!(model.health, Health::Soon);
        assert_eq!(
            model.tooltip,
            "Tokenwarden: 1 fine, 1 expiring soon or short"
        );
        // Each entry's id says what a click does.
        let actions: Vec<Option<Action>> = model
            .menu
            .iter()
            .filter_map(|entry| match entry {
                Entry::Item { id, .. } => Some(Action::from_id(id)),
                Entry::Inert { id, .. } => {
                    assert_eq!(Action::from_id(id), None, "{id} is inert");
                    None
                }
                Entry::Separator => None,
            })
            .collect();
        assert_eq!(
            actions,
            [
                Some(Action::OpenToken("prod".into())),
                Some(Action::OpenToken("ci".into())),
                Some(Action::OpenHome),
                Some(Action::CheckAllNow),
                Some(Action::OpenHome),
                Some(Action::Quit),
            ]
        );
        assert_eq!(TrayModel::starting(&Simulated::default()).menu.len(), 6);
    }
}
