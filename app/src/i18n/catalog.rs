//! Every user-facing string, in both languages, in one place. A missing translation is a
//! compile error because both catalogues fill the same struct.

pub struct Texts {
    pub app_name: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    /// Label of the switch, written in the language it switches to.
    pub switch_language: &'static str,
    pub loading: &'static str,

    pub login_title: &'static str,
    pub login_subtitle: &'static str,
    pub field_login: &'static str,
    pub field_password: &'static str,
    pub login_submit: &'static str,
    pub login_submitting: &'static str,

    pub role_reporter: &'static str,
    pub role_handler: &'static str,
    pub role_reviewer: &'static str,
    pub role_admin: &'static str,

    pub mobile_title: &'static str,
    pub reporter_empty_title: &'static str,
    pub reporter_empty_body: &'static str,

    pub console_title: &'static str,
    pub console_nav_queue: &'static str,
    pub team_title: &'static str,
    pub last_sign_in: &'static str,
    pub never_signed_in: &'static str,

    pub help_title: &'static str,
    pub help_subtitle: &'static str,
    pub help_systems: &'static str,

    pub forbidden_title: &'static str,
    pub not_found_title: &'static str,
    pub go_home: &'static str,

    pub err_unauthenticated: &'static str,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub err_bad_credentials: &'static str,
    pub err_throttled: fn(u64) -> String,
    pub err_required: fn(&str) -> String,
    pub err_too_long: fn(&str, u32) -> String,
    pub err_internal: &'static str,
    pub err_network: &'static str,

    pub incident: &'static crate::incidents::texts::IncidentTexts,
    pub reporter: &'static crate::reporter::texts::ReporterTexts,
    pub console: &'static crate::console::texts::ConsoleTexts,
}

impl Texts {
    /// The name of a form field as the user sees it, for error sentences.
    pub fn field_name<'a>(&'a self, field: &'a str) -> &'a str {
        match field {
            "login" => self.field_login,
            "password" => self.field_password,
            other => self
                .incident
                .field_name(other)
                .or_else(|| self.console.field_name(other))
                .unwrap_or(other),
        }
    }

    pub fn role_name(&self, role: crate::auth::Role) -> &'static str {
        use crate::auth::Role;
        match role {
            Role::Reporter => self.role_reporter,
            Role::Handler => self.role_handler,
            Role::Reviewer => self.role_reviewer,
            Role::Admin => self.role_admin,
        }
    }
}

/// Whole minutes when the wait is long, so the sentence stays readable.
fn wait_zh(secs: u64) -> String {
    if secs >= 120 {
        format!("登录尝试次数过多，请 {} 分钟后再试", secs.div_ceil(60))
    } else {
        format!("登录尝试次数过多，请 {secs} 秒后再试")
    }
}

fn wait_en(secs: u64) -> String {
    if secs >= 120 {
        format!(
            "Too many sign-in attempts. Try again in {} minutes.",
            secs.div_ceil(60)
        )
    } else {
        format!("Too many sign-in attempts. Try again in {secs} seconds.")
    }
}

pub static ZH: Texts = Texts {
    app_name: "事件处理平台",
    sign_in: "登录",
    sign_out: "退出登录",
    switch_language: "English",
    loading: "加载中…",

    login_title: "登录事件处理平台",
    login_subtitle: "客户经理上报问题，事件处理组跟进解决",
    field_login: "账号",
    field_password: "密码",
    login_submit: "登录",
    login_submitting: "正在登录…",

    role_reporter: "客户经理",
    role_handler: "事件处理组",
    role_reviewer: "审核（运维）",
    role_admin: "管理员",

    mobile_title: "我的上报",
    reporter_empty_title: "还没有上报记录",
    reporter_empty_body: "你上报的事件会显示在这里，包括处理进度和处理人的回复。",

    console_title: "事件队列",
    console_nav_queue: "事件队列",
    team_title: "平台成员",
    last_sign_in: "最近登录",
    never_signed_in: "从未登录",

    help_title: "QA 帮助中心",
    help_subtitle: "按业务系统查找常见问题的解决办法",
    help_systems: "业务系统",

    forbidden_title: "无权访问",
    not_found_title: "页面不存在",
    go_home: "返回首页",

    err_unauthenticated: "请先登录",
    err_forbidden: "你的角色无权访问此页面或执行此操作",
    err_not_found: "找不到你要的内容",
    err_bad_credentials: "账号或密码不正确",
    err_throttled: wait_zh,
    err_required: |name| format!("请填写{name}"),
    err_too_long: |name, max| format!("{name}不能超过 {max} 个字"),
    err_internal: "服务器出错了，请稍后再试",
    err_network: "网络异常，请检查网络后重试",
    incident: &crate::incidents::texts::ZH,
    reporter: &crate::reporter::texts::ZH,
    console: &crate::console::texts::ZH,
};

pub static EN: Texts = Texts {
    app_name: "Incident Desk",
    sign_in: "Sign in",
    sign_out: "Sign out",
    switch_language: "中文",
    loading: "Loading…",

    login_title: "Sign in to Incident Desk",
    login_subtitle: "Account managers report problems; the incident team resolves them",
    field_login: "Login",
    field_password: "Password",
    login_submit: "Sign in",
    login_submitting: "Signing in…",

    role_reporter: "Account manager",
    role_handler: "Incident team",
    role_reviewer: "Reviewer (ops)",
    role_admin: "Administrator",

    mobile_title: "My reports",
    reporter_empty_title: "No reports yet",
    reporter_empty_body:
        "Incidents you report appear here, with their progress and the handlers' replies.",

    console_title: "Incident queue",
    console_nav_queue: "Queue",
    team_title: "People on the desk",
    last_sign_in: "Last sign-in",
    never_signed_in: "Never signed in",

    help_title: "QA help center",
    help_subtitle: "Answers to common questions, by business system",
    help_systems: "Business systems",

    forbidden_title: "No access",
    not_found_title: "Page not found",
    go_home: "Go to start page",

    err_unauthenticated: "Please sign in first.",
    err_forbidden: "Your role may not open this page or do this.",
    err_not_found: "We could not find what you asked for.",
    err_bad_credentials: "Wrong login or password.",
    err_throttled: wait_en,
    err_required: |name| format!("{name} is required."),
    err_too_long: |name, max| format!("{name} must be at most {max} characters."),
    err_internal: "Something went wrong on the server. Please try again later.",
    err_network: "Network problem. Check the connection and try again.",
    incident: &crate::incidents::texts::EN,
    reporter: &crate::reporter::texts::EN,
    console: &crate::console::texts::EN,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_waits_read_in_minutes() {
        assert_eq!((ZH.err_throttled)(45), "登录尝试次数过多，请 45 秒后再试");
        assert_eq!(
            (EN.err_throttled)(600),
            "Too many sign-in attempts. Try again in 10 minutes."
        );
    }
}
