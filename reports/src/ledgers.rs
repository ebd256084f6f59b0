//! The ledgers, as tables: columns in the order and wording of the county's hand-made ones.

use std::collections::HashMap;

use chrono::NaiveDate;

use anjian_domain::assessment::{AnnualScore, MonthlyAssessment};
use anjian_domain::duty::{Activity, PersonDuty};
use anjian_domain::hazard::{china_date, Hazard, HazardLevel};
use anjian_domain::month::YearMonth;
use anjian_domain::month_end::SubmissionStatus;
use anjian_domain::records::HardwareInvestment;

use crate::table::{col, Cell, Table};
use crate::Directory;

fn source_label(h: &Hazard, dir: &Directory) -> String {
    match &h.source {
        Some(s) => dir
            .inspection_kinds
            .get(&s.inspection_id)
            .map_or("检查", |k| k.label())
            .to_string(),
        None => "登记".into(),
    }
}

fn state_label(h: &Hazard, today: NaiveDate) -> String {
    if h.is_overdue(today) {
        format!("{}（逾期）", h.status.label())
    } else if h.closed_late() {
        format!("{}（逾期整改）", h.status.label())
    } else {
        h.status.label().to_string()
    }
}

/// Oldest first, then by number: the order of a hand-kept ledger.
fn oldest_first(hs: &mut [&&Hazard]) {
    hs.sort_by_key(|h| (h.raised_at, h.number.clone()));
}

/// The first columns every hazard ledger starts with: 序号, 编号, 责任单位, 场所, 描述.
fn hazard_cells(n: usize, h: &Hazard, dir: &Directory) -> Vec<Cell> {
    vec![
        Cell::Int(n as i64 + 1),
        Cell::text(&h.number),
        Cell::text(dir.unit(h.rectifying_unit())),
        Cell::text(dir.site(h.site_id.as_deref())),
        Cell::text(&h.description),
    ]
}

/// 问题清单台账: every problem of the scope, oldest first.
pub fn problem_ledger(
    hazards: &[&Hazard],
    dir: &Directory,
    scope: &str,
    today: NaiveDate,
) -> Table {
    let mut hs: Vec<&&Hazard> = hazards.iter().collect();
    oldest_first(&mut hs);
    Table {
        sheet: "问题清单台账".into(),
        title: format!(
            "{scope}安全生产问题清单台账（截至{}）",
            today.format("%Y年%m月%d日")
        ),
        columns: vec![
            col("序号", 6.0),
            col("隐患编号", 20.0),
            col("责任单位", 16.0),
            col("企业（场所）", 24.0),
            col("问题描述", 40.0),
            col("隐患等级", 10.0),
            col("发现方式", 10.0),
            col("发现日期", 12.0),
            col("整改时限", 12.0),
            col("整改状态", 14.0),
            col("整改情况", 30.0),
            col("销号日期", 12.0),
            col("检查人", 10.0),
            col("时间核验", 22.0),
        ],
        rows: hs
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut row = hazard_cells(i, h, dir);
                row.extend([
                    Cell::text(h.level.label()),
                    Cell::text(source_label(h, dir)),
                    Cell::Date(china_date(h.raised_at)),
                    Cell::opt_date(h.deadline()),
                    Cell::text(state_label(h, today)),
                    Cell::text(h.rectification_note.clone().unwrap_or_default()),
                    Cell::opt_date(h.closed_at.map(china_date)),
                    Cell::text(&h.raised_by.name),
                    Cell::text(dir.time_doubt(&h.id)),
                ]);
                row
            })
            .collect(),
    }
}

/// 重大隐患台账 with all of 五落实, 一患一策 and the temporary control measures.
pub fn major_hazard_ledger(
    hazards: &[&Hazard],
    dir: &Directory,
    scope: &str,
    today: NaiveDate,
) -> Table {
    let mut hs: Vec<&&Hazard> = hazards
        .iter()
        .filter(|h| h.level == HazardLevel::Major)
        .collect();
    oldest_first(&mut hs);
    Table {
        sheet: "重大隐患台账".into(),
        title: format!(
            "{scope}重大事故隐患台账（截至{}）",
            today.format("%Y年%m月%d日")
        ),
        columns: vec![
            col("序号", 6.0),
            col("隐患编号", 20.0),
            col("责任单位", 16.0),
            col("企业（场所）", 22.0),
            col("隐患描述", 34.0),
            col("整改目标", 24.0),
            col("整改措施", 30.0),
            col("整改时限", 12.0),
            col("整改责任人", 12.0),
            col("整改资金（元）", 14.0),
            col("资金来源", 14.0),
            col("一患一策", 24.0),
            col("临时防控措施", 24.0),
            col("整改状态", 14.0),
            col("销号日期", 12.0),
            col("时间核验", 22.0),
        ],
        rows: hs
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let p = &h.plan;
                let mut row = hazard_cells(i, h, dir);
                row.extend([
                    Cell::text(p.target.clone().unwrap_or_default()),
                    Cell::text(p.measures.clone().unwrap_or_default()),
                    Cell::opt_date(h.deadline()),
                    Cell::text(p.responsible.clone().unwrap_or_default()),
                    p.funding
                        .as_ref()
                        .map_or(Cell::Empty, |f| Cell::Money(f.amount_fen)),
                    Cell::text(
                        p.funding
                            .as_ref()
                            .map(|f| f.source.clone())
                            .unwrap_or_default(),
                    ),
                    Cell::text(h.hardware_plan.clone().unwrap_or_default()),
                    Cell::text(h.temporary_measures.clone().unwrap_or_default()),
                    Cell::text(state_label(h, today)),
                    Cell::opt_date(h.closed_at.map(china_date)),
                    Cell::text(dir.time_doubt(&h.id)),
                ]);
                row
            })
            .collect(),
    }
}

/// One investment's proof as the ledger prints it.
#[derive(Debug, Clone, Default)]
pub struct InvestmentProof {
    /// Each file attached: "合同", "施工前照片" …
    pub files: Vec<String>,
    /// Parts the notice asks for that are not attached.
    pub missing: Vec<String>,
    /// Recycled-photo flags, as sentences.
    pub recycled: Vec<String>,
}

/// 设施设备投入台账 with its proof: each investment, the files sent with it, the parts still
/// missing, when it was submitted (server time) and photos already used as proof elsewhere.
pub fn hardware_ledger(
    investments: &[&HardwareInvestment],
    hazards: &HashMap<&str, &Hazard>,
    proofs: &HashMap<&str, InvestmentProof>,
    dir: &Directory,
    scope: &str,
) -> Table {
    let mut inv: Vec<&&HardwareInvestment> = investments.iter().collect();
    inv.sort_by_key(|i| (i.invested_on, i.id.clone()));
    let total: i64 = inv.iter().map(|i| i.amount_fen).sum();
    let none = InvestmentProof::default();
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let mut rows: Vec<Vec<Cell>> = inv
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let hazard = i.hazard_id.as_deref().and_then(|h| hazards.get(h));
            let proof = proofs.get(i.id.as_str()).unwrap_or(&none);
            let submitted = i.submitted_at.map_or("未报送".to_string(), |t| {
                t.with_timezone(&china).format("%Y-%m-%d %H:%M").to_string()
            });
            vec![
                Cell::Int(n as i64 + 1),
                Cell::text(dir.unit(&i.unit_id)),
                Cell::text(dir.site(i.site_id.as_deref())),
                Cell::text(hazard.map(|h| h.number.clone()).unwrap_or_default()),
                Cell::text(&i.description),
                Cell::Money(i.amount_fen),
                Cell::Date(i.invested_on),
                Cell::text(submitted),
                Cell::Int(proof.files.len() as i64),
                Cell::text(proof.files.join("；")),
                Cell::text(if proof.missing.is_empty() {
                    "齐全".to_string()
                } else {
                    proof.missing.join("、")
                }),
                Cell::text(proof.recycled.join("；")),
            ]
        })
        .collect();
    let files: i64 = inv
        .iter()
        .map(|i| {
            proofs
                .get(i.id.as_str())
                .map_or(0, |p| p.files.len() as i64)
        })
        .sum();
    let mut total_row = vec![
        Cell::text("合计"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    total_row.extend([
        Cell::Money(total),
        Cell::Empty,
        Cell::Empty,
        Cell::Int(files),
    ]);
    total_row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
    rows.push(total_row);
    Table {
        sheet: "设施设备投入台账".into(),
        title: format!("{scope}设施设备整改投入台账"),
        columns: vec![
            col("序号", 6.0),
            col("单位", 16.0),
            col("企业（场所）", 22.0),
            col("关联隐患编号", 20.0),
            col("投入内容", 34.0),
            col("投入金额（元）", 14.0),
            col("投入日期", 12.0),
            col("报送时间", 17.0),
            col("佐证材料（份）", 10.0),
            col("佐证材料清单", 36.0),
            col("缺少材料", 16.0),
            col("疑似重复使用的照片", 36.0),
        ],
        rows,
    }
}

/// 月底报送情况 of a month: each unit's items, due date, when sent, and the late flags.
pub fn month_end_ledger(
    statuses: &[SubmissionStatus],
    dir: &Directory,
    month: YearMonth,
    scope: &str,
) -> Table {
    Table::numbered(
        "月底报送情况",
        format!("{scope}{}年{}月月底报送情况", month.year, month.month),
        &[
            ("单位", 18.0),
            ("报送事项", 34.0),
            ("截止日期", 12.0),
            ("报送时间", 17.0),
            ("状态", 12.0),
        ],
        statuses,
        |s| {
            vec![
                Cell::text(dir.unit(&s.unit_id)),
                Cell::text(&s.label),
                Cell::Date(s.due),
                Cell::china_time(s.submitted_at),
                Cell::text(&s.status_label),
            ]
        },
    )
}

/// 履职纪实表 of a month: one row per person and duty, with the records that count.
pub fn duty_ledger(
    duties: &[PersonDuty],
    activities: &HashMap<&str, &Activity>,
    month: YearMonth,
    scope: &str,
) -> Table {
    let mut rows = Vec::new();
    for p in duties {
        let roles: Vec<&str> = p.roles.iter().map(|r| r.label()).collect();
        for s in &p.statuses {
            let records: Vec<String> =
                s.activity_ids
                    .iter()
                    .map(|id| match activities.get(id.as_str()) {
                        Some(a) => format!(
                            "{} {}（佐证{}项）",
                            a.date.format("%m-%d"),
                            a.title,
                            a.evidence_count
                        ),
                        None => id.clone(),
                    })
                    .chain(s.not_counted.iter().map(
                        |n| match activities.get(n.activity_id.as_str()) {
                            Some(a) => format!(
                                "{} {}（未计入：{}）",
                                a.date.format("%m-%d"),
                                a.title,
                                n.reason
                            ),
                            None => format!("{}（未计入：{}）", n.activity_id, n.reason),
                        },
                    ))
                    .collect();
            rows.push(vec![
                Cell::Int(rows.len() as i64 + 1),
                Cell::text(&p.unit_name),
                Cell::text(&p.name),
                Cell::text(roles.join("、")),
                Cell::text(&s.quota.label),
                Cell::text(format!("{}{}次", s.quota.period.label(), s.quota.count)),
                Cell::Date(s.period_start),
                Cell::Date(s.period_end),
                Cell::Int(s.required as i64),
                Cell::Int(s.done as i64),
                Cell::text(s.state.label()),
                Cell::text(records.join("\n")),
            ]);
        }
    }
    Table {
        sheet: "履职纪实".into(),
        title: format!("{scope}安全生产履职纪实表（{}）", month.label()),
        columns: vec![
            col("序号", 6.0),
            col("单位", 16.0),
            col("姓名", 10.0),
            col("职务", 16.0),
            col("履职事项", 30.0),
            col("频次要求", 12.0),
            col("周期起", 12.0),
            col("周期止", 12.0),
            col("应完成", 8.0),
            col("已完成", 8.0),
            col("完成情况", 10.0),
            col("履职记录", 44.0),
        ],
        rows,
    }
}

/// 月度考核得分表: one row per unit, an indicator per column, the office's total beside the
/// unit's self-assessment.
pub fn scores_ledger(a: &MonthlyAssessment) -> Table {
    let indicator_cols: Vec<(String, f64)> = a
        .scores
        .first()
        .map(|s| {
            s.indicators
                .iter()
                .map(|i| (i.label.clone(), i.weight))
                .collect()
        })
        .unwrap_or_default();
    let mut columns = vec![col("类别", 12.0), col("排名", 6.0), col("单位", 18.0)];
    for (label, weight) in &indicator_cols {
        columns.push(col(format!("{label}（{weight}分）"), 12.0));
    }
    columns.extend([
        col(format!("考核得分（满分{}）", a.full_marks), 12.0),
        col("单位自评得分", 10.0),
        col("自评与考核差", 10.0),
        col("月末未清零问题（个）", 12.0),
    ]);
    let rows = a
        .scores
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(s.unit_kind.label()),
                Cell::Int(s.rank as i64),
                Cell::text(&s.unit_name),
            ];
            row.extend(s.indicators.iter().map(|i| Cell::Number(i.points)));
            row.push(Cell::Number(s.total));
            row.push(s.self_score.map_or(Cell::text("未报送"), Cell::Number));
            row.push(
                s.self_score
                    .map_or(Cell::Empty, |x| Cell::Number(x - s.total)),
            );
            row.push(Cell::Int(s.month_clear_open.len() as i64));
            row
        })
        .collect();
    Table {
        sheet: "月度考核得分".into(),
        title: format!(
            "{}乡镇（街道）和县级行业部门安全生产综合考核评估得分表",
            a.month.label()
        ),
        columns,
        rows,
    }
}

/// 年度目标考核: the months side by side and their mean.
pub fn annual_ledger(rows_in: &[AnnualScore], year: i32) -> Table {
    let mut columns = vec![col("类别", 12.0), col("排名", 6.0), col("单位", 18.0)];
    for m in 1..=12 {
        columns.push(col(format!("{m}月"), 8.0));
    }
    columns.push(col("平均得分", 10.0));
    columns.push(col("班子集体述职", 12.0));
    let rows = rows_in
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(s.unit_kind.label()),
                Cell::Int(s.rank as i64),
                Cell::text(&s.unit_name),
            ];
            row.extend(
                s.monthly
                    .iter()
                    .map(|m| m.map_or(Cell::Empty, Cell::Number)),
            );
            row.push(Cell::Number(s.average));
            row.push(Cell::text(if s.collective_report {
                "已述职"
            } else {
                "未述职"
            }));
            row
        })
        .collect();
    Table {
        sheet: "年度目标考核".into(),
        title: format!("{year}年度“五查四改月述考”工作目标考核汇总表"),
        columns,
        rows,
    }
}
