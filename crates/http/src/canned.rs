//! Canned responses and label definitions: listed for every agent, kept by admins.

use crate::api::parse_id;
use crate::auth::{CurrentAgent, JsonBody};
use crate::openapi::{AdminOnly, JsonRefusals, OneRecord, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use frontdesk_domain::canned::{CannedInput, CannedResponse};
use frontdesk_domain::label::LabelDefinition;

type ApiResult<T> = Result<T, ApiError>;

#[utoipa::path(get, path = "/api/v1/canned_responses", tag = "canned responses", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = [CannedResponse], description = "every canned response, by short code")))]
pub async fn list(State(s): State<AppState>, _me: CurrentAgent) -> ApiResult<Json<Vec<CannedResponse>>> {
    Ok(Json(s.desk.canned_responses()?))
}

#[utoipa::path(post, path = "/api/v1/canned_responses", tag = "canned responses", security(("bearer" = [])),
    request_body = CannedInput, responses(SignedIn, AdminOnly, JsonRefusals, (status = 201, body = CannedResponse),
    (status = 409, body = ErrorBody, description = "the short code is taken")))]
pub async fn create(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(input): JsonBody<CannedInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((StatusCode::CREATED, Json(s.desk.create_canned_response(&me.agent, input).await?)))
}

#[utoipa::path(put, path = "/api/v1/canned_responses/{id}", tag = "canned responses", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CannedInput, responses(SignedIn, AdminOnly, OneRecord, JsonRefusals, (status = 200, body = CannedResponse),
    (status = 409, body = ErrorBody, description = "the short code is taken")))]
pub async fn update(
    State(s): State<AppState>,
    me: CurrentAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CannedInput>,
) -> ApiResult<Json<CannedResponse>> {
    Ok(Json(s.desk.update_canned_response(&me.agent, parse_id(&id, "canned response")?, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/canned_responses/{id}", tag = "canned responses", security(("bearer" = [])),
    params(("id" = String, Path)), responses(SignedIn, AdminOnly, OneRecord, (status = 204)))]
pub async fn delete(State(s): State<AppState>, me: CurrentAgent, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.desk.delete_canned_response(&me.agent, parse_id(&id, "canned response")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/labels", tag = "labels", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = [LabelDefinition], description = "the desk's labels, by name")))]
pub async fn labels(State(s): State<AppState>, _me: CurrentAgent) -> ApiResult<Json<Vec<LabelDefinition>>> {
    Ok(Json(s.desk.label_definitions()?))
}

#[utoipa::path(put, path = "/api/v1/labels", tag = "labels", security(("bearer" = [])),
    request_body = [LabelDefinition], responses(SignedIn, AdminOnly, JsonRefusals, (status = 200, body = [LabelDefinition], description = "the whole new set")))]
pub async fn set_labels(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(labels): JsonBody<Vec<LabelDefinition>>,
) -> ApiResult<Json<Vec<LabelDefinition>>> {
    Ok(Json(s.desk.set_label_definitions(&me.agent, labels).await?))
}
