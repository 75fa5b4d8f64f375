//! Qovery's public API, as far as Tokenwarden uses it: organizations and
//! their git tokens ("Git Repository Access"), on a listener of its own
//! (Qovery is its own host, `api.qovery.com`). Facts: `../shared/QOVERY.md`.
//!
//! Tests seed organizations, machine tokens, git tokens and services
//! (through [`crate::Simulator`] or the admin API under `/_sim/`), and read
//! back the value each git token last received, so a push or a rotation
//! can be seen arriving.

mod admin;
mod api;
mod world;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;

pub(crate) use world::QoveryWorld;
pub use world::{
    GitProvider, GitTokenSeed, QoveryGitToken, QoveryOrg, QoveryRole, QoveryService,
    QoveryValidation, INVALID_TOKEN_MESSAGE,
};

use crate::behaviour;
use crate::server::{route, ConnectionDropped, Handler, Shared};

/// The Qovery listener's routes: the API at the root, the admin API under
/// `/_sim`.
fn router(shared: Arc<Shared>) -> Router {
    api::api().nest("/_sim", admin::router()).with_state(shared)
}

/// The Qovery listener's handler: records each API request, applies
/// Qovery's behaviour (down, slow, failing), then routes it.
pub(crate) fn handler(shared: Arc<Shared>) -> Handler {
    let router = router(Arc::clone(&shared));
    Arc::new(move |req| {
        let shared = Arc::clone(&shared);
        let router = router.clone();
        Box::pin(async move {
            if !behaviour::is_admin_path(req.uri().path()) {
                let decision = {
                    let recorded =
                        behaviour::record(req.method().as_str(), req.uri(), req.headers());
                    let mut state = shared.state.lock();
                    state.qovery.requests.push(recorded);
                    state.qovery.behaviour.decide()
                };
                if decision.down {
                    return Err(ConnectionDropped);
                }
                if !decision.latency.is_zero() {
                    tokio::time::sleep(decision.latency).await;
                }
                if let Some(status) = decision.fail {
                    return Ok(api::error(status, fail_message(status)));
                }
                if decision.rate_limited.is_some() {
                    return Ok(api::error(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Too Many Requests",
                    ));
                }
            }
            Ok(route(router, req).await)
        })
    })
}

fn fail_message(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}
