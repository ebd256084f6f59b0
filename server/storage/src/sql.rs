//! The one primitive both backends give for the statements written once in this crate
//! (accounts, uploads, deliveries, identities, throttles, settings): run SQL that uses
//! PostgreSQL's `$1`… placeholders, and read rows as plain values. Only portable SQL goes through it; a statement that differs between the dialects
//! stays in its backend.

use chrono::{DateTime, Utc};

use crate::{Result, StorageError};

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    /// A point in time (SQLite keeps it as RFC 3339 text, PostgreSQL as timestamptz).
    Time(DateTime<Utc>),
    /// Nulls of each type, or a value.
    OptText(Option<&'a str>),
    OptInt(Option<i64>),
    OptTime(Option<DateTime<Utc>>),
}

/// A value read from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Time(DateTime<Utc>),
}

impl Cell {
    pub fn text(self) -> Result<String> {
        match self {
            Cell::Text(s) => Ok(s),
            other => Err(unexpected("text", &other)),
        }
    }

    pub fn int(self) -> Result<i64> {
        match self {
            Cell::Int(i) => Ok(i),
            other => Err(unexpected("an integer", &other)),
        }
    }

    /// A flag, stored as such or as 0 / 1 (SQLite).
    pub fn flag(self) -> Result<bool> {
        match self {
            Cell::Bool(b) => Ok(b),
            Cell::Int(i) => Ok(i != 0),
            other => Err(unexpected("a flag", &other)),
        }
    }

    /// A point in time, stored as such or as RFC 3339 text.
    pub fn time(self) -> Result<DateTime<Utc>> {
        match self {
            Cell::Time(t) => Ok(t),
            Cell::Text(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StorageError::Other(format!("bad timestamp {s}: {e}"))),
            other => Err(unexpected("a time", &other)),
        }
    }

    /// A point in time, or none for a null.
    pub fn opt_time(self) -> Result<Option<DateTime<Utc>>> {
        match self {
            Cell::Null => Ok(None),
            other => other.time().map(Some),
        }
    }
}

fn unexpected(wanted: &str, found: &Cell) -> StorageError {
    StorageError::Other(format!("expected {wanted} in the column, found {found:?}"))
}

/// A row's `N` columns, for reading by position.
pub fn columns<const N: usize>(row: Vec<Cell>) -> Result<[Cell; N]> {
    let n = row.len();
    row.try_into()
        .map_err(|_| StorageError::Other(format!("expected {N} columns, found {n}")))
}

/// `n` placeholders from `$first` on, comma-separated (an `IN` list).
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Portable SQL run inside the backend's transaction.
pub trait Sql {
    /// Runs one statement that returns no rows; how many rows it changed.
    fn run(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64>;
    /// The rows a statement returns (a query, or a change with `RETURNING`), each as its
    /// columns' values.
    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Cell>>>;

    /// The first column of the first row, if any.
    fn first(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<Cell>> {
        Ok(self
            .rows(sql, args)?
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next()))
    }

    /// The text in the first column of the first row, if any.
    fn text(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<String>> {
        self.first(sql, args)?.map(Cell::text).transpose()
    }

    /// The number a `count(*)` query returns.
    fn count(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
        self.first(sql, args)?.map_or(Ok(0), Cell::int)
    }
}
