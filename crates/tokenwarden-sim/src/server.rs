//! The listeners: one accept loop per provider serving that provider's
//! router over HTTP/1, in plain text or, when started with a
//! [`crate::TlsIdentity`], over TLS (a self-hosted server with a private
//! certificate authority).
//!
//! Why not `axum::serve`: a "down" provider must accept the connection and
//! close it without answering, which an axum handler cannot do (it always
//! produces a response). Here the per-connection service returns an error
//! instead, and hyper then drops the connection without writing anything.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::behaviour::{self, failure_response, rate_limited_response};
use crate::spec::Provider;
use crate::state::Locked;

/// Base URLs of the listeners (`http://127.0.0.1:PORT`).
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub github: String,
    pub gitlab: String,
    pub bitbucket: String,
    pub qovery: String,
}

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub state: Locked,
    pub urls: Urls,
    /// Requests being answered right now, per provider (index as in
    /// `provider_index`), and the most seen at once: a client that piles
    /// up requests on a failing provider shows here.
    pub in_flight: [Gauge; 3],
}

/// A count of requests in progress and its high-water mark.
#[derive(Debug, Default)]
pub(crate) struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    fn enter(&self) -> GaugeGuard<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        GaugeGuard(self)
    }

    pub fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    pub fn reset_max(&self) {
        self.max
            .store(self.now.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Leaves the gauge when the request's handler is done (also on a drop).
struct GaugeGuard<'a>(&'a Gauge);

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Axum state of one listener: the shared world plus which provider it is.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub shared: Arc<Shared>,
    pub provider: Provider,
}

/// The error that makes hyper drop a connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("simulated provider outage: connection dropped")]
pub(crate) struct ConnectionDropped;

/// What a listener does with one request: an answer, or
/// [`ConnectionDropped`] to close the connection without one.
pub(crate) type Handler = Arc<
    dyn Fn(
            Request<Incoming>,
        )
            -> Pin<Box<dyn Future<Output = Result<Response<Body>, ConnectionDropped>> + Send>>
        + Send
        + Sync,
>;

/// A provider listener's handler: [`handle`] over its router.
pub(crate) fn provider_handler(app: App, router: Router) -> Handler {
    Arc::new(move |req| Box::pin(handle(app.clone(), router.clone(), req)))
}

/// Accepts connections until `shutdown` changes or its sender is dropped
/// (every `Simulator` handle gone), then aborts the open connections.
/// With `tls`, each connection is a TLS handshake first; one that fails
/// (a client that does not trust the certificate) is simply closed.
pub(crate) async fn serve(
    listener: TcpListener,
    handler: Handler,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off briefly.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                let handler = Arc::clone(&handler);
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        None => serve_connection(stream, handler).await,
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve_connection(stream, handler).await;
                            }
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    connections.shutdown().await;
}

/// Serves HTTP/1 on one connection, plain or TLS.
async fn serve_connection<S>(stream: S, handler: Handler)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| handler(req));
    // Errors here are clients going away or simulated outages.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Records the request, applies the provider's behaviour to API paths, then
/// hands the request to the router.
async fn handle(
    app: App,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response<Body>, ConnectionDropped> {
    let path = req.uri().path();
    let provider = app.provider;
    let admin = behaviour::is_admin_path(path);
    let shared = Arc::clone(&app.shared);
    let _in_flight = (!admin).then(|| shared.in_flight[crate::provider_index(provider)].enter());
    let decision = if admin {
        None
    } else {
        let recorded = behaviour::record(req.method().as_str(), req.uri(), req.headers());
        let mut state = app.shared.state.lock();
        state.record_request(provider, recorded);
        behaviour::is_api_path(provider, path).then(|| state.behaviour_mut(provider).decide())
    };
    if let Some(decision) = decision {
        if decision.down {
            return Err(ConnectionDropped);
        }
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        if let Some(status) = decision.fail {
            return Ok(failure_response(provider, status));
        }
        if let Some(limit) = decision.rate_limited {
            return Ok(rate_limited_response(provider, &limit));
        }
    }
    Ok(route(router, req).await)
}

/// Hands `req` to `router`, whose answer cannot fail.
pub(crate) async fn route(router: Router, req: Request<Incoming>) -> Response<Body> {
    let response: Result<Response<Body>, Infallible> = router.oneshot(req.map(Body::new)).await;
    match response {
        Ok(r) => r,
        Err(never) => match never {},
    }
}
