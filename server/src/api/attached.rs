//! The files attached to a record, as the console lists them with a download link: a task's
//! proof (工作任务交办) and a 改机制 record's document. Each is evidence the phone or the
//! console uploaded (tus, SHA-256 checked by the server) and attached with a sync operation;
//! its bytes are read from `GET /v1/blobs/{sha256}` by whoever may see the record.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use anjian_domain::evidence::{EvidenceRecord, EvidenceTarget};
use anjian_domain::sync::entity;

use crate::error::ApiResult;
use crate::records;
use crate::scope::Caller;
use crate::storage::Tx;

/// A file attached to a record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachedFile {
    /// The evidence record's id.
    pub id: String,
    /// The file's SHA-256 (download: `GET /v1/blobs/{sha256}`).
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
    /// 合同, 发票, 其他材料, ...
    pub kind_label: &'static str,
    /// When the server received the record.
    pub received_at: Option<DateTime<Utc>>,
}

/// The files of the evidence the caller may see, grouped by the key `key` gives their target
/// (evidence of other targets, `None`, is left out), oldest first.
pub fn attached_files(
    tx: &mut dyn Tx,
    caller: &Caller,
    key: impl Fn(&EvidenceTarget) -> Option<String>,
) -> ApiResult<HashMap<String, Vec<AttachedFile>>> {
    let mut all: Vec<EvidenceRecord> = records::visible(tx, entity::EVIDENCE, caller)?;
    all.sort_by(|a, b| {
        let at = |r: &EvidenceRecord| r.received.as_ref().map(|x| x.received_at);
        at(a).cmp(&at(b)).then(a.id.cmp(&b.id))
    });
    let mut out: HashMap<String, Vec<AttachedFile>> = HashMap::new();
    for r in all {
        if let Some(k) = key(&r.target) {
            out.entry(k).or_default().push(AttachedFile {
                kind_label: r.kind.label(),
                received_at: r.received.as_ref().map(|x| x.received_at),
                id: r.id,
                sha256: r.sha256,
                content_type: r.content_type,
                size: r.size,
            });
        }
    }
    Ok(out)
}

/// The key of a task part's proof: the task and the unit.
pub fn task_part_key(task_id: &str, unit_id: &str) -> String {
    format!("{task_id}\u{1f}{unit_id}")
}
