//! The one error shape of the API: `{"error": {"code", "message"}}` with the right status. Codes
//! are stable for the UI to switch on; internal failures are logged, never echoed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontdesk_domain::conversation::LifecycleError;
use frontdesk_engine::EngineError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

#[derive(Debug, Serialize, serde::Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, serde::Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ErrorDetail {
    /// Stable, snake_case: what the UI switches on.
    pub code: String,
    /// For people: what was wrong and what to do.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_secs: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        use EngineError as E;
        let (status, code) = match &e {
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            E::AlreadySetUp => (StatusCode::CONFLICT, "already_set_up"),
            E::NotSetUp => (StatusCode::CONFLICT, "not_set_up"),
            E::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            E::SessionExpired => (StatusCode::UNAUTHORIZED, "session_expired"),
            E::NotAuthenticated => (StatusCode::UNAUTHORIZED, "not_authenticated"),
            E::AccountDeactivated => (StatusCode::UNAUTHORIZED, "account_deactivated"),
            E::StreamTicketInvalid => (StatusCode::UNAUTHORIZED, "stream_ticket_invalid"),
            E::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            E::AdminOnly(_) => (StatusCode::FORBIDDEN, "admin_only"),
            E::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            E::InvitationInvalid => (StatusCode::NOT_FOUND, "invitation_invalid"),
            E::UnknownWebsiteToken => (StatusCode::NOT_FOUND, "unknown_website_token"),
            E::VisitorUnknown => (StatusCode::UNAUTHORIZED, "visitor_unknown"),
            E::IdentityRefused | E::EmailIdentityRefused => (StatusCode::FORBIDDEN, "identity_refused"),
            E::TranscriptNotFinished => (StatusCode::CONFLICT, "conversation_not_finished"),
            E::TranscriptAddressRefused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "not_your_address"),
            E::EmailUnavailable => (StatusCode::CONFLICT, "email_unavailable"),
            E::LinkRefused(_) => (StatusCode::FORBIDDEN, "link_refused"),
            E::VisitorBlocked => (StatusCode::FORBIDDEN, "visitor_blocked"),
            E::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            E::Lifecycle(LifecycleError::SnoozeInPast) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            E::Lifecycle(_) => (StatusCode::CONFLICT, "illegal_transition"),
            E::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            E::Store(_) | E::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("request failed: {e}");
            "something went wrong on the host desk; its log has the details".to_string()
        } else {
            e.to_string()
        };
        let retry_after_secs = match e {
            E::TooManyAttempts { retry_after } | E::RateLimited { retry_after, .. } => {
                Some(retry_after.as_secs().max(1))
            }
            _ => None,
        };
        Self { status, code, message, retry_after_secs }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message } };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}
