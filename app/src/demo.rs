//! Demo data for a first start on the embedded database: one user of every role.

use sqlx::PgPool;

use crate::auth::{password, store, Role};
use crate::error::AppError;

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
    for user in &DEMO_USERS {
        store::create(
            pool,
            store::NewUser {
                login: user.login,
                display_name: user.display_name,
                role: user.role,
                password_hash: &hash,
            },
        )
        .await?;
    }
    seed_canned_replies(pool).await?;
    Ok(true)
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
