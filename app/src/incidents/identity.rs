//! Customer identity documents: the rules that decide whether a number can be right, shared by
//! the browser and the server so both refuse the same input with the same words.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum DocType {
    /// 居民身份证, 18 characters with a checksum.
    #[default]
    IdCard,
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacauPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
}

impl DocType {
    pub const ALL: [DocType; 4] = [
        DocType::IdCard,
        DocType::Passport,
        DocType::HkMacauPermit,
        DocType::TaiwanPermit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdCard => "id_card",
            Self::Passport => "passport",
            Self::HkMacauPermit => "hk_macau_permit",
            Self::TaiwanPermit => "taiwan_permit",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// The longest document number (an ID card's 18 characters).
pub const MAX_DOC_NUMBER: u32 = 18;
/// What the form accepts as typed: room for the spaces people type off a card, which
/// `normalize_doc_number` strips before the check.
pub const MAX_DOC_NUMBER_TYPED: u32 = MAX_DOC_NUMBER + 2;
pub const MAX_FUND_ACCOUNT: u32 = 20;
pub const MOBILE_DIGITS: u32 = 11;

/// Upper-cases and strips spaces, the way people type numbers off a card.
pub fn normalize_doc_number(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Checks a normalised document number; `today` bounds the birth date of an ID card.
pub fn check_doc_number(kind: DocType, number: &str, today: NaiveDate) -> Result<(), Problem> {
    if number.is_empty() {
        return Err(Problem::Required);
    }
    match kind {
        DocType::IdCard => check_id_card(number, today),
        DocType::Passport => {
            let ok = (5..=17).contains(&number.len())
                && number.chars().all(|c| c.is_ascii_alphanumeric());
            ok.then_some(()).ok_or(Problem::PassportFormat)
        }
        DocType::HkMacauPermit => {
            let digits = number.get(1..).unwrap_or("");
            let ok = (number.starts_with('H') || number.starts_with('M'))
                && matches!(digits.len(), 8 | 10)
                && digits.chars().all(|c| c.is_ascii_digit());
            ok.then_some(()).ok_or(Problem::HkMacauPermitFormat)
        }
        DocType::TaiwanPermit => {
            let ok = matches!(number.len(), 8 | 10) && number.chars().all(|c| c.is_ascii_digit());
            ok.then_some(()).ok_or(Problem::TaiwanPermitFormat)
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// GB 11643: 17 digits (region, birth date, sequence) and a check character.
fn check_id_card(number: &str, today: NaiveDate) -> Result<(), Problem> {
    let chars: Vec<char> = number.chars().collect();
    let well_formed = chars.len() == 18
        && chars[..17].iter().all(char::is_ascii_digit)
        && (chars[17].is_ascii_digit() || chars[17] == 'X');
    if !well_formed {
        return Err(Problem::IdCardFormat);
    }
    // Digits checked above; parsed by hand, as chrono's format parser would weigh on the phone.
    let digits = |range: std::ops::Range<usize>| number[range].parse::<u32>().ok();
    let birth = digits(6..10)
        .zip(digits(10..12))
        .zip(digits(12..14))
        .and_then(|((year, month), day)| NaiveDate::from_ymd_opt(year as i32, month, day))
        .filter(|date| date.year() >= 1900 && *date <= today);
    if birth.is_none() {
        return Err(Problem::IdCardBirthDate);
    }
    if id_card_check_char(&number[..17]) == Some(chars[17]) {
        Ok(())
    } else {
        Err(Problem::IdCardChecksum)
    }
}

/// The check character GB 11643 puts after an ID card's first 17 digits (`None` unless given
/// exactly 17 digits).
pub fn id_card_check_char(first_17: &str) -> Option<char> {
    let digits: Vec<u32> = first_17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// 资金账号: digits only, as the brokerage issues them.
pub fn check_fund_account(value: &str) -> Result<(), Problem> {
    let ok = (6..=MAX_FUND_ACCOUNT as usize).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_digit());
    ok.then_some(()).ok_or(Problem::FundAccountFormat)
}

/// A mainland mobile number.
pub fn check_mobile(value: &str) -> Result<(), Problem> {
    let bytes = value.as_bytes();
    let ok = bytes.len() == MOBILE_DIGITS as usize
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit);
    ok.then_some(()).ok_or(Problem::MobileFormat)
}

/// A piece of customer identity, for [`mask`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Name,
    /// An ID card, passport or permit number.
    Document(DocType),
    FundAccount,
    Mobile,
}

/// Most characters of an identifier shown: never more than a third of it.
const MAX_SHOWN: usize = 4;

/// The one masking rule, for every page and answer outside the audited reveal: a name keeps
/// its surname (first character) only; a document number or fund account its last four
/// characters at most, and never more than a third of them; a mobile its last four digits.
/// Every hidden character becomes one `*`, so the length stays readable.
pub fn mask(kind: Identity, value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let shown = match kind {
        Identity::Name => return mask_name(&chars),
        Identity::Document(_) | Identity::FundAccount => MAX_SHOWN.min(chars.len() / 3),
        Identity::Mobile => MAX_SHOWN.min(chars.len().saturating_sub(MAX_SHOWN)),
    };
    let hidden = chars.len() - shown;
    let mut out = "*".repeat(hidden);
    out.extend(&chars[hidden..]);
    out
}

fn mask_name(chars: &[char]) -> String {
    match chars.split_first() {
        Some((surname, rest)) => format!("{surname}{}", "*".repeat(rest.len().max(1))),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
    }

    #[test]
    fn valid_id_cards_pass() {
        for number in [
            "11010519491231002X",
            "110101199003074477",
            "440308199901010012",
        ] {
            assert_eq!(
                check_doc_number(DocType::IdCard, number, today()),
                Ok(()),
                "{number}"
            );
        }
    }

    #[test]
    fn a_wrong_check_character_is_a_checksum_error() {
        assert_eq!(
            check_doc_number(DocType::IdCard, "110101199003074478", today()),
            Err(Problem::IdCardChecksum)
        );
    }

    #[test]
    fn impossible_or_future_birth_dates_are_refused() {
        // 1990-02-30 does not exist; 2030 is in the future.
        for number in [
            "110101199002304471",
            "110101203001014471",
            "110101180001014471",
        ] {
            assert_eq!(
                check_doc_number(DocType::IdCard, number, today()),
                Err(Problem::IdCardBirthDate),
                "{number}"
            );
        }
    }

    #[test]
    fn malformed_id_cards_are_format_errors() {
        for number in [
            "11010119900307447",
            "1101011990030744771",
            "11010119900307447Y",
            "A10101199003074477",
        ] {
            assert_eq!(
                check_doc_number(DocType::IdCard, number, today()),
                Err(Problem::IdCardFormat),
                "{number}"
            );
        }
    }

    #[test]
    fn other_documents_have_their_own_shapes() {
        assert_eq!(
            check_doc_number(DocType::Passport, "E12345678", today()),
            Ok(())
        );
        assert_eq!(
            check_doc_number(DocType::Passport, "E1-23", today()),
            Err(Problem::PassportFormat)
        );
        assert_eq!(
            check_doc_number(DocType::HkMacauPermit, "H12345678", today()),
            Ok(())
        );
        assert_eq!(
            check_doc_number(DocType::HkMacauPermit, "X12345678", today()),
            Err(Problem::HkMacauPermitFormat)
        );
        assert_eq!(
            check_doc_number(DocType::TaiwanPermit, "12345678", today()),
            Ok(())
        );
        assert_eq!(
            check_doc_number(DocType::TaiwanPermit, "1234567", today()),
            Err(Problem::TaiwanPermitFormat)
        );
        assert_eq!(
            check_doc_number(DocType::Passport, "", today()),
            Err(Problem::Required)
        );
    }

    #[test]
    fn numbers_are_normalised_before_checking() {
        assert_eq!(
            normalize_doc_number(" 11010519491231002x "),
            "11010519491231002X"
        );
    }

    #[test]
    fn fund_accounts_and_mobiles_are_format_checked() {
        assert_eq!(check_fund_account("10086001"), Ok(()));
        assert_eq!(
            check_fund_account("12ab56"),
            Err(Problem::FundAccountFormat)
        );
        assert_eq!(check_mobile("13800138000"), Ok(()));
        assert_eq!(check_mobile("12800138000"), Err(Problem::MobileFormat));
        assert_eq!(check_mobile("1380013800"), Err(Problem::MobileFormat));
    }

    /// Visible characters of a masked value.
    fn shown(masked: &str) -> usize {
        masked.chars().filter(|c| *c != '*').count()
    }

    #[test]
    fn every_document_and_field_shows_at_most_four_and_a_third() {
        let cases = [
            (
                Identity::Document(DocType::IdCard),
                "11010519491231002X",
                "**************002X",
            ),
            (
                Identity::Document(DocType::Passport),
                "E12345678",
                "******678",
            ),
            (
                Identity::Document(DocType::HkMacauPermit),
                "H12345678",
                "******678",
            ),
            (
                Identity::Document(DocType::TaiwanPermit),
                "12345678",
                "******78",
            ),
            (Identity::FundAccount, "310000123456", "********3456"),
            (Identity::FundAccount, "123456", "****56"),
            (Identity::FundAccount, "12", "**"),
            (Identity::Mobile, "13800138000", "*******8000"),
            (Identity::Name, "王芳", "王*"),
            (Identity::Name, "欧阳娜娜", "欧***"),
            (Identity::Name, "李", "李*"),
        ];
        for (kind, value, expected) in cases {
            let masked = mask(kind, value);
            assert_eq!(masked, expected, "{kind:?}");
            assert_eq!(masked.chars().count().max(2), value.chars().count().max(2));
            if kind != Identity::Mobile && kind != Identity::Name {
                assert!(
                    shown(&masked) <= 4 && shown(&masked) * 3 <= value.len(),
                    "{masked}"
                );
            }
        }
        assert_eq!(mask(Identity::Name, ""), "");
    }
}
