//! A conversation's transcript as an email body: an HTML part and a plain-text part, in the
//! contact's language, with times in the inbox's time zone. Only what the customer saw goes in:
//! private notes and activity lines never do. Every piece of text is escaped, so a message can
//! never put markup into the email.

use frontdesk_domain::inbox::{Message, MessageKind};
use frontdesk_domain::Timestamp;
use jiff::tz::TimeZone;
use std::fmt::Write;

/// The languages transcripts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Spanish,
    Italian,
}

impl Language {
    /// From a contact's language tag ("es", "it-IT", "en-GB"); English for anything else.
    pub fn from_tag(tag: Option<&str>) -> Language {
        let primary = tag.unwrap_or("en").split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        match primary.as_str() {
            "es" => Language::Spanish,
            "it" => Language::Italian,
            _ => Language::English,
        }
    }

    fn words(self) -> Words {
        match self {
            Language::English => Words {
                subject: "Your conversation with",
                heading: "Transcript of conversation",
                you: "You",
                intro: "Here is a copy of your conversation with",
                footer: "Reply to this email to reach us again.",
            },
            Language::Spanish => Words {
                subject: "Tu conversación con",
                heading: "Transcripción de la conversación",
                you: "Tú",
                intro: "Aquí tienes una copia de tu conversación con",
                footer: "Responde a este correo para volver a escribirnos.",
            },
            Language::Italian => Words {
                subject: "La tua conversazione con",
                heading: "Trascrizione della conversazione",
                you: "Tu",
                intro: "Ecco una copia della tua conversazione con",
                footer: "Rispondi a questa email per scriverci di nuovo.",
            },
        }
    }
}

struct Words {
    subject: &'static str,
    heading: &'static str,
    you: &'static str,
    intro: &'static str,
    footer: &'static str,
}

/// What a transcript is made of.
pub struct TranscriptInput<'a> {
    pub business_name: &'a str,
    /// "#1042"
    pub number: u64,
    pub language: Language,
    pub time_zone: &'a TimeZone,
    /// The conversation's messages in order; the non-public ones are left out here.
    pub messages: &'a [Message],
    /// The display name of an agent author.
    pub agent_name: &'a dyn Fn(frontdesk_domain::Id) -> String,
}

/// The rendered email content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn local_time(at: Timestamp, zone: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(at.0) {
        Ok(t) => t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => String::new(),
    }
}

/// Renders the transcript.
pub fn render(input: &TranscriptInput<'_>) -> Transcript {
    let w = input.language.words();
    let business = input.business_name;
    let subject = format!("{} {business} (#{})", w.subject, input.number);
    let mut html = String::new();
    let mut text = String::new();
    let b = escape_html(business);
    let _ = write!(
        html,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;color:#222\"><h1 style=\"font-size:18px\">{b}</h1>\
         <p>{} {b}.</p><h2 style=\"font-size:15px\">{} #{}</h2><table cellpadding=\"6\">",
        escape_html(&subject),
        w.intro,
        w.heading,
        input.number
    );
    let _ = write!(text, "{business}\n\n{} {business}.\n\n{} #{}\n\n", w.intro, w.heading, input.number);
    for m in input.messages.iter().filter(|m| m.kind.is_public()) {
        let who = match (m.kind, m.author) {
            (MessageKind::Incoming, _) => w.you.to_string(),
            (_, Some(agent)) => (input.agent_name)(agent),
            (_, None) => business.to_string(),
        };
        let when = local_time(m.created_at, input.time_zone);
        let _ = write!(
            html,
            "<tr><td style=\"vertical-align:top;white-space:nowrap\"><strong>{}</strong><br>\
             <small style=\"color:#666\">{}</small></td><td style=\"white-space:pre-wrap\">{}</td></tr>",
            escape_html(&who),
            escape_html(&when),
            escape_html(&m.content)
        );
        let _ = write!(text, "{who} ({when}):\n{}\n\n", m.content);
    }
    let _ = write!(html, "</table><p style=\"color:#666\">{}</p></body></html>", w.footer);
    let _ = write!(text, "--\n{}\n", w.footer);
    Transcript { subject, html, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::Id;

    fn message(seq: u64, kind: MessageKind, author: Option<u64>, content: &str) -> Message {
        Message {
            conversation: Id(1),
            seq,
            kind,
            author: author.map(Id),
            content: content.into(),
            created_at: Timestamp(1_800_000_000_000 + seq as i64 * 60_000),
            mentions: vec![],
        }
    }

    fn render_with(language: Language, messages: &[Message]) -> Transcript {
        let zone = TimeZone::get("Europe/Rome").unwrap();
        let names = |id: Id| if id == Id(7) { "Ana <admin>".to_string() } else { "someone".to_string() };
        render(&TranscriptInput {
            business_name: "Acme & Sons",
            number: 1042,
            language,
            time_zone: &zone,
            messages,
            agent_name: &names,
        })
    }

    #[test]
    fn private_notes_and_activity_lines_never_reach_the_transcript() {
        let messages = [
            message(1, MessageKind::Incoming, None, "Where is my order?"),
            message(2, MessageKind::PrivateNote, Some(7), "customer is on the blacklist"),
            message(3, MessageKind::Activity, Some(7), "Ana solved the conversation"),
            message(4, MessageKind::Outgoing, Some(7), "It ships today."),
        ];
        let t = render_with(Language::English, &messages);
        for part in [&t.html, &t.text] {
            assert!(part.contains("Where is my order?") && part.contains("It ships today."));
            assert!(!part.contains("blacklist") && !part.contains("solved the conversation"), "{part}");
        }
        assert_eq!(t.subject, "Your conversation with Acme & Sons (#1042)");
    }

    #[test]
    fn a_message_cannot_inject_markup() {
        let messages = [message(1, MessageKind::Incoming, None, "<script>alert(1)</script><a href=\"x\">")];
        let t = render_with(Language::English, &messages);
        assert!(!t.html.contains("<script>") && !t.html.contains("<a href"), "{}", t.html);
        assert!(t.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(t.html.contains("Ana &lt;admin&gt;") || !t.html.contains("Ana <admin>"));
        assert!(t.html.contains("Acme &amp; Sons"));
        assert!(t.text.contains("<script>"), "the plain-text part shows the text as written");
    }

    #[test]
    fn times_are_in_the_inboxs_zone_and_words_in_the_contacts_language() {
        let messages = [message(1, MessageKind::Outgoing, Some(7), "Hola")];
        let es = render_with(Language::Spanish, &messages);
        assert!(es.subject.starts_with("Tu conversación con"));
        // 1_800_000_060_000 ms is 2027-01-15 08:01 UTC: 09:01 in Rome.
        assert!(es.text.contains("2027-01-15 09:01 CET"), "{}", es.text);
        assert!(es.text.contains("Ana <admin> (2027-01-15 09:01 CET)"));
        let it = render_with(Language::Italian, &messages);
        assert!(it.text.contains("Trascrizione della conversazione #1042"));
        assert_eq!(Language::from_tag(Some("it-IT")), Language::Italian);
        assert_eq!(Language::from_tag(Some("es")), Language::Spanish);
        assert_eq!(Language::from_tag(Some("fr")), Language::English);
        assert_eq!(Language::from_tag(None), Language::English);
    }
}
