//! Masking that hides, in every payload a console role receives: for each document type and
//! identity field, at most the last four characters and never more than a third of an ID or
//! fund account, the surname of a name, the last four digits of a mobile.

use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, Desk};
use app::auth::Role;

/// A customer as typed, and how much of each value may show.
struct Customer {
    name: &'static str,
    doc_type: &'static str,
    doc_number: &'static str,
    fund_account: &'static str,
    mobile: &'static str,
}

const CUSTOMERS: [Customer; 4] = [
    Customer {
        name: "欧阳明",
        doc_type: "id_card",
        doc_number: "11010519491231002X",
        fund_account: "600123",
        mobile: "13800138000",
    },
    Customer {
        name: "Smith",
        doc_type: "passport",
        doc_number: "E98765432",
        fund_account: "310000123456",
        mobile: "13912345678",
    },
    Customer {
        name: "黄大仙",
        doc_type: "hk_macau_permit",
        doc_number: "H12345678",
        fund_account: "123456789",
        mobile: "15011112222",
    },
    Customer {
        name: "林",
        doc_type: "taiwan_permit",
        doc_number: "87654321",
        fund_account: "100000000000000001",
        mobile: "18600001111",
    },
];

/// The visible (unmasked) tail of `masked`, checked against the rule for `value`.
fn assert_hidden(field: &str, masked: &str, value: &str, most: usize) {
    let chars: Vec<char> = value.chars().collect();
    let masked_chars: Vec<char> = masked.chars().collect();
    assert_eq!(
        masked_chars.len(),
        chars.len(),
        "{field}: {masked} keeps the length"
    );
    let shown = masked_chars.iter().filter(|c| **c != '*').count();
    assert!(
        shown <= most,
        "{field}: {masked} shows {shown} of {value}, at most {most}"
    );
    let tail: String = chars[chars.len() - shown..].iter().collect();
    assert!(
        masked.ends_with(&tail),
        "{field}: {masked} shows only the end"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_document_type_and_field_is_masked_for_every_console_role(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let mut numbers = Vec::new();
    for customer in &CUSTOMERS {
        let reply = desk
            .post_json(
                "/api/m/reports",
                &reporter,
                &json!({"client_id": Uuid::new_v4(), "customer_name": customer.name,
                    "id_doc_type": customer.doc_type, "id_number": customer.doc_number,
                    "fund_account": customer.fund_account, "customer_mobile": customer.mobile,
                    "system": "custody", "title": "掩码检查", "description": "每种证件"}),
            )
            .await;
        assert_eq!(
            reply.status.as_u16(),
            201,
            "{}: {}",
            customer.doc_type,
            reply.body
        );
        numbers.push(body(&reply)["number"].as_i64().expect("number"));
    }

    for role in [Role::Handler, Role::Reviewer, Role::Admin] {
        let cookie = desk.session_of(role).await;
        let queue = desk
            .post_json(
                "/api/console/queue",
                &cookie,
                &json!({"filter": {"status": null, "system": null, "assignee": "anyone",
                    "search": ""}, "after": null}),
            )
            .await;
        for (customer, number) in CUSTOMERS.iter().zip(&numbers) {
            let incident = desk.team_incident(&cookie, *number).await;
            let page = desk
                .page(&format!("/console/i/{number}"), Some(&cookie))
                .await;
            for value in [customer.doc_number, customer.fund_account, customer.mobile] {
                for (what, text) in [
                    ("incident", incident.to_string()),
                    ("queue", queue.body.clone()),
                    ("page", page.body.clone()),
                ] {
                    assert!(!text.contains(value), "{role:?} {what}: {value} in full");
                }
            }
            let most = |value: &str| 4.min(value.chars().count() / 3);
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            assert_hidden(
                customer.doc_type,
                &text(&incident["report"]["customer"]["id_number"]),
                customer.doc_number,
                most(customer.doc_number),
            );
            assert_hidden(
                "fund_account",
                &text(&incident["fund_account"]),
                customer.fund_account,
                most(customer.fund_account),
            );
            assert_hidden(
                "mobile",
                &text(&incident["customer_mobile"]),
                customer.mobile,
                4,
            );
            let name = text(&incident["report"]["customer"]["name"]);
            let surname: String = customer.name.chars().take(1).collect();
            assert!(name.starts_with(&surname), "{name}");
            assert!(
                name.chars().skip(1).all(|c| c == '*') && name.chars().count() >= 2,
                "{role:?}: name {name} shows more than the surname"
            );
            if customer.name.chars().count() > 1 {
                assert!(
                    !queue.body.contains(customer.name),
                    "{role:?}: name in the queue"
                );
                assert!(
                    !incident.to_string().contains(customer.name),
                    "{role:?}: name in full"
                );
            }
        }
    }
}
