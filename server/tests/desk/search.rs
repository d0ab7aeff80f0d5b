//! Chinese full-text search over incidents, against PostgreSQL's index.

use sqlx::PgPool;

use crate::support::Desk;
use app::auth::{store, Role};
use app::incidents::{store as incidents, DocType, NewReport};

async fn file(pool: &PgPool, title: &str, description: &str) -> app::incidents::IncidentNumber {
    let reporter = store::find_active(pool, 1)
        .await
        .expect("query")
        .expect("reporter");
    assert_eq!(reporter.role, Role::Reporter);
    let report = NewReport {
        customer_name: "张三".into(),
        id_doc_type: DocType::IdCard,
        id_number: "11010519491231002X".into(),
        system: "custody".into(),
        title: title.into(),
        description: description.into(),
        ..NewReport::default()
    };
    incidents::create_report(pool, &reporter, uuid::Uuid::new_v4(), &report, &[])
        .await
        .expect("filed")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_chinese_phrase_without_spaces_finds_its_incident(pool: PgPool) {
    let _desk = Desk::new(pool.clone()).await;
    let binding = file(&pool, "三方存管问题", "客户三方存管绑定失败，提示无法绑定").await;
    let trading = file(&pool, "交易问题", "客户下单提示委托被拒绝").await;

    let found = incidents::search_numbers(&pool, "无法绑定三方存管", 20)
        .await
        .expect("search");
    assert_eq!(found, [binding]);
    let found = incidents::search_numbers(&pool, "委托被拒绝", 20)
        .await
        .expect("search");
    assert_eq!(found, [trading]);
    let found = incidents::search_numbers(&pool, &binding.to_string(), 20)
        .await
        .expect("search");
    assert_eq!(found, [binding], "the number is searchable");
    let none = incidents::search_numbers(&pool, "融资融券授信额度", 20)
        .await
        .expect("search");
    assert!(none.is_empty(), "{none:?}");
    let empty = incidents::search_numbers(&pool, "，。 ", 20)
        .await
        .expect("search");
    assert!(empty.is_empty());
}
