//! The agent API through the real router and a real store, as a client sees it.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{error_code, Client};
use serde_json::json;

#[tokio::test]
async fn health_answers_and_says_whether_setup_is_needed() {
    let c = Client::new();
    let r = c.call("GET", "/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
    assert_eq!(r.body["needs_setup"], true);
    c.setup().await;
    assert_eq!(c.call("GET", "/health", None, None).await.body["needs_setup"], false);
}

#[tokio::test]
async fn setup_then_login_then_me() {
    let c = Client::new();
    c.setup().await;
    let again = c
        .call(
            "POST",
            "/api/v1/setup",
            None,
            Some(json!({"business_name": "X", "admin_name": "Y", "email": "y@x.test", "password": "12345678"})),
        )
        .await;
    assert_eq!((again.status, error_code(&again)), (StatusCode::CONFLICT, "already_set_up"));

    let login = c
        .call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ana@acme.test", "password": "correct horse"})))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let token = login.body["token"].as_str().unwrap();
    let me = c.call("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!((me.status, me.body["name"].as_str()), (StatusCode::OK, Some("Ana")));
    assert_eq!(me.body["role"], "admin");
    assert!(me.body["id"].is_string(), "ids are strings in JSON");
}

#[tokio::test]
async fn auth_failures_are_clear_401s() {
    let c = Client::new();
    c.setup().await;
    let wrong = c
        .call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ana@acme.test", "password": "nope nope"})))
        .await;
    assert_eq!((wrong.status, error_code(&wrong)), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    assert_eq!(wrong.body["error"]["message"], "the email or the password is wrong");
    let anon = c.call("GET", "/api/v1/me", None, None).await;
    assert_eq!((anon.status, error_code(&anon)), (StatusCode::UNAUTHORIZED, "not_authenticated"));
    let bogus = c.call("GET", "/api/v1/me", Some("made-up"), None).await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failed_logins_get_429_with_retry_after() {
    let c = Client::new();
    c.setup().await;
    let mut last = None;
    for _ in 0..7 {
        last = Some(
            c.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ana@acme.test", "password": "guessing"})))
                .await,
        );
    }
    let r = last.unwrap();
    assert_eq!((r.status, error_code(&r)), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    let secs: u64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(secs >= 1);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_that_says_what_was_wrong() {
    let c = Client::new();
    let not_json = c
        .send(
            Request::post("/api/v1/setup")
                .header(header::HOST, "localhost")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{oops"))
                .unwrap(),
        )
        .await;
    assert_eq!((not_json.status, error_code(&not_json)), (StatusCode::BAD_REQUEST, "bad_request"));
    let missing = c.call("POST", "/api/v1/setup", None, Some(json!({"business_name": "Acme"}))).await;
    assert_eq!((missing.status, error_code(&missing)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(missing.body["error"]["message"].as_str().unwrap().contains("admin_name"), "{:?}", missing.body);
    let weak = c
        .call(
            "POST",
            "/api/v1/setup",
            None,
            Some(json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "short"})),
        )
        .await;
    assert_eq!(weak.body["error"]["message"], "password: must be at least 8 characters");
    let text = c
        .send(Request::post("/api/v1/auth/login").header(header::HOST, "localhost").body(Body::from("x")).unwrap())
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(c.call("GET", "/health", None, None).await.body["needs_setup"], true, "nothing was half-created");
}

#[tokio::test]
async fn admins_invite_and_deactivate_and_agents_cannot() {
    let c = Client::new();
    let admin = c.setup().await;
    let inv = c
        .call(
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({"name": "Bob", "email": "bob@acme.test", "role": "agent"})),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{:?}", inv.body);
    let link = inv.body["token"].as_str().unwrap();
    let info = c.call("GET", &format!("/api/v1/invitations/{link}"), None, None).await;
    assert_eq!(info.body["business_name"], "Acme");
    let bob = c
        .call("POST", &format!("/api/v1/invitations/{link}/accept"), None, Some(json!({"password": "bobs secret"})))
        .await;
    assert_eq!(bob.status, StatusCode::OK, "{:?}", bob.body);
    let bob_token = bob.body["token"].as_str().unwrap();
    let bob_id = bob.body["agent"]["id"].as_str().unwrap();

    let denied = c
        .call(
            "POST",
            "/api/v1/agents",
            Some(bob_token),
            Some(json!({"name": "Cy", "email": "cy@acme.test", "role": "admin"})),
        )
        .await;
    assert_eq!((denied.status, error_code(&denied)), (StatusCode::FORBIDDEN, "admin_only"));

    let list = c.call("GET", "/api/v1/agents", Some(bob_token), None).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);

    let off = c.call("POST", &format!("/api/v1/agents/{bob_id}/deactivate"), Some(&admin), None).await;
    assert_eq!(off.body["status"], "deactivated");
    let shut = c.call("GET", "/api/v1/me", Some(bob_token), None).await;
    // The session itself is gone, not merely refused (see tests/sessions.rs).
    assert_eq!((shut.status, error_code(&shut)), (StatusCode::UNAUTHORIZED, "not_authenticated"));
    let bad_id = c.call("POST", "/api/v1/agents/not-an-id/deactivate", Some(&admin), None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_makes_a_colleague_admin_and_back_but_never_changes_their_own_role() {
    let c = Client::new();
    let admin = c.setup().await;
    let me = c.ok("GET", "/api/v1/me", &admin, None).await;
    let (bob, bob_id) = c.agent(&admin, "bob").await;
    let role = |r: &str| Some(json!({ "role": r }));
    let denied = c.call("PUT", &format!("/api/v1/agents/{bob_id}/role"), Some(&bob), role("admin")).await;
    assert_eq!((denied.status, error_code(&denied)), (StatusCode::FORBIDDEN, "admin_only"));

    let promoted = c.ok("PUT", &format!("/api/v1/agents/{bob_id}/role"), &admin, role("admin")).await;
    assert_eq!(promoted["role"], "admin");
    // Bob's own session now has an admin's rights, without logging in again.
    let team = c.call("POST", "/api/v1/teams", Some(&bob), Some(json!({"name": "Billing"}))).await;
    assert_eq!(team.status, StatusCode::CREATED, "{:?}", team.body);
    let events = c.ok("GET", "/api/v1/events", &admin, None).await;
    assert!(events["items"].as_array().unwrap().iter().any(|e| e["type"] == "agent.role_changed"));

    let own = c
        .call("PUT", &format!("/api/v1/agents/{}/role", me["id"].as_str().unwrap()), Some(&admin), role("agent"))
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{:?}", own.body);
    assert!(own.body["error"]["message"].as_str().unwrap().contains("your own role"));
    let bad = c.call("PUT", &format!("/api/v1/agents/{bob_id}/role"), Some(&admin), role("owner")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", bad.body);

    c.ok("PUT", &format!("/api/v1/agents/{bob_id}/role"), &admin, role("agent")).await;
    let team = c.call("POST", "/api/v1/teams", Some(&bob), Some(json!({"name": "Sales"}))).await;
    assert_eq!(team.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_agent_picks_the_apps_language_and_it_is_kept_on_their_account() {
    let c = Client::new();
    let admin = c.setup().await;
    assert!(c.ok("GET", "/api/v1/me", &admin, None).await["language"].is_null(), "the browser's until chosen");
    let chosen = c.ok("PUT", "/api/v1/me/language", &admin, Some(json!({"language": "it"}))).await;
    assert_eq!(chosen["language"], "it");
    assert_eq!(c.ok("GET", "/api/v1/me", &admin, None).await["language"], "it");
    let bad = c.call("PUT", "/api/v1/me/language", Some(&admin), Some(json!({"language": "fr"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("use en, es or it"));
    c.ok("PUT", "/api/v1/me/language", &admin, Some(json!({"language": null}))).await;
    assert!(c.ok("GET", "/api/v1/me", &admin, None).await["language"].is_null());
}

#[tokio::test]
async fn the_event_log_pages_by_cursor() {
    let c = Client::new();
    let admin = c.setup().await;
    for i in 0..3 {
        c.call(
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({"name": format!("A{i}"), "email": format!("a{i}@acme.test"), "role": "agent"})),
        )
        .await;
    }
    let first = c.call("GET", "/api/v1/events?limit=2", Some(&admin), None).await;
    let items = first.body["items"].as_array().unwrap();
    assert_eq!(items[0]["type"], "account.setup_completed");
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = c.call("GET", &format!("/api/v1/events?after={cursor}"), Some(&admin), None).await;
    let rest = rest.body["items"].as_array().unwrap();
    assert_eq!(rest.len(), 2, "4 events in all, 2 per page");
    assert!(rest.iter().all(|e| e["type"] == "agent.invited"));
}

#[tokio::test]
async fn a_loopback_desk_refuses_foreign_host_names() {
    let c = Client::new();
    let r =
        c.send(Request::get("/health").header(header::HOST, "evil.example:7878").body(Body::empty()).unwrap()).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::MISDIRECTED_REQUEST, "host_not_allowed"));
}

#[tokio::test]
async fn a_lan_desk_answers_its_addresses_and_names_and_refuses_a_rebound_name() {
    let c = Client::with_hosts(frontdesk_http::HostPolicy::Lan { names: vec!["frontdesk-vm.local".into()] });
    let admin = c.setup().await;
    let health = |host: &'static str| {
        let c = &c;
        async move { c.send(Request::get("/health").header(header::HOST, host).body(Body::empty()).unwrap()).await }
    };
    for ok in ["192.168.1.20:7878", "[fe80::1]:7878", "10.0.0.5", "localhost:7878", "FRONTDESK-VM.local:7878"] {
        assert_eq!(health(ok).await.status, StatusCode::OK, "{ok}");
    }
    // A page on evil.example that rebinds its name to the desk's address is refused.
    let r = health("evil.example:7878").await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::MISDIRECTED_REQUEST, "host_not_allowed"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("public URL"), "{:?}", r.body);
    // The name of a proxy in front of the desk, once it is an inbox's public URL, is the desk's.
    assert_eq!(health("help.acme.test").await.status, StatusCode::MISDIRECTED_REQUEST);
    let inbox = c.ok("POST", "/api/v1/inboxes", &admin, Some(json!({"name": "Shop", "style": "messaging"}))).await;
    let settings = json!({"allowed_origins": ["https://shop.acme.test"], "colour": "#aa3300", "position": "bottom_right",
        "greeting": "", "pre_chat": {"name": "hidden", "email": "hidden", "topic": "hidden", "topics": []},
        "public_url": "https://help.acme.test:8443/"});
    c.ok("PUT", &format!("/api/v1/inboxes/{}/widget", inbox["id"].as_str().unwrap()), &admin, Some(settings)).await;
    assert_eq!(health("help.acme.test").await.status, StatusCode::OK);
    assert_eq!(health("help.acme.test.evil.example").await.status, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn the_openapi_document_lists_the_api() {
    let c = Client::new();
    let r = c.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    for path in ["/health", "/api/v1/setup", "/api/v1/auth/login", "/api/v1/agents", "/api/v1/events"] {
        assert!(r.body["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(r.body["components"]["schemas"]["LoginOutcome"].is_object());
    for (method, path) in [("GET", "/api/v1/nope"), ("POST", "/api/v2/agents"), ("DELETE", "/api/whatever")] {
        let unknown = c.call(method, path, None, None).await;
        assert_eq!((unknown.status, error_code(&unknown)), (StatusCode::NOT_FOUND, "not_found"), "{method} {path}");
    }
    let wrong = c.call("DELETE", "/api/v1/me", None, None).await;
    assert_eq!((wrong.status, error_code(&wrong)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
}
