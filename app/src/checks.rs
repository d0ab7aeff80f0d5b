//! Length checks every form shares, run alike in the browser and on the server. Lengths count
//! characters, not bytes: names and descriptions are Chinese. Each form's `maxlength` attribute
//! uses the same constant its server check does, so the browser stops typing where the server
//! would refuse.

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
    } else {
        Ok(())
    }
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
    fn empty_is_refused_only_where_required() {
        assert_eq!(required_within("", 5), Err(Problem::Required));
        assert_eq!(within("", 5), Ok(()));
    }
}
