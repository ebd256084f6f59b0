//! The files the county office works with: Excel ledgers (问题清单台账, 重大隐患台账, 设施设备
//! 投入台账, 履职纪实表, 月度考核得分) and Word notices (考核通报, 暗访通报), built from the
//! domain's records and computed results. Pure: bytes out, no I/O, so the server and the
//! `anjian report` command produce the same files.

pub mod docx;
pub mod inspections;
pub mod ledgers;
pub mod mechanism;
pub mod notices;
pub mod parties;
pub mod print;
pub mod self_assessed;
pub mod table;
pub mod xlsx;

use std::collections::HashMap;

use anjian_domain::inspection::InspectionKind;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("生成 Word 文件失败：{0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("生成文件失败：{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, ReportError>;

/// Names for the ids in records, so ledgers read like the ones people make by hand.
#[derive(Debug, Default, Clone)]
pub struct Directory {
    pub units: HashMap<String, String>,
    pub sites: HashMap<String, String>,
    pub people: HashMap<String, String>,
    pub inspection_kinds: HashMap<String, InspectionKind>,
    /// 时间存疑 notes by record id (hazard, inspection, meeting): the phone's claimed time
    /// disagrees with when the server received the record.
    pub time_doubts: HashMap<String, String>,
}

impl Directory {
    pub fn unit(&self, id: &str) -> String {
        self.units
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
    pub fn site(&self, id: Option<&str>) -> String {
        id.map(|id| {
            self.sites
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string())
        })
        .unwrap_or_default()
    }
    /// The 时间存疑 note of a record, or an empty text.
    pub fn time_doubt(&self, id: &str) -> String {
        self.time_doubts.get(id).cloned().unwrap_or_default()
    }
    pub fn person(&self, id: &str) -> String {
        self.people
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}
