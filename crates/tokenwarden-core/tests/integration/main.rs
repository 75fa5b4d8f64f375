//! Integration tests of the core through the provider simulator, one module
//! per concern. One test binary keeps link time down on a small machine.
//! The CLI, run as a process, is tested in crates/tokenwarden-cli/tests/cli.

mod architecture_doc;
mod checks_bitbucket;
mod checks_fault_storms;
mod checks_github;
mod checks_gitlab;
mod checks_hostile_server;
mod checks_private_ca;
mod deep_links;
mod layering;
mod qovery;
mod support;
