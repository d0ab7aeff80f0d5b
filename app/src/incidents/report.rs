//! A new report and a new thread message as the reporter writes them, with the checks both the
//! browser and the server run.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::identity::{
    check_doc_number, check_fund_account, check_mobile, normalize_doc_number, DocType,
};
use crate::checks::{required_within, within};
use crate::error::Problem;

pub const MAX_CUSTOMER_NAME: u32 = 40;
pub const MAX_TITLE: u32 = 60;
pub const MAX_DESCRIPTION: u32 = 2000;
pub const MAX_MESSAGE: u32 = 2000;
pub const MAX_REASON: u32 = 500;
/// A classification's free subcategory, as `incidents.subcategory` allows.
pub const MAX_SUBCATEGORY: u32 = 40;
pub const MAX_IMAGES: u32 = 9;
/// A system or module code from the reference data.
pub const MAX_CODE: u32 = 64;

/// The report form. Optional fields are empty strings, as the form holds them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewReport {
    pub customer_name: String,
    pub id_doc_type: DocType,
    pub id_number: String,
    pub fund_account: String,
    pub customer_mobile: String,
    /// System code from the reference data.
    pub system: String,
    /// Module code within the system; empty when not chosen.
    pub module: String,
    pub title: String,
    pub description: String,
}

/// A refused field, named as the form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

impl NewReport {
    /// Trims what people paste and normalises the document number.
    pub fn normalized(&self) -> Self {
        Self {
            customer_name: self.customer_name.trim().to_owned(),
            id_doc_type: self.id_doc_type,
            id_number: normalize_doc_number(&self.id_number),
            fund_account: self.fund_account.trim().to_owned(),
            customer_mobile: self.customer_mobile.trim().to_owned(),
            system: self.system.trim().to_owned(),
            module: self.module.trim().to_owned(),
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
        }
    }

    /// Every problem of a normalised report, in form order. `today` is the date in Shanghai.
    pub fn problems(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &'static str, result: Result<(), Problem>| {
            if let Err(problem) = result {
                errors.push(FieldError { field, problem });
            }
        };
        check(
            "customer_name",
            required_within(&self.customer_name, MAX_CUSTOMER_NAME),
        );
        check(
            "id_number",
            check_doc_number(self.id_doc_type, &self.id_number, today),
        );
        if !self.fund_account.is_empty() {
            check("fund_account", check_fund_account(&self.fund_account));
        }
        if !self.customer_mobile.is_empty() {
            check("customer_mobile", check_mobile(&self.customer_mobile));
        }
        check("system", required_within(&self.system, MAX_CODE));
        check("title", required_within(&self.title, MAX_TITLE));
        check(
            "description",
            required_within(&self.description, MAX_DESCRIPTION),
        );
        errors
    }
}

/// A thread message needs words or at least one image.
pub fn check_message(body: &str, images: usize) -> Result<(), Problem> {
    if body.trim().is_empty() && images == 0 {
        return Err(Problem::Required);
    }
    within(body.trim(), MAX_MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
    }

    fn complete() -> NewReport {
        NewReport {
            customer_name: "张三".into(),
            id_doc_type: DocType::IdCard,
            id_number: "11010519491231002x".into(),
            fund_account: String::new(),
            customer_mobile: String::new(),
            system: "trading".into(),
            module: String::new(),
            title: "股票交易不了".into(),
            description: "10:05 下单提示：资金账号状态异常".into(),
        }
    }

    #[test]
    fn a_complete_report_has_no_problems() {
        assert!(complete().normalized().problems(today()).is_empty());
    }

    #[test]
    fn an_empty_report_names_every_required_field() {
        let fields: Vec<_> = NewReport::default()
            .normalized()
            .problems(today())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "customer_name",
                "id_number",
                "system",
                "title",
                "description"
            ]
        );
    }

    #[test]
    fn optional_fields_are_checked_only_when_filled() {
        let mut report = complete();
        report.fund_account = "12ab".into();
        report.customer_mobile = "123".into();
        let problems = report.normalized().problems(today());
        assert_eq!(
            problems,
            [
                FieldError {
                    field: "fund_account",
                    problem: Problem::FundAccountFormat
                },
                FieldError {
                    field: "customer_mobile",
                    problem: Problem::MobileFormat
                },
            ]
        );
    }

    #[test]
    fn lengths_count_characters() {
        let mut report = complete();
        report.title = "股".repeat(MAX_TITLE as usize);
        assert!(report.normalized().problems(today()).is_empty());
        report.title.push('票');
        assert_eq!(
            report.normalized().problems(today())[0].problem,
            Problem::TooLong { max: MAX_TITLE }
        );
    }

    #[test]
    fn a_message_needs_text_or_an_image() {
        assert_eq!(check_message("  ", 0), Err(Problem::Required));
        assert_eq!(check_message("", 1), Ok(()));
        assert_eq!(check_message("好的", 0), Ok(()));
    }
}
