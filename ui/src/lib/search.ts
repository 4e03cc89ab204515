// The inbox's search box: what it asks the desk, and asking only once the agent pauses.

/** How long the box waits after the last keystroke before it searches. */
export const SEARCH_DELAY_MS = 250;

/** The query string of a search: the typed text as is (a trailing space means the last word
 *  is finished) and the status filter, unless it is "any". */
export function searchQuery(text: string, status: string, cursor?: string | null): string {
  const q = new URLSearchParams({ q: text });
  if (status && status !== 'any') q.set('status', status);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** Runs `search` `delay` ms after the last `type`, and hands over only the answer to the
 *  latest text: a slow answer to an older text never replaces a newer one. */
export class Debounced<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest = 0;

  constructor(
    private search: (text: string) => Promise<T>,
    private onResult: (text: string, result: T) => void,
    private onError: (e: unknown) => void,
    private delay = SEARCH_DELAY_MS,
  ) {}

  type(text: string) {
    if (this.timer) clearTimeout(this.timer);
    const ticket = ++this.latest;
    this.timer = setTimeout(() => {
      this.search(text).then(
        (r) => ticket === this.latest && this.onResult(text, r),
        (e) => ticket === this.latest && this.onError(e),
      );
    }, this.delay);
  }

  /** Forgets what was typed: no answer is handed over after this. */
  cancel() {
    if (this.timer) clearTimeout(this.timer);
    this.latest++;
  }
}
