//! A ledger as data: a title, typed columns and rows. The xlsx writer and the notices' tables
//! both render it, so every ledger is described once.

use chrono::NaiveDate;

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
