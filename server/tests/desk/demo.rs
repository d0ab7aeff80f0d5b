//! The demo data a first start loads gives every page something true to show: eight weeks of
//! worked incidents for the service report and two knowledge sessions.

use sqlx::PgPool;

use app::reports::{Period, PeriodKind};

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_demo_history_fills_the_report_and_the_sessions(pool: PgPool) {
    crate::support::install_test_keys();
    assert!(app::demo::seed_if_empty(&pool).await.expect("seeded"));

    let today = app::time::to_shanghai(chrono::Utc::now()).date_naive();
    let last_week = Period::containing(PeriodKind::Week, today).back(1);
    let report = app::reports::store::report(&pool, last_week)
        .await
        .expect("report");
    // Every one of the nine weeks up to last week holds worked incidents but the oldest.
    let reported: Vec<i64> = report.trend.iter().map(|p| p.reported).collect();
    assert_eq!(reported[0], 0, "{reported:?}");
    assert!(reported[1..].iter().all(|n| *n >= 6), "{reported:?}");
    assert!(
        report.current().resolved >= 6,
        "the past's incidents are resolved"
    );
    assert!(report.first_response.count > 0);
    assert!(!report.subcategories.is_empty());

    let sessions = app::sessions::store::list(&pool, None)
        .await
        .expect("sessions");
    assert_eq!(sessions.len(), 2);
    // The upcoming one first; the one held two weeks ago has its results and effect.
    let held = &sessions[1];
    assert_eq!(held.live_audience, Some(86));
    assert!(held.effect.before > 0, "{:?}", held.effect);

    // The timeline of a worked incident tells its story.
    let steps: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM incident_events WHERE incident_id =
             (SELECT id FROM incidents WHERE status = 'closed' ORDER BY id LIMIT 1)
         ORDER BY created_at",
    )
    .fetch_all(&pool)
    .await
    .expect("steps");
    assert_eq!(steps, ["reported", "claimed", "resolved", "closed"]);
}
