//! `make bench-help`, the database half: help search over 50,000 published articles, timed at
//! the store (the synonym list read, the query cut into words, the ranked search), in process.
//! Ignored in the test run: it prints figures, it does not judge them.

use std::time::Instant;

use sqlx::PgPool;

const ROUNDS: usize = 20;

/// The benchmark's articles, from the same file the HTTP half loads.
pub async fn seed_generated_articles(pool: &PgPool) {
    app::demo::seed_articles(pool).await.expect("demo articles");
    let mut connection = pool.acquire().await.expect("connection");
    let script = include_str!("../../../end2end/bench/help-articles.sql");
    // One statement at a time on one connection: its temporary tables, and VACUUM outside a
    // transaction.
    for statement in script.split_inclusive(";\n") {
        sqlx::raw_sql(statement)
            .execute(&mut *connection)
            .await
            .expect("seed statement");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
#[ignore = "benchmark: make bench-help"]
async fn bench_help_search_over_fifty_thousand_articles(pool: PgPool) {
    // The desk makes the demo people the articles are written and published by.
    let _desk = crate::support::Desk::new(pool.clone()).await;
    let seeded = Instant::now();
    seed_generated_articles(&pool).await;
    let articles: i64 =
        sqlx::query_scalar("SELECT count(*) FROM help_articles WHERE state = 'published'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert!(articles > 50_000, "{articles} articles");
    println!(
        "seeded {articles} published articles in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("help_search_queries.json")).expect("queries");
    let queries: Vec<&str> = cases
        .iter()
        .map(|case| case["query"].as_str().expect("query"))
        .collect();
    // A first pass warms the caches as a running server's would be.
    for query in &queries {
        app::help::reading::search(&pool, query, None, 0)
            .await
            .expect("search");
    }
    let mut took = Vec::new();
    let mut matched = 0;
    for _ in 0..ROUNDS {
        for query in &queries {
            let started = Instant::now();
            let results = app::help::reading::search(&pool, query, None, 0)
                .await
                .expect("search");
            took.push(started.elapsed().as_secs_f64() * 1000.0);
            matched += results.total;
        }
    }
    // The Rust half alone: the synonym list read and the query cut into words.
    let mut parsing = Vec::new();
    for query in &queries {
        let started = Instant::now();
        let parsed = app::help::reading::parsed(&pool, query)
            .await
            .expect("parse");
        parsing.push(started.elapsed().as_secs_f64() * 1000.0);
        if std::env::var_os("BENCH_SHOW_QUERIES").is_some() {
            if let Some(parsed) = parsed {
                println!("{query}\t{}\t{}", parsed.tsquery, parsed.all_words);
            }
        }
    }
    parsing.sort_by(f64::total_cmp);
    took.sort_by(f64::total_cmp);
    let at = |share: f64| took[((took.len() as f64 * share).ceil() as usize).min(took.len()) - 1];
    println!(
        "help search at the store over {articles} articles: {} searches ({} queries x {ROUNDS}), \
         p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; {} matches a search on average",
        took.len(),
        queries.len(),
        at(0.5),
        at(0.95),
        at(1.0),
        matched / took.len() as i64
    );
    println!(
        "of which reading synonyms and cutting the query: p50 {:.1} ms",
        parsing[parsing.len() / 2]
    );
    println!(
        "budget: help search p95 at the database {:.1} ms, {} 15 ms",
        at(0.95),
        if at(0.95) <= 15.0 { "within" } else { "OVER" }
    );
}
