//! Typing signals and "seen" marks, for agents and for widget visitors; which agents view a
//! conversation, for agents.

use crate::api::parse_id;
use crate::auth::{CurrentAgent, JsonBody};
use crate::openapi::{JsonRefusals, OneRecord, SignedIn, WidgetRefusals};
use crate::widget::{WidgetCaller, WidgetQuery};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use frontdesk_domain::inbox::Conversation;
use frontdesk_engine::VisitorConversation;
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TypingRequest {
    /// True while typing; false once stopped or sent. Repeat `true` every few seconds while
    /// typing goes on: others stop showing it 6 s after the last one.
    pub typing: bool,
    /// A private note (agents only): never shown to the customer.
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SeenRequest {
    /// The last message seen (its `seq`).
    pub seq: u64,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/typing", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TypingRequest, responses(SignedIn, OneRecord, JsonRefusals, (status = 204, description = "sent to the other agents and, unless private, to the customer")))]
pub async fn agent_typing(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TypingRequest>,
) -> ApiResult<StatusCode> {
    s.desk.agent_typing(&me.agent, parse_id(&id, "conversation")?, req.typing, req.private)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ViewingRequest {
    /// True while the conversation is open; repeat it every few seconds (others stop showing it
    /// 30 s after the last one); false once closed.
    pub viewing: bool,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/viewing", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ViewingRequest, responses(SignedIn, OneRecord, JsonRefusals, (status = 204, description = "sent to the other agents (never to the customer)")))]
pub async fn agent_viewing(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ViewingRequest>,
) -> ApiResult<StatusCode> {
    s.desk.agent_viewing(&me.agent, parse_id(&id, "conversation")?, req.viewing)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/seen", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SeenRequest, responses(SignedIn, OneRecord, JsonRefusals, (status = 200, body = Conversation, description = "the mark only moves forward")))]
pub async fn agent_seen(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SeenRequest>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(s.desk.mark_seen(&me.agent, parse_id(&id, "conversation")?, req.seq).await?))
}

#[utoipa::path(post, path = "/api/widget/v1/conversations/{id}/typing", tag = "widget",
    params(("id" = String, Path, description = "conversation id"), WidgetQuery), request_body = TypingRequest,
    responses(WidgetRefusals, JsonRefusals, (status = 204, description = "sent to the agents"), (status = 404, body = ErrorBody, description = "not a conversation of this visitor")))]
pub async fn visitor_typing(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TypingRequest>,
) -> ApiResult<StatusCode> {
    s.desk.visitor_typing(caller.visitor()?, parse_id(&id, "conversation")?, req.typing)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/widget/v1/conversations/{id}/seen", tag = "widget",
    params(("id" = String, Path, description = "conversation id"), WidgetQuery), request_body = SeenRequest,
    responses(WidgetRefusals, JsonRefusals, (status = 200, body = VisitorConversation), (status = 404, body = ErrorBody, description = "not a conversation of this visitor")))]
pub async fn visitor_seen(
    State(s): State<AppState>,
    caller: WidgetCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SeenRequest>,
) -> ApiResult<Json<VisitorConversation>> {
    Ok(Json(s.desk.visitor_seen(caller.visitor()?, parse_id(&id, "conversation")?, req.seq).await?))
}
