//! The security headers of every response: the agent app's Content-Security-Policy (no script
//! but the desk's own files, no framing, no plugins, no `<base>`), `nosniff` and no referrer.
//! A response that sets its own policy keeps it: the widget's page (framed by the inbox's
//! allowed origins) and attachments (sandboxed).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The sources every page of the desk may use. Styles may be inline: Svelte writes `style`
/// attributes, and a style cannot run script. `ipc:` is the desktop window's bridge to its shell.
const PAGE_SOURCES: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self' ipc: http://ipc.localhost; object-src 'none'; base-uri 'none'; \
     form-action 'self'";

/// The agent app's policy: its pages are never framed.
pub fn agent_policy() -> String {
    format!("{PAGE_SOURCES}; frame-ancestors 'none'")
}

/// The widget page's policy: framed only by `ancestors` (the inbox's allowed origins, or `'none'`).
pub fn widget_policy(ancestors: &str) -> String {
    format!("{PAGE_SOURCES}; frame-ancestors {ancestors}")
}

/// Adds the headers to every response, and the agent app's policy where a response has none.
pub async fn secure(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&agent_policy()) {
            h.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
