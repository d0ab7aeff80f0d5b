//! MySQL-family sources, against the private MariaDB that `make test` starts (Debian ships
//! MariaDB; MySQL differs only in its timeout's name, which the reader falls back to): values
//! read as text, writes refused and nothing changed, a slow query cancelled, and a
//! reconciliation of a MySQL side against a PostgreSQL side merged in one byte order, whatever
//! either database's collation.

use std::time::{Duration, Instant};

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{Executor, MySqlPool, PgPool};

use crate::monitor::Business;
use app::monitor::check;
use app::monitor::reading::Limits;
use app::monitor::sources::{Source, Sources};
use app::monitor::{Check, Query, ReadError, RecordKind};

/// A database of its own on the MariaDB server, dropped when the test ends well.
struct MySqlBusiness {
    name: String,
    admin: MySqlPool,
    pool: MySqlPool,
    sources: Sources,
}

impl MySqlBusiness {
    /// The source `core`, made by `setup` (one statement each).
    async fn new(setup: &[&str]) -> Self {
        let base = std::env::var("MYSQL_TEST_URL")
            .expect("MYSQL_TEST_URL is not set: run the tests through `make test`");
        let admin = MySqlPoolOptions::new()
            .max_connections(1)
            .connect(&base)
            .await
            .expect("MariaDB");
        let name = format!("business_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4").as_str())
            .await
            .expect("create database");
        let options = base
            .parse::<MySqlConnectOptions>()
            .expect("url")
            .database(&name);
        let pool = MySqlPoolOptions::new()
            .max_connections(2)
            .connect_with(options.clone())
            .await
            .expect("business pool");
        for statement in setup {
            pool.execute(*statement).await.expect(statement);
        }
        let sources = Sources::default().with(Source::with_mysql_options(
            "core",
            options,
            format!("mysql:///{name}"),
        ));
        Self {
            name,
            admin,
            pool,
            sources,
        }
    }

    async fn drop_database(self) {
        for source in self.sources.all() {
            source.close().await;
        }
        self.pool.close().await;
        self.admin
            .execute(format!("DROP DATABASE {}", self.name).as_str())
            .await
            .expect("drop database");
    }
}

fn row_check(sql: &str) -> Check {
    Check::RowCheck {
        query: Query {
            source: "core".into(),
            sql: sql.into(),
        },
    }
}

const LIMITS: Limits = Limits {
    timeout: Duration::from_secs(1),
    row_cap: 1000,
};

#[tokio::test]
async fn a_mysql_source_reads_text_refuses_writes_and_cancels_slow_queries() {
    let business = MySqlBusiness::new(&[
        "CREATE TABLE cards (card_no VARCHAR(20), status VARCHAR(10), balance DECIMAL(12, 2),
                             opened DATETIME NULL)",
        "INSERT INTO cards VALUES ('A1', 'frozen', 12.50, '2026-11-30 09:00:00'),
                                  ('A2', 'frozen', 0.00, NULL), ('A3', 'normal', 5.00, NULL)",
        "CREATE TABLE notes (n INT)",
        "CREATE FUNCTION note() RETURNS INT MODIFIES SQL DATA
         BEGIN INSERT INTO notes VALUES (1); RETURN 1; END",
    ])
    .await;
    let sources = business.sources.clone();
    let read = async |sql: &str| check::run(&row_check(sql), &sources, LIMITS, 10).await;

    let frozen =
        read("SELECT card_no, balance, opened FROM cards WHERE status = 'frozen' ORDER BY card_no")
            .await
            .expect("frozen cards");
    assert_eq!(frozen.abnormal, 2);
    assert_eq!(
        frozen.records[0].detail["values"],
        serde_json::json!(["A1", "12.50", "2026-11-30 09:00:00"])
    );
    assert_eq!(
        frozen.records[1].detail["values"],
        serde_json::json!(["A2", "0.00", null])
    );

    let marker = std::env::temp_dir().join(format!("monitor-{}", uuid::Uuid::new_v4()));
    let outfile = format!("SELECT 1 INTO OUTFILE '{}'", marker.display());
    for (sql, refused) in [
        ("UPDATE cards SET status = 'gone'", ReadError::NotASelect),
        ("DROP TABLE cards", ReadError::NotASelect),
        // Past the first word, the read-only transaction refuses.
        ("SELECT note() AS noted", ReadError::WroteInReadOnly),
        // A read-only transaction would let a file be written: such a query returns no
        // columns, and a query is only ever run inside another, where INTO is not allowed.
        (outfile.as_str(), ReadError::NoColumns),
    ] {
        assert_eq!(read(sql).await.err(), Some(refused), "{sql}");
    }
    assert!(!marker.exists(), "no file was written");
    let (cards, notes): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM cards WHERE status = 'frozen'), (SELECT count(*) FROM notes)",
    )
    .fetch_one(&business.pool)
    .await
    .expect("counts");
    assert_eq!((cards, notes), (2, 0), "nothing changed");

    let started = Instant::now();
    let slow = read("SELECT SLEEP(30) AS slept, 1 AS one").await;
    assert_eq!(slow.err(), Some(ReadError::Timeout { secs: 1 }));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reconciliation_of_mysql_against_postgresql_finds_exactly_the_planted_differences(
    pool: PgPool,
) {
    // Upper and lower case, digits as text, accents and Chinese: MariaDB's default collation
    // orders them unlike PostgreSQL's, so only one byte order on both sides merges them.
    let keys = ["10", "9", "A", "a", "B", "b", "Z", "é", "e", "中", "乙"];
    let values = |keys: &[&str], differ: &str| {
        keys.iter()
            .map(|k| {
                let status = if *k == differ { "frozen" } else { "normal" };
                format!("('{k}', '{status}')")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Left (MariaDB) lacks "B"; right (PostgreSQL) lacks "中"; "a" differs.
    let left: Vec<&str> = keys.iter().copied().filter(|k| *k != "B").collect();
    let right: Vec<&str> = keys.iter().copied().filter(|k| *k != "中").collect();
    let mysql = MySqlBusiness::new(&[
        "CREATE TABLE cards (card_no VARCHAR(20), status VARCHAR(10))",
        &format!("INSERT INTO cards VALUES {}", values(&left, "a")),
    ])
    .await;
    let postgres = Business::named(
        &pool,
        "trading",
        &format!(
            "CREATE TABLE cards (card_no TEXT, status TEXT); INSERT INTO cards VALUES {};",
            values(&right, "")
        ),
    )
    .await;
    let mut sources = mysql.sources.clone();
    for source in postgres.sources.all() {
        sources = sources.with(source.clone());
    }
    let check = Check::Reconciliation {
        left: Query {
            source: "core".into(),
            sql: "SELECT card_no, status FROM cards".into(),
        },
        right: Query {
            source: "trading".into(),
            sql: "SELECT card_no, status FROM cards".into(),
        },
        key: "card_no".into(),
        compare: vec!["status".into()],
    };
    let tally = check::run(&check, &sources, LIMITS, 100)
        .await
        .expect("reconciled");
    let mut found: Vec<(RecordKind, Option<String>)> = tally
        .records
        .iter()
        .map(|r| (r.kind, r.key.clone()))
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        [
            (RecordKind::RightOnly, Some("B".to_owned())),
            (RecordKind::Differs, Some("a".to_owned())),
            (RecordKind::LeftOnly, Some("中".to_owned())),
        ]
    );
    assert_eq!((tally.normal, tally.abnormal), (8, 3));
    mysql.drop_database().await;
    postgres.drop_database().await;
}
