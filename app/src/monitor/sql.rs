//! The one rule every monitoring query meets, in the browser and on the server alike.

use super::ReadError;

/// The query without its trailing semicolon, when it is one statement that only reads:
/// it starts with SELECT, WITH, VALUES or TABLE (after comments), and holds no second
/// statement. The read-only transaction refuses whatever writes all the same.
pub fn select_only(query: &str) -> Result<&str, ReadError> {
    let query = query.trim().trim_end_matches(';').trim_end();
    let start = skip_comments(query);
    let word: String = start
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    if !matches!(word.as_str(), "select" | "with" | "values" | "table") {
        return Err(ReadError::NotASelect);
    }
    if has_second_statement(query) {
        return Err(ReadError::NotASelect);
    }
    Ok(query)
}

fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("--") {
            text = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return text;
        }
    }
}

/// A semicolon outside quotes and comments: another statement follows it.
fn has_second_statement(query: &str) -> bool {
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
            }
            ';' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_reading_statement_passes() {
        assert_eq!(select_only(" select 1 ;\n"), Ok("select 1"));
        assert_eq!(
            select_only("-- today's\n/* all */ WITH a AS (SELECT 1) SELECT * FROM a"),
            Ok("-- today's\n/* all */ WITH a AS (SELECT 1) SELECT * FROM a")
        );
        assert_eq!(select_only("SELECT ';' AS semi"), Ok("SELECT ';' AS semi"));
        for refused in [
            "UPDATE accounts SET status = 'x'",
            "CREATE TABLE t (id int)",
            "COPY (SELECT 1) TO PROGRAM 'id'",
            "SELECT 1; DROP TABLE accounts",
            "-- SELECT\nDELETE FROM accounts",
            "",
        ] {
            assert_eq!(
                select_only(refused),
                Err(ReadError::NotASelect),
                "{refused}"
            );
        }
    }
}
