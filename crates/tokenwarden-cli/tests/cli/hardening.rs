//! The CLI holds a token in memory while it works: it must never be
//! written to a core dump. Seen from outside, as another process (or an
//! attacker running as the same user) would see it, while the CLI waits
//! for the token on standard input.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The soft and hard "Max core file size" of a running process.
fn core_limit(pid: u32) -> Option<(String, String)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))?;
    let mut fields = line["Max core file size".len()..].split_whitespace();
    Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
}

#[cfg(target_os = "linux")]
#[test]
fn the_cli_waiting_for_a_token_cannot_dump_core() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenwarden"))
        .args(["validate", "--provider", "github", "--token-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Hardening is the first thing `main` does; give it a moment to start.
    let started = Instant::now();
    let mut seen = core_limit(pid);
    while seen != Some(("0".into(), "0".into())) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        seen = core_limit(pid);
    }
    // Not dumpable: the kernel hands the process's /proc files to root,
    // so another process of the same user cannot read its memory. (Only
    // visible when the test itself does not run as root.)
    let owner = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/proc/{pid}/environ")).map(|m| m.uid())
    };
    let own_uid = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    });
    drop(child.stdin.take()); // end of input: it exits with a usage error
    let status = child.wait().unwrap();
    assert_eq!(
        seen,
        Some(("0".into(), "0".into())),
        "the CLI's core file size limit while it waited for the token"
    );
    if let (Ok(owner), Ok(own_uid)) = (owner, own_uid) {
        if own_uid != 0 {
            assert_eq!(
                owner, 0,
                "the CLI is still dumpable: its /proc files are ours"
            );
        }
    }
    assert_eq!(status.code(), Some(64));
}
