//! Eight weeks of worked incidents and two knowledge sessions, so the service report and the
//! sessions page have trends to show on a first start. Each incident goes through the app's
//! store (its identity sealed like any other), then gets the history a team would have given
//! it: classified, answered, resolved and often closed, with its timeline.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::DEMO_INCIDENTS;
use crate::auth::store;
use crate::error::AppError;
use crate::incidents::{Category, Channel, NewReport};

/// Weeks of history before the current one.
const WEEKS: i64 = 8;

/// Questions that keep coming back: system, subcategory, category, title, solution.
const TOPICS: [(&str, &str, Category, &str, &str); 8] = [
    (
        "custody",
        "转账限额",
        Category::Consultation,
        "银证转账单笔限额是多少",
        "已告知客户单笔与单日限额以银行设置为准，并附上帮助文章。",
    ),
    (
        "custody",
        "存管绑定",
        Category::Data,
        "存管银行绑定状态不一致",
        "运维核对后修正了绑定状态，客户已可正常转账。",
    ),
    (
        "account",
        "密码重置",
        Category::Consultation,
        "客户忘记资金密码怎么办",
        "已指导客户携带身份证到营业部或在App内人脸识别重置。",
    ),
    (
        "account",
        "风险测评",
        Category::Consultation,
        "风险测评过期无法交易",
        "客户重新完成风险测评后即可交易，已说明测评有效期。",
    ),
    (
        "trading",
        "委托失败",
        Category::Program,
        "下单提示委托被拒绝",
        "研发修复了委托校验的边界问题，已发布补丁。",
    ),
    (
        "account_opening",
        "开户进度",
        Category::Consultation,
        "线上开户进度查询",
        "已告知客户开户审核时间，并说明如何在App查看进度。",
    ),
    (
        "margin",
        "两融开通",
        Category::Consultation,
        "两融开户条件咨询",
        "已说明资产与交易经验要求，附上两融开户帮助文章。",
    ),
    (
        "app",
        "登录异常",
        Category::Program,
        "App登录后闪退",
        "研发定位为旧版本兼容问题，已提示客户升级到最新版本。",
    ),
];

/// Channels in the order incidents of a week take them: the phone app growing week by week.
const CHANNELS: [Channel; 4] = [
    Channel::Mobile,
    Channel::Wechat,
    Channel::Itsm,
    Channel::Phone,
];

/// Monday 00:00 (Shanghai) of the week `weeks` before the current one.
fn monday(weeks: i64) -> DateTime<Utc> {
    let today = crate::time::to_shanghai(Utc::now()).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let day = monday - Duration::weeks(weeks);
    (day.and_time(NaiveTime::MIN) - Duration::hours(8)).and_utc()
}

pub async fn seed_history(pool: &PgPool) -> Result<(), AppError> {
    let (Some(reporter), Some(handler)) = (
        store::find_credentials(pool, "reporter2")
            .await?
            .map(|f| f.user),
        store::find_credentials(pool, "handler")
            .await?
            .map(|f| f.user),
    ) else {
        return Ok(());
    };
    let mut n: i64 = 0;
    for weeks_back in (1..=WEEKS).rev() {
        let week = monday(weeks_back);
        // Six to nine incidents a week; the phone app's share rises over the weeks.
        let count = 6 + (weeks_back * 5) % 4;
        for i in 0..count {
            n += 1;
            let (system, subcategory, category, title, solution) =
                TOPICS[((n * 7 + weeks_back) % TOPICS.len() as i64) as usize];
            let mobile_every = if weeks_back > 4 { 3 } else { 5 };
            let channel = if i % mobile_every == 0 {
                CHANNELS[1 + (n % 3) as usize]
            } else {
                Channel::Mobile
            };
            let (customer, ..) = &DEMO_INCIDENTS[(n % 3) as usize];
            let report = NewReport {
                customer_name: customer.name.into(),
                id_doc_type: customer.doc,
                id_number: customer.doc_number.into(),
                fund_account: customer.fund_account.into(),
                customer_mobile: customer.mobile.into(),
                system: system.into(),
                title: title.into(),
                description: format!("{title}（演示数据）"),
                ..NewReport::default()
            };
            let number = crate::incidents::store::create_report(
                pool,
                &reporter,
                Uuid::new_v4(),
                &report,
                &[],
            )
            .await?;
            // Weekdays 9:00 to 17:00; answered in 10 to 60 minutes; resolved in 1 to 30 hours.
            let created = week
                + Duration::days(i % 5)
                + Duration::hours(9 + (n * 3) % 8)
                + Duration::minutes((n * 17) % 60);
            let answered = created + Duration::minutes(10 + (n * 13) % 50);
            let resolved = created + Duration::hours(1 + (n * 11) % 30);
            let closed = (n % 3 != 0).then(|| resolved + Duration::days(1));
            let target_secs: i32 = match category {
                Category::Consultation => 270 * 60,
                Category::Data => 540 * 60,
                Category::Program => 1080 * 60,
            };
            let breached = (n % 6 == 0).then(|| answered + Duration::minutes(30));
            sqlx::query!(
                r#"UPDATE incidents SET
                       created_at = $2, last_activity_at = COALESCE($7::timestamptz, $5::timestamptz), channel = $3,
                       category = $4, severity = 'p3', subcategory = $8, status = $9,
                       assignee_id = $10, first_response_at = $6, resolved_at = $5,
                       closed_at = $7, solution = $11, sla_target_secs = $12,
                       sla_running_since = NULL, sla_due_at = NULL, sla_breached_at = $13
                   WHERE number = $1"#,
                number.0,
                created as _,
                channel as Channel,
                category as Category,
                resolved as _,
                answered as _,
                closed as _,
                subcategory,
                if closed.is_some() {
                    "closed"
                } else {
                    "resolved"
                },
                handler.id,
                solution,
                target_secs,
                breached as _,
            )
            .execute(pool)
            .await?;
            sqlx::query!(
                r#"UPDATE incident_events SET created_at = $2
                   WHERE incident_id = (SELECT id FROM incidents WHERE number = $1)"#,
                number.0,
                created as _,
            )
            .execute(pool)
            .await?;
            sqlx::query!(
                r#"INSERT INTO incident_events (incident_id, actor_id, kind, to_status, note, created_at)
                   SELECT i.id, $2, step.kind, step.to_status, step.note, step.at
                   FROM incidents i,
                        (VALUES ('claimed', 'analysing', NULL, $3::timestamptz),
                                ('resolved', 'resolved', $5, $4::timestamptz),
                                ('closed', 'closed', NULL, $6::timestamptz))
                            AS step (kind, to_status, note, at)
                   WHERE i.number = $1 AND step.at IS NOT NULL"#,
                number.0,
                handler.id,
                answered as _,
                resolved as _,
                solution,
                closed as _,
            )
            .execute(pool)
            .await?;
        }
    }
    seed_sessions(pool, handler.id).await
}

/// A session two weeks ago on custody transfer limits, with its results, and the next one.
async fn seed_sessions(pool: &PgPool, handler_id: i64) -> Result<(), AppError> {
    let held = monday(2) + Duration::days(1) + Duration::hours(20);
    sqlx::query!(
        r#"INSERT INTO knowledge_sessions
               (starts_at, talk_minutes, quiz_minutes, qa_minutes, topic, subcategories,
                replay_url, live_audience, total_viewers, quiz_questions, score_bands,
                created_by, updated_by)
           VALUES ($1, 30, 10, 15, '银证转账与存管绑定常见问题', '{转账限额,存管绑定}',
                   'https://live.example.com/replay/demo', 86, 214,
                   '{银证转账单笔限额由谁设置？,存管绑定失败先查什么？}', '{4,9,21,30,22}', $2, $2)"#,
        held as _,
        handler_id,
    )
    .execute(pool)
    .await?;
    let next = crate::sessions::SessionPlan::usual(Utc::now());
    if let Some(starts) = next.starts() {
        sqlx::query!(
            r#"INSERT INTO knowledge_sessions
                   (starts_at, talk_minutes, quiz_minutes, qa_minutes, topic, subcategories,
                    created_by, updated_by)
               VALUES ($1, 30, 10, 15, '密码重置与风险测评', '{密码重置,风险测评}', $2, $2)"#,
            starts as _,
            handler_id,
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
