//! A recipe: a named, versioned list of HTTP steps against the three business systems, written
//! in TOML. Parsing checks everything that can be checked before a run: unique names, templates
//! that compile, JSON pointers, sane retries and timeouts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::params::{ParamKind, ParamSpec};
use super::template;
use super::System;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub result: Vec<ResultField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub system: System,
    pub method: Method,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    #[serde(default = "default_expect_status")]
    pub expect_status: Vec<u16>,
    #[serde(default)]
    pub extract: Vec<Extract>,
    #[serde(default)]
    pub assert: Vec<Assertion>,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default)]
    pub retry: Retry,
    pub each: Option<String>,
    pub when: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extract {
    pub name: String,
    pub pointer: String,
    /// A credential (a token): redacted wherever the job's log would show it.
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    pub pointer: String,
    pub equals: String,
}

/// Attempts at a call that meets what a redeploying environment answers (no connection, a
/// timeout, 429, 502, 503, 504), waiting `backoff_ms` doubled each time up to `max_backoff_ms`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    pub attempts: u32,
    pub backoff_ms: u64,
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: u64,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 8,
            backoff_ms: 1_000,
            max_backoff_ms: default_max_backoff_ms(),
        }
    }
}

impl Retry {
    /// The wait before attempt `attempt + 1` (the first attempt is 1).
    pub fn backoff(&self, attempt: u32) -> std::time::Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(16);
        std::time::Duration::from_millis(
            self.backoff_ms
                .saturating_mul(factor)
                .min(self.max_backoff_ms),
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultField {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    pub value: String,
}

fn default_expect_status() -> Vec<u16> {
    vec![200, 201]
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_max_backoff_ms() -> u64 {
    5_000
}

/// Bounds a recipe's author may choose within.
const MAX_STEPS: usize = 200;
const TIMEOUT_MS: std::ops::RangeInclusive<u64> = 100..=120_000;
const ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=20;
const MAX_BACKOFF_MS: u64 = 60_000;

/// Why a recipe's source was refused: where (a line, when the TOML parser knows it; else the
/// step or parameter) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeError {
    pub line: Option<usize>,
    pub message: String,
}

impl RecipeError {
    fn at(place: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        Self {
            line: None,
            message: format!("{place}: {message}"),
        }
    }
}

fn is_identifier(text: &str, extra: char) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == extra)
}

impl Recipe {
    pub fn parse(source: &str) -> Result<Self, RecipeError> {
        let recipe: Self = toml::from_str(source).map_err(|error| RecipeError {
            line: error
                .span()
                .map(|span| source[..span.start.min(source.len())].matches('\n').count() + 1),
            message: error.message().to_owned(),
        })?;
        recipe.validate()?;
        Ok(recipe)
    }

    /// The calls one run makes when no step loops or is skipped.
    pub fn calls(&self) -> usize {
        self.steps.len()
    }

    fn validate(&self) -> Result<(), RecipeError> {
        if !is_identifier(&self.key, '-') {
            return Err(RecipeError::at("key", "只能使用小写字母、数字、- 和 _"));
        }
        if self.name.trim().is_empty() {
            return Err(RecipeError::at("name", "不能为空"));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(RecipeError::at(
                "steps",
                format!("需要 1 到 {MAX_STEPS} 个步骤"),
            ));
        }
        let mut names = BTreeSet::new();
        for param in &self.params {
            let place = format!("params.{}", param.name);
            if !is_identifier(&param.name, '_') || !names.insert(&param.name) {
                return Err(RecipeError::at(
                    &place,
                    "名称须为小写字母、数字和 _，且不重复",
                ));
            }
            let choosing = matches!(param.kind, ParamKind::Choice | ParamKind::Choices);
            if choosing == param.options.is_empty() {
                return Err(RecipeError::at(
                    &place,
                    "选择类参数需要 options，其他参数不能有",
                ));
            }
        }
        let mut steps = BTreeSet::new();
        for step in &self.steps {
            let place = format!("steps.{}", step.name);
            if step.name.trim().is_empty() || !steps.insert(&step.name) {
                return Err(RecipeError::at(&place, "步骤名称不能为空且不能重复"));
            }
            if !TIMEOUT_MS.contains(&step.timeout_ms) {
                return Err(RecipeError::at(
                    &place,
                    "timeout_ms 须在 100 到 120000 之间",
                ));
            }
            if !ATTEMPTS.contains(&step.retry.attempts)
                || step.retry.max_backoff_ms > MAX_BACKOFF_MS
            {
                return Err(RecipeError::at(
                    &place,
                    "retry.attempts 须在 1 到 20 之间，max_backoff_ms 不超过 60000",
                ));
            }
            if step.expect_status.iter().any(|s| !(100..=599).contains(s)) {
                return Err(RecipeError::at(&place, "expect_status 不是 HTTP 状态码"));
            }
            let pointers = step.extract.iter().map(|e| &e.pointer);
            if pointers
                .chain(step.assert.iter().map(|a| &a.pointer))
                .any(|p| !p.is_empty() && !p.starts_with('/'))
            {
                return Err(RecipeError::at(&place, "JSON 指针须以 / 开头"));
            }
            if step.extract.iter().any(|e| !is_identifier(&e.name, '_')) {
                return Err(RecipeError::at(
                    &place,
                    "提取的值须以小写字母、数字和 _ 命名",
                ));
            }
            let templates = std::iter::once(&step.path)
                .chain(step.headers.values())
                .chain(step.body.as_ref());
            for text in templates {
                template::compile(text).map_err(|e| RecipeError::at(&place, e))?;
            }
            for expression in step.each.iter().chain(step.when.iter()) {
                template::compile_expression(expression).map_err(|e| RecipeError::at(&place, e))?;
            }
        }
        for field in &self.result {
            template::compile(&field.value)
                .map_err(|e| RecipeError::at(format!("result.{}", field.name), e))?;
        }
        Ok(())
    }

    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// The recipe's parameters whose values are a customer's identity.
    pub fn identity_params(&self) -> impl Iterator<Item = &ParamSpec> {
        self.params.iter().filter(|p| p.kind.is_identity())
    }
}

/// The recipes the project ships, seeded into a new database.
pub const BUNDLED: [&str; 2] = [
    include_str!("recipes/regular-account.toml"),
    include_str!("recipes/complex-account.toml"),
];

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
key = "small"
name = "小"

[[params]]
name = "customer_name"
label = "姓名"
kind = "name"

[[steps]]
name = "token"
system = "account"
method = "POST"
path = "/auth/token"
body = '{"a": "{{ secrets.account_app_id }}"}'
extract = [{ name = "token", pointer = "/data/token", secret = true }]
"#;

    #[test]
    fn a_small_recipe_parses_with_defaults() {
        let recipe = Recipe::parse(SMALL).expect("parses");
        let step = &recipe.steps[0];
        assert_eq!(step.expect_status, vec![200, 201]);
        assert_eq!(step.timeout_ms, 10_000);
        assert_eq!(step.retry.attempts, 8);
        assert_eq!(recipe.calls(), 1);
    }

    #[test]
    fn a_toml_error_names_its_line() {
        let error = Recipe::parse("key = \"x\"\nname = \n").expect_err("refused");
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn broken_templates_duplicate_steps_and_unknown_fields_are_refused() {
        let broken = SMALL.replace("/auth/token", "/auth/{{ token");
        assert!(Recipe::parse(&broken)
            .expect_err("refused")
            .message
            .starts_with("steps.token"));
        let twice = format!("{SMALL}\n[[steps]]\nname = \"token\"\nsystem = \"custody\"\nmethod = \"GET\"\npath = \"/\"\n");
        assert!(Recipe::parse(&twice).is_err());
        let unknown = SMALL.replace("secret = true", "secret = true, sekret = 1");
        assert!(Recipe::parse(&unknown).is_err());
        let pointer = SMALL.replace("/data/token", "data/token");
        assert!(Recipe::parse(&pointer).is_err());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let retry = Retry::default();
        let waits: Vec<u64> = (1..=5)
            .map(|a| retry.backoff(a).as_millis() as u64)
            .collect();
        assert_eq!(waits, [1_000, 2_000, 4_000, 5_000, 5_000]);
    }

    #[test]
    fn the_bundled_recipes_parse() {
        for source in BUNDLED {
            let recipe = Recipe::parse(source).expect("bundled recipe parses");
            assert!(recipe.identity_params().count() >= 2, "{}", recipe.key);
        }
        assert_eq!(Recipe::parse(BUNDLED[0]).expect("regular").calls(), 35);
    }
}
