//! The agent API's handlers and the request/response types that only the API has.

use crate::auth::{ClientAddr, CurrentAgent, JsonBody, QueryParams};
use crate::openapi::{AdminOnly, JsonRefusals, MalformedRequest, OneRecord, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use frontdesk_domain::notification::NotificationSettings;
use frontdesk_domain::{Agent, Event, Id, Role, SetupRequest};
use frontdesk_engine::{Invitation, InvitationInfo, LoginOutcome, SetupStatus};
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub needs_setup: bool,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct InviteRequest {
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AcceptInvitationRequest {
    pub password: String,
}

/// A page of agents; pass `next_cursor` as `after` for the next one.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AgentPage {
    pub items: Vec<Agent>,
    pub next_cursor: Option<Id>,
}

/// A page of events, oldest first; pass `next_cursor` as `after` to continue.
#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct EventPage {
    pub items: Vec<Event>,
    pub next_cursor: Option<Id>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Return items after this id (the previous page's `next_cursor`).
    #[param(value_type = Option<String>)]
    pub after: Option<Id>,
    /// At most this many items (default 100).
    pub limit: Option<usize>,
}

const DEFAULT_PAGE: usize = 100;

fn next_cursor<T>(items: &[T], limit: usize, id: impl Fn(&T) -> Id) -> Option<Id> {
    (items.len() >= limit).then(|| items.last().map(id)).flatten()
}

#[utoipa::path(get, path = "/health", tag = "desk", responses((status = 200, body = Health)))]
pub async fn health(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let needs_setup = s.desk.setup_status()?.needs_setup;
    let body = Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into(), needs_setup };
    // The join screen of another desk probes this from its own origin.
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(body)))
}

#[utoipa::path(get, path = "/api/v1/setup", tag = "accounts", responses((status = 200, body = SetupStatus)))]
pub async fn setup_status(State(s): State<AppState>) -> ApiResult<Json<SetupStatus>> {
    Ok(Json(s.desk.setup_status()?))
}

#[utoipa::path(post, path = "/api/v1/setup", tag = "accounts", request_body = SetupRequest, responses(JsonRefusals,
    (status = 201, body = LoginOutcome, description = "business and admin created; the admin is logged in"),
    (status = 409, body = ErrorBody, description = "already set up"),
))]
pub async fn setup(State(s): State<AppState>, JsonBody(req): JsonBody<SetupRequest>) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(s.desk.setup(req).await?)))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest, responses(JsonRefusals,
    (status = 200, body = LoginOutcome),
    (status = 401, body = ErrorBody, description = "wrong email or password, or account deactivated"),
    (status = 409, body = ErrorBody, description = "the desk is not set up yet"),
    (status = 429, body = ErrorBody, description = "too many failed attempts; see Retry-After"),
))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<LoginOutcome>> {
    Ok(Json(s.desk.login(&req.email, req.password, &client).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])), responses(SignedIn, (status = 204, description = "the session is ended")))]
pub async fn logout(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<StatusCode> {
    s.desk.logout(&me.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), responses(SignedIn, (status = 200, body = Agent)))]
pub async fn me(me: CurrentAgent) -> Json<Agent> {
    Json(me.agent)
}

/// The agent app's language: "en", "es", "it", or null for the browser's.
#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct LanguageChoice {
    pub language: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/me/language", tag = "accounts", security(("bearer" = [])),
    request_body = LanguageChoice, responses(SignedIn, JsonRefusals, (status = 200, body = Agent)))]
pub async fn update_language(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<LanguageChoice>,
) -> ApiResult<Json<Agent>> {
    Ok(Json(s.desk.set_agent_language(&me.agent, req.language).await?))
}

#[utoipa::path(put, path = "/api/v1/me/notifications", tag = "accounts", security(("bearer" = [])),
    request_body = NotificationSettings, responses(SignedIn, JsonRefusals,
    (status = 200, body = Agent, description = "which desktop notifications the agent now gets")))]
pub async fn update_notifications(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(settings): JsonBody<NotificationSettings>,
) -> ApiResult<Json<Agent>> {
    Ok(Json(s.desk.set_notification_settings(&me.agent, settings).await?))
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", security(("bearer" = [])), params(PageQuery),
    responses(SignedIn, MalformedRequest, (status = 200, body = AgentPage)))]
pub async fn agents(
    State(s): State<AppState>,
    _me: CurrentAgent,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<AgentPage>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, 500);
    let items = s.desk.agents(q.after, limit)?;
    let next_cursor = next_cursor(&items, limit, |a| a.id);
    Ok(Json(AgentPage { items, next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", security(("bearer" = [])), request_body = InviteRequest, responses(SignedIn, AdminOnly, JsonRefusals,
    (status = 201, body = Invitation, description = "the agent is invited; `token` goes into their link"),
    (status = 409, body = ErrorBody, description = "the email already has an account"),
))]
pub async fn invite(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<InviteRequest>,
) -> ApiResult<impl IntoResponse> {
    let invitation = s.desk.invite_agent(&me.agent, &req.name, &req.email, req.role).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

#[utoipa::path(post, path = "/api/v1/agents/{id}/deactivate", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")), responses(SignedIn, AdminOnly, OneRecord, (status = 200, body = Agent),
    (status = 409, body = ErrorBody, description = "your own account")))]
pub async fn deactivate(State(s): State<AppState>, me: CurrentAgent, Path(id): Path<String>) -> ApiResult<Json<Agent>> {
    Ok(Json(s.desk.deactivate_agent(&me.agent, parse_id(&id, "agent")?).await?))
}

/// What an admin sends to change a colleague's role.
#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct RoleChange {
    pub role: Role,
}

#[utoipa::path(put, path = "/api/v1/agents/{id}/role", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")), request_body = RoleChange,
    responses(SignedIn, AdminOnly, OneRecord, JsonRefusals, (status = 200, body = Agent),
    (status = 409, body = ErrorBody, description = "your own role")))]
pub async fn set_role(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RoleChange>,
) -> ApiResult<Json<Agent>> {
    Ok(Json(s.desk.set_agent_role(&me.agent, parse_id(&id, "agent")?, req.role).await?))
}

#[utoipa::path(post, path = "/api/v1/agents/{id}/reactivate", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")), responses(SignedIn, AdminOnly, OneRecord, (status = 200, body = Agent),
    (status = 409, body = ErrorBody, description = "the invitation was never accepted: there is no password")))]
pub async fn reactivate(State(s): State<AppState>, me: CurrentAgent, Path(id): Path<String>) -> ApiResult<Json<Agent>> {
    Ok(Json(s.desk.reactivate_agent(&me.agent, parse_id(&id, "agent")?).await?))
}

#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "accounts",
    params(("token" = String, Path)), responses((status = 200, body = InvitationInfo), (status = 404, body = ErrorBody, description = "unknown, used or expired")))]
pub async fn invitation(State(s): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<InvitationInfo>> {
    Ok(Json(s.desk.invitation(&token)?))
}

#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "accounts", params(("token" = String, Path)),
    request_body = AcceptInvitationRequest, responses(JsonRefusals, (status = 200, body = LoginOutcome),
    (status = 404, body = ErrorBody, description = "unknown, used or expired")))]
pub async fn accept_invitation(
    State(s): State<AppState>,
    Path(token): Path<String>,
    JsonBody(req): JsonBody<AcceptInvitationRequest>,
) -> ApiResult<Json<LoginOutcome>> {
    Ok(Json(s.desk.accept_invitation(&token, req.password).await?))
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = [])), params(PageQuery),
    responses(SignedIn, MalformedRequest, (status = 200, body = EventPage, description = "events after the cursor, oldest first")))]
pub async fn events(
    State(s): State<AppState>,
    _me: CurrentAgent,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<EventPage>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, 1000);
    let items = s.desk.events_after(q.after, limit)?;
    let next_cursor = items.last().map(|e| e.id).or(q.after);
    Ok(Json(EventPage { items, next_cursor }))
}

pub async fn unknown_endpoint() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint: see /api/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method: see /api/openapi.json",
    )
}

/// A path or query id; `what` names it in the error ("'x' is not a conversation id").
pub(crate) fn parse_id(raw: &str, what: &str) -> ApiResult<Id> {
    raw.parse().map_err(|_| ApiError::bad_request(format!("'{raw}' is not a {what} id")))
}
