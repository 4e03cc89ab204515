//! The OpenAPI document, generated from the handlers' annotations.

use crate::{
    api, attachments as a, backups, canned, conversations as c, email, presence as p, routing, search, stream,
    widget as w,
};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Frontdesk host desk API", description = "The agent API (`/api/v1`) and the website widget API (`/api/widget/v1`) of a Frontdesk host desk."),
    paths(
        api::health, api::setup_status, api::setup, api::login, api::logout, api::me, api::update_notifications, api::update_language, api::agents, api::invite,
        api::deactivate, api::reactivate, api::set_role, api::invitation, api::accept_invitation, api::events, stream::stream,
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

pub fn openapi_json() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

pub async fn serve() -> Json<serde_json::Value> {
    Json(openapi_json())
}
