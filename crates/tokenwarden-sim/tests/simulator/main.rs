//! Integration tests of the simulator over real HTTP (reqwest), one module
//! per concern. One test binary keeps link time down on a small machine.

mod admin;
mod behaviour;
mod bitbucket;
mod github;
mod gitlab;
mod pages;
mod qovery;
mod support;
