//! The account system (账户系统): identity check, the account-opening application and its
//! profile, the customer number, the fund account, shareholder cards (证券账户) and
//! activation.

use serde_json::{json, Value};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};

use crate::check;
use crate::ops::{time, App, Call};
use crate::reply::{Failure, Outcome};

/// How long an identity check stays good for opening an account.
const VERIFICATION_MINUTES: i64 = 30;

pub(crate) fn risk_name(level: &str) -> &'static str {
    match level {
        "C1" => "保守型",
        "C2" => "谨慎型",
        "C3" => "稳健型",
        "C4" => "积极型",
        "C5" => "激进型",
        _ => "未测评",
    }
}

fn status_name(status: &str) -> &'static str {
    match status {
        "APPLYING" => "开户申请中",
        "PENDING_ACTIVATION" => "待激活",
        "ACTIVE" => "正常",
        _ => "未知",
    }
}

pub(crate) fn market_name(market: &str) -> &'static str {
    match market {
        "SH" => "上海",
        "SZ" => "深圳",
        _ => "未知",
    }
}

/// A password as stored: a salted SHA-256, computed by PostgreSQL.
pub(crate) const PASSWORD_HASH: &str = "sha256(convert_to($1 || ':' || $2, 'UTF8'))";

pub(crate) async fn verify_identity(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let name = check::name(&body.text("name")?)?;
    let id_number = check::normalize_id(&body.text("id_number")?);
    let facts = check::id_number(&id_number)?;
    let verification_no = check::serial("GA", 10);
    sqlx::query(
        "INSERT INTO brokerage_sandbox.verifications (verification_no, name, id_number)
         VALUES ($1, $2, $3)",
    )
    .bind(&verification_no)
    .bind(&name)
    .bind(&id_number)
    .execute(&app.pool)
    .await?;
    Ok(json!({
        "verification_no": verification_no,
        "result": "MATCH",
        "result_name": "公安校验一致",
        "name": name,
        "gender": facts.gender,
        "birth_date": facts.birth_date.to_string(),
        "valid_minutes": VERIFICATION_MINUTES,
    }))
}

pub(crate) async fn create_customer(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let name = check::name(&body.text("name")?)?;
    let id_number = check::normalize_id(&body.text("id_number")?);
    let facts = check::id_number(&id_number)?;
    if let Some(kind) = body.opt_text("id_type")? {
        if kind != "ID_CARD" {
            return Err(Failure::bad(
                "E_UNSUPPORTED_ID_TYPE",
                "证件类型仅支持居民身份证（ID_CARD）",
            ));
        }
    }
    check::adult(&facts)?;
    let verification_no = body.text("verification_no").map_err(|_| {
        Failure::rule(
            "E_ID_NOT_VERIFIED",
            "缺少公安校验流水号 verification_no：请先完成身份核查（公安校验）",
        )
    })?;
    let verified: Option<(String, String, bool)> = sqlx::query_as(
        "SELECT name, id_number, created_at > now() - make_interval(mins => $2)
         FROM brokerage_sandbox.verifications WHERE verification_no = $1",
    )
    .bind(&verification_no)
    .bind(VERIFICATION_MINUTES as i32)
    .fetch_optional(&app.pool)
    .await?;
    match verified {
        None => {
            return Err(Failure::rule(
                "E_ID_NOT_VERIFIED",
                "公安校验流水号不存在：请先完成身份核查（公安校验）",
            ))
        }
        Some((v_name, v_id, _)) if v_name != name || v_id != id_number => {
            return Err(Failure::rule(
                "E_ID_NOT_VERIFIED",
                "姓名或身份证号码与公安校验记录不一致",
            ))
        }
        Some((_, _, false)) => {
            return Err(Failure::rule(
                "E_ID_NOT_VERIFIED",
                "公安校验已过期（有效期 30 分钟），请重新核查",
            ))
        }
        Some(_) => {}
    }
    for _ in 0..8 {
        let apply_no = check::serial("KH", 8);
        let inserted: Option<(String,)> = sqlx::query_as(
            "INSERT INTO brokerage_sandbox.customers
                 (apply_no, name, id_number, gender, birth_date, verification_no)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT DO NOTHING
             RETURNING apply_no",
        )
        .bind(&apply_no)
        .bind(&name)
        .bind(&id_number)
        .bind(facts.gender)
        .bind(facts.birth_date)
        .bind(&verification_no)
        .fetch_optional(&app.pool)
        .await?;
        if inserted.is_some() {
            return Ok(json!({
                "apply_no": apply_no,
                "status": "APPLYING",
                "status_name": status_name("APPLYING"),
                "name": name,
                "gender": facts.gender,
                "birth_date": facts.birth_date.to_string(),
            }));
        }
        let existing: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT apply_no, customer_no FROM brokerage_sandbox.customers WHERE id_number = $1",
        )
        .bind(&id_number)
        .fetch_optional(&app.pool)
        .await?;
        if let Some((apply_no, customer_no)) = existing {
            call.note_customer(customer_no.as_deref());
            let which = match customer_no {
                Some(no) => format!("客户号 {no}"),
                None => format!("开户申请 {apply_no}"),
            };
            return Err(Failure::conflict(
                "E_DUPLICATE_ID",
                format!("该身份证号码已开户（{which}），一个身份证号码只能开立一个客户"),
            ));
        }
    }
    Err(Failure::internal())
}

/// The application `apply_no`, locked for the rest of the transaction.
async fn application(
    tx: &mut Transaction<'_, Postgres>,
    call: &Call,
    apply_no: &str,
) -> Result<PgRow, Failure> {
    let row =
        sqlx::query("SELECT * FROM brokerage_sandbox.customers WHERE apply_no = $1 FOR UPDATE")
            .bind(apply_no)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| Failure::not_found(format!("开户申请不存在：{apply_no}")))?;
    call.note_customer(row.try_get::<Option<String>, _>("customer_no")?.as_deref());
    Ok(row)
}

/// The customer `customer_no`, locked for the rest of the transaction.
async fn customer(tx: &mut Transaction<'_, Postgres>, customer_no: &str) -> Result<PgRow, Failure> {
    sqlx::query("SELECT * FROM brokerage_sandbox.customers WHERE customer_no = $1 FOR UPDATE")
        .bind(customer_no)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| Failure::not_found(format!("客户号不存在：{customer_no}")))
}

/// Stores one part of the profile in a JSONB column (named by the caller, never by the
/// request).
async fn store(call: &Call, app: &App, column: &'static str, value: Value) -> Result<(), Failure> {
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    application(&mut tx, call, apply_no).await?;
    sqlx::query(&format!(
        "UPDATE brokerage_sandbox.customers SET {column} = $2 WHERE apply_no = $1"
    ))
    .bind(apply_no)
    .bind(value)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn set_contact(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let mobile = check::mobile(&body.text("mobile")?)?;
    let email = body
        .opt_text("email")?
        .map(|e| check::email(&e))
        .transpose()?;
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    application(&mut tx, call, apply_no).await?;
    sqlx::query(
        "UPDATE brokerage_sandbox.customers SET mobile = $2, email = $3 WHERE apply_no = $1",
    )
    .bind(apply_no)
    .bind(&mobile)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json!({"apply_no": apply_no, "mobile": mobile, "email": email}))
}

pub(crate) async fn set_address(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let province = body.text("province")?;
    let city = body.text("city")?;
    let detail = body.text("detail")?;
    let district = body.opt_text("district")?;
    let postal_code = body.opt_text("postal_code")?;
    if let Some(code) = &postal_code {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Failure::bad("E_BAD_FIELD", "邮政编码须为 6 位数字"));
        }
    }
    if detail.chars().count() < 4 {
        return Err(Failure::bad(
            "E_BAD_FIELD",
            "详细地址过短：须写明街道和门牌号",
        ));
    }
    let address = json!({
        "province": province,
        "city": city,
        "district": district,
        "detail": detail,
        "postal_code": postal_code,
    });
    store(call, app, "address", address.clone()).await?;
    Ok(json!({"apply_no": call.param("apply_no"), "address": address}))
}

const OCCUPATIONS: [(&str, &str); 9] = [
    ("01", "党政机关、事业单位人员"),
    ("02", "企业管理人员"),
    ("03", "专业技术人员"),
    ("04", "金融从业人员"),
    ("05", "个体工商户"),
    ("06", "自由职业者"),
    ("07", "学生"),
    ("08", "离退休人员"),
    ("99", "其他"),
];

pub(crate) async fn set_occupation(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let code = body.text("occupation_code")?;
    let Some((_, name)) = OCCUPATIONS.iter().find(|(c, _)| *c == code) else {
        let known: Vec<String> = OCCUPATIONS
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        return Err(Failure::bad(
            "E_UNKNOWN_OCCUPATION",
            format!("未知职业代码：{code}，可选：{}", known.join("；")),
        ));
    };
    let occupation = json!({
        "occupation_code": code,
        "occupation_name": name,
        "employer": body.opt_text("employer")?,
        "position": body.opt_text("position")?,
        "annual_income": body.opt_text("annual_income")?,
    });
    store(call, app, "occupation", occupation.clone()).await?;
    Ok(json!({"apply_no": call.param("apply_no"), "occupation": occupation}))
}

const EDUCATIONS: [(&str, &str); 6] = [
    ("DOCTOR", "博士"),
    ("MASTER", "硕士"),
    ("BACHELOR", "本科"),
    ("COLLEGE", "大专"),
    ("HIGH_SCHOOL", "高中或中专"),
    ("BELOW", "初中及以下"),
];

pub(crate) async fn set_education(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let code = body.text("education_code")?;
    let Some((_, name)) = EDUCATIONS.iter().find(|(c, _)| *c == code) else {
        let known: Vec<&str> = EDUCATIONS.iter().map(|(c, _)| *c).collect();
        return Err(Failure::bad(
            "E_UNKNOWN_EDUCATION",
            format!("未知学历代码：{code}，可选：{}", known.join("、")),
        ));
    };
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    application(&mut tx, call, apply_no).await?;
    sqlx::query("UPDATE brokerage_sandbox.customers SET education = $2 WHERE apply_no = $1")
        .bind(apply_no)
        .bind(&code)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(json!({"apply_no": call.param("apply_no"), "education_code": code, "education_name": name}))
}

const TAX_RESIDENCIES: [(&str, &str); 3] = [
    ("CN_ONLY", "仅为中国税收居民"),
    ("NON_CN", "仅为非居民"),
    ("BOTH", "既是中国税收居民又是其他国家（地区）税收居民"),
];

pub(crate) async fn set_tax_residency(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let kind = body.text("resident_type")?;
    let Some((_, name)) = TAX_RESIDENCIES.iter().find(|(c, _)| *c == kind) else {
        return Err(Failure::bad(
            "E_BAD_FIELD",
            format!("未知税收居民身份：{kind}，可选 CN_ONLY、NON_CN、BOTH"),
        ));
    };
    let countries = body.value("countries").unwrap_or(Value::Null);
    let listed = countries.as_array().is_some_and(|c| {
        !c.is_empty()
            && c.iter().all(|e| {
                e.get("country")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            })
    });
    if kind != "CN_ONLY" && !listed {
        return Err(Failure::rule(
            "E_TAX_INFO_REQUIRED",
            "非仅中国税收居民须在 countries 中填写税收居民国（地区）及纳税人识别号（country、tin）",
        ));
    }
    let residency =
        json!({"resident_type": kind, "resident_type_name": name, "countries": countries});
    store(call, app, "tax_residency", residency.clone()).await?;
    Ok(json!({"apply_no": call.param("apply_no"), "tax_residency": residency}))
}

/// The beneficial owner (受益所有人) or the actual controller (实际控制人): the customer, or
/// another person named by name and ID number.
pub(crate) async fn set_related_person(app: &App, call: &Call, column: &'static str) -> Outcome {
    let body = call.body()?;
    let title = if column == "beneficial_owner" {
        "受益所有人"
    } else {
        "实际控制人"
    };
    let is_self = body.flag("is_self")?.ok_or_else(|| {
        Failure::bad(
            "E_MISSING_FIELD",
            format!("缺少字段 is_self：{title}是否为本人"),
        )
    })?;
    let person = if is_self {
        json!({"is_self": true})
    } else {
        let name = check::name(&body.text("name").map_err(|_| {
            Failure::bad(
                "E_MISSING_FIELD",
                format!("{title}非本人时须填写其姓名 name"),
            )
        })?)?;
        let id_number = check::normalize_id(&body.text("id_number").map_err(|_| {
            Failure::bad(
                "E_MISSING_FIELD",
                format!("{title}非本人时须填写其身份证号码 id_number"),
            )
        })?);
        check::id_number(&id_number)?;
        json!({"is_self": false, "name": name, "id_number": id_number})
    };
    store(call, app, column, person.clone()).await?;
    Ok(json!({"apply_no": call.param("apply_no"), column: person}))
}

pub(crate) async fn check_bad_record(app: &App, call: &Call) -> Outcome {
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    application(&mut tx, call, apply_no).await?;
    sqlx::query(
        "UPDATE brokerage_sandbox.customers SET bad_record = 'NONE', bad_record_checked_at = now()
         WHERE apply_no = $1",
    )
    .bind(apply_no)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json!({
        "apply_no": apply_no,
        "result": "NONE",
        "result_name": "未发现不良诚信记录",
        "sources": ["证券期货市场诚信档案", "中国执行信息公开网", "洗钱风险名单"],
    }))
}

/// The questionnaire has ten questions, each answered A (1 point) to E (5 points).
const QUESTIONS: usize = 10;

/// The risk level of a questionnaire score (10 to 50).
pub(crate) fn risk_level(score: u32) -> &'static str {
    match score {
        0..=17 => "C1",
        18..=25 => "C2",
        26..=33 => "C3",
        34..=41 => "C4",
        _ => "C5",
    }
}

pub(crate) async fn submit_risk_assessment(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let answers = body.texts("answers")?;
    if answers.len() != QUESTIONS {
        return Err(Failure::bad(
            "E_INCOMPLETE_QUESTIONNAIRE",
            format!("风险测评问卷共 {QUESTIONS} 题，须全部作答（answers 为 {QUESTIONS} 个 A 至 E 的选项）"),
        ));
    }
    let mut score = 0u32;
    for (index, answer) in answers.iter().enumerate() {
        match answer.as_str() {
            "A" | "B" | "C" | "D" | "E" => {
                score += u32::from(answer.as_bytes()[0] - b'A') + 1;
            }
            _ => {
                return Err(Failure::bad(
                    "E_BAD_ANSWER",
                    format!("第 {} 题的答案须为 A 至 E 之一", index + 1),
                ))
            }
        }
    }
    let level = risk_level(score);
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    application(&mut tx, call, apply_no).await?;
    sqlx::query(
        "UPDATE brokerage_sandbox.customers
         SET risk_level = $2, risk_score = $3, risk_assessed_at = now() WHERE apply_no = $1",
    )
    .bind(apply_no)
    .bind(level)
    .bind(score as i32)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let valid_until = check::today()
        .checked_add_months(chrono::Months::new(24))
        .map(|d| d.to_string());
    Ok(json!({
        "apply_no": apply_no,
        "questionnaire_id": body.opt_text("questionnaire_id")?,
        "score": score,
        "risk_level": level,
        "risk_level_name": risk_name(level),
        "valid_until": valid_until,
    }))
}

/// What the profile still lacks before a customer number or a fund account.
fn missing(row: &PgRow) -> Result<Vec<&'static str>, sqlx::Error> {
    let mut missing = Vec::new();
    let absent = |column: &str| -> Result<bool, sqlx::Error> {
        Ok(row.try_get::<Option<Value>, _>(column)?.is_none())
    };
    if row.try_get::<Option<String>, _>("mobile")?.is_none() {
        missing.push("联系方式");
    }
    if absent("address")? {
        missing.push("联系地址");
    }
    if absent("occupation")? {
        missing.push("职业信息");
    }
    if row.try_get::<Option<String>, _>("education")?.is_none() {
        missing.push("学历");
    }
    if absent("tax_residency")? {
        missing.push("税收居民身份");
    }
    if absent("beneficial_owner")? {
        missing.push("受益所有人");
    }
    if absent("actual_controller")? {
        missing.push("实际控制人");
    }
    if row.try_get::<Option<String>, _>("bad_record")?.as_deref() != Some("NONE") {
        missing.push("不良诚信记录查询");
    }
    if row.try_get::<Option<String>, _>("risk_level")?.is_none() {
        missing.push("风险承受能力测评");
    }
    Ok(missing)
}

fn complete(row: &PgRow, what: &str) -> Result<(), Failure> {
    let missing = missing(row)?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::rule(
            "E_PROFILE_INCOMPLETE",
            format!("客户资料不完整，不能{what}：缺少{}", missing.join("、")),
        ))
    }
}

pub(crate) async fn allocate_customer_no(app: &App, call: &Call) -> Outcome {
    let apply_no = call.param("apply_no");
    let mut tx = app.pool.begin().await?;
    let row = application(&mut tx, call, apply_no).await?;
    if let Some(customer_no) = row.try_get::<Option<String>, _>("customer_no")? {
        let status: String = row.try_get("status")?;
        return Ok(json!({
            "apply_no": apply_no,
            "customer_no": customer_no,
            "status": status,
            "status_name": status_name(&status),
        }));
    }
    complete(&row, "分配客户号")?;
    let customer_no = unused(&mut tx, "customers", "customer_no", || check::number(10)).await?;
    sqlx::query(
        "UPDATE brokerage_sandbox.customers SET customer_no = $2, status = 'PENDING_ACTIVATION'
         WHERE apply_no = $1",
    )
    .bind(apply_no)
    .bind(&customer_no)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    call.note_customer(Some(&customer_no));
    Ok(json!({
        "apply_no": apply_no,
        "customer_no": customer_no,
        "status": "PENDING_ACTIVATION",
        "status_name": status_name("PENDING_ACTIVATION"),
    }))
}

/// A number `draw` gives that `table.column` does not hold yet (its rows are locked by the
/// caller's transaction where it matters; a clash of random numbers is all this guards).
pub(crate) async fn unused(
    tx: &mut Transaction<'_, Postgres>,
    table: &'static str,
    column: &'static str,
    draw: impl Fn() -> String,
) -> Result<String, Failure> {
    for _ in 0..8 {
        let candidate = draw();
        let taken: bool = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM brokerage_sandbox.{table} WHERE {column} = $1)"
        ))
        .bind(&candidate)
        .fetch_one(&mut **tx)
        .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(Failure::internal())
}

pub(crate) async fn open_fund_account(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let currency = body.opt_text("currency")?.unwrap_or_else(|| "CNY".into());
    if currency != "CNY" {
        return Err(Failure::bad(
            "E_UNSUPPORTED_CURRENCY",
            "资金账户币种仅支持人民币（CNY）",
        ));
    }
    let customer_no = call.param("customer_no");
    let mut tx = app.pool.begin().await?;
    let row = customer(&mut tx, customer_no).await?;
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT fund_account FROM brokerage_sandbox.fund_accounts WHERE customer_no = $1",
    )
    .bind(customer_no)
    .fetch_optional(&mut *tx)
    .await?;
    let fund_account = match existing {
        // Asked again (a retried call): the account already opened.
        Some((fund_account,)) => fund_account,
        None => {
            complete(&row, "开立资金账户")?;
            let fund_account = unused(&mut tx, "fund_accounts", "fund_account", || {
                check::number(12)
            })
            .await?;
            sqlx::query(
                "INSERT INTO brokerage_sandbox.fund_accounts (fund_account, customer_no, currency)
                 VALUES ($1, $2, $3)",
            )
            .bind(&fund_account)
            .bind(customer_no)
            .bind(&currency)
            .execute(&mut *tx)
            .await?;
            fund_account
        }
    };
    tx.commit().await?;
    call.note_fund_account(&fund_account);
    Ok(json!({
        "customer_no": customer_no,
        "fund_account": fund_account,
        "currency": currency,
        "is_main": true,
        "status": "NORMAL",
    }))
}

pub(crate) async fn set_passwords(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let trade = body.text("trade_password")?;
    let fund = body.text("fund_password")?;
    check::password(&trade, "交易密码")?;
    check::password(&fund, "资金密码")?;
    let customer_no = call.param("customer_no");
    let fund_account = call.param("fund_account");
    let mut tx = app.pool.begin().await?;
    customer(&mut tx, customer_no).await?;
    let updated = sqlx::query(&format!(
        "UPDATE brokerage_sandbox.fund_accounts
         SET trade_password = {PASSWORD_HASH},
             fund_password = sha256(convert_to($1 || ':' || $3, 'UTF8'))
         WHERE fund_account = $1 AND customer_no = $4"
    ))
    .bind(fund_account)
    .bind(&trade)
    .bind(&fund)
    .bind(customer_no)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Failure::not_found(format!(
            "资金账户 {fund_account} 不存在或不属于客户 {customer_no}"
        )));
    }
    tx.commit().await?;
    Ok(json!({
        "customer_no": customer_no,
        "fund_account": fund_account,
        "trade_password_set": true,
        "fund_password_set": true,
    }))
}

pub(crate) async fn open_shareholder_account(app: &App, call: &Call) -> Outcome {
    let body = call.body()?;
    let market = body.text("market")?;
    if market != "SH" && market != "SZ" {
        return Err(Failure::bad(
            "E_UNKNOWN_MARKET",
            "证券市场 market 须为 SH（上海）或 SZ（深圳）",
        ));
    }
    let customer_no = call.param("customer_no");
    let mut tx = app.pool.begin().await?;
    customer(&mut tx, customer_no).await?;
    let main: Option<(String, bool)> = sqlx::query_as(
        "SELECT fund_account, trade_password IS NOT NULL AND fund_password IS NOT NULL
         FROM brokerage_sandbox.fund_accounts WHERE customer_no = $1",
    )
    .bind(customer_no)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((fund_account, passwords_set)) = main else {
        return Err(Failure::rule(
            "E_NO_FUND_ACCOUNT",
            "客户尚未开立资金账户，不能开立证券账户（股东卡）",
        ));
    };
    call.note_fund_account(&fund_account);
    if let Some(given) = body.opt_text("fund_account")? {
        if given != fund_account {
            return Err(Failure::rule(
                "E_FUND_ACCOUNT_MISMATCH",
                format!("资金账户 {given} 不属于客户 {customer_no}"),
            ));
        }
    }
    if !passwords_set {
        return Err(Failure::rule(
            "E_PASSWORDS_NOT_SET",
            "请先设置交易密码和资金密码，再开立证券账户",
        ));
    }
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT account FROM brokerage_sandbox.shareholder_accounts
         WHERE customer_no = $1 AND market = $2",
    )
    .bind(customer_no)
    .bind(&market)
    .fetch_optional(&mut *tx)
    .await?;
    let account = match existing {
        Some((account,)) => account,
        None => {
            let prefix = if market == "SH" { "A" } else { "0" };
            let account = unused(&mut tx, "shareholder_accounts", "account", || {
                format!("{prefix}{}", check::number(9))
            })
            .await?;
            sqlx::query(
                "INSERT INTO brokerage_sandbox.shareholder_accounts
                     (account, customer_no, fund_account, market)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&account)
            .bind(customer_no)
            .bind(&fund_account)
            .bind(&market)
            .execute(&mut *tx)
            .await?;
            account
        }
    };
    tx.commit().await?;
    Ok(json!({
        "customer_no": customer_no,
        "fund_account": fund_account,
        "market": market,
        "market_name": market_name(&market),
        "shareholder_account": account,
    }))
}

pub(crate) async fn activate_customer(app: &App, call: &Call) -> Outcome {
    let customer_no = call.param("customer_no");
    let mut tx = app.pool.begin().await?;
    let row = customer(&mut tx, customer_no).await?;
    let status: String = row.try_get("status")?;
    if status != "ACTIVE" {
        complete(&row, "激活")?;
        let fund: Option<(String, bool)> = sqlx::query_as(
            "SELECT fund_account, trade_password IS NOT NULL AND fund_password IS NOT NULL
             FROM brokerage_sandbox.fund_accounts WHERE customer_no = $1",
        )
        .bind(customer_no)
        .fetch_optional(&mut *tx)
        .await?;
        match fund {
            None => {
                return Err(Failure::rule(
                    "E_NO_FUND_ACCOUNT",
                    "客户尚未开立资金账户，不能激活",
                ))
            }
            Some((fund_account, false)) => {
                call.note_fund_account(&fund_account);
                return Err(Failure::rule(
                    "E_PASSWORDS_NOT_SET",
                    "资金账户尚未设置交易密码和资金密码，不能激活",
                ));
            }
            Some((fund_account, true)) => call.note_fund_account(&fund_account),
        }
        let cards: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM brokerage_sandbox.shareholder_accounts WHERE customer_no = $1",
        )
        .bind(customer_no)
        .fetch_one(&mut *tx)
        .await?;
        if cards == 0 {
            return Err(Failure::rule(
                "E_NO_SHAREHOLDER_ACCOUNT",
                "客户尚未开立证券账户（股东卡），不能激活",
            ));
        }
        sqlx::query(
            "UPDATE brokerage_sandbox.customers SET status = 'ACTIVE', activated_at = now()
             WHERE customer_no = $1",
        )
        .bind(customer_no)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(json!({
        "customer_no": customer_no,
        "status": "ACTIVE",
        "status_name": status_name("ACTIVE"),
    }))
}

pub(crate) async fn get_customer(app: &App, call: &Call) -> Outcome {
    let customer_no = call.param("customer_no");
    let row = sqlx::query("SELECT * FROM brokerage_sandbox.customers WHERE customer_no = $1")
        .bind(customer_no)
        .fetch_optional(&app.pool)
        .await?
        .ok_or_else(|| Failure::not_found(format!("客户号不存在：{customer_no}")))?;
    type Fund = (String, String, bool, bool);
    let funds: Vec<Fund> = sqlx::query_as(
        "SELECT fund_account, currency, trade_password IS NOT NULL, fund_password IS NOT NULL
         FROM brokerage_sandbox.fund_accounts WHERE customer_no = $1 ORDER BY created_at",
    )
    .bind(customer_no)
    .fetch_all(&app.pool)
    .await?;
    if let Some((fund_account, ..)) = funds.first() {
        call.note_fund_account(fund_account);
    }
    let cards: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT market, account, fund_account FROM brokerage_sandbox.shareholder_accounts
         WHERE customer_no = $1 ORDER BY market",
    )
    .bind(customer_no)
    .fetch_all(&app.pool)
    .await?;
    let status: String = row.try_get("status")?;
    let risk_level: Option<String> = row.try_get("risk_level")?;
    let birth_date: chrono::NaiveDate = row.try_get("birth_date")?;
    Ok(json!({
        "customer_no": customer_no,
        "apply_no": row.try_get::<String, _>("apply_no")?,
        "name": row.try_get::<String, _>("name")?,
        "id_type": "ID_CARD",
        "id_number": row.try_get::<String, _>("id_number")?,
        "gender": row.try_get::<String, _>("gender")?,
        "birth_date": birth_date.to_string(),
        "status": status,
        "status_name": status_name(&status),
        "mobile": row.try_get::<Option<String>, _>("mobile")?,
        "email": row.try_get::<Option<String>, _>("email")?,
        "address": row.try_get::<Option<Value>, _>("address")?,
        "occupation": row.try_get::<Option<Value>, _>("occupation")?,
        "education_code": row.try_get::<Option<String>, _>("education")?,
        "tax_residency": row.try_get::<Option<Value>, _>("tax_residency")?,
        "beneficial_owner": row.try_get::<Option<Value>, _>("beneficial_owner")?,
        "actual_controller": row.try_get::<Option<Value>, _>("actual_controller")?,
        "bad_record": row.try_get::<Option<String>, _>("bad_record")?,
        "risk_level": risk_level,
        "risk_level_name": risk_level.as_deref().map(risk_name),
        "risk_score": row.try_get::<Option<i32>, _>("risk_score")?,
        "risk_assessed_at": time(row.try_get("risk_assessed_at")?),
        "fund_accounts": funds.iter().map(|(fund_account, currency, trade, fund)| json!({
            "fund_account": fund_account,
            "currency": currency,
            "is_main": true,
            "status": "NORMAL",
            "trade_password_set": trade,
            "fund_password_set": fund,
        })).collect::<Vec<_>>(),
        "shareholder_accounts": cards.iter().map(|(market, account, fund_account)| json!({
            "market": market,
            "market_name": market_name(market),
            "account": account,
            "fund_account": fund_account,
        })).collect::<Vec<_>>(),
        "created_at": time(row.try_get("created_at")?),
        "activated_at": time(row.try_get("activated_at")?),
    }))
}

/// What another system sees of a fund account's owner in the account system.
pub(crate) struct Owner {
    pub customer_no: String,
    pub name: String,
    pub id_number: String,
    pub status: String,
    pub risk_level: Option<String>,
}

impl Owner {
    pub fn active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

const OWNER: &str = "SELECT c.customer_no, c.name, c.id_number, c.status, c.risk_level
     FROM brokerage_sandbox.customers c";

fn owner(row: (String, String, String, String, Option<String>)) -> Owner {
    let (customer_no, name, id_number, status, risk_level) = row;
    Owner {
        customer_no,
        name,
        id_number,
        status,
        risk_level,
    }
}

pub(crate) async fn owner_of_fund_account(
    pool: &sqlx::PgPool,
    fund_account: &str,
) -> Result<Option<Owner>, Failure> {
    let row = sqlx::query_as(&format!(
        "{OWNER} JOIN brokerage_sandbox.fund_accounts f ON f.customer_no = c.customer_no
         WHERE f.fund_account = $1"
    ))
    .bind(fund_account)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(owner))
}

pub(crate) async fn customer_by_number(
    pool: &sqlx::PgPool,
    customer_no: &str,
) -> Result<Option<Owner>, Failure> {
    let row = sqlx::query_as(&format!("{OWNER} WHERE c.customer_no = $1"))
        .bind(customer_no)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(owner))
}
