//! The widget API under `/api/widget/v1`, the widget's iframe page and its live stream.
//!
//! Every request names the inbox by its public `website_token` and the embedding page by
//! `parent` (its origin, as the loader script saw it); both the `parent` and any `Origin` header
//! other than the desk's own must be among the inbox's allowed origins. The iframe page is served
//! with `Content-Security-Policy: frame-ancestors` listing the same origins, so a browser refuses
//! to show it inside any other site even if that site lies about `parent`. A visitor is known by
//! the visitor token the desk gave them (`Authorization: Bearer`, or `visitor_token` on the
//! WebSocket).

use crate::api::parse_id;
use crate::auth::JsonBody;
use crate::openapi::{AdminOnly, JsonRefusals, OneRecord, RateLimited, SignedIn, WidgetRefusals};
use crate::stream::{send, StreamEnd};
use crate::visitors::{ForVisitor, VisitorHub};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontdesk_domain::email::OutgoingEmail;
use frontdesk_domain::event::Typing;
use frontdesk_domain::hours::{OpenNow, ReplyTime};
use frontdesk_domain::inbox::Inbox;
use frontdesk_domain::widget::{Campaign, LauncherPosition, PreChatForm, WidgetSettingsInput};
use frontdesk_domain::{EventKind, Id};
use frontdesk_engine::{
    ContinueRequest, CsatRequest, Desk, Visitor, VisitorContact, VisitorConversation, VisitorDetails, VisitorIdentity,
    VisitorMessage, VisitorPosted, VisitorSession, VisitorTranscriptRequest,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WidgetQuery {
    /// The inbox's public website token, from the snippet.
    pub website_token: Option<String>,
    /// The origin of the page that embeds the widget.
    pub parent: Option<String>,
    /// The visitor token, for the WebSocket (where headers cannot be set).
    pub visitor_token: Option<String>,
    /// The address of the page the loader runs on: the campaigns for it come with the config.
    pub page: Option<String>,
}

/// Who is calling: the widget's inbox, checked against the caller's origins, and the visitor
/// if the request carries a visitor token.
pub struct WidgetCaller {
    pub inbox: Inbox,
    pub visitor: Option<Visitor>,
    /// The caller's address (the connection's; a reverse proxy in front shows as itself).
    pub ip: Option<std::net::IpAddr>,
}

impl WidgetCaller {
    /// Counts a write (message, file, new session) against the per-IP and per-customer limits.
    pub(crate) fn count_write(&self, desk: &Desk) -> ApiResult<()> {
        Ok(desk.count_widget_write(self.ip, self.visitor.map(|v| v.contact))?)
    }

    pub(crate) fn visitor(&self) -> ApiResult<Visitor> {
        self.visitor.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "visitor_unknown",
                "this request needs the visitor token the desk gave with the first message",
            )
        })
    }
}

impl FromRequestParts<AppState> for WidgetCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Query(q) = Query::<WidgetQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let token = q
            .website_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::bad_request("give the inbox's website_token, as the widget snippet does"))?;
        let inbox = state.desk.widget_inbox(token)?;
        let ip = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        state.desk.check_visitor_address(&inbox, ip)?;
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        // The desk's own origin: the chat opened as a page of its own (the link in a replies
        // email), where no other site is involved.
        let own = |origin: &str| origin.split_once("://").is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        let parent = q.parent.as_deref().unwrap_or("");
        if !own(parent) {
            check_origin(&inbox, parent)?;
        }
        if let Some(origin) = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            if !own(origin) {
                check_origin(&inbox, origin)?;
            }
        }
        let bearer = crate::auth::bearer(parts).or(q.visitor_token).filter(|t| !t.trim().is_empty());
        let visitor = bearer.map(|t| state.desk.visitor(&inbox, &t)).transpose()?;
        Ok(WidgetCaller { inbox, visitor, ip })
    }
}

fn check_origin(inbox: &Inbox, origin: &str) -> ApiResult<()> {
    if inbox.widget.allows(origin) {
        return Ok(());
    }
    let shown = if origin.is_empty() { "(none given)" } else { origin };
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
        format!(
            "the page at {shown} may not use the chat of the inbox '{}': an admin adds the site's origin to the inbox's allowed origins",
            inbox.name
        ),
    ))
}

/// Lets the embedding page read the widget API's answers (the loader fetches the look of the
/// launcher); the API refuses origins that are not allowed before any of this matters.
pub async fn allow_embedding_origin(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(req).await;
    if let Some(origin) = origin {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// What the loader and the iframe need to draw the widget.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct WidgetConfig {
    pub inbox_name: String,
    pub business_name: String,
    pub colour: String,
    pub position: LauncherPosition,
    pub greeting: String,
    pub pre_chat: PreChatForm,
    /// "en", "es" or "it"; none: the visitor's browser language.
    pub language: Option<String>,
    /// Whether the team is at work now (always, without business hours) and when it is next.
    pub open_now: OpenNow,
    /// Shown while the team is away; empty: the widget's own words.
    pub away_message: String,
    pub reply_time: ReplyTime,
    /// The enabled campaigns for `page` (none without it).
    pub campaigns: Vec<Campaign>,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct VisitorMessageRequest {
    pub content: String,
    /// The pre-chat form's answers (first message), or later details.
    #[serde(default)]
    #[ts(optional)]
    pub details: Option<VisitorDetails>,
    /// Ids of the visitor's uploads (`POST /attachments`), at most 5; the content may then be empty.
    #[serde(default)]
    #[ts(optional)]
    #[schema(value_type = Option<Vec<String>>)]
    pub attachments: Option<Vec<Id>>,
    /// The campaign the visitor answers with a first message: its text opens the conversation.
    #[serde(default)]
    #[ts(optional)]
    pub campaign: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitorMessagesQuery {
    /// Messages after this sequence number (default 0).
    pub after_seq: Option<u64>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/widget/v1/inbox", tag = "widget", params(WidgetQuery), responses(WidgetRefusals, (status = 200, body = WidgetConfig)))]
pub async fn config(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Query(q): Query<WidgetQuery>,
) -> ApiResult<Json<WidgetConfig>> {
    let w = &caller.inbox.widget;
    Ok(Json(WidgetConfig {
        inbox_name: caller.inbox.name.clone(),
        business_name: s.desk.setup_status()?.business_name.unwrap_or_default(),
        colour: w.colour.clone(),
        position: w.position,
        greeting: w.greeting.clone(),
        pre_chat: w.pre_chat.clone(),
        language: w.language.clone(),
        open_now: caller.inbox.open_now(s.desk.now()),
        away_message: caller.inbox.business_hours.away_message.clone(),
        reply_time: caller.inbox.business_hours.reply_time,
        campaigns: q.page.as_deref().map(|page| w.campaigns_for(page)).unwrap_or_default(),
    }))
}

#[utoipa::path(post, path = "/api/widget/v1/identify", tag = "widget", params(WidgetQuery),
    request_body = VisitorIdentity, responses(WidgetRefusals, JsonRefusals, RateLimited, (status = 200, body = VisitorSession),
    (status = 403, body = ErrorBody, description = "the identifier's hash (or the email's, when one is sent) does not match, the origin is not allowed, or the address is blocked")))]
pub async fn identify(
    State(s): State<AppState>,
    caller: WidgetCaller,
    JsonBody(req): JsonBody<VisitorIdentity>,
) -> ApiResult<Json<VisitorSession>> {
    caller.count_write(&s.desk)?;
    Ok(Json(s.desk.identify_visitor(&caller.inbox, req).await?))
}

#[utoipa::path(post, path = "/api/widget/v1/continue", tag = "widget", params(WidgetQuery),
    request_body = ContinueRequest, responses(WidgetRefusals, JsonRefusals, RateLimited,
    (status = 200, body = VisitorSession, description = "a session on the conversation's contact"),
    (status = 403, body = ErrorBody, description = "the link is forged, for another inbox, or expired; or the origin or address is refused")))]
pub async fn continue_conversation(
    State(s): State<AppState>,
    caller: WidgetCaller,
    JsonBody(req): JsonBody<ContinueRequest>,
) -> ApiResult<Json<VisitorSession>> {
    caller.count_write(&s.desk)?;
    Ok(Json(s.desk.continue_conversation(&caller.inbox, req).await?))
}

#[utoipa::path(post, path = "/api/widget/v1/messages", tag = "widget", params(WidgetQuery),
    request_body = VisitorMessageRequest, responses(WidgetRefusals, JsonRefusals, RateLimited,
    (status = 201, body = VisitorPosted, description = "durable; `visitor_token` is set when this message started the visitor's session"),
    (status = 429, body = ErrorBody, description = "over the per-IP or per-customer limit a minute; Retry-After says when")))]
pub async fn post_message(
    State(s): State<AppState>,
    caller: WidgetCaller,
    JsonBody(req): JsonBody<VisitorMessageRequest>,
) -> ApiResult<(StatusCode, Json<VisitorPosted>)> {
    caller.count_write(&s.desk)?;
    let details = req.details.unwrap_or_default();
    let files = req.attachments.unwrap_or_default();
    let posted = s
        .desk
        .visitor_message(&caller.inbox, caller.visitor, details, &req.content, &files, req.campaign.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

#[utoipa::path(get, path = "/api/widget/v1/contact", tag = "widget", params(WidgetQuery),
    responses(WidgetRefusals, (status = 200, body = VisitorContact)))]
pub async fn contact(State(s): State<AppState>, caller: WidgetCaller) -> ApiResult<Json<VisitorContact>> {
    Ok(Json(s.desk.visitor_contact(caller.visitor()?)?))
}

#[utoipa::path(patch, path = "/api/widget/v1/contact", tag = "widget", params(WidgetQuery),
    request_body = VisitorDetails, responses(WidgetRefusals, JsonRefusals, (status = 200, body = VisitorContact)))]
pub async fn update_contact(
    State(s): State<AppState>,
    caller: WidgetCaller,
    JsonBody(req): JsonBody<VisitorDetails>,
) -> ApiResult<Json<VisitorContact>> {
    Ok(Json(s.desk.update_visitor(caller.visitor()?, req).await?))
}

#[utoipa::path(get, path = "/api/widget/v1/conversations", tag = "widget", params(WidgetQuery),
    responses(WidgetRefusals, (status = 200, body = [VisitorConversation], description = "newest first")))]
pub async fn conversations(
    State(s): State<AppState>,
    caller: WidgetCaller,
) -> ApiResult<Json<Vec<VisitorConversation>>> {
    Ok(Json(s.desk.visitor_conversations(caller.visitor()?)?))
}

#[utoipa::path(get, path = "/api/widget/v1/conversations/{id}/messages", tag = "widget",
    params(("id" = String, Path, description = "conversation id"), WidgetQuery, VisitorMessagesQuery),
    responses(WidgetRefusals, (status = 200, body = [VisitorMessage], description = "public messages only, oldest first"),
    (status = 404, body = ErrorBody, description = "not a conversation of this visitor")))]
pub async fn messages(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Path(id): Path<String>,
    crate::auth::QueryParams(q): crate::auth::QueryParams<VisitorMessagesQuery>,
) -> ApiResult<Json<Vec<VisitorMessage>>> {
    let id = parse_id(&id, "conversation")?;
    let page = s.desk.visitor_messages(caller.visitor()?, id, q.after_seq.unwrap_or(0), q.limit.unwrap_or(100))?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/api/widget/v1/conversations/{id}/csat", tag = "widget",
    params(("id" = String, Path, description = "conversation id"), WidgetQuery), request_body = CsatRequest,
    responses(WidgetRefusals, JsonRefusals, (status = 200, body = VisitorConversation),
    (status = 404, body = ErrorBody, description = "not a conversation of this visitor"),
    (status = 422, body = ErrorBody, description = "not solved yet, rated already, or a bad rating")))]
pub async fn rate(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CsatRequest>,
) -> ApiResult<Json<VisitorConversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(s.desk.rate_conversation(caller.visitor()?, id, req).await?))
}

#[utoipa::path(post, path = "/api/widget/v1/conversations/{id}/transcript", tag = "widget",
    params(("id" = String, Path, description = "conversation id"), WidgetQuery), request_body = VisitorTranscriptRequest,
    responses(WidgetRefusals, JsonRefusals, RateLimited,
    (status = 202, body = OutgoingEmail, description = "queued in the outbox"),
    (status = 404, body = ErrorBody, description = "not a conversation of this visitor"),
    (status = 409, body = ErrorBody, description = "`conversation_not_finished`: not solved or closed yet; `email_unavailable`: the desk cannot send email now"),
    (status = 422, body = ErrorBody, description = "`not_your_address`: an address other than the contact's own; `invalid_input`: no address at all, or not an address"),
    (status = 429, body = ErrorBody, description = "the daily limit per customer")))]
pub async fn transcript(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<VisitorTranscriptRequest>,
) -> ApiResult<(StatusCode, Json<OutgoingEmail>)> {
    let id = parse_id(&id, "conversation")?;
    Ok((StatusCode::ACCEPTED, Json(s.desk.visitor_transcript(caller.visitor()?, id, req).await?)))
}

/// One frame of the visitor's stream.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", content = "data")]
#[ts(export)]
pub enum VisitorEvent {
    #[serde(rename = "conversation.updated")]
    Conversation(VisitorConversation),
    #[serde(rename = "message.created")]
    Message(VisitorMessage),
    /// The desk could not keep up with this socket: fetch messages after the last seq.
    #[serde(rename = "resync")]
    Resync,
    /// An agent started or stopped typing a reply (shown for 6 s after the last one).
    #[serde(rename = "typing")]
    Typing { conversation: Id, agent_name: String, typing: bool },
}

#[utoipa::path(get, path = "/api/widget/v1/stream", tag = "widget", params(WidgetQuery), responses(
    (status = 101, description = "a WebSocket; each text frame is one `VisitorEvent`. Open it, then fetch messages after the last seq you hold: together they miss nothing"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn stream(State(s): State<AppState>, caller: WidgetCaller, upgrade: WebSocketUpgrade) -> ApiResult<Response> {
    let visitor = caller.visitor()?;
    let (desk, hub) = (s.desk.clone(), s.visitors.clone());
    Ok(upgrade
        .max_message_size(8 * 1024)
        // Small buffers: the defaults (128 KiB) would cost over 100 MiB per 1,000 idle visitors.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| async move {
            if let Err(e) = pump(desk, hub, socket, visitor).await {
                tracing::debug!("visitor stream ended: {e}");
            }
        })
        .into_response())
}

async fn pump(desk: Desk, hub: VisitorHub, mut socket: WebSocket, visitor: Visitor) -> Result<(), StreamEnd> {
    // While this stream is open the customer is in the chat: replies are not emailed to them.
    let _online = desk.visitor_online(visitor);
    // Listen before reading which conversations are theirs, so none started in between is missed.
    let mut live = hub.listen(&desk, visitor.contact);
    let mut mine: HashSet<Id> = desk.visitor_conversations(visitor)?.iter().map(|c| c.id).collect();
    loop {
        tokio::select! {
            received = live.next() => match received {
                Some(ForVisitor::Typing(Typing { conversation, agent: Some(agent), private: false, typing }))
                    if mine.contains(&conversation) =>
                {
                    let agent_name = desk.agent_name(agent)?;
                    send(&mut socket, &VisitorEvent::Typing { conversation, agent_name, typing }).await?;
                }
                Some(ForVisitor::Typing(_)) => {}
                Some(ForVisitor::Event(event)) => {
                    let out = match event.kind {
                        EventKind::ConversationCreated { conversation, inbox, contact, .. }
                            if contact == visitor.contact && inbox == visitor.inbox =>
                        {
                            mine.insert(conversation);
                            Some(VisitorEvent::Conversation(VisitorConversation::from(&desk.conversation(conversation)?)))
                        }
                        // Known to be theirs (`mine`): read the message without checking again.
                        // A deleted message is sent again, emptied: the chat shows it as deleted.
                        EventKind::MessageCreated { conversation, seq, private: false }
                        | EventKind::MessageDeleted { conversation, seq }
                            if mine.contains(&conversation) =>
                        {
                            match desk.messages(conversation, seq - 1, 1, true)?.into_iter().find(|m| m.seq == seq) {
                                Some(m) => Some(VisitorEvent::Message(desk.visitor_message_view(m)?)),
                                None => None,
                            }
                        }
                        EventKind::StatusChanged { conversation, .. }
                        | EventKind::ConversationUpdated { conversation }
                        | EventKind::ConversationSeen { conversation, by_contact: false, .. }
                            if mine.contains(&conversation) =>
                        {
                            Some(VisitorEvent::Conversation(VisitorConversation::from(&desk.conversation(conversation)?)))
                        }
                        _ => None,
                    };
                    if let Some(out) = out {
                        send(&mut socket, &out).await?;
                    }
                }
                Some(ForVisitor::Resync) => send(&mut socket, &VisitorEvent::Resync).await?,
                None => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return Ok(()),
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The iframe page, allowed only inside the inbox's listed origins.
pub async fn frame(State(s): State<AppState>, Query(q): Query<WidgetQuery>) -> Response {
    let inbox = match q.website_token.as_deref().map(|t| s.desk.widget_inbox(t)) {
        Some(Ok(inbox)) => inbox,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                axum::response::Html("<p>This chat is not set up: the website token is unknown.</p>"),
            )
                .into_response()
        }
    };
    let ancestors = match inbox.widget.allowed_origins.is_empty() {
        true => "'none'".to_string(),
        false => inbox.widget.allowed_origins.join(" "),
    };
    let csp = crate::headers::widget_policy(&ancestors);
    let mut response = crate::ui::file("widget.html");
    if let Ok(v) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

#[utoipa::path(put, path = "/api/v1/inboxes/{id}/widget", tag = "inboxes", security(("bearer" = [])),
    params(("id" = String, Path, description = "inbox id")), request_body = WidgetSettingsInput,
    responses(SignedIn, AdminOnly, OneRecord, JsonRefusals,
    (status = 200, body = Inbox, description = "with the website token for the snippet")))]
pub async fn update_widget(
    State(s): State<AppState>,
    me: crate::auth::CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<WidgetSettingsInput>,
) -> ApiResult<Json<Inbox>> {
    let id = parse_id(&id, "inbox")?;
    Ok(Json(s.desk.update_widget(&me.agent, id, req).await?))
}
