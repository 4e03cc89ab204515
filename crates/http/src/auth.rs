//! Extractors: the logged-in agent, where a request came from, and JSON bodies and query strings whose errors use
//! the API's error shape.

use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use frontdesk_domain::Agent;
use frontdesk_engine::EngineError;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// The agent behind the request's `Authorization: Bearer <token>`.
pub struct CurrentAgent {
    pub agent: Agent,
    pub token: String,
}

impl FromRequestParts<AppState> for CurrentAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(EngineError::NotAuthenticated)?;
        let agent = state.desk.authenticate(&token).await?;
        Ok(CurrentAgent { agent, token })
    }
}

/// The token of `Authorization: Bearer <token>`, if the request has a non-blank one.
pub fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(value.strip_prefix("Bearer ")?.trim()).filter(|t| !t.is_empty()).map(str::to_string)
}

/// The client's IP address, for slowing down repeated failed logins.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(ip.unwrap_or_else(|| "unknown".into())))
    }
}

/// The most a JSON body may hold (the router's `DefaultBodyLimit`, which `axum::Json` applies).
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// `axum::Json`, with its refusals in the API's error shape and words a person can act on.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection as R;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(R::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with 'Content-Type: application/json'",
            )),
            Err(R::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                format!("the JSON does not have the expected fields: {}", e.body_text()),
            )),
            Err(R::JsonSyntaxError(e)) => {
                Err(ApiError::bad_request(format!("the body is not valid JSON: {}", e.body_text())))
            }
            // Over the router's body limit: axum's own answer would be plain text.
            Err(other) if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "the body is over the limit of {} MB for a JSON request: send less text (files go to the attachments upload)",
                    JSON_BODY_LIMIT / (1024 * 1024)
                ),
            )),
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

/// `axum::extract::Query`, with its refusals in the API's error shape: a parameter of the wrong
/// kind (`limit=ten`) is named in a 400 instead of a plain-text answer.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryParams(v)),
            Err(e) => Err(ApiError::bad_request(format!("the query string is not as expected: {}", e.body_text()))),
        }
    }
}
