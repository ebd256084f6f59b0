//! Third parties and experts as sheets: 专业机构评估检查覆盖情况 (coverage per industry and the
//! engagements behind it) and the expert pool as the notice's annex (专家库名单).

use chrono::NaiveDate;

use anjian_domain::engagement::{Engagement, IndustryCoverage};
use anjian_domain::experts::{Expert, ANNEX_COLUMNS};

use crate::table::{Cell, Table};
use crate::Directory;

/// Coverage per industry for a year.
pub fn coverage_sheet(rows: &[IndustryCoverage], dir: &Directory, year: i32, scope: &str) -> Table {
    Table::numbered(
        "覆盖情况",
        format!("{scope}{year}年专业机构评估检查覆盖情况"),
        &[
            ("行业领域", 20.0),
            ("场所总数", 10.0),
            ("已委托场所", 12.0),
            ("已评估场所", 12.0),
            ("覆盖率（%）", 12.0),
            ("委托部门", 30.0),
        ],
        rows,
        |r| {
            vec![
                Cell::text(&r.label),
                Cell::Int(r.sites as i64),
                Cell::Int(r.engaged as i64),
                Cell::Int(r.assessed as i64),
                Cell::Number(r.rate),
                Cell::text(
                    r.departments
                        .iter()
                        .map(|d| dir.unit(d))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
            ]
        },
    )
}

/// The engagements of the year, oldest first.
pub fn engagements_sheet(list: &[&Engagement], dir: &Directory, year: i32) -> Table {
    let mut list = list.to_vec();
    list.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Table::numbered(
        "委托清单",
        format!("{year}年委托第三方专业机构（专家）技术服务清单"),
        &[
            ("委托事项", 30.0),
            ("委托部门", 18.0),
            ("受委托机构", 28.0),
            ("受委托专家", 16.0),
            ("行业领域", 16.0),
            ("场所数", 8.0),
            ("开始日期", 12.0),
            ("结束日期", 12.0),
            ("委托书（合同）编号", 20.0),
        ],
        list,
        |e| {
            vec![
                Cell::text(&e.title),
                Cell::text(dir.unit(&e.department_id)),
                Cell::text(
                    e.institution_unit_id
                        .as_deref()
                        .map(|u| dir.unit(u))
                        .unwrap_or_default(),
                ),
                Cell::text(
                    e.expert_person_ids
                        .iter()
                        .map(|p| dir.person(p))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                Cell::text(industry_names(&e.industries)),
                Cell::Int(e.site_ids.len() as i64),
                Cell::Date(e.start),
                Cell::Date(e.end),
                Cell::text(e.contract.clone().unwrap_or_default()),
            ]
        },
    )
}

fn industry_names(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| {
            anjian_domain::checklist::Industry::from_code(c).map_or(c.clone(), |i| {
                anjian_domain::checklist::compiled_for(i).name.clone()
            })
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// 专家库名单, in the annex's column order: entries in the pool first (by name), then the
/// retired ones.
pub fn experts_annex(experts: &[&Expert], today: NaiveDate) -> Table {
    let mut list = experts.to_vec();
    list.sort_by(|a, b| {
        a.retired_at
            .is_some()
            .cmp(&b.retired_at.is_some())
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    });
    let widths = [10.0, 28.0, 16.0, 30.0, 24.0, 16.0, 24.0, 10.0];
    // ANNEX_COLUMNS starts with 序号, which `numbered` writes.
    let columns: Vec<(&str, f64)> = ANNEX_COLUMNS[1..].iter().copied().zip(widths).collect();
    Table::numbered(
        "专家库名单",
        "忠县安全生产专家库名单",
        &columns,
        list,
        |x| {
            let term = match x.available_until {
                Some(u) => format!("{} 至 {}", x.available_from, u),
                None => format!("{} 起", x.available_from),
            };
            vec![
                Cell::text(&x.name),
                Cell::text(&x.employer),
                Cell::text(&x.title),
                Cell::text(&x.specialty),
                Cell::text(x.industry_names()),
                Cell::text(&x.phone),
                Cell::text(term),
                Cell::text(x.status_label(today)),
            ]
        },
    )
}
