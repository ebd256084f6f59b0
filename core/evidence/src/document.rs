//! Documents that prove hardware investment: contracts and invoices as PDF or images, typed
//! by content (not by name), hashed, with the amount and date the user enters.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::sniff::{sniff, ContentKind};
use crate::{read_limited, sha256_hex, EvidenceError};

pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 合同
    Contract,
    /// 支出发票
    Invoice,
    /// 其他佐证材料
    Other,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Contract => "合同",
            DocumentKind::Invoice => "支出发票",
            DocumentKind::Other => "其他佐证材料",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentReport {
    pub sha256: String,
    pub size: u64,
    pub content_type: &'static str,
    pub kind: DocumentKind,
    pub amount_fen: Option<i64>,
    pub date: Option<NaiveDate>,
    /// `pdf_no_eof`: the PDF has no end marker (probably cut short).
    pub flags: Vec<String>,
}

/// Checks and hashes a document. Amounts are in fen and must be positive; dates may not be
/// after `today`.
pub fn inspect_document(
    path: &Path,
    kind: DocumentKind,
    amount_fen: Option<i64>,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<DocumentReport, EvidenceError> {
    if let Some(a) = amount_fen.filter(|a| *a <= 0) {
        return Err(EvidenceError::Invalid {
            field: "金额",
            reason: format!("须大于 0（收到 {a} 分）"),
        });
    }
    if let Some(d) = date.filter(|d| *d > today) {
        return Err(EvidenceError::Invalid {
            field: "日期",
            reason: format!("{d} 晚于今天"),
        });
    }
    let bytes = read_limited(path, MAX_DOCUMENT_BYTES)?;
    let content = sniff(&bytes);
    let mut flags = Vec::new();
    match content {
        ContentKind::Pdf => {
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            if !tail.windows(5).any(|w| w == b"%%EOF") {
                flags.push("pdf_no_eof".into());
            }
        }
        ContentKind::Jpeg | ContentKind::Png => {}
        ContentKind::Heif => return Err(EvidenceError::Heic),
        other => return Err(EvidenceError::DocumentType(other.label())),
    }
    Ok(DocumentReport {
        sha256: sha256_hex(&bytes),
        size: bytes.len() as u64,
        content_type: content.mime(),
        kind,
        amount_fen,
        date,
        flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_by_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let pdf = dir.path().join("发票.jpg");
        std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").unwrap();
        let r = inspect_document(
            &pdf,
            DocumentKind::Invoice,
            Some(128_000),
            Some(today),
            today,
        )
        .unwrap();
        assert_eq!(r.content_type, "application/pdf");
        assert!(r.flags.is_empty());
        let exe = dir.path().join("合同.pdf");
        std::fs::write(&exe, b"MZ\x90\0 not a pdf").unwrap();
        let err = inspect_document(&exe, DocumentKind::Contract, None, None, today).unwrap_err();
        assert!(err.to_string().contains("PDF"), "{err}");
        let cut = dir.path().join("cut.pdf");
        std::fs::write(&cut, b"%PDF-1.4\n1 0 obj<<>>").unwrap();
        assert_eq!(
            inspect_document(&cut, DocumentKind::Contract, None, None, today)
                .unwrap()
                .flags,
            ["pdf_no_eof"]
        );
        assert!(inspect_document(&pdf, DocumentKind::Invoice, Some(0), None, today).is_err());
        assert!(
            inspect_document(&pdf, DocumentKind::Invoice, None, today.succ_opt(), today).is_err()
        );
    }
}
