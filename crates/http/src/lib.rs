//! Frontdesk's HTTP server: the agent API under `/api/v1`, `/health`, the OpenAPI document at
//! `/api/openapi.json`, and the agent UI embedded from `ui/dist`. Handlers parse, authorize, call
//! the engine and serialize; no rule lives here.

mod api;
mod attachments;
mod auth;
mod backups;
mod canned;
mod conversations;
mod email;
mod error;
mod headers;
mod openapi;
mod presence;
mod routing;
mod search;
mod stream;
mod ui;
mod visitors;
mod widget;

pub use api::{AcceptInvitationRequest, AgentPage, EventPage, Health, InviteRequest, LoginRequest};
pub use conversations::{ConversationPage, CustomerMessageRequest, MessagePage, ReplyRequest, TeamRequest, ViewCounts};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use headers::agent_policy;
pub use openapi::openapi_json;
pub use stream::{AdvanceClockRequest, ClockAdvanced};
pub use widget::{VisitorEvent, VisitorMessageRequest, WidgetConfig};

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, patch, post, put};
use axum::Router;
use frontdesk_engine::{Desk, ShiftedClock};
use std::sync::Arc;

/// Which `Host` headers the server answers. A server reachable only on loopback refuses other
/// names, so a web page cannot reach it through DNS rebinding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPolicy {
    LoopbackOnly,
    /// On the network: an IP address, localhost, these names (the desk's own `.local` names),
    /// or the host of an inbox's public URL (a proxy in front of the desk). Any other name is
    /// a web page that rebound its own name to this desk, and is refused.
    Lan {
        names: Vec<String>,
    },
    Any,
}

#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    /// Set only by `frontdesk serve --test-clock`: the clock the test endpoint moves.
    pub test_clock: Option<Arc<ShiftedClock>>,
    /// Hands each event to the open visitor streams of its customer.
    pub visitors: visitors::VisitorHub,
}

/// The whole HTTP surface of a host desk. `test_clock` adds the endpoint that moves the desk's
/// clock; without it that path is a 404 like any unknown one.
pub fn router(desk: Desk, hosts: HostPolicy, test_clock: Option<Arc<ShiftedClock>>) -> Router {
    use conversations as c;
    let desk_for_hosts = desk.clone();
    let mut api = Router::new()
        .route("/setup", get(api::setup_status).post(api::setup))
        .route("/auth/login", post(api::login))
        .route("/auth/logout", post(api::logout))
        .route("/me", get(api::me))
        .route("/me/notifications", put(api::update_notifications))
        .route("/me/language", put(api::update_language))
        .route("/agents", get(api::agents).post(api::invite))
        .route("/agents/{id}/deactivate", post(api::deactivate))
        .route("/agents/{id}/reactivate", post(api::reactivate))
        .route("/agents/{id}/role", put(api::set_role))
        .route("/invitations/{token}", get(api::invitation))
        .route("/invitations/{token}/accept", post(api::accept_invitation))
        .route("/events", get(api::events))
        .route("/stream", get(stream::stream))
        .route("/stream/ticket", post(stream::ticket))
        .route("/inboxes", get(c::inboxes).post(c::create_inbox))
        .route("/inboxes/{id}", patch(c::update_inbox))
        .route("/inboxes/{id}/customer_messages", post(c::customer_message))
        .route("/teams", get(c::teams).post(c::create_team))
        .route("/conversations", get(c::conversations))
        .route("/conversations/counts", get(c::counts))
        .route("/lifecycle", get(c::lifecycle))
        .route("/conversations/{id}", get(c::conversation).patch(c::update_conversation))
        .route("/conversations/{id}/status", post(c::change_status))
        .route("/conversations/{id}/messages", get(c::messages).post(c::reply))
        .route("/conversations/{id}/messages/{seq}", delete(c::delete_message))
        .route("/search", get(search::search))
        .route("/canned_responses", get(canned::list).post(canned::create))
        .route("/canned_responses/{id}", put(canned::update).delete(canned::delete))
        .route("/labels", get(canned::labels).put(canned::set_labels))
        .route("/attachments", post(attachments::agent_upload))
        .route("/conversations/{id}/typing", post(presence::agent_typing))
        .route("/conversations/{id}/seen", post(presence::agent_seen))
        .route("/conversations/{id}/viewing", post(presence::agent_viewing))
        .route("/contacts/{id}", get(c::contact))
        .route("/contacts/{id}/conversations", get(c::contact_conversations))
        .route("/routing", get(routing::overview))
        .route("/agents/{id}/availability", put(routing::set_availability))
        .route("/agents/{id}/routing", patch(routing::update_agent))
        .route("/inboxes/{id}/routing", put(routing::update_inbox))
        .route("/inboxes/{id}/widget", put(widget::update_widget))
        .route("/conversations/{id}/assignee", put(routing::assign))
        .route("/conversations/{id}/transfer", post(routing::transfer))
        .route("/conversations/{id}/transcript", post(email::send_transcript))
        .route("/conversations/{id}/emails", get(email::conversation_emails))
        .route("/emails", get(email::emails))
        .route("/settings/smtp", get(email::smtp_settings).put(email::update_smtp_settings))
        .route("/settings/smtp/test", post(email::test_email))
        .route("/backups", get(backups::status).post(backups::start))
        .route("/backups/settings", put(backups::update_settings))
        .route("/network", get(backups::network));
    if test_clock.is_some() {
        api = api.route("/test/clock", post(stream::advance_clock));
    }
    let api = api.fallback(api::unknown_endpoint).method_not_allowed_fallback(api::method_not_allowed);
    let widget_api = Router::new()
        .route("/inbox", get(widget::config))
        .route("/identify", post(widget::identify))
        .route("/continue", post(widget::continue_conversation))
        .route("/messages", post(widget::post_message))
        .route("/attachments", post(attachments::visitor_upload))
        .route("/contact", get(widget::contact).patch(widget::update_contact))
        .route("/conversations", get(widget::conversations))
        .route("/conversations/{id}/messages", get(widget::messages))
        .route("/conversations/{id}/csat", post(widget::rate))
        .route("/conversations/{id}/typing", post(presence::visitor_typing))
        .route("/conversations/{id}/seen", post(presence::visitor_seen))
        .route("/conversations/{id}/transcript", post(widget::transcript))
        .route("/stream", get(widget::stream))
        .fallback(api::unknown_endpoint)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(middleware::from_fn(widget::allow_embedding_origin));
    let mut app = Router::new()
        .route("/health", get(api::health))
        .route("/api/openapi.json", get(openapi::serve))
        .nest("/api/v1", api)
        .nest("/api/widget/v1", widget_api)
        .route("/attachments/{id}/{signature}", get(attachments::serve))
        .route("/widget", get(widget::frame))
        .route("/widget.html", get(widget::frame))
        .route("/api/{*rest}", any(api::unknown_endpoint))
        .fallback(get(ui::serve))
        .with_state(AppState { desk, test_clock, visitors: visitors::VisitorHub::default() })
        // JSON bodies (`JsonBody`); uploads read their bodies with a limit of their own.
        .layer(axum::extract::DefaultBodyLimit::max(auth::JSON_BODY_LIMIT))
        .layer(middleware::from_fn(headers::secure))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    match hosts {
        HostPolicy::LoopbackOnly => app = app.layer(middleware::from_fn(loopback_host_only)),
        HostPolicy::Lan { names } => {
            let names: Arc<Vec<String>> = Arc::new(names.into_iter().map(|n| n.to_ascii_lowercase()).collect());
            app = app.layer(middleware::from_fn(move |req: Request, next: Next| {
                let (names, desk) = (names.clone(), desk_for_hosts.clone());
                async move { lan_host_only(req, next, &names, &desk).await }
            }));
        }
        HostPolicy::Any => {}
    }
    app
}

async fn lan_host_only(req: Request, next: Next, names: &[String], desk: &Desk) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let name = host_name(host).to_ascii_lowercase();
    let allowed = name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || names.contains(&name)
        || desk.is_public_host(&name).unwrap_or(false);
    if allowed {
        next.run(req).await
    } else {
        host_refused(format!(
            "this desk answers to its own addresses and names, not '{host}': use its IP address, its .local name, \
             or set the name as an inbox's public URL"
        ))
    }
}

/// A request for a name the desk does not answer to (421, as a misdirected request).
fn host_refused(message: String) -> Response {
    ApiError::new(StatusCode::MISDIRECTED_REQUEST, "host_not_allowed", message).into_response()
}

/// The name in a Host header, without the port (and without brackets for IPv6).
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    }
}

async fn loopback_host_only(req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if is_loopback_host(host) {
        next.run(req).await
    } else {
        host_refused(format!(
            "this desk only answers on localhost, not '{host}': turn on LAN listening to reach it by another name"
        ))
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = host_name(host);
    matches!(name, "localhost" | "::1") || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_pass_the_host_check() {
        for ok in ["localhost", "localhost:7878", "127.0.0.1:80", "127.4.5.6", "[::1]:7878"] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in
            ["evil.example", "evil.example:7878", "192.168.1.5:7878", "localhost.evil.example", "[fe80::1]:1", ""]
        {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }
}
