//! Words of the QA help center in both languages.

pub struct HelpTexts {
    pub systems: &'static str,
    pub subtitle: &'static str,
}

pub static ZH: HelpTexts = HelpTexts {
    systems: "业务系统",
    subtitle: "按业务系统查找常见问题的解决办法",
};

pub static EN: HelpTexts = HelpTexts {
    systems: "Business systems",
    subtitle: "Answers to common questions, by business system",
};

crate::area_texts!(HelpTexts, help);
