//! A conversation's transcript, and agents' replies to a customer who left the chat, as email
//! bodies: an HTML part and a plain-text part, in the contact's language, with times in the
//! inbox's time zone. Only what the customer saw goes in: private notes and activity lines
//! never do. A message's HTML is drawn by `crate::markdown` in the subset the agent app and the
//! widget use; every other piece of text is escaped too, so a message can never put markup of
//! its own into the email. The plain-text part keeps each message as written.

use crate::markdown;
use frontdesk_domain::inbox::{Message, MessageKind};
use frontdesk_domain::Timestamp;
use jiff::tz::TimeZone;
use std::fmt::Write;

pub use frontdesk_domain::language::Language;

/// The words of an email in `language`.
fn words(language: Language) -> Words {
    {
        match language {
            Language::English => Words {
                subject: "Your conversation with",
                heading: "Transcript of conversation",
                you: "You",
                intro: "Here is a copy of your conversation with",
                footer: "Reply to this email to reach us again.",
                reply_subject: "New reply from",
                reply_intro: "replied to your conversation",
                reply_link: "Continue the conversation",
                reply_footer: "The link opens the chat in your browser, where you can answer.",
            },
            Language::Spanish => Words {
                subject: "Tu conversación con",
                heading: "Transcripción de la conversación",
                you: "Tú",
                intro: "Aquí tienes una copia de tu conversación con",
                footer: "Responde a este correo para volver a escribirnos.",
                reply_subject: "Nueva respuesta de",
                reply_intro: "respondió a tu conversación",
                reply_link: "Continuar la conversación",
                reply_footer: "El enlace abre el chat en tu navegador, donde puedes responder.",
            },
            Language::Italian => Words {
                subject: "La tua conversazione con",
                heading: "Trascrizione della conversazione",
                you: "Tu",
                intro: "Ecco una copia della tua conversazione con",
                footer: "Rispondi a questa email per scriverci di nuovo.",
                reply_subject: "Nuova risposta da",
                reply_intro: "ha risposto alla tua conversazione",
                reply_link: "Continua la conversazione",
                reply_footer: "Il link apre la chat nel tuo browser, dove puoi rispondere.",
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
    reply_subject: &'static str,
    reply_intro: &'static str,
    reply_link: &'static str,
    reply_footer: &'static str,
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
    /// Where customers reach the desk ("https://help.example.com"): attachments become links
    /// there. Empty: they are listed by name only.
    pub desk_url: &'a str,
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
    let w = words(input.language);
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
    write_messages(input, &w, &mut html, &mut text);
    let _ = write!(html, "</table><p style=\"color:#666\">{}</p></body></html>", w.footer);
    let _ = write!(text, "--\n{}\n", w.footer);
    Transcript { subject, html, text }
}

/// Renders agents' replies for a customer who left the chat, with `link` back to it. The
/// messages given are the replies to tell; anything not public is left out here too.
pub fn render_replies(input: &TranscriptInput<'_>, link: &str) -> Transcript {
    let w = words(input.language);
    let business = input.business_name;
    let subject = format!("{} {business} (#{})", w.reply_subject, input.number);
    let (b, l) = (escape_html(business), escape_html(link));
    let mut html = String::new();
    let mut text = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;color:#222\"><h1 style=\"font-size:18px\">{b}</h1>\
         <p>{b} {} #{}:</p><table cellpadding=\"6\">",
        escape_html(&subject),
        w.reply_intro,
        input.number
    );
    let _ = write!(text, "{business}\n\n{business} {} #{}:\n\n", w.reply_intro, input.number);
    write_messages(input, &w, &mut html, &mut text);
    let _ = write!(
        html,
        "</table><p><a href=\"{l}\" style=\"display:inline-block;padding:8px 14px;background:#1f6feb;color:#fff;\
         text-decoration:none;border-radius:6px\">{}</a></p><p style=\"color:#666\">{}</p></body></html>",
        w.reply_link, w.reply_footer
    );
    let _ = write!(text, "{}: {link}\n\n--\n{}\n", w.reply_link, w.reply_footer);
    Transcript { subject, html, text }
}

/// One row per public message: who (the customer is "you"), when, and the text.
fn write_messages(input: &TranscriptInput<'_>, w: &Words, html: &mut String, text: &mut String) {
    // A deleted message leaves no trace in an email: it may have held what had to go.
    for m in input.messages.iter().filter(|m| m.kind.is_public() && !m.deleted) {
        let who = match (m.kind, m.author) {
            (MessageKind::Incoming, _) => w.you.to_string(),
            (_, Some(agent)) => (input.agent_name)(agent),
            (_, None) => input.business_name.to_string(),
        };
        let when = local_time(m.created_at, input.time_zone);
        // Files, images too, are links: an email client would not show the desk's images inline
        // without asking, and the desk may not be reachable from where the email is read.
        let mut files_html = String::new();
        let mut files_text = String::new();
        for file in &m.attachments {
            let name = escape_html(&file.name);
            match input.desk_url.is_empty() {
                true => {
                    let _ = write!(files_html, "<br>📎 {name}");
                    let _ = write!(files_text, "\n📎 {}", file.name);
                }
                false => {
                    let url = format!("{}{}", input.desk_url, file.url);
                    let _ = write!(files_html, "<br>📎 <a href=\"{}\">{name}</a>", escape_html(&url));
                    let _ = write!(files_text, "\n📎 {}: {url}", file.name);
                }
            }
        }
        let _ = write!(
            html,
            "<tr><td style=\"vertical-align:top;white-space:nowrap\"><strong>{}</strong><br>\
             <small style=\"color:#666\">{}</small></td><td>{}{files_html}</td></tr>",
            escape_html(&who),
            escape_html(&when),
            markdown::render_html(&m.content)
        );
        let _ = write!(text, "{who} ({when}):\n{}{files_text}\n\n", m.content);
    }
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
            attachments: vec![],
            deleted: false,
            activity: None,
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
            desk_url: "https://help.acme.test",
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

    #[test]
    fn attachments_are_links_to_the_desk_with_their_names_escaped() {
        let mut m = message(1, MessageKind::Incoming, None, "Here is the photo");
        m.attachments = vec![frontdesk_domain::attachment::Attachment {
            id: Id(5),
            name: "bike <broken>.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 10,
            url: "/attachments/5/abc".into(),
        }];
        let t = render_with(Language::English, &[m]);
        assert!(
            t.html.contains("<a href=\"https://help.acme.test/attachments/5/abc\">bike &lt;broken&gt;.jpg</a>"),
            "{}",
            t.html
        );
        assert!(t.text.contains("📎 bike <broken>.jpg: https://help.acme.test/attachments/5/abc"), "{}", t.text);
    }

    #[test]
    fn a_replies_email_links_back_to_the_chat_and_escapes_the_link() {
        let messages = [
            message(5, MessageKind::Outgoing, Some(7), "Your refund is on its way"),
            message(6, MessageKind::PrivateNote, Some(7), "refund approved by finance"),
        ];
        let zone = TimeZone::get("Europe/Rome").unwrap();
        let names = |_: Id| "Ana".to_string();
        let input = TranscriptInput {
            business_name: "Acme",
            number: 7,
            language: Language::Spanish,
            time_zone: &zone,
            messages: &messages,
            agent_name: &names,
            desk_url: "",
        };
        let t = render_replies(&input, "https://help.acme.test/widget?website_token=t&continue=a\"b");
        assert_eq!(t.subject, "Nueva respuesta de Acme (#7)");
        assert!(t.html.contains("href=\"https://help.acme.test/widget?website_token=t&amp;continue=a&quot;b\""));
        assert!(t
            .text
            .contains("Continuar la conversación: https://help.acme.test/widget?website_token=t&continue=a\"b"));
        for part in [&t.html, &t.text] {
            assert!(part.contains("Your refund is on its way") && !part.contains("finance"), "{part}");
        }
    }
}
