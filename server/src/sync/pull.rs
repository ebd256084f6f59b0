//! `GET /v1/sync/pull`: one page of changes after a cursor, in the caller's scope.

use std::fmt::Write as _;

use anjian_domain::org::Person;
use anjian_domain::sync::{encode_cursor, entity, Cursor};

use crate::error::{ApiError, ApiResult};
use crate::phones::PhoneReach;
use crate::scope::Caller;
use crate::storage::Tx;

/// One page of changes after `after`, as the caller sees it, already encoded: each record's
/// stored JSON goes out as it is (a `PullResponse` on the wire), never decoded and encoded
/// again on the way.
pub fn pull(tx: &mut dyn Tx, caller: &Caller, from: Cursor, limit: i64) -> ApiResult<PulledPage> {
    // A cursor of another change log (a replaced server), or past the end of this one (a
    // server restored from an older backup): the device must start over, keeping its own work.
    let log = tx.log_id()?;
    let after = from.seq;
    if from.log.is_some_and(|l| l != log) || after > tx.max_seq()? {
        return Err(ApiError::new(
            axum::http::StatusCode::GONE,
            "cursor_gone",
            "服务器数据已变更（如从备份恢复），需要从头重新同步；本机未上传的记录会保留",
        ));
    }
    let rows = tx.changes_after(&caller.principals(), after, limit + 1)?;
    let has_more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let cursor = rows.last().map(|r| r.seq).unwrap_or(after);
    let size: usize = rows
        .iter()
        .map(|r| r.data.as_ref().map_or(0, String::len) + 128)
        .sum();
    let mut phones = PhoneReach::new(caller);
    let mut body = String::with_capacity(size + 64);
    body.push_str("{\"changes\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let kind = if r.removal { "remove" } else { "upsert" };
        let _ = write!(
            body,
            "{{\"seq\":{},\"entity\":{},\"entity_id\":{},\"kind\":\"{kind}\",\"version\":{}",
            r.seq,
            json_string(&r.entity),
            json_string(&r.id),
            r.version
        );
        if let Some(d) = &r.data {
            body.push_str(",\"data\":");
            if r.entity == entity::PERSON {
                // Person records reach everyone; their phone numbers only whom the rule
                // lets read them (a few hundred records: decoded and encoded again).
                let mut p: Person = serde_json::from_str(d).map_err(ApiError::internal)?;
                phones.redact(tx, &mut p)?;
                body.push_str(&serde_json::to_string(&p).map_err(ApiError::internal)?);
            } else {
                body.push_str(d);
            }
        }
        body.push('}');
    }
    let _ = write!(
        body,
        "],\"cursor\":{},\"has_more\":{has_more}}}",
        json_string(&encode_cursor(log, cursor))
    );
    Ok(PulledPage {
        body,
        count: rows.len(),
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// An encoded pull page and how many changes it carries.
pub struct PulledPage {
    pub body: String,
    pub count: usize,
}
