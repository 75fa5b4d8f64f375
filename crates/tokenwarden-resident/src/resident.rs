//! The resident process: opens the vault, takes its data folder's bus name
//! (one resident per folder), shows the tray, runs the watcher, serves
//! `bus::Service`, and starts the window process when asked to open it.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokenwarden_core::check::{Http, HttpOptions, SystemClock};
use tokenwarden_core::checker::{CheckOptions, Checker};
use tokenwarden_core::vault::{Vault, VaultConfig};
use tokenwarden_resident::tray_model::TrayModel;
use tokenwarden_resident::watcher::{self, Surface, Watched};
use tokenwarden_resident::{args, bus, logging};
use tokio::sync::{mpsc, Notify};
use zbus::fdo::{RequestNameFlags, RequestNameReply};

use crate::sni::{Icons, SniTray};

/// The window process's binary, installed beside this one.
const WINDOW_BINARY: &str = "tokenwarden-desktop";

pub fn main() -> ExitCode {
    // Before anything reads a token: no core dump may hold one.
    if let Err(error) = tokenwarden_core::hardening::disable_core_dumps() {
        eprintln!("tokenwarden-resident: warning: {error}");
    }
    logging::init();
    // One thread: the watcher sleeps nearly always, and the tray, the bus
    // and the rounds take turns (the vault's blocking reads go to tokio's
    // blocking pool).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tokenwarden-resident: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    let spec = args::simulator_spec(std::env::args().skip(1));
    let simulated = args::parse_simulated(spec.as_deref());
    let config = match VaultConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "no data folder");
            eprintln!("tokenwarden-resident: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bus_name = bus::bus_name(&config.data_dir);
    let session = match zbus::Connection::session().await {
        Ok(session) => session,
        Err(error) => {
            tracing::error!(%error, "no D-Bus session bus");
            eprintln!("tokenwarden-resident: no D-Bus session bus ({error}); the tray and the window need one.");
            return ExitCode::FAILURE;
        }
    };
    // One resident per data folder: a second one (a login start while the
    // window already started one) leaves at once.
    match session
        .request_name_with_flags(bus_name.as_str(), RequestNameFlags::DoNotQueue.into())
        .await
    {
        Ok(RequestNameReply::PrimaryOwner) => {}
        Ok(_) | Err(zbus::Error::NameTaken) => {
            tracing::info!("a resident already watches this data folder");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            tracing::error!(%error, "the resident's bus name could not be taken");
            return ExitCode::FAILURE;
        }
    }

    let watched = open_vault(config, simulated.clone());
    let qovery = watched
        .as_ref()
        .map(|w| w.qovery.clone())
        .unwrap_or_default();
    let icons = match Icons::load() {
        Ok(icons) => icons,
        Err(error) => {
            tracing::error!(%error, "the tray icons could not be read");
            return ExitCode::FAILURE;
        }
    };
    let (actions, mut clicked) = mpsc::unbounded_channel();
    let tray = SniTray {
        model: TrayModel::starting(&simulated),
        icons,
        actions,
    };
    // Without a panel the resident still watches and alerts; the tray
    // appears when a StatusNotifier host does.
    let tray = match ksni::TrayMethods::assume_sni_available(tray, true)
        .spawn()
        .await
    {
        Ok(tray) => Some(tray),
        Err(error) => {
            tracing::warn!(%error, "no system tray");
            None
        }
    };
    let quit = Arc::new(Notify::new());
    let surface: Arc<dyn Surface> = Arc::new(Resident {
        tray: tray.clone(),
        simulator_args: args::simulator_args(spec.as_deref()),
        quit: quit.clone(),
    });
    let (handle, task) = watcher::start(watched, surface.clone(), None);
    if let Some(task) = task {
        tokio::spawn(task);
    }
    let service = bus::Service {
        watcher: handle.clone(),
        qovery,
        quit: quit.clone(),
    };
    if let Err(error) = session.object_server().at(bus::PATH, service).await {
        tracing::error!(%error, "the resident's D-Bus interface could not be served");
        return ExitCode::FAILURE;
    }
    tracing::info!("resident watching");

    loop {
        tokio::select! {
            Some(action) = clicked.recv() => watcher::act(action, surface.as_ref(), &handle),
            () = quit.notified() => break,
        }
    }
    tracing::info!("resident quitting");
    if let Ok(emitter) = zbus::object_server::SignalEmitter::new(&session, bus::PATH) {
        let _ = bus::Service::quitting(&emitter).await;
    }
    if let Some(tray) = tray {
        tray.shutdown().await;
    }
    ExitCode::SUCCESS
}

/// The vault, as the CLI and the window open it (nothing to watch
/// without one: the tray then says "No tokens yet").
fn open_vault(
    config: VaultConfig,
    simulated: tokenwarden_core::catalogue::Simulated,
) -> Option<Watched> {
    let checker = Arc::new(Checker::new(CheckOptions::default()));
    let data_dir: PathBuf = config.data_dir.clone();
    match Vault::open(&config, checker, Arc::new(SystemClock)) {
        Ok((vault, notices)) => {
            for notice in notices {
                tracing::warn!(?notice, "the vault on opening");
            }
            Some(Watched {
                vault: Arc::new(vault),
                data_dir,
                qovery: Arc::default(),
                qovery_http: Http::new(HttpOptions {
                    timeout: Duration::from_secs(10),
                    ..HttpOptions::default()
                }),
                simulated,
            })
        }
        Err(error) => {
            tracing::warn!(%error, "the vault could not be opened");
            None
        }
    }
}

/// The resident's surface: its StatusNotifierItem, and the window process
/// started beside it.
struct Resident {
    tray: Option<ksni::Handle<SniTray>>,
    simulator_args: Vec<String>,
    quit: Arc<Notify>,
}

impl Surface for Resident {
    fn show(&self, model: TrayModel) {
        if let Some(tray) = self.tray.clone() {
            tokio::spawn(async move {
                tray.update(move |tray| tray.model = model).await;
            });
        }
    }

    /// Starts `tokenwarden-desktop [--open ID]`; a window already running
    /// takes the request instead (its single-instance plugin).
    fn open(&self, token_id: Option<String>) {
        let mut command = match std::env::current_exe() {
            Ok(exe) => Command::new(exe.with_file_name(WINDOW_BINARY)),
            Err(error) => {
                tracing::error!(%error, "the window's binary could not be found");
                return;
            }
        };
        command.args(&self.simulator_args);
        if let Some(id) = token_id {
            command.args([args::OPEN_ARG, &id]);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.spawn() {
            // Reaped when it ends, so no zombie stays behind.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(error) => tracing::error!(%error, "the window could not be started"),
        }
    }

    fn quit(&self) {
        self.quit.notify_one();
    }
}
