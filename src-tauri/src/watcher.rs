//! The expiry watcher: a task that sleeps until the next moment something
//! can change (the scheduler's `next_wake`), not on a short poll, and wakes
//! early on a vault change (the metadata file changed, whoever changed it:
//! the app or the CLI), on resume from suspend, and on "Check all now".
//! Each round: read the vault, update the tray, re-check every token once
//! a day, send what is due as desktop notifications, remember it. Its
//! memory is shared with the commands behind a token's "Reminders".

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use notify::{RecursiveMode, Watcher as _};
use serde::Deserialize;
use tauri::{AppHandle, Manager};
use tokenwarden_core::notify::{DesktopNotification, NotificationAction, Notifier, SystemNotifier};
use tokenwarden_core::settings::Settings;
use tokenwarden_core::vault::{TokenView, Vault};
use tokenwarden_core::watch::{
    Reminders, Snooze, WatchSettings, WatchState, WatchStateFile, WatchedToken,
};
use tokio::sync::Notify;
use ts_rs::TS;

use crate::state::AppState;
use crate::{tray, windows};

/// The watcher's memory (`watch.json`), shared with the commands that
/// show and change a token's reminders.
#[derive(Default)]
struct Memory {
    state: WatchState,
    /// `None` when there is nothing to write to: no vault, or a state file
    /// from a newer version, which is left alone (alerts still go out).
    file: Option<WatchStateFile>,
}

impl Memory {
    fn save(&self) {
        if let Some(file) = &self.file {
            if let Err(error) = file.save(&self.state) {
                eprintln!("Tokenwarden: {error}");
            }
        }
    }
}

/// What the user chose on a token's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReminderChoice {
    Tomorrow,
    NextWeek,
    /// "I rotated it": no more reminders for the current expiry.
    Rotated,
    /// Undoes a pause or "I rotated it".
    Resume,
}

/// Lets the tray's "Check all now", notifications and a token's page reach
/// the watcher. (Vault changes wake it through file events, resumes
/// through logind.)
#[derive(Clone, Default)]
pub struct WatcherHandle {
    wake: Arc<Notify>,
    recheck: Arc<std::sync::atomic::AtomicBool>,
    /// Answers from notifications (snooze, "I rotated it") for the state.
    answers: Arc<std::sync::Mutex<Vec<NotificationAction>>>,
    memory: Arc<std::sync::Mutex<Memory>>,
}

impl WatcherHandle {
    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Recomputes now (the settings changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Applies a notification's answer on the next round.
    pub fn answer(&self, action: NotificationAction) {
        self.answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(action);
        self.wake.notify_one();
    }

    /// Re-checks every token on the next round.
    pub fn check_all_now(&self) {
        self.recheck
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// A token's reminders, for its page.
    pub fn reminders(&self, token: &WatchedToken, settings: &WatchSettings) -> Reminders {
        self.memory().state.reminders(token, settings, Utc::now())
    }

    /// Applies the user's choice on a token's page at once (remembered in
    /// `watch.json`) and reschedules.
    pub fn choose(
        &self,
        token: &WatchedToken,
        choice: ReminderChoice,
        settings: &WatchSettings,
    ) -> Reminders {
        let now = Utc::now();
        let reminders = {
            let mut memory = self.memory();
            apply_choice(&mut memory.state, token, choice, now);
            memory.save();
            memory.state.reminders(token, settings, now)
        };
        self.wake.notify_one();
        reminders
    }
}

fn apply_choice(
    state: &mut WatchState,
    token: &WatchedToken,
    choice: ReminderChoice,
    now: chrono::DateTime<Utc>,
) {
    match choice {
        ReminderChoice::Tomorrow => state.snooze(&token.id, Snooze::Day.ends_at(now)),
        ReminderChoice::NextWeek => state.snooze(&token.id, Snooze::Week.ends_at(now)),
        ReminderChoice::Rotated => state.mark_handled(&token.id, token.deadline(), now),
        ReminderChoice::Resume => state.resume(token),
    }
}

/// How long the first round waits for the window's first screen at most.
const FIRST_SCREEN_WAIT: Duration = Duration::from_secs(3);

/// Starts the watcher for the app's vault (nothing to watch without one).
/// With `first_screen`, its first round waits until that is notified (or
/// `FIRST_SCREEN_WAIT`).
pub fn start(app: &AppHandle, first_screen: Option<Arc<Notify>>) -> WatcherHandle {
    let handle = WatcherHandle::default();
    let Ok(vault) = app.state::<AppState>().vault() else {
        return handle;
    };
    let data_dir = vault
        .metadata_path()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let file = WatchStateFile::in_data_dir(&data_dir);
    *handle.memory() = match file.load(Utc::now()) {
        Ok((state, _)) => Memory {
            state,
            file: Some(file),
        },
        Err(error) => {
            eprintln!("Tokenwarden: {error}");
            Memory::default()
        }
    };
    let app = app.clone();
    let task_handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(shown) = first_screen {
            let _ = tokio::time::timeout(FIRST_SCREEN_WAIT, shown.notified()).await;
        }
        run(app, vault, data_dir, task_handle).await;
    });
    handle
}

fn notifier(app: &AppHandle, handle: &WatcherHandle) -> SystemNotifier {
    let app = app.clone();
    let handle = handle.clone();
    SystemNotifier::new(Some(Arc::new(move |action| match action {
        NotificationAction::Open { token_id } | NotificationAction::Rotate { token_id } => {
            let app2 = app.clone();
            // Windows must be created on the main thread.
            let _ = app.run_on_main_thread(move || windows::show_main(&app2, Some(token_id)));
        }
        answer => handle.answer(answer),
    })))
}

async fn run(app: AppHandle, vault: Arc<Vault>, data_dir: PathBuf, handle: WatcherHandle) {
    let notifier = notifier(&app, &handle);
    // File events on the data folder: the CLI (or another window) changed
    // the vault. Kept alive for as long as the task runs.
    let _fs_watcher = watch_folder(&data_dir, handle.wake.clone());
    tauri::async_runtime::spawn(wake_on_resume(handle.wake.clone()));

    loop {
        let tokens: Vec<TokenView> = list(&vault).await.unwrap_or_default();
        let _ = tray::update(&app, &tokens);
        let watched: Vec<WatchedToken> = tokens.iter().map(WatchedToken::from).collect();
        let now = Utc::now();
        // Read each round: the user may have changed them in settings.
        let settings = Settings::load(&data_dir)
            .map(|s| s.alerts)
            .unwrap_or_default();
        let answers =
            std::mem::take(&mut *handle.answers.lock().unwrap_or_else(|p| p.into_inner()));
        let asked = handle
            .recheck
            .swap(false, std::sync::atomic::Ordering::SeqCst);

        let recheck = {
            let mut memory = handle.memory();
            memory.state.forget_missing(&watched);
            if !answers.is_empty() {
                apply_answers(&mut memory.state, &watched, answers, now);
                memory.save();
            }
            !tokens.is_empty() && (asked || memory.state.recheck_due(now))
        };
        if recheck {
            // A revoked token or a changed expiry is caught here, and the
            // next round reschedules from what the check learned.
            let _ = vault.check(None).await;
            let mut memory = handle.memory();
            memory.state.record_recheck(Utc::now());
            memory.save();
            continue;
        }

        let due = handle.memory().state.due(&watched, &settings, now);
        for alert in &due {
            let notification = DesktopNotification {
                title: alert.title(),
                body: alert.body(),
                token_id: Some(alert.token_id.clone()),
            };
            if let Err(error) = notifier.notify(&notification) {
                eprintln!("Tokenwarden: {error}");
            }
        }
        let next_wake = {
            let mut memory = handle.memory();
            if !due.is_empty() {
                // Recorded even when showing failed: otherwise it stays
                // due and the loop would spin.
                memory.state.record_sent(&due, now);
                memory.save();
            }
            memory.state.next_wake(&watched, &settings, Utc::now())
        };

        let sleep = next_wake
            .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            // Nothing scheduled: wait for a vault change.
            .unwrap_or(Duration::from_secs(365 * 24 * 3600));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = handle.wake.notified() => {
                // Let a burst of file events settle into one round.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// "Remind me tomorrow / next week" and "I rotated it", from notifications.
fn apply_answers(
    state: &mut WatchState,
    tokens: &[WatchedToken],
    answers: Vec<NotificationAction>,
    now: chrono::DateTime<Utc>,
) {
    for answer in answers {
        match answer {
            NotificationAction::Snooze { token_id, days } => {
                state.snooze(&token_id, now + chrono::Duration::days(i64::from(days)));
            }
            NotificationAction::Handled { token_id } => {
                if let Some(token) = tokens.iter().find(|t| t.id == token_id) {
                    state.mark_handled(&token_id, token.deadline(), now);
                }
            }
            NotificationAction::Open { .. } | NotificationAction::Rotate { .. } => {}
        }
    }
}

async fn list(vault: &Arc<Vault>) -> Option<Vec<TokenView>> {
    let vault = vault.clone();
    tauri::async_runtime::spawn_blocking(move || vault.list())
        .await
        .ok()?
        .ok()
}

/// Wakes the watcher when the vault's metadata file changes.
fn watch_folder(dir: &std::path::Path, wake: Arc<Notify>) -> Option<notify::RecommendedWatcher> {
    let _ = std::fs::create_dir_all(dir);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| changes_vault(&e)) {
            wake.notify_one();
        }
    })
    .ok()?;
    watcher.watch(dir, RecursiveMode::NonRecursive).ok()?;
    Some(watcher)
}

/// Whether a file event means the vault's metadata changed. Reading it is
/// not a change: inotify also reports opens, and each round reads the file,
/// so counting those would wake the watcher in an endless loop.
fn changes_vault(event: &notify::Event) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    let is_change = matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
    );
    is_change
        && event.paths.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| n == tokenwarden_core::vault::METADATA_FILE_NAME)
        })
}

/// On Linux, logind announces sleep and resume; timers do not advance
/// while suspended, so a resume recomputes what is due.
async fn wake_on_resume(wake: Arc<Notify>) {
    #[cfg(target_os = "linux")]
    if let Ok(system_bus) = zbus::Connection::system().await {
        notify_on_resume(&system_bus, &wake).await;
    }
    #[cfg(not(target_os = "linux"))]
    drop(wake);
}

/// Wakes the watcher on each `PrepareForSleep(false)` from logind on this
/// bus, until the bus goes away.
#[cfg(target_os = "linux")]
async fn notify_on_resume(bus: &zbus::Connection, wake: &Notify) {
    use futures_util::StreamExt;
    let Ok(proxy) = zbus::Proxy::new(
        bus,
        "org.freedesktop.login1",
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager",
    )
    .await
    else {
        return;
    };
    let Ok(mut signals) = proxy.receive_signal("PrepareForSleep").await else {
        return;
    };
    while let Some(message) = signals.next().await {
        if let Ok(false) = message.body().deserialize::<bool>() {
            wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::check::ExpirySource;
    use tokenwarden_core::watch::WatchSettings;
    use tokenwarden_core::ProviderKind;

    fn token(days: i64, now: chrono::DateTime<Utc>) -> WatchedToken {
        WatchedToken {
            id: "t1".into(),
            name: "prod".into(),
            provider: ProviderKind::Github,
            expires_at: Some(now + chrono::Duration::days(days)),
            expiry: ExpirySource::Provider,
        }
    }

    #[test]
    fn notification_answers_snooze_or_silence_the_token() {
        let now = Utc::now();
        let tokens = [token(6, now)];
        let settings = WatchSettings::default();

        let mut snoozed = WatchState::default();
        apply_answers(
            &mut snoozed,
            &tokens,
            vec![NotificationAction::Snooze {
                token_id: "t1".into(),
                days: 1,
            }],
            now,
        );
        assert!(
            snoozed.due(&tokens, &settings, now).is_empty(),
            "snoozed for a day"
        );
        assert!(
            !snoozed
                .due(&tokens, &settings, now + chrono::Duration::hours(25))
                .is_empty(),
            "due again after it"
        );

        let mut handled = WatchState::default();
        apply_answers(
            &mut handled,
            &tokens,
            vec![NotificationAction::Handled {
                token_id: "t1".into(),
            }],
            now,
        );
        assert!(
            handled
                .due(&tokens, &settings, now + chrono::Duration::days(10))
                .is_empty(),
            "silenced for this expiry"
        );
    }

    #[test]
    fn choices_on_a_token_page_pause_stop_or_resume_its_reminders() {
        let now = Utc::now();
        let t = token(6, now);
        let settings = WatchSettings::default();
        let mut state = WatchState::default();
        for (choice, paused_days, handled) in [
            (ReminderChoice::Tomorrow, Some(1), false),
            (ReminderChoice::NextWeek, Some(7), false),
            (ReminderChoice::Resume, None, false),
            (ReminderChoice::Rotated, None, true),
            (ReminderChoice::Resume, None, false),
        ] {
            apply_choice(&mut state, &t, choice, now);
            let reminders = state.reminders(&t, &settings, now);
            assert_eq!(
                reminders.snoozed_until,
                paused_days.map(|d| now + chrono::Duration::days(d)),
                "{choice:?}"
            );
            assert_eq!(reminders.handled, handled, "{choice:?}");
        }
    }

    #[test]
    fn only_a_change_of_the_metadata_file_wakes_the_watcher() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind, RenameMode,
        };
        let event =
            |kind, file: &str| notify::Event::new(kind).add_path(PathBuf::from("/data").join(file));
        let tokens = tokenwarden_core::vault::METADATA_FILE_NAME;
        let wakes = [
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(notify::event::RemoveKind::File),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ];
        for kind in wakes {
            assert!(changes_vault(&event(kind, tokens)), "{kind:?}");
        }
        let reads = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
        ];
        for kind in reads {
            assert!(!changes_vault(&event(kind, tokens)), "{kind:?}: a read");
        }
        assert!(
            !changes_vault(&event(EventKind::Create(CreateKind::File), "watch.json")),
            "the watcher's own file"
        );
    }

    /// Real inotify on a scratch folder: each round reads tokens.json, and
    /// that must not wake the watcher again; a write (temp file + rename,
    /// as the vault and the CLI do) must.
    #[tokio::test(flavor = "multi_thread")]
    async fn reading_the_vault_leaves_the_watcher_asleep_and_changing_it_wakes_it() {
        let dir = std::env::temp_dir().join(format!("tw-watch-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let tokens = dir.join(tokenwarden_core::vault::METADATA_FILE_NAME);
        std::fs::write(&tokens, b"{}").unwrap();
        let wake = Arc::new(Notify::new());
        let _watcher = watch_folder(&dir, wake.clone()).expect("inotify");

        for _ in 0..3 {
            std::fs::read(&tokens).unwrap();
        }
        let woke = tokio::time::timeout(Duration::from_millis(700), wake.notified()).await;
        assert!(woke.is_err(), "reading the vault woke the watcher");

        let temp = dir.join("tokens.json.tmp");
        std::fs::write(&temp, b"{\"version\": 1}").unwrap();
        std::fs::rename(&temp, &tokens).unwrap();
        tokio::time::timeout(Duration::from_secs(5), wake.notified())
            .await
            .expect("a changed vault wakes the watcher");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Needs a D-Bus session bus (scripts/test.sh runs it inside
    /// tests/harness/desktop-session.sh): a stand-in logind on that bus
    /// announces going to sleep, then resuming; only the resume wakes.
    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs a D-Bus session bus: run inside tests/harness/desktop-session.sh"]
    async fn a_resume_from_suspend_wakes_the_watcher() {
        let logind = zbus::connection::Builder::session()
            .unwrap()
            .name("org.freedesktop.login1")
            .unwrap()
            .build()
            .await
            .expect("a session bus");
        let app_bus = zbus::Connection::session().await.unwrap();
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn({
            let wake = wake.clone();
            async move { notify_on_resume(&app_bus, &wake).await }
        });
        let announce = |sleeping: bool| {
            let logind = logind.clone();
            async move {
                logind
                    .emit_signal(
                        None::<&str>,
                        "/org/freedesktop/login1",
                        "org.freedesktop.login1.Manager",
                        "PrepareForSleep",
                        &sleeping,
                    )
                    .await
                    .unwrap();
            }
        };
        // Let the listener subscribe before announcing.
        tokio::time::sleep(Duration::from_millis(300)).await;

        announce(true).await;
        let woke_on_sleep = tokio::time::timeout(Duration::from_millis(500), wake.notified()).await;
        assert!(
            woke_on_sleep.is_err(),
            "going to sleep is not a reason to wake"
        );

        announce(false).await;
        tokio::time::timeout(Duration::from_secs(5), wake.notified())
            .await
            .expect("the resume woke the watcher");
        listener.abort();
    }
}
