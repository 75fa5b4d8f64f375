//! The tray: an icon whose look shows the worst state (all good / expiring
//! soon / expired or failing), a tooltip with the counts, and a menu listing
//! every token with its days left. Linux trays send no click events, so
//! everything is reachable from the menu.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Wry};
use tokenwarden_core::status::{Severity, Wording};
use tokenwarden_core::vault::{TokenStatus, TokenView};
use tokenwarden_core::watch::WatchedToken;

pub const TRAY_ID: &str = "main";
pub const MENU_CHECK_ALL: &str = "check-all";
pub const MENU_OPEN: &str = "open";
pub const MENU_QUIT: &str = "quit";
pub const TOKEN_ITEM_PREFIX: &str = "token:";
/// A Qovery-only git token's entry: it has no page of its own, so a
/// click opens the window (the dashboard lists it).
pub const QOVERY_ITEM_PREFIX: &str = "qovery-token:";

const ICON_OK: &[u8] = include_bytes!("../icons/tray/ok.png");
const ICON_SOON: &[u8] = include_bytes!("../icons/tray/soon.png");
const ICON_BAD: &[u8] = include_bytes!("../icons/tray/bad.png");

/// The overall state the icon shows: the core's `Severity`, with "not
/// checked" shown as fine (the icon has three looks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    Good,
    Soon,
    Bad,
}

pub fn health_of(status: TokenStatus) -> Health {
    match status.severity() {
        Severity::Good | Severity::Neutral => Health::Good,
        Severity::Warn => Health::Soon,
        Severity::Bad => Health::Bad,
    }
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

/// One menu line per token: "github-acme-production: 6 days left".
pub fn menu_line(token: &TokenView) -> String {
    format!(
        "{}: {}{}",
        token.record.name,
        token.days_left_words(Wording::Menu),
        status_words(token.status)
    )
}

/// "Tokenwarden: 3 fine, 1 expiring soon, 1 needs attention".
pub fn tooltip(tokens: &[TokenView]) -> String {
    format!("Tokenwarden: {}", counts(tokens))
}

/// "3 fine, 1 expiring soon, 1 needs attention", or "no tokens yet".
fn counts(tokens: &[TokenView]) -> String {
    if tokens.is_empty() {
        return "no tokens yet".into();
    }
    let count = |h: Health| tokens.iter().filter(|t| health_of(t.status) == h).count();
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

pub fn worst(tokens: &[TokenView]) -> Health {
    tokens
        .iter()
        .map(|t| health_of(t.status))
        .max()
        .unwrap_or(Health::Good)
}

fn icon(health: Health) -> tauri::Result<Image<'static>> {
    Image::from_bytes(match health {
        Health::Good => ICON_OK,
        Health::Soon => ICON_SOON,
        Health::Bad => ICON_BAD,
    })
}

/// One entry of the menu, by its id (menu events name it).
fn item(
    app: &AppHandle,
    id: impl Into<tauri::menu::MenuId>,
    label: impl AsRef<str>,
    enabled: bool,
) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, id, label, enabled, None::<&str>)
}

fn menu(
    app: &AppHandle,
    tokens: &[TokenView],
    qovery_only: &[WatchedToken],
) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    // Its first, inert line repeats the tooltip's counts: Linux trays show
    // no tooltip.
    menu.append(&item(app, "summary", capitalised(&counts(tokens)), false)?)?;
    if !tokens.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    for token in tokens {
        let id = format!("{TOKEN_ITEM_PREFIX}{}", token.record.id);
        menu.append(&item(app, id, menu_line(token), true)?)?;
    }
    let now = chrono::Utc::now();
    for token in qovery_only {
        let id = format!("{QOVERY_ITEM_PREFIX}{}", token.id);
        let line = crate::qovery_watch::menu_line(token, now);
        menu.append(&item(app, id, line, true)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&item(app, MENU_CHECK_ALL, "Check all now", true)?)?;
    menu.append(&item(app, MENU_OPEN, "Open Tokenwarden", true)?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&item(app, MENU_QUIT, "Quit Tokenwarden", true)?)?;
    Ok(menu)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Creates the tray icon (menu events are handled in lib.rs).
pub fn create(app: &AppHandle) -> tauri::Result<TrayIcon> {
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(Health::Good)?)
        .tooltip("Tokenwarden")
        .menu(&menu(app, &[], &[])?)
        .show_menu_on_left_click(true)
        .build(app)
}

/// Shows the tokens' state in the tray: icon, tooltip, menu.
/// `qovery_only`: the connected organizations' git tokens with no local
/// value, listed after the local tokens (a click opens the window).
pub fn update(
    app: &AppHandle,
    tokens: &[TokenView],
    qovery_only: &[WatchedToken],
) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return Ok(());
    };
    // Qovery-only tokens turn the icon too, by their expiry.
    let now = chrono::Utc::now();
    let qovery = qovery_only
        .iter()
        .map(|t| health_of(crate::qovery_watch::status(t, now)))
        .max()
        .unwrap_or(Health::Good);
    tray.set_icon(Some(icon(worst(tokens).max(qovery))?))?;
    tray.set_tooltip(Some(tooltip(tokens)))?;
    tray.set_menu(Some(menu(app, tokens, qovery_only)?))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::vault::{SecretState, TokenRecord};

    fn token(name: &str, days: Option<i64>, verdict: Option<&str>) -> TokenView {
        let now = chrono::Utc::now();
        let record: TokenRecord = serde_json::from_value(serde_json::json!({
            "id": name, "name": name, "provider": "github", "kind": "classic", "host": null,
            "api_url": "https://api.github.com", "org": null, "repo": null, "project": null,
            "group": null, "workspace": null, "identity": null, "scopes": null,
            "expires_at": days.map(|d| now + chrono::Duration::days(d) + chrono::Duration::hours(1)),
            "expiry": if days.is_some() { "provider" } else { "never" },
            "user_expires_at": null, "created_at": now, "updated_at": now,
            "last_checked_at": now,
            "last_check": verdict.map(|v| serde_json::json!({"verdict": v, "ready": v == "ready", "missing": [], "unverified": [], "problems": []})),
            "rotated_at": null,
        }))
        .unwrap();
        TokenView::new(record, SecretState::Present, now)
    }

    #[test]
    fn the_menu_lists_each_token_with_its_days_left() {
        assert_eq!(
            menu_line(&token("prod", Some(6), Some("ready"))),
            "prod: 6 days left"
        );
        assert_eq!(
            menu_line(&token("ci", Some(0), Some("ready"))),
            "ci: expires today"
        );
        assert_eq!(
            menu_line(&token("old", Some(-3), Some("ready"))),
            "old: expired 3 days ago"
        );
        assert_eq!(
            menu_line(&token("forever", None, Some("ready"))),
            "forever: no expiry"
        );
        assert_eq!(
            menu_line(&token("bad", Some(60), Some("unusable"))),
            "bad: 60 days left (invalid)"
        );
    }

    #[test]
    fn the_icon_shows_the_worst_state_and_the_tooltip_counts_in_words() {
        let fine = token("a", Some(60), Some("ready"));
        let soon = token("b", Some(6), Some("ready"));
        let gone = token("c", Some(-1), Some("ready"));
        assert_eq!(worst(&[]), Health::Good);
        assert_eq!(worst(std::slice::from_ref(&fine)), Health::Good);
        assert_eq!(worst(&[fine.clone(), soon.clone()]), Health::Soon);
        assert_eq!(
            worst(&[soon.clone(), gone.clone(), fine.clone()]),
            Health::Bad
        );
        assert_eq!(tooltip(&[]), "Tokenwarden: no tokens yet");
        assert_eq!(capitalised(&counts(&[])), "No tokens yet");
        assert_eq!(
            tooltip(&[fine, soon, gone]),
            "Tokenwarden: 1 fine, 1 expiring soon or short, 1 need attention"
        );
    }
}
