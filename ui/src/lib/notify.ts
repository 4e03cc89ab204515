// Desktop notifications: the desk's stream says what happened to this agent (its rules decide
// who is told); this words it and shows it through the desktop app (notify-rust), or through
// the browser's notifications on a LAN browser that allowed them.
import { invoke, isTauri } from '@tauri-apps/api/core';
import type { Notification as DeskNotification } from './api/Notification';
import { fill } from './fill';
import { WORDS, type Words } from './i18n.svelte';

export type Shown = { summary: string; body: string };

/** The notification in the agent's words (English unless given others). */
export function notificationText(n: DeskNotification, words: Words = WORDS.en): Shown {
  const w = words.notification;
  const slots = { number: n.number, contact: n.contact, by: n.by ?? w.anAgent };
  switch (n.kind) {
    case 'assigned':
      return { summary: fill(n.by ? w.assignedBy : w.assigned, slots), body: n.preview };
    case 'customer_reply':
      return { summary: fill(w.customerReply, slots), body: n.preview };
    case 'mention':
      return { summary: fill(w.mention, slots), body: n.preview };
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
export async function showNotification(
  n: DeskNotification,
  open: (conversation: string) => void,
  words: Words = WORDS.en,
): Promise<void> {
  const { summary, body } = notificationText(n, words);
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
