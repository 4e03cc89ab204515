// Typing indicators, shared by the agent UI and the widget: who is typing (each shown until a few
// seconds after their last signal, so a lost "stopped" never sticks), and a sender that tells the
// desk at most every few seconds while the text changes, and once when it stops.

/** As the desk says (`TYPING_SHOWN_FOR_MS`): how long one signal is shown. */
export const SHOWN_FOR_MS = 6_000;
/** Repeat "typing" this often while the text keeps changing: well inside `SHOWN_FOR_MS`. */
export const REPEAT_MS = 3_000;
/** As the desk says (`VIEWING_SHOWN_FOR_MS`): how long one "viewing" signal is shown. */
export const VIEWING_SHOWN_FOR_MS = 30_000;
/** Repeat "viewing" this often while a conversation stays open. */
export const VIEWING_REPEAT_MS = 10_000;
/** No keystroke for this long counts as stopped. */
export const IDLE_MS = 5_000;

/** Who is typing: a key per typist (an agent id, or "contact") and until when it is shown. */
export type Typists = Record<string, number>;

/** `shownFor`: typing by default; viewing signals last longer (`VIEWING_SHOWN_FOR_MS`). */
export function noteTyping(typists: Typists, who: string, typing: boolean, now: number, shownFor = SHOWN_FOR_MS): Typists {
  const next = { ...typists };
  if (typing) next[who] = now + shownFor;
  else delete next[who];
  return next;
}

/** The typists still shown at `now`, in a stable order. */
export function typingNow(typists: Typists, now: number): string[] {
  return Object.keys(typists)
    .filter((who) => typists[who] > now)
    .sort();
}

/** Tells the desk about one person's typing in one conversation. */
export class TypingSender {
  private lastSent = 0;
  private typing = false;
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The text changed: `empty` when the box is now empty (that counts as stopped). */
  input(empty: boolean) {
    if (empty) return this.stop();
    const now = this.now();
    if (!this.typing || now - this.lastSent >= REPEAT_MS) {
      this.typing = true;
      this.lastSent = now;
      this.send(true);
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), IDLE_MS);
  }

  /** Sent, cleared, left or idle: says "stopped" once if "typing" was said. */
  stop() {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (!this.typing) return;
    this.typing = false;
    this.send(false);
  }
}
