//! The sync wire types shared by the phone's engine and the server.
//!
//! Push: batches of operations, each with a client-generated idempotency key (`op_id`,
//! UUIDv7). Pull: pages of changes after an opaque cursor, scoped to the caller; records that
//! leave the caller's scope arrive as removals. Device time is informational; the server's
//! sequence orders everything.

pub mod ops;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bumped on incompatible changes; the server answers 426 to older clients.
pub const PROTOCOL_VERSION: u32 = 1;

/// Entity names on the wire.
pub mod entity {
    pub const UNIT: &str = "unit";
    pub const PERSON: &str = "person";
    pub const SITE: &str = "site";
    pub const INSPECTION: &str = "inspection";
    pub const HAZARD: &str = "hazard";
    pub const MEETING: &str = "meeting";
    pub const HARDWARE_INVESTMENT: &str = "hardware_investment";
    pub const ACCOUNTABILITY: &str = "accountability";
    pub const PATROL_PLAN: &str = "patrol_plan";
    pub const EVIDENCE: &str = "evidence";
    pub const DUTY_REPORT: &str = "duty_report";
    pub const SELF_ASSESSMENT: &str = "self_assessment";
    pub const CHECKLIST: &str = "checklist";
    pub const MONTH_END: &str = "month_end_submission";
    pub const ENGAGEMENT: &str = "engagement";
    pub const EXPERT: &str = "expert";
    pub const WORK_TASK: &str = "work_task";
    pub const MECHANISM: &str = "mechanism_record";
    pub const CAMPAIGN_PLAN: &str = "campaign_plan";
    /// A 投诉举报 left through a site's code (the county's, and the body's it is handed to).
    pub const COMPLAINT: &str = "complaint";
    pub const FEEDBACK: &str = "feedback";
    /// The server's perceptual hashes of a stored photo file, by its SHA-256 (server only:
    /// no one's audience, never pulled).
    pub const PHOTO_HASH: &str = "photo_hash";
}

/// One operation from a device's outbox.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Idempotency key: the same key is applied at most once.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub op_id: String,
    pub entity: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub entity_id: String,
    /// `create`, `start`, `record_item`, `finish`, `raise`, `transition`.
    pub op: String,
    pub payload: serde_json::Value,
    /// When the device recorded it (shown as "reported at", never used for order).
    #[serde(default)]
    pub device_time: Option<DateTime<Utc>>,
}

/// A whole number as JSON allows it to be written: `1` or `1.0` (JSON Schema's `integer` admits
/// both, and some clients serialise every number as a float).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => u32::try_from(u).ok(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            Some(f as u32)
        }
        _ => None,
    };
    whole
        .ok_or_else(|| serde::de::Error::custom(format!("须为不超过 {} 的非负整数：{n}", u32::MAX)))
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The protocol version the device speaks (1).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4294967295u32))]
    #[serde(deserialize_with = "whole_number")]
    pub protocol: u32,
    pub device_id: String,
    /// At most 500 (the server's batch limit).
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub ops: Vec<Operation>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    /// Applied now.
    Applied,
    /// Applied earlier with this key, or the same transition was already made: nothing changed.
    AlreadyApplied,
    /// Refused: the reason says why (Chinese); the server's current row comes with it.
    Rejected,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpResult {
    pub op_id: String,
    pub status: OpStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The server's row after the operation (or as it stands, when refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
    /// When the server received the operation (its clock, not the phone's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<OpResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeKind {
    Upsert,
    /// Deleted, or no longer in the caller's scope: drop the local copy.
    Remove,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub kind: ChangeKind,
    /// Per-record version: apply only when newer than the local copy.
    pub version: i64,
    /// The record's JSON, passed through as stored (never re-encoded on the way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<Box<serde_json::value::RawValue>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Opaque: pass it back to continue.
    pub cursor: String,
    pub has_more: bool,
}

/// Where a pull continues: after which change, of which change log. Each server database
/// draws a random log id when it is created, so a cursor handed out by another database (a
/// replaced server) is recognised instead of silently skipping that database's changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// `None` for the start, and for cursors from before log ids.
    pub log: Option<i64>,
    pub seq: i64,
}

/// Cursors are opaque to clients; this is their encoding.
pub fn encode_cursor(log: i64, seq: i64) -> String {
    format!("c2-{log:x}-{seq}")
}

pub fn decode_cursor(cursor: &str) -> Option<Cursor> {
    let seq = |s: &str| s.parse().ok().filter(|s: &i64| *s >= 0);
    if cursor.is_empty() {
        return Some(Cursor { log: None, seq: 0 });
    }
    if let Some(rest) = cursor.strip_prefix("c2-") {
        let (log, n) = rest.split_once('-')?;
        return Some(Cursor {
            log: Some(i64::from_str_radix(log, 16).ok()?),
            seq: seq(n)?,
        });
    }
    Some(Cursor {
        log: None,
        seq: seq(cursor.strip_prefix("c1-")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_is_a_whole_number_however_it_is_written() {
        let push = |p: &str| {
            serde_json::from_str::<PushRequest>(&format!(
                r#"{{"protocol":{p},"device_id":"d","ops":[]}}"#
            ))
            .map(|r| r.protocol)
        };
        assert_eq!(push("1").unwrap(), 1);
        assert_eq!(push("1.0").unwrap(), 1);
        assert_eq!(push("4294967295").unwrap(), u32::MAX);
        for bad in ["1.5", "-1", "4294967296", "1e20", "\"1\""] {
            assert!(push(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = |log, seq| Some(Cursor { log, seq });
        assert_eq!(
            decode_cursor(&encode_cursor(0x5eed, 42)),
            c(Some(0x5eed), 42)
        );
        assert_eq!(decode_cursor(""), c(None, 0));
        assert_eq!(
            decode_cursor("c1-42"),
            c(None, 42),
            "cursors from before log ids"
        );
        assert_eq!(decode_cursor("42"), None);
        assert_eq!(decode_cursor("c1--5"), None);
        assert_eq!(decode_cursor("c1-x"), None);
        assert_eq!(decode_cursor("c2-zz-1"), None);
        assert_eq!(decode_cursor("c2-10"), None);
    }
}
