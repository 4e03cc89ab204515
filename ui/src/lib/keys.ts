// The composer's keys, shared by the agent app and the widget. Kept in a module of its own
// that imports nothing, so the widget's bundle never pulls in the agent app's words.

/** Enter sends; Shift+Enter (or Enter while an input method composes) is a new line. */
export function sendsOnKey(e: { key: string; shiftKey: boolean; isComposing?: boolean }): boolean {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing;
}
