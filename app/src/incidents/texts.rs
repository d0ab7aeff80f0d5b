//! Words of the incident domain in both languages: statuses, steps, documents, fields, errors.

use super::{Category, DocType, Status, Step, TransferTarget};

pub struct IncidentTexts {
    pub status_new: &'static str,
    pub status_analysing: &'static str,
    pub status_transferred: &'static str,
    pub status_waiting: &'static str,
    pub status_resolved: &'static str,
    pub status_closed: &'static str,

    pub step_reported: &'static str,
    pub step_claimed: &'static str,
    pub step_classified: &'static str,
    pub step_transferred: &'static str,
    pub step_waiting: &'static str,
    pub step_resumed: &'static str,
    pub step_resolved: &'static str,
    pub step_confirmed: &'static str,
    pub step_closed: &'static str,
    pub step_reopened: &'static str,
    pub step_assigned: &'static str,
    pub step_linked: &'static str,
    pub step_unlinked: &'static str,
    pub step_script_submitted: &'static str,
    pub step_script_approved: &'static str,
    pub step_script_rejected: &'static str,
    pub step_script_executed: &'static str,

    pub category_data: &'static str,
    pub category_program: &'static str,
    pub category_consultation: &'static str,

    pub target_test: &'static str,
    pub target_development: &'static str,
    pub target_operations: &'static str,
    pub target_product: &'static str,

    pub doc_id_card: &'static str,
    pub doc_passport: &'static str,
    pub doc_hk_macau_permit: &'static str,
    pub doc_taiwan_permit: &'static str,

    pub field_customer_name: &'static str,
    pub field_id_doc_type: &'static str,
    pub field_id_number: &'static str,
    pub field_fund_account: &'static str,
    pub field_customer_mobile: &'static str,
    pub field_system: &'static str,
    pub field_module: &'static str,
    pub field_title: &'static str,
    pub field_description: &'static str,
    pub field_attachments: &'static str,
    pub field_message: &'static str,
    pub field_solution: &'static str,
    pub field_reason: &'static str,
    pub field_transfer_target: &'static str,
    pub field_file: &'static str,
    pub field_category: &'static str,
    pub field_severity: &'static str,

    pub err_too_many: &'static str,
    pub err_unknown_choice: &'static str,
    pub err_out_of_range: &'static str,
    pub err_format: &'static str,
    pub err_not_after_start: &'static str,
    pub err_bad_link: &'static str,
    pub err_duplicate: &'static str,
    pub err_already_reviewed: &'static str,
    pub err_id_card_format: &'static str,
    pub err_id_card_birth_date: &'static str,
    pub err_id_card_checksum: &'static str,
    pub err_passport_format: &'static str,
    pub err_hk_macau_permit_format: &'static str,
    pub err_taiwan_permit_format: &'static str,
    pub err_fund_account_format: &'static str,
    pub err_mobile_format: &'static str,
    pub err_not_an_image: &'static str,
    pub err_unsupported_image: &'static str,
    pub err_too_large: &'static str,
    pub err_not_now: &'static str,
    pub err_conflict: &'static str,
    pub err_wrong_account: &'static str,
    pub err_already_claimed: &'static str,
}

impl IncidentTexts {
    pub fn status_name(&self, status: Status) -> &'static str {
        match status {
            Status::New => self.status_new,
            Status::Analysing => self.status_analysing,
            Status::Transferred => self.status_transferred,
            Status::Waiting => self.status_waiting,
            Status::Resolved => self.status_resolved,
            Status::Closed => self.status_closed,
        }
    }

    pub fn step_name(&self, step: Step) -> &'static str {
        match step {
            Step::Reported => self.step_reported,
            Step::Claimed => self.step_claimed,
            Step::Classified => self.step_classified,
            Step::Transferred => self.step_transferred,
            Step::Waiting => self.step_waiting,
            Step::Resumed => self.step_resumed,
            Step::Resolved => self.step_resolved,
            Step::Confirmed => self.step_confirmed,
            Step::Closed => self.step_closed,
            Step::Reopened => self.step_reopened,
            Step::Assigned => self.step_assigned,
            Step::Linked => self.step_linked,
            Step::Unlinked => self.step_unlinked,
            Step::ScriptSubmitted => self.step_script_submitted,
            Step::ScriptApproved => self.step_script_approved,
            Step::ScriptRejected => self.step_script_rejected,
            Step::ScriptExecuted => self.step_script_executed,
        }
    }

    pub fn category_name(&self, category: Category) -> &'static str {
        match category {
            Category::Data => self.category_data,
            Category::Program => self.category_program,
            Category::Consultation => self.category_consultation,
        }
    }

    pub fn target_name(&self, target: TransferTarget) -> &'static str {
        match target {
            TransferTarget::Test => self.target_test,
            TransferTarget::Development => self.target_development,
            TransferTarget::Operations => self.target_operations,
            TransferTarget::Product => self.target_product,
        }
    }

    pub fn doc_name(&self, doc: DocType) -> &'static str {
        match doc {
            DocType::IdCard => self.doc_id_card,
            DocType::Passport => self.doc_passport,
            DocType::HkMacauPermit => self.doc_hk_macau_permit,
            DocType::TaiwanPermit => self.doc_taiwan_permit,
        }
    }

    pub fn field_name(&self, field: &str) -> Option<&'static str> {
        Some(match field {
            "customer_name" => self.field_customer_name,
            "id_doc_type" => self.field_id_doc_type,
            "id_number" => self.field_id_number,
            "fund_account" => self.field_fund_account,
            "customer_mobile" => self.field_customer_mobile,
            "system" => self.field_system,
            "module" => self.field_module,
            "title" => self.field_title,
            "description" => self.field_description,
            "attachments" => self.field_attachments,
            "message" => self.field_message,
            "solution" => self.field_solution,
            "reason" => self.field_reason,
            "transfer_target" => self.field_transfer_target,
            "file" => self.field_file,
            "category" => self.field_category,
            "severity" => self.field_severity,
            _ => return None,
        })
    }
}

pub static ZH: IncidentTexts = IncidentTexts {
    status_new: "已上报",
    status_analysing: "分析中",
    status_transferred: "已转交",
    status_waiting: "待补充",
    status_resolved: "已解决",
    status_closed: "已关闭",

    step_reported: "上报",
    step_claimed: "受理，开始分析",
    step_classified: "分类",
    step_transferred: "转交",
    step_waiting: "请您补充信息",
    step_resumed: "已补充，继续分析",
    step_resolved: "已解决",
    step_confirmed: "确认解决，已关闭",
    step_closed: "关闭",
    step_reopened: "重新打开",
    step_assigned: "指派",
    step_linked: "作为重复事件并入",
    step_unlinked: "移出批量事件",
    step_script_submitted: "提交数据修复脚本待审核",
    step_script_approved: "数据修复脚本审核通过",
    step_script_rejected: "数据修复脚本审核未通过",
    step_script_executed: "运维已执行数据修复脚本",

    category_data: "数据类",
    category_program: "程序类",
    category_consultation: "咨询类",

    target_test: "转测试",
    target_development: "转研发",
    target_operations: "转运维",
    target_product: "转产品",

    doc_id_card: "居民身份证",
    doc_passport: "护照",
    doc_hk_macau_permit: "港澳居民来往内地通行证",
    doc_taiwan_permit: "台湾居民来往大陆通行证",

    field_customer_name: "客户姓名",
    field_id_doc_type: "证件类型",
    field_id_number: "证件号码",
    field_fund_account: "资金账号",
    field_customer_mobile: "客户手机号",
    field_system: "系统",
    field_module: "模块",
    field_title: "标题",
    field_description: "问题描述",
    field_attachments: "截图",
    field_message: "消息",
    field_solution: "解决方案",
    field_reason: "原因",
    field_transfer_target: "转交对象",
    field_file: "文件",
    field_category: "分类",
    field_severity: "级别",

    err_too_many: "{}最多 {} 张",
    err_unknown_choice: "请从列表中选择{}",
    err_out_of_range: "{}须在 {} 到 {} 之间",
    err_format: "{}格式不正确",
    err_not_after_start: "{}须晚于开始时间",
    err_already_reviewed: "这个脚本已由{}审核",
    err_duplicate: "已有相同的{}",
    err_bad_link: "只能并入另一个未解决、且本身不是重复事件的事件",
    err_id_card_format: "身份证号码应为 18 位：17 位数字加 1 位数字或 X",
    err_id_card_birth_date: "身份证号码中的出生日期（第 7 到 14 位）不是有效日期",
    err_id_card_checksum: "身份证号码校验位不正确，请核对每一位",
    err_passport_format: "护照号码应为 5 到 17 位字母或数字",
    err_hk_macau_permit_format: "港澳通行证号码应为 H 或 M 开头，后跟 8 或 10 位数字",
    err_taiwan_permit_format: "台湾通行证号码应为 8 或 10 位数字",
    err_fund_account_format: "资金账号应为 6 到 20 位数字",
    err_mobile_format: "手机号码应为以 1 开头的 11 位数字",
    err_not_an_image: "这个文件不是图片，请选择 JPG、PNG 或 WebP 图片",
    err_unsupported_image: "暂不支持 {} 格式的图片，请截图或在相机设置中选择“兼容性最佳”后重拍",
    err_too_large: "文件太大，单张图片不能超过 {} MB",
    err_not_now: "事件当前为“{}”，不能执行这个操作",
    err_conflict: "这条记录已由其他账号提交",
    err_wrong_account:
        "这条内容是用另一个账号写的：请用那个账号登录后重试，或点“修改”以当前账号提交",
    err_already_claimed: "这个事件已被{}受理",
};

pub static EN: IncidentTexts = IncidentTexts {
    status_new: "Reported",
    status_analysing: "Being analysed",
    status_transferred: "Transferred",
    status_waiting: "Waiting for you",
    status_resolved: "Resolved",
    status_closed: "Closed",

    step_reported: "Reported",
    step_claimed: "Claimed, analysis started",
    step_classified: "Classified",
    step_transferred: "Transferred",
    step_waiting: "More information requested",
    step_resumed: "Information added, analysis resumed",
    step_resolved: "Resolved",
    step_confirmed: "Solution confirmed, closed",
    step_closed: "Closed",
    step_reopened: "Reopened",
    step_assigned: "Assigned",
    step_linked: "Joined a batch as a duplicate",
    step_unlinked: "Left its batch",
    step_script_submitted: "Data-fix script submitted for review",
    step_script_approved: "Data-fix script approved",
    step_script_rejected: "Data-fix script rejected",
    step_script_executed: "Data-fix script executed by operations",

    category_data: "Data",
    category_program: "Program",
    category_consultation: "Consultation",

    target_test: "to test",
    target_development: "to development",
    target_operations: "to operations",
    target_product: "to product",

    doc_id_card: "Resident ID card",
    doc_passport: "Passport",
    doc_hk_macau_permit: "Hong Kong/Macau travel permit",
    doc_taiwan_permit: "Taiwan travel permit",

    field_customer_name: "Customer name",
    field_id_doc_type: "Document type",
    field_id_number: "Document number",
    field_fund_account: "Fund account",
    field_customer_mobile: "Customer mobile",
    field_system: "System",
    field_module: "Module",
    field_title: "Title",
    field_description: "Description",
    field_attachments: "Screenshots",
    field_message: "Message",
    field_solution: "Solution",
    field_reason: "Reason",
    field_transfer_target: "Transfer to",
    field_file: "File",
    field_category: "Category",
    field_severity: "Severity",

    err_too_many: "{}: at most {}",
    err_unknown_choice: "{}: choose one from the list",
    err_out_of_range: "{} must be between {} and {}",
    err_format: "{} is not in the expected form",
    err_not_after_start: "{} must be later than the start",
    err_already_reviewed: "{} already reviewed this script",
    err_duplicate: "This {} is already taken",
    err_bad_link: "A duplicate joins another unresolved incident that is not itself a duplicate",
    err_id_card_format: "An ID card number has 18 characters: 17 digits and a digit or X",
    err_id_card_birth_date:
        "The birth date in the ID number (characters 7 to 14) is not a real date",
    err_id_card_checksum: "The ID number's check character is wrong; check every digit",
    err_passport_format: "A passport number has 5 to 17 letters or digits",
    err_hk_macau_permit_format:
        "A Hong Kong/Macau permit number is H or M followed by 8 or 10 digits",
    err_taiwan_permit_format: "A Taiwan permit number has 8 or 10 digits",
    err_fund_account_format: "A fund account has 6 to 20 digits",
    err_mobile_format: "A mobile number has 11 digits and starts with 1",
    err_not_an_image: "This file is not an image; choose a JPG, PNG or WebP picture",
    err_unsupported_image:
        "{} images are not supported yet; take a screenshot or set the camera to \"Most compatible\"",
    err_too_large: "The file is too large; an image may be at most {} MB",
    err_not_now: "The incident is \"{}\"; this action is not possible now",
    err_conflict: "This was already submitted from another account",
    err_wrong_account: "This was written under another account: sign in with that account and retry, or choose Edit to submit it as yourself",
    err_already_claimed: "{} has already claimed this incident",
};

crate::area_texts!(IncidentTexts, incidents);
