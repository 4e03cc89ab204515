//! Canned responses: replies a team writes once and inserts by typing `/` and a short code.

use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// Short codes are typed after `/`: short, one word, the same however they are cased.
pub const MAX_SHORT_CODE_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct CannedResponse {
    pub id: Id,
    /// What follows `/` in the reply box ("refund").
    pub short_code: String,
    /// The text it puts in the reply box (markdown subset, as a reply).
    pub content: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an admin gives to create or change a canned response.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct CannedInput {
    pub short_code: String,
    pub content: String,
}

impl CannedInput {
    /// The short code and content, checked: the code lower-cased, letters, digits, `-` and `_`.
    pub fn checked(&self) -> Result<(String, String), DomainError> {
        let code = self.short_code.trim().trim_start_matches('/').to_lowercase();
        let well_formed = !code.is_empty()
            && code.chars().count() <= MAX_SHORT_CODE_CHARS
            && code.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !well_formed {
            return Err(DomainError::invalid(
                "short_code",
                format!(
                    "'{}' is not a short code: use 1 to {MAX_SHORT_CODE_CHARS} letters, digits, '-' or '_' (no spaces)",
                    self.short_code.trim()
                ),
            ));
        }
        let content = crate::inbox::message_content(&self.content)?;
        Ok((code, content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &str, content: &str) -> CannedInput {
        CannedInput { short_code: code.into(), content: content.into() }
    }

    #[test]
    fn a_short_code_is_one_word_kept_lower_case_and_the_content_a_valid_reply() {
        assert_eq!(
            input(" /Refund ", " We refunded you. ").checked().unwrap(),
            ("refund".into(), "We refunded you.".into())
        );
        assert_eq!(input("envío_2", "Hola").checked().unwrap().0, "envío_2");
        for bad in ["", "/", "two words", "semi;colon", &"x".repeat(41)] {
            let err = input(bad, "text").checked().unwrap_err().to_string();
            assert!(err.contains("short code"), "{bad}: {err}");
        }
        assert!(input("ok", "   ").checked().is_err(), "empty content");
        assert!(input("ok", &"a".repeat(20_001)).checked().is_err(), "content over the message limit");
    }
}
