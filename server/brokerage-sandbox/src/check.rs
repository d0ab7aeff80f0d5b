//! Checks of what customers give (names, ID numbers, mobiles, passwords, amounts) and the
//! numbers the sandbox issues.

use chrono::{Datelike, NaiveDate, Utc};
use rand::Rng;

use crate::reply::Failure;

/// Today in Beijing, where the systems stand.
pub(crate) fn today() -> NaiveDate {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(beijing) => Utc::now().with_timezone(&beijing).date_naive(),
        None => Utc::now().date_naive(),
    }
}

/// A customer's name: 2 to 30 Chinese characters or letters, with the `·` of transliterated
/// names and single spaces between words.
pub(crate) fn name(text: &str) -> Result<String, Failure> {
    let text = text.trim();
    let count = text.chars().count();
    let ok = (2..=30).contains(&count)
        && text
            .chars()
            .all(|c| c.is_alphabetic() || c == '·' || c == ' ')
        && !text.contains("  ")
        && !text.starts_with('·')
        && !text.ends_with('·');
    if ok {
        Ok(text.to_owned())
    } else {
        Err(Failure::bad(
            "E_INVALID_NAME",
            "客户姓名须为 2 至 30 个汉字或字母（少数民族或外文姓名可含间隔号“·”）",
        ))
    }
}

/// What an ID number tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdFacts {
    pub birth_date: NaiveDate,
    /// "M" or "F", from the 17th digit.
    pub gender: &'static str,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The ID number in its canonical form (upper-case X, no spaces).
pub(crate) fn normalize_id(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// A mainland resident ID number (GB 11643): 18 characters, a real birth date, the check
/// character. Malformed numbers are 400; the age is checked by [`adult`].
pub(crate) fn id_number(number: &str) -> Result<IdFacts, Failure> {
    let bytes = number.as_bytes();
    if bytes.len() != 18 {
        return Err(Failure::bad("E_INVALID_ID_NUMBER", "身份证号码须为 18 位"));
    }
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(Failure::bad(
            "E_INVALID_ID_NUMBER",
            "身份证号码格式错误：前 17 位须为数字，末位为数字或 X",
        ));
    }
    let digits = |range: std::ops::Range<usize>| number[range].parse::<u32>().unwrap_or(0);
    let birth_date = i32::try_from(digits(6..10))
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, digits(10..12), digits(12..14)))
        .filter(|date| date.year() >= 1900 && *date <= today())
        .ok_or_else(|| {
            Failure::bad(
                "E_INVALID_ID_NUMBER",
                "身份证号码中的出生日期（第 7 至 14 位）无效",
            )
        })?;
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    if CHECK_CHARS[(sum % 11) as usize] != bytes[17] {
        return Err(Failure::bad(
            "E_INVALID_ID_NUMBER",
            "身份证号码校验位错误，请核对号码",
        ));
    }
    let gender = if (bytes[16] - b'0') % 2 == 1 {
        "M"
    } else {
        "F"
    };
    Ok(IdFacts { birth_date, gender })
}

/// Full years of age on `today`.
pub(crate) fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// Securities accounts are opened by adults only.
pub(crate) fn adult(facts: &IdFacts) -> Result<(), Failure> {
    if age(facts.birth_date, today()) < 18 {
        Err(Failure::rule(
            "E_UNDERAGE",
            "客户未满 18 周岁，不能开立证券账户",
        ))
    } else {
        Ok(())
    }
}

/// A mainland mobile number: `1[3-9]` and nine more digits.
pub(crate) fn mobile(text: &str) -> Result<String, Failure> {
    let bytes = text.as_bytes();
    let ok = bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(text.to_owned())
    } else {
        Err(Failure::bad(
            "E_INVALID_MOBILE",
            "手机号码格式错误：须为 11 位，以 13 至 19 开头",
        ))
    }
}

pub(crate) fn email(text: &str) -> Result<String, Failure> {
    let ok = text.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace);
    if ok {
        Ok(text.to_owned())
    } else {
        Err(Failure::bad("E_INVALID_EMAIL", "电子邮箱格式错误"))
    }
}

/// A six-digit password that is not trivially guessed.
pub(crate) fn password(text: &str, label: &str) -> Result<(), Failure> {
    let bytes = text.as_bytes();
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Failure::bad(
            "E_INVALID_PASSWORD",
            format!("{label}须为 6 位数字"),
        ));
    }
    let same = bytes.iter().all(|b| *b == bytes[0]);
    let steps: Vec<i16> = bytes
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    let run = steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1);
    if same || run {
        return Err(Failure::rule(
            "E_WEAK_PASSWORD",
            format!("{label}过于简单：不能为相同数字或连续数字"),
        ));
    }
    Ok(())
}

/// The largest amount one transfer takes: a hundred billion yuan, in cents.
const MAX_CENTS: i64 = 100_000_000_000 * 100;

/// A non-negative amount of yuan with at most two decimals, in cents.
pub(crate) fn cents(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 12
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 2
    {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = yuan.checked_mul(100)?.checked_add(fraction)?;
    (cents <= MAX_CENTS).then_some(cents)
}

/// Cents as yuan with two decimals.
pub(crate) fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// `count` random decimal digits.
pub(crate) fn digits(count: usize) -> String {
    let mut rng = rand::rng();
    (0..count)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// `count` random digits, the first not zero.
pub(crate) fn number(count: usize) -> String {
    let first = char::from(b'0' + rand::rng().random_range(1..10u8));
    format!("{first}{}", digits(count.saturating_sub(1)))
}

/// A serial number: a prefix, today's date and random digits.
pub(crate) fn serial(prefix: &str, count: usize) -> String {
    format!("{prefix}{}{}", today().format("%Y%m%d"), digits(count))
}

/// A random bearer token.
pub(crate) fn token() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 40)
}

/// A test bank card number: the bank's BIN, random digits, the Luhn check digit.
pub(crate) fn bank_card(bin: &str, length: usize) -> String {
    let body = format!("{bin}{}", digits(length - bin.len() - 1));
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked() {
        let facts = id_number("110101199003074477").expect("valid");
        assert_eq!(facts.gender, "M");
        assert_eq!(
            facts.birth_date,
            NaiveDate::from_ymd_opt(1990, 3, 7).expect("date")
        );
        assert!(id_number("110101199003074478").is_err());
        assert!(id_number("11010119900307447").is_err());
        assert!(id_number("110101199002304477").is_err());
    }

    #[test]
    fn ages_count_whole_years() {
        let birth = NaiveDate::from_ymd_opt(2000, 6, 15).expect("date");
        let day = |m, d| NaiveDate::from_ymd_opt(2018, m, d).expect("date");
        assert_eq!(age(birth, day(6, 14)), 17);
        assert_eq!(age(birth, day(6, 15)), 18);
    }

    #[test]
    fn amounts_take_two_decimals() {
        assert_eq!(cents("100000"), Some(10_000_000));
        assert_eq!(cents("0.5"), Some(50));
        assert_eq!(cents("12.34"), Some(1234));
        assert_eq!(cents("1.234"), None);
        assert_eq!(cents("-1"), None);
        assert_eq!(cents(""), None);
        assert_eq!(yuan(1234), "12.34");
        assert_eq!(yuan(50_000_000), "500000.00");
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(password("147258", "交易密码").is_ok());
        assert!(password("111111", "交易密码").is_err());
        assert!(password("123456", "交易密码").is_err());
        assert!(password("654321", "交易密码").is_err());
        assert!(password("12345", "交易密码").is_err());
    }

    #[test]
    fn bank_cards_pass_the_luhn_check() {
        let card = bank_card("622202", 19);
        assert_eq!(card.len(), 19);
        assert!(card.starts_with("622202"));
        let sum: u32 = card
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 1 {
                    (d * 2) / 10 + (d * 2) % 10
                } else {
                    d
                }
            })
            .sum();
        assert_eq!(sum % 10, 0);
    }

    #[test]
    fn names_and_mobiles() {
        assert!(name("张三").is_ok());
        assert!(name("阿依古丽·买买提").is_ok());
        assert!(name("张").is_err());
        assert!(name("张3").is_err());
        assert!(mobile("13800138000").is_ok());
        assert!(mobile("12800138000").is_err());
        assert!(mobile("1380013800").is_err());
    }
}
