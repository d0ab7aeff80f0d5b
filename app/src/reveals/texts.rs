//! Words of the reveal and its audit page.

use super::{IdentityField, RevealReason};

pub struct RevealTexts {
    pub choose_reason: &'static str,
    pub confirm: &'static str,
    pub cancel: &'static str,
    pub only_assignee: &'static str,
    pub reason_verify_identity: &'static str,
    pub reason_contact_customer: &'static str,
    pub reason_data_fix: &'static str,
    pub reason_compliance: &'static str,
    pub reason_unrecorded: &'static str,

    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub filter_login: &'static str,
    pub filter_number: &'static str,
    pub filter_field: &'static str,
    pub filter_reason: &'static str,
    pub filter_from: &'static str,
    pub filter_to: &'static str,
    pub any: &'static str,
    pub apply: &'static str,
    pub more: &'static str,
    pub newest: &'static str,
    pub bad_number: &'static str,
    pub bad_date: &'static str,
    pub none_found: &'static str,
    pub col_when: &'static str,
    pub col_who: &'static str,
    pub col_incident: &'static str,
    pub col_field: &'static str,
    pub col_reason: &'static str,
    pub col_session: &'static str,
    pub col_address: &'static str,
    /// Threshold.
    pub alerts_title: &'static str,
    /// Reveals in the last hour.
    pub alert_line: &'static str,
    pub no_alerts: &'static str,
    pub field_customer_name: &'static str,
    pub field_id_number: &'static str,
    pub field_fund_account: &'static str,
    pub field_customer_mobile: &'static str,
    pub nav: &'static str,
}

impl RevealTexts {
    pub fn reason(&self, reason: Option<RevealReason>) -> &'static str {
        match reason {
            Some(RevealReason::VerifyIdentity) => self.reason_verify_identity,
            Some(RevealReason::ContactCustomer) => self.reason_contact_customer,
            Some(RevealReason::DataFix) => self.reason_data_fix,
            Some(RevealReason::Compliance) => self.reason_compliance,
            None => self.reason_unrecorded,
        }
    }

    pub fn field(&self, field: IdentityField) -> &'static str {
        match field {
            IdentityField::CustomerName => self.field_customer_name,
            IdentityField::IdNumber => self.field_id_number,
            IdentityField::FundAccount => self.field_fund_account,
            IdentityField::CustomerMobile => self.field_customer_mobile,
        }
    }
}

crate::area_texts!(RevealTexts, reveals);

static ZH: RevealTexts = RevealTexts {
    choose_reason: "查看原因",
    confirm: "确认查看",
    cancel: "取消",
    only_assignee: "只有该事件的处理人可以查看完整信息",
    reason_verify_identity: "核实客户身份",
    reason_contact_customer: "联系客户",
    reason_data_fix: "数据修复核对",
    reason_compliance: "合规或监管要求",
    reason_unrecorded: "未记录",

    audit_title: "身份信息查看记录",
    audit_intro: "每次查看客户完整身份信息都记录在此：查看人、会话、地址、字段和原因。",
    filter_login: "查看人账号",
    filter_number: "事件编号",
    filter_field: "字段",
    filter_reason: "原因",
    filter_from: "开始日期",
    filter_to: "结束日期",
    any: "全部",
    apply: "筛选",
    more: "更早的记录",
    newest: "最新的记录",
    bad_number: "事件编号只能是数字。",
    bad_date: "日期格式应为 年-月-日。",
    none_found: "没有符合条件的记录。",
    col_when: "时间",
    col_who: "查看人",
    col_incident: "事件",
    col_field: "字段",
    col_reason: "原因",
    col_session: "会话",
    col_address: "地址",
    alerts_title: "预警：过去一小时查看超过 {} 次",
    alert_line: "{} 次",
    no_alerts: "过去一小时没有人超过预警次数。",
    field_customer_name: "客户姓名",
    field_id_number: "证件号码",
    field_fund_account: "资金账号",
    field_customer_mobile: "客户手机",
    nav: "查看记录",
};

static EN: RevealTexts = RevealTexts {
    choose_reason: "Reason",
    confirm: "Show in full",
    cancel: "Cancel",
    only_assignee: "Only the incident's handler may see the full value",
    reason_verify_identity: "Verify the customer's identity",
    reason_contact_customer: "Contact the customer",
    reason_data_fix: "Check a data fix",
    reason_compliance: "Compliance or regulator request",
    reason_unrecorded: "Not recorded",

    audit_title: "Identity reveals",
    audit_intro: "Every look at a customer's full identity is recorded here: who, session, address, field and reason.",
    filter_login: "User login",
    filter_number: "Incident number",
    filter_field: "Field",
    filter_reason: "Reason",
    filter_from: "From",
    filter_to: "To",
    any: "Any",
    apply: "Filter",
    more: "Older records",
    newest: "Newest records",
    bad_number: "An incident number has digits only.",
    bad_date: "Dates are written year-month-day.",
    none_found: "No records match.",
    col_when: "When",
    col_who: "Who",
    col_incident: "Incident",
    col_field: "Field",
    col_reason: "Reason",
    col_session: "Session",
    col_address: "Address",
    alerts_title: "Alert: more than {} reveals in the last hour",
    alert_line: "{} reveals",
    no_alerts: "Nobody passed the alert threshold in the last hour.",
    field_customer_name: "Customer name",
    field_id_number: "ID number",
    field_fund_account: "Fund account",
    field_customer_mobile: "Customer mobile",
    nav: "Reveal log",
};
