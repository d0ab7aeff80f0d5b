//! The trading system (交易系统): its copies of customers and fund accounts (synchronised from
//! the account system, which must know them), registered shareholder cards, the electronic
//! contract and risk disclosure, basic trading permissions, and the agreements that open
//! special ones: margin trading (融资融券), ChiNext (创业板) and STAR (科创板).

use serde_json::{json, Value};

use crate::account::{customer_by_number, market_name, owner_of_fund_account, risk_name};
use crate::check;
use crate::ops::{time, App, Call};
use crate::reply::{Failure, Outcome};

/// Permissions granted by `PUT .../permissions`: code, name, market.
const BASIC: [(&str, &str, &str); 6] = [
    ("SH_A", "沪A股票", "SH"),
    ("SZ_A", "深A股票", "SZ"),
    ("SH_FUND", "沪市基金", "SH"),
    ("SZ_FUND", "深市基金", "SZ"),
    ("SH_BOND", "沪市债券", "SH"),
    ("SZ_BOND", "深市债券", "SZ"),
];

/// An agreement, the permission it opens, and what it needs.
struct Agreement {
    code: &'static str,
    document: &'static str,
    product: &'static str,
    permission: &'static str,
    /// Basic permissions of which one must be held.
    needs_one_of: &'static [&'static str],
    min_risk: &'static str,
    /// Cash available the account must hold, in cents.
    min_cents: i64,
}

const AGREEMENTS: [Agreement; 3] = [
    Agreement {
        code: "MARGIN",
        document: "融资融券业务合同",
        product: "融资融券",
        permission: "MARGIN",
        needs_one_of: &["SH_A", "SZ_A"],
        min_risk: "C4",
        min_cents: 500_000 * 100,
    },
    Agreement {
        code: "CHINEXT",
        document: "创业板投资风险揭示书",
        product: "创业板交易",
        permission: "SZ_GEM",
        needs_one_of: &["SZ_A"],
        min_risk: "C4",
        min_cents: 0,
    },
    Agreement {
        code: "STAR",
        document: "科创板股票交易风险揭示书",
        product: "科创板交易",
        permission: "SH_STAR",
        needs_one_of: &["SH_A"],
        min_risk: "C4",
        min_cents: 0,
    },
];

fn permission_name(code: &str) -> &'static str {
    BASIC
        .iter()
        .find(|p| p.0 == code)
        .map(|p| p.1)
        .or_else(|| {
            AGREEMENTS
                .iter()
                .find(|a| a.permission == code)
                .map(|a| a.product)
        })
        .unwrap_or("未知权限")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Document {
    EContract,
    RiskDisclosure,
}

impl Document {
    fn code(self) -> &'static str {
        match self {
            Self::EContract => "E_CONTRACT",
            Self::RiskDisclosure => "RISK_DISCLOSURE",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::EContract => "电子签名约定书",
            Self::RiskDisclosure => "证券交易风险揭示书",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::EContract => "e_contract",
            Self::RiskDisclosure => "risk_disclosure",
        }
    }
}

fn agreed(body: &crate::reply::Body, what: &str) -> Result<(), Failure> {
    if body.flag("agree")? == Some(true) {
        Ok(())
    } else {
        Err(Failure::bad(
            "E_NOT_AGREED",
            format!("须确认同意（agree 为 true）后才能签署{what}"),
        ))
    }
}

pub(crate) async fn sync_customer(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let customer_no = body.text("customer_no")?;
    call.note_customer(Some(&customer_no));
    let owner = customer_by_number(&app.pool, &customer_no)
        .await?
        .ok_or_else(|| {
            Failure::rule(
                "E_UNKNOWN_CUSTOMER",
                format!("账户系统中不存在客户号 {customer_no}"),
            )
        })?;
    if !owner.active() {
        return Err(Failure::rule(
            "E_CUSTOMER_NOT_ACTIVE",
            format!("客户 {customer_no} 在账户系统中尚未激活，交易系统不能同步"),
        ));
    }
    sqlx::query(
        "INSERT INTO brokerage_sandbox.trading_customers (customer_no, name) VALUES ($1, $2)
         ON CONFLICT (customer_no) DO UPDATE SET name = EXCLUDED.name, synced_at = now()",
    )
    .bind(&customer_no)
    .bind(&owner.name)
    .execute(&app.pool)
    .await?;
    Ok(json!({
        "customer_no": customer_no,
        "name": owner.name,
        "risk_level": owner.risk_level,
        "risk_level_name": owner.risk_level.as_deref().map(risk_name),
        "status": "SYNCED",
    }))
}

pub(crate) async fn sync_fund_account(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let customer_no = body.text("customer_no")?;
    let fund_account = body.text("fund_account")?;
    call.note_customer(Some(&customer_no));
    call.note_fund_account(&fund_account);
    let synced: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM brokerage_sandbox.trading_customers WHERE customer_no = $1)",
    )
    .bind(&customer_no)
    .fetch_one(&app.pool)
    .await?;
    if !synced {
        return Err(Failure::rule(
            "E_CUSTOMER_NOT_SYNCED",
            format!("交易系统中尚无客户 {customer_no}，请先同步客户信息"),
        ));
    }
    let owner = owner_of_fund_account(&app.pool, &fund_account)
        .await?
        .ok_or_else(|| {
            Failure::rule(
                "E_UNKNOWN_FUND_ACCOUNT",
                format!("账户系统中不存在资金账号 {fund_account}，交易系统不能登记"),
            )
        })?;
    if owner.customer_no != customer_no {
        return Err(Failure::rule(
            "E_FUND_ACCOUNT_MISMATCH",
            format!("资金账号 {fund_account} 不属于客户 {customer_no}"),
        ));
    }
    sqlx::query(
        "INSERT INTO brokerage_sandbox.trading_accounts (fund_account, customer_no) VALUES ($1, $2)
         ON CONFLICT (fund_account) DO UPDATE SET synced_at = now()",
    )
    .bind(&fund_account)
    .bind(&customer_no)
    .execute(&app.pool)
    .await?;
    Ok(json!({
        "fund_account": fund_account,
        "customer_no": customer_no,
        "currency": "CNY",
        "status": "NORMAL",
        "status_name": "正常",
    }))
}

/// What the trading system knows of the fund account in the path.
struct Known {
    fund_account: String,
    customer_no: String,
    e_contract: bool,
    risk_disclosure: bool,
}

async fn known(app: &App, call: &Call) -> Result<Known, Failure> {
    let fund_account = call.param("fund_account").to_owned();
    let row: Option<(String, bool, bool)> = sqlx::query_as(
        "SELECT customer_no, e_contract_at IS NOT NULL, risk_disclosure_at IS NOT NULL
         FROM brokerage_sandbox.trading_accounts WHERE fund_account = $1",
    )
    .bind(&fund_account)
    .fetch_optional(&app.pool)
    .await?;
    let Some((customer_no, e_contract, risk_disclosure)) = row else {
        return Err(Failure::not_found(format!(
            "交易系统中不存在资金账号 {fund_account}，请先同步资金账户"
        )));
    };
    call.note_customer(Some(&customer_no));
    Ok(Known {
        fund_account,
        customer_no,
        e_contract,
        risk_disclosure,
    })
}

fn documents_signed(known: &Known, what: &str) -> Result<(), Failure> {
    if !known.e_contract {
        return Err(Failure::rule(
            "E_CONTRACT_NOT_SIGNED",
            format!("尚未签署电子签名约定书，不能{what}"),
        ));
    }
    if !known.risk_disclosure {
        return Err(Failure::rule(
            "E_RISK_DISCLOSURE_NOT_SIGNED",
            format!("尚未签署证券交易风险揭示书，不能{what}"),
        ));
    }
    Ok(())
}

pub(crate) async fn register_shareholder_account(app: &App, call: &Call) -> Outcome {
    let known = known(app, call).await?;
    let body = call.body()?;
    let market = body.text("market")?;
    let account = body.text("shareholder_account")?.to_uppercase();
    let (prefix, label) = match market.as_str() {
        "SH" => ('A', "上海股东账户须为 A 加 9 位数字"),
        "SZ" => ('0', "深圳股东账户须为 0 加 9 位数字"),
        _ => {
            return Err(Failure::bad(
                "E_UNKNOWN_MARKET",
                "证券市场 market 须为 SH（上海）或 SZ（深圳）",
            ))
        }
    };
    let well_formed = account.len() == 10
        && account.starts_with(prefix)
        && account[1..].bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return Err(Failure::bad("E_BAD_SHAREHOLDER_ACCOUNT", label));
    }
    let issued: Option<(String,)> = sqlx::query_as(
        "SELECT customer_no FROM brokerage_sandbox.shareholder_accounts
         WHERE account = $1 AND market = $2",
    )
    .bind(&account)
    .bind(&market)
    .fetch_optional(&app.pool)
    .await?;
    match issued {
        None => {
            return Err(Failure::rule(
                "E_UNKNOWN_SHAREHOLDER_ACCOUNT",
                format!("账户系统中不存在{}股东账户 {account}", market_name(&market)),
            ))
        }
        Some((owner,)) if owner != known.customer_no => {
            return Err(Failure::rule(
                "E_SHAREHOLDER_ACCOUNT_MISMATCH",
                format!(
                    "股东账户 {account} 不属于资金账号 {} 的客户",
                    known.fund_account
                ),
            ))
        }
        Some(_) => {}
    }
    let registered: String = sqlx::query_scalar(
        "INSERT INTO brokerage_sandbox.trading_shareholder_accounts (fund_account, market, account)
         VALUES ($1, $2, $3)
         ON CONFLICT (fund_account, market) DO UPDATE SET account = trading_shareholder_accounts.account
         RETURNING account",
    )
    .bind(&known.fund_account)
    .bind(&market)
    .bind(&account)
    .fetch_one(&app.pool)
    .await?;
    if registered != account {
        return Err(Failure::conflict(
            "E_DUPLICATE_SHAREHOLDER_ACCOUNT",
            format!(
                "资金账号 {} 已登记{}股东账户 {registered}",
                known.fund_account,
                market_name(&market)
            ),
        ));
    }
    Ok(json!({
        "fund_account": known.fund_account,
        "market": market,
        "market_name": market_name(&market),
        "shareholder_account": account,
        "status": "REGISTERED",
    }))
}

pub(crate) async fn sign_document(app: &App, call: &Call, document: Document) -> Outcome {
    let known = known(app, call).await?;
    let body = call.body()?;
    agreed(&body, document.name())?;
    let version = body.opt_text("version")?.unwrap_or_else(|| "2024.1".into());
    let column = document.column();
    let signed_at: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(&format!(
        "UPDATE brokerage_sandbox.trading_accounts
         SET {column}_at = coalesce({column}_at, now()),
             {column}_version = coalesce({column}_version, $2)
         WHERE fund_account = $1 RETURNING {column}_at"
    ))
    .bind(&known.fund_account)
    .bind(&version)
    .fetch_one(&app.pool)
    .await?;
    Ok(json!({
        "fund_account": known.fund_account,
        "document": document.code(),
        "document_name": document.name(),
        "version": version,
        "signed_at": time(signed_at),
    }))
}

async fn permissions(
    app: &App,
    fund_account: &str,
) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, Failure> {
    Ok(sqlx::query_as(
        "SELECT permission, granted_at FROM brokerage_sandbox.trading_permissions
         WHERE fund_account = $1 ORDER BY granted_at, permission",
    )
    .bind(fund_account)
    .fetch_all(&app.pool)
    .await?)
}

fn describe_permissions(rows: &[(String, chrono::DateTime<chrono::Utc>)]) -> Vec<Value> {
    rows.iter()
        .map(|(code, at)| {
            json!({
                "code": code,
                "name": permission_name(code),
                "kind": if BASIC.iter().any(|b| b.0 == code) { "BASIC" } else { "SPECIAL" },
                "granted_at": at.to_rfc3339(),
            })
        })
        .collect()
}

async fn markets(app: &App, fund_account: &str) -> Result<Vec<(String, String)>, Failure> {
    Ok(sqlx::query_as(
        "SELECT market, account FROM brokerage_sandbox.trading_shareholder_accounts
         WHERE fund_account = $1 ORDER BY market",
    )
    .bind(fund_account)
    .fetch_all(&app.pool)
    .await?)
}

pub(crate) async fn set_basic_permissions(app: &App, call: &Call) -> Outcome {
    let known = known(app, call).await?;
    let body = call.body()?;
    let wanted = body.texts("permissions")?;
    if wanted.is_empty() {
        return Err(Failure::bad(
            "E_MISSING_FIELD",
            "permissions 不能为空，例如 [\"SH_A\", \"SZ_A\"]",
        ));
    }
    let mut markets_needed = Vec::new();
    for code in &wanted {
        if let Some(agreement) = AGREEMENTS.iter().find(|a| a.permission == code) {
            return Err(Failure::rule(
                "E_AGREEMENT_REQUIRED",
                format!(
                    "{}权限须签署《{}》后开通，不能直接设置（协议代码 {}）",
                    agreement.product, agreement.document, agreement.code
                ),
            ));
        }
        let Some((_, name, market)) = BASIC.iter().find(|b| b.0 == code) else {
            let known: Vec<&str> = BASIC.iter().map(|b| b.0).collect();
            return Err(Failure::bad(
                "E_UNKNOWN_PERMISSION",
                format!("未知交易权限：{code}，可选：{}", known.join("、")),
            ));
        };
        markets_needed.push((*market, *name));
    }
    documents_signed(&known, "开通交易权限")?;
    let registered = markets(app, &known.fund_account).await?;
    for (market, name) in markets_needed {
        if !registered.iter().any(|(m, _)| m == market) {
            return Err(Failure::rule(
                "E_NO_SHAREHOLDER_ACCOUNT",
                format!(
                    "未登记{}股东账户，不能开通{name}交易权限",
                    market_name(market)
                ),
            ));
        }
    }
    let basic: Vec<String> = BASIC.iter().map(|b| b.0.to_owned()).collect();
    let mut tx = app.pool.begin().await?;
    sqlx::query(
        "DELETE FROM brokerage_sandbox.trading_permissions
         WHERE fund_account = $1 AND permission = ANY($2) AND NOT permission = ANY($3)",
    )
    .bind(&known.fund_account)
    .bind(&basic)
    .bind(&wanted)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO brokerage_sandbox.trading_permissions (fund_account, permission)
         SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
    )
    .bind(&known.fund_account)
    .bind(&wanted)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let rows = permissions(app, &known.fund_account).await?;
    Ok(json!({
        "fund_account": known.fund_account,
        "permissions": describe_permissions(&rows),
        "permission_codes": rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
    }))
}

pub(crate) async fn sign_agreement(app: &App, call: &Call) -> Outcome {
    let known = known(app, call).await?;
    let body = call.body()?;
    let code = body.text("agreement")?.to_uppercase();
    let Some(agreement) = AGREEMENTS.iter().find(|a| a.code == code) else {
        return Err(Failure::bad(
            "E_UNKNOWN_AGREEMENT",
            format!("未知协议：{code}，可选 MARGIN（融资融券）、CHINEXT（创业板）、STAR（科创板）"),
        ));
    };
    agreed(&body, &format!("《{}》", agreement.document))?;
    documents_signed(&known, &format!("签署《{}》", agreement.document))?;
    let owner = customer_by_number(&app.pool, &known.customer_no)
        .await?
        .ok_or_else(|| {
            Failure::rule(
                "E_UNKNOWN_CUSTOMER",
                format!("账户系统中不存在客户号 {}", known.customer_no),
            )
        })?;
    let level = owner.risk_level.unwrap_or_default();
    if level.as_str() < agreement.min_risk {
        let shown = if level.is_empty() {
            "未测评".to_owned()
        } else {
            format!("{level}（{}）", risk_name(&level))
        };
        return Err(Failure::rule(
            "E_RISK_LEVEL_TOO_LOW",
            format!(
                "客户风险承受能力等级为 {shown}，低于{}要求的 {}（{}），不能签署《{}》",
                agreement.product,
                agreement.min_risk,
                risk_name(agreement.min_risk),
                agreement.document
            ),
        ));
    }
    let held = permissions(app, &known.fund_account).await?;
    if !agreement
        .needs_one_of
        .iter()
        .any(|p| held.iter().any(|(h, _)| h == p))
    {
        let names: Vec<&str> = agreement
            .needs_one_of
            .iter()
            .map(|p| permission_name(p))
            .collect();
        return Err(Failure::rule(
            "E_BASIC_PERMISSION_REQUIRED",
            format!(
                "开通{}须先开通{}交易权限",
                agreement.product,
                names.join("或")
            ),
        ));
    }
    if agreement.min_cents > 0 {
        let available: i64 = sqlx::query_scalar(
            "SELECT available_cents FROM brokerage_sandbox.fund_accounts WHERE fund_account = $1",
        )
        .bind(&known.fund_account)
        .fetch_optional(&app.pool)
        .await?
        .unwrap_or(0);
        if available < agreement.min_cents {
            return Err(Failure::rule(
                "E_INSUFFICIENT_ASSETS",
                format!(
                    "{}要求资金账户可用资金不低于 {} 元，当前为 {} 元",
                    agreement.product,
                    check::yuan(agreement.min_cents),
                    check::yuan(available)
                ),
            ));
        }
    }
    let mut tx = app.pool.begin().await?;
    let signed_at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "INSERT INTO brokerage_sandbox.trading_agreements (fund_account, agreement) VALUES ($1, $2)
         ON CONFLICT (fund_account, agreement) DO UPDATE SET signed_at = trading_agreements.signed_at
         RETURNING signed_at",
    )
    .bind(&known.fund_account)
    .bind(agreement.code)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO brokerage_sandbox.trading_permissions (fund_account, permission)
         VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(&known.fund_account)
    .bind(agreement.permission)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json!({
        "fund_account": known.fund_account,
        "agreement": agreement.code,
        "agreement_name": agreement.document,
        "permission": agreement.permission,
        "permission_name": agreement.product,
        "signed_at": signed_at.to_rfc3339(),
    }))
}

pub(crate) async fn get_permissions(app: &App, call: &Call) -> Outcome {
    let known = known(app, call).await?;
    let rows = permissions(app, &known.fund_account).await?;
    Ok(json!({
        "fund_account": known.fund_account,
        "permissions": describe_permissions(&rows),
        "permission_codes": rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
    }))
}

pub(crate) async fn get_account(app: &App, call: &Call) -> Outcome {
    let known = known(app, call).await?;
    let owner = customer_by_number(&app.pool, &known.customer_no).await?;
    let cards = markets(app, &known.fund_account).await?;
    let documents: (
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = sqlx::query_as(
        "SELECT e_contract_at, risk_disclosure_at FROM brokerage_sandbox.trading_accounts
         WHERE fund_account = $1",
    )
    .bind(&known.fund_account)
    .fetch_one(&app.pool)
    .await?;
    let signed: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT agreement, signed_at FROM brokerage_sandbox.trading_agreements
         WHERE fund_account = $1 ORDER BY signed_at, agreement",
    )
    .bind(&known.fund_account)
    .fetch_all(&app.pool)
    .await?;
    let mut agreements = Vec::new();
    for (document, at) in [
        (Document::EContract, documents.0),
        (Document::RiskDisclosure, documents.1),
    ] {
        if let Some(at) = at {
            agreements.push(json!({"code": document.code(), "name": document.name(), "signed_at": at.to_rfc3339()}));
        }
    }
    for (code, at) in &signed {
        let name = AGREEMENTS
            .iter()
            .find(|a| a.code == code)
            .map_or("未知协议", |a| a.document);
        agreements.push(json!({"code": code, "name": name, "signed_at": at.to_rfc3339()}));
    }
    let rows = permissions(app, &known.fund_account).await?;
    let cash: Option<(i64, i64)> = sqlx::query_as(
        "SELECT available_cents, withdrawable_cents FROM brokerage_sandbox.fund_accounts
         WHERE fund_account = $1",
    )
    .bind(&known.fund_account)
    .fetch_optional(&app.pool)
    .await?;
    let (available, withdrawable) = cash.unwrap_or((0, 0));
    let risk_level = owner.as_ref().and_then(|o| o.risk_level.clone());
    Ok(json!({
        "fund_account": known.fund_account,
        "customer_no": known.customer_no,
        "name": owner.as_ref().map(|o| o.name.clone()),
        "status": "NORMAL",
        "status_name": "正常",
        "risk_level": risk_level,
        "risk_level_name": risk_level.as_deref().map(risk_name),
        "shareholder_accounts": cards.iter().map(|(market, account)| json!({
            "market": market,
            "market_name": market_name(market),
            "account": account,
        })).collect::<Vec<_>>(),
        "agreements": agreements,
        "agreement_codes": agreements.iter().filter_map(|a| a["code"].as_str().map(str::to_owned)).collect::<Vec<_>>(),
        "permissions": describe_permissions(&rows),
        "permission_codes": rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "currency": "CNY",
        "cash_available": check::yuan(available),
        "cash_withdrawable": check::yuan(withdrawable),
    }))
}
