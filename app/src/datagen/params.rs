//! A recipe's parameters: what its form asks for, declared in the recipe, so a new recipe needs
//! no new page. The checks run in the browser and on the server alike.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Problem};
use crate::incidents::{check_doc_number, normalize_doc_number, DocType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A customer's name; left empty, a synthetic one is generated.
    Name,
    /// A mainland ID card number (GB 11643 checksum); left empty, a synthetic one is generated.
    IdNumber,
    Text,
    /// An amount of yuan with at most two decimals.
    Money,
    Integer,
    Choice,
    Choices,
}

impl ParamKind {
    /// Whether the value is a customer's identity: sealed in the job, masked on its pages and
    /// in its step logs.
    pub fn is_identity(self) -> bool {
        matches!(self, Self::Name | Self::IdNumber)
    }

    /// Whether an empty value is filled with a valid synthetic one.
    pub fn generated(self) -> bool {
        self.is_identity()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamChoice {
    pub value: String,
    pub label: String,
    #[serde(default)]
    pub label_en: String,
}

/// One field of a recipe's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    pub kind: ParamKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<ParamChoice>,
    #[serde(default)]
    pub default: Option<ParamValue>,
    #[serde(default)]
    pub hint: String,
    #[serde(default)]
    pub hint_en: String,
}

/// A parameter's value: one text, or the several of a multiple choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    One(String),
    Many(Vec<String>),
}

impl ParamValue {
    pub fn text(&self) -> &str {
        match self {
            Self::One(text) => text,
            Self::Many(_) => "",
        }
    }

    pub fn items(&self) -> &[String] {
        match self {
            Self::One(_) => &[],
            Self::Many(items) => items,
        }
    }
}

pub type Params = BTreeMap<String, ParamValue>;

/// The longest text a parameter takes.
pub const MAX_PARAM_TEXT: usize = 200;
/// The largest amount of money a form takes (a hundred billion yuan).
const MAX_MONEY_YUAN: u64 = 100_000_000_000;

/// Checks `given` against `specs`, answering the values a job runs with: money written with two
/// decimals, ID numbers normalised, defaults filled in. Identity left empty stays empty here
/// (the server generates it). The first bad field is refused by name.
pub fn check(specs: &[ParamSpec], given: &Params, today: NaiveDate) -> Result<Params, AppError> {
    if let Some(unknown) = given.keys().find(|k| !specs.iter().any(|s| &s.name == *k)) {
        return Err(AppError::invalid(unknown, Problem::UnknownChoice));
    }
    let mut out = Params::new();
    for spec in specs {
        let value = given.get(&spec.name).or(spec.default.as_ref());
        let checked = check_one(spec, value, today)
            .map_err(|problem| AppError::invalid(&spec.name, problem))?;
        out.insert(spec.name.clone(), checked);
    }
    Ok(out)
}

fn check_one(
    spec: &ParamSpec,
    value: Option<&ParamValue>,
    today: NaiveDate,
) -> Result<ParamValue, Problem> {
    if spec.kind == ParamKind::Choices {
        let items = value.map(ParamValue::items).unwrap_or_default();
        if items
            .iter()
            .any(|i| !spec.options.iter().any(|o| &o.value == i))
        {
            return Err(Problem::UnknownChoice);
        }
        if spec.required && items.is_empty() {
            return Err(Problem::Required);
        }
        // Kept in the order of the options, each once.
        let chosen = spec
            .options
            .iter()
            .filter(|o| items.contains(&o.value))
            .map(|o| o.value.clone())
            .collect();
        return Ok(ParamValue::Many(chosen));
    }
    let text = value.map(ParamValue::text).unwrap_or_default().trim();
    if text.chars().count() > MAX_PARAM_TEXT {
        return Err(Problem::TooLong {
            max: MAX_PARAM_TEXT as u32,
        });
    }
    if text.chars().any(char::is_control) {
        return Err(Problem::ControlCharacter);
    }
    if text.is_empty() {
        return if spec.required && !spec.kind.generated() {
            Err(Problem::Required)
        } else {
            Ok(ParamValue::One(String::new()))
        };
    }
    let text = match spec.kind {
        ParamKind::Name => check_name(text)?,
        ParamKind::IdNumber => {
            let number = normalize_doc_number(text);
            check_doc_number(DocType::IdCard, &number, today)?;
            number
        }
        ParamKind::Text => text.to_owned(),
        ParamKind::Money => money(text).ok_or(Problem::Format)?,
        ParamKind::Integer => text
            .parse::<i64>()
            .map_err(|_| Problem::Format)?
            .to_string(),
        ParamKind::Choice => spec
            .options
            .iter()
            .find(|o| o.value == text)
            .map(|o| o.value.clone())
            .ok_or(Problem::UnknownChoice)?,
        ParamKind::Choices => unreachable!("handled above"),
    };
    Ok(ParamValue::One(text))
}

/// A person's name as the account system takes it: 2 to 30 Chinese characters or letters, with
/// the `·` of transliterated names.
fn check_name(text: &str) -> Result<String, Problem> {
    let count = text.chars().count();
    let ok = (2..=30).contains(&count)
        && text
            .chars()
            .all(|c| c.is_alphabetic() || c == '·' || c == ' ');
    ok.then(|| text.to_owned()).ok_or(Problem::Format)
}

/// `text` as yuan with two decimals, if it is a non-negative amount with at most two.
pub fn money(text: &str) -> Option<String> {
    let text = text.replace([',', '，'], "");
    let (whole, cents) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(cents) || cents.len() > 2 {
        return None;
    }
    let yuan: u64 = whole.parse().ok()?;
    (yuan <= MAX_MONEY_YUAN).then(|| format!("{yuan}.{cents:0<2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: ParamKind, required: bool) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            label: name.into(),
            label_en: String::new(),
            kind,
            required,
            options: vec![
                ParamChoice {
                    value: "ICBC".into(),
                    label: "工商银行".into(),
                    label_en: String::new(),
                },
                ParamChoice {
                    value: "CMB".into(),
                    label: "招商银行".into(),
                    label_en: String::new(),
                },
            ],
            default: None,
            hint: String::new(),
            hint_en: String::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    fn one(text: &str) -> ParamValue {
        ParamValue::One(text.into())
    }

    #[test]
    fn money_takes_two_decimals_at_most() {
        assert_eq!(money("100000").as_deref(), Some("100000.00"));
        assert_eq!(money("1,000.5").as_deref(), Some("1000.50"));
        assert_eq!(money("0.01").as_deref(), Some("0.01"));
        assert_eq!(money("1.234"), None);
        assert_eq!(money("-5"), None);
        assert_eq!(money("abc"), None);
        assert_eq!(money(""), None);
    }

    #[test]
    fn an_id_number_is_checked_with_the_report_forms_checksum() {
        let specs = [spec("id_number", ParamKind::IdNumber, true)];
        let given = Params::from([("id_number".into(), one("110101199003074478"))]);
        assert_eq!(
            check(&specs, &given, today()),
            Err(AppError::invalid("id_number", Problem::IdCardChecksum))
        );
        let given = Params::from([("id_number".into(), one("1101 0119 9003 0744 77"))]);
        let checked = check(&specs, &given, today()).expect("valid");
        assert_eq!(checked["id_number"], one("110101199003074477"));
    }

    #[test]
    fn identity_left_empty_is_kept_for_generation_other_required_fields_are_refused() {
        let specs = [
            spec("customer_name", ParamKind::Name, true),
            spec("funds", ParamKind::Money, true),
        ];
        let given = Params::from([("funds".into(), one(""))]);
        assert_eq!(
            check(&specs, &given, today()),
            Err(AppError::invalid("funds", Problem::Required))
        );
        let given = Params::from([("funds".into(), one("5"))]);
        let checked = check(&specs, &given, today()).expect("valid");
        assert_eq!(checked["customer_name"], one(""));
        assert_eq!(checked["funds"], one("5.00"));
    }

    #[test]
    fn choices_keep_option_order_and_refuse_unknown_values() {
        let specs = [spec("banks", ParamKind::Choices, true)];
        let given = Params::from([(
            "banks".into(),
            ParamValue::Many(vec!["CMB".into(), "ICBC".into(), "CMB".into()]),
        )]);
        let checked = check(&specs, &given, today()).expect("valid");
        assert_eq!(
            checked["banks"],
            ParamValue::Many(vec!["ICBC".into(), "CMB".into()])
        );
        let given = Params::from([("banks".into(), ParamValue::Many(vec!["BOC".into()]))]);
        assert_eq!(
            check(&specs, &given, today()),
            Err(AppError::invalid("banks", Problem::UnknownChoice))
        );
        let given = Params::from([("other".into(), one("x"))]);
        assert_eq!(
            check(&specs, &given, today()),
            Err(AppError::invalid("other", Problem::UnknownChoice))
        );
    }

    #[test]
    fn names_take_chinese_letters_and_the_middle_dot() {
        assert!(check_name("张三").is_ok());
        assert!(check_name("阿依古丽·买买提").is_ok());
        assert_eq!(check_name("张"), Err(Problem::Format));
        assert_eq!(check_name("张3"), Err(Problem::Format));
    }
}
