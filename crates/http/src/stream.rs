//! The agents' live event stream over a WebSocket, and the test clock's endpoint.
//!
//! A client first fetches a one-time ticket with `POST /stream/ticket` (authenticated as any
//! call), then connects with `?ticket=…` within 30 s: browsers cannot set headers on a WebSocket,
//! and a session token in the URL would end up in proxy logs. `&after=<event id>` resumes: the
//! client gets every event after that one, oldest first, then each new one as it commits. The
//! open stream checks its session now and then, and ends when it is logged out or deactivated.
//! Memory per client stays small: the client reads from the desk's bounded broadcast, and one
//! that falls behind is caught up from the store instead of being buffered.
//! Frames without an `id` are signals that are never stored (`StreamSignal`: who is typing or
//! viewing, and the desktop notification an event gives this agent).

use crate::auth::{CurrentAgent, QueryParams};
use crate::openapi::{JsonRefusals, SignedIn};
use crate::{ApiError, AppState};
use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use frontdesk_domain::event::{Typing, Viewing};
use frontdesk_domain::notification::Notification;
use frontdesk_domain::{Event, EventKind, Id, Timestamp};
use frontdesk_engine::{Desk, StreamSession, StreamTicket};
use futures_util::SinkExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// How often an open stream checks that its session is still valid (logout, deactivation).
const SESSION_CHECK: Duration = Duration::from_secs(30);
const CATCH_UP_PAGE: usize = 500;
/// Events written with one flush at most.
const BURST: usize = 32;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// A ticket from `POST /api/v1/stream/ticket`; it opens one stream, within 30 s.
    #[param(value_type = String)]
    pub ticket: Option<String>,
    /// No longer accepted: read only to say so.
    #[param(ignore)]
    pub access_token: Option<String>,
    /// Resume after this event id; without it, only new events are sent.
    #[param(value_type = Option<String>)]
    pub after: Option<Id>,
}

#[utoipa::path(get, path = "/api/v1/stream", tag = "events", params(StreamQuery), responses(
    (status = 101, description = "a WebSocket; each text frame is one `Event` as JSON"),
    (status = 400, body = crate::ErrorBody, description = "`after` is not an event id"),
    (status = 401, body = crate::ErrorBody,
        description = "no ticket, or one unknown, used, expired or of a session that has ended")))]
pub async fn stream(
    State(s): State<AppState>,
    QueryParams(q): QueryParams<StreamQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let Some(ticket) = q.ticket else {
        let message = if q.access_token.is_some() {
            "a session token is not accepted in the stream's URL: fetch a ticket with POST /api/v1/stream/ticket and connect with ?ticket=…"
        } else {
            "the stream needs a ticket: fetch one with POST /api/v1/stream/ticket and connect with ?ticket=…"
        };
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "stream_ticket_required", message));
    };
    let session = s.desk.open_stream(&ticket).await?;
    let desk = s.desk.clone();
    Ok(upgrade.max_message_size(64 * 1024).read_buffer_size(8 * 1024).write_buffer_size(8 * 1024).on_upgrade(
        move |socket| async move {
            if let Err(e) = pump(desk, socket, session, q.after).await {
                tracing::debug!("event stream ended: {e}");
            }
        },
    ))
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum StreamEnd {
    #[error("the client went away")]
    Gone,
    #[error("the session ended")]
    SessionEnded,
    #[error(transparent)]
    Engine(#[from] frontdesk_engine::EngineError),
}

/// One frame of JSON, sent at once; the agents' and the visitors' streams both send this way.
pub(crate) async fn send<T: Serialize>(socket: &mut WebSocket, event: &T) -> Result<(), StreamEnd> {
    feed(socket, event).await?;
    flush(socket).await
}

/// One frame of JSON, queued: a burst is written together by the next `flush`.
pub(crate) async fn feed<T: Serialize>(socket: &mut WebSocket, event: &T) -> Result<(), StreamEnd> {
    let text = serde_json::to_string(event).map_err(|e| frontdesk_engine::EngineError::Internal(e.to_string()))?;
    SinkExt::feed(socket, WsMessage::Text(Utf8Bytes::from(text))).await.map_err(|_| StreamEnd::Gone)
}

pub(crate) async fn flush(socket: &mut WebSocket) -> Result<(), StreamEnd> {
    SinkExt::flush(socket).await.map_err(|_| StreamEnd::Gone)
}

/// Queues one event, then the notification it gives this agent, if any.
async fn send_event(desk: &Desk, socket: &mut WebSocket, me: Id, event: &Event) -> Result<(), StreamEnd> {
    feed(socket, event).await?;
    match desk.notification_for(me, event) {
        Ok(Some(n)) => feed(socket, &StreamSignal::Notification(n)).await,
        Ok(None) => Ok(()),
        // A popup is not worth ending the stream for; the event itself was sent.
        Err(e) => {
            tracing::warn!("no notification for event {}: {e}", event.id);
            Ok(())
        }
    }
}

/// Sends stored events after `last` until caught up; returns the last one sent.
async fn catch_up(desk: &Desk, socket: &mut WebSocket, me: Id, mut last: Option<Id>) -> Result<Option<Id>, StreamEnd> {
    loop {
        let page = desk.events_after(last, CATCH_UP_PAGE)?;
        for e in &page {
            send_event(desk, socket, me, e).await?;
            last = Some(e.id);
        }
        flush(socket).await?;
        if page.len() < CATCH_UP_PAGE {
            return Ok(last);
        }
    }
}

/// A ticket for `GET /stream`, bound to this request's session: it opens one stream within 30 s.
#[utoipa::path(post, path = "/api/v1/stream/ticket", tag = "events", security(("bearer" = [])), responses(
    crate::openapi::SignedIn,
    (status = 200, body = StreamTicket, description = "a one-time ticket, valid for 30 s")))]
pub async fn ticket(State(s): State<AppState>, me: CurrentAgent) -> Result<Json<StreamTicket>, ApiError> {
    Ok(Json(s.desk.stream_ticket(&me.agent, &me.token)?))
}

async fn pump(desk: Desk, mut socket: WebSocket, session: StreamSession, after: Option<Id>) -> Result<(), StreamEnd> {
    let me = session.agent.id;
    // Subscribe before reading the store, so nothing committed in between is missed.
    let mut live = desk.subscribe();
    // Without a cursor the stream starts now; a lagging client is then caught up from here,
    // never from the start of history.
    let mut last = match after {
        Some(a) => catch_up(&desk, &mut socket, me, Some(a)).await?.or(Some(a)),
        None => desk.last_event_id()?,
    };
    let mut typing = desk.subscribe_typing();
    let mut viewing = desk.subscribe_viewing();
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
    loop {
        tokio::select! {
            signal = typing.recv() => match signal {
                // Not their own: the agent knows they are typing.
                Ok(t) if t.agent != Some(me) => send(&mut socket, &StreamSignal::Typing(t)).await?,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            signal = viewing.recv() => match signal {
                Ok(v) if v.agent != me => send(&mut socket, &StreamSignal::Viewing(v)).await?,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            received = live.recv() => match received {
                Ok(event) => {
                    // The committer publishes a batch at once: queue what is waiting (up to a
                    // bound, so a steady flow still goes out), then write it together.
                    let mut next = Some(event);
                    let mut queued = 0;
                    while let Some(event) = next.take() {
                        queued += 1;
                        // Otherwise it was sent while catching up.
                        if last.is_none_or(|l| event.id > l) {
                            send_event(&desk, &mut socket, me, &event).await?;
                            last = Some(event.id);
                            if matches!(event.kind, EventKind::AgentDeactivated { agent } if agent == me) {
                                flush(&mut socket).await?;
                                return Err(StreamEnd::SessionEnded);
                            }
                        }
                        if queued >= BURST {
                            break;
                        }
                        next = match live.try_recv() {
                            Ok(e) => Some(e),
                            Err(TryRecvError::Lagged(_)) => {
                                flush(&mut socket).await?;
                                last = catch_up(&desk, &mut socket, me, last).await?;
                                None
                            }
                            Err(_) => None,
                        };
                    }
                    flush(&mut socket).await?;
                }
                Err(RecvError::Lagged(_)) => last = catch_up(&desk, &mut socket, me, last).await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return Err(StreamEnd::Gone),
                Some(Ok(_)) => {} // pings are answered by the library; clients send nothing else
            },
            _ = session_check.tick() => {
                if desk.check_stream_session(&session).await.is_err() {
                    let _ = socket.send(WsMessage::Close(None)).await;
                    return Err(StreamEnd::SessionEnded);
                }
            }
        }
    }
}

/// A frame of the agents' stream that is not a stored event (and has no `id`).
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(tag = "type", content = "data")]
#[ts(export)]
pub enum StreamSignal {
    #[serde(rename = "typing")]
    Typing(Typing),
    /// Something for this agent's desktop notification: sent right after the event behind it.
    #[serde(rename = "notification")]
    Notification(Notification),
    /// Another agent has a conversation open, or closed it.
    #[serde(rename = "viewing")]
    Viewing(Viewing),
}

#[derive(Debug, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct AdvanceClockRequest {
    /// How far to move the desk's clock forward, in seconds.
    pub seconds: u64,
}

#[derive(Debug, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ClockAdvanced {
    pub now: Timestamp,
    /// Timers that fell due and fired.
    pub fired: usize,
}

/// Only on a desk started with `frontdesk serve --test-clock`; a 404 everywhere else.
#[utoipa::path(post, path = "/api/v1/test/clock", tag = "testing", security(("bearer" = [])),
    request_body = AdvanceClockRequest, responses(SignedIn, JsonRefusals,
    (status = 200, body = ClockAdvanced, description = "the clock moved and due timers fired"),
    (status = 404, body = crate::ErrorBody, description = "the desk was not started with --test-clock")))]
pub async fn advance_clock(
    State(s): State<AppState>,
    _me: crate::auth::CurrentAgent,
    crate::auth::JsonBody(req): crate::auth::JsonBody<AdvanceClockRequest>,
) -> Result<Json<ClockAdvanced>, ApiError> {
    let Some(clock) = &s.test_clock else { return Err(crate::api::unknown_endpoint().await) };
    if req.seconds > 366 * 24 * 3600 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "move the clock at most a year at a time",
        ));
    }
    clock.advance(Duration::from_secs(req.seconds));
    let fired = s.desk.fire_due_timers().await?;
    // Emails waiting to be retried may be due now too.
    s.desk.wake_outbox();
    Ok(Json(ClockAdvanced { now: s.desk.now(), fired }))
}
