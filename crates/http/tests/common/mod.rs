#![allow(dead_code)] // each test file uses its own part

//! A client of the real router on a real store, shared by the API tests.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use frontdesk_domain::{Clock, Timestamp};
use frontdesk_engine::{Desk, ManualClock, ShiftedClock, StoreConfig};
use frontdesk_http::{router, HostPolicy};
use http_body_util::BodyExt;
use serde_json::{json, Value};

use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

pub struct Client {
    pub desk: Desk,
    app: axum::Router,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Client {
    pub fn new() -> Self {
        Self::with_test_clock(None)
    }

    /// A desk whose clock the test endpoint can move (as `serve --test-clock`), or a fixed one.
    pub fn with_test_clock(test_clock: Option<Arc<ShiftedClock>>) -> Self {
        Self::build(test_clock, HostPolicy::LoopbackOnly)
    }

    /// A desk that answers to the host names `hosts` allows (as with `--lan`).
    pub fn with_hosts(hosts: HostPolicy) -> Self {
        Self::build(None, hosts)
    }

    fn build(test_clock: Option<Arc<ShiftedClock>>, hosts: HostPolicy) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock: Arc<dyn Clock> = match &test_clock {
            Some(c) => c.clone(),
            None => Arc::new(ManualClock::new(Timestamp(1_800_000_000_000))),
        };
        let desk = Desk::open(dir.path(), &StoreConfig::default(), clock, &mut |_| {}).unwrap();
        if tokio::runtime::Handle::try_current().is_ok() {
            tokio::spawn(desk.clone().run_indexer());
        }
        Client { app: router(desk.clone(), hosts, test_clock), desk, _dir: dir }
    }

    pub fn app(&self) -> axum::Router {
        self.app.clone()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply { status, headers, body }
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(method).uri(path).header(header::HOST, "localhost:7878");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A call that must succeed; its JSON answer.
    pub async fn ok(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
        let r = self.call(method, path, Some(token), body).await;
        assert!(r.status.is_success(), "{method} {path}: {} {:?}", r.status, r.body);
        r.body
    }

    /// Invites an agent and accepts for them: (token, id).
    pub async fn agent(&self, admin: &str, name: &str) -> (String, String) {
        let body = json!({"name": name, "email": format!("{name}@acme.test"), "role": "agent"});
        let inv = self.ok("POST", "/api/v1/agents", admin, Some(body)).await;
        let link = inv["token"].as_str().unwrap();
        let r = self
            .call(
                "POST",
                &format!("/api/v1/invitations/{link}/accept"),
                None,
                Some(json!({"password": "a long secret"})),
            )
            .await;
        (r.body["token"].as_str().unwrap().to_string(), r.body["agent"]["id"].as_str().unwrap().to_string())
    }

    pub async fn setup(&self) -> String {
        let r = self
            .call("POST", "/api/v1/setup", None, Some(json!({"business_name": "Acme", "admin_name": "Ana", "email": "ana@acme.test", "password": "correct horse"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }
}

impl Client {
    /// A one-time ticket that opens the agents' event stream as `token`'s session.
    pub async fn stream_ticket(&self, token: &str) -> String {
        self.ok("POST", "/api/v1/stream/ticket", token, None).await["ticket"].as_str().unwrap().to_string()
    }
}

pub fn error_code(r: &Reply) -> &str {
    r.body["error"]["code"].as_str().unwrap_or_else(|| panic!("not an API error: {:?}", r.body))
}

/// Serves the router on a loopback port, for the tests that open WebSockets.
pub async fn serve(c: &Client) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = c.app().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The next frame of type `kind` on a WebSocket, skipping others; fails after 5 s.
pub async fn next_of<S>(ws: &mut S, kind: &str) -> Value
where
    S: futures_util::Stream<
            Item = Result<tokio_tungstenite::tungstenite::Message, tokio_tungstenite::tungstenite::Error>,
        > + Unpin,
{
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a frame within 5 s");
        let v: Value = serde_json::from_str(&frame.unwrap().unwrap().into_text().unwrap()).unwrap();
        if v["type"] == kind {
            return v;
        }
    }
}
