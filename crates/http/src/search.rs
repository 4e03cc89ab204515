//! The agents' search endpoint; the widget API has none, so nothing (private notes least of
//! all) is ever searchable from a customer's browser.

use crate::api::parse_id;
use crate::auth::{CurrentAgent, QueryParams};
use crate::conversations::status_named;
use crate::openapi::SignedIn;
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::State;
use axum::Json;
use frontdesk_domain::Timestamp;
use frontdesk_engine::{SearchRequest, SearchResults};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words (each must match; stemmed and accent-folded per the conversation's language),
    /// "quoted phrases", `#1042` for a conversation number, the start of an email or order
    /// number. The last word also matches as a prefix while it is typed (no trailing space).
    pub q: Option<String>,
    /// Statuses, comma-separated (`open,pending`).
    pub status: Option<String>,
    pub inbox: Option<String>,
    /// An agent id, or `none` for unassigned.
    pub assignee: Option<String>,
    pub label: Option<String>,
    /// Active on or after (ms since the epoch).
    pub from: Option<i64>,
    /// Started on or before (ms since the epoch).
    pub to: Option<i64>,
    /// `newest` (default) or `relevance`.
    pub order: Option<String>,
    pub cursor: Option<String>,
    /// Results per page (default 20, at most 100).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/search", tag = "conversations", security(("bearer" = [])),
    params(SearchQuery), responses(SignedIn,
    (status = 200, body = SearchResults, description = "conversations with their best matching snippet; `rebuilding` is set while the index is being rebuilt"),
    (status = 400, body = ErrorBody, description = "an unknown status, a malformed id or query parameter"),
    (status = 422, body = ErrorBody, description = "an unknown order, a bad cursor or an inverted date range"),
    (status = 503, body = ErrorBody, description = "the index is still opening")))]
pub async fn search(
    State(s): State<AppState>,
    _me: CurrentAgent,
    QueryParams(q): QueryParams<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|word| {
                let word = word.trim();
                status_named(word).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "'{word}' is not a status: use new, open, pending, on_hold, snoozed, solved or closed"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let inbox = q.inbox.as_deref().filter(|i| !i.is_empty()).map(|i| parse_id(i, "inbox")).transpose()?;
    let request = SearchRequest {
        q: q.q.unwrap_or_default(),
        status,
        inbox,
        assignee: q.assignee,
        label: q.label,
        from: q.from.map(Timestamp),
        to: q.to.map(Timestamp),
        order: q.order,
        cursor: q.cursor,
        limit: q.limit,
    };
    // The index is read from memory-mapped files: cheap, but not to be done on the runtime.
    let desk = s.desk.clone();
    let results = tokio::task::spawn_blocking(move || desk.search(&request))
        .await
        .map_err(|e| ApiError::from(frontdesk_engine::EngineError::Internal(e.to_string())))??;
    Ok(Json(results))
}
