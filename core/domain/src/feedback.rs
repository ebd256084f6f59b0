//! 投诉建议 in the app (国办函〔2026〕12号 asks every government app for one): anyone signed in
//! sends a complaint or a suggestion about the app or the work it supports; 县安委办 reads them
//! all and replies; the reply reaches the sender's phone with sync. The server sets who sent it
//! and when; only the sender and the county level see it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{required_text, DomainError};

/// Longest text of a complaint, a suggestion or a reply.
pub const MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// 投诉
    Complaint,
    /// 建议
    Suggestion,
}

impl FeedbackKind {
    pub fn label(self) -> &'static str {
        match self {
            FeedbackKind::Complaint => "投诉",
            FeedbackKind::Suggestion => "建议",
        }
    }
}

/// 县安委办's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackReply {
    pub text: String,
    /// Who replied (person id and name).
    pub by: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// One complaint or suggestion, with its reply once given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    pub id: String,
    pub kind: FeedbackKind,
    pub content: String,
    /// A phone number or other way to reach the sender, if they give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Set by the server: the signed-in sender, their name and unit.
    #[serde(default)]
    pub sent_by: String,
    #[serde(default)]
    pub sent_by_name: String,
    #[serde(default)]
    pub unit_id: String,
    /// Set by the server: when it was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<FeedbackReply>,
}

fn bounded(text: &str, field: &'static str) -> Result<String, DomainError> {
    let t = required_text(text, field)?;
    if t.chars().count() > MAX_CHARS {
        return Err(DomainError::InvalidValue {
            field,
            reason: format!("不超过 {MAX_CHARS} 字"),
        });
    }
    Ok(t)
}

impl Feedback {
    /// A new complaint or suggestion, trimmed and checked.
    pub fn new(
        id: String,
        kind: FeedbackKind,
        content: &str,
        contact: Option<&str>,
    ) -> Result<Feedback, DomainError> {
        let mut f = Feedback {
            id,
            kind,
            content: content.to_string(),
            contact: contact.map(str::to_string),
            sent_by: String::new(),
            sent_by_name: String::new(),
            unit_id: String::new(),
            received_at: None,
            reply: None,
        };
        f.validate()?;
        Ok(f)
    }

    /// Checks and trims what the sender fills in (the server's fields are overwritten).
    pub fn validate(&mut self) -> Result<(), DomainError> {
        self.content = bounded(&self.content, "投诉建议内容")?;
        self.contact = match self.contact.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(c) if c.chars().count() > 50 => {
                return Err(DomainError::InvalidValue {
                    field: "联系方式",
                    reason: "不超过 50 字".into(),
                })
            }
            Some(c) => Some(c.to_string()),
        };
        Ok(())
    }

    /// 县安委办 replies, once.
    pub fn answer(
        &self,
        text: &str,
        by: &str,
        by_name: &str,
        at: DateTime<Utc>,
    ) -> Result<Feedback, DomainError> {
        if self.reply.is_some() {
            return Err(DomainError::WrongStatus {
                status: "已答复",
                action: "答复投诉建议",
            });
        }
        let text = bounded(text, "答复内容")?;
        Ok(Feedback {
            reply: Some(FeedbackReply {
                text,
                by: by.to_string(),
                by_name: by_name.to_string(),
                at,
            }),
            ..self.clone()
        })
    }

    /// 待答复 / 已答复.
    pub fn status_label(&self) -> &'static str {
        if self.reply.is_some() {
            "已答复"
        } else {
            "待答复"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_checked_and_answered_once() {
        let e = Feedback::new("f".into(), FeedbackKind::Suggestion, "  ", None).unwrap_err();
        assert!(e.to_string().contains("投诉建议内容"), "{e}");
        let long = "字".repeat(MAX_CHARS + 1);
        assert!(Feedback::new("f".into(), FeedbackKind::Complaint, &long, None).is_err());
        let f = Feedback::new(
            "f".into(),
            FeedbackKind::Suggestion,
            " 隐患照片上传太慢，建议支持离线排队 ",
            Some(" "),
        )
        .unwrap();
        assert_eq!(f.content, "隐患照片上传太慢，建议支持离线排队");
        assert_eq!(f.contact, None);
        assert_eq!(f.status_label(), "待答复");
        let at = "2026-11-30T02:00:00Z".parse().unwrap();
        let a = f.answer("已纳入下一版本", "p-1", "李明", at).unwrap();
        assert_eq!(a.status_label(), "已答复");
        let e = a.answer("再次答复", "p-1", "李明", at).unwrap_err();
        assert!(e.to_string().contains("已答复"), "{e}");
    }
}
