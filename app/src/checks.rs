//! Text checks every form shares, run alike in the browser and on the server. Lengths count
//! characters, not bytes: names and descriptions are Chinese. Each form's `maxlength` attribute
//! uses the same constant its server check does, so the browser stops typing where the server
//! would refuse. Control characters other than line breaks and tabs are refused: pasted text can
//! carry them, and PostgreSQL cannot store a NUL.

use crate::error::Problem;

/// Required text of at most `max` characters.
pub fn required_within(value: &str, max: u32) -> Result<(), Problem> {
    if value.is_empty() {
        Err(Problem::Required)
    } else {
        within(value, max)
    }
}

/// Optional text of at most `max` characters.
pub fn within(value: &str, max: u32) -> Result<(), Problem> {
    if value.chars().count() > max as usize {
        Err(Problem::TooLong { max })
    } else if value.chars().any(is_unwanted_control) {
        Err(Problem::ControlCharacter)
    } else {
        Ok(())
    }
}

fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(within("股票", 2), Ok(()));
        assert_eq!(within("股票a", 2), Err(Problem::TooLong { max: 2 }));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        assert_eq!(within("第一行\r\n\t第二行", 20), Ok(()));
        for text in ["名\0字", "\u{1b}[31m", "a\u{7f}", "\u{85}"] {
            assert_eq!(within(text, 20), Err(Problem::ControlCharacter), "{text:?}");
        }
        assert_eq!(required_within("\0", 5), Err(Problem::ControlCharacter));
    }

    #[test]
    fn empty_is_refused_only_where_required() {
        assert_eq!(required_within("", 5), Err(Problem::Required));
        assert_eq!(within("", 5), Ok(()));
    }
}
