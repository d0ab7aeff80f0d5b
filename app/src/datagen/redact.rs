//! What a job's log may not show: the target's credentials, tokens steps extracted as secret,
//! and the customer's identity (masked as everywhere else). Every text is passed through here
//! before it is written.

use crate::incidents::{mask, DocType, Identity};

/// Credentials shorter than this are not searched for (they would blank ordinary words).
const SHORTEST_SECRET: usize = 4;
pub const HIDDEN: &str = "******";

#[derive(Debug, Default, Clone)]
pub struct Redactor {
    /// Each value with what shows in its place, longest first so a secret inside another is
    /// not half replaced.
    pairs: Vec<(String, String)>,
}

impl Redactor {
    pub fn secret(&mut self, value: &str) {
        self.add(value, HIDDEN.to_owned());
    }

    pub fn name(&mut self, value: &str) {
        self.add(value, mask(Identity::Name, value));
    }

    pub fn id_number(&mut self, value: &str) {
        self.add(value, mask(Identity::Document(DocType::IdCard), value));
    }

    fn add(&mut self, value: &str, shown: String) {
        if value.is_empty() || (shown == HIDDEN && value.chars().count() < SHORTEST_SECRET) {
            return;
        }
        // As it appears inside JSON too, when escaping changes it.
        let escaped = serde_json::to_string(value).unwrap_or_default();
        let escaped = escaped.trim_matches('"').to_owned();
        if escaped != value {
            self.pairs.push((escaped, shown.clone()));
        }
        self.pairs.push((value.to_owned(), shown));
        self.pairs
            .sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    }

    pub fn apply(&self, text: &str) -> String {
        self.pairs
            .iter()
            .fold(text.to_owned(), |text, (value, shown)| {
                text.replace(value, shown)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_identity_never_show() {
        let mut redactor = Redactor::default();
        redactor.secret("s3cr3t-token");
        redactor.name("张三丰");
        redactor.id_number("110101199003074477");
        let text = r#"{"token":"s3cr3t-token","name":"张三丰","id":"110101199003074477"}"#;
        let shown = redactor.apply(text);
        assert!(!shown.contains("s3cr3t-token"), "{shown}");
        assert!(!shown.contains("张三丰"), "{shown}");
        assert!(!shown.contains("110101199003074477"), "{shown}");
        assert!(shown.contains(HIDDEN) && shown.contains("张**"), "{shown}");
    }

    #[test]
    fn a_secret_escaped_in_json_is_found_too() {
        let mut redactor = Redactor::default();
        redactor.secret("pa\"ss/word");
        let json = serde_json::json!({ "p": "pa\"ss/word" }).to_string();
        assert!(!redactor.apply(&json).contains("ss/word"));
    }

    #[test]
    fn very_short_secrets_are_not_searched() {
        let mut redactor = Redactor::default();
        redactor.secret("ab");
        assert_eq!(redactor.apply("about"), "about");
    }
}
