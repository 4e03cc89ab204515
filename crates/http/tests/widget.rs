//! The widget API against the real router and store: only allowed sites get in, a visitor sees
//! only their own conversations and only public messages, identities need the site's HMAC.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{error_code, next_of, serve, Client, Reply};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

const SHOP: &str = "https://shop.example.com";

struct Widget<'a> {
    c: &'a Client,
    token: String,
}

impl Widget<'_> {
    /// A call as the iframe makes it: the page's origin as `parent`, the desk's own Origin.
    async fn call(&self, method: &str, path: &str, visitor: Option<&str>, body: Option<Value>) -> Reply {
        self.call_from(method, path, SHOP, None, visitor, body).await
    }

    async fn call_from(
        &self,
        method: &str,
        path: &str,
        parent: &str,
        origin: Option<&str>,
        visitor: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let sep = if path.contains('?') { '&' } else { '?' };
        let uri = format!("/api/widget/v1{path}{sep}website_token={}&parent={parent}", self.token);
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "localhost:7878")
            .header(header::ORIGIN, origin.unwrap_or("http://localhost:7878"));
        if let Some(v) = visitor {
            req = req.header(header::AUTHORIZATION, format!("Bearer {v}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.c.send(req.unwrap()).await
    }

    /// A new visitor's first message: their visitor token and their conversation's id.
    async fn start(&self, content: &str) -> (String, String) {
        let first = self.ok("POST", "/messages", None, Some(json!({ "content": content }))).await;
        let visitor = first["visitor_token"].as_str().unwrap().to_string();
        (visitor, first["conversation"]["id"].as_str().unwrap().to_string())
    }

    /// The visitor's live stream on the desk served at `addr`.
    fn stream_url(&self, addr: std::net::SocketAddr, visitor: &str) -> String {
        format!(
            "ws://localhost:{}/api/widget/v1/stream?website_token={}&parent={SHOP}&visitor_token={visitor}",
            addr.port(),
            self.token
        )
    }

    async fn ok(&self, method: &str, path: &str, visitor: Option<&str>, body: Option<Value>) -> Value {
        let r = self.call(method, path, visitor, body).await;
        assert!(r.status.is_success(), "{method} {path}: {} {:?}", r.status, r.body);
        r.body
    }
}

/// A desk with an inbox whose widget may be embedded by the shop; returns the admin's token,
/// the inbox and its widget.
async fn desk_with_widget(c: &Client, pre_chat: Value) -> (String, Value, Widget<'_>) {
    let token = c.setup().await;
    let inbox = c.ok("POST", "/api/v1/inboxes", &token, Some(json!({"name": "Shop", "style": "messaging"}))).await;
    let id = inbox["id"].as_str().unwrap();
    let settings = json!({"allowed_origins": [format!("{SHOP}/")], "colour": "#AA3300", "position": "bottom_left",
        "greeting": "Hi! We usually answer within minutes.", "pre_chat": pre_chat});
    let inbox = c.ok("PUT", &format!("/api/v1/inboxes/{id}/widget"), &token, Some(settings)).await;
    let website_token = inbox["widget"]["website_token"].as_str().unwrap().to_string();
    assert_eq!(website_token.len(), 24);
    (token, inbox, Widget { c, token: website_token })
}

fn no_form() -> Value {
    json!({"name": "hidden", "email": "hidden", "topic": "hidden", "topics": []})
}

#[tokio::test]
async fn only_the_inboxs_allowed_origins_reach_the_widget() {
    let c = Client::new();
    let (_, _, w) = desk_with_widget(&c, no_form()).await;
    let config = w.ok("GET", "/inbox", None, None).await;
    assert_eq!((config["inbox_name"].as_str(), config["business_name"].as_str()), (Some("Shop"), Some("Acme")));
    assert_eq!((config["colour"].as_str(), config["position"].as_str()), (Some("#aa3300"), Some("bottom_left")));

    let lying_parent = w.call_from("GET", "/inbox", "https://evil.example", None, None, None).await;
    assert_eq!((lying_parent.status, error_code(&lying_parent)), (StatusCode::FORBIDDEN, "origin_not_allowed"));
    assert!(lying_parent.body["error"]["message"].as_str().unwrap().contains("https://evil.example"));
    let other_page = w.call_from("GET", "/inbox", SHOP, Some("https://evil.example"), None, None).await;
    assert_eq!(other_page.status, StatusCode::FORBIDDEN, "a page of another site calling the API itself");
    let from_shop_page = w.call_from("GET", "/inbox", SHOP, Some(SHOP), None, None).await;
    assert_eq!(from_shop_page.status, StatusCode::OK, "the loader on the shop's page");
    assert_eq!(from_shop_page.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], SHOP);
    let posted =
        w.call_from("POST", "/messages", "https://evil.example", None, None, Some(json!({"content": "hi"}))).await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert!(c.desk.check_indexes().unwrap().is_empty());

    let unknown = Widget { c: &c, token: "nope".into() };
    let r = unknown.call("GET", "/inbox", None, None).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "unknown_website_token"));

    // The iframe page tells the browser which sites may frame it.
    let req = Request::builder()
        .uri(format!("/widget?website_token={}", w.token))
        .header(header::HOST, "localhost:7878")
        .body(Body::empty())
        .unwrap();
    let frame = c.send(req).await;
    // The same policy as the agent app's pages, but framed by the shop alone.
    let policy = frame.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap_or_default();
    let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
    assert_eq!(directives.last(), Some(&format!("frame-ancestors {SHOP}").as_str()), "{policy}");
    let agent_policy = frontdesk_http::agent_policy();
    let agent: Vec<&str> = agent_policy.split(';').map(str::trim).collect();
    assert_eq!(directives[..directives.len() - 1], agent[..agent.len() - 1], "{policy}");
    assert!(directives.contains(&"script-src 'self'"), "{policy}");
}

#[tokio::test]
async fn a_visitor_chats_gets_the_greeting_and_sees_only_public_messages_of_their_own_conversations() {
    let c = Client::new();
    let (admin, _, w) =
        desk_with_widget(&c, json!({"name": "optional", "email": "required", "topic": "hidden", "topics": []})).await;
    let missing = w.call("POST", "/messages", None, Some(json!({"content": "Where is my order?"}))).await;
    assert_eq!((missing.status, error_code(&missing)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(missing.body["error"]["message"].as_str().unwrap().starts_with("email:"));

    let details = json!({"name": "Joe", "email": "joe@example.test", "language": "es"});
    let first =
        w.ok("POST", "/messages", None, Some(json!({"content": "Where is my order?", "details": details}))).await;
    let joe = first["visitor_token"].as_str().unwrap().to_string();
    let conversation = first["conversation"]["id"].as_str().unwrap().to_string();
    assert_eq!(first["message"]["seq"], 1);
    assert_eq!(first["greeting"]["content"], "Hi! We usually answer within minutes.");
    assert_eq!(first["greeting"]["kind"], "outgoing");
    assert!(first["conversation"].get("assignee").is_none(), "no internals for the customer");

    // The agent sees the customer's words in the list, answers, and writes a note.
    let seen = c.ok("GET", &format!("/api/v1/conversations/{conversation}"), &admin, None).await;
    assert_eq!(seen["preview"], "Where is my order?");
    let path = format!("/api/v1/conversations/{conversation}/messages");
    c.ok("POST", &path, &admin, Some(json!({"content": "It ships today."}))).await;
    c.ok("POST", &path, &admin, Some(json!({"content": "VIP, be nice", "private": true}))).await;
    let second = w.ok("POST", "/messages", Some(&joe), Some(json!({"content": "Thanks!"}))).await;
    assert!(second["visitor_token"].is_null() && second["greeting"].is_null());
    assert_eq!(second["conversation"]["id"].as_str(), Some(conversation.as_str()));

    let msgs = w.ok("GET", &format!("/conversations/{conversation}/messages"), Some(&joe), None).await;
    let texts: Vec<&str> = msgs.as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Where is my order?", "Hi! We usually answer within minutes.", "It ships today.", "Thanks!"]);
    let reply = &msgs.as_array().unwrap()[2];
    assert_eq!(reply["author_name"], "Ana");
    // Resuming after the greeting gives what came later, nothing twice.
    let greeting_seq = msgs[1]["seq"].as_u64().unwrap();
    let later = w
        .ok("GET", &format!("/conversations/{conversation}/messages?after_seq={greeting_seq}"), Some(&joe), None)
        .await;
    assert_eq!(later.as_array().unwrap().len(), 2);

    // Somebody else typing Joe's email gets a contact of their own, never Joe's history.
    let impostor = w
        .ok(
            "POST",
            "/messages",
            None,
            Some(json!({"content": "Show me Joe's chats", "details": {"email": "joe@example.test"}})),
        )
        .await;
    let impostor_token = impostor["visitor_token"].as_str().unwrap();
    assert_ne!(impostor["conversation"]["id"].as_str(), Some(conversation.as_str()));
    let theirs = w.ok("GET", "/conversations", Some(impostor_token), None).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    let peek = w.call("GET", &format!("/conversations/{conversation}/messages"), Some(impostor_token), None).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let forged = w.call("GET", "/conversations", Some("0123abcd"), None).await;
    assert_eq!((forged.status, error_code(&forged)), (StatusCode::UNAUTHORIZED, "visitor_unknown"));
    assert!(c.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test]
async fn outside_business_hours_the_visitor_is_told_when_the_team_is_back_and_still_writes() {
    let c = Client::new();
    let (admin, inbox, w) = desk_with_widget(&c, no_form()).await;
    let path = format!("/api/v1/inboxes/{}", inbox["id"].as_str().unwrap());
    // The desk's clock says Friday 15 January 2027, 08:00 in London.
    let day = |opens: &str| json!({"opens": opens, "closes": "17:00"});
    let week = |opens: &str| json!([day(opens), day(opens), day(opens), day(opens), day(opens), null, null]);
    let hours = |opens: &str| {
        json!({"business_hours": {"enabled": true, "week": week(opens), "reply_time": "hours",
            "away_message": "We are out until 9. Leave a message and we will answer then."},
            "time_zone": "Europe/London"})
    };
    let (agent, _) = c.agent(&admin, "bob").await;
    let refused = c.call("PATCH", &path, Some(&agent), Some(hours("09:00"))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let changed = c.ok("PATCH", &path, &admin, Some(hours("09:00"))).await;
    assert_eq!((changed["time_zone"].as_str(), changed["style"].as_str()), (Some("Europe/London"), Some("messaging")));

    let config = w.ok("GET", "/inbox", None, None).await;
    assert_eq!(config["open_now"]["open"], false);
    assert_eq!(config["open_now"]["opens_at"], 1_800_003_600_000_i64, "09:00 the same morning");
    assert_eq!(config["reply_time"], "hours");
    let first = w.ok("POST", "/messages", None, Some(json!({"content": "Is the shop open on Saturday?"}))).await;
    assert_eq!(first["greeting"]["content"], "We are out until 9. Leave a message and we will answer then.");
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let seen = c.ok("GET", &format!("/api/v1/conversations/{conversation}"), &admin, None).await;
    assert_eq!(
        (seen["status"].as_str(), seen["preview"].as_str()),
        (Some("new"), Some("Is the shop open on Saturday?"))
    );

    // From seven the team is at work: the greeting again, no away message.
    c.ok("PATCH", &path, &admin, Some(hours("07:00"))).await;
    let config = w.ok("GET", "/inbox", None, None).await;
    assert_eq!((config["open_now"]["open"].as_bool(), config["open_now"]["opens_at"].is_null()), (Some(true), true));
    let second = w.ok("POST", "/messages", None, Some(json!({"content": "Hello"}))).await;
    assert_eq!(second["greeting"]["content"], "Hi! We usually answer within minutes.");

    let backwards =
        json!({"business_hours": {"enabled": true, "week": week("18:00"), "reply_time": "day", "away_message": ""}});
    let bad = c.call("PATCH", &path, Some(&admin), Some(backwards)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("Monday closes at 17:00 before it opens at 18:00"));
    let kept = w.ok("GET", "/inbox", None, None).await;
    assert_eq!(kept["open_now"]["open"], true, "a refused change leaves the hours as they were");
}

#[tokio::test]
async fn a_campaign_comes_with_the_config_of_its_pages_and_opens_the_conversation_it_starts() {
    let c = Client::new();
    let (admin, inbox, w) = desk_with_widget(&c, no_form()).await;
    let id = inbox["id"].as_str().unwrap();
    let mut settings = json!({"allowed_origins": [SHOP], "colour": "#AA3300", "position": "bottom_left",
        "greeting": "Hi! We usually answer within minutes.", "pre_chat": no_form(),
        "campaigns": [
            {"message": "Choosing a frame size? Ask us.", "url_pattern": "/bikes/*", "delay_secs": 5, "enabled": true},
            {"message": "Spring sale!", "url_pattern": "*", "delay_secs": 0, "enabled": false}]});
    let saved = c.ok("PUT", &format!("/api/v1/inboxes/{id}/widget"), &admin, Some(settings.clone())).await;
    let campaign = saved["widget"]["campaigns"][0]["id"].as_str().unwrap().to_string();

    let page = |url: &str| format!("/inbox?page={}", url.replace(':', "%3A").replace('/', "%2F"));
    let on_bike = w.ok("GET", &page(&format!("{SHOP}/bikes/road-7")), None, None).await;
    let shown: Vec<&str> =
        on_bike["campaigns"].as_array().unwrap().iter().map(|c| c["message"].as_str().unwrap()).collect();
    assert_eq!(shown, ["Choosing a frame size? Ask us."], "the one turned off is left out");
    assert_eq!(on_bike["campaigns"][0]["delay_secs"], 5);
    let home = w.ok("GET", &page(&format!("{SHOP}/")), None, None).await;
    assert!(home["campaigns"].as_array().unwrap().is_empty());

    // The visitor answers it: the campaign's message opens the conversation, above theirs,
    // and no greeting follows.
    let first =
        w.ok("POST", "/messages", None, Some(json!({"content": "Yes, I am 1.80 m", "campaign": campaign}))).await;
    assert!(first["greeting"].is_null());
    let visitor = first["visitor_token"].as_str().unwrap();
    let conversation = first["conversation"]["id"].as_str().unwrap();
    let msgs = w.ok("GET", &format!("/conversations/{conversation}/messages"), Some(visitor), None).await;
    let said: Vec<(&str, &str)> = msgs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(said, [("outgoing", "Choosing a frame size? Ask us."), ("incoming", "Yes, I am 1.80 m")]);

    let unknown = w.call("POST", "/messages", None, Some(json!({"content": "Hi", "campaign": "nope"}))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    settings["campaigns"] = json!([{"message": "x", "url_pattern": "bikes", "delay_secs": 1, "enabled": true}]);
    let bad = c.call("PUT", &format!("/api/v1/inboxes/{id}/widget"), Some(&admin), Some(settings)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("'bikes' is not a page pattern"));
}

#[tokio::test]
async fn a_site_proves_its_users_identity_with_the_inboxs_secret() {
    let c = Client::new();
    let (_, inbox, w) = desk_with_widget(&c, no_form()).await;
    let secret = inbox["widget"]["identity_secret"].as_str().unwrap();
    let hash = hmac_sha256_hex(secret.as_bytes(), b"user-42");
    let forged = w
        .call(
            "POST",
            "/identify",
            None,
            Some(json!({"identifier": "user-42", "identifier_hash": hmac_sha256_hex(b"guess", b"user-42")})),
        )
        .await;
    assert_eq!((forged.status, error_code(&forged)), (StatusCode::FORBIDDEN, "identity_refused"));
    let other_user =
        w.call("POST", "/identify", None, Some(json!({"identifier": "user-43", "identifier_hash": hash}))).await;
    assert_eq!(other_user.status, StatusCode::FORBIDDEN, "a hash is good for one identifier only");

    let session = w
        .ok("POST", "/identify", None, Some(json!({"identifier": "user-42", "identifier_hash": hash, "name": "Ida"})))
        .await;
    let first = session["visitor_token"].as_str().unwrap().to_string();
    let posted = w.ok("POST", "/messages", Some(&first), Some(json!({"content": "Hello from my account"}))).await;
    // On another device the same user gets a new session on the same contact, with their history.
    let again = w.ok("POST", "/identify", None, Some(json!({"identifier": "user-42", "identifier_hash": hash}))).await;
    let second = again["visitor_token"].as_str().unwrap();
    assert_ne!(second, first);
    let listed = w.ok("GET", "/conversations", Some(second), None).await;
    assert_eq!(listed[0]["id"], posted["conversation"]["id"]);
    assert_eq!(w.ok("GET", "/contact", Some(second), None).await["name"], "Ida");
}

/// A visitor's frames up to the agents' `marker` reply in the visitor's own conversation: what
/// the desk sent them meanwhile, in order.
async fn frames_until<S>(ws: &mut S, marker: &str) -> Vec<Value>
where
    S: futures_util::Stream<
            Item = Result<tokio_tungstenite::tungstenite::Message, tokio_tungstenite::tungstenite::Error>,
        > + Unpin,
{
    let mut got = Vec::new();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a frame within 5 s");
        let v: Value = serde_json::from_str(&frame.unwrap().unwrap().into_text().unwrap()).unwrap();
        let done = v["data"]["content"] == marker;
        got.push(v);
        if done {
            return got;
        }
    }
}

#[tokio::test]
async fn a_valid_hash_for_ones_own_identifier_with_someone_elses_email_gets_nothing_of_theirs() {
    let c = Client::new();
    let (admin, inbox, w) = desk_with_widget(&c, no_form()).await;
    let secret = inbox["widget"]["identity_secret"].as_str().unwrap().as_bytes().to_vec();
    let inbox_id = inbox["id"].as_str().unwrap();
    let sign = |text: &str| hmac_sha256_hex(&secret, text.as_bytes());
    // Vera is known twice: by email from the business's own integration, and as a signed-in
    // user of the site whose email the site signed.
    let body = json!({"contact": {"email": "vera@example.test"}, "content": "My IBAN is ES12 3456"});
    let by_api = c.ok("POST", &format!("/api/v1/inboxes/{inbox_id}/customer_messages"), &admin, Some(body)).await;
    let by_api = by_api["conversation"]["id"].as_str().unwrap().to_string();
    let vera = w
        .ok(
            "POST",
            "/identify",
            None,
            Some(json!({"identifier": "vera-1", "identifier_hash": sign("vera-1"),
            "email": "vera.signed@example.test", "email_hash": sign("vera.signed@example.test")})),
        )
        .await;
    let vera = vera["visitor_token"].as_str().unwrap().to_string();
    let signed_in = w.ok("POST", "/messages", Some(&vera), Some(json!({"content": "Ship to 5 Elm St"}))).await;
    let signed_in = signed_in["conversation"]["id"].as_str().unwrap().to_string();

    let addr = serve(&c).await;
    for (n, email) in ["vera@example.test", "vera.signed@example.test"].into_iter().enumerate() {
        // Mallory signs in as herself, as the site lets her, and puts Vera's email beside it.
        let me = format!("mallory-{n}");
        let session = w
            .ok(
                "POST",
                "/identify",
                None,
                Some(json!({"identifier": me, "identifier_hash": sign(&me), "email": email})),
            )
            .await;
        assert_eq!(session["contact"]["email"], Value::Null, "an unsigned email is not kept: {session}");
        let mallory = session["visitor_token"].as_str().unwrap().to_string();
        assert_eq!(w.ok("GET", "/conversations", Some(&mallory), None).await, json!([]), "none of Vera's");
        for id in [&by_api, &signed_in] {
            let r = w.call("GET", &format!("/conversations/{id}/messages"), Some(&mallory), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        }
        // Nor does she hear what the business writes to Vera next.
        let own = w.ok("POST", "/messages", Some(&mallory), Some(json!({"content": "Hi"}))).await;
        let own = own["conversation"]["id"].as_str().unwrap().to_string();
        let (mut ws, _) = tokio_tungstenite::connect_async(w.stream_url(addr, &mallory)).await.unwrap();
        for id in [&by_api, &signed_in] {
            let path = format!("/api/v1/conversations/{id}/messages");
            c.ok("POST", &path, &admin, Some(json!({"content": "Vera, your refund is on its way"}))).await;
        }
        let marker = format!("Hello Mallory {n}");
        c.ok("POST", &format!("/api/v1/conversations/{own}/messages"), &admin, Some(json!({"content": marker}))).await;
        for frame in frames_until(&mut ws, &marker).await {
            let id = frame["data"]["conversation"].as_str().or(frame["data"]["id"].as_str()).unwrap_or_default();
            assert_eq!(id, own, "a frame of somebody else's conversation: {frame}");
        }
    }

    // A hash of some other email does not sign this one: refused, and it says why.
    let me = "mallory-9";
    let forged = w
        .call(
            "POST",
            "/identify",
            None,
            Some(json!({"identifier": me, "identifier_hash": sign(me),
            "email": "vera@example.test", "email_hash": sign("mallory@example.test")})),
        )
        .await;
    assert_eq!((forged.status, error_code(&forged)), (StatusCode::FORBIDDEN, "identity_refused"));
    assert!(forged.body["error"]["message"].as_str().unwrap().contains("email hash"), "{:?}", forged.body);

    // Vera's own contacts kept who they are.
    for (id, email) in [(&by_api, "vera@example.test"), (&signed_in, "vera.signed@example.test")] {
        let conversation = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await;
        let contact = conversation["contact"].as_str().unwrap();
        let contact = c.ok("GET", &format!("/api/v1/contacts/{contact}"), &admin, None).await;
        assert_eq!(contact["email"], email);
        assert!(!contact["identifier"].as_str().unwrap_or("").starts_with("mallory"), "{contact}");
    }
}

#[tokio::test]
async fn an_anonymous_visitor_who_typed_someones_email_never_gets_their_later_messages() {
    let c = Client::new();
    let form = json!({"name": "hidden", "email": "optional", "topic": "hidden", "topics": []});
    let (admin, inbox, w) = desk_with_widget(&c, form).await;
    let secret = inbox["widget"]["identity_secret"].as_str().unwrap().as_bytes().to_vec();
    let inbox_id = inbox["id"].as_str().unwrap();
    let sign = |text: &str| hmac_sha256_hex(&secret, text.as_bytes());

    // Before Vera ever comes, Mallory chats anonymously with Vera's address in the pre-chat
    // form, and a second anonymous visitor gives it when the chat asks for an email.
    let typed = json!({"content": "Hi", "details": {"email": "vera@example.test"}});
    let first = w.ok("POST", "/messages", None, Some(typed)).await;
    let mallory = first["visitor_token"].as_str().unwrap().to_string();
    let own = first["conversation"]["id"].as_str().unwrap().to_string();
    let (asked, _) = w.start("Hello").await;
    let saved = w.ok("PATCH", "/contact", Some(&asked), Some(json!({"email": "vera@example.test"}))).await;
    assert_eq!(saved["email"], "vera@example.test", "the typed email is still theirs to see");
    let addr = serve(&c).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(w.stream_url(addr, &mallory)).await.unwrap();

    // Vera signs in on the site, which signs her email: her session is her own contact, with
    // her email attached.
    let session = w
        .ok(
            "POST",
            "/identify",
            None,
            Some(json!({"identifier": "vera-1", "identifier_hash": sign("vera-1"),
            "email": "vera@example.test", "email_hash": sign("vera@example.test")})),
        )
        .await;
    assert_eq!(session["contact"]["email"], "vera@example.test", "a signed email is attached");
    let vera = session["visitor_token"].as_str().unwrap().to_string();
    assert_eq!(w.ok("GET", "/conversations", Some(&vera), None).await, json!([]), "not Mallory's chat");
    let posted =
        w.ok("POST", "/messages", Some(&vera), Some(json!({"content": "My password reset code is 4711"}))).await;
    let hers = posted["conversation"]["id"].as_str().unwrap().to_string();
    assert_ne!(hers, own);
    c.ok("POST", &format!("/api/v1/conversations/{hers}/messages"), &admin, Some(json!({"content": "Done, Vera"})))
        .await;
    // The business's integration writes to vera@: it reaches the contact whose email was
    // signed, never one that merely typed it.
    let body = json!({"contact": {"email": "vera@example.test"}, "content": "Vera again, by email"});
    let by_api = c.ok("POST", &format!("/api/v1/inboxes/{inbox_id}/customer_messages"), &admin, Some(body)).await;
    assert_eq!(by_api["conversation"]["id"], hers.as_str(), "the signed email finds Vera: {by_api}");

    c.ok("POST", &format!("/api/v1/conversations/{own}/messages"), &admin, Some(json!({"content": "Hi Mallory"})))
        .await;
    for frame in frames_until(&mut ws, "Hi Mallory").await {
        let id = frame["data"]["conversation"].as_str().or(frame["data"]["id"].as_str()).unwrap_or_default();
        assert_eq!(id, own, "a frame of Vera's conversation reached Mallory: {frame}");
    }
    for visitor in [&mallory, &asked] {
        let listed = w.ok("GET", "/conversations", Some(visitor), None).await;
        assert!(listed.as_array().unwrap().iter().all(|c| c["id"] != hers.as_str()), "{listed}");
        let r = w.call("GET", &format!("/conversations/{hers}/messages"), Some(visitor), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let mine = w.ok("GET", &format!("/conversations/{own}/messages"), Some(&mallory), None).await;
    assert!(!mine.to_string().contains("4711") && !mine.to_string().contains("Vera"), "{mine}");
}

#[tokio::test]
async fn a_visitor_gets_a_finished_conversations_transcript_at_their_own_address_only() {
    let c = Client::new();
    let (admin, _, w) = desk_with_widget(&c, no_form()).await;
    let (joe, id) = w.start("Can you check my order?").await;
    let path = format!("/conversations/{id}/transcript");
    let to = |email: &str| Some(json!({ "email": email }));

    let open = w.call("POST", &path, Some(&joe), to("stranger@example.test")).await;
    assert_eq!((open.status, error_code(&open)), (StatusCode::CONFLICT, "conversation_not_finished"));
    c.ok("POST", &format!("/api/v1/conversations/{id}/status"), &admin, Some(json!({"status": "solved"}))).await;

    // Email not set up yet: the visitor is told it cannot be sent, not what an admin should do.
    let r = w.call("POST", &path, Some(&joe), to("joe@example.test")).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::CONFLICT, "email_unavailable"));
    let said = r.body["error"]["message"].as_str().unwrap();
    assert!(!said.contains("SMTP") && !said.contains("admin") && !said.contains("Settings"), "{said}");
    assert_eq!(w.ok("GET", "/contact", Some(&joe), None).await["email"], Value::Null, "nothing was kept");
    // The agents read what an admin has to do, once however often the visitor asks.
    let again = w.call("POST", &path, Some(&joe), to("joe@example.test")).await;
    assert_eq!(error_code(&again), "email_unavailable");
    let log = c.ok("GET", &format!("/api/v1/conversations/{id}/messages"), &admin, None).await;
    let failed: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|m| m["activity"]["what"] == "email_failed").collect();
    assert_eq!(failed.len(), 1, "{log}");
    assert_eq!(failed[0]["activity"]["to"], "joe@example.test");
    assert!(failed[0]["activity"]["why"].as_str().unwrap().contains("Settings → Email"), "{log}");
    let smtp = json!({"host": "127.0.0.1", "port": 2525, "security": "none",
                      "from_address": "help@acme.test", "from_name": "Acme Help"});
    c.ok("PUT", "/api/v1/settings/smtp", &admin, Some(smtp)).await;

    let nowhere = w.call("POST", &path, Some(&joe), Some(json!({}))).await;
    assert_eq!((nowhere.status, error_code(&nowhere)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    // Joe had no address: the one he gives becomes his.
    let first = w.call("POST", &path, Some(&joe), to(" Joe@Example.test ")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{:?}", first.body);
    assert_eq!(first.body["to"], "joe@example.test");
    assert_eq!(w.ok("GET", "/contact", Some(&joe), None).await["email"], "joe@example.test");
    // From then on it goes there and nowhere else.
    let elsewhere = w.call("POST", &path, Some(&joe), to("stranger@example.test")).await;
    assert_eq!((elsewhere.status, error_code(&elsewhere)), (StatusCode::UNPROCESSABLE_ENTITY, "not_your_address"));
    assert!(elsewhere.body["error"]["message"].as_str().unwrap().contains("joe@example.test"), "{:?}", elsewhere.body);
    let again = w.call("POST", &path, Some(&joe), Some(json!({}))).await;
    assert_eq!((again.status, again.body["to"].as_str()), (StatusCode::ACCEPTED, Some("joe@example.test")));
    let emails = c.ok("GET", &format!("/api/v1/conversations/{id}/emails"), &admin, None).await;
    let sent_to: Vec<&str> = emails.as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap()).collect();
    assert_eq!(sent_to, ["joe@example.test", "joe@example.test"]);

    // Another visitor cannot have it sent anywhere: it is not their conversation.
    let (other, _) = w.start("Hi").await;
    let r = w.call("POST", &path, Some(&other), to("other@example.test")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_solved_conversation_is_rated_once_and_the_rating_reaches_the_agents() {
    let c = Client::new();
    let (admin, _, w) = desk_with_widget(&c, no_form()).await;
    let (visitor, id) = w.start("Help").await;
    let early = w.call("POST", &format!("/conversations/{id}/csat"), Some(&visitor), Some(json!({"rating": 5}))).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    c.ok("POST", &format!("/api/v1/conversations/{id}/status"), &admin, Some(json!({"status": "solved"}))).await;
    let rated = w
        .ok(
            "POST",
            &format!("/conversations/{id}/csat"),
            Some(&visitor),
            Some(json!({"rating": 4, "comment": "Quick!"})),
        )
        .await;
    assert_eq!((rated["csat"]["rating"].as_u64(), rated["status"].as_str()), (Some(4), Some("solved")));
    let twice = w.call("POST", &format!("/conversations/{id}/csat"), Some(&visitor), Some(json!({"rating": 1}))).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let seen = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await;
    assert_eq!(seen["csat"]["comment"], "Quick!");
    let lines = c.ok("GET", &format!("/api/v1/conversations/{id}/messages"), &admin, None).await;
    assert!(lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["content"] == "The customer rated the conversation 4/5: Quick!"));
}

#[tokio::test]
async fn the_visitor_stream_brings_agent_replies_but_never_notes() {
    let c = Client::new();
    let (admin, _, w) = desk_with_widget(&c, no_form()).await;
    let (visitor, id) = w.start("Anyone there?").await;
    let addr = serve(&c).await;
    let url = |v: &str| w.stream_url(addr, v);
    assert!(tokio_tungstenite::connect_async(url("wrong")).await.is_err(), "an unknown visitor gets no stream");
    let (mut ws, _) = tokio_tungstenite::connect_async(url(&visitor)).await.unwrap();

    let path = format!("/api/v1/conversations/{id}/messages");
    c.ok("POST", &path, &admin, Some(json!({"content": "internal only", "private": true}))).await;
    c.ok("POST", &path, &admin, Some(json!({"content": "Yes, Ana here."}))).await;
    // Accepting the chat leaves an activity line first; the customer sees neither it nor the note.
    let mut got = Vec::new();
    while got.len() < 2 {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a frame within 5 s");
        let v: Value = serde_json::from_str(&frame.unwrap().unwrap().into_text().unwrap()).unwrap();
        got.push(v);
    }
    let kinds: Vec<&str> = got.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["conversation.updated", "message.created"], "{got:?}");
    assert_eq!(got[0]["data"]["status"], "open");
    assert_eq!(
        (got[1]["data"]["content"].as_str(), got[1]["data"]["author_name"].as_str()),
        (Some("Yes, Ana here."), Some("Ana"))
    );

    // Another customer's chat never reaches this stream; this one's own next reply does, and a
    // second tab of the same visitor gets it too.
    let (_, other) = w.start("I am someone else").await;
    let (mut tab, _) = tokio_tungstenite::connect_async(url(&visitor)).await.unwrap();
    c.ok("POST", &format!("/api/v1/conversations/{other}/messages"), &admin, Some(json!({"content": "Hi other"})))
        .await;
    c.ok("POST", &path, &admin, Some(json!({"content": "Anything else?"}))).await;
    for stream in [&mut ws, &mut tab] {
        let mut contents = Vec::new();
        while !contents.contains(&"Anything else?".to_string()) {
            let frame = tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("a frame within 5 s");
            let v: Value = serde_json::from_str(&frame.unwrap().unwrap().into_text().unwrap()).unwrap();
            assert_ne!(v["data"]["id"].as_str(), Some(other.as_str()), "another customer's conversation: {v}");
            if let Some(text) = v["data"]["content"].as_str() {
                contents.push(text.to_string());
            }
        }
        assert_eq!(contents, ["Anything else?"], "only this customer's reply");
    }
}

/// The next text frame whose `type` is `kind`, skipping others; panics after 5 s.
#[tokio::test]
async fn typing_and_seen_marks_reach_the_other_side_but_a_note_being_typed_does_not() {
    let c = Client::new();
    let (admin, _, w) = desk_with_widget(&c, no_form()).await;
    let (visitor, id) = w.start("Hello?").await;
    let addr = serve(&c).await;
    let (mut customer, _) = tokio_tungstenite::connect_async(w.stream_url(addr, &visitor)).await.unwrap();
    let agent_url = format!("ws://localhost:{}/api/v1/stream?ticket={}", addr.port(), c.stream_ticket(&admin).await);
    let (mut agents, _) = tokio_tungstenite::connect_async(agent_url).await.unwrap();

    // The customer types: the agents see it, with no event id (it is not stored).
    w.ok("POST", &format!("/conversations/{id}/typing"), Some(&visitor), Some(json!({"typing": true}))).await;
    let typing = next_of(&mut agents, "typing").await;
    assert_eq!(typing["data"], json!({"conversation": id, "agent": null, "private": false, "typing": true}));
    assert!(typing.get("id").is_none());

    // A note being typed stays among agents; a reply reaches the customer by name (the first
    // frame the customer gets is the reply's, sent second: it stopped).
    let typing_path = format!("/api/v1/conversations/{id}/typing");
    c.ok("POST", &typing_path, &admin, Some(json!({"typing": true, "private": true}))).await;
    c.ok("POST", &typing_path, &admin, Some(json!({"typing": false}))).await;
    let seen_by_customer = next_of(&mut customer, "typing").await;
    assert_eq!(seen_by_customer["data"], json!({"conversation": id, "agent_name": "Ana", "typing": false}));

    // The agent reads the conversation: the customer's widget gets the mark.
    let seen = c.ok("POST", &format!("/api/v1/conversations/{id}/seen"), &admin, Some(json!({"seq": 99}))).await;
    let last_seq = seen["last_seq"].as_u64().unwrap();
    assert_eq!(seen["agent_last_seen_seq"].as_u64(), Some(last_seq), "never past the last message");
    let updated = next_of(&mut customer, "conversation.updated").await;
    assert_eq!(updated["data"]["agent_last_seen_seq"].as_u64(), Some(last_seq));

    // The customer reads the reply: the agents get a conversation.seen event, kept in the record.
    c.ok("POST", &format!("/api/v1/conversations/{id}/messages"), &admin, Some(json!({"content": "Hi!"}))).await;
    let reply_seq = last_seq + 2; // the reply follows the activity line of the agent opening it
    let conversation = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await;
    assert_eq!(conversation["last_seq"].as_u64(), Some(reply_seq), "{conversation}");
    w.ok("POST", &format!("/conversations/{id}/seen"), Some(&visitor), Some(json!({"seq": reply_seq}))).await;
    let by_agent = next_of(&mut agents, "conversation.seen").await;
    assert_eq!(by_agent["data"], json!({"conversation": id, "by_contact": false, "seq": last_seq}));
    let by_customer = next_of(&mut agents, "conversation.seen").await;
    assert_eq!(by_customer["data"], json!({"conversation": id, "by_contact": true, "seq": reply_seq}));
    let conversation = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await;
    assert_eq!(conversation["contact_last_seen_seq"].as_u64(), Some(reply_seq));

    // Somebody else's conversation is not theirs to type in or mark.
    let other = w.ok("POST", "/messages", None, Some(json!({"content": "I am someone else"}))).await;
    let r = w
        .call(
            "POST",
            &format!("/conversations/{id}/typing"),
            other["visitor_token"].as_str(),
            Some(json!({"typing": true})),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "not_found"));
    let r = w
        .call("POST", &format!("/conversations/{id}/seen"), other["visitor_token"].as_str(), Some(json!({"seq": 1})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// HMAC-SHA256 as a site's backend computes it, written out from RFC 2104 so the test does not
/// lean on the code under test.
fn hmac_sha256_hex(key: &[u8], text: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(text).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Waits until the desk counts the customer in the chat (`true`) or gone from it.
async fn until_in_chat(c: &Client, contact: &str, in_chat: bool) {
    let contact: frontdesk_domain::Id = contact.parse().unwrap();
    let start = std::time::Instant::now();
    while c.desk.contact_online(contact) != in_chat {
        assert!(start.elapsed() < Duration::from_secs(10), "the widget stream did not open or close");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_to_a_customer_who_left_the_chat_go_out_as_one_email_whose_link_reopens_it() {
    let server = frontdesk_e2e::smtp::SmtpServer::start();
    let c = Client::with_test_clock(Some(std::sync::Arc::new(frontdesk_engine::ShiftedClock::default())));
    let _worker = tokio::spawn(c.desk.clone().run_outbox());
    let (admin, inbox, w) = desk_with_widget(&c, no_form()).await;
    let smtp = json!({"host": "127.0.0.1", "port": server.port, "security": "none",
                      "from_address": "help@acme.test", "from_name": "Acme Help"});
    c.ok("PUT", "/api/v1/settings/smtp", &admin, Some(smtp)).await;
    let widget_path = format!("/api/v1/inboxes/{}/widget", inbox["id"].as_str().unwrap());
    let mut settings = json!({"allowed_origins": [SHOP], "colour": "#aa3300", "position": "bottom_right",
        "greeting": "", "pre_chat": no_form(), "email_replies": true});
    let r = c.call("PUT", &widget_path, Some(&admin), Some(settings.clone())).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("public_url:"), "{:?}", r.body);
    settings["public_url"] = json!("http://localhost:7878/");
    let saved = c.ok("PUT", &widget_path, &admin, Some(settings)).await;
    assert_eq!(saved["widget"]["public_url"], "http://localhost:7878");

    let (joe, id) = w.start("Where is my order?").await;
    w.ok("PATCH", "/contact", Some(&joe), Some(json!({"email": "joe@example.test", "language": "es"}))).await;
    let contact = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await["contact"].clone();
    let contact = contact.as_str().unwrap();
    let reply = |text: &str| {
        let path = format!("/api/v1/conversations/{id}/messages");
        let body = json!({ "content": text });
        let admin = admin.clone();
        let c = &c;
        async move { c.ok("POST", &path, &admin, Some(body)).await["message"]["seq"].as_u64().unwrap() }
    };
    let emails = || async { c.ok("GET", &format!("/api/v1/conversations/{id}/emails"), &admin, None).await };

    // While Joe has the chat open, replies stay in the chat.
    let addr = serve(&c).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(w.stream_url(addr, &joe)).await.unwrap();
    until_in_chat(&c, contact, true).await;
    reply("Let me check.").await;
    next_of(&mut ws, "message.created").await;
    assert_eq!(emails().await, json!([]), "no email to a customer who is in the chat");

    // Joe leaves; two quick replies make one email, sent once the batch window has passed.
    drop(ws);
    until_in_chat(&c, contact, false).await;
    let first = reply("It ships today.").await;
    let second = reply("Tracking number: <b>AB123</b>").await;
    let listed = emails().await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["state"], "queued");
    assert_eq!(
        listed[0]["purpose"],
        json!({"kind": "replies", "conversation": id, "from_seq": first, "up_to_seq": second})
    );
    c.ok("POST", "/api/v1/test/clock", &admin, Some(json!({"seconds": 121}))).await;
    let got = tokio::task::block_in_place(|| server.wait_for(1, Duration::from_secs(20)));
    let mail = &got[0];
    assert_eq!(mail["headers"]["subject"], "Nueva respuesta de Acme (#1)");
    assert_eq!(mail["rcpt_tos"], json!(["joe@example.test"]), "{mail}");
    let (text, html) = (mail["parts"]["text/plain"].as_str().unwrap(), mail["parts"]["text/html"].as_str().unwrap());
    assert!(text.contains("It ships today.") && text.contains("AB123"), "{text}");
    assert!(!text.contains("Let me check."), "what Joe saw in the chat is not emailed again");
    assert!(html.contains("&lt;b&gt;AB123&lt;/b&gt;") && !html.contains("<b>AB123"), "{html}");
    let link = text.split_whitespace().find(|w| w.contains("continue=")).unwrap();
    assert!(link.starts_with(&format!("http://localhost:7878/widget?website_token={}&continue=", w.token)), "{link}");
    let token = link.split("continue=").nth(1).unwrap();

    // The link opens the chat on the desk's own page: a session on Joe's conversation.
    let own = "http://localhost:7878";
    // One character changed (to another one: a token may end in '0' already).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    let r = w.call_from("POST", "/continue", own, Some(own), None, Some(json!({"token": forged}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::FORBIDDEN, "link_refused"));
    let opened = w.call_from("POST", "/continue", own, Some(own), None, Some(json!({"token": token}))).await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.body);
    let back = opened.body["visitor_token"].as_str().unwrap().to_string();
    let path = format!("/conversations/{id}/messages");
    let read = w.call_from("GET", &path, own, Some(own), Some(&back), None).await;
    let contents: Vec<&str> = read.body.as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert!(contents.contains(&"Where is my order?") && contents.contains(&"It ships today."), "{contents:?}");
    let elsewhere = w.call_from("POST", "/continue", "https://evil.example", None, None, Some(json!({"token": token})));
    assert_eq!(elsewhere.await.status, StatusCode::FORBIDDEN, "only the desk's own page or the shop");

    // A reply Joe reads in the chat before the window passes is not emailed.
    let third = reply("Anything else?").await;
    w.ok("POST", &format!("/conversations/{id}/seen"), Some(&back), Some(json!({"seq": third}))).await;
    c.ok("POST", "/api/v1/test/clock", &admin, Some(json!({"seconds": 121}))).await;
    let start = std::time::Instant::now();
    loop {
        let listed = emails().await;
        if listed[1]["state"] == "skipped" {
            assert_eq!(listed[1]["last_error"], "the customer read the replies in the chat");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{listed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.messages().len(), 1);
}

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\x01\x01\x01\0\x18\xdd\x8d\xb4\0\0\0\0IEND\xaeB`\x82";

/// Uploads `bytes` as the file `name`, as the widget (`visitor`) or an agent (`agent`) does.
async fn upload(c: &Client, path: &str, bearer: Option<&str>, name: &str, bytes: Vec<u8>) -> Reply {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("{path}{sep}name={name}"))
        .header(header::HOST, "localhost:7878")
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some(b) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
    }
    c.send(req.body(Body::from(bytes)).unwrap()).await
}

#[tokio::test]
async fn visitors_and_agents_attach_files_that_are_served_safely_at_their_signed_address() {
    let c = Client::new();
    let (admin, _, w) = desk_with_widget(&c, no_form()).await;
    let (joe, id) = w.start("My bike arrived broken").await;
    let widget_upload = format!("/api/widget/v1/attachments?website_token={}&parent={SHOP}", w.token);

    let anonymous = upload(&c, &widget_upload, None, "photo.png", PNG.to_vec()).await;
    assert_eq!((anonymous.status, error_code(&anonymous)), (StatusCode::UNAUTHORIZED, "visitor_unknown"));
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let r = upload(&c, &widget_upload, Some(&joe), "photo.png", svg).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("'photo.png' is not a kind of file"), "{:?}", r.body);
    let huge = upload(&c, &widget_upload, Some(&joe), "video.zip", vec![b'P'; 10 * 1024 * 1024 + 1]).await;
    assert_eq!((huge.status, error_code(&huge)), (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"));
    assert!(huge.body["error"]["message"].as_str().unwrap().contains("larger than 10 MB"), "{:?}", huge.body);

    let photo = upload(&c, &widget_upload, Some(&joe), "broken%20frame.png", PNG.to_vec()).await;
    assert_eq!(photo.status, StatusCode::CREATED, "{:?}", photo.body);
    assert_eq!(
        (photo.body["name"].as_str(), photo.body["content_type"].as_str()),
        (Some("broken frame.png"), Some("image/png"))
    );
    let photo_id = photo.body["id"].as_str().unwrap().to_string();
    let stranger = w.ok("POST", "/messages", None, Some(json!({"content": "hello"}))).await["visitor_token"].clone();
    let stolen =
        w.call("POST", "/messages", stranger.as_str(), Some(json!({"content": "", "attachments": [photo_id]}))).await;
    assert_eq!(stolen.status, StatusCode::UNPROCESSABLE_ENTITY, "another visitor's upload: {:?}", stolen.body);
    let sent = w.ok("POST", "/messages", Some(&joe), Some(json!({"content": "", "attachments": [photo_id]}))).await;
    assert_eq!(sent["message"]["attachments"][0]["id"], photo_id.as_str());
    let again = w.call("POST", "/messages", Some(&joe), Some(json!({"content": "x", "attachments": [photo_id]}))).await;
    assert!(again.body["error"]["message"].as_str().unwrap().contains("on another message"), "{:?}", again.body);

    // Agents see it on the message and in the list's preview; the file is at its address.
    let conversation = c.ok("GET", &format!("/api/v1/conversations/{id}"), &admin, None).await;
    assert_eq!(conversation["preview"], "📎 broken frame.png");
    let page = c.ok("GET", &format!("/api/v1/conversations/{id}/messages"), &admin, None).await;
    let url = page["items"].as_array().unwrap().iter().find_map(|m| m["attachments"][0]["url"].as_str()).unwrap();
    let get = |uri: String| {
        let req = Request::builder().uri(uri).header(header::HOST, "localhost:7878").body(Body::empty()).unwrap();
        let app = c.app();
        async move { tower::ServiceExt::oneshot(app, req).await.unwrap() }
    };
    let served = get(url.to_string()).await;
    assert_eq!(served.status(), StatusCode::OK);
    let h = served.headers().clone();
    assert_eq!(
        (h[header::CONTENT_TYPE].to_str().unwrap(), h[header::X_CONTENT_TYPE_OPTIONS].to_str().unwrap()),
        ("image/png", "nosniff")
    );
    assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
    assert!(h[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline; filename=\"broken frame.png\""));
    let body = http_body_util::BodyExt::collect(served.into_body()).await.unwrap().to_bytes();
    assert_eq!(&body[..], PNG, "the bytes come back as uploaded");
    let (base, signature) = url.rsplit_once('/').unwrap();
    let forged = format!("{base}/{}", "0".repeat(signature.len()));
    assert_eq!(get(forged).await.status(), StatusCode::NOT_FOUND);
    let other_id = format!("/attachments/{}/{signature}", photo_id.parse::<u64>().unwrap() + 1);
    assert_eq!(get(other_id).await.status(), StatusCode::NOT_FOUND, "a signature opens only its own file");

    // An agent's PDF reaches the visitor, offered as a download.
    let pdf = upload(&c, "/api/v1/attachments", Some(&admin), "invoice.pdf", b"%PDF-1.7\n%test\n".to_vec()).await;
    assert_eq!(pdf.status, StatusCode::CREATED, "{:?}", pdf.body);
    let body = json!({"content": "Your invoice", "attachments": [pdf.body["id"]]});
    c.ok("POST", &format!("/api/v1/conversations/{id}/messages"), &admin, Some(body)).await;
    let seen = w.ok("GET", &format!("/conversations/{id}/messages"), Some(&joe), None).await;
    let last = seen.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["content"].as_str(), last["attachments"][0]["name"].as_str()),
        (Some("Your invoice"), Some("invoice.pdf"))
    );
    let download = get(last["attachments"][0]["url"].as_str().unwrap().to_string()).await;
    assert!(download.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    assert!(c.desk.check_indexes().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_customer_or_network_is_slowed_down_and_a_blocked_network_gets_no_chat() {
    let c = Client::new();
    let (admin, inbox, w) = desk_with_widget(&c, no_form()).await;
    let (joe, _) = w.start("Hello").await;
    for i in 0..30 {
        w.ok("POST", "/messages", Some(&joe), Some(json!({ "content": format!("message {i}") }))).await;
    }
    let r = w.call("POST", "/messages", Some(&joe), Some(json!({"content": "one more"}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(
        r.body["error"]["message"].as_str().unwrap().starts_with("one customer can send at most 30"),
        "{:?}",
        r.body
    );
    assert_eq!(r.headers[header::RETRY_AFTER], "60", "the desk's clock stands still in this test");
    w.start("Someone else is not slowed down by Joe").await;

    // Over the network: one address gets 300 writes a minute, then waits.
    let addr = serve(&c).await;
    let http = reqwest::Client::new();
    let url =
        format!("http://localhost:{}/api/widget/v1/messages?website_token={}&parent={SHOP}", addr.port(), w.token);
    let post = |n: usize| {
        let (http, url) = (http.clone(), url.clone());
        async move { http.post(url).json(&json!({ "content": format!("new visitor {n}") })).send().await.unwrap().status() }
    };
    let mut accepted = 0;
    for batch in 0..7 {
        let statuses = futures_util::future::join_all((0..50).map(|i| post(batch * 50 + i))).await;
        accepted += statuses.iter().filter(|s| **s == reqwest::StatusCode::CREATED).count();
    }
    assert_eq!(accepted, 300, "then 429s");

    // An admin blocks the network: its visitors get nothing, not even the widget's look.
    let id = inbox["id"].as_str().unwrap();
    let settings = json!({"allowed_origins": [SHOP], "colour": "#aa3300", "position": "bottom_right", "greeting": "",
        "pre_chat": no_form(), "blocked_ips": ["127.0.0.0/8", "not an address"]});
    let r = c.call("PUT", &format!("/api/v1/inboxes/{id}/widget"), Some(&admin), Some(settings.clone())).await;
    assert!(r.body["error"]["message"].as_str().unwrap().starts_with("blocked_ips: 'not an address'"), "{:?}", r.body);
    let mut settings = settings;
    settings["blocked_ips"] = json!(["127.0.0.1"]);
    c.ok("PUT", &format!("/api/v1/inboxes/{id}/widget"), &admin, Some(settings)).await;
    let config =
        format!("http://localhost:{}/api/widget/v1/inbox?website_token={}&parent={SHOP}", addr.port(), w.token);
    let blocked = http.get(&config).send().await.unwrap();
    assert_eq!(blocked.status(), reqwest::StatusCode::FORBIDDEN);
    let body: Value = blocked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "visitor_blocked", "{body}");
    assert!(tokio_tungstenite::connect_async(w.stream_url(addr, &joe)).await.is_err(), "nor a stream");
}
