//! The watcher's I/O. Every decision (what a round does, which expiry
//! reminders and breakage alerts are due, what a reminder choice or a
//! notification's answer means, when to wake) is a core function
//! (`tokenwarden_core::watch`); this task only sleeps until the round's
//! `next_wake` (no polling), runs the re-check, sends the notifications,
//! updates the tray and saves `watch.json`. Breakage is read from the
//! vault's record of each token's last check, so a `tokenwarden check` in
//! a terminal (a file event) alerts like the app's own re-check.
//!
//! Whatever should wake it early reaches it as a `WatchEvent` on one
//! channel (`WatcherHandle::post`): the tray's "Check all now", a choice on
//! a token's page, a notification's answer, a change of the vault's
//! metadata file (file events: the app or the CLI changed it), a resume
//! from suspend (logind), new settings.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use notify::{RecursiveMode, Watcher as _};
use tokenwarden_core::catalogue::Simulated;
use tokenwarden_core::check::Http;
use tokenwarden_core::notify::{DesktopNotification, NotificationAction, Notifier, SystemNotifier};
use tokenwarden_core::settings::Settings;
use tokenwarden_core::vault::{TokenView, Vault, VaultError};
use tokenwarden_core::watch::{
    self, ReminderChoice, Reminders, RoundInput, WatchSettings, WatchState, WatchStateFile,
    WatchedToken,
};
use tokio::sync::mpsc;

use crate::qovery_watch::QoveryWatched;
use crate::tray_model::{self, Action, TrayModel};
use tokenwarden_core::sync::LockExt;

/// Where the watcher shows what it found and sends the user: the tray and
/// the window. The resident's StatusNotifierItem on Linux; the desktop
/// shell's own Tauri tray and window elsewhere.
pub trait Surface: Send + Sync + 'static {
    /// Shows the tokens' state: icon, tooltip, menu.
    fn show(&self, tray: TrayModel);
    /// Opens the window at a token's page, or at the dashboard.
    fn open(&self, token_id: Option<String>);
    /// Ends the resident watcher ("Quit" in the tray).
    fn quit(&self);
}

/// Does what a click on a tray entry asks, whichever tray drew it.
pub fn act(action: Action, surface: &dyn Surface, watcher: &WatcherHandle) {
    match action {
        Action::OpenToken(id) => surface.open(Some(id)),
        Action::OpenHome => surface.open(None),
        Action::CheckAllNow => watcher.post(WatchEvent::CheckAllNow),
        Action::Quit => surface.quit(),
    }
}

/// What the watcher watches: the vault, its folder (`watch.json`,
/// `settings.json`), the Qovery-only git tokens, and whether the session
/// runs against the simulator (the tray says so first).
pub struct Watched {
    pub vault: Arc<Vault>,
    pub data_dir: PathBuf,
    pub qovery: Arc<QoveryWatched>,
    pub qovery_http: Http,
    pub simulated: Simulated,
}

impl Watched {
    /// The vault's folder, where `watch.json` lives beside `tokens.json`.
    pub fn data_dir_of(vault: &Vault) -> PathBuf {
        vault
            .metadata_path()
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default()
    }
}

/// Something that should make the watcher go round now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// The tray's "Check all now": re-check every token this round.
    CheckAllNow,
    /// A choice made on a token's page (already applied and saved by
    /// `WatcherHandle::choose`): reschedule.
    Choice {
        token_id: String,
        choice: ReminderChoice,
    },
    /// A notification's answer (snooze, "I rotated it"), applied in the
    /// next round.
    Answer(NotificationAction),
    /// The vault's metadata file changed (the app or the CLI wrote it).
    VaultChanged,
    /// The machine resumed from suspend: timers did not run meanwhile.
    Resumed,
    /// The alert settings changed.
    SettingsChanged,
}

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
                tracing::warn!(%error, "watch.json could not be saved");
            }
        }
    }
}

/// The watcher task's one handle: events in (`post`), and the reminders a
/// token's page reads and changes.
#[derive(Clone)]
pub struct WatcherHandle {
    events: mpsc::UnboundedSender<WatchEvent>,
    memory: Arc<Mutex<Memory>>,
    /// The vault and its folder, to find a token by name (`None`: no vault).
    watched: Option<(Arc<Vault>, PathBuf)>,
}

impl WatcherHandle {
    pub(crate) fn new() -> (Self, mpsc::UnboundedReceiver<WatchEvent>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let handle = WatcherHandle {
            events,
            memory: Arc::default(),
            watched: None,
        };
        (handle, receiver)
    }

    /// Hands `event` to the watcher task (dropped when there is none: no
    /// vault to watch).
    pub fn post(&self, event: WatchEvent) {
        tracing::debug!(?event, "watch event");
        let _ = self.events.send(event);
    }

    /// A token's reminders, for its page.
    pub fn reminders(&self, token: &WatchedToken, settings: &WatchSettings) -> Reminders {
        self.memory
            .lock_or_recover()
            .state
            .reminders(token, settings, Utc::now())
    }

    /// Applies the user's choice on a token's page at once (remembered in
    /// `watch.json`) and has the watcher reschedule.
    pub fn choose(
        &self,
        token: &WatchedToken,
        choice: ReminderChoice,
        settings: &WatchSettings,
    ) -> Reminders {
        let reminders = {
            let mut memory = self.memory.lock_or_recover();
            let reminders = watch::choose(&mut memory.state, token, choice, settings, Utc::now());
            memory.save();
            reminders
        };
        self.post(WatchEvent::Choice {
            token_id: token.id.clone(),
            choice,
        });
        reminders
    }

    /// The token `id` names, as the watcher reads it, and the alert
    /// settings (read each time: the user may have changed them).
    pub fn watched(&self, id: &str) -> Result<(WatchedToken, WatchSettings), VaultError> {
        let Some((vault, data_dir)) = &self.watched else {
            return Err(VaultError::Gone(id.to_owned()));
        };
        let record = vault.record_by_id(id)?;
        let settings = Settings::load(data_dir)
            .map(|s| s.alerts)
            .unwrap_or_default();
        Ok((WatchedToken::from(&record), settings))
    }
}

/// What the events since the last round ask of the next one.
fn round_input(events: Vec<WatchEvent>) -> RoundInput {
    let mut input = RoundInput::default();
    for event in events {
        match event {
            WatchEvent::CheckAllNow => input.check_asked = true,
            WatchEvent::Answer(answer) => input.answers.push(answer),
            WatchEvent::Choice { .. }
            | WatchEvent::VaultChanged
            | WatchEvent::Resumed
            | WatchEvent::SettingsChanged => {}
        }
    }
    input
}

/// How long work deferred until the window's first screen waits at most.
const FIRST_SCREEN_WAIT: Duration = Duration::from_secs(3);

/// Returns once `shown` is notified (the window's first screen is painted,
/// `startup_mark`), or after `FIRST_SCREEN_WAIT`: a page that never marks
/// it must not hold back the watcher or the resident.
pub async fn first_screen(shown: &tokio::sync::Notify) {
    let _ = tokio::time::timeout(FIRST_SCREEN_WAIT, shown.notified()).await;
}

/// The watcher for `watched` (nothing to watch without a vault): its
/// handle, and the task to run on a tokio runtime. With `first_screen`,
/// its first round waits until that is notified (or `FIRST_SCREEN_WAIT`).
pub fn start(
    watched: Option<Watched>,
    surface: Arc<dyn Surface>,
    first_screen: Option<Arc<tokio::sync::Notify>>,
) -> (
    WatcherHandle,
    Option<impl Future<Output = ()> + Send + 'static>,
) {
    let (mut handle, events) = WatcherHandle::new();
    let Some(watched) = watched else {
        return (handle, None);
    };
    handle.watched = Some((watched.vault.clone(), watched.data_dir.clone()));
    let file = WatchStateFile::in_data_dir(&watched.data_dir);
    *handle.memory.lock_or_recover() = match file.load(Utc::now()) {
        Ok((state, notice)) => {
            if let Some(notice) = notice {
                tracing::warn!(?notice, "watch.json");
            }
            Memory {
                state,
                file: Some(file),
            }
        }
        Err(error) => {
            tracing::warn!(%error, "watch.json could not be read");
            Memory::default()
        }
    };
    let task_handle = handle.clone();
    let task = async move {
        if let Some(shown) = first_screen {
            self::first_screen(&shown).await;
        }
        run(watched, surface, task_handle, events).await;
    };
    (handle, Some(task))
}

fn notifier(surface: &Arc<dyn Surface>, handle: &WatcherHandle) -> SystemNotifier {
    let surface = surface.clone();
    let handle = handle.clone();
    SystemNotifier::new(Some(Arc::new(move |action| match action {
        NotificationAction::Open { token_id } | NotificationAction::Rotate { token_id } => {
            surface.open(Some(token_id));
        }
        answer => handle.post(WatchEvent::Answer(answer)),
    })))
}

/// Sleeping longer than this is pointless: nothing scheduled means waiting
/// for an event.
const SLEEP_AT_MOST: Duration = Duration::from_secs(365 * 24 * 3600);

/// A burst of events (a file written in steps) settles into one round.
const SETTLE: Duration = Duration::from_millis(200);

async fn run(
    watched: Watched,
    surface: Arc<dyn Surface>,
    handle: WatcherHandle,
    mut events: mpsc::UnboundedReceiver<WatchEvent>,
) {
    let notifier = notifier(&surface, &handle);
    // File events on the data folder: the CLI (or another window) changed
    // the vault. Kept alive for as long as the task runs.
    let _fs_watcher = watch_folder(&watched.data_dir, {
        let handle = handle.clone();
        move || handle.post(WatchEvent::VaultChanged)
    });
    tokio::spawn(wake_on_resume({
        let handle = handle.clone();
        move || handle.post(WatchEvent::Resumed)
    }));

    let mut pending = Vec::new();
    loop {
        let next_wake =
            match go_round(&watched, surface.as_ref(), &handle, &notifier, pending).await {
                // A re-check ran: go round again at once on what it learned.
                Next::Again => {
                    pending = Vec::new();
                    continue;
                }
                Next::WakeAt(at) => at,
            };
        let sleep = next_wake
            .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(SLEEP_AT_MOST);
        pending = tokio::select! {
            _ = tokio::time::sleep(sleep) => Vec::new(),
            event = events.recv() => {
                let Some(first) = event else { return };
                tokio::time::sleep(SETTLE).await;
                let mut batch = vec![first];
                while let Ok(more) = events.try_recv() {
                    batch.push(more);
                }
                batch
            }
        };
    }
}

/// What the loop does after a round.
enum Next {
    /// A re-check ran: read the vault again at once.
    Again,
    /// Sleep until then (`None`: until an event).
    WakeAt(Option<chrono::DateTime<Utc>>),
}

/// One round: reads the vault and the settings, updates the tray, asks the
/// core what to do (`watch::round`), and does it.
#[tracing::instrument(name = "watch_round", skip_all, fields(events = events.len()))]
async fn go_round(
    watched: &Watched,
    surface: &dyn Surface,
    handle: &WatcherHandle,
    notifier: &SystemNotifier,
    events: Vec<WatchEvent>,
) -> Next {
    let Watched {
        vault,
        data_dir,
        qovery,
        qovery_http,
        simulated,
    } = watched;
    let tokens: Vec<TokenView> = list(vault).await.unwrap_or_default();
    // Qovery-only git tokens: asked for at the first round and at the daily
    // check time, from memory in between.
    if qovery.is_empty() {
        qovery.refresh(vault, qovery_http).await;
    }
    let qovery_only = qovery.current();
    // The watcher's reading of each token, its last check included (the
    // app's re-check or the CLI's `check`, as the vault recorded it).
    let mut watched: Vec<WatchedToken> = tokens.iter().map(WatchedToken::from).collect();
    let now = Utc::now();
    let shown = tray_model::shown(&tokens, &watched, now);
    surface.show(TrayModel::of(&shown, &qovery_only, simulated, now));
    watched.extend(qovery_only);
    // Read each round: the user may have changed them in settings.
    let settings = Settings::load(data_dir)
        .map(|s| s.alerts)
        .unwrap_or_default();
    let input = round_input(events);
    let round = {
        let mut memory = handle.memory.lock_or_recover();
        let round = watch::round(&mut memory.state, &watched, &settings, &input, now);
        if round.save {
            memory.save();
        }
        round
    };
    if round.recheck {
        if let Err(error) = vault.check(None).await {
            tracing::warn!(%error, "the daily re-check failed");
        }
        qovery.refresh(vault, qovery_http).await;
        let mut memory = handle.memory.lock_or_recover();
        watch::recheck_done(&mut memory.state, Utc::now());
        memory.save();
        return Next::Again;
    }
    for alert in &round.notify {
        let notification = DesktopNotification {
            title: alert.title(),
            body: alert.body(),
            token_id: Some(alert.token_id.clone()),
        };
        match notifier.notify_offering(&notification, alert.answers()) {
            Ok(()) => {
                tracing::info!(token = %alert.token_name, kind = ?alert.kind, catch_up = alert.catch_up, "notified")
            }
            Err(error) => {
                tracing::warn!(%error, token = %alert.token_name, "notification not shown")
            }
        }
    }
    Next::WakeAt(round.next_wake)
}

async fn list(vault: &Arc<Vault>) -> Option<Vec<TokenView>> {
    let vault = vault.clone();
    tokio::task::spawn_blocking(move || vault.list())
        .await
        .ok()?
        .ok()
}

/// Calls `changed` when the vault's metadata file in `dir` changes.
fn watch_folder(
    dir: &std::path::Path,
    changed: impl Fn() + Send + 'static,
) -> Option<notify::RecommendedWatcher> {
    let _ = std::fs::create_dir_all(dir);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| changes_vault(&e)) {
            changed();
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
async fn wake_on_resume(resumed: impl Fn() + Send + 'static) {
    #[cfg(target_os = "linux")]
    if let Ok(system_bus) = zbus::Connection::system().await {
        notify_on_resume(&system_bus, &resumed).await;
    }
    #[cfg(not(target_os = "linux"))]
    drop(resumed);
}

/// Calls `resumed` on each `PrepareForSleep(false)` from logind on this
/// bus, until the bus goes away.
#[cfg(target_os = "linux")]
async fn notify_on_resume(bus: &zbus::Connection, resumed: &(impl Fn() + Send)) {
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
            resumed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenwarden_core::check::ExpirySource;
    use tokenwarden_core::watch::WatchSettings;
    use tokenwarden_core::ProviderKind;
    use tokio::sync::Notify;

    fn token(days: i64, now: chrono::DateTime<Utc>) -> WatchedToken {
        WatchedToken {
            id: "t1".into(),
            name: "prod".into(),
            provider: ProviderKind::Github,
            expires_at: Some(now + chrono::Duration::days(days)),
            expiry: ExpirySource::Provider,
            health: watch::CheckHealth::Unknown,
        }
    }

    #[test]
    fn events_become_the_next_rounds_input() {
        let answer = NotificationAction::Snooze {
            token_id: "t1".into(),
            days: 1,
        };
        let input = round_input(vec![
            WatchEvent::VaultChanged,
            WatchEvent::Answer(answer.clone()),
            WatchEvent::Resumed,
            WatchEvent::Choice {
                token_id: "t1".into(),
                choice: ReminderChoice::Tomorrow,
            },
            WatchEvent::SettingsChanged,
        ]);
        assert_eq!(input.answers, vec![answer]);
        assert!(!input.check_asked);
        assert!(round_input(vec![WatchEvent::CheckAllNow]).check_asked);
    }

    #[test]
    fn a_choice_is_applied_at_once_and_posted_to_the_watcher() {
        let now = Utc::now();
        let (handle, mut events) = WatcherHandle::new();
        let t = token(6, now);
        let settings = WatchSettings::default();
        let reminders = handle.choose(&t, ReminderChoice::NextWeek, &settings);
        assert!(reminders.snoozed_until.is_some());
        assert_eq!(handle.reminders(&t, &settings), reminders);
        assert_eq!(
            events.try_recv().unwrap(),
            WatchEvent::Choice {
                token_id: "t1".into(),
                choice: ReminderChoice::NextWeek
            }
        );
        handle.post(WatchEvent::CheckAllNow);
        assert_eq!(events.try_recv().unwrap(), WatchEvent::CheckAllNow);
        drop(events);
        // No task (no vault): posting is harmless.
        handle.post(WatchEvent::Resumed);
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
        let _watcher = watch_folder(&dir, {
            let wake = wake.clone();
            move || wake.notify_one()
        })
        .expect("inotify");

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
            async move { notify_on_resume(&app_bus, &move || wake.notify_one()).await }
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
