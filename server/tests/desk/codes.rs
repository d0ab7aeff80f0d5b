//! Every code the app stores maps to PostgreSQL (through `sqlx::Type`) exactly as pages, URLs
//! and event details write it (`as_str`), both ways.

use std::fmt::Debug;

use app::auth::Role;
use app::datafix::ScriptStatus;
use app::incidents::{Category, DocType, Severity, Side, Status, Step, TransferTarget};
use app::reveals::{IdentityField, RevealReason};
use app::sla::DayKind;
use sqlx::{PgPool, Postgres};

async fn round_trip<T>(pool: &PgPool, codes: &[(T, &str)])
where
    T: for<'r> sqlx::Decode<'r, Postgres>
        + for<'q> sqlx::Encode<'q, Postgres>
        + sqlx::Type<Postgres>
        + Copy
        + Debug
        + PartialEq
        + Send
        + Unpin,
{
    for &(code, text) in codes {
        let stored: String = sqlx::query_scalar("SELECT $1::text")
            .bind(code)
            .fetch_one(pool)
            .await
            .expect("encode");
        assert_eq!(stored, text, "{code:?} as stored");
        let read: T = sqlx::query_scalar("SELECT $1::text")
            .bind(text)
            .fetch_one(pool)
            .await
            .expect("decode");
        assert_eq!(read, code, "{text} as read");
    }
}

fn named<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<(T, &'static str)> {
    all.iter().map(|&code| (code, name(code))).collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn codes_map_to_the_database_as_the_pages_write_them(pool: PgPool) {
    round_trip(&pool, &named(&Status::ALL, Status::as_str)).await;
    round_trip(&pool, &named(&Step::ALL, Step::as_str)).await;
    round_trip(&pool, &named(&Category::ALL, Category::as_str)).await;
    round_trip(&pool, &named(&Severity::ALL, Severity::as_str)).await;
    round_trip(&pool, &named(&TransferTarget::ALL, TransferTarget::as_str)).await;
    round_trip(&pool, &named(&Role::ALL, Role::as_str)).await;
    round_trip(&pool, &named(&DocType::ALL, DocType::as_str)).await;
    round_trip(&pool, &named(&ScriptStatus::ALL, ScriptStatus::as_str)).await;
    round_trip(
        &pool,
        &named(&[Side::Reporter, Side::Handler], Side::as_str),
    )
    .await;
    round_trip(
        &pool,
        &named(&[DayKind::Holiday, DayKind::Workday], DayKind::as_str),
    )
    .await;
    round_trip(&pool, &named(&IdentityField::ALL, IdentityField::as_str)).await;
    round_trip(&pool, &named(&RevealReason::ALL, RevealReason::as_str)).await;

    // A code nobody knows is an error, not a default.
    let unknown = sqlx::query_scalar::<_, Status>("SELECT 'archived'::text")
        .fetch_one(&pool)
        .await;
    assert!(unknown.is_err(), "{unknown:?}");
}
