//! The first screen's data, handed to the page with it: the vault's
//! overview and the provider catalogue, set on `window` by an
//! initialization script that WebKit runs before the page's own scripts.
//! The page then paints its first screen without waiting for two IPC
//! round trips, which in WebKitGTK answered about 50 ms after the page
//! asked (BENCHMARKS.md, "Start-up"); it asks again once that screen is
//! painted, so what it shows stays as fresh as before.
//!
//! What it holds is what `vault_overview` and `provider_catalogue` answer
//! the same page: metadata, never a secret (`TokenView` has none).

use std::time::Duration;

use serde::Serialize;
use tokenwarden_core::Catalogue;
use ts_rs::TS;

use crate::commands::tokens::{overview, VaultOverview};
use crate::state::AppState;

/// How long the window waits for its first listing before it is built.
/// It normally takes a few tens of milliseconds, read while GTK starts; a
/// keychain slower than this leaves the page to ask, as it would anyway.
const LISTING_WAIT: Duration = Duration::from_millis(150);

/// The name the page reads it from (`ui/src/lib/api.ts`, `takeFirstScreen`).
const GLOBAL: &str = "__TOKENWARDEN_FIRST_SCREEN__";

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct FirstScreen {
    pub overview: VaultOverview,
    pub catalogue: Catalogue,
}

impl FirstScreen {
    /// The first screen's data, if the vault's listing is ready in time
    /// (or the vault could not be opened, which the overview says). A
    /// listing that failed is not handed over: the page's own request
    /// lists again and shows the error as it always does.
    pub fn gather(state: &AppState) -> Option<FirstScreen> {
        let tokens = match state.vault() {
            Err(_) => Vec::new(),
            Ok(_) => state.first_list_within(LISTING_WAIT)?.ok()?,
        };
        Some(FirstScreen {
            overview: overview(state, tokens),
            catalogue: Catalogue::load_simulated(&state.simulated),
        })
    }

    /// The initialization script that sets it on `window`. The JSON goes in
    /// as a string literal read by `JSON.parse`, so that no name or text in
    /// it can be taken for code.
    pub fn script(&self) -> Option<String> {
        let json = serde_json::to_string(self).ok()?;
        // Line and paragraph separators are escaped too, as older engines
        // end a string literal at them.
        let literal = serde_json::to_string(&json)
            .ok()?
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
        Some(format!("window.{GLOBAL} = JSON.parse({literal});"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::state::tests::state_with;
    use tokenwarden_core::catalogue::Simulated;

    #[test]
    fn the_first_screen_carries_the_listing_and_the_catalogue() {
        let state = state_with(Simulated::default());
        state.finish_opening(true);
        let first = FirstScreen::gather(&state).expect("listed in time");
        assert!(first.overview.tokens.is_empty());
        assert_eq!(first.overview.problem, None);
        assert!(!first.catalogue.providers.is_empty());
        // Handed over once: a later window's page asks for itself.
        assert!(FirstScreen::gather(&state).is_none());
    }

    /// A vault that cannot be opened is said on the first screen too.
    #[test]
    fn a_vault_that_could_not_open_is_said_on_the_first_screen() {
        let state = AppState::with_config(
            Err(tokenwarden_core::vault::VaultError::NoDataDir),
            Simulated::default(),
        );
        let first = FirstScreen::gather(&state).unwrap();
        assert!(first.overview.problem.is_some());
        assert!(first.overview.tokens.is_empty());
    }

    /// Whatever the names hold (quotes, a closing tag, line separators), the
    /// script is one assignment of one string, read back to the same data.
    #[test]
    fn the_script_is_one_string_literal_whatever_the_data_holds() {
        let screen = FirstScreen {
            overview: VaultOverview {
                tokens: Vec::new(),
                notices: vec![tokenwarden_core::vault::VaultNotice::Recovered {
                    name: "\"); alert(1); (\"</script>\u{2028}".into(),
                    what: "'`${x}`\\".into(),
                }],
                keychain: "Secret Service".into(),
                problem: None,
                expires_soon_days: 30,
            },
            catalogue: Catalogue::load(),
        };
        let script = screen.script().unwrap();
        let prefix = format!("window.{GLOBAL} = JSON.parse(");
        let literal = script
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(");"))
            .unwrap();
        let json: String = serde_json::from_str(literal).unwrap();
        assert_eq!(json, serde_json::to_string(&screen).unwrap());
        // One line of code: no raw line break or separator in the literal.
        assert!(!script.contains('\n') && !script.contains('\u{2028}'));
    }
}
