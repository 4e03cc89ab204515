//! The API contract as the OpenAPI document states it: answers match the document (the SMTP
//! settings before set-up, a body over the limit), and the shared refusals are listed wherever
//! their extractor is used. The schemathesis run of `scripts/api-contract` checks the rest.

mod common;

use axum::http::StatusCode;
use common::{error_code, Client};
use serde_json::{json, Value};

/// The document's operation for `method` (lower case) and `path`.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not in the OpenAPI document");
    op
}

fn documented(op: &Value, status: u16) -> bool {
    op["responses"][status.to_string()].is_object()
}

#[tokio::test]
async fn a_json_body_over_the_limit_is_a_413_in_the_error_shape() {
    let c = Client::new();
    let admin = c.setup().await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let r = c.call("POST", "/api/v1/teams", Some(&admin), Some(json!({ "name": huge }))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert_eq!(error_code(&r), "body_too_large");
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2 MB"), "the message names the limit: {message}");
    // Under the limit the same request is judged on its content.
    let r = c.call("POST", "/api/v1/teams", Some(&admin), Some(json!({ "name": "x".repeat(1024 * 1024) }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let doc = frontdesk_http::openapi_json();
    assert!(documented(operation(&doc, "post", "/api/v1/teams"), 413));
}

#[tokio::test]
async fn the_smtp_settings_before_and_after_set_up_match_the_document() {
    let c = Client::new();
    let admin = c.setup().await;
    let doc = frontdesk_http::openapi_json();
    let schema =
        &operation(&doc, "get", "/api/v1/settings/smtp")["responses"]["200"]["content"]["application/json"]["schema"];
    let alternatives = schema["oneOf"].as_array().unwrap_or_else(|| panic!("not a oneOf: {schema}"));
    assert!(alternatives.contains(&json!({"type": "null"})), "null is not allowed by {schema}");
    assert!(alternatives.contains(&json!({"$ref": "#/components/schemas/SmtpSettingsView"})), "{schema}");

    let before = c.call("GET", "/api/v1/settings/smtp", Some(&admin), None).await;
    assert_eq!((before.status, before.body), (StatusCode::OK, Value::Null));

    let settings = json!({"host": "127.0.0.1", "port": 2525, "security": "none", "username": "desk",
        "password": "hunter2-secret", "from_address": "help@acme.test", "from_name": "Acme Help"});
    c.ok("PUT", "/api/v1/settings/smtp", &admin, Some(settings)).await;
    let after = c.ok("GET", "/api/v1/settings/smtp", &admin, None).await;
    let view = &doc["components"]["schemas"]["SmtpSettingsView"];
    let required = view["required"].as_array().unwrap_or_else(|| panic!("no required fields: {view}"));
    assert!(!required.is_empty());
    for field in required {
        let field = field.as_str().unwrap_or_default();
        assert!(after.get(field).is_some(), "'{field}' is required by the document but missing from {after}");
    }
    assert_eq!(after["password_set"], true);
    assert!(after.get("password").is_none(), "the password never comes back");
}

/// Every operation lists the refusals of what it uses: a session (401), a JSON body (400, 413,
/// 415, 422), the widget's caller checks (400, 401, 403, 404).
#[tokio::test]
async fn every_operation_lists_the_refusals_of_its_extractors() {
    let doc = frontdesk_http::openapi_json();
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("a path item") {
            let mut expected: Vec<u16> = Vec::new();
            if op["security"].is_array() {
                expected.push(401);
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                expected.extend([400, 413, 415, 422]);
            }
            if path.starts_with("/api/widget/v1/") && path != "/api/widget/v1/stream" {
                expected.extend([400, 401, 403, 404]);
            }
            for status in expected {
                if !documented(op, status) {
                    missing.push(format!("{method} {path}: {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "statuses the handlers give but the document does not list:\n{}", missing.join("\n"));
}

/// What the shared sets promise is what the extractors answer.
#[tokio::test]
async fn the_shared_refusals_are_the_answers_of_the_extractors() {
    let c = Client::new();
    let admin = c.setup().await;
    let (agent, _) = c.agent(&admin, "ben").await;
    let no_session = c.call("GET", "/api/v1/teams", None, None).await;
    assert_eq!((no_session.status, error_code(&no_session)), (StatusCode::UNAUTHORIZED, "not_authenticated"));
    let not_admin = c.call("POST", "/api/v1/teams", Some(&agent), Some(json!({"name": "Billing"}))).await;
    assert_eq!((not_admin.status, error_code(&not_admin)), (StatusCode::FORBIDDEN, "admin_only"));
    let bad_id = c.call("GET", "/api/v1/conversations/not-an-id", Some(&admin), None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    let unknown = c.call("GET", "/api/v1/conversations/42", Some(&admin), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad_query = c.call("GET", "/api/v1/agents?limit=ten", Some(&admin), None).await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/teams")
        .header("host", "localhost:7878")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("Billing"))
        .unwrap();
    let not_json = c.send(req).await;
    assert_eq!(
        (not_json.status, error_code(&not_json)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let no_token = c.call("GET", "/api/widget/v1/inbox", None, None).await;
    assert_eq!(no_token.status, StatusCode::BAD_REQUEST);
    let unknown_token = c.call("GET", "/api/widget/v1/inbox?website_token=nope", None, None).await;
    assert_eq!(unknown_token.status, StatusCode::NOT_FOUND);
}

#[test]
fn path_parameters_are_the_path_s_own_and_the_rest_are_query_parameters() {
    let doc = frontdesk_http::openapi_json();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                let placeholder = format!("{{{name}}}");
                match p["in"].as_str() {
                    // A query parameter documented as a path one is sent in the path by clients.
                    Some("path") => {
                        assert!(path.contains(&placeholder), "{method} {path}: '{name}' is not in the path")
                    }
                    Some("query") => assert!(!path.contains(&placeholder), "{method} {path}: '{name}' is the path's"),
                    other => panic!("{method} {path}: '{name}' is in {other:?}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} parameters in the document");
    let limit = operation(&doc, "get", "/api/v1/conversations")["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "limit").cloned())
        .unwrap_or_default();
    assert_eq!((limit["in"].as_str(), limit["required"].as_bool()), (Some("query"), Some(false)), "{limit}");
}
