//! A ledger as data: a title, typed columns and rows. The xlsx writer and the notices' tables
//! both render it, so every ledger is described once.

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A score or ratio, two decimals.
    Number(f64),
    /// Yuan, from fen.
    Money(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    /// A moment as China time to the minute ("2026-11-30 14:05"); empty when there is none.
    pub fn china_time(t: Option<DateTime<Utc>>) -> Cell {
        Cell::Text(t.map_or(String::new(), |t| {
            let china = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
            t.with_timezone(&china).format("%Y-%m-%d %H:%M").to_string()
        }))
    }

    /// How the cell reads in a notice's table.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Number(n) => format!("{n:.2}"),
            Cell::Money(fen) => format!("{}.{:02}", fen / 100, (fen % 100).abs()),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Width in characters of a Latin font (a CJK character takes about two).
    pub width: f64,
}

pub fn col(header: impl Into<String>, width: f64) -> Column {
    Column {
        header: header.into(),
        width,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Sheet name (at most 31 characters).
    pub sheet: String,
    /// The title line above the header ("忠县问题清单台账（2026年11月）").
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A ledger as the county keeps them by hand: the first column is 序号 (1, 2, …), then
    /// `columns` (header, width), one row per item in the order given.
    pub fn numbered<T>(
        sheet: &str,
        title: impl Into<String>,
        columns: &[(&str, f64)],
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(T) -> Vec<Cell>,
    ) -> Table {
        Table {
            sheet: sheet.into(),
            title: title.into(),
            columns: std::iter::once(col("序号", 6.0))
                .chain(columns.iter().map(|(h, w)| col(*h, *w)))
                .collect(),
            rows: items
                .into_iter()
                .enumerate()
                .map(|(n, item)| {
                    let mut cells = vec![Cell::Int(n as i64 + 1)];
                    cells.extend(row(item));
                    cells
                })
                .collect(),
        }
    }
}
