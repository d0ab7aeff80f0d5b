//! The words every area shares (sign-in, roles, errors), in both languages. An area's own words
//! live in its `texts.rs` with the same shape: a struct, `ZH` and `EN` filling it (a missing
//! translation is a compile error) and `of(locale)`. Sentences with values are `fill`
//! templates, never closures: code in a static would ship with every page.

use super::{fill, FieldNames};

pub struct Texts {
    /// The language of this catalogue, for reaching an area's words of the same language.
    pub locale: super::Locale,
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

    pub help_title: &'static str,

    pub forbidden_title: &'static str,
    pub not_found_title: &'static str,
    pub go_home: &'static str,

    pub err_unauthenticated: &'static str,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub err_bad_credentials: &'static str,
    /// Seconds; minutes (for long waits, so the sentence stays readable).
    pub err_throttled: [&'static str; 2],
    pub err_required: &'static str,
    pub err_too_long: &'static str,
    pub err_control_character: &'static str,
    pub err_internal: &'static str,
    pub err_busy: &'static str,
    /// Minutes.
    pub err_rate_limited: &'static str,
    pub err_too_many_streams: &'static str,
    pub err_content_type: &'static str,
    pub err_network: &'static str,
}

impl Texts {
    /// The name of a form field as the user sees it, for error sentences.
    /// Shared and incident fields are known here; an area's own fields through the
    /// [`super::FieldNames`] its layout provides.
    pub fn field_name<'a>(&'a self, field: &'a str) -> &'a str {
        match field {
            "login" => self.field_login,
            "password" => self.field_password,
            other => crate::incidents::texts::of(self.locale)
                .field_name(other)
                .or_else(|| {
                    leptos::prelude::use_context::<super::FieldNames>()
                        .and_then(|FieldNames(names)| names(self.locale, other))
                })
                .unwrap_or(other),
        }
    }

    /// "Too many attempts, try again in …", in minutes once the wait is long.
    pub fn throttled(&self, secs: u64) -> String {
        let [seconds, minutes] = self.err_throttled;
        if secs >= 120 {
            fill(minutes, &[&secs.div_ceil(60)])
        } else {
            fill(seconds, &[&secs])
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

pub static ZH: Texts = Texts {
    locale: super::Locale::Zh,
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

    help_title: "QA 帮助中心",

    forbidden_title: "无权访问",
    not_found_title: "页面不存在",
    go_home: "返回首页",

    err_unauthenticated: "请先登录",
    err_forbidden: "你的角色无权访问此页面或执行此操作",
    err_not_found: "找不到你要的内容",
    err_bad_credentials: "账号或密码不正确",
    err_throttled: [
        "登录尝试次数过多，请 {} 秒后再试",
        "登录尝试次数过多，请 {} 分钟后再试",
    ],
    err_required: "请填写{}",
    err_too_long: "{}不能超过 {} 个字",
    err_control_character: "{}含有无法保存的控制字符（可能随粘贴带入），请删去后重试",
    err_internal: "服务器出错了，请稍后再试",
    err_busy: "服务器正忙，请 {} 秒后再试",
    err_rate_limited: "这一小时内此类操作太多，请 {} 分钟后再试",
    err_too_many_streams: "同时打开的页面太多，请关闭一些后刷新",
    err_content_type: "请求的格式不受支持",
    err_network: "网络异常，请检查网络后重试",
};

pub static EN: Texts = Texts {
    locale: super::Locale::En,
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

    help_title: "QA help center",

    forbidden_title: "No access",
    not_found_title: "Page not found",
    go_home: "Go to start page",

    err_unauthenticated: "Please sign in first.",
    err_forbidden: "Your role may not open this page or do this.",
    err_not_found: "We could not find what you asked for.",
    err_bad_credentials: "Wrong login or password.",
    err_throttled: [
        "Too many sign-in attempts. Try again in {} seconds.",
        "Too many sign-in attempts. Try again in {} minutes.",
    ],
    err_required: "{} is required.",
    err_too_long: "{} must be at most {} characters.",
    err_control_character: "{} contains a control character that cannot be saved (pasted text can carry one). Remove it and try again.",
    err_internal: "Something went wrong on the server. Please try again later.",
    err_busy: "The server is busy. Please try again in {} seconds.",
    err_rate_limited: "Too many of these within the hour. Please try again in {} minutes.",
    err_too_many_streams: "Too many pages of the desk are open. Close some and reload.",
    err_content_type: "This request is in a format the desk does not accept.",
    err_network: "Network problem. Check the connection and try again.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_waits_read_in_minutes() {
        assert_eq!(ZH.throttled(45), "登录尝试次数过多，请 45 秒后再试");
        assert_eq!(
            EN.throttled(600),
            "Too many sign-in attempts. Try again in 10 minutes."
        );
    }
}
