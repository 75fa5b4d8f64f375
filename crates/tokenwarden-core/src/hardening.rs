//! Process hardening that the app and the CLI apply first thing in `main`:
//! no core dump of a process that holds token values in memory. A crash
//! would otherwise write the heap (with whatever reqwest, rustls or the
//! keychain's D-Bus client left in their buffers) to a file that
//! `systemd-coredump` or `apport` keep, readable later.
//!
//! On Linux the process is marked not dumpable (`prctl(PR_SET_DUMPABLE, 0)`),
//! which also stops other processes of the same user from attaching a
//! debugger or reading `/proc/<pid>/mem`, and its core size limit is set to
//! 0. On other Unix systems only the limit is set; elsewhere nothing is done.

/// Why the process could not be hardened (the OS refused; never expected).
#[derive(Debug, thiserror::Error)]
pub enum HardeningError {
    #[error("could not turn off core dumps ({0}); a crash could write token values to disk")]
    CoreDumps(String),
}

/// Turns off core dumps (and, on Linux, debugger access by other processes
/// of the same user) for the rest of the process's life. Child processes
/// started with `exec` (the webview's) get the system's defaults back.
pub fn disable_core_dumps() -> Result<(), HardeningError> {
    #[cfg(target_os = "linux")]
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(|e| HardeningError::CoreDumps(e.to_string()))?;
    #[cfg(unix)]
    rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(|e| HardeningError::CoreDumps(e.to_string()))?;
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use rustix::process::{dumpable_behavior, getrlimit, DumpableBehavior, Resource};

    #[test]
    fn the_process_is_not_dumpable_and_writes_no_core_afterwards() {
        disable_core_dumps().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let limit = getrlimit(Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
        // Twice is fine: both mains may run it in one test process.
        disable_core_dumps().unwrap();
    }
}
