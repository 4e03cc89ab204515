//! The languages Frontdesk speaks to customers in (the widget, transcripts, reply emails) and
//! stems their words in for search.

/// English, Spanish or Italian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Spanish,
    Italian,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::Spanish, Language::Italian];

    /// From a language tag ("es", "it-IT", "en-GB"); English for anything else, or none.
    pub fn from_tag(tag: Option<&str>) -> Language {
        let primary = tag.unwrap_or("en").split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        match primary.as_str() {
            "es" => Language::Spanish,
            "it" => Language::Italian,
            _ => Language::English,
        }
    }
}

/// A language the agent app speaks, as an agent picks it: "en", "es" or "it".
pub fn app_language(tag: &str) -> Result<String, crate::DomainError> {
    match tag {
        "en" | "es" | "it" => Ok(tag.to_string()),
        other => Err(crate::DomainError::invalid(
            "language",
            format!("'{other}' is not a language the app speaks: use en, es or it"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_speaks_english_spanish_and_italian_only() {
        assert_eq!(app_language("es").unwrap(), "es");
        assert!(app_language("fr").unwrap_err().to_string().contains("use en, es or it"));
        assert!(app_language("ES").is_err());
    }

    #[test]
    fn a_tag_gives_its_language_and_anything_else_english() {
        assert_eq!(Language::from_tag(Some("it-IT")), Language::Italian);
        assert_eq!(Language::from_tag(Some("ES")), Language::Spanish);
        assert_eq!(Language::from_tag(Some("es_MX")), Language::Spanish);
        assert_eq!(Language::from_tag(Some("fr")), Language::English);
        assert_eq!(Language::from_tag(None), Language::English);
    }
}
