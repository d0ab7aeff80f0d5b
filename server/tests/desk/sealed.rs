//! Customer identity at rest: what an older version stored in clear is sealed at start-up, a
//! dump of the database holds no ID number, fund account or mobile in clear, and a handler
//! still finds a customer's incidents by pasting the full ID number.

use std::process::Command;

use serde_json::json;
use sqlx::migrate::Migrator;
use sqlx::PgPool;

use crate::support::{body, install_test_keys, Desk};
use app::auth::Role;
use app::incidents::sealed;

/// The first migration of sealed identity; the schema before it kept identity in clear.
const SEALING_MIGRATION: i64 = 20261130000006;

/// Legacy rows: (ID number, fund account, mobile), as the older version stored them.
const IN_CLEAR: [(&str, &str, &str); 2] = [
    ("11010519491231002X", "310000123456", "13800138000"),
    ("E12345678", "600123", "13912340000"),
];

fn pg_dump() -> std::path::PathBuf {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|dir| dir.path().join("bin/pg_dump"))
        .filter(|path| path.exists())
        .max();
    installed.unwrap_or_else(|| "pg_dump".into())
}

/// The whole database as `pg_dump` writes it.
fn dump(pool: &PgPool) -> String {
    let options = pool.connect_options();
    let host = options.get_socket().map_or_else(
        || options.get_host().into(),
        |dir| dir.clone().into_os_string(),
    );
    let output = Command::new(pg_dump())
        .arg("--host")
        .arg(host)
        .arg("--port")
        .arg(options.get_port().to_string())
        .arg("--username")
        .arg(options.get_username())
        .arg("--no-owner")
        .arg(options.get_database().expect("database name"))
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("dump is text")
}

#[sqlx::test(migrations = false)]
async fn identity_in_clear_is_sealed_and_a_dump_holds_none_of_it(pool: PgPool) {
    // The schema as the previous version left it, with two incidents stored in clear.
    let before = Migrator {
        migrations: server::MIGRATOR
            .migrations
            .iter()
            .filter(|m| m.version < SEALING_MIGRATION)
            .cloned()
            .collect(),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.expect("older schema");
    sqlx::query(
        "INSERT INTO users (login, display_name, role, password_hash)
         VALUES ('legacy_reporter', '旧版客户经理', 'reporter', 'x')",
    )
    .execute(&pool)
    .await
    .expect("reporter");
    for (n, (doc, fund, mobile)) in IN_CLEAR.iter().enumerate() {
        sqlx::query(
            "INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type, id_number,
                                    fund_account, customer_mobile, system_id, title, description)
             SELECT gen_random_uuid(), u.id, '旧客户', $1, $2, $3, $4, s.id, '旧事件', '升级前'
             FROM users u, systems s WHERE u.login = 'legacy_reporter' AND s.code = 'custody'",
        )
        .bind(if n == 0 { "id_card" } else { "passport" })
        .bind(doc)
        .bind(fund)
        .bind(mobile)
        .execute(&pool)
        .await
        .expect("legacy incident");
    }

    // Start-up: the migration, then sealing what was in clear.
    server::MIGRATOR.run(&pool).await.expect("migrations");
    install_test_keys();
    let keyring = sealed::keyring().expect("keys");
    assert_eq!(sealed::reseal_all(&pool, keyring).await.expect("sealed"), 2);
    assert_eq!(sealed::reseal_all(&pool, keyring).await.expect("again"), 0);

    // The demo incidents, filed as the app files them.
    let desk = Desk::new(pool.clone()).await;
    desk.another("reporter2", Role::Reporter).await;
    app::demo::seed_incidents(&pool)
        .await
        .expect("demo incidents");

    let dumped = dump(&pool);
    assert!(
        dumped.contains("三方存管绑定失败"),
        "the dump holds the demo incidents"
    );
    let mut secrets: Vec<&str> = IN_CLEAR.iter().flat_map(|(a, b, c)| [*a, *b, *c]).collect();
    for (customer, ..) in &app::demo::DEMO_INCIDENTS {
        secrets.extend([customer.doc_number, customer.fund_account, customer.mobile]);
    }
    for secret in &secrets {
        assert!(!dumped.contains(secret), "{secret} in clear in the dump");
    }

    // A handler pastes a full ID number, as typed off the card, and finds the incident; the
    // admin reveals it and reads what was stored in clear before.
    let handler = desk.session_of(Role::Handler).await;
    let admin = desk.session_of(Role::Admin).await;
    let found = |search: &'static str| {
        let desk = &desk;
        let handler = &handler;
        async move {
            let reply = desk
                .post_json(
                    "/api/console/queue",
                    handler,
                    &json!({"filter": {"status": null, "system": null, "assignee": "anyone",
                        "search": search}, "after": null}),
                )
                .await;
            body(&reply)["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .filter_map(|row| row["title"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("110105 19491231 002x").await, ["旧事件"]);
    assert_eq!(found("310000887766").await, ["三方存管绑定失败"]);
    assert_eq!(found("15011112222").await, ["委托被拒绝"]);
    assert_eq!(found("11010519491231002").await, Vec::<String>::new());

    let number: i64 = sqlx::query_scalar(
        "SELECT number FROM incidents WHERE id_doc_type = 'passport' AND title = '旧事件'",
    )
    .fetch_one(&pool)
    .await
    .expect("legacy incident");
    for (field, expected) in [
        ("id_number", "E12345678"),
        ("fund_account", "600123"),
        ("customer_mobile", "13912340000"),
    ] {
        let reply = desk
            .post_json(
                "/api/console/reveal",
                &admin,
                &json!({"number": number, "field": field, "reason": "compliance"}),
            )
            .await;
        assert_eq!(body(&reply), json!(expected), "{field}");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn rows_sealed_under_an_old_key_are_resealed_under_the_current_one(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = crate::support::file_report(&desk, &reporter, "换钥", "轮换密钥").await;
    let test_key = sealed::keyring().expect("keys");
    let before: Vec<u8> =
        sqlx::query_scalar("SELECT id_number_sealed FROM incidents WHERE number = $1")
            .bind(number)
            .fetch_one(&pool)
            .await
            .expect("sealed");

    // The new key first, the old one after it.
    let rotated = sealed::Keyring::parse(&format!(
        "{},{}",
        sealed::Keyring::generate_entry("next"),
        crate::support::TEST_IDENTITY_KEYS
    ))
    .expect("rotated keys");
    assert_eq!(
        sealed::reseal_all(&pool, &rotated).await.expect("resealed"),
        1
    );
    let (key_id, after): (String, Vec<u8>) =
        sqlx::query_as("SELECT identity_key_id, id_number_sealed FROM incidents WHERE number = $1")
            .bind(number)
            .fetch_one(&pool)
            .await
            .expect("resealed");
    assert_eq!(key_id, "next");
    assert_ne!(after, before);
    assert_eq!(
        rotated
            .open(sealed::Column::IdNumber, "next", &after)
            .as_deref(),
        Ok("11010519491231002X")
    );
    assert!(test_key
        .open(sealed::Column::IdNumber, "next", &after)
        .is_err());
}
