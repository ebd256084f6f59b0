//! The primitive the portable statements run on ([`Sql`]), in SQLite: `$N` placeholders
//! become `?N`, times are RFC 3339 text.

use rusqlite::params_from_iter;
use rusqlite::types::{Value, ValueRef};

use anjian_storage::sql::{Arg, Cell, Sql};
use anjian_storage::{Result, StorageError};

use crate::{db, ts, SqliteTx};

/// The statement with SQLite's numbered placeholders (the portable SQL has no other `$`).
fn positional(sql: &str) -> String {
    sql.replace('$', "?")
}

fn value(a: &Arg<'_>) -> Value {
    match *a {
        Arg::Text(s) => Value::Text(s.to_string()),
        Arg::Int(i) => Value::Integer(i),
        Arg::Bool(b) => Value::Integer(b.into()),
        Arg::Time(t) => Value::Text(ts(t)),
        Arg::OptText(s) => s.map_or(Value::Null, |s| Value::Text(s.to_string())),
        Arg::OptInt(i) => i.map_or(Value::Null, Value::Integer),
        Arg::OptTime(t) => t.map_or(Value::Null, |t| Value::Text(ts(t))),
    }
}

fn cell(v: ValueRef<'_>) -> Result<Cell> {
    Ok(match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Text(t) => Cell::Text(
            String::from_utf8(t.to_vec()).map_err(|e| StorageError::backend("sqlite", e))?,
        ),
        other => {
            let kind = other.data_type();
            return Err(StorageError::Other(format!(
                "a {kind} column is not read through Sql"
            )));
        }
    })
}

impl Sql for SqliteTx<'_> {
    fn run(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        let changed = self
            .tx
            .prepare_cached(&positional(sql))
            .map_err(db)?
            .execute(params_from_iter(args.iter().map(value)))
            .map_err(db)?;
        Ok(changed as u64)
    }

    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Cell>>> {
        let mut stmt = self.tx.prepare_cached(&positional(sql)).map_err(db)?;
        let n = stmt.column_count();
        let mut rows = stmt
            .query(params_from_iter(args.iter().map(value)))
            .map_err(db)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db)? {
            let row = (0..n)
                .map(|i| cell(r.get_ref(i).map_err(db)?))
                .collect::<Result<Vec<_>>>()?;
            out.push(row);
        }
        Ok(out)
    }
}
