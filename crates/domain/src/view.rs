//! Views: the lists of conversations the sidebar shows (all, mine, unassigned, by inbox, team,
//! label), each filtered by status or not. Which views a conversation belongs to is decided here.

use crate::inbox::Conversation;
use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
#[ts(export)]
pub enum View {
    All,
    Assignee(Id),
    Unassigned,
    Inbox(Id),
    Team(Id),
    Label(String),
}

impl View {
    /// Every view the conversation appears in.
    pub fn of(c: &Conversation) -> Vec<View> {
        let mut views = vec![View::All, View::Inbox(c.inbox)];
        views.push(match c.assignee {
            Some(a) => View::Assignee(a),
            None => View::Unassigned,
        });
        if let Some(t) = c.team {
            views.push(View::Team(t));
        }
        views.extend(c.labels.iter().cloned().map(View::Label));
        views
    }
}

pub const MAX_LABEL_BYTES: usize = 64;

/// A label as stored: trimmed, lower-case, letters, digits, `-` and `_`, at most 64 bytes.
pub fn label(raw: &str) -> Result<String, DomainError> {
    let l = raw.trim().to_lowercase();
    let ok =
        !l.is_empty() && l.len() <= MAX_LABEL_BYTES && l.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(l)
    } else {
        Err(DomainError::invalid(
            "labels",
            format!("'{raw}' is not a label: use letters, digits, - and _, up to 64 bytes"),
        ))
    }
}
