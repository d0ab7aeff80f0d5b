//! Reading a business database for a rule: one SELECT, in a read-only transaction with a
//! statement timeout, its rows streamed as text (so a million of them take no more memory
//! than one) and capped.

use std::time::Duration;

use futures_util::stream::{BoxStream, StreamExt};
use sqlx::{Executor, Postgres, Statement, Transaction};

use super::sources::Source;
use super::{select_only, ReadError};

/// How long one query may run and how many rows it may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Duration,
    pub row_cap: u64,
}

impl Limits {
    /// The error a source's failure means, its timeout's figure filled in.
    fn failure(self, error: sqlx::Error) -> ReadError {
        match ReadError::from_source(error) {
            ReadError::Timeout { .. } => ReadError::Timeout {
                secs: self.timeout.as_secs(),
            },
            other => other,
        }
    }
}

/// A row's values as the database prints them; `None` is NULL.
pub type Values = Vec<Option<String>>;

/// One read-only transaction on a source; [`Reader::rows`] runs a query in it.
pub struct Reader {
    tx: Transaction<'static, Postgres>,
    sql: String,
    limits: Limits,
}

/// A query's column names and its rows, in the order asked for.
pub struct Rows<'a> {
    pub columns: Vec<String>,
    rows: BoxStream<'a, Result<Values, sqlx::Error>>,
    limits: Limits,
    read: u64,
}

impl Rows<'_> {
    /// The next row; an error once more rows come than the cap allows.
    pub async fn next(&mut self) -> Result<Option<Values>, ReadError> {
        match self.rows.next().await {
            None => Ok(None),
            Some(Err(error)) => Err(self.limits.failure(error)),
            Some(Ok(_)) if self.read >= self.limits.row_cap => Err(ReadError::TooManyRows {
                cap: self.limits.row_cap,
            }),
            Some(Ok(values)) => {
                self.read += 1;
                Ok(Some(values))
            }
        }
    }
}

impl Reader {
    pub async fn open(source: &Source, limits: Limits) -> Result<Self, ReadError> {
        let fail = |error| limits.failure(error);
        let mut tx = source.pool().begin().await.map_err(fail)?;
        // Read-only is the first thing the transaction says, so nothing before it can write.
        sqlx::query("SET TRANSACTION READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query("SELECT set_config('statement_timeout', $1, true)")
            .bind(format!("{}ms", limits.timeout.as_millis()))
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        Ok(Self {
            tx,
            sql: String::new(),
            limits,
        })
    }

    /// Runs `query`, ordered by the text of column `key` byte by byte when one is given (the
    /// order two sides of a reconciliation are merged in, whatever their collations).
    pub async fn rows<'a>(
        &'a mut self,
        query: &str,
        key: Option<&str>,
    ) -> Result<Rows<'a>, ReadError> {
        let query = select_only(query)?;
        let columns: Vec<String> = self
            .tx
            .prepare(query)
            .await
            .map_err(|error| self.limits.failure(error))?
            .columns()
            .iter()
            .map(|c| sqlx::Column::name(c).to_owned())
            .collect();
        if columns.is_empty() {
            return Err(ReadError::NoColumns);
        }
        let mut sql = format!(
            "SELECT ARRAY[{}]::text[] FROM ({query}) AS q",
            columns
                .iter()
                .map(|c| format!("q.{}::text", quoted(c)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(key) = key {
            if !columns.iter().any(|c| c == key) {
                return Err(ReadError::NoKeyColumn(key.to_owned()));
            }
            sql.push_str(&format!(
                " ORDER BY q.{}::text COLLATE \"C\" NULLS FIRST",
                quoted(key)
            ));
        }
        let limits = self.limits;
        let Self { tx, sql: kept, .. } = self;
        *kept = sql;
        let rows = sqlx::query_scalar::<_, Values>(kept.as_str())
            .fetch(&mut **tx)
            .boxed();
        Ok(Rows {
            columns,
            rows,
            limits,
            read: 0,
        })
    }
}

/// An identifier in double quotes, its own quotes doubled.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_whole() {
        assert_eq!(quoted("card_no"), "\"card_no\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
