//! The agent UI, built by Vite into `ui/dist` and embedded in the binary. Unknown paths get
//! `index.html`, so the UI's own routes survive a reload.

use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../ui/dist"]
struct Dist;

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    // The widget's page is served only with its frame-ancestors policy (see `widget::frame`).
    if let Some(file) = Dist::get(path).filter(|_| !path.is_empty() && path != "widget.html") {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        // Vite puts a content hash in every asset name, so assets never change under one name.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, mime.as_ref()), (header::CACHE_CONTROL, cache)], file.data).into_response();
    }
    match Dist::get("index.html") {
        Some(index) => ([(header::CACHE_CONTROL, "no-cache")], Html(index.data)).into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<h1>Frontdesk</h1><p>This build has no user interface: run <code>npm run build</code> in <code>ui/</code>, then rebuild Frontdesk.</p>"),
        )
            .into_response(),
    }
}

/// One page of the build, not cached (its assets are).
pub fn file(name: &str) -> Response {
    match Dist::get(name) {
        Some(page) => ([(header::CACHE_CONTROL, "no-cache")], Html(page.data)).into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<p>This build has no chat widget: run <code>npm run build</code> in <code>ui/</code>, then rebuild Frontdesk.</p>"),
        )
            .into_response(),
    }
}
