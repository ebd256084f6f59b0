//! 检查记录台账: every inspection with its site, team, times and results, the documents left
//! on site and whether a finished 行政检查's result was told (结果告知), and the 时间核验
//! column (the phone's times disagree with when the server received the record), as the
//! problem ledger has it.

use std::collections::HashMap;

use anjian_domain::hazard::china_date;
use anjian_domain::inspection::{Inspection, ItemOutcome};
use anjian_domain::site_document::{self, SiteDocumentInfo};

use crate::table::{Cell, Table};
use crate::Directory;

/// 结果告知 of a finished 行政检查: the date of its 行政检查结果告知书, or 未告知 (for the
/// office to chase); empty for other activities and unfinished inspections.
fn result_told(i: &Inspection, documents: &[&SiteDocumentInfo]) -> String {
    if !site_document::tells_result(i) {
        return String::new();
    }
    site_document::result_notice_among(documents).map_or("未告知".into(), |d| {
        format!(
            "已告知（{}）",
            china_date(d.generated_at).format("%Y-%m-%d")
        )
    })
}

/// One row per inspection, in the order given (the caller sorts them); `documents` are the
/// documents left on site, by inspection id, oldest first.
pub fn inspection_ledger(
    inspections: &[&Inspection],
    documents: &HashMap<String, Vec<&SiteDocumentInfo>>,
    dir: &Directory,
    scope: &str,
    period: &str,
) -> Table {
    Table::numbered(
        "检查记录台账",
        format!("{scope}安全生产检查记录台账{period}"),
        &[
            ("检查类别", 10.0),
            ("检查性质", 10.0),
            ("被检查场所", 26.0),
            ("带队人", 10.0),
            ("带队单位", 18.0),
            ("参加人员", 20.0),
            ("开始时间", 17.0),
            ("完成时间", 17.0),
            ("检查项", 8.0),
            ("不合格项", 8.0),
            ("现场执法文书", 36.0),
            ("结果告知", 14.0),
            ("服务器接收时间", 17.0),
            ("时间核验", 30.0),
        ],
        inspections,
        |i| {
            let count = |o: ItemOutcome| i.results.values().filter(|r| r.outcome == o).count();
            let docs = documents.get(&i.id).map_or(&[][..], Vec::as_slice);
            let listed: Vec<String> = docs
                .iter()
                .map(|d| format!("{}{}", d.kind.title(), d.number))
                .collect();
            vec![
                Cell::text(i.kind.label()),
                Cell::text(i.activity.map_or("", |a| a.label())),
                Cell::text(dir.site(Some(&i.site_id))),
                Cell::text(&i.leader.name),
                Cell::text(dir.unit(&i.leader.unit_id)),
                Cell::text(i.participants.join("、")),
                Cell::china_time(Some(i.started_at)),
                Cell::china_time(i.finished_at),
                Cell::Int(i.results.len() as i64),
                Cell::Int(count(ItemOutcome::Fail) as i64),
                Cell::text(listed.join("；")),
                Cell::text(result_told(i, docs)),
                Cell::china_time(i.received.as_ref().map(|r| r.received_at)),
                Cell::text(dir.time_doubt(&i.id)),
            ]
        },
    )
}
