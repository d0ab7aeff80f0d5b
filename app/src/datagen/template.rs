//! Recipe templates (minijinja): strict about undefined values, so a step that names a value no
//! earlier step extracted fails with that name instead of sending an empty field, and bounded in
//! work, so a template cannot hang a worker.

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior, Value};

/// Instructions one rendering may execute; far above what any request template needs.
const FUEL: u64 = 100_000;

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env
});

fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}：{detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

pub fn compile(source: &str) -> Result<(), String> {
    ENVIRONMENT
        .template_from_str(source)
        .map(drop)
        .map_err(|e| describe(&e))
}

pub fn compile_expression(source: &str) -> Result<(), String> {
    ENVIRONMENT
        .compile_expression(source)
        .map(drop)
        .map_err(|e| describe(&e))
}

pub fn render(source: &str, context: &serde_json::Value) -> Result<String, String> {
    ENVIRONMENT
        .render_str(source, Value::from_serialize(context))
        .map_err(|e| describe(&e))
}

/// An expression's value: a list for `each`, a truth for `when`.
pub fn evaluate(source: &str, context: &serde_json::Value) -> Result<Value, String> {
    let expression = ENVIRONMENT
        .compile_expression(source)
        .map_err(|e| describe(&e))?;
    expression
        .eval(Value::from_serialize(context))
        .map_err(|e| describe(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_values_and_refuses_undefined_ones() {
        let context = json!({"params": {"id_number": "110101199003074477"}, "vars": {}});
        assert_eq!(
            render("{{ params.id_number[6:14] }}", &context).as_deref(),
            Ok("19900307")
        );
        assert!(render("{{ vars.token }}", &context).is_err());
        assert_eq!(
            render("{{ params | tojson }}", &json!({"params": ["a\"b"]})).as_deref(),
            Ok(r#"["a\"b"]"#)
        );
    }

    #[test]
    fn a_runaway_template_runs_out_of_fuel() {
        let looping = "{% for i in range(1000000) %}{{ i }}{% endfor %}";
        assert!(render(looping, &json!({})).is_err());
    }

    #[test]
    fn expressions_give_lists_and_truths() {
        let context = json!({"params": {"banks": ["ICBC", "CMB"], "funds": "0.00"}});
        let banks = evaluate("params.banks", &context).expect("list");
        assert_eq!(banks.len(), Some(2));
        assert!(!evaluate("params.funds != '0.00'", &context)
            .expect("truth")
            .is_true());
    }
}
