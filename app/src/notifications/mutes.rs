//! The switches with which anyone turns off the personal messages meant for them, on the
//! phone (`/m/settings`) and in the console (`/console/profile`), and the names of the kinds
//! of message. Kept apart from the admins' settings page so the phone carries none of its words.

use leptos::prelude::*;

use super::{Kind, SetMute};
use crate::i18n::use_i18n;
use crate::resource::page_resource;
use crate::shell::Loading;
use crate::ui::{HINT, PANEL};

pub struct MuteTexts {
    pub mutes: &'static str,
    pub mutes_hint: &'static str,
    pub kind_new_report: &'static str,
    pub kind_reporter_replied: &'static str,
    pub kind_handler_asked: &'static str,
    pub kind_handler_replied: &'static str,
    pub kind_resolved: &'static str,
    pub kind_sla_due_soon: &'static str,
    pub kind_sla_breached: &'static str,
    pub kind_script_pending: &'static str,
    pub kind_script_decided: &'static str,
    pub kind_weekly_report: &'static str,
    pub kind_monitor_alert: &'static str,
    pub kind_monitor_recovered: &'static str,
    pub kind_test: &'static str,
}

impl MuteTexts {
    pub fn kind(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::NewReport => self.kind_new_report,
            Kind::ReporterReplied => self.kind_reporter_replied,
            Kind::HandlerAsked => self.kind_handler_asked,
            Kind::HandlerReplied => self.kind_handler_replied,
            Kind::Resolved => self.kind_resolved,
            Kind::SlaDueSoon => self.kind_sla_due_soon,
            Kind::SlaBreached => self.kind_sla_breached,
            Kind::ScriptPending => self.kind_script_pending,
            Kind::ScriptDecided => self.kind_script_decided,
            Kind::WeeklyReport => self.kind_weekly_report,
            Kind::MonitorAlert => self.kind_monitor_alert,
            Kind::MonitorRecovered => self.kind_monitor_recovered,
            Kind::Test => self.kind_test,
        }
    }
}

crate::area_texts!(MuteTexts, mutes);

static ZH: MuteTexts = MuteTexts {
    mutes: "消息提醒",
    mutes_hint: "关闭后，企业微信不再向你本人推送这类消息。",
    kind_new_report: "新事件上报",
    kind_reporter_replied: "客户经理补充信息",
    kind_handler_asked: "需要我补充信息",
    kind_handler_replied: "处理组回复",
    kind_resolved: "事件已解决",
    kind_sla_due_soon: "SLA 即将到期",
    kind_sla_breached: "SLA 超时",
    kind_script_pending: "脚本待审核",
    kind_script_decided: "脚本审核结果",
    kind_weekly_report: "每周服务报表",
    kind_monitor_alert: "业务监控异常",
    kind_monitor_recovered: "业务监控恢复",
    kind_test: "测试消息",
};

static EN: MuteTexts = MuteTexts {
    mutes: "Message alerts",
    mutes_hint: "Switched off, WeCom no longer sends you these messages personally.",
    kind_new_report: "New report",
    kind_reporter_replied: "Reporter answered",
    kind_handler_asked: "More information needed from me",
    kind_handler_replied: "Team replied",
    kind_resolved: "Incident resolved",
    kind_sla_due_soon: "SLA due soon",
    kind_sla_breached: "SLA breached",
    kind_script_pending: "Script waiting for review",
    kind_script_decided: "Script reviewed",
    kind_weekly_report: "Weekly service report",
    kind_monitor_alert: "Monitoring alert",
    kind_monitor_recovered: "Monitoring recovered",
    kind_test: "Test message",
};

/// Switches for the personal messages `kinds` (the phone's and the console's differ).
#[component]
pub fn MutesPanel(kinds: &'static [Kind]) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.mutes();
    let set = ServerAction::<SetMute>::new();
    let mutes = page_resource(move || set.version().get(), |_| super::my_mutes());
    view! {
        <section class=format!("mt-4 {PANEL}") data-testid="mutes">
            <h2 class="font-semibold">{move || t().mutes}</h2>
            <p class=HINT>{move || t().mutes_hint}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let muted = mutes.await.unwrap_or_default();
                    kinds.iter().map(|kind| {
                        let kind = *kind;
                        let on = !muted.contains(&kind);
                        view! {
                            <label class="mt-2 flex items-center gap-2 text-sm">
                                <input type="checkbox" prop:checked=on data-testid=format!("mute-{kind:?}")
                                    on:change=move |ev| { set.dispatch(SetMute { kind, muted: !event_target_checked(&ev) }); } />
                                {move || t().kind(kind)}
                            </label>
                        }
                    }).collect_view()
                })}
            </Transition>
            {move || set.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p>
            })}
        </section>
    }
}
