//! Reading a business database for a rule: one SELECT, in a read-only transaction with a
//! statement timeout, its rows streamed as text (so a million of them take no more memory
//! than one) and capped. PostgreSQL and MySQL (or MariaDB) differ only in how that is said.

use std::time::Duration;

use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use sqlx::{Executor, MySql, Postgres, Row, Statement, Transaction};

use super::sources::{Connections, Source};
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
    tx: Tx,
    sql: String,
    limits: Limits,
}

enum Tx {
    Postgres(Transaction<'static, Postgres>),
    MySql(Transaction<'static, MySql>),
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
        let tx = match source.connections() {
            Connections::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(fail)?;
                // Read-only is the first thing the transaction says, so nothing before it can
                // write.
                sqlx::query("SET TRANSACTION READ ONLY")
                    .execute(&mut *tx)
                    .await
                    .map_err(fail)?;
                sqlx::query("SELECT set_config('statement_timeout', $1, true)")
                    .bind(format!("{}ms", limits.timeout.as_millis()))
                    .execute(&mut *tx)
                    .await
                    .map_err(fail)?;
                Tx::Postgres(tx)
            }
            Connections::MySql(pool) => {
                // Read-only already: the source makes every transaction of its connections so.
                let mut tx = pool.begin().await.map_err(fail)?;
                // MariaDB names the timeout in seconds, MySQL (SELECTs only) in milliseconds.
                let mariadb = format!(
                    "SET SESSION max_statement_time = {}",
                    limits.timeout.as_secs_f64()
                );
                if tx.execute(mariadb.as_str()).await.is_err() {
                    let mysql = format!(
                        "SET SESSION max_execution_time = {}",
                        limits.timeout.as_millis()
                    );
                    tx.execute(mysql.as_str()).await.map_err(fail)?;
                }
                Tx::MySql(tx)
            }
        };
        Ok(Self {
            tx,
            sql: String::new(),
            limits,
        })
    }

    /// Runs `query`, ordered by the text of column `key` byte by byte when one is given (the
    /// order two sides of a reconciliation are merged in, whatever their collations and
    /// databases). The query runs inside another, so nothing but reading is ever executed
    /// (no `SELECT … INTO` a table or a file).
    pub async fn rows<'a>(
        &'a mut self,
        query: &str,
        key: Option<&str>,
    ) -> Result<Rows<'a>, ReadError> {
        let query = select_only(query)?;
        let failure = |error| self.limits.failure(error);
        let (columns, dialect) = match &mut self.tx {
            Tx::Postgres(tx) => (
                names(tx.prepare(query).await.map_err(failure)?.columns()),
                Dialect::Postgres,
            ),
            Tx::MySql(tx) => (
                names(tx.prepare(query).await.map_err(failure)?.columns()),
                Dialect::MySql,
            ),
        };
        if columns.is_empty() {
            return Err(ReadError::NoColumns);
        }
        if let Some(key) = key {
            if !columns.iter().any(|c| c == key) {
                return Err(ReadError::NoKeyColumn(key.to_owned()));
            }
        }
        let limits = self.limits;
        let Self { tx, sql: kept, .. } = self;
        *kept = dialect.as_text(query, &columns, key);
        let rows = match tx {
            Tx::Postgres(tx) => sqlx::query_scalar::<_, Values>(kept.as_str())
                .fetch(&mut **tx)
                .boxed(),
            Tx::MySql(tx) => {
                let width = columns.len();
                sqlx::query(kept.as_str())
                    .fetch(&mut **tx)
                    .and_then(move |row| async move {
                        (0..width)
                            .map(|i| row.try_get::<Option<String>, _>(i))
                            .collect()
                    })
                    .boxed()
            }
        };
        Ok(Rows {
            columns,
            rows,
            limits,
            read: 0,
        })
    }
}

#[derive(Clone, Copy)]
enum Dialect {
    Postgres,
    MySql,
}

impl Dialect {
    /// `query`'s columns as text (PostgreSQL: one text array a row), ordered by the UTF-8
    /// bytes of `key`'s text, NULL first, when one is given. The query ends its own line, so
    /// a comment closing it cannot swallow the parenthesis.
    fn as_text(self, query: &str, columns: &[String], key: Option<&str>) -> String {
        let list = |each: &dyn Fn(&str) -> String| {
            columns
                .iter()
                .map(|c| each(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Postgres => {
                let mut sql = format!(
                    "SELECT ARRAY[{}]::text[] FROM ({query}\n) AS q",
                    list(&|c| format!("q.{}::text", quoted(c)))
                );
                if let Some(key) = key {
                    sql.push_str(&format!(
                        " ORDER BY q.{}::text COLLATE \"C\" NULLS FIRST",
                        quoted(key)
                    ));
                }
                sql
            }
            Self::MySql => {
                let text = |c: &str| format!("CAST(q.{} AS CHAR)", backquoted(c));
                let mut sql = format!("SELECT {} FROM ({query}\n) AS q", list(&text));
                if let Some(key) = key {
                    // Ascending, MySQL puts NULL first already.
                    sql.push_str(&format!(" ORDER BY CAST({} AS BINARY)", text(key)));
                }
                sql
            }
        }
    }
}

fn names<C: sqlx::Column>(columns: &[C]) -> Vec<String> {
    columns.iter().map(|c| c.name().to_owned()).collect()
}

/// An identifier in double quotes, its own quotes doubled.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A MySQL identifier in backquotes, its own backquotes doubled.
fn backquoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_whole() {
        assert_eq!(quoted("card_no"), "\"card_no\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
        assert_eq!(backquoted("a`b"), "`a``b`");
    }

    #[test]
    fn each_database_reads_text_ordered_by_bytes() {
        let columns = ["card_no".to_owned(), "status".to_owned()];
        assert_eq!(
            Dialect::MySql.as_text(
                "SELECT card_no, status FROM cards",
                &columns,
                Some("card_no")
            ),
            "SELECT CAST(q.`card_no` AS CHAR), CAST(q.`status` AS CHAR) \
             FROM (SELECT card_no, status FROM cards\n) AS q \
             ORDER BY CAST(CAST(q.`card_no` AS CHAR) AS BINARY)"
        );
        assert_eq!(
            Dialect::Postgres.as_text("SELECT 1 AS n", &["n".to_owned()], None),
            "SELECT ARRAY[q.\"n\"::text]::text[] FROM (SELECT 1 AS n\n) AS q"
        );
    }
}
