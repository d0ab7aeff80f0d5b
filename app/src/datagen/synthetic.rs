//! Valid synthetic identities for test accounts: a plausible Chinese name, and an ID number
//! with a real region code, an adult's birth date and the GB 11643 check character, so the
//! business systems' own validation accepts them.

use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::Rng;

use crate::incidents::id_card_check_char;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "建国", "子涵", "浩然", "雨桐", "思远", "欣怡", "宇轩",
];
/// County-level region codes (GB/T 2260) of large cities.
const REGIONS: &[&str] = &[
    "110101", "110105", "310101", "310115", "440103", "440305", "330106", "320102", "510104",
    "420102",
];

pub fn name(rng: &mut impl Rng) -> String {
    let surname = SURNAMES.choose(rng).copied().unwrap_or("王");
    let given = GIVEN.choose(rng).copied().unwrap_or("伟");
    format!("{surname}{given}")
}

/// An ID number of someone between 20 and 60 years old on `today`.
pub fn id_number(rng: &mut impl Rng, today: NaiveDate) -> String {
    let region = REGIONS.choose(rng).copied().unwrap_or("110101");
    let age_days = rng.random_range(20 * 366..60 * 365);
    let birth = today - chrono::Days::new(age_days);
    let sequence: u32 = rng.random_range(1..1000);
    let first_17 = format!(
        "{region}{:04}{:02}{:02}{sequence:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let check = id_card_check_char(&first_17).unwrap_or('0');
    format!("{first_17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::{check_doc_number, DocType};

    #[test]
    fn generated_id_numbers_pass_the_report_forms_check() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let mut rng = rand::rng();
        for _ in 0..1000 {
            let number = id_number(&mut rng, today);
            assert_eq!(
                check_doc_number(DocType::IdCard, &number, today),
                Ok(()),
                "{number}"
            );
            let name = name(&mut rng);
            assert!((2..=4).contains(&name.chars().count()), "{name}");
        }
    }
}
