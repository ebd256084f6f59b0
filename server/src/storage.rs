//! The server's storage: the transaction interface of `anjian-storage` and the configured
//! backend, one crate per database (atuin's layout): `anjian-storage-sqlite`, the embedded
//! default, and `anjian-storage-postgres`.

pub use anjian_storage::*;
pub use anjian_storage_postgres as postgres;
pub use anjian_storage_sqlite as sqlite;

/// The configured database.
pub enum Db {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PgDb),
}

impl Db {
    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Runs `work` in one transaction; an `Err` rolls everything back.
    pub fn transact<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        match self {
            Db::Sqlite(db) => db.transact(work),
            Db::Postgres(db) => db.transact(work),
        }
    }

    /// Runs read-only `work` on a reader connection, without taking the write lock.
    pub fn read<T, E>(&self, work: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StorageError>,
    {
        match self {
            Db::Sqlite(db) => db.read(work),
            Db::Postgres(db) => db.read(work),
        }
    }
}
