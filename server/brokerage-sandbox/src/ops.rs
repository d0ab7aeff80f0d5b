//! The endpoints of the three systems, each with its stable operation name, and what every
//! request goes through: switches, the bearer token, the handler, the request log.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::reply::{success, Body, Failure, Outcome};
use crate::{account, check, custody, switches, trading};

#[derive(Clone)]
pub(crate) struct App {
    pub pool: PgPool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum System {
    Account,
    Custody,
    Trading,
}

impl System {
    pub const ALL: [Self; 3] = [Self::Account, Self::Custody, Self::Trading];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Custody => "custody",
            Self::Trading => "trading",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Account => "账户系统",
            Self::Custody => "三方存管系统",
            Self::Trading => "交易系统",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Every operation of the three systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    AccountToken,
    VerifyIdentity,
    CreateCustomer,
    SetContact,
    SetAddress,
    SetOccupation,
    SetEducation,
    SetTaxResidency,
    SetBeneficialOwner,
    SetActualController,
    CheckBadRecord,
    SubmitRiskAssessment,
    AllocateCustomerNo,
    OpenFundAccount,
    SetPasswords,
    OpenShareholderAccount,
    ActivateCustomer,
    GetCustomer,
    CustodyToken,
    ListBanks,
    PresignBank,
    BindBank,
    SetBankPassword,
    ActivateBinding,
    Transfer,
    GetBindings,
    TradingToken,
    SyncCustomer,
    SyncFundAccount,
    RegisterShareholderAccount,
    SignEContract,
    SignRiskDisclosure,
    SetBasicPermissions,
    SignAgreement,
    GetPermissions,
    GetAccount,
}

pub(crate) struct Endpoint {
    pub op: Op,
    pub system: System,
    /// The stable operation name, for switches and the request log.
    pub name: &'static str,
    pub method: &'static str,
    /// Below the system's prefix (`/account`, ...).
    pub path: &'static str,
}

const fn ep(
    op: Op,
    system: System,
    name: &'static str,
    method: &'static str,
    path: &'static str,
) -> Endpoint {
    Endpoint {
        op,
        system,
        name,
        method,
        path,
    }
}

use System::{Account as A, Custody as C, Trading as T};

#[rustfmt::skip]
pub(crate) const ENDPOINTS: &[Endpoint] = &[
    ep(Op::AccountToken, A, "auth_token", "POST", "/auth/token"),
    ep(Op::VerifyIdentity, A, "verify_identity", "POST", "/id-verifications"),
    ep(Op::CreateCustomer, A, "create_customer", "POST", "/applications"),
    ep(Op::SetContact, A, "set_contact", "PUT", "/applications/{apply_no}/contact"),
    ep(Op::SetAddress, A, "set_address", "PUT", "/applications/{apply_no}/address"),
    ep(Op::SetOccupation, A, "set_occupation", "PUT", "/applications/{apply_no}/occupation"),
    ep(Op::SetEducation, A, "set_education", "PUT", "/applications/{apply_no}/education"),
    ep(Op::SetTaxResidency, A, "set_tax_residency", "PUT", "/applications/{apply_no}/tax-residency"),
    ep(Op::SetBeneficialOwner, A, "set_beneficial_owner", "PUT", "/applications/{apply_no}/beneficial-owner"),
    ep(Op::SetActualController, A, "set_actual_controller", "PUT", "/applications/{apply_no}/actual-controller"),
    ep(Op::CheckBadRecord, A, "check_bad_record", "POST", "/applications/{apply_no}/bad-record-checks"),
    ep(Op::SubmitRiskAssessment, A, "submit_risk_assessment", "POST", "/applications/{apply_no}/risk-assessments"),
    ep(Op::AllocateCustomerNo, A, "allocate_customer_no", "POST", "/applications/{apply_no}/customer-no"),
    ep(Op::OpenFundAccount, A, "open_fund_account", "POST", "/customers/{customer_no}/fund-accounts"),
    ep(Op::SetPasswords, A, "set_passwords", "PUT", "/customers/{customer_no}/fund-accounts/{fund_account}/passwords"),
    ep(Op::OpenShareholderAccount, A, "open_shareholder_account", "POST", "/customers/{customer_no}/shareholder-accounts"),
    ep(Op::ActivateCustomer, A, "activate_customer", "POST", "/customers/{customer_no}/activate"),
    ep(Op::GetCustomer, A, "get_customer", "GET", "/customers/{customer_no}"),
    ep(Op::CustodyToken, C, "auth_token", "POST", "/auth/token"),
    ep(Op::ListBanks, C, "list_banks", "GET", "/banks"),
    ep(Op::PresignBank, C, "presign_bank", "POST", "/signings"),
    ep(Op::BindBank, C, "bind_bank", "POST", "/signings/{sign_no}/confirm"),
    ep(Op::SetBankPassword, C, "set_bank_password", "PUT", "/signings/{sign_no}/bank-password"),
    ep(Op::ActivateBinding, C, "activate_binding", "POST", "/signings/{sign_no}/activate"),
    ep(Op::Transfer, C, "transfer", "POST", "/transfers"),
    ep(Op::GetBindings, C, "get_bindings", "GET", "/bindings/{fund_account}"),
    ep(Op::TradingToken, T, "auth_token", "POST", "/auth/token"),
    ep(Op::SyncCustomer, T, "sync_customer", "POST", "/customers"),
    ep(Op::SyncFundAccount, T, "sync_fund_account", "POST", "/accounts"),
    ep(Op::RegisterShareholderAccount, T, "register_shareholder_account", "POST", "/accounts/{fund_account}/shareholder-accounts"),
    ep(Op::SignEContract, T, "sign_e_contract", "POST", "/accounts/{fund_account}/e-contract"),
    ep(Op::SignRiskDisclosure, T, "sign_risk_disclosure", "POST", "/accounts/{fund_account}/risk-disclosure"),
    ep(Op::SetBasicPermissions, T, "set_basic_permissions", "PUT", "/accounts/{fund_account}/permissions"),
    ep(Op::SignAgreement, T, "sign_agreement", "POST", "/accounts/{fund_account}/agreements"),
    ep(Op::GetPermissions, T, "get_permissions", "GET", "/accounts/{fund_account}/permissions"),
    ep(Op::GetAccount, T, "get_account", "GET", "/accounts/{fund_account}"),
];

/// The operation names of a system.
pub(crate) fn operations(system: System) -> impl Iterator<Item = &'static str> {
    ENDPOINTS
        .iter()
        .filter(move |e| e.system == system)
        .map(|e| e.name)
}

fn endpoint(op: Op) -> &'static Endpoint {
    ENDPOINTS
        .iter()
        .find(|e| e.op == op)
        .unwrap_or(&ENDPOINTS[0])
}

/// What a handler reads of a request, and the identifiers it learns for the request log.
pub(crate) struct Call {
    params: HashMap<String, String>,
    body: Bytes,
    ids: Mutex<Ids>,
}

#[derive(Default, Clone)]
struct Ids {
    fund_account: Option<String>,
    customer_no: Option<String>,
}

impl Call {
    /// A path parameter (always present: the route names it).
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    pub fn body(&self) -> Result<Body, Failure> {
        Body::parse(&self.body)
    }

    fn ids(&self) -> std::sync::MutexGuard<'_, Ids> {
        self.ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes the customer a request concerns, for the request log.
    pub fn note_customer(&self, customer_no: Option<&str>) {
        if let Some(no) = customer_no {
            self.ids().customer_no = Some(no.to_owned());
        }
    }

    /// Notes the fund account a request concerns, for the request log.
    pub fn note_fund_account(&self, fund_account: &str) {
        self.ids().fund_account = Some(fund_account.to_owned());
    }
}

async fn run(op: Op, app: &App, call: &Call) -> Outcome {
    match op {
        Op::AccountToken => issue_token(app, System::Account, call).await,
        Op::CustodyToken => issue_token(app, System::Custody, call).await,
        Op::TradingToken => issue_token(app, System::Trading, call).await,
        Op::VerifyIdentity => account::verify_identity(app, call).await,
        Op::CreateCustomer => account::create_customer(app, call).await,
        Op::SetContact => account::set_contact(app, call).await,
        Op::SetAddress => account::set_address(app, call).await,
        Op::SetOccupation => account::set_occupation(app, call).await,
        Op::SetEducation => account::set_education(app, call).await,
        Op::SetTaxResidency => account::set_tax_residency(app, call).await,
        Op::SetBeneficialOwner => account::set_related_person(app, call, "beneficial_owner").await,
        Op::SetActualController => {
            account::set_related_person(app, call, "actual_controller").await
        }
        Op::CheckBadRecord => account::check_bad_record(app, call).await,
        Op::SubmitRiskAssessment => account::submit_risk_assessment(app, call).await,
        Op::AllocateCustomerNo => account::allocate_customer_no(app, call).await,
        Op::OpenFundAccount => account::open_fund_account(app, call).await,
        Op::SetPasswords => account::set_passwords(app, call).await,
        Op::OpenShareholderAccount => account::open_shareholder_account(app, call).await,
        Op::ActivateCustomer => account::activate_customer(app, call).await,
        Op::GetCustomer => account::get_customer(app, call).await,
        Op::ListBanks => Ok(custody::list_banks()),
        Op::PresignBank => custody::presign_bank(app, call).await,
        Op::BindBank => custody::bind_bank(app, call).await,
        Op::SetBankPassword => custody::set_bank_password(app, call).await,
        Op::ActivateBinding => custody::activate_binding(app, call).await,
        Op::Transfer => custody::transfer(app, call).await,
        Op::GetBindings => custody::get_bindings(app, call).await,
        Op::SyncCustomer => trading::sync_customer(app, call).await,
        Op::SyncFundAccount => trading::sync_fund_account(app, call).await,
        Op::RegisterShareholderAccount => trading::register_shareholder_account(app, call).await,
        Op::SignEContract => trading::sign_document(app, call, trading::Document::EContract).await,
        Op::SignRiskDisclosure => {
            trading::sign_document(app, call, trading::Document::RiskDisclosure).await
        }
        Op::SetBasicPermissions => trading::set_basic_permissions(app, call).await,
        Op::SignAgreement => trading::sign_agreement(app, call).await,
        Op::GetPermissions => trading::get_permissions(app, call).await,
        Op::GetAccount => trading::get_account(app, call).await,
    }
}

pub(crate) fn router(app: App) -> Router {
    let mut router = Router::new();
    for endpoint in ENDPOINTS {
        let filter = match endpoint.method {
            "GET" => MethodFilter::GET,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            _ => MethodFilter::POST,
        };
        let op = endpoint.op;
        let path = format!("/{}{}", endpoint.system.as_str(), endpoint.path);
        router = router.route(
            &path,
            on(
                filter,
                move |State(app): State<App>,
                      params: Option<Path<HashMap<String, String>>>,
                      headers: HeaderMap,
                      body: Bytes| async move {
                    handle(
                        app,
                        op,
                        params.map(|Path(p)| p).unwrap_or_default(),
                        headers,
                        body,
                    )
                    .await
                },
            ),
        );
    }
    router
        .merge(switches::router())
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .with_state(app)
}

async fn handle(
    app: App,
    op: Op,
    params: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = endpoint(op);
    let ids = Ids {
        fund_account: params.get("fund_account").cloned(),
        customer_no: params.get("customer_no").cloned(),
    };
    let call = Call {
        params,
        body,
        ids: Mutex::new(ids),
    };
    let outcome = process(&app, endpoint, &headers, &call).await;
    let status = match &outcome {
        Ok(_) => StatusCode::OK,
        Err(failure) => failure.status,
    };
    let ids = call.ids().clone();
    log(
        &app.pool,
        endpoint.system.as_str(),
        endpoint.name,
        status,
        &ids,
    )
    .await;
    match outcome {
        Ok(data) => success(data),
        Err(failure) => failure.into_response(),
    }
}

async fn process(app: &App, endpoint: &Endpoint, headers: &HeaderMap, call: &Call) -> Outcome {
    let active = switches::active(&app.pool, endpoint.system).await?;
    if let Some(delay_ms) = active.delay_ms {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    if active.down {
        return Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "REDEPLOYING",
            "系统发布中，请稍后重试",
        ));
    }
    let is_token = matches!(
        endpoint.op,
        Op::AccountToken | Op::CustodyToken | Op::TradingToken
    );
    if !is_token {
        authorize(&app.pool, endpoint.system, headers).await?;
    }
    if let Some(message) = active.rejections.get(endpoint.name) {
        return Err(Failure::rule("E_REJECTED", message.clone()));
    }
    run(endpoint.op, app, call).await
}

async fn log(pool: &PgPool, system: &str, operation: &str, status: StatusCode, ids: &Ids) {
    let written = sqlx::query(
        "INSERT INTO brokerage_sandbox.requests (system, operation, status, fund_account, customer_no)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(system)
    .bind(operation)
    .bind(i32::from(status.as_u16()))
    .bind(ids.fund_account.as_deref())
    .bind(ids.customer_no.as_deref())
    .execute(pool)
    .await;
    if let Err(error) = written {
        tracing::warn!(%error, "brokerage sandbox: request log not written");
    }
}

/// How long a token lives.
const TOKEN_MINUTES: i64 = 30;

async fn issue_token(app: &App, system: System, call: &Call) -> Outcome {
    let body = call.body()?;
    let app_id = body.text("app_id")?;
    let app_secret = body.text("app_secret")?;
    let known: Option<(String,)> = sqlx::query_as(
        "SELECT app_id FROM brokerage_sandbox.credentials
         WHERE system = $1 AND app_id = $2 AND app_secret = $3",
    )
    .bind(system.as_str())
    .bind(&app_id)
    .bind(&app_secret)
    .fetch_optional(&app.pool)
    .await?;
    if known.is_none() {
        return Err(Failure::unauthorized(
            "E_BAD_CREDENTIALS",
            format!("{}的 app_id 或 app_secret 错误", system.title()),
        ));
    }
    let token = check::token();
    sqlx::query(
        "INSERT INTO brokerage_sandbox.tokens (token, system, expires_at)
         VALUES ($1, $2, now() + make_interval(mins => $3))",
    )
    .bind(&token)
    .bind(system.as_str())
    .bind(TOKEN_MINUTES as i32)
    .execute(&app.pool)
    .await?;
    // Tokens long expired are forgotten now and then.
    sqlx::query("DELETE FROM brokerage_sandbox.tokens WHERE expires_at < now() - interval '1 day'")
        .execute(&app.pool)
        .await?;
    Ok(json!({
        "token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_MINUTES * 60,
    }))
}

async fn authorize(pool: &PgPool, system: System, headers: &HeaderMap) -> Result<(), Failure> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Failure::unauthorized(
                "E_UNAUTHORIZED",
                format!(
                    "缺少访问令牌：请先调用 POST /{}/auth/token，并在请求头 Authorization 中携带 Bearer 令牌",
                    system.as_str()
                ),
            )
        })?;
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT system FROM brokerage_sandbox.tokens WHERE token = $1 AND expires_at > now()",
    )
    .bind(token)
    .fetch_optional(pool)
    .await?;
    match found {
        None => Err(Failure::unauthorized(
            "E_TOKEN_INVALID",
            "访问令牌无效或已过期，请重新获取",
        )),
        Some((owner,)) if owner != system.as_str() => Err(Failure::unauthorized(
            "E_TOKEN_INVALID",
            format!(
                "该令牌属于{}，不能访问{}",
                System::parse(&owner).map_or("其他系统", System::title),
                system.title()
            ),
        )),
        Some(_) => Ok(()),
    }
}

fn system_of(uri: &Uri) -> Option<System> {
    uri.path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .and_then(System::parse)
}

async fn not_found(State(app): State<App>, uri: Uri) -> Response {
    if let Some(system) = system_of(&uri) {
        log(
            &app.pool,
            system.as_str(),
            "unknown",
            StatusCode::NOT_FOUND,
            &Ids::default(),
        )
        .await;
    }
    Failure::not_found(format!("接口不存在：{}", uri.path())).into_response()
}

async fn not_allowed(State(app): State<App>, method: Method, uri: Uri) -> Response {
    if let Some(system) = system_of(&uri) {
        log(
            &app.pool,
            system.as_str(),
            "unknown",
            StatusCode::METHOD_NOT_ALLOWED,
            &Ids::default(),
        )
        .await;
    }
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "E_METHOD_NOT_ALLOWED",
        format!("接口 {} 不支持 {method} 请求", uri.path()),
    )
    .into_response()
}

/// A JSON value for an optional timestamp.
pub(crate) fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(at.to_rfc3339()))
}
