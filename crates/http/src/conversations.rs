//! Handlers for inboxes, teams, conversations, messages and contacts, and the query words of
//! views (`view=mine`, `status=open`, cursors).

use crate::api::parse_id;
use crate::auth::{CurrentAgent, JsonBody, QueryParams};
use crate::openapi::{AdminOnly, JsonRefusals, MalformedRequest, OneRecord, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use frontdesk_domain::conversation::Status;
use frontdesk_domain::inbox::{
    Contact, Conversation, ConversationChanges, Inbox, InboxChanges, InboxSettings, Message, Team,
};
use frontdesk_domain::view::{label, View};
use frontdesk_domain::{Id, Timestamp};
use frontdesk_engine::{ContactRef, Posted, StatusFilter, StatusRequest, ViewCursor};
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TeamRequest {
    pub name: String,
}

/// A customer's message entered by an agent (a phone call, an email forwarded by hand); the
/// website widget has its own entry point.
#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct CustomerMessageRequest {
    pub contact: ContactRef,
    pub content: String,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ReplyRequest {
    pub content: String,
    /// A private note: seen by agents only.
    #[serde(default)]
    #[ts(optional)]
    pub private: Option<bool>,
    /// Agents a private note mentions: each gets a notification.
    #[serde(default)]
    #[ts(optional)]
    #[schema(value_type = Option<Vec<String>>)]
    pub mentions: Option<Vec<Id>>,
    /// Ids of the agent's uploads (`POST /attachments`) to carry, at most 5; the content may
    /// then be empty.
    #[serde(default)]
    #[ts(optional)]
    #[schema(value_type = Option<Vec<String>>)]
    pub attachments: Option<Vec<Id>>,
}

/// A page of a view, newest activity first; pass `next_cursor` as `cursor` for the next one.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ConversationPage {
    pub items: Vec<Conversation>,
    pub next_cursor: Option<String>,
    /// The items' contacts, each once.
    pub contacts: Vec<Contact>,
}

/// Messages oldest first; pass `next_after_seq` as `after_seq` for the next page.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct MessagePage {
    pub items: Vec<Message>,
    pub next_after_seq: Option<u64>,
}

/// How many conversations a view holds, in all and per status: the sidebar's numbers.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ViewCounts {
    pub all: u64,
    pub new: u64,
    pub open: u64,
    pub pending: u64,
    pub on_hold: u64,
    pub snoozed: u64,
    pub solved: u64,
    pub closed: u64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `all` (default), `mine`, `unassigned`, `assignee:<agent id>`, `inbox:<id>`, `team:<id>`
    /// or `label:<name>`.
    pub view: Option<String>,
    /// One status, or `any` (default).
    pub status: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// At most this many conversations (default 50, at most 200).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountQuery {
    /// As for listing conversations.
    pub view: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Messages after this sequence number (default 0: from the start).
    pub after_seq: Option<u64>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<usize>,
}

/// The `view` query word, read for the agent asking (`mine` is theirs).
fn parse_view(raw: Option<&str>, me: Id) -> ApiResult<View> {
    let raw = raw.unwrap_or("all");
    let (kind, arg) = raw.split_once(':').unwrap_or((raw, ""));
    Ok(match (kind, arg) {
        ("all", "") => View::All,
        ("mine", "") => View::Assignee(me),
        ("unassigned", "") => View::Unassigned,
        ("assignee", id) => View::Assignee(parse_id(id, "agent")?),
        ("inbox", id) => View::Inbox(parse_id(id, "inbox")?),
        ("team", id) => View::Team(parse_id(id, "team")?),
        ("label", name) => View::Label(label(name).map_err(|e| ApiError::bad_request(e.to_string()))?),
        _ => {
            return Err(ApiError::bad_request(format!(
                "'{raw}' is not a view: use all, mine, unassigned, assignee:<id>, inbox:<id>, team:<id> or label:<name>"
            )))
        }
    })
}

/// The status a query string names (`on_hold`), if it names one.
pub(crate) fn status_named(word: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.as_str() == word)
}

fn parse_status(raw: Option<&str>) -> ApiResult<StatusFilter> {
    match raw {
        None | Some("any") => Ok(None),
        Some(s) => status_named(s).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!(
                "'{s}' is not a status: use new, open, pending, on_hold, snoozed, solved, closed or any"
            ))
        }),
    }
}

fn parse_cursor(raw: &str) -> ApiResult<ViewCursor> {
    let bad = || ApiError::bad_request("the cursor is not one this desk gave out: start again without it");
    let (at, id) = raw.split_once('-').ok_or_else(bad)?;
    Ok(ViewCursor {
        last_activity: Timestamp(at.parse().map_err(|_| bad())?),
        conversation: id.parse().map_err(|_| bad())?,
    })
}

fn cursor_of(c: &Conversation) -> String {
    format!("{}-{}", c.last_activity_at.0, c.id)
}

#[utoipa::path(get, path = "/api/v1/inboxes", tag = "inboxes", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = [Inbox])))]
pub async fn inboxes(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<Json<Vec<Inbox>>> {
    Ok(Json(s.desk.inboxes(&me.agent)?))
}

#[utoipa::path(post, path = "/api/v1/inboxes", tag = "inboxes", security(("bearer" = [])), request_body = InboxSettings,
    responses(SignedIn, AdminOnly, JsonRefusals, (status = 201, body = Inbox), (status = 404, body = ErrorBody, description = "no such team")))]
pub async fn create_inbox(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<InboxSettings>,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(s.desk.create_inbox(&me.agent, req).await?)))
}

#[utoipa::path(patch, path = "/api/v1/inboxes/{id}", tag = "inboxes", security(("bearer" = [])),
    params(("id" = String, Path, description = "inbox id")), request_body = InboxChanges,
    responses(SignedIn, AdminOnly, OneRecord, JsonRefusals, (status = 200, body = Inbox)))]
pub async fn update_inbox(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InboxChanges>,
) -> ApiResult<Json<Inbox>> {
    Ok(Json(s.desk.update_inbox(&me.agent, parse_id(&id, "inbox")?, req).await?))
}

#[utoipa::path(post, path = "/api/v1/inboxes/{id}/customer_messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "inbox id")), request_body = CustomerMessageRequest, responses(SignedIn, OneRecord, JsonRefusals,
    (status = 201, body = Posted, description = "the message, in the contact's open conversation or a new one")))]
pub async fn customer_message(
    State(s): State<AppState>,
    _me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CustomerMessageRequest>,
) -> ApiResult<impl IntoResponse> {
    let posted = s.desk.customer_message(parse_id(&id, "inbox")?, req.contact, &req.content).await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = [Team])))]
pub async fn teams(State(s): State<AppState>, _me: CurrentAgent) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(s.desk.teams()?))
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])), request_body = TeamRequest,
    responses(SignedIn, AdminOnly, JsonRefusals, (status = 201, body = Team)))]
pub async fn create_team(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<TeamRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(s.desk.create_team(&me.agent, &req.name).await?)))
}

#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", security(("bearer" = [])), params(ViewQuery),
    responses(SignedIn, MalformedRequest, (status = 200, body = ConversationPage)))]
pub async fn conversations(
    State(s): State<AppState>,
    me: CurrentAgent,
    QueryParams(q): QueryParams<ViewQuery>,
) -> ApiResult<Json<ConversationPage>> {
    let view = parse_view(q.view.as_deref(), me.agent.id)?;
    let status = parse_status(q.status.as_deref())?;
    let cursor = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = s.desk.conversations(&view, status, cursor, limit)?;
    let next_cursor = if items.len() >= limit { items.last().map(cursor_of) } else { None };
    let contacts = s.desk.contacts_of(&items)?;
    Ok(Json(ConversationPage { items, next_cursor, contacts }))
}

#[utoipa::path(get, path = "/api/v1/conversations/counts", tag = "conversations", security(("bearer" = [])),
    params(CountQuery), responses(SignedIn, MalformedRequest, (status = 200, body = ViewCounts)))]
pub async fn counts(
    State(s): State<AppState>,
    me: CurrentAgent,
    QueryParams(q): QueryParams<CountQuery>,
) -> ApiResult<Json<ViewCounts>> {
    let view = parse_view(q.view.as_deref(), me.agent.id)?;
    let n = |status| s.desk.count(&view, status);
    Ok(Json(ViewCounts {
        all: n(None)?,
        new: n(Some(Status::New))?,
        open: n(Some(Status::Open))?,
        pending: n(Some(Status::Pending))?,
        on_hold: n(Some(Status::OnHold))?,
        snoozed: n(Some(Status::Snoozed))?,
        solved: n(Some(Status::Solved))?,
        closed: n(Some(Status::Closed))?,
    }))
}

/// The status changes offered from one status.
#[derive(Debug, Serialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct StatusOffers {
    pub status: Status,
    /// What an agent may move a conversation in `status` to, in menu order.
    pub offers: Vec<Status>,
}

/// Which status actions to show for each status, straight from the lifecycle rules.
#[utoipa::path(get, path = "/api/v1/lifecycle", tag = "conversations", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = Vec<StatusOffers>)))]
pub async fn lifecycle(_me: CurrentAgent) -> Json<Vec<StatusOffers>> {
    Json(
        Status::ALL
            .into_iter()
            .map(|status| StatusOffers { status, offers: frontdesk_domain::conversation::offered_statuses(status) })
            .collect(),
    )
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), responses(SignedIn, OneRecord, (status = 200, body = Conversation)))]
pub async fn conversation(
    State(s): State<AppState>,
    _me: CurrentAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(s.desk.conversation(parse_id(&id, "conversation")?)?))
}

#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ConversationChanges, responses(SignedIn, OneRecord, JsonRefusals, (status = 200, body = Conversation),
    (status = 409, body = ErrorBody, description = "closed: it is final")))]
pub async fn update_conversation(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ConversationChanges>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(s.desk.update_conversation(&me.agent, parse_id(&id, "conversation")?, req).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/status", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = StatusRequest, responses(SignedIn, OneRecord, JsonRefusals,
    (status = 200, body = Conversation),
    (status = 409, body = ErrorBody, description = "not allowed from the current status, which the message names"),
    (status = 422, body = ErrorBody, description = "e.g. a snooze time in the past")))]
pub async fn change_status(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StatusRequest>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(s.desk.change_status(&me.agent, parse_id(&id, "conversation")?, req).await?))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path), MessageQuery), responses(SignedIn, OneRecord, (status = 200, body = MessagePage)))]
pub async fn messages(
    State(s): State<AppState>,
    _me: CurrentAgent,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<MessageQuery>,
) -> ApiResult<Json<MessagePage>> {
    let id = parse_id(&id, "conversation")?;
    s.desk.conversation(id)?; // an unknown conversation is a 404, not an empty page
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = s.desk.messages(id, q.after_seq.unwrap_or(0), limit, false)?;
    let next_after_seq = if items.len() >= limit { items.last().map(|m| m.seq) } else { None };
    Ok(Json(MessagePage { items, next_after_seq }))
}

#[utoipa::path(delete, path = "/api/v1/conversations/{id}/messages/{seq}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path), ("seq" = u64, Path)), responses(SignedIn, OneRecord,
    (status = 200, body = Message, description = "the message as it is now: deleted, without its text and files"),
    (status = 403, body = ErrorBody, description = "only an admin may delete what a customer or another agent wrote"),
    (status = 409, body = ErrorBody, description = "already deleted, or an activity line")))]
pub async fn delete_message(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path((id, seq)): Path<(String, String)>,
) -> ApiResult<Json<Message>> {
    let seq = seq.parse().map_err(|_| ApiError::bad_request(format!("'{seq}' is not a message number")))?;
    Ok(Json(s.desk.delete_message(&me.agent, parse_id(&id, "conversation")?, seq).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReplyRequest, responses(SignedIn, OneRecord, JsonRefusals,
    (status = 201, body = Posted), (status = 409, body = ErrorBody, description = "closed")))]
pub async fn reply(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReplyRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id, "conversation")?;
    let (mentions, files) = (req.mentions.unwrap_or_default(), req.attachments.unwrap_or_default());
    let private = req.private.unwrap_or(false);
    let posted = s.desk.agent_message_with(&me.agent, id, &req.content, private, &mentions, &files).await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), responses(SignedIn, OneRecord, (status = 200, body = Contact)))]
pub async fn contact(State(s): State<AppState>, _me: CurrentAgent, Path(id): Path<String>) -> ApiResult<Json<Contact>> {
    Ok(Json(s.desk.contact(parse_id(&id, "contact")?)?))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/conversations", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path)), responses(SignedIn, OneRecord,
    (status = 200, body = [Conversation], description = "the contact's conversations, newest first")))]
pub async fn contact_conversations(
    State(s): State<AppState>,
    _me: CurrentAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Conversation>>> {
    let id = parse_id(&id, "contact")?;
    s.desk.contact(id)?;
    Ok(Json(s.desk.contact_conversations(id)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_words_read_as_views() {
        let me = Id(5);
        assert_eq!(parse_view(None, me).unwrap(), View::All);
        assert_eq!(parse_view(Some("mine"), me).unwrap(), View::Assignee(me));
        assert_eq!(parse_view(Some("inbox:9"), me).unwrap(), View::Inbox(Id(9)));
        assert_eq!(parse_view(Some("label:Billing"), me).unwrap(), View::Label("billing".into()));
        for bad in ["everything", "inbox:x", "label:two words", "mine:3", "inbox"] {
            assert!(parse_view(Some(bad), me).is_err(), "{bad}");
        }
        assert_eq!(parse_status(Some("on_hold")).unwrap(), Some(Status::OnHold));
        assert!(parse_status(Some("done")).is_err());
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = parse_cursor("1700000000000-42").unwrap();
        assert_eq!((c.last_activity, c.conversation), (Timestamp(1_700_000_000_000), Id(42)));
        assert!(parse_cursor("yesterday").is_err() && parse_cursor("1-x").is_err());
    }
}
