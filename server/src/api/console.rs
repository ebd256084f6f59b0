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

/// The datum the map's tiles are drawn in. 天地图 (CGCS2000) and OpenStreetMap-style tiles
/// are WGS-84 for a map's purposes; 高德 (Amap) tiles are GCJ-02, so sites must be shifted
/// to land on their streets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MapDatum {
    Wgs84,
    Gcj02,
}

impl MapDatum {
    /// `ANJIAN_MAP_DATUM` (`wgs84` / `gcj02`) when set; else GCJ-02 for 高德's tile hosts
    /// (`*.autonavi.com`, `*.amap.com`), WGS-84 for any other, and WGS-84 with no tiles.
    pub fn configured() -> MapDatum {
        Self::of(
            tile_template().as_deref(),
            std::env::var("ANJIAN_MAP_DATUM").ok().as_deref(),
        )
    }

    fn of(tiles: Option<&str>, setting: Option<&str>) -> MapDatum {
        let Some(tiles) = tiles else {
            return MapDatum::Wgs84;
        };
        match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("gcj02") | Some("gcj-02") => MapDatum::Gcj02,
            Some("wgs84") | Some("wgs-84") | Some("cgcs2000") => MapDatum::Wgs84,
            _ => {
                let host = origin_of(tiles).unwrap_or_default().to_ascii_lowercase();
                if host.ends_with(".autonavi.com") || host.ends_with(".amap.com") {
                    MapDatum::Gcj02
                } else {
                    MapDatum::Wgs84
                }
            }
        }
    }

    /// A stored (WGS-84) point as drawn on these tiles: `(lat, lon)`.
    pub fn project(self, lat: f64, lon: f64) -> (f64, f64) {
        match self {
            MapDatum::Wgs84 => (lat, lon),
            MapDatum::Gcj02 => {
                let p = anjian_domain::location::gcj02::from_wgs84(anjian_domain::site::GeoPoint {
                    lat,
                    lon,
                });
                (p.lat, p.lon)
            }
        }
    }
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

/// The console's fixed security headers (the CSP depends on the configured map tiles).
const FIXED_SECURITY_HEADERS: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

fn security_headers(h: &mut HeaderMap) {
    if let Ok(v) = HeaderValue::from_str(&content_security_policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    for (name, value) in FIXED_SECURITY_HEADERS {
        h.insert(name, HeaderValue::from_static(value));
    }
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
    /// The datum of the tiles; `/v1/console/overview` gives map points in it.
    pub map_datum: MapDatum,
    /// The unified identity provider, when one is configured: a second login button.
    pub identity_provider: Option<IdentityProviderInfo>,
}

/// The unified identity provider as the login page shows it.
#[derive(Serialize, ToSchema)]
pub struct IdentityProviderInfo {
    /// The button's text, e.g. 渝快政登录.
    pub name: String,
    /// The phone app may sign in through it too (an app link is configured).
    pub app: bool,
}

/// The console's settings (no sign-in needed).
#[utoipa::path(get, path = "/v1/console/config", security(()), responses((status = 200, body = ConsoleConfig)))]
pub async fn config(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> Json<ConsoleConfig> {
    Json(ConsoleConfig {
        map_tiles: tile_template(),
        map_datum: MapDatum::configured(),
        identity_provider: state.identity.as_ref().map(|p| IdentityProviderInfo {
            name: p.config().display_name.clone(),
            app: p.config().app_redirect_url.is_some(),
        }),
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
    fn gaode_tiles_get_gcj02_points_and_tianditu_stays_wgs84() {
        let amap = "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8";
        let tdt = "https://t0.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&z={z}";
        assert_eq!(MapDatum::of(Some(amap), None), MapDatum::Gcj02);
        assert_eq!(MapDatum::of(Some(tdt), None), MapDatum::Wgs84);
        assert_eq!(MapDatum::of(Some(tdt), Some("GCJ02")), MapDatum::Gcj02);
        assert_eq!(MapDatum::of(Some(amap), Some("wgs84")), MapDatum::Wgs84);
        assert_eq!(MapDatum::of(None, Some("gcj02")), MapDatum::Wgs84);
        // 忠县 county seat: GCJ-02 lies a few hundred metres off, WGS-84 is unchanged.
        let (lat, lon) = MapDatum::Gcj02.project(30.30, 108.04);
        assert!((lat - 30.30).abs() > 1e-4 && (lat - 30.30).abs() < 1e-2);
        assert!((lon - 108.04).abs() > 1e-4 && (lon - 108.04).abs() < 1e-2);
        assert_eq!(MapDatum::Wgs84.project(30.30, 108.04), (30.30, 108.04));
    }

    #[test]
    fn api_paths_are_not_the_app() {
        assert!(is_api_path("v1/nothing"));
        assert!(is_api_path("healthz"));
        assert!(!is_api_path("hazards/123"));
        assert!(!is_api_path(""));
    }
}
