//! Handlers for backups: the admin's status screen (folder, schedule, the running backup's
//! progress, the folder's files), its settings, and "back up now"; and the desk's network
//! status (how colleagues join it, its certificate's fingerprint).

use crate::auth::{CurrentAgent, JsonBody};
use crate::openapi::{AdminOnly, JsonRefusals, SignedIn};
use crate::{ApiError, AppState, ErrorBody};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use frontdesk_domain::backup::BackupSettings;
use frontdesk_engine::{BackupStatus, NetworkStatus, RunningBackup};

type ApiResult<T> = Result<T, ApiError>;

#[utoipa::path(get, path = "/api/v1/backups", tag = "backups", security(("bearer" = [])),
    responses(SignedIn, AdminOnly, (status = 200, body = BackupStatus, description = "the settings, the backup running now with its progress, the last outcome and the folder's backups, newest first")))]
pub async fn status(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<Json<BackupStatus>> {
    Ok(Json(s.desk.backup_status(&me.agent)?))
}

#[utoipa::path(put, path = "/api/v1/backups/settings", tag = "backups", security(("bearer" = [])),
    request_body = BackupSettings, responses(SignedIn, AdminOnly, JsonRefusals, (status = 200, body = BackupSettings),
    (status = 422, body = ErrorBody, description = "a folder that is not a full path or cannot be written, or a count outside 1–365")))]
pub async fn update_settings(
    State(s): State<AppState>,
    me: CurrentAgent,
    JsonBody(req): JsonBody<BackupSettings>,
) -> ApiResult<Json<BackupSettings>> {
    Ok(Json(s.desk.update_backup_settings(&me.agent, req).await?))
}

#[utoipa::path(post, path = "/api/v1/backups", tag = "backups", security(("bearer" = [])),
    responses(SignedIn, AdminOnly,
    (status = 202, body = RunningBackup, description = "started; `GET /api/v1/backups` follows its progress"),
    (status = 409, body = ErrorBody, description = "no folder chosen yet, or a backup is already running")))]
pub async fn start(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<(StatusCode, Json<RunningBackup>)> {
    Ok((StatusCode::ACCEPTED, Json(s.desk.start_backup(&me.agent).await?)))
}

#[utoipa::path(get, path = "/api/v1/network", tag = "backups", security(("bearer" = [])),
    responses(SignedIn, (status = 200, body = NetworkStatus, description = "whether the desk listens on the network, the addresses to join, and its certificate's SHA-256 fingerprint")))]
pub async fn network(State(s): State<AppState>, me: CurrentAgent) -> ApiResult<Json<NetworkStatus>> {
    Ok(Json(s.desk.network(&me.agent)?))
}
