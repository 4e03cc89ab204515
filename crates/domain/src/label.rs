//! The desk's labels as an admin defines them: a name (the word put on conversations), a colour
//! and what it is for. Conversations may still carry labels nobody defined; defined ones are
//! offered when labelling and listed in the sidebar.

use crate::DomainError;
use serde::{Deserialize, Serialize};

pub const MAX_LABEL_DEFINITIONS: usize = 100;
pub const MAX_LABEL_DESCRIPTION_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct LabelDefinition {
    /// As put on conversations: lower-case letters, digits, - and _.
    pub name: String,
    /// "#rrggbb".
    pub colour: String,
    #[serde(default)]
    pub description: String,
}

/// The definitions as stored: each checked, sorted by name, no name twice.
pub fn label_definitions(raw: &[LabelDefinition]) -> Result<Vec<LabelDefinition>, DomainError> {
    if raw.len() > MAX_LABEL_DEFINITIONS {
        return Err(DomainError::invalid(
            "labels",
            format!("a desk can define at most {MAX_LABEL_DEFINITIONS} labels"),
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    for d in raw {
        let name = crate::view::label(&d.name)?;
        let colour = crate::widget::colour(&d.colour).map_err(|e| DomainError::invalid("labels", e.to_string()))?;
        let description = d.description.trim().to_string();
        if description.chars().count() > MAX_LABEL_DESCRIPTION_CHARS {
            return Err(DomainError::invalid(
                "labels",
                format!("the description of '{name}' can be at most {MAX_LABEL_DESCRIPTION_CHARS} characters"),
            ));
        }
        out.push(LabelDefinition { name, colour, description });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(twice) = out.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(DomainError::invalid("labels", format!("'{}' is defined twice", twice[0].name)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, colour: &str) -> LabelDefinition {
        LabelDefinition { name: name.into(), colour: colour.into(), description: " For the billing team ".into() }
    }

    #[test]
    fn labels_are_stored_checked_and_in_order() {
        let saved = label_definitions(&[def("VIP", "#AA0000"), def("billing", "#00aa00")]).unwrap();
        assert_eq!(saved.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["billing", "vip"]);
        assert_eq!((saved[1].colour.as_str(), saved[0].description.as_str()), ("#aa0000", "For the billing team"));
    }

    #[test]
    fn a_bad_or_repeated_label_is_refused_with_its_name() {
        assert!(label_definitions(&[def("two words", "#000000")]).unwrap_err().to_string().contains("'two words'"));
        assert!(label_definitions(&[def("vip", "red")]).unwrap_err().to_string().contains("'red' is not a colour"));
        let twice = label_definitions(&[def("vip", "#000000"), def("VIP", "#111111")]).unwrap_err();
        assert!(twice.to_string().contains("'vip' is defined twice"));
        let long = LabelDefinition { description: "x".repeat(201), ..def("vip", "#000000") };
        assert!(label_definitions(&[long]).is_err());
    }
}
