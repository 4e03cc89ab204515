// Desktop notifications: the desk's stream says what happened to this agent (its rules decide
// who is told); this words it and shows it through the desktop app (notify-rust), or through
// the browser's notifications on a LAN browser that allowed them.
import { invoke, isTauri } from '@tauri-apps/api/core';
import type { Notification as DeskNotification } from './api/Notification';

export type Shown = { summary: string; body: string };

export function notificationText(n: DeskNotification): Shown {
  switch (n.kind) {
    case 'assigned':
      return { summary: `#${n.number} ${n.contact} was assigned to you${n.by ? ` by ${n.by}` : ''}`, body: n.preview };
    case 'customer_reply':
      return { summary: `${n.contact} replied in #${n.number}`, body: n.preview };
    case 'mention':
      return { summary: `${n.by ?? 'An agent'} mentioned you in #${n.number}`, body: n.preview };
  }
}

/** Not when the agent is looking at that very conversation: they see it already. */
export function worthShowing(n: DeskNotification, focused: boolean, openConversation: string | null): boolean {
  return !(focused && openConversation === n.conversation);
}

/** Where notifications can appear here: the desktop app, an allowed browser, or nowhere yet. */
export function notificationChannel(): 'desktop' | 'browser' | 'ask' | 'none' {
  if (isTauri()) return 'desktop';
  if (!('Notification' in window)) return 'none';
  if (Notification.permission === 'granted') return 'browser';
  return Notification.permission === 'default' ? 'ask' : 'none';
}

/** Shows it; `open` brings up the conversation when the notification is clicked. */
export async function showNotification(n: DeskNotification, open: (conversation: string) => void): Promise<void> {
  const { summary, body } = notificationText(n);
  const channel = notificationChannel();
  if (channel === 'desktop') {
    await invoke('notify', { summary, body, conversation: n.conversation });
  } else if (channel === 'browser') {
    const shown = new Notification(summary, { body, tag: `frontdesk-${n.conversation}` });
    shown.onclick = () => {
      window.focus();
      open(n.conversation);
      shown.close();
    };
  }
}
