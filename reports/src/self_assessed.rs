//! 自评与考核对照: each unit's own score beside the office's, indicator by indicator — the
//! second sheet of `monthly-scores.xlsx`.

use anjian_domain::assessment::MonthlyAssessment;

use crate::table::{col, Cell, Table};

pub fn self_vs_assessed(a: &MonthlyAssessment) -> Table {
    let mut rows = Vec::new();
    for s in &a.scores {
        for i in &s.indicators {
            rows.push(vec![
                Cell::Int(rows.len() as i64 + 1),
                Cell::text(&s.unit_name),
                Cell::text(&i.label),
                Cell::Number(i.weight),
                Cell::Number(i.points),
                i.self_points.map_or(Cell::text("未自评"), Cell::Number),
                i.self_points.map_or(Cell::Empty, |p| {
                    Cell::Number(((p - i.points) * 100.0).round() / 100.0)
                }),
                Cell::text(i.self_note.clone().unwrap_or_default()),
            ]);
        }
    }
    Table {
        sheet: "自评对照".into(),
        title: format!("{}各单位自评与考核得分对照", a.month.label()),
        columns: vec![
            col("序号", 6.0),
            col("单位", 20.0),
            col("考核指标", 28.0),
            col("分值", 8.0),
            col("考核得分", 10.0),
            col("自评得分", 10.0),
            col("差值（自评−考核）", 14.0),
            col("自评说明", 40.0),
        ],
        rows,
    }
}
