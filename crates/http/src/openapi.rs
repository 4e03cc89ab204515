//! The OpenAPI document, generated from the handlers' annotations, and the refusals that many
//! operations share (each handler lists the sets its extractors and engine calls can give, so
//! its statuses stay true without repeating them).

use crate::ErrorBody;
use crate::{
    api, attachments as a, backups, canned, conversations as c, email, presence as p, routing, search, stream,
    widget as w,
};
use axum::Json;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Frontdesk host desk API", description = "The agent API (`/api/v1`) and the website widget API (`/api/widget/v1`) of a Frontdesk host desk."),
    paths(
        api::health, api::setup_status, api::setup, api::login, api::logout, api::me, api::update_notifications, api::update_language, api::agents, api::invite,
        api::deactivate, api::reactivate, api::set_role, api::invitation, api::accept_invitation, api::events, stream::stream, stream::ticket,
        c::inboxes, c::create_inbox, c::update_inbox, c::customer_message, c::teams, c::create_team, c::conversations, c::counts, c::lifecycle,
        c::conversation, c::update_conversation, c::change_status, c::messages, c::reply, c::delete_message, search::search, canned::list, canned::create, canned::update, canned::delete, canned::labels, canned::set_labels, c::contact,
        c::contact_conversations, stream::advance_clock, routing::overview, routing::set_availability,
        routing::update_agent, routing::update_inbox, routing::assign, routing::transfer, email::smtp_settings,
        email::update_smtp_settings, email::test_email, email::send_transcript, email::conversation_emails,
        email::emails, w::config, w::identify, w::continue_conversation, w::post_message, w::contact, w::update_contact, w::conversations,
        w::messages, w::rate, w::transcript, w::stream, w::update_widget, p::agent_typing, p::agent_seen, p::agent_viewing,
        p::visitor_typing, p::visitor_seen, a::agent_upload, a::visitor_upload, backups::status,
        backups::update_settings, backups::start, backups::network,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

// The shared refusals. A handler lists them before its own statuses: an own entry for the same
// status then replaces the shared description with a more precise one.

/// A set of refusals: each status answers with an `ErrorBody`.
macro_rules! refusals {
    ($(#[$doc:meta])* $name:ident { $($status:literal => $description:literal),+ $(,)? }) => {
        $(#[$doc])*
        pub(crate) struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$(($status, $description)),+].into_iter().map(|(s, d)| (s.to_string(), error_response(d))).collect()
            }
        }
    };
}

fn error_response(description: &str) -> RefOr<Response> {
    let json = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", json).build().into()
}

refusals!(
    /// An endpoint behind `Authorization: Bearer <session token>`.
    SignedIn {
        401 => "no session token, or the session ended, expired or its account is deactivated: log in again",
    }
);

refusals!(
    /// An endpoint only admins may use.
    AdminOnly { 403 => "only an admin may do this" }
);

refusals!(
    /// An endpoint that reads a JSON body (`JsonBody`).
    JsonRefusals {
        400 => "the body is not valid JSON",
        413 => "the body is over the size limit",
        415 => "the body is not sent as `Content-Type: application/json`",
        422 => "the JSON lacks a field, has one of the wrong kind, or a value is invalid",
    }
);

refusals!(
    /// An endpoint with query parameters (`QueryParams`).
    MalformedRequest { 400 => "a query parameter is malformed" }
);

refusals!(
    /// An endpoint about one record named in its path.
    OneRecord {
        400 => "the id in the path is malformed",
        404 => "no such record",
    }
);

refusals!(
    /// A widget endpoint (`WidgetCaller`): the inbox by its website token, the embedding page's
    /// origin, the visitor's address and, when one is sent, the visitor token.
    WidgetRefusals {
        400 => "no website_token, or a malformed query or id",
        401 => "the visitor token is missing where needed, or unknown: start a new chat",
        403 => "the page's origin is not allowed, or the visitor's address is blocked",
        404 => "unknown website token",
    }
);

refusals!(
    /// An endpoint that counts requests against a limit.
    RateLimited { 429 => "over the limit; `Retry-After` says in how many seconds to try again" }
);

pub fn openapi_json() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

pub async fn serve() -> Json<serde_json::Value> {
    Json(openapi_json())
}
