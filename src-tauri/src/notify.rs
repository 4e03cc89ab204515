//! Desktop notifications through notify-rust. The UI in the window gets each notification from
//! the desk's stream (the rules are the desk's), words it in the agent's language and asks the
//! shell to show it; a click on it brings the window up on that conversation.

use std::sync::atomic::{AtomicUsize, Ordering};
use tauri::{AppHandle, Manager};

/// Each notification with a click action keeps a thread waiting for the click; past this many
/// waiting, new ones are shown without the action rather than piling up threads.
const MAX_WAITING_FOR_CLICK: usize = 8;
static WAITING_FOR_CLICK: AtomicUsize = AtomicUsize::new(0);

/// Shows one notification. Errors (no notification daemon) go back to the UI as text, which
/// shows them in the window instead; they never stop the app.
#[tauri::command]
pub async fn notify(app: AppHandle, summary: String, body: String, conversation: Option<String>) -> Result<(), String> {
    // Bounded and plain: a customer's text must not become markup in the notification.
    let summary = plain(&summary, 120);
    let body = plain(&body, 400);
    // The D-Bus handle cannot move between threads: one thread shows it and waits for the click.
    let (shown, outcome) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || show(app, &summary, &body, conversation, shown));
    outcome.await.map_err(|_| "cannot show a desktop notification".to_string())?
}

fn show(
    app: AppHandle,
    summary: &str,
    body: &str,
    conversation: Option<String>,
    shown: tokio::sync::oneshot::Sender<Result<(), String>>,
) {
    let mut n = notify_rust::Notification::new();
    n.appname("Frontdesk").summary(summary).body(body).icon("mail-message-new");
    let clickable = conversation.is_some() && WAITING_FOR_CLICK.load(Ordering::Relaxed) < MAX_WAITING_FOR_CLICK;
    if clickable {
        n.action("default", "Open");
    }
    let handle = match n.show() {
        Ok(handle) => handle,
        Err(e) => {
            let _ = shown.send(Err(format!("cannot show a desktop notification: {e}")));
            return;
        }
    };
    let _ = shown.send(Ok(()));
    if let (true, Some(conversation)) = (clickable, conversation) {
        WAITING_FOR_CLICK.fetch_add(1, Ordering::Relaxed);
        handle.wait_for_action(|action| {
            if action == "default" {
                open_conversation(&app, &conversation);
            }
        });
        WAITING_FOR_CLICK.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Brings the window up and asks the UI (a DOM event it listens for) to open the conversation.
fn open_conversation(app: &AppHandle, conversation: &str) {
    let Some(window) = app.get_webview_window(crate::desktop::MAIN_WINDOW) else { return };
    let _ = window.show();
    let _ = window.unminimize();
    let _ = window.set_focus();
    // The id is the desk's own (digits), but it goes into script: keep only digits.
    let id: String = conversation.chars().filter(char::is_ascii_digit).collect();
    let script = format!("window.dispatchEvent(new CustomEvent('frontdesk:open-conversation', {{ detail: '{id}' }}))");
    if let Err(e) = window.eval(&script) {
        tracing::warn!("cannot open the conversation from a notification: {e}");
    }
}

/// At most `max` characters, with the markup characters notification daemons interpret escaped.
fn plain(text: &str, max: usize) -> String {
    let cut: String = text.chars().take(max).collect();
    cut.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn customer_text_cannot_become_markup_or_run_on() {
        assert_eq!(plain("<b>hi</b> & bye", 100), "&lt;b&gt;hi&lt;/b&gt; &amp; bye");
        assert_eq!(plain("ééééé", 3), "ééé");
    }
}
