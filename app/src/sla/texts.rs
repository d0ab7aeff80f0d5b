//! Words of the SLA settings page.

use crate::i18n::fill;

pub struct SlaTexts {
    pub title: &'static str,
    pub read_only: &'static str,
    pub targets: &'static str,
    pub targets_hint: &'static str,
    pub hours: &'static str,
    pub day_start: &'static str,
    pub day_end: &'static str,
    pub weekday_names: [&'static str; 7],
    pub days: &'static str,
    pub days_hint: &'static str,
    pub no_days: &'static str,
    pub holiday: &'static str,
    pub workday: &'static str,
    pub day_date: &'static str,
    pub day_kind: &'static str,
    pub day_name: &'static str,
    pub add_day: &'static str,
    pub remove: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    /// Hours; hours and minutes.
    pub hour_units: [&'static str; 2],
    pub history_removed: &'static str,
}

impl SlaTexts {
    /// "2 小时", "4 小时 30 分".
    pub fn minutes_as_hours(&self, minutes: i32) -> String {
        let [h, hm] = self.hour_units;
        if minutes % 60 == 0 {
            fill(h, &[&(minutes / 60)])
        } else {
            fill(hm, &[&(minutes / 60), &(minutes % 60)])
        }
    }
}

crate::area_texts!(SlaTexts, sla);

static ZH: SlaTexts = SlaTexts {
    title: "SLA 与工作日历",
    read_only: "只有管理员可以修改这些设置。",
    targets: "解决时限",
    targets_hint: "按级别和分类设定，单位为工作时间分钟。新时限对之后分类的事件生效。",
    hours: "工作时间（北京时间）",
    day_start: "上班时间",
    day_end: "下班时间",
    weekday_names: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    days: "节假日与调休",
    days_hint: "节假日不计时；调休上班日按工作日计时。修改后，进行中的 SLA 计时会按新日历重新计算到期时间。",
    no_days: "还没有登记节假日。",
    holiday: "节假日",
    workday: "调休上班",
    day_date: "日期",
    day_kind: "类型",
    day_name: "名称",
    add_day: "登记",
    remove: "移除",
    save: "保存",
    saved: "已保存",
    hour_units: ["{} 小时", "{} 小时 {} 分"],
    history_removed: "移除 {}",
};

static EN: SlaTexts = SlaTexts {
    title: "SLA and business calendar",
    read_only: "Only admins can change these settings.",
    targets: "Resolution targets",
    targets_hint: "Per severity and category, in business minutes. New targets apply to incidents classified from now on.",
    hours: "Business hours (Beijing time)",
    day_start: "Day starts",
    day_end: "Day ends",
    weekday_names: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    days: "Holidays and exchanged workdays",
    days_hint: "Holidays do not count; exchanged workdays count as working days. Running SLA clocks get new due times when this changes.",
    no_days: "No holidays listed yet.",
    holiday: "Holiday",
    workday: "Exchanged workday",
    day_date: "Date",
    day_kind: "Kind",
    day_name: "Name",
    add_day: "Add",
    remove: "Remove",
    save: "Save",
    saved: "Saved",
    hour_units: ["{} h", "{} h {} min"],
    history_removed: "Removed {}",
};
