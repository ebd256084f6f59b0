//! Ledgers of 改作风 and 改机制: the 约谈问责台账 (and, beside it, the office's other records of
//! the mechanism), in the columns the county keeps them by hand.

use anjian_domain::mechanism::MechanismRecord;
use anjian_domain::records::AccountabilityRecord;

use crate::table::{Cell, Table};
use crate::Directory;

/// The linked hazards by their ledger numbers.
fn causes(hazard_ids: &[String], hazard_number: &impl Fn(&str) -> String) -> Vec<String> {
    hazard_ids.iter().map(|h| hazard_number(h)).collect()
}

/// 约谈问责台账: one row per talk or accountability, oldest first. `hazard_number` turns the
/// linked hazard ids into their ledger numbers.
pub fn accountability_ledger(
    records: &[&AccountabilityRecord],
    dir: &Directory,
    hazard_number: impl Fn(&str) -> String,
    scope: &str,
    period: &str,
) -> Table {
    Table::numbered(
        "约谈问责台账",
        format!("{scope}提醒约谈、追责问责台账{period}"),
        &[
            ("日期", 12.0),
            ("单位", 18.0),
            ("被约谈（问责）人", 14.0),
            ("类别", 10.0),
            ("事由", 44.0),
            ("关联隐患", 18.0),
            ("处理结果", 14.0),
            ("决定单位", 14.0),
            ("来源", 10.0),
        ],
        records,
        |r| {
            let person = r
                .person_name
                .clone()
                .or_else(|| r.person_id.as_deref().map(|p| dir.person(p)))
                .unwrap_or_default();
            vec![
                Cell::Date(r.decided_on),
                Cell::text(dir.unit(&r.unit_id)),
                Cell::text(person),
                Cell::text(r.kind.label()),
                Cell::text(&r.reason),
                Cell::text(causes(&r.hazard_ids, &hazard_number).join("、")),
                Cell::text(r.outcome.map_or("", |o| o.label())),
                Cell::text(&r.decided_by),
                Cell::text(if r.suggestion_id.is_some() {
                    "规则提示"
                } else {
                    "直接登记"
                }),
            ]
        },
    )
}

/// 改机制台账: one row per record, oldest first, with the findings that caused it.
pub fn mechanism_ledger(
    records: &[&MechanismRecord],
    dir: &Directory,
    hazard_number: impl Fn(&str) -> String,
    scope: &str,
    period: &str,
) -> Table {
    Table::numbered(
        "改机制台账",
        format!("{scope}改机制工作台账{period}"),
        &[
            ("印发日期", 12.0),
            ("单位", 18.0),
            ("类别", 16.0),
            ("名称", 26.0),
            ("文号", 16.0),
            ("主要内容", 44.0),
            ("关联问题", 20.0),
        ],
        records,
        |r| {
            let mut causes = causes(&r.hazard_ids, &hazard_number);
            if !r.inspection_ids.is_empty() {
                causes.push(format!("检查 {} 次", r.inspection_ids.len()));
            }
            vec![
                Cell::Date(r.effective_on),
                Cell::text(dir.unit(&r.unit_id)),
                Cell::text(r.kind.label()),
                Cell::text(&r.title),
                Cell::text(r.document_number.clone().unwrap_or_default()),
                Cell::text(&r.content),
                Cell::text(causes.join("、")),
            ]
        },
    )
}
