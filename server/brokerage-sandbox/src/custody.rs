//! Third-party custody (三方存管): binding a bank to a fund account (pre-sign, confirm with
//! the SMS code, bank password, activation) and bank-to-securities transfers (银证转账).
//!
//! Balances: a bank-to-securities transfer adds its amount to the cash available at once; its
//! `withdrawable_amount` (the whole amount when omitted) is the part that counts as settled
//! and may be transferred back out today. The rest stands for same-day money that is available
//! for trading but not withdrawable until settlement.

use serde_json::{json, Value};
use sqlx::{Postgres, Transaction};

use crate::account::{owner_of_fund_account, unused};
use crate::check;
use crate::ops::{time, App, Call};
use crate::reply::{Failure, Outcome};

/// Code, name, card BIN, card length.
const BANKS: [(&str, &str, &str, usize); 10] = [
    ("ICBC", "中国工商银行", "622202", 19),
    ("ABC", "中国农业银行", "622848", 19),
    ("BOC", "中国银行", "621661", 19),
    ("CCB", "中国建设银行", "621700", 19),
    ("BOCOM", "交通银行", "622262", 19),
    ("CMB", "招商银行", "621483", 16),
    ("SPDB", "上海浦东发展银行", "622521", 16),
    ("CIB", "兴业银行", "622909", 18),
    ("CITIC", "中信银行", "622690", 16),
    ("PAB", "平安银行", "621626", 19),
];

/// How many banks one fund account may bind.
const MAX_BANKS: i64 = 5;
/// How long an SMS code stays good.
const SMS_MINUTES: i32 = 10;

fn bank_name(code: &str) -> &'static str {
    BANKS
        .iter()
        .find(|b| b.0 == code)
        .map_or("未知银行", |b| b.1)
}

fn status_name(status: &str) -> &'static str {
    match status {
        "PRESIGNED" => "预签约",
        "CONFIRMED" => "已确认",
        "ACTIVE" => "已生效",
        _ => "未知",
    }
}

pub(crate) fn list_banks() -> Value {
    let banks: Vec<Value> = BANKS
        .iter()
        .map(|(code, name, _, length)| {
            json!({
                "bank_code": code,
                "bank_name": name,
                "card_length": length,
                "bank_to_securities": true,
                "securities_to_bank": true,
            })
        })
        .collect();
    json!({"banks": banks})
}

/// Locks the fund account's row: bindings and transfers of one account go one at a time.
async fn lock_fund_account(
    tx: &mut Transaction<'_, Postgres>,
    fund_account: &str,
) -> Result<(), Failure> {
    sqlx::query("SELECT 1 FROM brokerage_sandbox.fund_accounts WHERE fund_account = $1 FOR UPDATE")
        .bind(fund_account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn presign_bank(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let fund_account = body.text("fund_account")?;
    let bank_code = body.text("bank_code")?.to_uppercase();
    let name = body.text("customer_name")?;
    let id_number = check::normalize_id(&body.text("id_number")?);
    let Some((_, bank, bin, length)) = BANKS.iter().find(|b| b.0 == bank_code) else {
        let known: Vec<&str> = BANKS.iter().map(|b| b.0).collect();
        return Err(Failure::bad(
            "E_UNKNOWN_BANK",
            format!("不支持的存管银行：{bank_code}，可选：{}", known.join("、")),
        ));
    };
    call.note_fund_account(&fund_account);
    let owner = owner_of_fund_account(&app.pool, &fund_account)
        .await?
        .ok_or_else(|| {
            Failure::rule(
                "E_UNKNOWN_FUND_ACCOUNT",
                format!("资金账号 {fund_account} 在账户系统中不存在，请先开立资金账户"),
            )
        })?;
    call.note_customer(Some(&owner.customer_no));
    if !owner.active() {
        return Err(Failure::rule(
            "E_CUSTOMER_NOT_ACTIVE",
            "客户在账户系统中尚未激活，不能办理三方存管签约",
        ));
    }
    if owner.name != name || owner.id_number != id_number {
        return Err(Failure::rule(
            "E_IDENTITY_MISMATCH",
            "户名或证件号码与资金账户的开户信息不一致",
        ));
    }
    let mut tx = app.pool.begin().await?;
    lock_fund_account(&mut tx, &fund_account).await?;
    let existing: Option<(String, String, String)> = sqlx::query_as(
        "SELECT sign_no, status, bank_card_no FROM brokerage_sandbox.signings
         WHERE fund_account = $1 AND bank_code = $2",
    )
    .bind(&fund_account)
    .bind(&bank_code)
    .fetch_optional(&mut *tx)
    .await?;
    let sms_code = check::digits(6);
    let (sign_no, card) = match existing {
        Some((_, status, _)) if status != "PRESIGNED" => {
            return Err(Failure::conflict(
                "E_DUPLICATE_BINDING",
                format!("资金账户 {fund_account} 已签约{bank}，不能重复签约"),
            ));
        }
        // Pre-signed again: the same signing, with a new SMS code.
        Some((sign_no, _, card)) => {
            sqlx::query(
                "UPDATE brokerage_sandbox.signings SET sms_code = $2, created_at = now()
                 WHERE sign_no = $1",
            )
            .bind(&sign_no)
            .bind(&sms_code)
            .execute(&mut *tx)
            .await?;
            (sign_no, card)
        }
        None => {
            let count: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM brokerage_sandbox.signings WHERE fund_account = $1",
            )
            .bind(&fund_account)
            .fetch_one(&mut *tx)
            .await?;
            if count >= MAX_BANKS {
                return Err(Failure::rule(
                    "E_TOO_MANY_BANKS",
                    format!("每个资金账户最多签约 {MAX_BANKS} 家存管银行"),
                ));
            }
            let sign_no =
                unused(&mut tx, "signings", "sign_no", || check::serial("QY", 10)).await?;
            let card = unused(&mut tx, "signings", "bank_card_no", || {
                check::bank_card(bin, *length)
            })
            .await?;
            sqlx::query(
                "INSERT INTO brokerage_sandbox.signings
                     (sign_no, fund_account, bank_code, bank_card_no, sms_code)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&sign_no)
            .bind(&fund_account)
            .bind(&bank_code)
            .bind(&card)
            .bind(&sms_code)
            .execute(&mut *tx)
            .await?;
            (sign_no, card)
        }
    };
    tx.commit().await?;
    Ok(json!({
        "sign_no": sign_no,
        "fund_account": fund_account,
        "bank_code": bank_code,
        "bank_name": bank,
        "bank_card_no": card,
        "sms_code": sms_code,
        "sms_hint": "沙箱不发送短信，验证码随本响应返回",
        "sms_valid_minutes": SMS_MINUTES,
        "status": "PRESIGNED",
        "status_name": status_name("PRESIGNED"),
    }))
}

struct Signing {
    fund_account: String,
    bank_code: String,
    bank_card_no: String,
    status: String,
    sms_code: String,
    sms_fresh: bool,
    password_set: bool,
}

/// The signing `sign_no`, locked after its fund account.
async fn signing(
    tx: &mut Transaction<'_, Postgres>,
    call: &Call,
    sign_no: &str,
) -> Result<Signing, Failure> {
    let fund_account: Option<(String,)> =
        sqlx::query_as("SELECT fund_account FROM brokerage_sandbox.signings WHERE sign_no = $1")
            .bind(sign_no)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((fund_account,)) = fund_account else {
        return Err(Failure::not_found(format!("签约流水不存在：{sign_no}")));
    };
    call.note_fund_account(&fund_account);
    lock_fund_account(tx, &fund_account).await?;
    type Row = (String, String, String, String, String, bool, bool);
    let (fund_account, bank_code, bank_card_no, status, sms_code, sms_fresh, password_set): Row =
        sqlx::query_as(
            "SELECT fund_account, bank_code, bank_card_no, status, sms_code,
                    created_at > now() - make_interval(mins => $2), bank_password IS NOT NULL
             FROM brokerage_sandbox.signings WHERE sign_no = $1 FOR UPDATE",
        )
        .bind(sign_no)
        .bind(SMS_MINUTES)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Signing {
        fund_account,
        bank_code,
        bank_card_no,
        status,
        sms_code,
        sms_fresh,
        password_set,
    })
}

pub(crate) async fn bind_bank(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let code = body.text("sms_code")?;
    let sign_no = call.param("sign_no");
    let mut tx = app.pool.begin().await?;
    let signing = signing(&mut tx, call, sign_no).await?;
    if signing.status == "PRESIGNED" {
        if code != signing.sms_code {
            return Err(Failure::rule("E_BAD_SMS_CODE", "短信验证码错误"));
        }
        if !signing.sms_fresh {
            return Err(Failure::rule(
                "E_SMS_CODE_EXPIRED",
                "短信验证码已过期，请重新预签约以获取新的验证码",
            ));
        }
        sqlx::query(
            "UPDATE brokerage_sandbox.signings SET status = 'CONFIRMED', confirmed_at = now()
             WHERE sign_no = $1",
        )
        .bind(sign_no)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let status = if signing.status == "PRESIGNED" {
        "CONFIRMED"
    } else {
        signing.status.as_str()
    };
    Ok(json!({
        "sign_no": sign_no,
        "fund_account": signing.fund_account,
        "bank_code": signing.bank_code,
        "bank_name": bank_name(&signing.bank_code),
        "bank_card_no": signing.bank_card_no,
        "status": status,
        "status_name": status_name(status),
    }))
}

pub(crate) async fn set_bank_password(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let password = body.text("bank_password")?;
    check::password(&password, "银行密码")?;
    let sign_no = call.param("sign_no");
    let mut tx = app.pool.begin().await?;
    let signing = signing(&mut tx, call, sign_no).await?;
    if signing.status == "PRESIGNED" {
        return Err(Failure::rule(
            "E_BINDING_NOT_CONFIRMED",
            "签约尚未确认，请先用短信验证码完成绑卡确认，再设置银行密码",
        ));
    }
    sqlx::query(&format!(
        "UPDATE brokerage_sandbox.signings SET bank_password = {}
         WHERE sign_no = $1",
        crate::account::PASSWORD_HASH
    ))
    .bind(sign_no)
    .bind(&password)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json!({"sign_no": sign_no, "fund_account": signing.fund_account, "bank_password_set": true}))
}

pub(crate) async fn activate_binding(app: &App, call: &Call) -> Outcome {
    let sign_no = call.param("sign_no");
    let mut tx = app.pool.begin().await?;
    let signing = signing(&mut tx, call, sign_no).await?;
    if signing.status == "PRESIGNED" {
        return Err(Failure::rule(
            "E_BINDING_NOT_CONFIRMED",
            "签约尚未确认，请先完成绑卡确认",
        ));
    }
    if !signing.password_set {
        return Err(Failure::rule(
            "E_BANK_PASSWORD_NOT_SET",
            "尚未设置银行密码，不能激活存管签约",
        ));
    }
    if signing.status != "ACTIVE" {
        // The first bank to become active is the main bank.
        sqlx::query(
            "UPDATE brokerage_sandbox.signings
             SET status = 'ACTIVE', activated_at = now(),
                 is_main = NOT EXISTS (SELECT 1 FROM brokerage_sandbox.signings
                                       WHERE fund_account = $2 AND is_main)
             WHERE sign_no = $1",
        )
        .bind(sign_no)
        .bind(&signing.fund_account)
        .execute(&mut *tx)
        .await?;
    }
    let is_main: bool =
        sqlx::query_scalar("SELECT is_main FROM brokerage_sandbox.signings WHERE sign_no = $1")
            .bind(sign_no)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(json!({
        "sign_no": sign_no,
        "fund_account": signing.fund_account,
        "bank_code": signing.bank_code,
        "bank_name": bank_name(&signing.bank_code),
        "bank_card_no": signing.bank_card_no,
        "is_main": is_main,
        "status": "ACTIVE",
        "status_name": status_name("ACTIVE"),
    }))
}

const TO_SECURITIES: &str = "BANK_TO_SECURITIES";
const TO_BANK: &str = "SECURITIES_TO_BANK";

fn direction_name(direction: &str) -> &'static str {
    if direction == TO_SECURITIES {
        "银行转证券"
    } else {
        "证券转银行"
    }
}

/// Whether `given` is the password kept in `column` of the `table` row whose `key_column` is
/// `key` (names are this module's constants, never input).
async fn password_matches(
    tx: &mut Transaction<'_, Postgres>,
    (table, column, key_column, key): (&str, &str, &str, &str),
    given: &str,
) -> Result<bool, Failure> {
    let right: Option<bool> = sqlx::query_scalar(&format!(
        "SELECT {column} = {} FROM brokerage_sandbox.{table} WHERE {key_column} = $1",
        crate::account::PASSWORD_HASH
    ))
    .bind(key)
    .bind(given)
    .fetch_one(&mut **tx)
    .await?;
    Ok(right == Some(true))
}

pub(crate) async fn transfer(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let sign_no = body.text("sign_no")?;
    let direction = body.text("direction")?;
    if direction != TO_SECURITIES && direction != TO_BANK {
        return Err(Failure::bad(
            "E_BAD_DIRECTION",
            "转账方向 direction 须为 BANK_TO_SECURITIES（银行转证券）或 SECURITIES_TO_BANK（证券转银行）",
        ));
    }
    let amount = body
        .money("amount")?
        .ok_or_else(|| Failure::bad("E_MISSING_FIELD", "缺少字段 amount（转账金额）"))?;
    if amount == 0 {
        return Err(Failure::bad("E_BAD_AMOUNT", "转账金额须大于 0"));
    }
    let request_no = body.opt_text("request_no")?;
    let mut tx = app.pool.begin().await?;
    let signing = signing(&mut tx, call, &sign_no).await.map_err(|failure| {
        if failure.code == "E_NOT_FOUND" {
            Failure::rule("E_NO_BINDING", format!("签约流水不存在：{sign_no}"))
        } else {
            failure
        }
    })?;
    let fund_account = signing.fund_account.clone();
    if let Some(request_no) = &request_no {
        let earlier: Option<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT transfer_no, sign_no, direction, amount_cents, withdrawable_cents
             FROM brokerage_sandbox.transfers WHERE request_no = $1",
        )
        .bind(request_no)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((transfer_no, earlier_sign, earlier_direction, cents, withdrawable)) = earlier {
            if earlier_sign != sign_no || earlier_direction != direction || cents != amount {
                return Err(Failure::conflict(
                    "E_DUPLICATE_REQUEST_NO",
                    format!("转账请求流水号 {request_no} 已被另一笔转账使用"),
                ));
            }
            // The same request again (a retried call): the transfer already made.
            let balances = balances(&mut tx, &fund_account).await?;
            tx.commit().await?;
            return Ok(answer(
                &transfer_no,
                Some(request_no),
                &direction,
                cents,
                withdrawable,
                &signing,
                balances,
            ));
        }
    }
    if signing.status != "ACTIVE" {
        return Err(Failure::rule(
            "E_BINDING_NOT_ACTIVE",
            format!(
                "{}存管签约尚未生效，不能转账",
                bank_name(&signing.bank_code)
            ),
        ));
    }
    let (available, withdrawable) = balances(&mut tx, &fund_account).await?;
    let moved_withdrawable = if direction == TO_SECURITIES {
        let given = body.text("bank_password").map_err(|_| {
            Failure::bad("E_MISSING_FIELD", "银行转证券须提供银行密码 bank_password")
        })?;
        let stored = ("signings", "bank_password", "sign_no", sign_no.as_str());
        if !password_matches(&mut tx, stored, &given).await? {
            return Err(Failure::rule("E_BAD_BANK_PASSWORD", "银行密码错误"));
        }
        let part = body.money("withdrawable_amount")?.unwrap_or(amount);
        if part > amount {
            return Err(Failure::rule(
                "E_WITHDRAWABLE_EXCEEDS",
                format!(
                    "可取金额 {} 元不能大于转入金额 {} 元",
                    check::yuan(part),
                    check::yuan(amount)
                ),
            ));
        }
        part
    } else {
        let given = body.text("fund_password").map_err(|_| {
            Failure::bad("E_MISSING_FIELD", "证券转银行须提供资金密码 fund_password")
        })?;
        let stored = (
            "fund_accounts",
            "fund_password",
            "fund_account",
            fund_account.as_str(),
        );
        if !password_matches(&mut tx, stored, &given).await? {
            return Err(Failure::rule("E_BAD_FUND_PASSWORD", "资金密码错误"));
        }
        if amount > withdrawable {
            return Err(Failure::rule(
                "E_INSUFFICIENT_WITHDRAWABLE",
                format!(
                    "可取资金不足：可取 {} 元，申请转出 {} 元",
                    check::yuan(withdrawable),
                    check::yuan(amount)
                ),
            ));
        }
        amount
    };
    let sign = if direction == TO_SECURITIES { 1 } else { -1 };
    let new_available = available + sign * amount;
    let new_withdrawable = withdrawable + sign * moved_withdrawable;
    sqlx::query(
        "UPDATE brokerage_sandbox.fund_accounts
         SET available_cents = $2, withdrawable_cents = $3 WHERE fund_account = $1",
    )
    .bind(&fund_account)
    .bind(new_available)
    .bind(new_withdrawable)
    .execute(&mut *tx)
    .await?;
    let transfer_no = unused(&mut tx, "transfers", "transfer_no", || {
        check::serial("ZZ", 10)
    })
    .await?;
    sqlx::query(
        "INSERT INTO brokerage_sandbox.transfers
             (transfer_no, request_no, sign_no, fund_account, direction, amount_cents, withdrawable_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&transfer_no)
    .bind(&request_no)
    .bind(&sign_no)
    .bind(&fund_account)
    .bind(&direction)
    .bind(amount)
    .bind(moved_withdrawable)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(answer(
        &transfer_no,
        request_no.as_deref(),
        &direction,
        amount,
        moved_withdrawable,
        &signing,
        (new_available, new_withdrawable),
    ))
}

async fn balances(
    tx: &mut Transaction<'_, Postgres>,
    fund_account: &str,
) -> Result<(i64, i64), Failure> {
    Ok(sqlx::query_as(
        "SELECT available_cents, withdrawable_cents FROM brokerage_sandbox.fund_accounts
         WHERE fund_account = $1",
    )
    .bind(fund_account)
    .fetch_one(&mut **tx)
    .await?)
}

fn answer(
    transfer_no: &str,
    request_no: Option<&str>,
    direction: &str,
    amount: i64,
    withdrawable_part: i64,
    signing: &Signing,
    (available, withdrawable): (i64, i64),
) -> Value {
    json!({
        "transfer_no": transfer_no,
        "request_no": request_no,
        "direction": direction,
        "direction_name": direction_name(direction),
        "amount": check::yuan(amount),
        "withdrawable_amount": check::yuan(withdrawable_part),
        "fund_account": signing.fund_account,
        "bank_code": signing.bank_code,
        "bank_name": bank_name(&signing.bank_code),
        "currency": "CNY",
        "available": check::yuan(available),
        "withdrawable": check::yuan(withdrawable),
        "status": "SUCCESS",
    })
}

pub(crate) async fn get_bindings(app: &App, call: &Call) -> Outcome {
    let fund_account = call.param("fund_account");
    let owner = owner_of_fund_account(&app.pool, fund_account)
        .await?
        .ok_or_else(|| Failure::not_found(format!("资金账号不存在：{fund_account}")))?;
    call.note_customer(Some(&owner.customer_no));
    type Row = (
        String,
        String,
        String,
        String,
        bool,
        bool,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT sign_no, bank_code, bank_card_no, status, is_main, bank_password IS NOT NULL,
                activated_at
         FROM brokerage_sandbox.signings WHERE fund_account = $1
         ORDER BY is_main DESC, created_at, sign_no",
    )
    .bind(fund_account)
    .fetch_all(&app.pool)
    .await?;
    let (available, withdrawable): (i64, i64) = sqlx::query_as(
        "SELECT available_cents, withdrawable_cents FROM brokerage_sandbox.fund_accounts
         WHERE fund_account = $1",
    )
    .bind(fund_account)
    .fetch_one(&app.pool)
    .await?;
    type Moved = (String, String, i64, i64, chrono::DateTime<chrono::Utc>);
    let transfers: Vec<Moved> = sqlx::query_as(
        "SELECT transfer_no, direction, amount_cents, withdrawable_cents, at
         FROM brokerage_sandbox.transfers WHERE fund_account = $1 ORDER BY at DESC LIMIT 20",
    )
    .bind(fund_account)
    .fetch_all(&app.pool)
    .await?;
    let main = rows.iter().find(|r| r.4);
    Ok(json!({
        "fund_account": fund_account,
        "customer_no": owner.customer_no,
        "name": owner.name,
        "currency": "CNY",
        "available": check::yuan(available),
        "withdrawable": check::yuan(withdrawable),
        "main_bank_code": main.map(|r| r.1.clone()),
        "main_bank_card_no": main.map(|r| r.2.clone()),
        "bindings": rows.iter().map(|(sign_no, code, card, status, is_main, password, activated)| json!({
            "sign_no": sign_no,
            "bank_code": code,
            "bank_name": bank_name(code),
            "bank_card_no": card,
            "status": status,
            "status_name": status_name(status),
            "is_main": is_main,
            "bank_password_set": password,
            "activated_at": time(*activated),
        })).collect::<Vec<_>>(),
        "transfers": transfers.iter().map(|(no, direction, amount, part, at)| json!({
            "transfer_no": no,
            "direction": direction,
            "direction_name": direction_name(direction),
            "amount": check::yuan(*amount),
            "withdrawable_amount": check::yuan(*part),
            "at": at.to_rfc3339(),
        })).collect::<Vec<_>>(),
    }))
}
