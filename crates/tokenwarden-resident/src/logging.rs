//! The app's log: `tracing` spans and events (a span per IPC command, per
//! check, per watcher round) written to a file rotated daily in the
//! platform's log folder (`log_dir`), a week of files kept; in debug builds
//! also to stderr. `TOKENWARDEN_LOG` takes a filter (`debug`,
//! `tokenwarden_core=trace`, …); `TOKENWARDEN_LOG_DIR` moves the folder.
//!
//! Never a secret: commands and checks record names, providers and
//! addresses only (`skip_all`), `TokenSecret` prints as `[redacted]`, and
//! the HTTP stack's own logs, which could show request headers, are held
//! at `info` whatever the filter says.

use std::path::PathBuf;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer, Registry};

/// What is logged unless `TOKENWARDEN_LOG` says otherwise.
const DEFAULT_FILTER: &str =
    "warn,tokenwarden_desktop=info,tokenwarden_resident=info,tokenwarden_core=info";

/// Appended to every filter: the HTTP and TLS crates can log request
/// headers (an Authorization header) at debug and trace.
const NEVER_VERBOSE: &str = "hyper=info,hyper_util=info,h2=info,reqwest=info,rustls=info";

/// Log files kept (one a day).
const KEEP_FILES: usize = 7;

pub const LOG_FILE_PREFIX: &str = "tokenwarden";

/// The platform's folder for the app's logs: `$XDG_STATE_HOME/tokenwarden/logs`
/// (`~/.local/state/…`) on Linux, `~/Library/Logs/Tokenwarden` on macOS,
/// `%LOCALAPPDATA%\Tokenwarden\logs` on Windows; `TOKENWARDEN_LOG_DIR`
/// overrides it.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TOKENWARDEN_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    #[cfg(target_os = "macos")]
    let dir = dirs::home_dir().map(|home| home.join("Library/Logs/Tokenwarden"));
    #[cfg(windows)]
    let dir = dirs::data_local_dir().map(|d| d.join("Tokenwarden").join("logs"));
    #[cfg(not(any(target_os = "macos", windows)))]
    let dir = dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("tokenwarden").join("logs"));
    dir
}

/// The filter: `TOKENWARDEN_LOG` or the default, with the HTTP stack capped.
fn filter() -> EnvFilter {
    let wanted = std::env::var("TOKENWARDEN_LOG")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_FILTER.to_owned());
    EnvFilter::try_new(format!("{wanted},{NEVER_VERBOSE}"))
        .unwrap_or_else(|_| EnvFilter::new(format!("{DEFAULT_FILTER},{NEVER_VERBOSE}")))
}

/// The format of every line: time, level, the spans it is in, the message
/// and fields; a span's close is a line too (with its duration), so each
/// command and check leaves one.
fn layer<S, W>(writer: W, ansi: bool) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(true)
        .with_span_events(FmtSpan::CLOSE)
}

/// Installs the log for the process. Best effort: without a log folder the
/// app still runs (and says so on stderr).
pub fn init() {
    let file = log_dir().and_then(|dir| {
        create_private_dir(&dir).ok()?;
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix(LOG_FILE_PREFIX)
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(&dir)
            .map_err(|error| eprintln!("Tokenwarden: no log file in {} ({error})", dir.display()))
            .ok()
    });
    let file_layer = file.map(|appender| layer(appender, false));
    let stderr_layer = cfg!(debug_assertions).then(|| layer(std::io::stderr, true));
    let _ = Registry::default()
        .with(filter())
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), log_dir = ?log_dir(), "Tokenwarden starting");
}

/// The folder, readable by its owner only.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tokenwarden_core::check::CheckRequest;
    use tokenwarden_core::checker::{CheckOptions, Checker};
    use tokenwarden_core::{ProviderKind, TokenSecret};

    use super::*;

    /// Collects what the log layer writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    /// A check that fails to connect, logged with the app's own format at
    /// the most verbose level: the spans and events name the provider and
    /// the server, never the token, nor an Authorization header.
    #[test]
    fn a_logged_check_names_the_server_and_never_the_token() {
        let captured = Captured::default();
        let subscriber = Registry::default()
            .with(EnvFilter::new(format!("trace,{NEVER_VERBOSE}")))
            .with(layer(captured.clone(), false));
        let value = "ghp_LogMustNeverShowThis0123456789abcdef";
        tracing::subscriber::with_default(subscriber, || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let checker = Checker::new(CheckOptions::default());
            // Port 9 on loopback: nothing listens, the connection is refused.
            let request = CheckRequest::new(
                ProviderKind::Github,
                url::Url::parse("http://127.0.0.1:9/").unwrap(),
            );
            let span = tracing::info_span!("check_new_token", provider = ?ProviderKind::Github);
            let _entered = span.enter();
            let report = runtime.block_on(checker.check(&request, &TokenSecret::new(value)));
            tracing::info!(ready = report.ready, "checked");
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("check"), "{log}");
        assert!(log.contains("127.0.0.1:9"), "the server is named: {log}");
        assert!(!log.contains(value), "the token leaked: {log}");
        assert!(
            !log.contains("LogMustNeverShowThis"),
            "part of the token leaked: {log}"
        );
        assert!(!log.to_lowercase().contains("authorization"), "{log}");
    }

    #[test]
    fn the_log_folder_is_the_platforms_or_the_override() {
        let dir = log_dir().expect("a home folder");
        assert!(
            dir.ends_with("logs") || dir.ends_with("Tokenwarden"),
            "{dir:?}"
        );
    }
}
