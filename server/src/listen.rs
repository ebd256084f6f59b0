//! The connection loop: HTTP/1.1 through hyper with the limits `axum::serve` does not set.
//!
//! - **Header-read timeout** ([`ConnLimits::header_read`]): a request's head must arrive
//!   within it, and a kept-alive connection that sends nothing for that long is closed (hyper
//!   starts the same timer when it waits for the next request).
//! - **Connections**: at most [`ConnLimits::max_connections`] at once; more are closed on
//!   accept.
//! - **Slow bodies** ([`slow_bodies`], a middleware): a request body that stops, or trickles
//!   below [`ConnLimits::min_body_bytes`] per [`ConnLimits::body_window`] (a tus PATCH at one
//!   byte a second), ends with an error; what arrived of an upload is kept for resuming.
//! - Client addresses reach handlers as `ConnectInfo<SocketAddr>` (the peer) and
//!   [`ClientAddr`] (the client: behind a trusted proxy, from its `X-Forwarded-For`; see
//!   [`crate::proxies`]), for login throttling and the audit log.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::proxies::TrustedProxies;
use crate::ratelimit::ClientAddr;

#[derive(Debug, Clone)]
pub struct ConnLimits {
    pub header_read: Duration,
    pub max_connections: usize,
    pub body_window: Duration,
    pub min_body_bytes: u64,
    /// Peers whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: TrustedProxies,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_read: Duration::from_secs(20),
            max_connections: 2048,
            body_window: Duration::from_secs(30),
            min_body_bytes: 8 * 1024,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes; in-flight requests finish first
/// (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%addr, "too many connections: closing a new one");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let proxies = limits.trusted_proxies.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            let client = proxies.client(addr.ip(), req.headers());
            req.extensions_mut().insert(ConnectInfo(addr));
            req.extensions_mut().insert(ClientAddr(client));
            app.clone().oneshot(req.map(Body::new))
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%addr, error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("connections still open after 30 s: stopping anyway");
        }
    }
    Ok(())
}

/// Middleware: every request body must keep arriving (see the module notes).
pub async fn slow_bodies(
    axum::extract::State(limits): axum::extract::State<ConnLimits>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let guarded = Body::new(MinRate::new(
        body,
        limits.body_window,
        limits.min_body_bytes,
    ));
    next.run(Request::from_parts(parts, guarded)).await
}

#[derive(Debug)]
pub struct TooSlow;

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body arrived too slowly")
    }
}

impl std::error::Error for TooSlow {}

/// A body that fails when fewer than `min` bytes arrive in a `window`.
pub struct MinRate {
    inner: Body,
    window: Duration,
    min: u64,
    in_window: u64,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl MinRate {
    pub fn new(inner: Body, window: Duration, min: u64) -> MinRate {
        MinRate {
            inner,
            window,
            min,
            in_window: 0,
            deadline: Box::pin(tokio::time::sleep(window)),
        }
    }
}

impl HttpBody for MinRate {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.in_window += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => loop {
                if this.deadline.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                if this.in_window < this.min {
                    return Poll::Ready(Some(Err(axum::Error::new(TooSlow))));
                }
                this.in_window = 0;
                let next = tokio::time::Instant::now() + this.window;
                this.deadline.as_mut().reset(next);
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
