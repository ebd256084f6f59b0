//! The county office's web console: the built single-page app (`console/dist`, embedded at
//! build time by `build.rs`) served at `/`, with a fallback to `index.html` for the app's own
//! routes, long caching for content-hashed assets and a strict Content-Security-Policy.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/console_assets.rs"));
}

/// The map's tile URL template (e.g. a county's own tile server), from `ANJIAN_MAP_TILES`.
/// Without it the map draws sites and townships on a blank background: nothing is fetched
/// from the internet.
fn tile_template() -> Option<String> {
    std::env::var("ANJIAN_MAP_TILES")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
}

/// The origin of a URL template (`https://t0.example.com/{z}/{x}/{y}.png` → `https://t0.example.com`).
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    if host.is_empty() || host.contains(['{', '}', ' ', ';', '\'', '"']) {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

fn content_security_policy() -> String {
    let tiles = tile_template()
        .and_then(|t| origin_of(&t))
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:{tiles}; \
         connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

fn security_headers(h: &mut HeaderMap) {
    if let Ok(v) = HeaderValue::from_str(&content_security_policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn asset(path: &str) -> Option<&'static [u8]> {
    embedded::ASSETS
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| embedded::ASSETS[i].1)
}

fn is_api_path(path: &str) -> bool {
    path == "v1"
        || path.starts_with("v1/")
        || matches!(path, "healthz" | "metrics" | "openapi.json")
}

/// Serves the console for any path the API does not route.
pub async fn serve(req: Request) -> Response {
    let path = req.uri().path().trim_start_matches('/').to_string();
    if is_api_path(&path) {
        return ApiError::not_found(format!("没有这个接口：/{path}")).into_response();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "不支持的请求方法",
        )
        .into_response();
    }
    let (name, body) = match asset(&path) {
        Some(b) if !path.is_empty() => (path.as_str(), b),
        _ => {
            // A file-looking path that is not in the bundle is a real 404, not the app.
            let last = path.rsplit('/').next().unwrap_or("");
            if path.starts_with("assets/") || (last.contains('.') && !last.ends_with(".html")) {
                return (StatusCode::NOT_FOUND, "未找到文件").into_response();
            }
            match asset("index.html") {
                Some(b) => ("index.html", b),
                None => {
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        "控制台尚未构建：请在 console/ 中运行 npm ci && npm run build，再重新编译服务器。",
                    )
                        .into_response()
                }
            }
        }
    };
    let mut resp = (
        [(header::CONTENT_TYPE, content_type(name))],
        if req.method() == Method::HEAD {
            &[][..]
        } else {
            body
        },
    )
        .into_response();
    let h = resp.headers_mut();
    let cache = if name.starts_with("assets/") {
        // File names carry a hash of their content.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if req.method() == Method::HEAD {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    security_headers(h);
    resp
}

/// What the console needs to know before signing in.
#[derive(Serialize, ToSchema)]
pub struct ConsoleConfig {
    /// Map tile URL template (`{z}/{x}/{y}`), or null: the map then shows sites and
    /// townships without a background.
    pub map_tiles: Option<String>,
}

/// The console's settings (no sign-in needed).
#[utoipa::path(get, path = "/v1/console/config", security(()), responses((status = 200, body = ConsoleConfig)))]
pub async fn config() -> Json<ConsoleConfig> {
    Json(ConsoleConfig {
        map_tiles: tile_template(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_origin_is_only_scheme_and_host() {
        assert_eq!(
            origin_of("https://t0.tianditu.gov.cn/vec_w/wmts?x={x}").as_deref(),
            Some("https://t0.tianditu.gov.cn")
        );
        assert_eq!(origin_of("https://{s}.tiles/x"), None);
        assert_eq!(origin_of("nonsense"), None);
    }

    #[test]
    fn api_paths_are_not_the_app() {
        assert!(is_api_path("v1/nothing"));
        assert!(is_api_path("healthz"));
        assert!(!is_api_path("hazards/123"));
        assert!(!is_api_path(""));
    }
}
