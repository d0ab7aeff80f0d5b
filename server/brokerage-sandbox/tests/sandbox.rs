//! The sandbox served on loopback and driven over HTTP: the bundled recipes run step by step
//! (by a small runner that follows the recipe format: templates, `each`, `when`, extraction),
//! validation, tokens, switches, and concurrent preparation.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use brokerage_sandbox::Credentials;
use serde_json::{json, Map, Value};
use sqlx::PgPool;

const REGULAR: &str = include_str!("../../../app/src/datagen/recipes/regular-account.toml");
const COMPLEX: &str = include_str!("../../../app/src/datagen/recipes/complex-account.toml");

/// A served sandbox.
struct Sandbox {
    base: String,
    http: reqwest::Client,
    credentials: Credentials,
    pool: PgPool,
}

async fn start(pool: PgPool) -> Sandbox {
    let credentials = brokerage_sandbox::prepare(&pool).await.expect("prepared");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let address = listener.local_addr().expect("address");
    tokio::spawn(brokerage_sandbox::serve(listener, pool.clone()));
    Sandbox {
        base: format!("http://{address}"),
        http: reqwest::Client::new(),
        credentials,
        pool,
    }
}

impl Sandbox {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    async fn token(&self, system: &str) -> String {
        let credential = match system {
            "account" => &self.credentials.account,
            "custody" => &self.credentials.custody,
            _ => &self.credentials.trading,
        };
        let (status, body) = self
            .send(
                "POST",
                &format!("/{system}/auth/token"),
                None,
                Some(json!({"app_id": credential.app_id, "app_secret": credential.app_secret})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["token"].as_str().expect("token").to_owned()
    }

    fn secrets(&self) -> Value {
        let c = &self.credentials;
        json!({
            "account_app_id": c.account.app_id, "account_app_secret": c.account.app_secret,
            "custody_app_id": c.custody.app_id, "custody_app_secret": c.custody.app_secret,
            "trading_app_id": c.trading.app_id, "trading_app_secret": c.trading.app_secret,
        })
    }

    async fn logged(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM brokerage_sandbox.requests")
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }
}

/// An ID number with its GB 11643 check character.
fn id_number(first_17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first_17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first_17}{check}")
}

/// Someone born on 7 March 1990.
fn adult_id(sequence: u32) -> String {
    id_number(&format!("11010119900307{sequence:03}"))
}

// ------------------------------------------------------------------ a small recipe runner

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

fn recipe(source: &str) -> Value {
    let parsed: toml::Value = toml::from_str(source).expect("recipe parses");
    serde_json::to_value(parsed).expect("as JSON")
}

fn steps(recipe: &Value) -> &Vec<Value> {
    recipe["steps"].as_array().expect("steps")
}

/// What a run made.
#[derive(Debug)]
struct Run {
    calls: usize,
    vars: Map<String, Value>,
    results: Map<String, Value>,
}

/// Runs `source` against the sandbox as the engine would; a failed step answers its name,
/// status and body.
async fn run(sandbox: &Sandbox, source: &str, params: Value) -> Result<Run, (String, u16, Value)> {
    let env = environment();
    let recipe = recipe(source);
    let mut vars = Map::new();
    let mut calls = 0;
    let context = |vars: &Map<String, Value>, item: Option<(&Value, usize)>| {
        let mut context = json!({
            "params": params,
            "vars": vars,
            "secrets": sandbox.secrets(),
            "job": {"id": 7, "today": "20261201"},
        });
        if let Some((item, index)) = item {
            context["item"] = item.clone();
            context["loop_index"] = json!(index);
        }
        context
    };
    for step in steps(&recipe) {
        let text = |key: &str| step.get(key).and_then(Value::as_str);
        let name = text("name").expect("name").to_owned();
        if let Some(when) = text("when") {
            let go = env
                .compile_expression(when)
                .expect("when compiles")
                .eval(context(&vars, None))
                .expect("when evaluates");
            if !go.is_true() {
                continue;
            }
        }
        let items: Option<Vec<Value>> = text("each").map(|each| {
            let list = env
                .compile_expression(each)
                .expect("each compiles")
                .eval(context(&vars, None))
                .expect("each evaluates");
            serde_json::to_value(&list)
                .expect("list")
                .as_array()
                .cloned()
                .expect("each gives a list")
        });
        let rounds = items.as_ref().map_or(1, Vec::len);
        for index in 0..rounds {
            let item = items.as_ref().map(|items| (&items[index], index));
            let ctx = context(&vars, item);
            let render = |template: &str| {
                env.render_str(template, &ctx)
                    .unwrap_or_else(|e| panic!("{name}: {e:#}"))
            };
            let path = render(text("path").expect("path"));
            let system = text("system").expect("system");
            let method = reqwest::Method::from_bytes(text("method").expect("method").as_bytes())
                .expect("method");
            let mut request = sandbox
                .http
                .request(method, format!("{}/{system}{path}", sandbox.base));
            if let Some(headers) = step.get("headers").and_then(Value::as_object) {
                for (header, value) in headers {
                    request = request.header(header, render(value.as_str().expect("header")));
                }
            }
            if let Some(body) = text("body") {
                let body = render(body);
                serde_json::from_str::<Value>(&body)
                    .unwrap_or_else(|e| panic!("{name}: body is not JSON ({e}): {body}"));
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let response = request.send().await.expect("sent");
            calls += 1;
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("JSON answer");
            let expected: Vec<u64> = step
                .get("expect_status")
                .and_then(Value::as_array)
                .map(|s| s.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_else(|| vec![200, 201]);
            if !expected.contains(&u64::from(status)) {
                return Err((name, status, body));
            }
            for assertion in step
                .get("assert")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let pointer = assertion["pointer"].as_str().expect("pointer");
                let found = body.pointer(pointer).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                assert_eq!(
                    found.as_deref(),
                    assertion["equals"].as_str(),
                    "{name}: {pointer} in {body}"
                );
            }
            for extract in step
                .get("extract")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let var = extract["name"].as_str().expect("name");
                let pointer = extract["pointer"].as_str().expect("pointer");
                let value = body
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("{name}: no {pointer} in {body}"))
                    .clone();
                if items.is_some() {
                    match vars.get_mut(var) {
                        Some(Value::Array(list)) => list.push(value),
                        _ => {
                            vars.insert(var.to_owned(), json!([value]));
                        }
                    }
                } else {
                    vars.insert(var.to_owned(), value);
                }
            }
        }
    }
    let ctx = context(&vars, None);
    let mut results = Map::new();
    for field in recipe["result"].as_array().into_iter().flatten() {
        let value = env
            .render_str(field["value"].as_str().expect("value"), &ctx)
            .expect("result renders");
        results.insert(
            field["name"].as_str().expect("name").to_owned(),
            json!(value),
        );
    }
    Ok(Run {
        calls,
        vars,
        results,
    })
}

fn var<'a>(run: &'a Run, name: &str) -> &'a str {
    run.vars[name].as_str().expect("text var")
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

// ------------------------------------------------------------------ the recipes as data

/// Every `vars.X` a template uses is extracted by an earlier step (any step, for results);
/// every `params.X` is declared; secrets are the six a target holds.
fn check_references(source: &str) {
    let recipe = recipe(source);
    let declared: BTreeSet<String> = recipe["params"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["name"].as_str().expect("param name").to_owned())
        .collect();
    let secrets: BTreeSet<String> = ["account", "custody", "trading"]
        .iter()
        .flat_map(|s| [format!("{s}_app_id"), format!("{s}_app_secret")])
        .collect();
    let mut extracted = BTreeSet::new();
    let mut names = BTreeSet::new();
    let check = |text: &str, known: &BTreeSet<String>, place: &str| {
        for (prefix, allowed) in [
            ("vars.", known),
            ("params.", &declared),
            ("secrets.", &secrets),
        ] {
            for (at, _) in text.match_indices(prefix) {
                if at > 0 && text.as_bytes()[at - 1].is_ascii_alphanumeric() {
                    continue;
                }
                let name: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    allowed.contains(&name),
                    "{place}: {prefix}{name} is not known there"
                );
            }
        }
    };
    for step in steps(&recipe) {
        let name = step["name"].as_str().expect("step name");
        assert!(names.insert(name.to_owned()), "step {name} twice");
        let mut texts: Vec<&str> = ["path", "body", "each", "when"]
            .iter()
            .filter_map(|k| step.get(*k).and_then(Value::as_str))
            .collect();
        if let Some(headers) = step.get("headers").and_then(Value::as_object) {
            texts.extend(headers.values().filter_map(Value::as_str));
        }
        for text in texts {
            check(text, &extracted, name);
        }
        for extract in step
            .get("extract")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            extracted.insert(extract["name"].as_str().expect("extract name").to_owned());
        }
    }
    for field in recipe["result"].as_array().into_iter().flatten() {
        check(
            field["value"].as_str().expect("value"),
            &extracted,
            "result",
        );
    }
    // Each template compiles.
    let env = environment();
    for step in steps(&recipe) {
        for key in ["path", "body"] {
            if let Some(text) = step.get(key).and_then(Value::as_str) {
                env.template_from_str(text).expect("template compiles");
            }
        }
    }
}

#[test]
fn the_recipes_are_well_formed_and_the_regular_one_makes_35_calls() {
    let regular = recipe(REGULAR);
    assert_eq!(regular["key"], "regular-account");
    assert_eq!(steps(&regular).len(), 35);
    assert!(steps(&regular)
        .iter()
        .all(|s| s.get("each").is_none() && s.get("when").is_none()));
    let per_system = |recipe: &Value, system: &str| {
        steps(recipe)
            .iter()
            .filter(|s| s["system"] == system)
            .count()
    };
    assert_eq!(per_system(&regular, "account"), 18);
    assert_eq!(per_system(&regular, "custody"), 7);
    assert_eq!(per_system(&regular, "trading"), 10);
    let complex = recipe(COMPLEX);
    assert_eq!(complex["key"], "complex-account");
    let loops: Vec<&str> = steps(&complex)
        .iter()
        .filter_map(|s| s.get("each").and_then(Value::as_str))
        .collect();
    assert_eq!(loops.iter().filter(|e| **e == "params.banks").count(), 4);
    assert_eq!(
        loops.iter().filter(|e| **e == "params.agreements").count(),
        1
    );
    check_references(REGULAR);
    check_references(COMPLEX);
}

// ------------------------------------------------------------------ the recipes run

#[sqlx::test]
async fn the_regular_recipe_builds_a_customer_seen_by_all_three_systems(pool: PgPool) {
    let sandbox = start(pool).await;
    let id = adult_id(123);
    let run = run(
        &sandbox,
        REGULAR,
        json!({"customer_name": "张三", "id_number": id}),
    )
    .await
    .expect("the recipe runs");
    assert_eq!(run.calls, 35);
    let systems: Vec<String> =
        sqlx::query_scalar("SELECT system FROM brokerage_sandbox.requests ORDER BY id")
            .fetch_all(&sandbox.pool)
            .await
            .expect("log");
    let mut expected = vec!["account"; 18];
    expected.extend(["custody"; 7]);
    expected.extend(["trading"; 10]);
    assert_eq!(systems, expected);
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM brokerage_sandbox.requests WHERE status <> 200")
            .fetch_one(&sandbox.pool)
            .await
            .expect("log");
    assert_eq!(failures, 0);

    let customer_no = var(&run, "customer_no");
    let fund_account = var(&run, "fund_account");
    assert!(digits(customer_no, 10), "{customer_no}");
    assert!(digits(fund_account, 12), "{fund_account}");
    let logged_for_account: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM brokerage_sandbox.requests WHERE fund_account = $1",
    )
    .bind(fund_account)
    .fetch_one(&sandbox.pool)
    .await
    .expect("log");
    assert!(logged_for_account >= 15, "{logged_for_account}");
    assert_eq!(run.results["customer_no"], customer_no);

    let account = sandbox.token("account").await;
    let (status, customer) = sandbox
        .send(
            "GET",
            &format!("/account/customers/{customer_no}"),
            Some(&account),
            None,
        )
        .await;
    assert_eq!(status, 200, "{customer}");
    let data = &customer["data"];
    assert_eq!(data["name"], "张三");
    assert_eq!(data["id_number"], id.as_str());
    assert_eq!(data["status"], "ACTIVE");
    assert_eq!(data["risk_level"], "C3");
    assert_eq!(data["fund_accounts"][0]["fund_account"], fund_account);
    let cards = data["shareholder_accounts"].as_array().expect("cards");
    assert_eq!(cards.len(), 2);
    let sh = cards[0]["account"].as_str().expect("SH");
    let sz = cards[1]["account"].as_str().expect("SZ");
    assert_eq!(cards[0]["market"], "SH");
    assert!(sh.starts_with('A') && digits(&sh[1..], 9), "{sh}");
    assert!(sz.starts_with('0') && digits(sz, 10), "{sz}");
    assert_eq!(var(&run, "sh_account"), sh);

    let custody = sandbox.token("custody").await;
    let (status, bindings) = sandbox
        .send(
            "GET",
            &format!("/custody/bindings/{fund_account}"),
            Some(&custody),
            None,
        )
        .await;
    assert_eq!(status, 200, "{bindings}");
    let binding = &bindings["data"]["bindings"][0];
    assert_eq!(binding["status"], "ACTIVE");
    assert_eq!(binding["is_main"], true);
    let card = binding["bank_card_no"].as_str().expect("card");
    assert!((16..=19).contains(&card.len()) && card.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(bindings["data"]["available"], "0.00");

    let trading = sandbox.token("trading").await;
    let (status, trade) = sandbox
        .send(
            "GET",
            &format!("/trading/accounts/{fund_account}"),
            Some(&trading),
            None,
        )
        .await;
    assert_eq!(status, 200, "{trade}");
    let data = &trade["data"];
    assert_eq!(
        data["shareholder_accounts"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        data["agreement_codes"],
        json!(["E_CONTRACT", "RISK_DISCLOSURE"])
    );
    assert_eq!(data["permission_codes"], json!(["SH_A", "SZ_A"]));
    assert_eq!(data["cash_available"], "0.00");
    assert_eq!(data["cash_withdrawable"], "0.00");

    // The trading system refuses what the account system does not know.
    let (status, body) = sandbox
        .send(
            "POST",
            "/trading/accounts",
            Some(&trading),
            Some(json!({"customer_no": customer_no, "fund_account": "999999999999"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_UNKNOWN_FUND_ACCOUNT"))
    );
    let (status, body) = sandbox
        .send(
            "POST",
            "/trading/customers",
            Some(&trading),
            Some(json!({"customer_no": "1234567890"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_UNKNOWN_CUSTOMER"))
    );
    // A C3 customer may not sign the ChiNext agreement.
    let (status, body) = sandbox
        .send(
            "POST",
            &format!("/trading/accounts/{fund_account}/agreements"),
            Some(&trading),
            Some(json!({"agreement": "CHINEXT", "agree": true})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_RISK_LEVEL_TOO_LOW"))
    );
    assert!(
        body["message"].as_str().expect("message").contains("C3"),
        "{body}"
    );
    // Running it again for the same person: one customer per ID number.
    let again = self::run(
        &sandbox,
        REGULAR,
        json!({"customer_name": "张三", "id_number": id}),
    )
    .await
    .expect_err("a second account is refused");
    assert_eq!(again.0, "account.create_customer");
    assert_eq!(
        (again.1, again.2["code"].as_str()),
        (409, Some("E_DUPLICATE_ID"))
    );
}

fn complex_params(
    id: &str,
    risk: &str,
    available: &str,
    withdrawable: &str,
    agreements: &[&str],
) -> Value {
    json!({
        "customer_name": "欧阳娜娜",
        "id_number": id,
        "risk_level": risk,
        "banks": ["ICBC", "CCB", "CMB"],
        "funds_available": available,
        "funds_withdrawable": withdrawable,
        "agreements": agreements,
    })
}

#[sqlx::test]
async fn the_complex_recipe_binds_banks_deposits_and_signs_agreements(pool: PgPool) {
    let sandbox = start(pool).await;
    let params = complex_params(
        &adult_id(321),
        "C4",
        "600000.00",
        "450000.00",
        &["MARGIN", "CHINEXT", "STAR"],
    );
    let run = run(&sandbox, COMPLEX, params)
        .await
        .expect("the recipe runs");
    // 18 account, 2 + 3 × 4 + deposit + query custody, 10 + 3 agreements trading.
    assert_eq!(run.calls, 18 + 2 + 12 + 1 + 1 + 10 + 3);
    assert_eq!(sandbox.logged().await, 47);
    assert_eq!(run.results["risk_level"], "C4");
    assert_eq!(run.results["main_bank"], "ICBC");
    assert_eq!(run.results["agreements"], "MARGIN、CHINEXT、STAR");
    let main_card = run.results["main_bank_card_no"].as_str().expect("card");
    assert!(main_card.starts_with("622202"), "{main_card}");

    let fund_account = var(&run, "fund_account").to_owned();
    let custody = sandbox.token("custody").await;
    let (_, bindings) = sandbox
        .send(
            "GET",
            &format!("/custody/bindings/{fund_account}"),
            Some(&custody),
            None,
        )
        .await;
    let data = &bindings["data"];
    assert_eq!(data["bindings"].as_array().map(Vec::len), Some(3));
    assert_eq!(data["main_bank_code"], "ICBC");
    assert_eq!(data["main_bank_card_no"], main_card);
    assert_eq!(data["available"], "600000.00");
    assert_eq!(data["withdrawable"], "450000.00");

    let trading = sandbox.token("trading").await;
    let (_, account) = sandbox
        .send(
            "GET",
            &format!("/trading/accounts/{fund_account}"),
            Some(&trading),
            None,
        )
        .await;
    let data = &account["data"];
    assert_eq!(data["cash_available"], "600000.00");
    assert_eq!(data["cash_withdrawable"], "450000.00");
    assert_eq!(data["risk_level"], "C4");
    assert_eq!(
        data["permission_codes"],
        json!(["SH_A", "SZ_A", "MARGIN", "SZ_GEM", "SH_STAR"])
    );
    assert_eq!(
        data["agreement_codes"],
        json!(["E_CONTRACT", "RISK_DISCLOSURE", "MARGIN", "CHINEXT", "STAR"])
    );

    // Only the withdrawable part may leave today.
    let sign_no = run.vars["sign_no"][0].as_str().expect("sign").to_owned();
    let out = |amount: &str| json!({"sign_no": sign_no, "direction": "SECURITIES_TO_BANK", "amount": amount, "fund_password": "258369"});
    let (status, body) = sandbox
        .send(
            "POST",
            "/custody/transfers",
            Some(&custody),
            Some(out("450000.01")),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_INSUFFICIENT_WITHDRAWABLE"))
    );
    let (status, body) = sandbox
        .send(
            "POST",
            "/custody/transfers",
            Some(&custody),
            Some(out("1000")),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["available"], "599000.00");
    assert_eq!(body["data"]["withdrawable"], "449000.00");
    // The same deposit request again is the deposit already made.
    let (status, body) = sandbox
        .send(
            "POST",
            "/custody/transfers",
            Some(&custody),
            Some(json!({
                "request_no": format!("DG-{fund_account}-1"), "sign_no": sign_no,
                "direction": "BANK_TO_SECURITIES", "amount": "600000.00",
                "withdrawable_amount": "450000.00", "bank_password": "369258",
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["available"], "599000.00");
}

#[sqlx::test]
async fn the_complex_recipe_is_refused_with_the_business_reason(pool: PgPool) {
    let sandbox = start(pool).await;
    // ChiNext needs C4.
    let refused = run(
        &sandbox,
        COMPLEX,
        complex_params(&adult_id(1), "C3", "0.00", "0.00", &["CHINEXT"]),
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.0, "trading.agreements");
    assert_eq!(
        (refused.1, refused.2["code"].as_str()),
        (422, Some("E_RISK_LEVEL_TOO_LOW"))
    );
    // Margin trading needs 500,000 available.
    let refused = run(
        &sandbox,
        COMPLEX,
        complex_params(&adult_id(2), "C5", "100000.00", "100000.00", &["MARGIN"]),
    )
    .await
    .expect_err("refused");
    assert_eq!(
        (refused.1, refused.2["code"].as_str()),
        (422, Some("E_INSUFFICIENT_ASSETS"))
    );
    assert!(refused.2["message"]
        .as_str()
        .expect("message")
        .contains("500000.00"));
    // Withdrawable cannot exceed available.
    let refused = run(
        &sandbox,
        COMPLEX,
        complex_params(&adult_id(3), "C4", "1000.00", "2000.00", &[]),
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.0, "custody.deposit");
    assert_eq!(
        (refused.1, refused.2["code"].as_str()),
        (422, Some("E_WITHDRAWABLE_EXCEEDS"))
    );
    // No money and no agreement: the deposit is skipped, the rest runs.
    let run = run(
        &sandbox,
        COMPLEX,
        complex_params(&adult_id(4), "C1", "0.00", "0.00", &[]),
    )
    .await
    .expect("runs");
    assert_eq!(run.calls, 18 + 2 + 12 + 1 + 10);
    assert_eq!(run.results["risk_level"], "C1");
    assert_eq!(run.results["agreements"], "无");
}

// ------------------------------------------------------------------ validation and order

#[sqlx::test]
async fn identities_are_checked_and_the_order_enforced(pool: PgPool) {
    let sandbox = start(pool).await;
    let token = sandbox.token("account").await;
    let verify = |name: &str, id: &str| json!({"name": name, "id_number": id});

    let mut bad_checksum = adult_id(5);
    let last = if bad_checksum.ends_with('0') {
        "1"
    } else {
        "0"
    };
    bad_checksum.replace_range(17.., last);
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("李四", &bad_checksum)),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_INVALID_ID_NUMBER"))
    );
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("校验位"),
        "{body}"
    );

    let (status, body) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("李4", &adult_id(5))),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_INVALID_NAME"))
    );

    let (status, body) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("李四", &id_number("11010119901332123"))),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_INVALID_ID_NUMBER"))
    );

    // Under 18: verified, but no account.
    use chrono::Datelike;
    let year = chrono::Utc::now().year() - 10;
    let child = id_number(&format!("310101{year}0101123"));
    let (status, verified) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("王小明", &child)),
        )
        .await;
    assert_eq!(status, 200, "{verified}");
    let create = |name: &str, id: &str, verification: &Value| json!({"name": name, "id_number": id, "verification_no": verification["data"]["verification_no"]});
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/applications",
            Some(&token),
            Some(create("王小明", &child, &verified)),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("E_UNDERAGE")));

    // Not verified, or verified as someone else.
    let id = adult_id(6);
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/applications",
            Some(&token),
            Some(json!({"name": "赵六", "id_number": id, "verification_no": "GA0000"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_ID_NOT_VERIFIED"))
    );
    let (_, verified) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("赵六", &id)),
        )
        .await;
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/applications",
            Some(&token),
            Some(create("钱七", &id, &verified)),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_ID_NOT_VERIFIED"))
    );

    let (status, created) = sandbox
        .send(
            "POST",
            "/account/applications",
            Some(&token),
            Some(create("赵六", &id, &verified)),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let apply_no = created["data"]["apply_no"]
        .as_str()
        .expect("apply_no")
        .to_owned();

    // One customer per ID number.
    let (_, verified_again) = sandbox
        .send(
            "POST",
            "/account/id-verifications",
            Some(&token),
            Some(verify("赵六", &id)),
        )
        .await;
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/applications",
            Some(&token),
            Some(create("赵六", &id, &verified_again)),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("E_DUPLICATE_ID"))
    );

    // Malformed fields.
    let (status, body) = sandbox
        .send(
            "PUT",
            &format!("/account/applications/{apply_no}/contact"),
            Some(&token),
            Some(json!({"mobile": "12345678901"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_INVALID_MOBILE"))
    );
    let (status, body) = sandbox
        .send(
            "PUT",
            &format!("/account/applications/{apply_no}/contact"),
            Some(&token),
            Some(json!({"email": "a@b.cn"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_MISSING_FIELD"))
    );

    // No customer number before the profile is complete; it names what is missing.
    let (status, body) = sandbox
        .send(
            "POST",
            &format!("/account/applications/{apply_no}/customer-no"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_PROFILE_INCOMPLETE"))
    );
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("联系方式") && message.contains("风险承受能力测评"),
        "{message}"
    );

    let (status, body) = sandbox
        .send(
            "POST",
            "/account/applications/KH000/customer-no",
            Some(&token),
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("E_NOT_FOUND")));

    // Custody refuses a fund account the account system does not know.
    let custody = sandbox.token("custody").await;
    let (status, body) = sandbox
        .send(
            "POST",
            "/custody/signings",
            Some(&custody),
            Some(json!({"fund_account": "100000000000", "bank_code": "ICBC", "customer_name": "赵六", "id_number": id})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_UNKNOWN_FUND_ACCOUNT"))
    );
    let (status, body) = sandbox
        .send(
            "POST",
            "/custody/signings",
            Some(&custody),
            Some(json!({"fund_account": "1"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_MISSING_FIELD"))
    );

    let (status, body) = sandbox
        .send("POST", "/account/applications", Some(&token), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_MISSING_FIELD"))
    );
    let response = sandbox
        .http
        .post(format!("{}/account/applications", sandbox.base))
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
}

// ------------------------------------------------------------------ tokens

#[sqlx::test]
async fn every_system_wants_its_own_token(pool: PgPool) {
    let sandbox = start(pool).await;
    let (status, body) = sandbox.send("GET", "/custody/banks", None, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("E_UNAUTHORIZED"))
    );
    let (status, _) = sandbox
        .send("GET", "/account/customers/1234567890", None, None)
        .await;
    assert_eq!(status, 401);

    let account = sandbox.token("account").await;
    let (status, body) = sandbox
        .send("GET", "/custody/banks", Some(&account), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("E_TOKEN_INVALID"))
    );
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("账户系统"),
        "{body}"
    );
    let (status, _) = sandbox
        .send("GET", "/custody/banks", Some("made-up"), None)
        .await;
    assert_eq!(status, 401);

    let custody = sandbox.token("custody").await;
    let (status, body) = sandbox
        .send("GET", "/custody/banks", Some(&custody), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], "0");
    assert_eq!(body["message"], "成功");
    assert!(body["data"]["banks"].as_array().expect("banks").len() >= 5);

    let (status, body) = sandbox
        .send(
            "POST",
            "/trading/auth/token",
            None,
            Some(json!({"app_id": sandbox.credentials.trading.app_id, "app_secret": "wrong"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("E_BAD_CREDENTIALS"))
    );
    let (status, body) = sandbox
        .send(
            "POST",
            "/trading/auth/token",
            None,
            Some(json!({
                "app_id": sandbox.credentials.account.app_id,
                "app_secret": sandbox.credentials.account.app_secret,
            })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("E_BAD_CREDENTIALS"))
    );

    let (status, body) = sandbox.send("GET", "/account/nowhere", None, None).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("E_NOT_FOUND")));
    // Every request served is logged, failures too.
    assert_eq!(sandbox.logged().await, 10);
}

// ------------------------------------------------------------------ switches

#[sqlx::test]
async fn switches_take_a_system_down_slow_it_and_reject_an_operation(pool: PgPool) {
    let sandbox = start(pool).await;
    let custody = sandbox.token("custody").await;

    // Down for a second: 503, then served again.
    let (status, body) = sandbox
        .send(
            "PUT",
            "/switches/account",
            None,
            Some(json!({"mode": "down", "seconds": 1})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, listed) = sandbox.send("GET", "/switches", None, None).await;
    assert_eq!(listed["data"]["switches"][0]["mode"], "down");
    assert!(listed["data"]["operations"]["custody"]
        .as_array()
        .expect("operations")
        .contains(&json!("bind_bank")));
    let credential = &sandbox.credentials.account;
    let token_body = json!({"app_id": credential.app_id, "app_secret": credential.app_secret});
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/auth/token",
            None,
            Some(token_body.clone()),
        )
        .await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({"code": "REDEPLOYING", "message": "系统发布中，请稍后重试"})
    );
    // Other systems are not affected.
    let (status, _) = sandbox
        .send("GET", "/custody/banks", Some(&custody), None)
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let (status, body) = sandbox
        .send(
            "POST",
            "/account/auth/token",
            None,
            Some(token_body.clone()),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Down until cleared.
    sandbox
        .send(
            "PUT",
            "/switches/account",
            None,
            Some(json!({"mode": "down"})),
        )
        .await;
    let (status, _) = sandbox
        .send(
            "POST",
            "/account/auth/token",
            None,
            Some(token_body.clone()),
        )
        .await;
    assert_eq!(status, 503);
    let (status, _) = sandbox
        .send("DELETE", "/switches/account", None, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = sandbox
        .send("POST", "/account/auth/token", None, Some(token_body))
        .await;
    assert_eq!(status, 200);

    // Reject one operation with a message until cleared.
    let (status, body) = sandbox
        .send(
            "PUT",
            "/switches/custody",
            None,
            Some(json!({"mode": "reject", "operation": "list_banks", "message": "银行卡状态异常"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = sandbox
        .send("GET", "/custody/banks", Some(&custody), None)
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"code": "E_REJECTED", "message": "银行卡状态异常"})
    );
    let (status, _) = sandbox
        .send(
            "GET",
            "/custody/bindings/100000000000",
            Some(&custody),
            None,
        )
        .await;
    assert_eq!(status, 404, "another operation is not rejected");
    sandbox
        .send("DELETE", "/switches/custody", None, None)
        .await;
    let (status, _) = sandbox
        .send("GET", "/custody/banks", Some(&custody), None)
        .await;
    assert_eq!(status, 200);

    // Slow: each request waits first.
    let (status, _) = sandbox
        .send(
            "PUT",
            "/switches/trading",
            None,
            Some(json!({"mode": "slow", "delay_ms": 700})),
        )
        .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    sandbox.token("trading").await;
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    sandbox
        .send("DELETE", "/switches/trading", None, None)
        .await;
    let started = Instant::now();
    sandbox.token("trading").await;
    assert!(started.elapsed() < Duration::from_millis(700));

    // Several at once, one per system and mode, a reject per operation.
    for body in [
        json!({"mode": "reject", "operation": "bind_bank", "message": "银行卡状态异常"}),
        json!({"mode": "reject", "operation": "presign_bank"}),
        json!({"mode": "slow", "delay_ms": 10}),
    ] {
        let (status, answer) = sandbox
            .send("PUT", "/switches/custody", None, Some(body))
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    let (_, listed) = sandbox.send("GET", "/switches", None, None).await;
    assert_eq!(listed["data"]["switches"].as_array().map(Vec::len), Some(3));
    let (status, body) = sandbox
        .send(
            "DELETE",
            "/switches/custody?mode=reject&operation=bind_bank",
            None,
            None,
        )
        .await;
    assert_eq!((status, &body["data"]["cleared"]), (200, &json!(1)));
    let (status, body) = sandbox.send("DELETE", "/switches", None, None).await;
    assert_eq!((status, &body["data"]["cleared"]), (200, &json!(2)));

    // Unknown systems, modes and operations are refused clearly.
    let (status, body) = sandbox
        .send(
            "PUT",
            "/switches/billing",
            None,
            Some(json!({"mode": "down"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_UNKNOWN_SYSTEM"))
    );
    let (status, body) = sandbox
        .send(
            "PUT",
            "/switches/account",
            None,
            Some(json!({"mode": "explode"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_UNKNOWN_MODE"))
    );
    let (status, body) = sandbox
        .send(
            "PUT",
            "/switches/account",
            None,
            Some(json!({"mode": "reject", "operation": "bind_bank"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_UNKNOWN_OPERATION"))
    );
    let (status, _) = sandbox
        .send(
            "PUT",
            "/switches/account",
            None,
            Some(json!({"mode": "slow"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = sandbox
        .send("DELETE", "/switches/billing", None, None)
        .await;
    assert_eq!(status, 400);

    // Requests refused by a switch are logged with their status.
    let unavailable: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM brokerage_sandbox.requests WHERE status = 503 AND system = 'account'",
    )
    .fetch_one(&sandbox.pool)
    .await
    .expect("log");
    assert_eq!(unavailable, 2);
}

// ------------------------------------------------------------------ preparation

#[sqlx::test]
async fn two_prepares_at_once_both_succeed_with_the_same_credentials(pool: PgPool) {
    let (first, second) = tokio::join!(
        brokerage_sandbox::prepare(&pool),
        brokerage_sandbox::prepare(&pool)
    );
    let first = first.expect("first");
    assert_eq!(first, second.expect("second"));
    assert_eq!(
        first,
        brokerage_sandbox::prepare(&pool).await.expect("third")
    );
    assert_ne!(first.account.app_id, first.custody.app_id);
    assert!(first.trading.app_secret.len() >= 32);
}

#[sqlx::test]
async fn regular_accounts_built_at_once_do_not_disturb_each_other(pool: PgPool) {
    let sandbox = start(pool).await;
    let params = |n: u32| json!({"customer_name": "孙悟空", "id_number": adult_id(500 + n)});
    let (a, b, c, d) = tokio::join!(
        run(&sandbox, REGULAR, params(1)),
        run(&sandbox, REGULAR, params(2)),
        run(&sandbox, REGULAR, params(3)),
        run(&sandbox, REGULAR, params(4)),
    );
    let runs = [a, b, c, d].map(|r| r.expect("the recipe runs"));
    let accounts: BTreeSet<&str> = runs.iter().map(|r| var(r, "fund_account")).collect();
    assert_eq!(accounts.len(), 4);
    assert_eq!(sandbox.logged().await, 4 * 35);
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM brokerage_sandbox.requests WHERE status <> 200")
            .fetch_one(&sandbox.pool)
            .await
            .expect("log");
    assert_eq!(failures, 0);
}
