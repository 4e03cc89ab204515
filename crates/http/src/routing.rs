//! Handlers for routing: agents' availability and profiles, inbox routing settings, manual
//! assignment and transfer, and the queue with each agent's load.

use crate::api::parse_id;
use crate::auth::{CurrentAgent, JsonBody, QueryParams};
use crate::openapi::{AdminOnly, JsonRefusals, MalformedRequest, OneRecord, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::Json;
use frontdesk_domain::inbox::{Conversation, Inbox};
use frontdesk_domain::routing::{AgentRouting, InboxRouting, RoutingChanges};
use frontdesk_engine::{AssignRequest, AvailabilityRequest, RoutingOverview};
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// At most this many waiting conversations (default 100, at most 1000).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TransferRequest {
    /// The team that takes the conversation over.
    pub team: String,
}

#[utoipa::path(get, path = "/api/v1/routing", tag = "routing", security(("bearer" = [])), params(QueueQuery),
    responses(SignedIn, MalformedRequest, (status = 200, body = RoutingOverview, description = "the queue in assignment order, with wait times and reasons, and every agent's load against capacity")))]
pub async fn overview(
    State(s): State<AppState>,
    _me: CurrentAgent,
    QueryParams(q): QueryParams<QueueQuery>,
) -> ApiResult<Json<RoutingOverview>> {
    Ok(Json(s.desk.routing_overview(q.limit.unwrap_or(100))?))
}

#[utoipa::path(put, path = "/api/v1/agents/{id}/availability", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id (your own, or anyone's for an admin)")),
    request_body = AvailabilityRequest, responses(SignedIn, OneRecord, JsonRefusals, (status = 200, body = AgentRouting),
    (status = 403, body = ErrorBody, description = "only an admin may change another agent's availability")))]
pub async fn set_availability(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AvailabilityRequest>,
) -> ApiResult<Json<AgentRouting>> {
    Ok(Json(s.desk.set_availability(&me.agent, parse_id(&id, "agent")?, req.availability).await?))
}

#[utoipa::path(patch, path = "/api/v1/agents/{id}/routing", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")), request_body = RoutingChanges,
    responses(SignedIn, AdminOnly, OneRecord, JsonRefusals, (status = 200, body = AgentRouting)))]
pub async fn update_agent(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RoutingChanges>,
) -> ApiResult<Json<AgentRouting>> {
    Ok(Json(s.desk.update_agent_routing(&me.agent, parse_id(&id, "agent")?, req).await?))
}

#[utoipa::path(put, path = "/api/v1/inboxes/{id}/routing", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path, description = "inbox id")), request_body = InboxRouting,
    responses(SignedIn, AdminOnly, OneRecord, JsonRefusals, (status = 200, body = Inbox)))]
pub async fn update_inbox(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<InboxRouting>,
) -> ApiResult<Json<Inbox>> {
    Ok(Json(s.desk.update_inbox_routing(&me.agent, parse_id(&id, "inbox")?, req).await?))
}

#[utoipa::path(put, path = "/api/v1/conversations/{id}/assignee", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = AssignRequest,
    responses(SignedIn, OneRecord, JsonRefusals, (status = 200, body = Conversation),
    (status = 404, body = ErrorBody, description = "no such conversation, or no active agent with that id"),
    (status = 409, body = ErrorBody, description = "closed, or not allowed from its status")))]
pub async fn assign(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(s.desk.assign(&me.agent, parse_id(&id, "conversation")?, req.assignee).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "routing", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = TransferRequest,
    responses(SignedIn, OneRecord, JsonRefusals, (status = 200, body = Conversation),
    (status = 400, body = ErrorBody, description = "a malformed conversation or team id"),
    (status = 404, body = ErrorBody, description = "no such conversation or team"),
    (status = 409, body = ErrorBody, description = "closed, or not allowed from its status")))]
pub async fn transfer(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TransferRequest>,
) -> ApiResult<Json<Conversation>> {
    let team = parse_id(&req.team, "team")?;
    Ok(Json(s.desk.transfer(&me.agent, parse_id(&id, "conversation")?, team).await?))
}
