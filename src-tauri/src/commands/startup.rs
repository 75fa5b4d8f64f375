//! The start-up mark, for the start-up benchmark (scripts/bench.sh): the UI
//! calls `startup_mark` once its first screen has been painted, and the app
//! records when that happened. Only when `TW_STARTUP_MARK_FILE` names a
//! file is anything written; otherwise the command returns at once.
//!
//! The file holds one JSON object: `unix_ms`, the wall-clock time of the
//! mark (the benchmark subtracts the time it launched the process), and
//! `since_process_start_ms`, from the kernel's record of when this process
//! started (Linux only; 10 ms resolution, the kernel's clock tick), and
//! `page`, the marks inside the page (`ui/src/lib/common/startupMarks.ts`:
//! the page's time origin in Unix ms, then navigation timing, script,
//! overview asked and received, rendered, painted, in ms since that
//! origin), by which the benchmark splits the time. Before the page, the
//! shell's own steps (`shell_mark`: entering `run`, the state opened, the
//! setup hook, the first screen's data gathered, the window built) are
//! kept as `shell`, in Unix ms, so the time before WebKit loads the page
//! can be split too.

use std::collections::BTreeMap;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the mark is written; unset (the normal case) means nowhere.
pub const MARK_FILE_ENV: &str = "TW_STARTUP_MARK_FILE";

/// Only the first screen of the process counts: a window rebuilt later
/// from the tray says nothing about start-up.
static MARKED: AtomicBool = AtomicBool::new(false);

/// Called at the first mark: the app's watcher waits for the first screen
/// before its first round. (The bare window compiles this file too, and
/// sets nothing.)
pub static ON_FIRST_SCREEN: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>> =
    std::sync::OnceLock::new();

/// At most this many page marks, each name at most this long, are kept:
/// the file is a benchmark's, but the webview does not get to write
/// whatever it likes into it.
const MAX_MARKS: usize = 32;
const MAX_MARK_NAME: usize = 40;

/// The shell's steps before the page, in Unix ms, in the order reached.
static SHELL_MARKS: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

/// Records that the shell reached `name`, only when the benchmark asked
/// (`TW_STARTUP_MARK_FILE`); a few microseconds otherwise.
pub fn shell_mark(name: &'static str) {
    if std::env::var_os(MARK_FILE_ENV).is_none() || MARKED.load(Ordering::SeqCst) {
        return;
    }
    let now = unix_ms();
    if let Ok(mut marks) = SHELL_MARKS.lock() {
        if marks.len() < MAX_MARKS {
            marks.push((name, now));
        }
    }
}

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

#[tauri::command]
pub fn startup_mark(page: Option<BTreeMap<String, f64>>) {
    if let Some(hook) = ON_FIRST_SCREEN.get() {
        hook();
    }
    let Some(path) = std::env::var_os(MARK_FILE_ENV) else {
        return;
    };
    if MARKED.swap(true, Ordering::SeqCst) {
        return;
    }
    let unix_ms = unix_ms();
    let shell: BTreeMap<&str, f64> = SHELL_MARKS
        .lock()
        .map(|marks| marks.iter().copied().collect())
        .unwrap_or_default();
    let page: BTreeMap<String, f64> = page
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, ms)| name.len() <= MAX_MARK_NAME && ms.is_finite())
        .take(MAX_MARKS)
        .collect();
    let mark = serde_json::json!({
        "unix_ms": unix_ms,
        "since_process_start_ms": since_process_start_ms(),
        "page": page,
        "shell": shell,
    });
    // A benchmark aid: failing to write it must not disturb the app.
    if let Err(error) = std::fs::write(&path, mark.to_string()) {
        eprintln!("Tokenwarden: could not write the start-up mark: {error}");
    }
}

/// Milliseconds since the kernel started this process: system uptime minus
/// the process's start time (field 22 of /proc/self/stat, in clock ticks
/// of 10 ms since boot).
fn since_process_start_ms() -> Option<f64> {
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime_s: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may contain spaces; fields resume after ") ".
    let (_, rest) = stat.rsplit_once(") ")?;
    let start_ticks: f64 = rest.split_whitespace().nth(19)?.parse().ok()?;
    Some((uptime_s - start_ticks / 100.0) * 1e3)
}
