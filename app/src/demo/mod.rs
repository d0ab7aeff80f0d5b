//! Demo data for a first start on the embedded database: one user of every role, the team's
//! canned replies, a few incidents to work on, eight weeks of worked ones with two knowledge
//! sessions (`history`), and the help center's articles.

pub mod brokerage;
mod history;

use sqlx::PgPool;

use crate::auth::{password, store, Role};
use crate::error::AppError;
use crate::incidents::{Channel, DocType, NewReport};
use uuid::Uuid;

pub struct DemoUser {
    pub login: &'static str,
    pub display_name: &'static str,
    pub role: Role,
}

pub const DEMO_PASSWORD: &str = "demo-2026";

pub const DEMO_USERS: [DemoUser; 5] = [
    DemoUser {
        login: "reporter",
        display_name: "王芳",
        role: Role::Reporter,
    },
    DemoUser {
        login: "reporter2",
        display_name: "陈磊",
        role: Role::Reporter,
    },
    DemoUser {
        login: "handler",
        display_name: "李强",
        role: Role::Handler,
    },
    DemoUser {
        login: "reviewer",
        display_name: "赵敏",
        role: Role::Reviewer,
    },
    DemoUser {
        login: "admin",
        display_name: "周静",
        role: Role::Admin,
    },
];

/// Adds the demo users when there are no users at all. Returns whether it did.
pub async fn seed_if_empty(pool: &PgPool) -> Result<bool, AppError> {
    if store::count(pool).await? > 0 {
        return Ok(false);
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut admin = None;
    for user in &DEMO_USERS {
        let id = store::create(
            pool,
            store::NewUser {
                login: user.login,
                display_name: user.display_name,
                role: user.role,
                password_hash: &hash,
            },
        )
        .await?;
        if user.role == Role::Admin {
            admin = Some(id);
        }
    }
    seed_canned_replies(pool).await?;
    seed_incidents(pool).await?;
    seed_recorded_incidents(pool).await?;
    history::seed_history(pool).await?;
    seed_articles(pool).await?;
    if let Some(admin) = admin {
        brokerage::seed_rules(pool, admin).await?;
    }
    Ok(true)
}

/// A customer of a demo incident, as the account manager typed it.
pub struct DemoCustomer {
    pub name: &'static str,
    pub doc: DocType,
    pub doc_number: &'static str,
    pub fund_account: &'static str,
    pub mobile: &'static str,
}

/// Incidents `reporter2` filed, through the same store as the app's, so their identity is
/// sealed as any other's.
pub const DEMO_INCIDENTS: [(DemoCustomer, &str, &str, &str); 3] = [
    (
        DemoCustomer {
            name: "刘洋",
            doc: DocType::IdCard,
            doc_number: "320106198506122019",
            fund_account: "310000887766",
            mobile: "13912345678",
        },
        "custody",
        "三方存管绑定失败",
        "客户在手机上绑定存管银行时提示“银行卡状态异常”，银行柜台查询卡片正常。",
    ),
    (
        DemoCustomer {
            name: "黄丽",
            doc: DocType::Passport,
            doc_number: "E98765432",
            fund_account: "310000554433",
            mobile: "13687654321",
        },
        "account",
        "风险测评结果未更新",
        "客户昨天完成风险测评，今天交易时仍提示测评已过期。",
    ),
    (
        DemoCustomer {
            name: "吴刚",
            doc: DocType::HkMacauPermit,
            doc_number: "H12345678",
            fund_account: "310000221100",
            mobile: "15011112222",
        },
        "trading",
        "委托被拒绝",
        "09:35 客户下单提示“委托被拒绝”，换手机重试也一样。",
    ),
];

pub async fn seed_incidents(pool: &PgPool) -> Result<(), AppError> {
    let Some(reporter) = store::find_credentials(pool, "reporter2")
        .await?
        .map(|found| found.user)
    else {
        return Ok(());
    };
    for (customer, system, title, description) in DEMO_INCIDENTS {
        let report = NewReport {
            customer_name: customer.name.into(),
            id_doc_type: customer.doc,
            id_number: customer.doc_number.into(),
            fund_account: customer.fund_account.into(),
            customer_mobile: customer.mobile.into(),
            system: system.into(),
            title: title.into(),
            description: description.into(),
            ..NewReport::default()
        };
        crate::incidents::store::create_report(pool, &reporter, Uuid::new_v4(), &report, &[])
            .await?;
    }
    Ok(())
}

/// Incidents that reached the team another way, recorded by `handler`: the queue's channel
/// filter and the service report have more than the phone app to show.
const DEMO_RECORDED: [(Channel, &str, i64, &str, &str, &str); 2] = [
    (
        Channel::Wechat,
        "WX-DEMO-0001",
        50,
        "account",
        "客户咨询两融开户条件",
        "营业部微信群：客户想开通融资融券，询问资产和交易经验要求。",
    ),
    (
        Channel::Phone,
        "",
        20,
        "custody",
        "银证转账到账延迟",
        "客户经理来电：客户上午银行转证券，半小时后仍未到账。",
    ),
];

pub async fn seed_recorded_incidents(pool: &PgPool) -> Result<(), AppError> {
    let Some(recorder) = store::find_credentials(pool, "handler")
        .await?
        .map(|found| found.user)
    else {
        return Ok(());
    };
    for (channel, external_ref, minutes_ago, system, title, description) in DEMO_RECORDED {
        let report = NewReport {
            customer_name: "陈静".into(),
            id_doc_type: DocType::IdCard,
            id_number: "110101199003074514".into(),
            system: system.into(),
            title: title.into(),
            description: description.into(),
            ..NewReport::default()
        };
        let origin = crate::incidents::store::Origin {
            channel,
            received_at: chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
            external_ref: Some(external_ref).filter(|r| !r.is_empty()),
            contact: Some("营业部王经理"),
            quiet: false,
            category: None,
            resolved: None,
        };
        crate::incidents::store::record(pool, &recorder, &report, origin).await?;
    }
    Ok(())
}

/// Replies the team types every day, so the picker has something to offer on a first look.
const DEMO_CANNED_REPLIES: [(&str, &str); 3] = [
    (
        "补充资金账号",
        "您好，请补充客户的资金账号，便于我们查询账户状态。",
    ),
    (
        "补充报错截图",
        "您好，请上传客户手机上的完整报错截图（含时间），我们会尽快定位。",
    ),
    (
        "存管绑定处理中",
        "您好，存管银行绑定问题已转交运维处理，预计今天内给您答复。",
    ),
];

async fn seed_canned_replies(pool: &PgPool) -> Result<(), AppError> {
    for (title, body) in DEMO_CANNED_REPLIES {
        sqlx::query!(
            "INSERT INTO canned_replies (title, body, updated_by)
             SELECT $1, $2, id FROM users WHERE login = 'handler'",
            title,
            body
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// The help center's demo articles, written for this project (`help/demo_articles.json`).
const DEMO_ARTICLES: &str = include_str!("../help/demo_articles.json");

/// The brokerage's words that mean the same, as the team keeps them.
const DEMO_SYNONYMS: [&[&str]; 4] = [
    &["两融", "融资融券"],
    &["开户", "开立账户"],
    &["银证转账", "三方存管转账"],
    &["密码忘了", "忘记密码"],
];

#[derive(serde::Deserialize)]
struct DemoArticle {
    slug: String,
    system: String,
    module: String,
    title: String,
    tags: Vec<String>,
    body: String,
}

/// Writes the demo articles as the handler and publishes them as the reviewer, through the
/// knowledge base's own store, and adds the synonyms.
pub async fn seed_articles(pool: &PgPool) -> Result<(), AppError> {
    let writer = store::find_credentials(pool, "handler")
        .await?
        .map(|found| found.user);
    let reviewer = store::find_credentials(pool, "reviewer")
        .await?
        .map(|found| found.user);
    let (Some(writer), Some(reviewer)) = (writer, reviewer) else {
        return Ok(());
    };
    let articles: Vec<DemoArticle> = serde_json::from_str(DEMO_ARTICLES).map_err(|error| {
        tracing::error!(%error, "demo articles unreadable");
        AppError::Internal
    })?;
    for article in articles {
        let input = crate::help::ArticleInput {
            slug: article.slug,
            system: article.system,
            module: Some(article.module),
            title: article.title,
            tags: article.tags,
            body: article.body,
        };
        let id = crate::help::store::create(pool, &writer, &input, None).await?;
        crate::help::store::submit(pool, id).await?;
        crate::help::store::publish(pool, &reviewer, id).await?;
    }
    for words in DEMO_SYNONYMS {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        sqlx::query!(
            "INSERT INTO help_synonyms (words, updated_by) VALUES ($1, $2)",
            &words,
            writer.id
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
