//! The primitive the portable statements run on ([`Sql`]), in PostgreSQL.

use chrono::{DateTime, Utc};
use postgres::types::{ToSql, Type};

use anjian_storage::sql::{Arg, Cell, Sql};
use anjian_storage::{Result, StorageError};

use crate::{db, PgTx};

fn values<'a>(args: &'a [Arg<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter()
        .map(|a| match a {
            Arg::Text(s) => s as &(dyn ToSql + Sync),
            Arg::Int(i) => i,
            Arg::Bool(b) => b,
            Arg::Time(t) => t,
            Arg::OptText(s) => s,
            Arg::OptInt(i) => i,
            Arg::OptTime(t) => t,
        })
        .collect()
}

fn cell(row: &postgres::Row, i: usize) -> Result<Cell> {
    let ty = row.columns()[i].type_();
    let value = if *ty == Type::TEXT || *ty == Type::VARCHAR {
        row.try_get::<_, Option<String>>(i)
            .map(|v| v.map(Cell::Text))
    } else if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).map(|v| v.map(Cell::Int))
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)
            .map(|v| v.map(|n| Cell::Int(n.into())))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i).map(|v| v.map(Cell::Bool))
    } else if *ty == Type::TIMESTAMPTZ {
        row.try_get::<_, Option<DateTime<Utc>>>(i)
            .map(|v| v.map(Cell::Time))
    } else {
        let name = row.columns()[i].name();
        return Err(StorageError::Other(format!(
            "column {name} of type {ty} is not read through Sql"
        )));
    };
    Ok(value.map_err(db)?.unwrap_or(Cell::Null))
}

impl Sql for PgTx<'_, '_> {
    fn run(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        self.tx.execute(sql, &values(args)).map_err(db)
    }

    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Vec<Cell>>> {
        self.tx
            .query(sql, &values(args))
            .map_err(db)?
            .iter()
            .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
            .collect()
    }
}
