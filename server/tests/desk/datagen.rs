//! Test-data jobs against the brokerage sandbox: the regular recipe builds a real account in 35
//! calls; a redeploying system is waited out; a refusal stops the job at its step, and a retry
//! from that step completes it; no credential reaches a log or a page.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{install_test_keys, Desk};
use app::auth::{CurrentUser, Role};
use app::datagen::params::Params;
use app::datagen::worker::Workers;
use app::datagen::{recipe_store, submit, targets, JobInput, JobStatus, System, TargetInput};
use app::i18n::Locale;

pub struct Sandbox {
    pub base: String,
    pub credentials: brokerage_sandbox::Credentials,
    pub http: reqwest::Client,
}

impl Sandbox {
    pub async fn start(pool: &PgPool) -> Self {
        let credentials = brokerage_sandbox::prepare(pool).await.expect("sandbox");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(brokerage_sandbox::serve(listener, pool.clone()));
        Self {
            base,
            credentials,
            http: reqwest::Client::new(),
        }
    }

    pub fn secrets(&self) -> Vec<(String, String)> {
        let c = &self.credentials;
        [
            ("account", &c.account),
            ("custody", &c.custody),
            ("trading", &c.trading),
        ]
        .into_iter()
        .flat_map(|(system, app)| {
            [
                (format!("{system}_app_id"), app.app_id.clone()),
                (format!("{system}_app_secret"), app.app_secret.clone()),
            ]
        })
        .collect()
    }

    /// A test environment on this sandbox running `concurrency` jobs at once.
    pub async fn target(&self, pool: &PgPool, concurrency: i32) -> i64 {
        install_test_keys();
        let input = TargetInput {
            id: None,
            name: "UAT-test".into(),
            description: String::new(),
            base_urls: System::ALL
                .into_iter()
                .map(|s| (s, format!("{}/{}", self.base, s.as_str())))
                .collect(),
            secrets: self.secrets(),
            concurrency,
        };
        targets::save(pool, &input, None).await.expect("target")
    }

    pub async fn switch(&self, system: &str, body: Value) {
        let reply = self
            .http
            .put(format!("{}/switches/{system}", self.base))
            .json(&body)
            .send()
            .await
            .expect("switch");
        assert!(reply.status().is_success(), "{:?}", reply.text().await);
    }

    pub async fn clear(&self, system: &str) {
        let reply = self
            .http
            .delete(format!("{}/switches/{system}", self.base))
            .send()
            .await
            .expect("clear");
        assert!(reply.status().is_success());
    }

    /// A query endpoint of `system`, with a token of its own.
    async fn query(&self, system: &str, path: &str) -> Value {
        let app = match system {
            "account" => &self.credentials.account,
            "custody" => &self.credentials.custody,
            _ => &self.credentials.trading,
        };
        let token: Value = self
            .http
            .post(format!("{}/{system}/auth/token", self.base))
            .json(&json!({"app_id": app.app_id, "app_secret": app.app_secret}))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        let token = token["data"]["token"].as_str().expect("token").to_owned();
        let reply = self
            .http
            .get(format!("{}/{system}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("query");
        assert!(reply.status().is_success(), "{path}: {}", reply.status());
        reply.json().await.expect("query json")
    }

    /// Requests the sandbox served for `operation` (all when empty).
    pub async fn served(pool: &PgPool, operation: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM brokerage_sandbox.requests WHERE $1 = '' OR operation = $1",
        )
        .bind(operation)
        .fetch_one(pool)
        .await
        .expect("requests")
    }
}

pub async fn handler(pool: &PgPool) -> CurrentUser {
    let (id, login): (i64, String) =
        sqlx::query_as("SELECT id, login FROM users WHERE login = 'handler'")
            .fetch_one(pool)
            .await
            .expect("handler");
    CurrentUser {
        id,
        display_name: login.clone(),
        login,
        role: Role::Handler,
        extra_roles: Vec::new(),
        locale: Locale::Zh,
    }
}

pub async fn recipe_id(pool: &PgPool, key: &str) -> i64 {
    recipe_store::seed_bundled(pool).await.expect("recipes");
    sqlx::query_scalar("SELECT id FROM datagen_recipes WHERE key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .expect("recipe")
}

/// A regular account's job with a synthetic identity.
pub async fn submit_regular(pool: &PgPool, target: i64) -> i64 {
    let input = JobInput {
        recipe_id: recipe_id(pool, "regular-account").await,
        target_id: target,
        params: Params::new(),
        incident: None,
    };
    submit::submit(pool, &handler(pool).await, &input)
        .await
        .expect("submit")
}

pub async fn status(pool: &PgPool, job: i64) -> JobStatus {
    sqlx::query_scalar("SELECT status FROM datagen_jobs WHERE id = $1")
        .bind(job)
        .fetch_one(pool)
        .await
        .expect("status")
}

pub async fn wait_for(pool: &PgPool, job: i64, wanted: JobStatus, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = status(pool, job).await;
        if now == wanted {
            return;
        }
        let failure: Option<String> =
            sqlx::query_scalar("SELECT failure FROM datagen_jobs WHERE id = $1")
                .bind(job)
                .fetch_one(pool)
                .await
                .expect("failure");
        assert!(
            Instant::now() < deadline,
            "job {job} is {now:?}, not {wanted:?} ({failure:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn ok_calls(pool: &PgPool, job: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM datagen_job_steps WHERE job_id = $1 AND outcome = 'ok'",
    )
    .bind(job)
    .fetch_one(pool)
    .await
    .expect("calls")
}

fn start_workers(pool: &PgPool) {
    tokio::spawn(Workers::new(4).run(pool.clone()));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_regular_recipe_builds_an_account_in_35_calls_and_shows_no_secret(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    start_workers(&pool);
    let job = submit_regular(&pool, target).await;
    wait_for(&pool, job, JobStatus::Success, Duration::from_secs(60)).await;

    assert_eq!(ok_calls(&pool, job).await, 35);
    assert_eq!(Sandbox::served(&pool, "").await, 35);
    let result: Value = sqlx::query_scalar("SELECT result FROM datagen_jobs WHERE id = $1")
        .bind(job)
        .fetch_one(&pool)
        .await
        .expect("result");
    let value = |name: &str| -> String {
        result
            .as_array()
            .and_then(|pairs| pairs.iter().find(|p| p[0] == name))
            .and_then(|p| p[1].as_str())
            .unwrap_or_else(|| panic!("{name} in {result}"))
            .to_owned()
    };
    let (customer_no, fund_account) = (value("customer_no"), value("fund_account"));
    assert_eq!(customer_no.len(), 10, "{customer_no}");
    assert_eq!(fund_account.len(), 12, "{fund_account}");

    // The account as the three systems hold it.
    let customer = sandbox
        .query("account", &format!("/customers/{customer_no}"))
        .await
        .to_string();
    assert!(customer.contains(&fund_account), "{customer}");
    assert!(customer.contains(&value("sh_account")), "{customer}");
    assert!(customer.contains(&value("sz_account")), "{customer}");
    let binding = sandbox
        .query("custody", &format!("/bindings/{fund_account}"))
        .await
        .to_string();
    assert!(binding.contains("bank"), "{binding}");
    let trading = sandbox
        .query("trading", &format!("/accounts/{fund_account}"))
        .await
        .to_string();
    assert!(trading.contains(&value("sh_account")), "{trading}");

    // No credential, token or full identity in the log, the job's row or on the page.
    let mut secrets: Vec<String> = sandbox.secrets().into_iter().map(|(_, v)| v).collect();
    let tokens: Vec<String> = sqlx::query_scalar("SELECT token FROM brokerage_sandbox.tokens")
        .fetch_all(&pool)
        .await
        .expect("tokens");
    assert!(tokens.len() >= 3);
    secrets.extend(tokens);
    let (name, id_number): (String, String) = sqlx::query_as(
        "SELECT name, id_number FROM brokerage_sandbox.customers WHERE customer_no = $1",
    )
    .bind(&customer_no)
    .fetch_one(&pool)
    .await
    .expect("customer");
    secrets.push(id_number);
    let log: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' ', url, request_excerpt, response_excerpt, extracted::text, error)
         FROM datagen_job_steps WHERE job_id = $1
         UNION ALL SELECT row_to_json(datagen_jobs)::text FROM datagen_jobs WHERE id = $1",
    )
    .bind(job)
    .fetch_all(&pool)
    .await
    .expect("log");
    let cookie = desk.session_of(Role::Handler).await;
    let page = desk
        .get(&format!("/console/datagen/j/{job}"), &cookie)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&customer_no),
        "the page shows the account"
    );
    for secret in &secrets {
        for text in log.iter().chain([&page.body]) {
            assert!(!text.contains(secret.as_str()), "a secret in {text}");
        }
    }
    assert!(!page.body.contains(&name) || name.chars().count() < 2);
    assert!(log.iter().any(|text| text.contains("******")), "redacted");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_custody_system_down_for_20_seconds_is_waited_out(pool: PgPool) {
    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    sandbox
        .switch("custody", json!({"mode": "down", "seconds": 20}))
        .await;
    let started = Instant::now();
    start_workers(&pool);
    let job = submit_regular(&pool, target).await;
    wait_for(&pool, job, JobStatus::Success, Duration::from_secs(90)).await;
    assert!(started.elapsed() >= Duration::from_secs(19));
    let retried: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM datagen_job_steps
         WHERE job_id = $1 AND outcome = 'retrying' AND status = 503 AND system = 'custody'",
    )
    .bind(job)
    .fetch_one(&pool)
    .await
    .expect("retries");
    assert!(retried >= 3, "{retried} retried calls");
    assert_eq!(ok_calls(&pool, job).await, 35);
    println!(
        "custody down 20 s: job succeeded after {:.1} s with {retried} retried calls",
        started.elapsed().as_secs_f64()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rejected_step_fails_the_job_there_and_a_retry_from_it_completes(pool: PgPool) {
    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    sandbox
        .switch(
            "custody",
            json!({"mode": "reject", "operation": "bind_bank", "message": "银行卡状态异常"}),
        )
        .await;
    start_workers(&pool);
    let job = submit_regular(&pool, target).await;
    wait_for(&pool, job, JobStatus::Failed, Duration::from_secs(60)).await;
    let (step, failure): (String, String) =
        sqlx::query_as("SELECT failed_step, failure FROM datagen_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&pool)
            .await
            .expect("failure");
    assert_eq!(step, "custody.bind");
    assert!(failure.contains("银行卡状态异常"), "{failure}");
    // A rejection is not what a redeploy answers: tried once.
    assert_eq!(Sandbox::served(&pool, "bind_bank").await, 1);

    sandbox.clear("custody").await;
    app::datagen::store::retry_from_failed(&pool, job)
        .await
        .expect("retry");
    wait_for(&pool, job, JobStatus::Success, Duration::from_secs(60)).await;
    // Resumed at the failed step: what came before it ran once.
    assert_eq!(Sandbox::served(&pool, "create_customer").await, 1);
    assert_eq!(Sandbox::served(&pool, "bind_bank").await, 2);
    assert_eq!(ok_calls(&pool, job).await, 35);
    // Retrying or cancelling a job that succeeded is refused in the status's own words.
    let not_now = app::error::AppError::invalid("status", app::error::Problem::NotNow);
    assert_eq!(
        app::datagen::store::retry_from_failed(&pool, job).await,
        Err(not_now.clone())
    );
    assert_eq!(app::datagen::store::cancel(&pool, job).await, Err(not_now));
    assert_eq!(
        app::datagen::store::cancel(&pool, job + 1000).await,
        Err(app::error::AppError::NotFound)
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn cancelling_stops_a_job_after_its_current_call(pool: PgPool) {
    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    sandbox
        .switch("account", json!({"mode": "slow", "delay_ms": 300}))
        .await;
    start_workers(&pool);
    let job = submit_regular(&pool, target).await;
    wait_for(&pool, job, JobStatus::Processing, Duration::from_secs(20)).await;
    app::datagen::store::cancel(&pool, job)
        .await
        .expect("cancel");
    wait_for(&pool, job, JobStatus::Cancelled, Duration::from_secs(20)).await;
    let calls = ok_calls(&pool, job).await;
    assert!(calls < 35, "{calls} calls");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        ok_calls(&pool, job).await,
        calls,
        "nothing after the cancel"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_complex_recipe_binds_two_banks_deposits_and_signs_agreements(pool: PgPool) {
    use app::datagen::params::ParamValue;
    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    start_workers(&pool);
    let many = |items: &[&str]| ParamValue::Many(items.iter().map(|s| (*s).to_owned()).collect());
    let input = JobInput {
        recipe_id: recipe_id(&pool, "complex-account").await,
        target_id: target,
        params: Params::from([
            ("risk_level".to_owned(), ParamValue::One("C5".into())),
            ("banks".to_owned(), many(&["CMB", "ICBC"])),
            (
                "funds_available".to_owned(),
                ParamValue::One("800000".into()),
            ),
            (
                "funds_withdrawable".to_owned(),
                ParamValue::One("300000.5".into()),
            ),
            ("agreements".to_owned(), many(&["MARGIN", "CHINEXT"])),
        ]),
        incident: None,
    };
    let job = submit::submit(&pool, &handler(&pool).await, &input)
        .await
        .expect("submit");
    wait_for(&pool, job, JobStatus::Success, Duration::from_secs(60)).await;
    let fund_account: String = sqlx::query_scalar(
        "SELECT elem->>1 FROM datagen_jobs, jsonb_array_elements(result) elem
         WHERE id = $1 AND elem->>0 = 'fund_account'",
    )
    .bind(job)
    .fetch_one(&pool)
    .await
    .expect("fund account");
    let bindings = sandbox
        .query("custody", &format!("/bindings/{fund_account}"))
        .await
        .to_string();
    assert!(
        bindings.contains("ICBC") && bindings.contains("CMB"),
        "{bindings}"
    );
    let account = sandbox
        .query("trading", &format!("/accounts/{fund_account}"))
        .await
        .to_string();
    for expected in ["MARGIN", "CHINEXT", "800000.00", "300000.50"] {
        assert!(account.contains(expected), "{expected} in {account}");
    }
    assert!(!account.contains("STAR"), "{account}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_key_rotation_reseals_credentials_parameters_and_extracted_values(pool: PgPool) {
    use app::incidents::sealed::{keyring, Column, Keyring};

    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, 4).await;
    start_workers(&pool);
    let job = submit_regular(&pool, target).await;
    wait_for(&pool, job, JobStatus::Success, Duration::from_secs(60)).await;

    let old = keyring().expect("keys");
    let sealed_target = || async {
        sqlx::query_as::<_, (String, Vec<u8>)>(
            "SELECT secrets_key_id, secrets_sealed FROM datagen_targets WHERE id = $1",
        )
        .bind(target)
        .fetch_one(&pool)
        .await
        .expect("target")
    };
    let sealed_job = || async {
        sqlx::query_as::<_, (String, Vec<u8>, String, Vec<u8>)>(
            "SELECT params_key_id, params_sealed, vars_key_id, vars_sealed
             FROM datagen_jobs WHERE id = $1",
        )
        .bind(job)
        .fetch_one(&pool)
        .await
        .expect("job")
    };
    let (target_key, target_sealed) = sealed_target().await;
    let (params_key, params_sealed, vars_key, vars_sealed) = sealed_job().await;
    // Each opens under the old key first, so the comparisons below cannot pass on two errors.
    let secrets = old.open(Column::TargetSecrets, &target_key, &target_sealed);
    let params = old.open(Column::JobParams, &params_key, &params_sealed);
    let vars = old.open(Column::JobVars, &vars_key, &vars_sealed);
    assert!(secrets.is_ok(), "the credentials open under the old key");
    assert!(params.is_ok(), "the parameters open under the old key");
    assert!(vars
        .as_deref()
        .is_ok_and(|vars| vars.contains("customer_no")));

    // The new key first, the old one after it.
    let rotated = Keyring::parse(&format!(
        "{},{}",
        Keyring::generate_entry("next"),
        crate::support::TEST_IDENTITY_KEYS
    ))
    .expect("rotated keys");
    let resealed = app::datagen::reseal::reseal_all(&pool, &rotated)
        .await
        .expect("resealed");
    assert!(resealed >= 2, "the target and the job: {resealed}");

    let (target_key, target_sealed) = sealed_target().await;
    let (params_key, params_sealed, vars_key, vars_sealed) = sealed_job().await;
    assert_eq!([&target_key, &params_key, &vars_key], ["next"; 3]);
    assert_eq!(
        rotated.open(Column::TargetSecrets, "next", &target_sealed),
        secrets
    );
    assert_eq!(
        rotated.open(Column::JobParams, "next", &params_sealed),
        params
    );
    assert_eq!(rotated.open(Column::JobVars, "next", &vars_sealed), vars);
    assert!(old.open(Column::JobVars, "next", &vars_sealed).is_err());
    // Nothing is left under the old key.
    assert_eq!(
        app::datagen::reseal::reseal_all(&pool, &rotated)
            .await
            .expect("resealed"),
        0
    );
}
