//! Uploading files (agents under `/api/v1`, visitors under `/api/widget/v1`) and serving them at
//! their signed address. The body is the file itself, so a browser can report upload progress;
//! reading stops at the size limit. Files are served so that none can run script: the type
//! found from the bytes, `nosniff`, a sandboxing CSP, and anything but an image as a download.

use crate::auth::QueryParams;
use crate::openapi::{MalformedRequest, RateLimited, SignedIn, WidgetRefusals};
use crate::widget::WidgetCaller;
use crate::{ApiError, AppState, ErrorBody};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontdesk_domain::attachment::{self, Attachment, Uploader, MAX_ATTACHMENT_BYTES};
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, as chosen on the uploader's computer.
    pub name: Option<String>,
}

async fn read_file(name: &str, body: Body) -> ApiResult<Vec<u8>> {
    match axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(_) => {
            Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", attachment::too_big(name).to_string()))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments", security(("bearer" = [])), params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(SignedIn, MalformedRequest,
    (status = 201, body = Attachment, description = "kept; put its id in a message's `attachments`"),
    (status = 413, body = ErrorBody, description = "over 10 MB"), (status = 422, body = ErrorBody, description = "a kind of file not taken, or empty")))]
pub async fn agent_upload(
    State(s): State<AppState>,
    me: crate::auth::CurrentAgent,
    QueryParams(q): QueryParams<UploadQuery>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let name = q.name.unwrap_or_default();
    let bytes = read_file(&name, body).await?;
    Ok((StatusCode::CREATED, Json(s.desk.upload(Uploader::Agent(me.agent.id), &name, bytes).await?)))
}

#[utoipa::path(post, path = "/api/widget/v1/attachments", tag = "widget", params(crate::widget::WidgetQuery, UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(WidgetRefusals, RateLimited,
    (status = 201, body = Attachment, description = "kept; put its id in the next message's `attachments`"),
    (status = 401, body = ErrorBody, description = "no visitor token: write a first message"),
    (status = 413, body = ErrorBody, description = "over 10 MB"), (status = 422, body = ErrorBody, description = "a kind of file not taken, or empty")))]
pub async fn visitor_upload(
    State(s): State<AppState>,
    caller: WidgetCaller,
    QueryParams(q): QueryParams<UploadQuery>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let visitor = caller.visitor()?;
    caller.count_write(&s.desk)?;
    let name = q.name.unwrap_or_default();
    let bytes = read_file(&name, body).await?;
    Ok((StatusCode::CREATED, Json(s.desk.upload(Uploader::Contact(visitor.contact), &name, bytes).await?)))
}

/// `GET /attachments/{id}/{signature}`: the file, to anyone holding its address.
pub async fn serve(State(s): State<AppState>, Path((id, signature)): Path<(String, String)>) -> Response {
    let not_found =
        || (StatusCode::NOT_FOUND, "This file does not exist, or the address is incomplete.").into_response();
    let Ok(id) = id.parse() else { return not_found() };
    let Ok((file, path)) = s.desk.attachment_file(id, &signature) else { return not_found() };
    let read = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || std::fs::read(path)).await
    };
    let bytes: Vec<u8> = match read.map_err(std::io::Error::other).and_then(|r| r) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!("attachment {id} is recorded but its file {} cannot be read: {e}", path.display());
            return not_found();
        }
    };
    let disposition = if file.is_image() { "inline" } else { "attachment" };
    // RFC 6266: an ASCII fallback and the UTF-8 name.
    let ascii: String = file
        .name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = file
        .name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut response = Body::from(bytes).into_response();
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(h, header::CONTENT_TYPE, file.content_type.clone());
    set(h, header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"));
    // An attachment never changes; its address is its identity.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    response
}
