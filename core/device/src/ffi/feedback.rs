//! 投诉建议 in the app (国办函〔2026〕12号): send one, and read my own with 县安委办's replies.

use super::*;
use anjian_domain::feedback::{Feedback, FeedbackKind};

/// A complaint or suggestion as the app lists it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FeedbackRecord {
    pub id: String,
    pub kind: FeedbackKind,
    /// 投诉 / 建议
    pub kind_label: String,
    pub content: String,
    pub contact: Option<String>,
    /// When the server received it (RFC 3339); none while it waits to be sent.
    pub received_at: Option<String>,
    /// 待发送 / 待答复 / 已答复
    pub status_label: String,
    pub reply_text: Option<String>,
    pub reply_by_name: Option<String>,
    /// RFC 3339
    pub replied_at: Option<String>,
}

impl From<Feedback> for FeedbackRecord {
    fn from(f: Feedback) -> Self {
        let status_label = if f.received_at.is_none() {
            "待发送"
        } else {
            f.status_label()
        };
        FeedbackRecord {
            status_label: status_label.to_string(),
            kind_label: f.kind.label().to_string(),
            received_at: f.received_at.map(|t| t.to_rfc3339()),
            reply_text: f.reply.as_ref().map(|r| r.text.clone()),
            reply_by_name: f.reply.as_ref().map(|r| r.by_name.clone()),
            replied_at: f.reply.as_ref().map(|r| r.at.to_rfc3339()),
            id: f.id,
            kind: f.kind,
            content: f.content,
            contact: f.contact,
        }
    }
}

#[uniffi::export]
impl AnjianStore {
    /// Sends a complaint or suggestion in my name (sent with the next sync); refused in
    /// Chinese when the text is empty or over 2000 characters.
    pub fn send_feedback(
        &self,
        kind: FeedbackKind,
        content: String,
        contact: Option<String>,
    ) -> FfiResult<FeedbackRecord> {
        Ok(self
            .inner
            .send_feedback(kind, &content, contact.as_deref())?
            .into())
    }

    /// My complaints and suggestions with 县安委办's replies (replies arrive with sync).
    pub fn my_feedback(&self) -> FfiResult<Vec<FeedbackRecord>> {
        Ok(self
            .inner
            .my_feedback()?
            .into_iter()
            .map(FeedbackRecord::from)
            .collect())
    }
}
