//! The `tokenwarden` CLI run as a process, as scripts run it, one module
//! per concern. One test binary keeps link time down on a small machine.
//!
//! `vault_secret_service` and `vault_disk_faults` need a real Secret Service
//! (and a mount namespace), so their tests are ignored by a plain
//! `cargo test`; scripts/test.sh runs them inside
//! tests/harness/desktop-session.sh with `--ignored`. No other test here is
//! ignored.

mod export;
mod hardening;
mod private_ca;
mod qovery;
mod support;
mod validate;
mod vault_disk_faults;
mod vault_secret_service;
