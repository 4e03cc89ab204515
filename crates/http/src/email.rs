//! Handlers for outgoing email: the SMTP settings (never showing the password) and their test
//! email, transcripts, and the outbox's emails with their state.

use crate::api::parse_id;
use crate::auth::{CurrentAgent, JsonBody, QueryParams};
use crate::openapi::{AdminOnly, JsonRefusals, MalformedRequest, OneRecord, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use frontdesk_domain::email::{OutgoingEmail, SmtpSettingsInput, SmtpSettingsView};
use frontdesk_engine::{TestEmailOutcome, TestEmailRequest, TranscriptRequest};
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Emails queued before this one (the last id of the previous page).
    pub before: Option<String>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/settings/smtp", tag = "email", security(("bearer" = [])),
    responses(SignedIn, AdminOnly,
    (status = 200, body = Option<SmtpSettingsView>, description = "the settings without the password (`password_set` says whether one is stored); null until set")))]
pub async fn smtp_settings(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<Json<Option<SmtpSettingsView>>> {
    Ok(Json(s.desk.smtp_settings(&me.agent)?))
}

#[utoipa::path(put, path = "/api/v1/settings/smtp", tag = "email", security(("bearer" = [])),
    request_body = SmtpSettingsInput, responses(SignedIn, AdminOnly, JsonRefusals, (status = 200, body = SmtpSettingsView)))]
pub async fn update_smtp_settings(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<SmtpSettingsInput>,
) -> ApiResult<Json<SmtpSettingsView>> {
    Ok(Json(s.desk.update_smtp_settings(&me.agent, req).await?))
}

#[utoipa::path(post, path = "/api/v1/settings/smtp/test", tag = "email", security(("bearer" = [])),
    request_body = TestEmailRequest, responses(SignedIn, AdminOnly, JsonRefusals,
    (status = 200, body = TestEmailOutcome, description = "sent or not, with the server's answer word for word"),
    (status = 409, body = ErrorBody, description = "no settings stored or given")))]
pub async fn test_email(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<TestEmailRequest>,
) -> ApiResult<Json<TestEmailOutcome>> {
    Ok(Json(s.desk.send_test_email(&me.agent, req).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/transcript", tag = "email", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = TranscriptRequest,
    responses(SignedIn, OneRecord, JsonRefusals,
    (status = 202, body = OutgoingEmail, description = "written to the outbox; its state follows in `email.updated` events"),
    (status = 409, body = ErrorBody, description = "outgoing email is not set up"),
    (status = 422, body = ErrorBody, description = "a bad address, or the contact has none")))]
pub async fn send_transcript(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TranscriptRequest>,
) -> ApiResult<(StatusCode, Json<OutgoingEmail>)> {
    let email = s.desk.send_transcript(&me.agent, parse_id(&id, "conversation")?, req).await?;
    Ok((StatusCode::ACCEPTED, Json(email)))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/emails", tag = "email", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses(SignedIn, OneRecord, (status = 200, body = [OutgoingEmail], description = "oldest first, with state and last error")))]
pub async fn conversation_emails(
    State(s): State<AppState>,
    _me: CurrentAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<OutgoingEmail>>> {
    Ok(Json(s.desk.conversation_emails(parse_id(&id, "conversation")?)?))
}

#[utoipa::path(get, path = "/api/v1/emails", tag = "email", security(("bearer" = [])), params(OutboxQuery),
    responses(SignedIn, MalformedRequest, (status = 200, body = [OutgoingEmail], description = "the outbox, newest first")))]
pub async fn emails(
    State(s): State<AppState>,
    _me: CurrentAgent,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> ApiResult<Json<Vec<OutgoingEmail>>> {
    let before = q.before.as_deref().map(|b| parse_id(b, "email")).transpose()?;
    Ok(Json(s.desk.emails(before, q.limit.unwrap_or(50))?))
}
