//! Security headers on every response, in one middleware layer (the API, uploads, and the
//! web console's pages alike):
//!
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY` everywhere;
//! - the API (`/v1/...`, `/openapi.json`, `/healthz`, `/metrics`): `Cache-Control: no-store`
//!   unless the handler chose otherwise (tokens, records, evidence and exports stay out of
//!   caches), and `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`
//!   (nothing an API answer could load or run);
//! - every other path (the console's pages): `Content-Security-Policy: default-src 'self';
//!   frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'`.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
pub const PAGE_CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// Whether a path is the API's (not a page of the console).
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/v1/")
        || path == "/v1"
        || path == "/openapi.json"
        || path == "/healthz"
        || path == "/metrics"
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let api = is_api_path(req.uri().path());
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        );
    } else if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    resp
}
