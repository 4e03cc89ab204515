//! The website widget's rules: an inbox's widget settings (who may embed it, how it looks, what
//! it asks before a chat), identity validation of a site's logged-in users, and the customer's
//! satisfaction rating.

use crate::conversation::Status;
use crate::{DomainError, Timestamp};
use hmac::{Hmac, Mac};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::net::IpAddr;
use std::time::Duration;

pub const MAX_ORIGINS: usize = 20;
pub const MAX_GREETING_CHARS: usize = 1_000;
pub const MAX_TOPICS: usize = 20;
pub const MAX_CSAT_COMMENT_CHARS: usize = 2_000;
/// What one IP address may send through widgets in a minute (messages, files, new sessions):
/// room for an office full of customers behind one address, not for a flood.
pub const WRITES_PER_IP_PER_MINUTE: usize = 300;
/// What one customer may send in a minute (messages and files): more than anyone types.
pub const WRITES_PER_CONTACT_PER_MINUTE: usize = 30;
pub const MAX_BLOCKED_RANGES: usize = 200;
/// Widget-requested transcripts a contact may have sent within a day.
pub const TRANSCRIPTS_PER_CONTACT_PER_DAY: usize = 5;

/// Which corner of the page the launcher sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LauncherPosition {
    #[default]
    BottomRight,
    BottomLeft,
}

/// Whether the pre-chat form asks for a field, and whether the visitor must fill it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldRule {
    #[default]
    Hidden,
    Optional,
    Required,
}

/// The form a visitor fills in before their first message. With every field hidden there is no
/// form, and the widget asks for an email address after the first message instead.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PreChatForm {
    pub name: FieldRule,
    pub email: FieldRule,
    pub topic: FieldRule,
    /// The topics offered; each is a label put on the conversation (and so can require skills).
    pub topics: Vec<String>,
}

impl PreChatForm {
    pub fn is_shown(&self) -> bool {
        [self.name, self.email, self.topic].iter().any(|r| *r != FieldRule::Hidden)
    }
}

/// An inbox's website widget: its public token, where it may be embedded and how it greets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct WidgetSettings {
    /// Public: goes into the snippet on every page of the site. Empty until the widget is set up.
    pub website_token: String,
    /// Origins allowed to embed the widget ("https://shop.example.com"); none: nowhere yet.
    pub allowed_origins: Vec<String>,
    /// The launcher's and header's colour, "#rrggbb".
    pub colour: String,
    pub position: LauncherPosition,
    /// Sent at once, as the inbox, when a visitor starts a conversation; empty: none.
    pub greeting: String,
    pub pre_chat: PreChatForm,
    /// "en", "es" or "it"; none: the visitor's browser language.
    pub language: Option<String>,
    /// Secret: a site signs its logged-in users' identifiers with it (HMAC-SHA256).
    pub identity_secret: String,
    /// Email agents' replies to a customer who has left the chat (batched, with a link back).
    #[serde(default)]
    pub email_replies: bool,
    /// Where customers' browsers reach this desk ("https://help.example.com"): the snippet's
    /// script and the link in reply emails point here. Empty: not given yet.
    #[serde(default)]
    pub public_url: String,
    /// Addresses and ranges ("203.0.113.7", "198.51.100.0/24", "2001:db8::/32") whose visitors
    /// get no chat.
    #[serde(default)]
    pub blocked_ips: Vec<String>,
    /// Proactive messages shown above the launcher on matching pages.
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

pub const MAX_CAMPAIGNS: usize = 10;
pub const MAX_CAMPAIGN_CHARS: usize = 500;
pub const MAX_CAMPAIGN_DELAY_SECS: u32 = 3_600;

/// A proactive message: shown above the launcher to a visitor who has spent `delay_secs` on a
/// page whose address matches `url_pattern`, at most once per visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Campaign {
    /// Made from the pattern and the message: a changed campaign is a new one, shown again.
    #[serde(default)]
    pub id: String,
    pub message: String,
    /// "/pricing*", "https://shop.example.com/bikes/*" or "*"; `*` stands for anything.
    pub url_pattern: String,
    pub delay_secs: u32,
    pub enabled: bool,
}

impl Campaign {
    /// Whether the page at `url` is one of the campaign's: a pattern starting with "/" is
    /// matched against the path and query, any other against the whole address.
    pub fn matches(&self, url: &str) -> bool {
        let target = match self.url_pattern.starts_with('/') {
            true => url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..])).unwrap_or("/"),
            false => url,
        };
        glob(&self.url_pattern, target)
    }
}

/// `*` matches any run of characters, everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// The campaigns as stored: each checked, its id made, no two alike.
pub fn campaigns(raw: &[Campaign]) -> Result<Vec<Campaign>, DomainError> {
    if raw.len() > MAX_CAMPAIGNS {
        return Err(DomainError::invalid("campaigns", format!("an inbox can have at most {MAX_CAMPAIGNS} campaigns")));
    }
    let mut out: Vec<Campaign> = Vec::new();
    for c in raw {
        let message = c.message.trim().to_string();
        let url_pattern = c.url_pattern.trim().to_string();
        if message.is_empty() || message.chars().count() > MAX_CAMPAIGN_CHARS {
            return Err(DomainError::invalid(
                "campaigns",
                format!("a campaign's message must be 1 to {MAX_CAMPAIGN_CHARS} characters"),
            ));
        }
        let shaped = url_pattern == "*"
            || url_pattern.starts_with('/')
            || url_pattern.starts_with("https://")
            || url_pattern.starts_with("http://");
        if !shaped || url_pattern.len() > 300 {
            return Err(DomainError::invalid(
                "campaigns",
                format!("'{url_pattern}' is not a page pattern: use a path like /pricing*, a full address, or *"),
            ));
        }
        if c.delay_secs > MAX_CAMPAIGN_DELAY_SECS {
            return Err(DomainError::invalid(
                "campaigns",
                format!("a campaign waits at most {MAX_CAMPAIGN_DELAY_SECS} seconds before it shows"),
            ));
        }
        let digest = Sha256::digest(format!("{url_pattern}\n{message}").as_bytes());
        let id = hex::encode(&digest[..6]);
        if out.iter().any(|o| o.id == id) {
            return Err(DomainError::invalid("campaigns", format!("two campaigns say '{message}' on {url_pattern}")));
        }
        out.push(Campaign { id, message, url_pattern, delay_secs: c.delay_secs, enabled: c.enabled });
    }
    Ok(out)
}

pub const DEFAULT_COLOUR: &str = "#1f6feb";

/// What an admin sets on an inbox's widget; the tokens are made by the desk.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct WidgetSettingsInput {
    pub allowed_origins: Vec<String>,
    pub colour: String,
    pub position: LauncherPosition,
    pub greeting: String,
    pub pre_chat: PreChatForm,
    #[ts(optional)]
    pub language: Option<String>,
    /// Off when omitted.
    #[serde(default)]
    #[ts(optional)]
    pub email_replies: Option<bool>,
    /// Kept as it is when omitted; needed for `email_replies`.
    #[ts(optional)]
    pub public_url: Option<String>,
    /// Kept as they are when omitted.
    #[ts(optional)]
    pub blocked_ips: Option<Vec<String>>,
    /// Kept as they are when omitted.
    #[ts(optional)]
    pub campaigns: Option<Vec<Campaign>>,
}

impl WidgetSettingsInput {
    /// Checks every field; keeps the tokens of `current` (or takes the new ones when it has none).
    pub fn apply(
        self,
        current: &WidgetSettings,
        website_token: String,
        identity_secret: String,
    ) -> Result<WidgetSettings, DomainError> {
        if self.allowed_origins.len() > MAX_ORIGINS {
            return Err(DomainError::invalid("allowed_origins", format!("list at most {MAX_ORIGINS} origins")));
        }
        let mut allowed_origins = self.allowed_origins.iter().map(|o| origin(o)).collect::<Result<Vec<_>, _>>()?;
        allowed_origins.sort();
        allowed_origins.dedup();
        let colour = colour(&self.colour)?;
        let greeting = self.greeting.trim().to_string();
        if greeting.chars().count() > MAX_GREETING_CHARS {
            return Err(DomainError::invalid(
                "greeting",
                format!("a greeting can have at most {MAX_GREETING_CHARS} characters"),
            ));
        }
        let mut topics = crate::inbox::labels(&self.pre_chat.topics)
            .map_err(|e| DomainError::invalid("pre_chat.topics", e.to_string()))?;
        topics.truncate(MAX_TOPICS);
        if self.pre_chat.topic != FieldRule::Hidden && topics.is_empty() {
            return Err(DomainError::invalid("pre_chat.topics", "list the topics a visitor can choose from"));
        }
        let language = match self.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(l @ ("en" | "es" | "it")) => Some(l.to_string()),
            Some(other) => {
                return Err(DomainError::invalid("language", format!("'{other}' is not one of en, es, it")));
            }
        };
        let public_url = match self.public_url.as_deref().map(str::trim) {
            None => current.public_url.clone(),
            Some("") => String::new(),
            Some(url) => origin(url).map_err(|_| {
                DomainError::invalid(
                    "public_url",
                    format!("'{url}' is not an address like https://help.example.com (scheme, host, optional port)"),
                )
            })?,
        };
        let email_replies = self.email_replies.unwrap_or(false);
        if email_replies && public_url.is_empty() {
            return Err(DomainError::invalid(
                "public_url",
                "give the address customers reach this desk at: the emailed replies link back to it",
            ));
        }
        let blocked_ips = match &self.blocked_ips {
            None => current.blocked_ips.clone(),
            Some(list) => ip_ranges(list)?,
        };
        let campaigns = match &self.campaigns {
            None => current.campaigns.clone(),
            Some(list) => campaigns(list)?,
        };
        let keep = |now: &str, new: String| if now.is_empty() { new } else { now.to_string() };
        Ok(WidgetSettings {
            campaigns,
            blocked_ips,
            email_replies,
            public_url,
            website_token: keep(&current.website_token, website_token),
            identity_secret: keep(&current.identity_secret, identity_secret),
            allowed_origins,
            colour,
            position: self.position,
            greeting,
            pre_chat: PreChatForm { topics, ..self.pre_chat },
            language,
        })
    }
}

impl WidgetSettings {
    /// A new inbox's widget: its tokens, the default look, no origin allowed yet.
    pub fn new(website_token: String, identity_secret: String) -> WidgetSettings {
        WidgetSettings { website_token, identity_secret, colour: DEFAULT_COLOUR.into(), ..WidgetSettings::default() }
    }

    /// Whether a page of `origin` may embed the widget or call its API.
    pub fn allows(&self, origin: &str) -> bool {
        let Ok(origin) = self::origin(origin) else { return false };
        self.allowed_origins.contains(&origin)
    }

    /// The enabled campaigns for the page at `url`.
    pub fn campaigns_for(&self, url: &str) -> Vec<Campaign> {
        self.campaigns.iter().filter(|c| c.enabled && c.matches(url)).cloned().collect()
    }

    /// A campaign by its id, enabled or not (a visitor may answer one just turned off).
    pub fn campaign(&self, id: &str) -> Option<&Campaign> {
        self.campaigns.iter().find(|c| c.id == id)
    }

    /// Whether visitors from `ip` are refused.
    pub fn blocks(&self, ip: IpAddr) -> bool {
        // Checked when saved; one that no longer parses blocks nothing rather than everything.
        self.blocked_ips.iter().filter_map(|r| r.parse::<IpNet>().ok()).any(|net| net.contains(&ip))
    }

    /// Whether `hash` is the HMAC-SHA256 (hex) of `value` (a user's identifier, or their email)
    /// under the inbox's identity secret. The comparison takes the same time whatever the hash,
    /// so it cannot be guessed byte by byte.
    pub fn verifies(&self, value: &str, hash: &str) -> bool {
        let Ok(given) = hex::decode(hash.trim()) else { return false };
        if self.identity_secret.is_empty() {
            return false;
        }
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.identity_secret.as_bytes()) else { return false };
        mac.update(value.as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

/// A colour as typed, "#rrggbb" in lower case.
pub fn colour(raw: &str) -> Result<String, DomainError> {
    let colour = raw.trim().to_ascii_lowercase();
    if !(colour.len() == 7 && colour.starts_with('#') && colour[1..].chars().all(|c| c.is_ascii_hexdigit())) {
        return Err(DomainError::invalid("colour", format!("'{colour}' is not a colour like #1f6feb")));
    }
    Ok(colour)
}

/// Blocked addresses and ranges as typed, checked and written the one way (`a.b.c.d/n`).
pub fn ip_ranges(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out = Vec::new();
    for r in raw.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let net = match (r.parse::<IpNet>(), r.parse::<IpAddr>()) {
            (Ok(net), _) => net.trunc(),
            (_, Ok(ip)) => IpNet::from(ip),
            _ => {
                return Err(DomainError::invalid(
                    "blocked_ips",
                    format!("'{r}' is not an address or range like 203.0.113.7 or 198.51.100.0/24"),
                ))
            }
        };
        out.push(net.to_string());
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_BLOCKED_RANGES {
        return Err(DomainError::invalid(
            "blocked_ips",
            format!("list at most {MAX_BLOCKED_RANGES} addresses or ranges"),
        ));
    }
    Ok(out)
}

/// The hits of one sender in the last minute, for rate limits kept in memory.
#[derive(Debug, Clone, Default)]
pub struct RecentHits(VecDeque<Timestamp>);

const MINUTE: Duration = Duration::from_secs(60);

impl RecentHits {
    /// Counts a hit at `now` unless `limit` were made in the minute before; then, how long
    /// until the oldest of them is a minute old.
    pub fn hit(&mut self, now: Timestamp, limit: usize) -> Result<(), Duration> {
        while self.0.front().is_some_and(|t| now.since(*t) >= MINUTE) {
            self.0.pop_front();
        }
        if self.0.len() >= limit {
            let oldest = self.0.front().copied().unwrap_or(now);
            return Err(MINUTE.saturating_sub(now.since(oldest)));
        }
        self.0.push_back(now);
        Ok(())
    }

    /// Nothing in the last minute: can be forgotten.
    pub fn is_idle(&self, now: Timestamp) -> bool {
        self.0.back().is_none_or(|t| now.since(*t) >= MINUTE)
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, lower-case, without a path or a
/// trailing slash. Only http and https.
pub fn origin(raw: &str) -> Result<String, DomainError> {
    let text = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let bad = || {
        DomainError::invalid(
            "allowed_origins",
            format!("'{}' is not an origin like https://shop.example.com (scheme, host, optional port)", raw.trim()),
        )
    };
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.len() > 253 {
        return Err(bad());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        && !host.starts_with('.')
        && !host.ends_with('.');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if !host_ok || !port_ok {
        return Err(bad());
    }
    Ok(text)
}

/// A customer's satisfaction rating of a solved conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Csat {
    /// 1 (very unhappy) to 5 (very happy).
    pub rating: u8,
    pub comment: Option<String>,
    pub given_at: Timestamp,
}

/// A rating as the customer sends it, checked against the conversation's status: only a
/// solved (or closed) conversation is rated, and only once.
pub fn csat(
    status: Status,
    already: Option<&Csat>,
    rating: u8,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<Csat, DomainError> {
    if !matches!(status, Status::Solved | Status::Closed) {
        return Err(DomainError::invalid("rating", "a conversation can be rated once it is solved"));
    }
    if already.is_some() {
        return Err(DomainError::invalid("rating", "this conversation was rated already"));
    }
    if !(1..=5).contains(&rating) {
        return Err(DomainError::invalid("rating", "give a rating from 1 to 5"));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_CSAT_COMMENT_CHARS) {
        return Err(DomainError::invalid(
            "comment",
            format!("a comment can have at most {MAX_CSAT_COMMENT_CHARS} characters"),
        ));
    }
    Ok(Csat { rating, comment: comment.map(str::to_string), given_at: now })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> WidgetSettingsInput {
        WidgetSettingsInput {
            allowed_origins: vec!["https://Shop.example.com/".into(), "http://127.0.0.1:8080".into()],
            colour: "#AA3300".into(),
            position: LauncherPosition::BottomLeft,
            greeting: " Hi! ".into(),
            pre_chat: PreChatForm::default(),
            language: None,
            email_replies: None,
            public_url: None,
            blocked_ips: None,
            campaigns: None,
        }
    }

    fn campaign(pattern: &str, message: &str) -> Campaign {
        Campaign {
            id: String::new(),
            message: message.into(),
            url_pattern: pattern.into(),
            delay_secs: 5,
            enabled: true,
        }
    }

    #[test]
    fn a_campaign_shows_on_the_pages_its_pattern_names() {
        let pricing = campaign("/pricing*", "Questions about plans?");
        assert!(pricing.matches("https://shop.example.com/pricing"));
        assert!(pricing.matches("https://shop.example.com/pricing/team?x=1"));
        assert!(!pricing.matches("https://shop.example.com/"));
        assert!(!pricing.matches("https://shop.example.com/blog/pricing"));
        let bikes = campaign("https://shop.example.com/bikes/*/size", "Need help with the size?");
        assert!(bikes.matches("https://shop.example.com/bikes/road-7/size"));
        assert!(!bikes.matches("https://other.example.com/bikes/road-7/size"));
        assert!(campaign("*", "Hi").matches("http://127.0.0.1:9/anything"));
        assert!(campaign("/", "Home only").matches("https://shop.example.com"));
    }

    #[test]
    fn campaigns_are_checked_and_named_by_what_they_say() {
        let saved = campaigns(&[campaign(" /pricing* ", " Questions? "), campaign("*", "Hello")]).unwrap();
        assert_eq!((saved[0].url_pattern.as_str(), saved[0].message.as_str()), ("/pricing*", "Questions?"));
        assert_eq!(saved[0].id.len(), 12);
        assert_ne!(saved[0].id, saved[1].id);
        // The same campaign keeps its id; a changed one gets a new one (so it shows again).
        assert_eq!(campaigns(&[campaign("/pricing*", "Questions?")]).unwrap()[0].id, saved[0].id);
        assert_ne!(campaigns(&[campaign("/pricing*", "Questions??")]).unwrap()[0].id, saved[0].id);
        for bad in [campaign("pricing", "x"), campaign("*", " "), Campaign { delay_secs: 4_000, ..campaign("*", "x") }]
        {
            assert!(campaigns(&[bad]).unwrap_err().to_string().starts_with("campaigns:"));
        }
        assert!(campaigns(&[campaign("*", "Same"), campaign("*", "Same")]).is_err());
        assert!(campaigns(&vec![campaign("*", "x"); 11]).is_err());
        let mut w = WidgetSettings::new("t".into(), "s".into());
        w.campaigns = campaigns(&[campaign("/a*", "A"), Campaign { enabled: false, ..campaign("/b*", "B") }]).unwrap();
        assert_eq!(w.campaigns_for("https://x.test/a/1").len(), 1);
        assert!(w.campaigns_for("https://x.test/b/1").is_empty(), "a campaign turned off shows nowhere");
    }

    #[test]
    fn blocked_addresses_and_ranges_are_checked_and_match_what_they_say() {
        let current = WidgetSettings::new("tok".into(), "secret".into());
        let list = vec![" 203.0.113.7 ".into(), "198.51.100.77/24".into(), "2001:db8::/32".into(), String::new()];
        let s = WidgetSettingsInput { blocked_ips: Some(list), ..input() }
            .apply(&current, String::new(), String::new())
            .unwrap();
        assert_eq!(s.blocked_ips, vec!["198.51.100.0/24", "2001:db8::/32", "203.0.113.7/32"]);
        for (ip, blocked) in [
            ("203.0.113.7", true),
            ("203.0.113.8", false),
            ("198.51.100.200", true),
            ("2001:db8::1", true),
            ("::1", false),
        ] {
            assert_eq!(s.blocks(ip.parse().unwrap()), blocked, "{ip}");
        }
        let kept = input().apply(&s, String::new(), String::new()).unwrap();
        assert_eq!(kept.blocked_ips.len(), 3, "omitted: kept");
        let bad = WidgetSettingsInput { blocked_ips: Some(vec!["10.0.0.0/33".into()]), ..input() };
        let err = bad.apply(&current, String::new(), String::new()).unwrap_err().to_string();
        assert!(err.starts_with("blocked_ips: '10.0.0.0/33' is not an address"), "{err}");
    }

    #[test]
    fn a_sender_gets_limit_hits_a_minute_and_is_told_when_to_come_back() {
        let mut hits = RecentHits::default();
        let t0 = Timestamp(1_000_000);
        for i in 0..3 {
            assert!(hits.hit(Timestamp(t0.0 + i * 1_000), 3).is_ok());
        }
        assert_eq!(hits.hit(Timestamp(t0.0 + 10_000), 3), Err(Duration::from_secs(50)));
        assert!(!hits.is_idle(Timestamp(t0.0 + 10_000)));
        assert!(hits.hit(Timestamp(t0.0 + 60_000), 3).is_ok(), "the first hit is a minute old");
        assert!(hits.is_idle(Timestamp(t0.0 + 125_000)));
    }

    #[test]
    fn replies_by_email_need_the_desks_public_address() {
        let current = WidgetSettings::new("tok".into(), "secret".into());
        let without = WidgetSettingsInput { email_replies: Some(true), ..input() };
        assert!(without
            .apply(&current, String::new(), String::new())
            .unwrap_err()
            .to_string()
            .starts_with("public_url"));
        let with = WidgetSettingsInput {
            email_replies: Some(true),
            public_url: Some("https://Help.Acme.test/".into()),
            ..input()
        };
        let s = with.apply(&current, String::new(), String::new()).unwrap();
        assert_eq!((s.email_replies, s.public_url.as_str()), (true, "https://help.acme.test"));
        let kept = input().apply(&s, String::new(), String::new()).unwrap();
        assert_eq!((kept.email_replies, kept.public_url.as_str()), (false, "https://help.acme.test"));
        let bad = WidgetSettingsInput { public_url: Some("help.acme.test/chat".into()), ..input() };
        assert!(bad.apply(&current, String::new(), String::new()).is_err());
    }

    #[test]
    fn origins_are_normalized_and_nothing_else_passes() {
        assert_eq!(origin("https://Shop.Example.com/").unwrap(), "https://shop.example.com");
        assert_eq!(origin("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(origin("http://[::1]:3000").unwrap(), "http://[::1]:3000");
        for bad in ["shop.example.com", "ftp://x.com", "https://", "https://x.com/path", "https://x.com:99999", "*"] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_keep_their_tokens_and_check_every_field() {
        let current = WidgetSettings::new("tok".into(), "secret".into());
        let s = input().apply(&current, "new".into(), "new".into()).unwrap();
        assert_eq!((s.website_token.as_str(), s.identity_secret.as_str()), ("tok", "secret"));
        assert_eq!(s.allowed_origins, vec!["http://127.0.0.1:8080", "https://shop.example.com"]);
        assert_eq!((s.colour.as_str(), s.greeting.as_str()), ("#aa3300", "Hi!"));
        assert!(s.allows("https://shop.example.com") && !s.allows("https://evil.example.com"));
        let fresh = input().apply(&WidgetSettings::default(), "new".into(), "sec".into()).unwrap();
        assert_eq!(fresh.website_token, "new");
        let bad_colour = WidgetSettingsInput { colour: "red".into(), ..input() };
        assert!(bad_colour
            .apply(&current, String::new(), String::new())
            .unwrap_err()
            .to_string()
            .starts_with("colour"));
        let topic_without_topics = WidgetSettingsInput {
            pre_chat: PreChatForm { topic: FieldRule::Required, ..PreChatForm::default() },
            ..input()
        };
        assert!(topic_without_topics.apply(&current, String::new(), String::new()).is_err());
        let spanish = WidgetSettingsInput { language: Some("de".into()), ..input() };
        assert!(spanish.apply(&current, String::new(), String::new()).is_err());
    }

    #[test]
    fn only_the_sites_own_hmac_proves_an_identity() {
        // RFC 4231, test case 2: what any site's HMAC-SHA256 library gives for this key and text.
        let s = WidgetSettings::new("tok".into(), "Jefe".into());
        let good = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(s.verifies("what do ya want for nothing?", good));
        assert!(s.verifies("what do ya want for nothing?", &good.to_uppercase()));
        assert!(!s.verifies("what do ya want for nothing", good), "another identifier");
        assert!(!s.verifies("what do ya want for nothing?", &good[..62]), "a truncated hash");
        assert!(!s.verifies("what do ya want for nothing?", "not hex"));
        let no_secret = WidgetSettings::default();
        assert!(!no_secret.verifies("what do ya want for nothing?", good));
    }

    #[test]
    fn a_conversation_is_rated_once_after_it_is_solved() {
        let now = Timestamp(5);
        assert!(csat(Status::Open, None, 5, None, now).is_err());
        let given = csat(Status::Solved, None, 4, Some("  quick "), now).unwrap();
        assert_eq!((given.rating, given.comment.as_deref()), (4, Some("quick")));
        assert!(csat(Status::Closed, Some(&given), 5, None, now).is_err());
        assert!(csat(Status::Solved, None, 0, None, now).is_err());
        assert!(csat(Status::Solved, None, 6, None, now).is_err());
    }
}
