//! 扫码入企 on the server: the county's signing key for site codes, the sticker, and the
//! public page a site's code opens (no login): who inspected the site when, on what basis,
//! with what result, and a complaint form (bounded, rate limited).

use anjian_domain::checklist::ChecklistRegistry;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anjian_domain::access;
use anjian_domain::inspection::Inspection;
use anjian_domain::site::Site;
use anjian_domain::site_code;
use anjian_domain::sync::entity;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::ratelimit::ClientAddr;
use crate::records;
use crate::storage::{Db, StorageError, StoredRecord, Tx};
use crate::AppState;

/// Entity of a complaint left through a site's public page.
pub const COMPLAINT: &str = entity::COMPLAINT;
/// Inspections listed on the public page (newest first).
const LISTED: usize = 50;
/// A complaint's text and contact, in characters.
const MAX_TEXT: usize = 500;
const MAX_CONTACT: usize = 40;
/// Complaints one site may receive per day (per address: `crate::ratelimit`).
const PER_SITE_DAILY: usize = 20;

/// The county's key for site codes: the 32-byte seed as hex, kept in the database (setting
/// `site_code_key`) so every server instance signs and checks with the same key. A data
/// folder from before keeps its `site-code.key`, which is moved into the database on start.
pub struct SiteCodes {
    key: SigningKey,
}

const KEY_SETTING: &str = "site_code_key";

fn parse_seed(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
}

impl SiteCodes {
    /// Reads the key every instance shares (storing this folder's, or a new one, when the
    /// database has none). The database is read on a blocking thread: this works on any
    /// runtime, current-thread ones included.
    pub async fn load_or_create(db: Arc<Db>, data_dir: &Path) -> std::io::Result<SiteCodes> {
        let path = data_dir.join("site-code.key");
        let proposed = match std::fs::read_to_string(&path) {
            Ok(text) => parse_seed(&text)
                .ok_or_else(|| std::io::Error::other(format!("{} is not a key", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut seed);
                seed
            }
            Err(e) => return Err(e),
        };
        // The first instance's key holds; later ones (and restarts) read it.
        let proposed = hex::encode(proposed);
        let stored = tokio::task::spawn_blocking(move || {
            db.transact(|tx| tx.init_setting(KEY_SETTING, &proposed))
        })
        .await
        .map_err(std::io::Error::other)?
        .map_err(|e: StorageError| std::io::Error::other(e.to_string()))?;
        let seed = parse_seed(&stored)
            .ok_or_else(|| std::io::Error::other("the stored site-code key is not a key"))?;
        Ok(SiteCodes {
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn text(&self, base: &str, site_id: &str) -> String {
        site_code::code_text(base, &self.key, site_id)
    }
}

/// The address the code's text points at: `ANJIAN_PUBLIC_URL`, or the host the request came to.
pub fn public_base(headers: &HeaderMap) -> String {
    if let Ok(url) = std::env::var("ANJIAN_PUBLIC_URL") {
        if !url.trim().is_empty() {
            return url.trim().trim_end_matches('/').to_string();
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.len() <= 253
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The QR code of a text as SVG (the sticker's picture).
pub fn qr_svg(text: &str) -> ApiResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(ApiError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// A complaint or report left about a site (`anjian_domain::complaint`).
pub use anjian_domain::complaint::Complaint;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The site a code names, once its signature checks out; `None` for any bad code.
fn site_of_code(
    state: &AppState,
    tx: &mut dyn Tx,
    site_id: &str,
    sig: &str,
) -> ApiResult<Option<Site>> {
    if site_code::verify_parts(&state.site_codes.public_key(), site_id, sig).is_err() {
        return Ok(None);
    }
    Ok(records::load::<Site>(tx, entity::SITE, site_id)?.map(|(_, s)| s))
}

/// One line of the public page.
struct Visit {
    day: String,
    nature: String,
    by: String,
    basis: String,
    result: String,
}

fn visits(tx: &mut dyn Tx, checklists: &ChecklistRegistry, site: &Site) -> ApiResult<Vec<Visit>> {
    // What the enterprise's own contact may read: finished, not secret, of this site.
    let principals = vec![access::site(&site.id)];
    let mut list: Vec<Inspection> = tx
        .list_records(entity::INSPECTION, Some(&principals))?
        .into_iter()
        .filter_map(|r: StoredRecord| serde_json::from_value::<Inspection>(r.data).ok())
        .filter(|i| i.site_id == site.id && i.finished_at.is_some())
        .collect();
    list.sort_by_key(|i| std::cmp::Reverse(i.started_at));
    list.truncate(LISTED);
    let units: HashMap<String, String> = tx
        .list_records(entity::UNIT, None)?
        .into_iter()
        .filter_map(|r| {
            let u: anjian_domain::org::Unit = serde_json::from_value(r.data).ok()?;
            Some((u.id, u.name))
        })
        .collect();
    Ok(list
        .into_iter()
        .map(|i| {
            let list = checklists.for_inspection(&i);
            let score = i.score(&list, &list.declared_attributes(&site.attributes));
            let failed = i.failed_items(&list).len();
            Visit {
                day: anjian_domain::hazard::china_date(i.started_at).to_string(),
                nature: match i.activity {
                    Some(a) => format!("{}（{}）", a.label(), i.kind.label()),
                    None => i.kind.label().to_string(),
                },
                by: i.in_name_of.clone().unwrap_or_else(|| {
                    units
                        .get(&i.leader.unit_id)
                        .cloned()
                        .unwrap_or_else(|| i.leader.unit_id.clone())
                }) + &format!("　{}", i.leader.name),
                basis: match &i.certificate_number {
                    Some(n) => format!("行政执法证 {n}；{}", list.name),
                    None => list.name.clone(),
                },
                result: if failed == 0 {
                    format!("未发现问题（{} 项合格）", score.passed)
                } else {
                    format!("发现问题 {failed} 项")
                },
            }
        })
        .collect())
}

fn page(site: &Site, visits: &[Visit], notice: Option<&str>, action: &str) -> String {
    let mut rows = String::new();
    for v in visits {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&v.day),
            escape(&v.nature),
            escape(&v.by),
            escape(&v.basis),
            escape(&v.result)
        ));
    }
    if visits.is_empty() {
        rows.push_str("<tr><td colspan=\"5\">暂无检查记录</td></tr>\n");
    }
    let notice = notice
        .map(|n| format!("<p role=\"status\"><strong>{}</strong></p>\n", escape(n)))
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{name} · 入企检查记录</title></head><body>\n\
<h1>{name}</h1>\n<p>本页列出对本企业（场所）的入企检查：检查日期、检查性质、检查主体、依据和结果。如对检查有意见，或发现本场所存在安全隐患，可在下方投诉举报。</p>\n{notice}\
<table><caption>入企检查记录（最近 {LISTED} 次）</caption>\n\
<thead><tr><th scope=\"col\">日期</th><th scope=\"col\">检查性质</th><th scope=\"col\">检查主体和带队人员</th><th scope=\"col\">依据</th><th scope=\"col\">结果</th></tr></thead>\n\
<tbody>\n{rows}</tbody></table>\n\
<h2>投诉举报</h2>\n<form method=\"post\" action=\"{action}\">\n\
<p><label for=\"text\">投诉内容（{MAX_TEXT} 字以内）</label><br><textarea id=\"text\" name=\"text\" rows=\"5\" cols=\"40\" maxlength=\"{MAX_TEXT}\" required></textarea></p>\n\
<p><label for=\"contact\">联系方式（选填）</label><br><input id=\"contact\" name=\"contact\" maxlength=\"{MAX_CONTACT}\"></p>\n\
<p><button type=\"submit\">提交投诉</button></p>\n</form>\n</body></html>\n",
        name = escape(&site.name),
        action = escape(action),
    )
}

fn not_a_code() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>场所码无效</title></head><body><h1>场所码无效</h1><p>这不是本县发放的场所码。</p></body></html>".to_string()),
    )
        .into_response()
}

/// `GET /q/{site}/{sig}`: the site's public page.
pub async fn public_page(
    State(state): State<AppState>,
    UrlPath((site_id, sig)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    let st = state.clone();
    let action = format!("/q/{site_id}/{sig}");
    let found = state
        .read(move |tx| match site_of_code(&st, tx, &site_id, &sig)? {
            Some(site) => {
                let v = visits(tx, &st.checklists, &site)?;
                Ok(Some(page(&site, &v, None, &action)))
            }
            None => Ok(None),
        })
        .await?;
    Ok(match found {
        Some(html) => Html(html).into_response(),
        None => not_a_code(),
    })
}

#[derive(Deserialize)]
pub struct ComplaintForm {
    pub text: String,
    #[serde(default)]
    pub contact: Option<String>,
}

/// `POST /q/{site}/{sig}`: a complaint from the site's public page.
pub async fn complain(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    UrlPath((site_id, sig)): UrlPath<(String, String)>,
    Form(form): Form<ComplaintForm>,
) -> ApiResult<Response> {
    let text = form.text.trim().to_string();
    let contact = form
        .contact
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let bad = if text.is_empty() {
        Some("请填写投诉内容")
    } else if text.chars().count() > MAX_TEXT {
        Some("投诉内容超过 500 字")
    } else if contact
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CONTACT)
    {
        Some("联系方式过长")
    } else {
        None
    };
    let st = state.clone();
    let action = format!("/q/{site_id}/{sig}");
    let out = state
        .write(move |tx| {
            let Some(site) = site_of_code(&st, tx, &site_id, &sig)? else {
                return Ok(None);
            };
            let (status, notice) = if let Some(why) = bad {
                (StatusCode::UNPROCESSABLE_ENTITY, why)
            } else if !crate::ratelimit::admit_complaint(tx, ip, Utc::now())? {
                (StatusCode::TOO_MANY_REQUESTS, "提交过于频繁，请稍后再试")
            } else if complaints_today(tx, &site.id)? >= PER_SITE_DAILY {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    "本场所今日投诉已达上限，请明日再试或拨打12345",
                )
            } else {
                let c = Complaint {
                    id: uuid::Uuid::now_v7().to_string(),
                    site_id: site.id.clone(),
                    site_name: site.name.clone(),
                    text: text.clone(),
                    contact: contact.clone(),
                    received_at: Utc::now(),
                    assigned_unit_id: None,
                    assigned_at: None,
                    assigned_by: None,
                    inspection_id: None,
                };
                records::save_complaint(tx, &c)?;
                (StatusCode::CREATED, "投诉已收到，县政府将核查处理")
            };
            let v = visits(tx, &st.checklists, &site)?;
            Ok(Some((status, page(&site, &v, Some(notice), &action))))
        })
        .await?;
    Ok(match out {
        Some((status, html)) => (status, Html(html)).into_response(),
        None => not_a_code(),
    })
}

fn complaints_today(tx: &mut dyn Tx, site_id: &str) -> ApiResult<usize> {
    let today = anjian_domain::hazard::china_date(Utc::now());
    let principals = vec![access::COUNTY.to_string()];
    Ok(tx
        .list_records(COMPLAINT, Some(&principals))?
        .into_iter()
        .filter_map(|r| serde_json::from_value::<Complaint>(r.data).ok())
        .filter(|c| {
            c.site_id == site_id && anjian_domain::hazard::china_date(c.received_at) == today
        })
        .count())
}
