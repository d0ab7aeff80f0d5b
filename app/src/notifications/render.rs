//! A message's facts as WeCom's JSON, within WeCom's limits: robot text at most 2048 bytes,
//! robot markdown 4096, an application card's title 128 and description 512. Longer text is
//! cut on a character boundary and marked.

use serde_json::{json, Value};

use super::outbox::Facts;
use super::Kind;
use crate::i18n::Locale;
use crate::incidents::Severity;

pub const TEXT_LIMIT: usize = 2048;
pub const MARKDOWN_LIMIT: usize = 4096;
pub const CARD_TITLE_LIMIT: usize = 128;
pub const CARD_DESCRIPTION_LIMIT: usize = 512;

/// Cut marker for text over a limit.
const CUT: &str = "…";

/// `text` within `limit` bytes, cut on a character boundary with a marker when it was longer.
pub fn within_bytes(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit.saturating_sub(CUT.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT}", &text[..end])
}

/// Where links lead: this app's public address.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    fn to(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

struct Words {
    new_report: &'static str,
    reporter_replied: &'static str,
    handler_asked: &'static str,
    handler_replied: &'static str,
    resolved: &'static str,
    resolved_many: &'static str,
    sla_due_soon: &'static str,
    sla_breached: &'static str,
    script_pending: &'static str,
    script_approved: &'static str,
    script_rejected: &'static str,
    weekly_report: &'static str,
    monitor_alert: &'static str,
    monitor_recovered: &'static str,
    test: &'static str,
    system: &'static str,
    title: &'static str,
    severity: &'static str,
    reporter: &'static str,
    by: &'static str,
    due: &'static str,
    open: &'static str,
    details: &'static str,
}

const ZH: Words = Words {
    new_report: "新事件",
    reporter_replied: "客户经理已补充信息",
    handler_asked: "事件处理组需要您补充信息",
    handler_replied: "事件处理组回复了您",
    resolved: "您上报的事件已解决",
    resolved_many: "您上报的多个事件已解决",
    sla_due_soon: "SLA 将在 30 分钟内到期",
    sla_breached: "SLA 已超时",
    script_pending: "数据修复脚本待审核",
    script_approved: "数据修复脚本已通过审核",
    script_rejected: "数据修复脚本被驳回",
    weekly_report: "上周服务报表",
    monitor_alert: "业务监控异常",
    monitor_recovered: "业务监控恢复正常",
    test: "事件处理平台测试消息：机器人配置正确。",
    system: "系统",
    title: "标题",
    severity: "严重程度",
    reporter: "上报人",
    by: "处理人",
    due: "到期时间",
    open: "打开事件",
    details: "查看详情",
};

const EN: Words = Words {
    new_report: "New incident",
    reporter_replied: "The reporter answered",
    handler_asked: "The incident team needs more information",
    handler_replied: "The incident team replied",
    resolved: "Your incident is resolved",
    resolved_many: "Your incidents are resolved",
    sla_due_soon: "SLA due within 30 minutes",
    sla_breached: "SLA breached",
    script_pending: "Data-fix script waiting for review",
    script_approved: "Data-fix script approved",
    script_rejected: "Data-fix script rejected",
    weekly_report: "Last week's service report",
    monitor_alert: "Monitoring alert",
    monitor_recovered: "Monitoring back to normal",
    test: "Incident desk test message: the robot is set up correctly.",
    system: "System",
    title: "Title",
    severity: "Severity",
    reporter: "Reporter",
    by: "By",
    due: "Due",
    open: "Open the incident",
    details: "Details",
};

fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::Zh => &ZH,
        Locale::En => &EN,
    }
}

fn headline(kind: Kind, facts: &Facts, w: &Words) -> &'static str {
    match kind {
        Kind::NewReport => w.new_report,
        Kind::ReporterReplied => w.reporter_replied,
        Kind::HandlerAsked => w.handler_asked,
        Kind::HandlerReplied => w.handler_replied,
        Kind::Resolved if facts.numbers.len() > 1 => w.resolved_many,
        Kind::Resolved => w.resolved,
        Kind::SlaDueSoon => w.sla_due_soon,
        Kind::SlaBreached => w.sla_breached,
        Kind::ScriptPending => w.script_pending,
        Kind::ScriptDecided if facts.approved == Some(true) => w.script_approved,
        Kind::ScriptDecided => w.script_rejected,
        Kind::WeeklyReport => w.weekly_report,
        Kind::MonitorAlert => w.monitor_alert,
        Kind::MonitorRecovered => w.monitor_recovered,
        Kind::Test => w.test,
    }
}

fn numbers(facts: &Facts) -> String {
    facts
        .numbers
        .iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::P1 => "P1",
        Severity::P2 => "P2",
        Severity::P3 => "P3",
        Severity::P4 => "P4",
    }
}

fn placement(facts: &Facts) -> Option<String> {
    match (&facts.system, &facts.module) {
        (Some(system), Some(module)) => Some(format!("{system} / {module}")),
        (Some(system), None) => Some(system.clone()),
        _ => None,
    }
}

/// Due time as people read it here: Beijing time.
fn due(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(crate::time::format_minute)
        .unwrap_or_default()
}

/// Text somebody typed, with markdown's control characters swapped for look-alikes, so a
/// title cannot restyle the message or add a link (masked identity keeps its stars).
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            '[' => '［',
            ']' => '］',
            '`' => '｀',
            '*' => '＊',
            c => c,
        })
        .collect()
}

/// The lines of a message: what happened, where, and the text it carries.
fn lines(kind: Kind, facts: &Facts, w: &Words) -> Vec<String> {
    let mut lines = vec![format!("{} {}", headline(kind, facts, w), numbers(facts))];
    if kind == Kind::Test {
        return lines;
    }
    // A summary of counts: its period (or rule), then its lines.
    if matches!(
        kind,
        Kind::WeeklyReport | Kind::MonitorAlert | Kind::MonitorRecovered
    ) {
        lines[0] = format!("{} {}", headline(kind, facts, w), facts.title);
        lines.extend(
            facts
                .text
                .iter()
                .flat_map(|text| text.lines().map(str::to_owned)),
        );
        return lines;
    }
    lines.push(format!("{}: {}", w.title, facts.title));
    if let Some(place) = placement(facts) {
        lines.push(format!("{}: {place}", w.system));
    }
    if let Some(level) = facts.severity {
        lines.push(format!("{}: {}", w.severity, severity(level)));
    }
    if let Some(person) = &facts.person {
        let label = if kind == Kind::NewReport || kind == Kind::ReporterReplied {
            w.reporter
        } else {
            w.by
        };
        lines.push(format!("{label}: {person}"));
    }
    if let Some(ms) = facts.due_at_ms {
        lines.push(format!("{}: {}", w.due, due(ms)));
    }
    if let Some(text) = &facts.text {
        lines.push(text.clone());
    }
    lines
}

/// The JSON a robot is sent: markdown for announcements to the group, text where somebody is
/// mentioned (WeCom mentions by mobile only in text messages).
pub fn robot_message(kind: Kind, facts: &Facts, links: &Links) -> Value {
    let w = words(facts.locale);
    let link = links.to(&facts.path);
    let announced = matches!(
        kind,
        Kind::NewReport
            | Kind::ScriptPending
            | Kind::WeeklyReport
            | Kind::MonitorAlert
            | Kind::MonitorRecovered
    );
    if facts.mention_mobile.is_none() && announced {
        let mut content = String::new();
        for (i, line) in lines(kind, facts, w).iter().enumerate() {
            if i == 0 {
                content.push_str(&format!("**{line}**\n"));
            } else {
                content.push_str(&format!("> {}\n", plain(line)));
            }
        }
        let open = if kind != Kind::NewReport && kind != Kind::ScriptPending {
            w.details
        } else {
            w.open
        };
        let tail = format!("[{open}]({link})");
        let body = within_bytes(&content, MARKDOWN_LIMIT - tail.len());
        return json!({"msgtype": "markdown", "markdown": {"content": format!("{body}{tail}")}});
    }
    let mut content = lines(kind, facts, w).join("\n");
    if kind != Kind::Test {
        content.push('\n');
    }
    let tail = if kind == Kind::Test {
        String::new()
    } else {
        link
    };
    let body = within_bytes(&content, TEXT_LIMIT - tail.len());
    let mut text = json!({"content": format!("{body}{tail}")});
    if let Some(mobile) = &facts.mention_mobile {
        text["mentioned_mobile_list"] = json!([mobile]);
    }
    json!({"msgtype": "text", "text": text})
}

/// The JSON of a personal application message: a card linking to the page.
pub fn app_message(kind: Kind, facts: &Facts, links: &Links, agent_id: i64) -> Value {
    let w = words(facts.locale);
    let mut all = lines(kind, facts, w);
    let title = within_bytes(&all.remove(0), CARD_TITLE_LIMIT);
    let description = within_bytes(&all.join("\n"), CARD_DESCRIPTION_LIMIT);
    json!({
        "touser": facts.touser.clone().unwrap_or_default(),
        "msgtype": "textcard",
        "agentid": agent_id,
        "textcard": {
            "title": title,
            "description": description,
            "url": links.to(&facts.path),
            "btntxt": w.details,
        }
    })
}

/// The facts of an admin's test message.
pub fn test_facts() -> Facts {
    Facts {
        locale: Locale::Zh,
        ..Facts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_chinese_text_is_cut_on_a_character_boundary() {
        let text = "银证转账失败".repeat(200);
        let cut = within_bytes(&text, TEXT_LIMIT);
        assert!(cut.len() <= TEXT_LIMIT);
        assert!(cut.ends_with(CUT));
        assert!(text.starts_with(cut.trim_end_matches(CUT)));
        assert_eq!(within_bytes("短", 10), "短");
    }

    #[test]
    fn every_rendered_message_keeps_to_its_limit() {
        let facts = Facts {
            numbers: vec![1001],
            title: "标题".repeat(100),
            text: Some("说明".repeat(3000)),
            path: "/console/i/1001".into(),
            mention_mobile: Some("13900000001".into()),
            touser: Some("zhangsan".into()),
            ..Facts::default()
        };
        let links = Links::new("https://desk.example.com/");
        let text = robot_message(Kind::ReporterReplied, &facts, &links);
        let content = text["text"]["content"].as_str().unwrap_or_default();
        assert!(content.len() <= TEXT_LIMIT, "{}", content.len());
        assert!(content.ends_with("https://desk.example.com/console/i/1001"));
        assert_eq!(text["text"]["mentioned_mobile_list"][0], "13900000001");
        let markdown = robot_message(
            Kind::NewReport,
            &Facts {
                mention_mobile: None,
                ..facts.clone()
            },
            &links,
        );
        let content = markdown["markdown"]["content"].as_str().unwrap_or_default();
        assert!(content.len() <= MARKDOWN_LIMIT);
        let card = app_message(Kind::HandlerAsked, &facts, &links, 1000002);
        assert!(
            card["textcard"]["description"]
                .as_str()
                .unwrap_or_default()
                .len()
                <= CARD_DESCRIPTION_LIMIT
        );
        assert_eq!(card["touser"], "zhangsan");
    }
}
